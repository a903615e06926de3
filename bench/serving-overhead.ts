// What serving costs on top of onnxruntime-node: the same model and input run through
// (1) raw onnxruntime-node on the main thread, (2) InferenceServer in-process (worker thread),
// (3) HTTP with JSON tensors over loopback, each with the same number of requests in flight.
// Run: npm run bench:serving   (env: DURATION_MS=3000 CONCURRENCY=1,8)
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { InferenceServer } from '../src/engine/index.js';
import { startHttpServer } from '../src/server/http/index.js';
import { encodeInferRequestJson } from '../src/protocol/index.js';
import { writeAddSubModel } from '../test/support/test-models.js';
import { closedLoop, formatRow, TABLE_HEADER } from './closed-loop.js';

const DURATION_MS = Number(process.env.DURATION_MS ?? 3000);
const LEVELS = (process.env.CONCURRENCY ?? '1,8').split(',').map(Number);

const dir = await mkdtemp(join(tmpdir(), 'wharf-bench-'));
try {
  const model = await writeAddSubModel(dir);
  const a = Float32Array.from({ length: 4 }, (_, i) => i);
  const b = Float32Array.from({ length: 4 }, (_, i) => 4 - i);

  const session = await ort.InferenceSession.create(model.modelFile, { intraOpNumThreads: 1 });
  const raw = () => session.run({ INPUT0: new ort.Tensor('float32', a, [1, 4]), INPUT1: new ort.Tensor('float32', b, [1, 4]) });

  const engine = await InferenceServer.open({ modelRepository: dir });
  const request = {
    modelName: 'add_sub',
    inputs: [{ name: 'INPUT0', datatype: 'FP32' as const, shape: [1, 4], data: a }, { name: 'INPUT1', datatype: 'FP32' as const, shape: [1, 4], data: b }],
  };
  const inProcess = () => engine.infer(request);

  const http = await startHttpServer(engine, { host: '127.0.0.1', port: 0 });
  const body = encodeInferRequestJson(request);
  const overHttp = async () => {
    const response = await fetch(`${http.url}/v2/models/add_sub/infer`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    if (!response.ok) throw new Error(await response.text());
    await response.arrayBuffer();
  };

  console.log(`add_sub (2 x FP32 [1,4]), ${DURATION_MS} ms per cell, 1 instance, node ${process.version}; ratio vs raw onnxruntime-node`);
  console.log(TABLE_HEADER);
  for (const concurrency of LEVELS) {
    const loop = (call: () => Promise<unknown>) => closedLoop(call, { concurrency, durationMs: DURATION_MS, warmupCalls: 50 });
    const baseline = await loop(raw);
    console.log(formatRow('raw onnxruntime-node', concurrency, baseline, baseline));
    console.log(formatRow('InferenceServer', concurrency, await loop(inProcess), baseline));
    console.log(formatRow('HTTP JSON (fetch)', concurrency, await loop(overHttp), baseline));
  }
  await http.close();
  await engine.close();
  await session.release();
} finally {
  await rm(dir, { recursive: true, force: true });
}
