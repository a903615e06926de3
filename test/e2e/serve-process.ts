/**
 * @module
 * Runs `wharf serve` as a child process on free loopback ports, for the serve-* and shutdown-*
 * tests: collects its JSON log lines, waits for a given line, and kills what is left at the end.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { writeSlowModel, type SlowOptions } from '../support/test-models.js';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const CLI = join(ROOT, 'dist/src/cli/main.js');

export type LogLine = Record<string, unknown> & { msg?: string };

export interface ServeProcess {
  readonly child: ChildProcess;
  /** Every JSON line logged so far, in order. */
  readonly lines: LogLine[];
  /** Everything written to stdout and stderr, for tests that look for a string anywhere. */
  output(): string;
  /** Resolves with the first line (already logged or to come) that matches. */
  waitFor(match: string | ((line: LogLine) => boolean)): Promise<LogLine>;
  /** Resolves with the exit code once the process has exited (null if a signal ended it). */
  exited(): Promise<number | null>;
  /** Resolves with the signal that ended the process, or null if it exited. */
  signalled(): Promise<NodeJS.Signals | null>;
  /** After the `gRPC server listening` line: where the servers listen. */
  addresses(): Promise<{ http: string; grpc: string; metrics?: string }>;
}

const running: ChildProcess[] = [];

/** Starts `wharf serve -r <repository> ...extra` with JSON logs on free ports of 127.0.0.1. */
export function startServe(repository: string, extra: readonly string[] = [], env: Record<string, string> = {}): ServeProcess {
  const child = spawn(process.execPath, [CLI, 'serve', '--http-port', '0', '--grpc-port', '0', '--metrics-port', '0', '--host', '127.0.0.1', ...extra], {
    env: { ...process.env, WHARF_MODEL_REPOSITORY: repository, WHARF_LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  const lines: LogLine[] = [];
  let text = '';
  const waiters: { match: (line: LogLine) => boolean; resolve: (line: LogLine) => void }[] = [];
  // 'close', not 'exit': it waits for the end of stdout, so every line has been read by then.
  const end = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  const exit = end.then(({ code }) => code);
  child.stderr.on('data', (chunk: Buffer) => { text += chunk.toString(); });
  createInterface({ input: child.stdout }).on('line', (raw) => {
    text += `${raw}\n`;
    let line: LogLine;
    try {
      line = JSON.parse(raw) as LogLine;
    } catch {
      return;
    }
    lines.push(line);
    for (const waiter of waiters.filter((w) => w.match(line))) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(line);
    }
  });
  const waitFor = (match: string | ((line: LogLine) => boolean)): Promise<LogLine> => {
    const test = typeof match === 'string' ? (line: LogLine) => line.msg === match : match;
    const seen = lines.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      waiters.push({ match: test, resolve });
      void exit.then((code) => reject(new Error(`wharf serve exited with ${code} before logging ${String(match)}; output:\n${text}`)));
    });
  };
  return {
    child,
    lines,
    output: () => text,
    waitFor,
    exited: () => exit,
    signalled: () => end.then(({ signal }) => signal),
    addresses: async () => {
      const http = (await waitFor('HTTP server listening')).url as string;
      const grpc = (await waitFor('gRPC server listening')).address as string;
      const metrics = lines.find((l) => l.msg === 'metrics server listening')?.url as string | undefined;
      return { http, grpc, ...(metrics ? { metrics } : {}) };
    },
  };
}

/** Kills every server a test left running; for after(). */
export function killAll(): void {
  for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/**
 * config.pbtxt of the slow model (x FP32 [1] -> y FP32 [1]) on one onnxruntime thread, so that
 * its running time does not shrink with the machine's core count; optionally warmed up `warmupCount` times.
 */
export function slowConfig(name: string, warmupCount?: number): string {
  return [
    `name: "${name}"`,
    'backend: "onnxruntime"',
    'max_batch_size: 0',
    'input [ { name: "x" data_type: TYPE_FP32 dims: [ 1 ] } ]',
    'output [ { name: "y" data_type: TYPE_FP32 dims: [ 1 ] } ]',
    'parameters { key: "intra_op_thread_count" value: { string_value: "1" } }',
    ...(warmupCount === undefined ? [] : [
      `model_warmup [ { name: "slow_start" batch_size: 1 count: ${warmupCount} inputs { key: "x" value: { data_type: TYPE_FP32 dims: [ 1 ] zero_data: true } } } ]`,
    ]),
    '',
  ].join('\n');
}

/** Writes the slow model with slowConfig into `repository`. */
export async function writeSlow(repository: string, name: string, options: SlowOptions & { warmupCount?: number } = {}): Promise<void> {
  await writeSlowModel(repository, name, { ...options, config: slowConfig(name, options.warmupCount) });
}

/** One request body for the slow model, as JSON. */
export function slowRequest(value = 1): string {
  return JSON.stringify({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1], data: [value] }] });
}
