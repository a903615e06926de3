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

const DURATION_MS = Number(process.env.DURATION_MS ?? 3000);
const LEVELS = (process.env.CONCURRENCY ?? '1,8').split(',').map(Number);

interface Result { throughput: number; p50: number; p99: number }

/** Keeps `concurrency` calls in flight for DURATION_MS and records each call's latency. */
async function drive(concurrency: number, call: () => Promise<unknown>): Promise<Result> {
  for (let i = 0; i < 50; i += 1) await call();
  const latencies: number[] = [];
  const end = performance.now() + DURATION_MS;
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < end) {
      const t = performance.now();
      await call();
      latencies.push(performance.now() - t);
    }
  }));
  const elapsed = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return { throughput: latencies.length / elapsed, p50: at(0.5), p99: at(0.99) };
}

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

  console.log(`add_sub (2 x FP32 [1,4]), ${DURATION_MS} ms per cell, 1 instance, node ${process.version}`);
  console.log('path                    in flight   req/s     p50 ms   p99 ms   vs raw ort');
  for (const concurrency of LEVELS) {
    const baseline = await drive(concurrency, raw);
    for (const [name, call] of [['raw onnxruntime-node', raw], ['InferenceServer', inProcess], ['HTTP JSON (fetch)', overHttp]] as const) {
      const r = name === 'raw onnxruntime-node' ? baseline : await drive(concurrency, call);
      console.log(`${name.padEnd(24)}${String(concurrency).padStart(9)} ${r.throughput.toFixed(0).padStart(7)} ${r.p50.toFixed(3).padStart(9)} ${r.p99.toFixed(3).padStart(8)}   ${(r.throughput / baseline.throughput).toFixed(2)}x`);
    }
  }
  await http.close();
  await engine.close();
  await session.release();
} finally {
  await rm(dir, { recursive: true, force: true });
}
