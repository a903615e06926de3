// `wharf serve` start-up: the listeners come up before the models load, so the server is live
// and not ready (HTTP and gRPC) while a model warms up, and ready once it has.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GrpcClient } from '../../src/client/index.js';
import { makeTempDir } from '../support/server-harness.js';
import { killAll, startServe, writeSlow } from './serve-process.js';

let repository: string;
let cleanup: () => Promise<void>;

before(async () => {
  ({ dir: repository, cleanup } = await makeTempDir('wharf-startup-'));
  // 20 warm-up runs of 20 single-threaded 512x512 MatMuls: a second or more of loading on one
  // core, against the few milliseconds the probes below need once the listeners are up.
  await writeSlow(repository, 'warming', { size: 512, matmuls: 20, warmupCount: 20 });
});

after(async () => {
  killAll();
  await cleanup();
});

async function probe(url: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.json() };
}

describe('wharf serve start-up', () => {
  it('is live and not ready while a model warms up, then ready', { timeout: 60_000 }, async () => {
    const server = startServe(repository);
    const { http, grpc } = await server.addresses();
    const client = new GrpcClient({ url: grpc });
    try {
      assert.deepEqual(await probe(`${http}/v2/health/live`), { status: 200, body: { live: true } });
      assert.deepEqual(await probe(`${http}/v2/health/ready`), { status: 503, body: { ready: false } });
      assert.equal(await client.isServerLive(), true);
      assert.equal(await client.isServerReady(), false);
      assert.equal(server.lines.some((l) => l.msg === 'server ready'), false, 'the probes ran while the model loaded');

      await server.waitFor('server ready');
      assert.deepEqual(await probe(`${http}/v2/health/ready`), { status: 200, body: { ready: true } });
      assert.equal(await client.isServerReady(), true);
    } finally {
      client.close();
    }

    const order = server.lines.map((l) => l.msg);
    for (const step of ['HTTP server listening', 'gRPC server listening', 'metrics server listening']) {
      assert.ok(order.indexOf(step) < order.indexOf('loading models'), `"${step}" comes before the models load`);
    }
    assert.ok(order.indexOf('loading models') < order.indexOf('model ready'));
    const ready = server.lines.find((l) => l.msg === 'model ready')!;
    assert.deepEqual([ready.model, ready.version], ['warming', '1']);

    server.child.kill('SIGTERM');
    assert.equal(await server.exited(), 0);
  });

  it('a signal while models load drains and exits 0', { timeout: 60_000 }, async () => {
    const server = startServe(repository);
    await server.waitFor('loading models');
    server.child.kill('SIGTERM');
    assert.equal(await server.exited(), 0);
    const order = server.lines.map((l) => l.msg);
    assert.ok(order.includes('stopped'));
    assert.equal(order.includes('server ready'), false);
  });
});
