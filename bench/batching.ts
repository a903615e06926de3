// Dynamic batching on an MLP (64 -> 256 -> 256 -> 10, FP32), 64 concurrent clients.
//   1. HTTP-binary against `wharf serve` (a child process): with and without dynamic batching,
//      1 and 2 instances; a naive fastify + onnxruntime-node JSON server as the baseline.
//   2. In-process InferenceServer with 64 concurrent callers, against raw onnxruntime-node called
//      once per request at the same concurrency.
//   Ceiling: raw onnxruntime-node in-process at its best batch size.
// Run: npm run bench:batching   (env: DURATION_MS=5000 CLIENTS=64 INTRA_OP_THREADS=n; PROFILE=1 writes CPU profiles of the server to .tmp/profiles)
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import ort from 'onnxruntime-node';
import { HttpClient } from '../src/client/index.js';
import { InferenceServer, type InferInput } from '../src/index.js';
import { buildMlpModel, mlpConfig } from '../test/support/test-models.js';
import { closedLoop, type LoopResult } from './closed-loop.js';
import { wrkAvailable, wrkPost } from './wrk.js';

const DURATION_MS = Number(process.env.DURATION_MS ?? 5000);
const CLIENTS = Number(process.env.CLIENTS ?? 64);
const SIZES = [64, 256, 256, 10];
const MAX_BATCH = 64;
const ALL_VARIANTS = [
  { name: 'mlp_plain', label: 'no batching, 1 instance', dynamic: undefined, instances: 1 },
  { name: 'mlp_plain_x2', label: 'no batching, 2 instances', dynamic: undefined, instances: 2 },
  { name: 'mlp_batched', label: 'dynamic batching, 1 instance', dynamic: '', instances: 1 },
  { name: 'mlp_batched_x2', label: 'dynamic batching, 2 instances', dynamic: '', instances: 2 },
] as const;
// ONLY=mlp_batched runs one variant (e.g. to profile it alone with PROFILE=1).
const VARIANTS = ALL_VARIANTS.filter((v) => !process.env.ONLY || process.env.ONLY.split(',').includes(v.name));
const root = fileURLToPath(new URL('../../', import.meta.url));

/** Starts a child process and waits for the JSON log line `ready` accepts, returning what it extracts. */
function startChild(args: string[], ready: (line: Record<string, unknown>) => string | undefined): Promise<{ child: ChildProcess; value: string }> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, WHARF_LOG_FORMAT: 'json', WHARF_LOG_LEVEL: 'warn' } });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      try {
        const value = ready(JSON.parse(line) as Record<string, unknown>);
        if (value !== undefined) resolve({ child, value });
      } catch {
        // not JSON: ignore
      }
    });
  });
}

/** A wrk result in the shape of the Node loop's, for printing. */
function loop(result: { requestsPerSecond: number; p50Ms: number; p99Ms: number }): LoopResult {
  return { ...result, count: 0 };
}

function row(label: string, result: LoopResult, baseline?: LoopResult, extra = ''): void {
  const ratio = baseline ? `${(result.requestsPerSecond / baseline.requestsPerSecond).toFixed(2)}x` : '';
  console.log(`${label.padEnd(44)} ${result.requestsPerSecond.toFixed(0).padStart(8)} ${result.p50Ms.toFixed(2).padStart(8)} ${result.p99Ms.toFixed(2).padStart(8)}  ${ratio.padStart(7)} ${extra}`);
}

const dir = await mkdtemp(join(tmpdir(), 'wharf-batching-'));
const children: ChildProcess[] = [];
try {
  const model = buildMlpModel(SIZES);
  const modelFile = join(dir, 'mlp.onnx');
  await writeFile(modelFile, model);
  for (const variant of VARIANTS) {
    await mkdir(join(dir, variant.name, '1'), { recursive: true });
    await writeFile(join(dir, variant.name, '1', 'model.onnx'), model);
    const threads = process.env.INTRA_OP_THREADS ? `parameters { key: "intra_op_thread_count" value: { string_value: "${process.env.INTRA_OP_THREADS}" } }\n` : '';
    await writeFile(join(dir, variant.name, 'config.pbtxt'), mlpConfig(variant.name, SIZES, { maxBatchSize: MAX_BATCH, ...(variant.dynamic === undefined ? {} : { dynamicBatching: variant.dynamic }), instances: variant.instances }) + threads);
  }
  const row1 = Float32Array.from({ length: SIZES[0]! }, (_, i) => Math.sin(i));
  const request = (modelName: string): InferInput => ({ modelName, inputs: [{ name: 'x', datatype: 'FP32', shape: [1, SIZES[0]!], data: row1 }] });
  console.log(`MLP ${SIZES.join(' -> ')} FP32, ${CLIENTS} concurrent clients, ${DURATION_MS} ms per cell, node ${process.version}`);

  // Ceiling: raw onnxruntime-node in this process, one thread per core, at each batch size.
  const session = await ort.InferenceSession.create(modelFile);
  let best = { batch: 1, rowsPerSecond: 0 };
  for (const batch of [1, 8, 16, 32, 64]) {
    const feed = { x: new ort.Tensor('float32', new Float32Array(batch * SIZES[0]!).fill(0.5), [batch, SIZES[0]!]) };
    const result = await closedLoop(() => session.run(feed), { concurrency: 1, durationMs: Math.min(2000, DURATION_MS) });
    const rowsPerSecond = result.requestsPerSecond * batch;
    console.log(`raw onnxruntime-node, batch ${String(batch).padStart(2)}: ${rowsPerSecond.toFixed(0)} inferences/s`);
    if (rowsPerSecond > best.rowsPerSecond) best = { batch, rowsPerSecond };
  }
  console.log(`ceiling: ${best.rowsPerSecond.toFixed(0)} inferences/s at batch ${best.batch}\n`);

  // HTTP-binary against wharf serve in a child process.
  const profile = process.env.PROFILE === '1' ? ['--cpu-prof', `--cpu-prof-dir=${join(root, '.tmp', 'profiles')}`] : [];
  const serve = await startChild([...profile, join(root, 'dist/src/cli/main.js'), 'serve', '-r', dir, '-p', '0', '-g', '0', '--metrics-port', '0', '--host', '127.0.0.1', '--log-level', 'info'], (l) => (l.msg === 'HTTP server listening' ? String(l.url) : undefined));
  children.push(serve.child);
  const naive = await startChild([join(root, 'dist/bench/naive-server.js'), modelFile, 'x'], (l) => (l.msg === 'listening' ? `http://127.0.0.1:${String(l.port)}` : undefined));
  children.push(naive.child);

  console.log(`${'over HTTP (req/s = inferences/s)'.padEnd(44)} ${'req/s'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)}  ${'vs naive'.padStart(7)}`);
  const naiveClient = new HttpClient({ url: naive.value });
  const naiveResult = await closedLoop(() => naiveClient.infer(request('mlp'), { json: true }), { concurrency: CLIENTS, durationMs: DURATION_MS });
  row('naive fastify + onnxruntime-node, JSON', naiveResult, naiveResult);
  naiveClient.close();
  const client = new HttpClient({ url: serve.value });
  const http: Record<string, LoopResult> = {};
  for (const variant of VARIANTS) {
    http[variant.name] = await closedLoop(() => client.infer(request(variant.name)), { concurrency: CLIENTS, durationMs: DURATION_MS });
    row(`wharf HTTP-binary, ${variant.label}`, http[variant.name]!, naiveResult);
  }
  client.close();
  if (wrkAvailable()) {
    // The same cells with wrk as the load generator: it leaves more of the 2 cores to the server.
    console.log(`\n${'over HTTP, wrk -c' + String(CLIENTS)}`.padEnd(45) + `${'req/s'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)}  ${'vs naive'.padStart(7)}`);
    const scriptPath = join(dir, 'wrk.lua');
    const options = { connections: CLIENTS, durationMs: DURATION_MS, scriptPath };
    const json = Buffer.from(JSON.stringify({ inputs: [{ name: 'x', shape: [1, SIZES[0]!], datatype: 'FP32', data: Array.from(row1) }] }));
    const header = Buffer.from(JSON.stringify({ inputs: [{ name: 'x', shape: [1, SIZES[0]!], datatype: 'FP32', parameters: { binary_data_size: row1.byteLength } }], parameters: { binary_data_output: true } }));
    const binary = Buffer.concat([header, Buffer.from(row1.buffer, row1.byteOffset, row1.byteLength)]);
    const naiveWrk = await wrkPost(`${naive.value}/v2/models/mlp/infer`, json, { 'Content-Type': 'application/json' }, options);
    row('naive fastify + onnxruntime-node, JSON', loop(naiveWrk), loop(naiveWrk));
    const wrkResults: Record<string, LoopResult> = {};
    for (const variant of VARIANTS) {
      const result = await wrkPost(`${serve.value}/v2/models/${variant.name}/infer`, binary, { 'Content-Type': 'application/octet-stream', 'Inference-Header-Content-Length': String(header.byteLength) }, options);
      if (result.errors > 0) throw new Error(`wrk saw ${result.errors} failed requests on ${variant.name}`);
      wrkResults[variant.name] = loop(result);
      row(`wharf HTTP-binary, ${variant.label}`, wrkResults[variant.name]!, loop(naiveWrk));
    }
    if (VARIANTS.length === ALL_VARIANTS.length) console.log(`batching gain with wrk: ${(wrkResults.mlp_batched!.requestsPerSecond / wrkResults.mlp_plain!.requestsPerSecond).toFixed(2)}x (1 instance), ${(wrkResults.mlp_batched_x2!.requestsPerSecond / wrkResults.mlp_plain_x2!.requestsPerSecond).toFixed(2)}x (2 instances)`);
  }
  for (const child of children) child.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 1000));
  if (VARIANTS.length === ALL_VARIANTS.length) console.log(`\nbatching gain over HTTP-binary: ${(http.mlp_batched!.requestsPerSecond / http.mlp_plain!.requestsPerSecond).toFixed(2)}x (1 instance), ${(http.mlp_batched_x2!.requestsPerSecond / http.mlp_plain_x2!.requestsPerSecond).toFixed(2)}x (2 instances); best wharf vs naive ${(Math.max(...Object.values(http).map((r) => r.requestsPerSecond)) / naiveResult.requestsPerSecond).toFixed(2)}x; best wharf vs ceiling ${(Math.max(...Object.values(http).map((r) => r.requestsPerSecond)) / best.rowsPerSecond).toFixed(2)}x\n`);

  // In-process: the engine with 64 concurrent callers, against raw onnxruntime-node per request.
  const engine = await InferenceServer.open({ modelRepository: dir });
  console.log(`${'in-process, 64 concurrent callers'.padEnd(44)} ${'req/s'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)}  ${'vs raw'.padStart(7)}`);
  const single = { x: new ort.Tensor('float32', row1, [1, SIZES[0]!]) };
  const raw = await closedLoop(() => session.run(single), { concurrency: CLIENTS, durationMs: DURATION_MS });
  row('raw onnxruntime-node, one run per request', raw, raw);
  const inProcess: Record<string, LoopResult> = {};
  for (const variant of VARIANTS) {
    inProcess[variant.name] = await closedLoop(() => engine.infer(request(variant.name)), { concurrency: CLIENTS, durationMs: DURATION_MS });
    row(`InferenceServer, ${variant.label}`, inProcess[variant.name]!, raw);
  }
  if (VARIANTS.length === ALL_VARIANTS.length) console.log(`\nbatching gain in-process: ${(inProcess.mlp_batched!.requestsPerSecond / inProcess.mlp_plain!.requestsPerSecond).toFixed(2)}x (1 instance), ${(inProcess.mlp_batched_x2!.requestsPerSecond / inProcess.mlp_plain_x2!.requestsPerSecond).toFixed(2)}x (2 instances)`);
  await engine.close();
  await session.release();
} finally {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
}
