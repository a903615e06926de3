// `wharf model split` and `wharf model plan-split` end to end: the built CLI on temp files, its
// results run in onnxruntime-node, its refusals with exit codes and messages.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createSession, randomFeeds, resolveInputSpecs, runSession, seededRandom } from '../../src/tools/evaluate/index.js';
import { decodeModel, GraphBuilder } from '../../src/tools/onnx/index.js';
import { makeTempDir } from '../support/server-harness.js';
import { buildCnnModel } from '../support/test-models.js';
import { runWharf, type CliRun } from '../support/cli-runner.js';


const wharf = (...args: string[]): Promise<CliRun> => runWharf(['model', ...args], { timeoutMs: 120_000 });

let tmp: { dir: string; cleanup: () => Promise<void> };
let cnnFile: string;
let skipFile: string;

before(async () => {
  tmp = await makeTempDir('wharf-split-cli-');
  cnnFile = join(tmp.dir, 'cnn.onnx');
  await writeFile(cnnFile, buildCnnModel());
  // x -> a -> (b -> c) -> s = a + c -> y: b and c sit inside the skip connection.
  const g = new GraphBuilder('skip');
  const x = g.input('x', 'FP32', ['batch', 4]);
  const a = g.node('Relu', [x], {}, { outputs: ['a'] });
  const c = g.node('Sigmoid', [g.node('Neg', [a], {}, { outputs: ['b'] })], {}, { outputs: ['c'] });
  g.output(g.node('Neg', [g.node('Add', [a, c], {}, { outputs: ['s'] })]), 'y', 'FP32', ['batch', 4]);
  skipFile = join(tmp.dir, 'skip.onnx');
  await writeFile(skipFile, g.toBytes({ opset: 17 }));
});

after(async () => {
  await tmp?.cleanup();
});

describe('wharf model split', () => {
  it('writes a head and a tail that together compute the whole model, and verifies it', async () => {
    const [head, tail] = [join(tmp.dir, 'head.onnx'), join(tmp.dir, 'tail.onnx')];
    const run = await wharf('split', cnnFile, '--at', 'Relu_1', '-o', head, '-o', tail, '--batch', '2');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^cut Relu_1: FP32 \[batch,32,32,32\], 131072 bytes per sample \(128\.0 KiB\)$/m);
    assert.match(run.stdout, /wrote .*head\.onnx: 4 nodes, 4 initializers, inputs x -> outputs Relu_1/);
    assert.match(run.stdout, /wrote .*tail\.onnx: 5 nodes, 4 initializers, inputs Relu_1 -> outputs y/);
    const verified = /verified: head then tail equals the whole model in onnxruntime-node on a random input \(x \[2,3,64,64\]\): y max abs diff (\S+)/.exec(run.stdout);
    assert.ok(verified, run.stdout);
    assert.ok(Number(verified[1]) <= 1e-6, `reported diff ${verified[1]}`);

    // Independently: run the written files in onnxruntime-node, at a batch size the check did not use.
    const whole = decodeModel(buildCnnModel());
    const feeds = randomFeeds(resolveInputSpecs(whole, { batch: 3 }), seededRandom(9));
    const [wholeSession, headSession, tailSession] = await Promise.all([buildCnnModel(), await readFile(head), await readFile(tail)].map((bytes) => createSession(bytes)));
    try {
      const expected = (await runSession(wholeSession!, feeds)).y!.data as Float32Array;
      const actual = (await runSession(tailSession!, await runSession(headSession!, feeds))).y!.data as Float32Array;
      assert.equal(actual.length, 3 * 10);
      assert.ok(actual.every((value, index) => Math.abs(value - expected[index]!) <= 1e-5));
    } finally {
      await Promise.all([wholeSession, headSession, tailSession].map((session) => session!.release()));
    }
  });

  it('refuses an unknown tensor with exit 2, listing cuts the model allows', async () => {
    const run = await wharf('split', cnnFile, '--at', 'nope', '-o', join(tmp.dir, 'h.onnx'), '-o', join(tmp.dir, 't.onnx'));
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--at: the model has no tensor named 'nope'; cuts it allows include 'Conv_0', 'Relu_0'/);
  });

  it('refuses a cut inside a skip connection with exit 2, naming the path around it', async () => {
    const run = await wharf('split', skipFile, '--at', 'b', '-o', join(tmp.dir, 'h.onnx'), '-o', join(tmp.dir, 't.onnx'));
    assert.equal(run.code, 2);
    assert.match(run.stderr, /the cut 'b' does not separate the graph: input 'x' reaches output 'y' without passing through it, by x -> a -> s -> y/);
  });

  it('splits the skip model at a cut of two tensors inside the skip connection', async () => {
    const run = await wharf('split', skipFile, '--at', 'a', '--at', 'c', '-o', join(tmp.dir, 'sh.onnx'), '-o', join(tmp.dir, 'st.onnx'));
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^cut a: FP32 \[batch,4\], 16 bytes per sample/m);
    assert.match(run.stdout, /^cut c: FP32 \[batch,4\]/m);
    assert.match(run.stdout, /inputs a, c -> outputs y/);
    assert.match(run.stdout, /verified: .* y max abs diff 0\.00e\+0/);
  });

  it('refuses missing or extra -o files and bad --shape values with exit 2', async () => {
    const one = await wharf('split', cnnFile, '--at', 'Relu_1', '-o', join(tmp.dir, 'h.onnx'));
    assert.equal(one.code, 2);
    assert.match(one.stderr, /give -o twice, the head file and then the tail file \(got 1\)/);
    const shape = await wharf('split', cnnFile, '--at', 'Relu_1', '-o', 'a.onnx', '-o', 'b.onnx', '--shape', 'x=1,3,64');
    assert.equal(shape.code, 2);
    assert.match(shape.stderr, /--shape x=1,3,64 has rank 3/);
  });

  it('fails with exit 1 naming the file when the model cannot be read', async () => {
    const corrupt = join(tmp.dir, 'corrupt.onnx');
    await writeFile(corrupt, 'this is not an ONNX model\n');
    const run = await wharf('split', corrupt, '--at', 'a', '-o', join(tmp.dir, 'h.onnx'), '-o', join(tmp.dir, 't.onnx'));
    assert.equal(run.code, 1);
    assert.match(run.stderr, /model file '.*corrupt\.onnx'/);
    const missing = await wharf('split', join(tmp.dir, 'missing.onnx'), '--at', 'a', '-o', 'h.onnx', '-o', 't.onnx');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /cannot read model file '.*missing\.onnx': no such file/);
  });
});

interface PlanJson { recommended: string; batch: number; rows: { label: string; kind: string; sentBytes: number; totalMs: number }[] }

async function plan(...args: string[]): Promise<PlanJson> {
  const run = await wharf('plan-split', cnnFile, '--iterations', '2', '--json', ...args);
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout) as PlanJson;
}

describe('wharf model plan-split', () => {
  it('a fast link and a slow device: all on server', async () => {
    const result = await plan('--bandwidth', '100Gbps', '--device-speed', '0.001');
    assert.equal(result.recommended, 'all on server');
    assert.deepEqual(result.rows.map((row) => row.label), ['all on server', 'Conv_0', 'Relu_0', 'Conv_1', 'Relu_1', 'Conv_2', 'Relu_2', 'GlobalAveragePool_0', 'Flatten_0', 'all on device']);
  });

  it('a slow link and a fast device: all on device', async () => {
    const result = await plan('--bandwidth', '1kbps', '--device-speed', '1000', '--rtt', '50ms');
    assert.equal(result.recommended, 'all on device');
    assert.equal(result.rows.find((row) => row.label === 'Relu_1')!.sentBytes, 32 * 32 * 32 * 4);
  });

  it('prints a table with the recommendation marked, and progress on stderr', async () => {
    const run = await wharf('plan-split', cnnFile, '--bandwidth', '20Mbps', '--device-speed', '0.1', '--iterations', '2', '--batch', '2', '--cut', 'Relu_2', '--cut', 'Flatten_0');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /batch 2: device 10x slower than this machine, link 20 Mbps, rtt 0 ms/);
    assert.match(run.stdout, /cut\s+sent\s+bytes\s+device ms\s+transfer ms\s+server ms\s+total ms/);
    assert.match(run.stdout, /Relu_2\s+Relu_2 \[2,64,16,16\]\s+128\.0 KiB/);
    assert.equal(run.stdout.split('\n').filter((line) => line.startsWith('*')).length, 1);
    assert.match(run.stdout, /^recommended: /m);
    assert.match(run.stderr, /profiled 2 cuts plus all on server and all on device/);
  });

  it('refuses a bandwidth without a unit, a bad device speed and a bad cut with exit 2', async () => {
    const noUnit = await wharf('plan-split', cnnFile, '--bandwidth', '20', '--device-speed', '0.1');
    assert.equal(noUnit.code, 2);
    assert.match(noUnit.stderr, /--bandwidth: bandwidth "20" needs a unit/);
    const unknown = await wharf('plan-split', cnnFile, '--bandwidth', '20 parsecs', '--device-speed', '0.1');
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown unit 'parsecs'/);
    const speed = await wharf('plan-split', cnnFile, '--bandwidth', '20Mbps', '--device-speed', 'fast');
    assert.equal(speed.code, 2);
    assert.match(speed.stderr, /--device-speed must be a positive number such as 0\.1.*got "fast"/);
    const cut = await wharf('plan-split', cnnFile, '--bandwidth', '20Mbps', '--device-speed', '0.1', '--cut', 'x');
    assert.equal(cut.code, 2);
    assert.match(cut.stderr, /--cut: 'x' is a graph input/);
    const missing = await wharf('plan-split', cnnFile, '--device-speed', '0.1');
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--bandwidth/);
  });
});
