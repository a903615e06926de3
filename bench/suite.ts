// The benchmark suite: where Wharf's speed is measured. For each model (tiny, MLP, CNN) and each
// number of requests in flight, one closed-loop cell per path:
//   raw          onnxruntime-node in this process, one session, Wharf's default session settings
//                for one instance: the ceiling
//   in-process   InferenceServer.infer() (the embeddable API; sessions in a worker thread)
//   http-binary  HttpClient -> startHttpServer, binary tensors
//   http-json    HttpClient -> startHttpServer, JSON tensors
//   grpc         GrpcClient -> startGrpcServer, raw_input_contents
//   naive        HttpClient (JSON) -> express + express.json + session.run on the main thread,
//                a child process (bench/naive-server.ts)
// HTTP, gRPC and naive load comes from a worker thread (bench/suite-load-worker.ts); raw and
// in-process calls run on this thread. Every cell warms up at its own concurrency first.
// Run: npm run bench
// Env: DURATION_MS=4000 (per cell), CONCURRENCY=1,64, ONLY=tiny,mlp,cnn,
//      PATHS=raw,in-process,http-binary,http-json,grpc,naive, RESULTS_FILE=.tmp/bench/latest.md
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import ort from 'onnxruntime-node';
import { sessionSettingsFromParameters } from '../src/backends/onnx/index.js';
import { InferenceServer, startGrpcServer, startHttpServer } from '../src/index.js';
import { closedLoop, type LoopResult } from './closed-loop.js';
import type { LoadJob } from './suite-load-worker.js';
import { describeMachine, machineInfo } from './suite-machine.js';
import { writeSuiteModels, type SuiteModel } from './suite-models.js';
import { consoleHeader, consoleRow, markdownTable, type Cell } from './suite-report.js';

const ALL_PATHS = ['raw', 'in-process', 'http-binary', 'http-json', 'grpc', 'naive'] as const;
type PathName = (typeof ALL_PATHS)[number];

const list = (name: string, fallback: string): string[] => (process.env[name] ?? fallback).split(',').map((s) => s.trim()).filter(Boolean);
const DURATION_MS = Number(process.env.DURATION_MS ?? 4000);
const WARMUP_MS = Math.max(300, Math.round(DURATION_MS / 10));
const LEVELS = list('CONCURRENCY', '1,64').map(Number);
const MODELS = list('ONLY', 'tiny,mlp,cnn');
const PATHS = ALL_PATHS.filter((p) => list('PATHS', ALL_PATHS.join(',')).includes(p));
const root = fileURLToPath(new URL('../../', import.meta.url));
const RESULTS_FILE = resolve(root, process.env.RESULTS_FILE ?? '.tmp/bench/latest.md');

/** Runs one HTTP/gRPC cell from a worker thread. */
function loadFromWorker(job: LoadJob): Promise<LoopResult> {
  return new Promise((resolveResult, reject) => {
    const worker = new Worker(new URL('./suite-load-worker.js', import.meta.url), { workerData: job });
    worker.once('message', (result: LoopResult) => resolveResult(result));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`load worker exited with ${code} before reporting`)));
  });
}

/** Warms up at the cell's concurrency, then measures. */
async function loadInProcess(call: () => Promise<unknown>, concurrency: number): Promise<LoopResult> {
  await closedLoop(call, { concurrency, durationMs: WARMUP_MS, warmupCalls: 5 });
  return closedLoop(call, { concurrency, durationMs: DURATION_MS, warmupCalls: 0 });
}

/** Starts the naive express server on `model` and resolves its URL. */
function startNaive(model: SuiteModel): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [join(root, 'dist/bench/naive-server.js'), model.modelFile, model.inputName, '0', 'express'], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolveStart, reject) => {
    child.once('exit', (code) => reject(new Error(`naive server exited with ${code}`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const message = JSON.parse(line) as { msg?: string; port?: number };
      if (message.msg === 'listening') resolveStart({ child, url: `http://127.0.0.1:${message.port}` });
    });
  });
}

/** A raw session with the settings Wharf gives one instance by default (session-options.ts). */
async function rawSession(model: SuiteModel): Promise<ort.InferenceSession> {
  const { allowSpinning, ...options } = sessionSettingsFromParameters({}, 1, availableParallelism());
  return ort.InferenceSession.create(model.modelFile, { ...options, logSeverityLevel: 3, extra: { session: { intra_op: { allow_spinning: allowSpinning ? '1' : '0' } } } });
}

function rawFeeds(model: SuiteModel): () => Record<string, ort.Tensor> {
  return () => Object.fromEntries(model.request.inputs.map((input) => [input.name, new ort.Tensor('float32', input.data as Float32Array, input.shape)]));
}

const machine = await machineInfo();
const started = performance.now();
console.log(`machine: ${describeMachine(machine)}`);
console.log(`${DURATION_MS} ms per cell (+${WARMUP_MS} ms warm-up), in flight ${LEVELS.join(',')}, models ${MODELS.join(',')}, paths ${PATHS.join(',')}`);
console.log('HTTP/gRPC/naive load from a worker thread; ceiling = best raw onnxruntime-node inferences/s of the model\n');

const dir = await mkdtemp(join(tmpdir(), 'wharf-suite-'));
const children: ChildProcess[] = [];
const cells: Cell[] = [];
const ceilings = new Map<string, number>();
try {
  const models = await writeSuiteModels(dir, MODELS);
  const engine = await InferenceServer.open({ modelRepository: dir });
  const http = await startHttpServer(engine, { host: '127.0.0.1', port: 0 });
  const grpc = await startGrpcServer(engine, { host: '127.0.0.1', port: 0 });
  console.log(consoleHeader());
  for (const model of models) {
    const naive = PATHS.includes('naive') ? await startNaive(model) : undefined;
    if (naive) children.push(naive.child);
    const session = PATHS.includes('raw') ? await rawSession(model) : undefined;
    const feeds = rawFeeds(model);
    const run = (path: PathName, concurrency: number): Promise<LoopResult> => {
      const job = { request: model.request, concurrency, durationMs: DURATION_MS, warmupMs: WARMUP_MS };
      switch (path) {
        case 'raw': return loadInProcess(() => session!.run(feeds()), concurrency);
        case 'in-process': return loadInProcess(() => engine.infer(model.request), concurrency);
        case 'http-binary': return loadFromWorker({ ...job, transport: 'http-binary', url: http.url });
        case 'http-json': return loadFromWorker({ ...job, transport: 'http-json', url: http.url });
        case 'grpc': return loadFromWorker({ ...job, transport: 'grpc', url: `127.0.0.1:${grpc.port}` });
        case 'naive': return loadFromWorker({ ...job, transport: 'http-json', url: naive!.url });
      }
    };
    for (const path of PATHS) {
      for (const concurrency of LEVELS) {
        const cell: Cell = { model: model.key, path, concurrency, rows: model.rows, result: await run(path, concurrency) };
        if (path === 'raw') ceilings.set(model.key, Math.max(ceilings.get(model.key) ?? 0, cell.result.requestsPerSecond * cell.rows));
        cells.push(cell);
        console.log(consoleRow(cell, ceilings.get(model.key)));
      }
    }
    await session?.release();
    naive?.child.kill('SIGTERM');
  }
  await grpc.close();
  await http.close();
  await engine.close();

  const minutes = ((performance.now() - started) / 60000).toFixed(1);
  const report = [
    `Machine: ${describeMachine(machine)}.`,
    `Command: \`npm run bench\` (DURATION_MS=${DURATION_MS}, CONCURRENCY=${LEVELS.join(',')}, ONLY=${MODELS.join(',')}); ${minutes} min; ${new Date().toISOString()}.`,
    '',
    markdownTable(cells, ceilings),
    '',
  ].join('\n');
  await mkdir(dirname(RESULTS_FILE), { recursive: true });
  await writeFile(RESULTS_FILE, report);
  console.log(`\n${report}\nwritten to ${RESULTS_FILE}`);
} finally {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
}
