// What a model reload costs the traffic it happens under: a closed loop of HTTP binary requests
// to an MLP while the model is reloaded (new file, then swap) every RELOAD_EVERY_MS, compared with
// the same loop without reloads and with raw onnxruntime-node in-process, in the same run.
// Run: npm run bench:reload   (env: DURATION_MS=6000 CONCURRENCY=8 RELOAD_EVERY_MS=1000)
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { HttpClient } from '../src/client/index.js';
import { InferenceServer } from '../src/engine/index.js';
import { startHttpServer } from '../src/server/http/index.js';
import { buildMlpModel, mlpConfig } from '../test/support/test-models.js';
import { writeModelFiles } from '../test/support/model-repository-writer.js';
import { closedLoop, formatRow, TABLE_HEADER, type LoopResult } from './closed-loop.js';

const DURATION_MS = Number(process.env.DURATION_MS ?? 6000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 8);
const RELOAD_EVERY_MS = Number(process.env.RELOAD_EVERY_MS ?? 1000);
const SIZES = [64, 256, 256, 10];

const dir = await mkdtemp(join(tmpdir(), 'wharf-bench-reload-'));
try {
  const model = await writeModelFiles(dir, 'mlp', buildMlpModel(SIZES), { config: mlpConfig('mlp', SIZES, { maxBatchSize: 8 }) });
  const x = Float32Array.from({ length: SIZES[0]! }, (_, i) => i / SIZES[0]!);

  const session = await ort.InferenceSession.create(model.modelFile, { intraOpNumThreads: 1 });
  const raw = () => session.run({ x: new ort.Tensor('float32', x, [1, SIZES[0]!]) });

  const engine = await InferenceServer.open({ modelRepository: dir, modelControlMode: 'explicit', startupModels: ['mlp'] });
  const http = await startHttpServer(engine, { host: '127.0.0.1', port: 0 });
  const client = new HttpClient({ url: http.url });
  let failures = 0;
  const overHttp = async () => {
    try {
      await client.infer({ modelName: 'mlp', inputs: [{ name: 'x', datatype: 'FP32', shape: [1, SIZES[0]!], data: x }] });
    } catch {
      failures += 1;
    }
  };

  const loop = (call: () => Promise<unknown>): Promise<LoopResult> => closedLoop(call, { concurrency: CONCURRENCY, durationMs: DURATION_MS, warmupCalls: 50 });
  console.log(`MLP ${SIZES.join('-')}, HTTP binary, ${CONCURRENCY} in flight, ${DURATION_MS} ms per cell, node ${process.version}; ratio vs raw onnxruntime-node`);
  console.log(TABLE_HEADER);
  const baseline = await loop(raw);
  console.log(formatRow('raw onnxruntime-node', CONCURRENCY, baseline, baseline));
  const steady = await loop(overHttp);
  console.log(formatRow('HTTP, no reload', CONCURRENCY, steady, baseline));

  // A reload that changes the file: the new session is opened and swapped in, the old one drained.
  const reloadMs: number[] = [];
  let reloading = true;
  const reloader = (async () => {
    while (reloading) {
      await new Promise((resolve) => setTimeout(resolve, RELOAD_EVERY_MS));
      if (!reloading) break;
      await writeFile(model.modelFile, buildMlpModel(SIZES));
      const start = performance.now();
      await engine.loadModel('mlp');
      reloadMs.push(performance.now() - start);
    }
  })();
  failures = 0;
  const underReload = await loop(overHttp);
  reloading = false;
  await reloader;
  console.log(formatRow(`HTTP, reload/${RELOAD_EVERY_MS}ms`, CONCURRENCY, underReload, baseline));
  reloadMs.sort((a, b) => a - b);
  console.log(`reloads: ${reloadMs.length}, median ${reloadMs[Math.floor(reloadMs.length / 2)]?.toFixed(1) ?? '-'} ms each; failed requests under reload: ${failures} of ${underReload.count}`);
  console.log(`p99 under reload / p99 steady: ${(underReload.p99Ms / steady.p99Ms).toFixed(2)}x; throughput under reload / steady: ${(underReload.requestsPerSecond / steady.requestsPerSecond).toFixed(2)}x`);

  client.close();
  await http.close();
  await engine.close();
  await session.release();
} finally {
  await rm(dir, { recursive: true, force: true });
}
