// The split planner: bandwidth parsing, Neurosurgeon's end-to-end sum, and profiles measured in onnxruntime-node.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeModel } from '../../src/tools/onnx/index.js';
import { formatBandwidth, parseBandwidth, planSplit, profileCuts, CutError, type CutProfile } from '../../src/tools/split/index.js';
import { buildCnnModel } from '../support/test-models.js';

describe('parseBandwidth', () => {
  const cases: [string, number][] = [
    ['20Mbps', 20e6], ['20 Mbps', 20e6], ['1.5Gbps', 1.5e9], ['500kbps', 500e3], ['500Kbps', 500e3], ['64bps', 64], ['10mbps', 10e6],
    ['2MB/s', 16e6], ['2MBps', 16e6], ['100KB/s', 800e3], ['1GB/s', 8e9], ['3B/s', 24], ['1MiB/s', 8 * 1024 * 1024], ['.5Mbps', 0.5e6], ['1e3kbps', 1e6],
  ];
  for (const [text, bits] of cases) {
    it(`${text} is ${bits} bits/s`, () => assert.equal(parseBandwidth(text), bits));
  }

  it('refuses a number without a unit, naming the units', () => {
    assert.throws(() => parseBandwidth('20'), /bandwidth "20" needs a unit: bps, kbps.*MB\/s/);
  });

  it('refuses unknown units and hints at the bits/bytes case', () => {
    assert.throws(() => parseBandwidth('20furlongs'), /unknown unit 'furlongs'; units: bps/);
    assert.throws(() => parseBandwidth('20mb/s'), /unknown unit 'mb\/s' \(did you mean MB\/s\? bps is bits, B\/s bytes\)/);
  });

  it('refuses text that is not a number with a unit, and zero', () => {
    assert.throws(() => parseBandwidth('fast'), /"fast" is not a number with a unit/);
    assert.throws(() => parseBandwidth('-5Mbps'), /"-5Mbps" is not a number with a unit/);
    assert.throws(() => parseBandwidth(''), /is not a number with a unit/);
    assert.throws(() => parseBandwidth('0Mbps'), /"0Mbps" must be above 0/);
  });

  it('formats bits per second back', () => {
    assert.equal(formatBandwidth(20e6), '20 Mbps');
    assert.equal(formatBandwidth(1.5e9), '1.5 Gbps');
    assert.equal(formatBandwidth(800), '800 bps');
  });
});

const profile = (label: string, kind: CutProfile['kind'], sentBytes: number, headMs: number, tailMs: number): CutProfile => ({
  label, kind, sent: kind === 'device' ? [] : [label], sentShapes: [], sentBytes, outputBytes: 40, headMs, tailMs,
});

/** A model whose intermediate tensors shrink: the shape of a CNN. */
const PROFILES: readonly CutProfile[] = [
  profile('all on server', 'server', 48_000, 0, 1),
  profile('conv', 'cut', 256_000, 0.3, 0.7),
  profile('pool', 'cut', 256, 0.5, 0.5),
  profile('all on device', 'device', 0, 1, 0),
];

describe('planSplit', () => {
  it('adds device time (scaled), transfer (sent + outputs, plus rtt) and server time', () => {
    const plan = planSplit(PROFILES, { bandwidthBitsPerSecond: 8e6, deviceSpeed: 0.1, rttMs: 5 });
    const pool = plan.rows[2]!;
    assert.equal(pool.deviceMs, 5);
    assert.equal(pool.transferMs, ((256 + 40) * 8 * 1000) / 8e6 + 5);
    assert.equal(pool.serverMs, 0.5);
    assert.equal(pool.totalMs, pool.deviceMs + pool.transferMs + pool.serverMs);
    assert.equal(plan.rows[3]!.transferMs, 0, 'all on device sends nothing');
    assert.equal(plan.rows[0]!.deviceMs, 0);
  });

  it('picks all on server for a fast link and a slow device', () => {
    const plan = planSplit(PROFILES, { bandwidthBitsPerSecond: 10e9, deviceSpeed: 0.01 });
    assert.equal(plan.rows[plan.best]!.label, 'all on server');
  });

  it('picks all on device for a slow link and a fast device', () => {
    const plan = planSplit(PROFILES, { bandwidthBitsPerSecond: 1e3, deviceSpeed: 10 });
    assert.equal(plan.rows[plan.best]!.label, 'all on device');
  });

  it('picks the cut with the small tensor in between', () => {
    const plan = planSplit(PROFILES, { bandwidthBitsPerSecond: 1e6, deviceSpeed: 0.1 });
    assert.equal(plan.rows[plan.best]!.label, 'pool');
  });

  it('refuses a bandwidth, device speed or rtt out of range, and an empty profile list', () => {
    assert.throws(() => planSplit(PROFILES, { bandwidthBitsPerSecond: 0, deviceSpeed: 1 }), /bandwidth must be above 0/);
    assert.throws(() => planSplit(PROFILES, { bandwidthBitsPerSecond: 1, deviceSpeed: -1 }), /device speed must be a positive number/);
    assert.throws(() => planSplit(PROFILES, { bandwidthBitsPerSecond: 1, deviceSpeed: 1, rttMs: -2 }), /rtt must be 0 or more/);
    assert.throws(() => planSplit([], { bandwidthBitsPerSecond: 1, deviceSpeed: 1 }), /no profiles/);
  });
});

describe('profileCuts', () => {
  it('measures all on server, each candidate and all on device, with the bytes of what is sent', async () => {
    const steps: string[] = [];
    const { profiles, batch } = await profileCuts(decodeModel(buildCnnModel()), { iterations: 2, batch: 2, progress: (done, total, label) => steps.push(`${done}/${total} ${label}`) });
    assert.equal(batch, 2);
    assert.deepEqual(profiles.map((p) => p.label), ['all on server', 'Conv_0', 'Relu_0', 'Conv_1', 'Relu_1', 'Conv_2', 'Relu_2', 'GlobalAveragePool_0', 'Flatten_0', 'all on device']);
    assert.equal(steps.length, 17);
    assert.equal(steps.at(-1), '17/17 Flatten_0 (tail)');
    const byLabel = new Map(profiles.map((p) => [p.label, p]));
    assert.equal(byLabel.get('all on server')!.sentBytes, 2 * 3 * 64 * 64 * 4);
    assert.deepEqual(byLabel.get('Relu_1')!.sentShapes, [[2, 32, 32, 32]]);
    assert.equal(byLabel.get('Relu_1')!.sentBytes, 2 * 32 * 32 * 32 * 4);
    assert.equal(byLabel.get('Flatten_0')!.sentBytes, 2 * 64 * 4);
    assert.equal(byLabel.get('all on device')!.sentBytes, 0);
    for (const p of profiles) {
      assert.equal(p.outputBytes, 2 * 10 * 4);
      assert.ok(p.headMs >= 0 && p.tailMs >= 0 && Number.isFinite(p.headMs + p.tailMs));
    }
    assert.ok(byLabel.get('all on device')!.headMs > 0 && byLabel.get('all on server')!.tailMs > 0);
  });

  it('profiles only the cuts asked for, and refuses one the model does not allow', async () => {
    const model = decodeModel(buildCnnModel());
    const { profiles } = await profileCuts(model, { iterations: 1, cuts: ['Relu_2'] });
    assert.deepEqual(profiles.map((p) => p.label), ['all on server', 'Relu_2', 'all on device']);
    await assert.rejects(profileCuts(model, { iterations: 1, cuts: ['y'] }), (error: unknown) => error instanceof CutError && /'y' is a graph output/.test(error.message));
  });
});
