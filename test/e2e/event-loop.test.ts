import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { makeTempDir, request, startTestServer, type TestServer } from '../support/server-harness.js';
import { writeSlowModel } from '../support/test-models.js';

let server: TestServer;
let cleanup: () => Promise<void>;

before(async () => {
  const tmp = await makeTempDir();
  cleanup = tmp.cleanup;
  await writeSlowModel(tmp.dir);
  server = await startTestServer(tmp.dir);
});

after(async () => {
  await server?.close();
  await cleanup?.();
});

// Not a timing benchmark: the assertions compare durations measured in the same run, with
// a wide margin, so they hold on a loaded machine. A session on the main thread would hold
// every probe for a whole inference.
describe('event loop while a slow model computes', () => {
  it('answers health probes while inferences are in flight', async () => {
    const slowBody = { inputs: [{ name: 'x', shape: [1], datatype: 'FP32', data: [2] }] };
    const single = performance.now();
    const warm = await request(`${server.url}/v2/models/slow/infer`, 'POST', slowBody);
    const inferenceMs = performance.now() - single;
    assert.equal(warm.status, 200, JSON.stringify(warm.body));

    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    let inferDone = 0;
    const inflight = [0, 1].map(() => request(`${server.url}/v2/models/slow/infer`, 'POST', slowBody).then((r) => {
      inferDone = performance.now();
      return r;
    }));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const probes: { ms: number; at: number }[] = [];
    for (let i = 0; i < 10; i += 1) {
      const start = performance.now();
      const live = await request(`${server.url}/v2/health/live`, 'GET');
      assert.equal(live.status, 200);
      probes.push({ ms: performance.now() - start, at: performance.now() });
    }
    const results = await Promise.all(inflight);
    delay.disable();

    for (const r of results) assert.deepEqual((r.body as { outputs: { data: number[] }[] }).outputs[0]!.data.map((v) => Math.round(v * 1000) / 1000), [2]);
    const worstProbe = Math.max(...probes.map((p) => p.ms));
    const worstLagMs = delay.max / 1e6;
    assert.ok(probes.every((p) => p.at < inferDone), 'every probe finished while inferences were still running');
    assert.ok(worstProbe < inferenceMs / 4, `slowest probe ${worstProbe.toFixed(1)} ms vs one inference ${inferenceMs.toFixed(1)} ms`);
    assert.ok(worstLagMs < inferenceMs / 4, `event loop lag ${worstLagMs.toFixed(1)} ms vs one inference ${inferenceMs.toFixed(1)} ms`);
  });
});
