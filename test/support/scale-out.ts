/**
 * @module
 * The scale-out scenario of test/e2e/scale-out.test.ts and bench/scale-out.ts: three `wharf
 * serve` replicas behind nginx with deploy/nginx/wharf.conf, a closed loop of keep-alive HTTP
 * clients through nginx, and one replica stopped (SIGTERM) or killed (SIGKILL) while it runs.
 * Every answer is checked against the add_sub model's arithmetic, not only its status.
 */
import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { GrpcClient, HttpClient, InferenceError, type InferResponse } from '../../src/client/index.js';
import { startServe, type ServeProcess } from '../e2e/serve-process.js';
import { freePorts, renderNginxConfig, shippedNginxConfig, startNginx, type AccessLogLine, type Nginx } from './nginx.js';
import { makeTempDir } from './server-harness.js';
import { writeAddSubModel } from './test-models.js';

const MODEL = 'add_sub';

export type StopSignal = 'SIGTERM' | 'SIGKILL';

export interface PhaseOptions {
  readonly nginx: string;
  readonly signal: StopSignal;
  readonly replicas: number;
  readonly concurrency: number;
  readonly durationMs: number;
  /** When the signal goes to the second replica, from the start of the load. */
  readonly signalAtMs: number;
}

export interface PhaseResult {
  readonly signal: StopSignal;
  /** The replica that got the signal. */
  readonly victim: string;
  /** How it ended: `exit 0` or `signal SIGKILL`. */
  readonly victimEnd: string;
  readonly sent: number;
  readonly ok: number;
  /** Failed requests by kind (error code and message, or `wrong output`). */
  readonly failures: Readonly<Record<string, number>>;
  readonly failed: number;
  readonly durationMs: number;
  readonly requestsPerSecond: number;
  /** Requests the clients had sent and not yet seen answered when the signal went out. */
  readonly inflightAtSignal: number;
  /** Answered inference requests per replica (from nginx's access log: the last replica tried). */
  readonly servedBy: Readonly<Record<string, number>>;
  /** Requests nginx sent to more than one replica, and what the failed tries answered (502 = connection failed). */
  readonly retried: number;
  readonly failedTries: Readonly<Record<string, number>>;
  /** nginx was still running when the load ended, and answered an inference request after it. */
  readonly nginxUp: boolean;
  /** A gRPC inference through nginx's gRPC listener before the load gave the right answer. */
  readonly grpcThroughNginx: boolean;
}

interface Replica {
  readonly name: string;
  readonly serve: ServeProcess;
  readonly http: string;
  readonly grpc: string;
}

/** Starts replicas and nginx in a fresh folder, runs the load, sends the signal, and stops everything. */
export async function runScaleOutPhase(options: PhaseOptions): Promise<PhaseResult> {
  if (options.replicas < 2) throw new Error(`a scale-out phase needs at least 2 replicas (one to stop, one to take over), not ${options.replicas}`);
  const { dir, cleanup } = await makeTempDir(`wharf-scale-${options.signal.toLowerCase()}-`);
  const replicas: Replica[] = [];
  let nginx: Nginx | undefined;
  try {
    // mkdtemp makes the folder 0700; nginx's workers (nobody, under root) write temporary files below it.
    await chmod(dir, 0o755);
    const repository = join(dir, 'models');
    await writeAddSubModel(repository);
    for (let i = 1; i <= options.replicas; i += 1) {
      const serve = startServe(repository);
      replicas.push({ name: `replica-${i}`, serve, http: '', grpc: '' });
    }
    for (const [i, replica] of replicas.entries()) {
      const addresses = await replica.serve.addresses();
      replicas[i] = { ...replica, http: hostPort(addresses.http), grpc: hostPort(addresses.grpc) };
      await replica.serve.waitFor((line) => line.msg === 'model ready' && line.model === MODEL);
    }
    const [httpListen, grpcListen] = (await freePorts(2)).map((port) => `127.0.0.1:${port}`) as [string, string];
    const config = renderNginxConfig(shippedNginxConfig(), {
      httpListen, grpcListen, httpReplicas: replicas.map((r) => r.http), grpcReplicas: replicas.map((r) => r.grpc),
    });
    nginx = await startNginx(options.nginx, join(dir, 'nginx'), config, httpListen);

    const grpcThroughNginx = await grpcInferWorks(grpcListen);
    const client = new HttpClient({ url: `http://${httpListen}`, timeoutMs: 30_000 });
    try {
      const load = startLoad(client, options.concurrency, options.durationMs);
      await sleep(options.signalAtMs);
      const victim = replicas[1]!;
      const inflightAtSignal = load.inflight();
      victim.serve.child.kill(options.signal);
      const [code, signal] = await Promise.all([victim.serve.exited(), victim.serve.signalled()]);
      const result = await load.done;
      const nginxUp = nginx.child.exitCode === null && nginx.child.signalCode === null && await inferWorks(client, 1);
      await nginx.stop();
      const log = (await nginx.accessLog()).filter((line) => line.request.startsWith(`POST /v2/models/${MODEL}/infer `));
      return {
        signal: options.signal,
        victim: victim.name,
        victimEnd: signal === null ? `exit ${code}` : `signal ${signal}`,
        ...result,
        inflightAtSignal,
        ...attribute(log, replicas),
        nginxUp,
        grpcThroughNginx,
      };
    } finally {
      client.close();
    }
  } finally {
    for (const replica of replicas) {
      const { child } = replica.serve;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    await nginx?.stop();
    await cleanup();
  }
}

function hostPort(address: string): string {
  return address.replace(/^[a-z]+:\/\//, '').replace(/\/$/, '');
}

/** The inputs of request `i`: small integers and halves, so float32 sums and differences are exact. */
function inputs(i: number): { a: Float32Array; b: Float32Array } {
  const a = Float32Array.from({ length: 4 }, (_, k) => (i % 1000) + k);
  const b = Float32Array.from({ length: 4 }, (_, k) => k * 0.5 - (i % 7));
  return { a, b };
}

function request(i: number): { modelName: string; inputs: { name: string; datatype: 'FP32'; shape: number[]; data: Float32Array }[] } {
  const { a, b } = inputs(i);
  return { modelName: MODEL, inputs: [{ name: 'INPUT0', datatype: 'FP32', shape: [1, 4], data: a }, { name: 'INPUT1', datatype: 'FP32', shape: [1, 4], data: b }] };
}

/** True when the response holds a + b and a - b of request `i`. */
function isCorrect(i: number, response: InferResponse): boolean {
  const { a, b } = inputs(i);
  const sum = response.outputs.find((o) => o.name === 'OUTPUT0')?.data;
  const difference = response.outputs.find((o) => o.name === 'OUTPUT1')?.data;
  if (!(sum instanceof Float32Array) || !(difference instanceof Float32Array) || sum.length !== 4 || difference.length !== 4) return false;
  return a.every((x, k) => sum[k] === x + b[k]! && difference[k] === x - b[k]!);
}

async function inferWorks(client: HttpClient | GrpcClient, i: number): Promise<boolean> {
  try {
    return isCorrect(i, await client.infer(request(i)));
  } catch {
    return false;
  }
}

async function grpcInferWorks(address: string): Promise<boolean> {
  const client = new GrpcClient({ url: address, timeoutMs: 10_000 });
  try {
    return await inferWorks(client, 7);
  } finally {
    client.close();
  }
}

interface Load {
  inflight(): number;
  readonly done: Promise<{ sent: number; ok: number; failed: number; failures: Record<string, number>; durationMs: number; requestsPerSecond: number }>;
}

/** `concurrency` workers, each sending its next request as soon as the last one is answered, for `durationMs`. */
function startLoad(client: HttpClient, concurrency: number, durationMs: number): Load {
  let next = 0;
  let inflight = 0;
  let ok = 0;
  const failures: Record<string, number> = {};
  const fail = (kind: string): void => { failures[kind] = (failures[kind] ?? 0) + 1; };
  const start = performance.now();
  const end = start + durationMs;
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      const i = next++;
      inflight += 1;
      try {
        if (isCorrect(i, await client.infer(request(i)))) ok += 1;
        else fail('wrong output');
      } catch (error) {
        fail(error instanceof InferenceError ? `${error.code}: ${error.message.replace(/\s+/g, ' ').slice(0, 80)}` : String(error));
      } finally {
        inflight -= 1;
      }
    }
  };
  const done = Promise.all(Array.from({ length: concurrency }, worker)).then(() => {
    const elapsed = performance.now() - start;
    const failed = Object.values(failures).reduce((sum, n) => sum + n, 0);
    return { sent: next, ok, failed, failures, durationMs: elapsed, requestsPerSecond: next / (elapsed / 1000) };
  });
  return { inflight: () => inflight, done };
}

/** Which replica answered each request, and what nginx's failed tries got, from the access log. */
function attribute(log: readonly AccessLogLine[], replicas: readonly Replica[]): Pick<PhaseResult, 'servedBy' | 'retried' | 'failedTries'> {
  const names = new Map(replicas.map((r) => [r.http, r.name]));
  const servedBy: Record<string, number> = Object.fromEntries(replicas.map((r) => [r.name, 0]));
  const failedTries: Record<string, number> = {};
  let retried = 0;
  for (const line of log) {
    const tried = line.upstream.split(/,\s*/);
    const statuses = line.upstream_status.split(/,\s*/);
    if (tried.length > 1) retried += 1;
    for (const status of statuses.slice(0, -1)) failedTries[status] = (failedTries[status] ?? 0) + 1;
    const last = names.get(tried.at(-1)!) ?? tried.at(-1)!;
    if (line.status === 200) servedBy[last] = (servedBy[last] ?? 0) + 1;
  }
  return { servedBy, retried, failedTries };
}

/** The summary lines of one phase, for the test's and the benchmark's output. */
export function formatPhase(result: PhaseResult): string {
  const failures = Object.entries(result.failures).map(([kind, n]) => `${n} × ${kind}`).join('; ') || 'none';
  const tries = Object.entries(result.failedTries).map(([status, n]) => `${status} × ${n}`).join(', ') || 'none';
  return [
    `${result.signal}: ${result.victim} got ${result.signal} with ${result.inflightAtSignal} requests in flight through nginx, and ended with ${result.victimEnd}`,
    `  sent ${result.sent}, ok ${result.ok}, failed ${result.failed} (${failures})`,
    `  ${result.requestsPerSecond.toFixed(0)} req/s over ${(result.durationMs / 1000).toFixed(1)} s`,
    `  served by ${Object.entries(result.servedBy).map(([name, n]) => `${name} ${n}`).join(', ')}`,
    `  retried by nginx: ${result.retried} requests (failed tries by upstream status: ${tries})`,
    `  nginx up after the load: ${result.nginxUp ? 'yes' : 'NO'}; gRPC inference through nginx: ${result.grpcThroughNginx ? 'ok' : 'FAILED'}`,
  ].join('\n');
}
