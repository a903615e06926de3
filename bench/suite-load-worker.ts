// Load generator for bench/suite.ts: runs one closed-loop cell against a server from a worker
// thread, so the client's encoding and socket work does not share the server's event loop.
// workerData: LoadJob; posts back one LoopResult (or throws, which fails the worker).
import { parentPort, workerData } from 'node:worker_threads';
import { GrpcClient, HttpClient } from '../src/client/index.js';
import type { InferInput } from '../src/index.js';
import { closedLoop } from './closed-loop.js';

export interface LoadJob {
  readonly transport: 'http-binary' | 'http-json' | 'grpc';
  readonly url: string;
  readonly request: InferInput;
  readonly concurrency: number;
  readonly durationMs: number;
  readonly warmupMs: number;
}

const job = workerData as LoadJob;
const client = job.transport === 'grpc' ? new GrpcClient({ url: job.url }) : new HttpClient({ url: job.url });
const json = job.transport === 'http-json';
const call = (): Promise<unknown> => client.infer(job.request, json ? { json: true } : {});
try {
  // Warm up at the cell's concurrency, so every connection is open before the clock starts.
  await closedLoop(call, { concurrency: job.concurrency, durationMs: job.warmupMs, warmupCalls: 5 });
  parentPort!.postMessage(await closedLoop(call, { concurrency: job.concurrency, durationMs: job.durationMs, warmupCalls: 0 }));
} finally {
  client.close();
}
