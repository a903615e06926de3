// `wharf serve` on SIGTERM and SIGINT, as a real process: the drain under HTTP and gRPC load,
// readiness and 503s on keep-alive connections during the drain, --shutdown-timeout, and a
// second signal. Nothing here waits a fixed time: each step waits for a log line or a metric.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { GrpcClient, InferenceError } from '../../src/client/index.js';
import { parsePrometheusText } from '../support/prometheus-text.js';
import { makeTempDir } from '../support/server-harness.js';
import { killAll, slowRequest, startServe, writeSlow, type LogLine, type ServeProcess } from './serve-process.js';

/** About 60 ms an inference on one core of a small VM: several requests are always queued. */
const QUICK = { size: 512, matmuls: 20 };
/** 400 single-threaded 1024x1024 MatMuls: seconds even on the fastest core; never waited for. */
const ENDLESS = { size: 1024, matmuls: 400 };

let repository: string;
let cleanup: () => Promise<void>;

before(async () => {
  ({ dir: repository, cleanup } = await makeTempDir('wharf-shutdown-'));
  await writeSlow(repository, 'quick', QUICK);
  await writeSlow(repository, 'endless', ENDLESS);
});

after(async () => {
  killAll();
  await cleanup();
});

type Outcome = { kind: 'ok' } | { kind: 'refused'; how: string } | { kind: 'unexpected'; what: string };

interface LoadClient {
  successes: number;
  outcomes: Outcome[];
}

/** Describes a fetch or socket failure by its code: ECONNREFUSED, ECONNRESET, UND_ERR_SOCKET, ... */
function failureCode(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}

/**
 * One HTTP inference. Refused: a 503 whose body is exactly {error, code: ERR_SERVER_STOPPING}
 * and that closes the connection, or no response at all once the signal went out. A response
 * that starts and then breaks is never a refusal: the server had accepted that request.
 */
async function httpInfer(url: string, value: number, signalled: () => boolean): Promise<Outcome> {
  let response: Response;
  try {
    response = await fetch(`${url}/v2/models/quick/infer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: slowRequest(value) });
  } catch (error) {
    return signalled() ? { kind: 'refused', how: `HTTP ${failureCode(error)}` } : { kind: 'unexpected', what: `HTTP request failed before the signal: ${failureCode(error)}` };
  }
  let body: { outputs?: { data: number[] }[]; error?: string; code?: string };
  try {
    body = (await response.json()) as typeof body;
  } catch (error) {
    return { kind: 'unexpected', what: `HTTP ${response.status} whose body broke off: ${failureCode(error)}` };
  }
  if (response.status === 200 && Math.abs(body.outputs![0]!.data[0]! - value) < 1e-3) return { kind: 'ok' };
  if (response.status === 503 && body.code === 'ERR_SERVER_STOPPING' && Object.keys(body).sort().join() === 'code,error' && response.headers.get('connection') === 'close') {
    return { kind: 'refused', how: 'HTTP 503 ERR_SERVER_STOPPING' };
  }
  return { kind: 'unexpected', what: `HTTP ${response.status} ${JSON.stringify(body)} connection: ${response.headers.get('connection')}` };
}

/** One gRPC inference. Refused: UNAVAILABLE, with our ERR_SERVER_STOPPING or (after the signal) without a server answer. */
async function grpcInfer(client: GrpcClient, value: number, signalled: () => boolean): Promise<Outcome> {
  try {
    const response = await client.infer({ modelName: 'quick', inputs: [{ name: 'x', datatype: 'FP32', shape: [1], data: new Float32Array([value]) }] });
    const y = (response.outputs[0]!.data as Float32Array)[0]!;
    return Math.abs(y - value) < 1e-3 ? { kind: 'ok' } : { kind: 'unexpected', what: `gRPC returned ${y} for ${value}` };
  } catch (error) {
    if (error instanceof InferenceError && error.code === 'ERR_SERVER_STOPPING') return { kind: 'refused', how: 'gRPC ERR_SERVER_STOPPING' };
    if (error instanceof InferenceError && error.code === 'ERR_SERVER_UNREACHABLE' && signalled()) return { kind: 'refused', how: 'gRPC UNAVAILABLE' };
    return { kind: 'unexpected', what: `gRPC ${error instanceof InferenceError ? error.code : ''} ${(error as Error).message}` };
  }
}

/** Sends requests back to back until one is not a success. */
async function runClient(client: LoadClient, send: (value: number) => Promise<Outcome>, onSuccess: () => void): Promise<void> {
  for (let i = 0; ; i += 1) {
    const outcome = await send((i % 50) + 1);
    client.outcomes.push(outcome);
    if (outcome.kind !== 'ok') return;
    client.successes += 1;
    onSuccess();
  }
}

/** A raw keep-alive HTTP/1.1 connection, to send a request in pieces and read replies in order. */
class RawConnection {
  readonly #socket: Socket;
  #buffer = Buffer.alloc(0);
  #ended = false;
  #wake: (() => void) | undefined;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      this.#wake?.();
    });
    socket.on('end', () => {
      this.#ended = true;
      this.#wake?.();
    });
  }

  static open(url: string): Promise<RawConnection> {
    const { hostname, port } = new URL(url);
    return new Promise((resolve, reject) => {
      const socket = connect(Number(port), hostname, () => resolve(new RawConnection(socket)));
      socket.once('error', reject);
    });
  }

  write(text: string): void {
    this.#socket.write(text);
  }

  /** The next reply: status, headers (lower case) and JSON body, read by Content-Length. */
  async reply(): Promise<{ status: number; headers: Record<string, string>; body: unknown }> {
    for (;;) {
      const end = this.#buffer.indexOf('\r\n\r\n');
      if (end !== -1) {
        const [statusLine, ...headerLines] = this.#buffer.subarray(0, end).toString().split('\r\n');
        const headers = Object.fromEntries(headerLines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
        const length = Number(headers['content-length']);
        if (this.#buffer.length >= end + 4 + length) {
          const body = this.#buffer.subarray(end + 4, end + 4 + length).toString();
          this.#buffer = this.#buffer.subarray(end + 4 + length);
          return { status: Number(statusLine!.split(' ')[1]), headers, body: JSON.parse(body) };
        }
      }
      if (this.#ended) throw new Error(`the server closed the connection before a whole reply; got ${JSON.stringify(this.#buffer.toString())}`);
      await new Promise<void>((resolve) => { this.#wake = resolve; });
    }
  }

  /** Resolves once the server has closed its side. */
  async ended(): Promise<void> {
    while (!this.#ended) await new Promise<void>((resolve) => { this.#wake = resolve; });
  }

  destroy(): void {
    this.#socket.destroy();
  }
}

/** Resolves once the metrics server reports a running execution of `model`. */
async function executing(server: ServeProcess, model: string): Promise<void> {
  const { metrics } = await server.addresses();
  for (;;) {
    const families = parsePrometheusText(await (await fetch(metrics!)).text());
    const running = families.get('wharf_inference_inflight_executions')?.samples.find((s) => s.labels.model === model);
    if (running && running.value >= 1) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function messages(lines: readonly LogLine[]): string[] {
  return lines.map((l) => l.msg ?? '');
}

describe('wharf serve drain', () => {
  it('SIGTERM under HTTP and gRPC load answers every accepted request, then exits 0', { timeout: 60_000 }, async (t) => {
    const server = startServe(repository, ['--model-control-mode', 'explicit', '--load-model', 'quick']);
    const { http, grpc } = await server.addresses();
    await server.waitFor('server ready');

    let signalled = false;
    const clients: LoadClient[] = Array.from({ length: 8 }, () => ({ successes: 0, outcomes: [] }));
    const grpcClients = Array.from({ length: 4 }, () => new GrpcClient({ url: grpc }));
    let allWarm!: () => void;
    const warm = new Promise<void>((resolve) => { allWarm = resolve; });
    const onSuccess = (): void => {
      if (clients.every((c) => c.successes >= 2)) allWarm();
    };
    const running = clients.map((client, i) => runClient(client, (value) => (i < 4
      ? httpInfer(http, value, () => signalled)
      : grpcInfer(grpcClients[i - 4]!, value, () => signalled)), onSuccess));

    await warm;
    signalled = true;
    server.child.kill('SIGTERM');
    const code = await server.exited();
    await Promise.all(running);
    for (const client of grpcClients) client.close();

    const outcomes = clients.flatMap((c) => c.outcomes);
    const tally = new Map<string, number>();
    for (const o of outcomes) {
      const key = o.kind === 'refused' ? `refused: ${o.how}` : o.kind;
      tally.set(key, (tally.get(key) ?? 0) + 1);
    }
    t.diagnostic(JSON.stringify(Object.fromEntries(tally)));
    assert.deepEqual(outcomes.filter((o) => o.kind === 'unexpected'), [], 'no request failed other than by being refused during the drain');
    assert.equal(code, 0, server.output());
    const draining = await server.waitFor((l) => l.msg?.startsWith('draining') === true);
    assert.equal(draining.signal, 'SIGTERM');
    assert.ok((draining.inflight as number) >= 1, `requests were in flight when the drain began (${String(draining.inflight)})`);
    // What the server completed is exactly what the clients received: no accepted request was lost.
    const finished = await server.waitFor('in-flight requests finished');
    const received = clients.reduce((sum, c) => sum + c.successes, 0);
    assert.deepEqual({ succeeded: finished.succeeded, failed: finished.failed }, { succeeded: received, failed: 0 });

    const order = messages(server.lines);
    const at = (msg: string): number => order.indexOf(msg);
    for (const step of ['HTTP server closed', 'gRPC server closed', 'in-flight requests finished', 'models unloaded', 'metrics server closed', 'stopped']) {
      assert.ok(at(step) > order.indexOf(draining.msg!), `"${step}" is logged after the drain began`);
    }
    const sequence = ['in-flight requests finished', 'models unloaded', 'metrics server closed', 'stopped'];
    assert.ok(at('HTTP server closed') < at(sequence[0]!) && at('gRPC server closed') < at(sequence[0]!), order.join('\n'));
    assert.deepEqual(order.filter((msg) => sequence.includes(msg)), sequence);
  });

  it('answers requests on open keep-alive connections with 503 and Connection: close once the drain began', { timeout: 30_000 }, async () => {
    const server = startServe(repository, ['--model-control-mode', 'explicit', '--load-model', 'quick']);
    const { http } = await server.addresses();
    await server.waitFor('server ready');

    const probe = await RawConnection.open(http);
    const infer = await RawConnection.open(http);
    probe.write('GET /v2/health/ready HTTP/1.1\r\nHost: wharf\r\n\r\n');
    assert.deepEqual((await probe.reply()).body, { ready: true });
    const body = slowRequest(3);
    infer.write(`POST /v2/models/quick/infer HTTP/1.1\r\nHost: wharf\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    assert.equal((await infer.reply()).status, 200);
    // Half a request each: the connections are busy, so the drain does not close them as idle.
    probe.write('GET /v2/health/ready HTTP/1.1\r\nHost: wharf\r\n');
    infer.write(`POST /v2/models/quick/infer HTTP/1.1\r\nHost: wharf\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n`);

    server.child.kill('SIGTERM');
    await server.waitFor((l) => l.msg?.startsWith('draining') === true);
    probe.write('\r\n');
    infer.write(`\r\n${body}`);

    const ready = await probe.reply();
    assert.equal(ready.status, 503);
    assert.deepEqual(ready.body, { ready: false });
    assert.equal(ready.headers.connection, 'close');
    const refused = await infer.reply();
    assert.equal(refused.status, 503);
    assert.deepEqual(Object.keys(refused.body as object).sort(), ['code', 'error']);
    assert.equal((refused.body as { code: string }).code, 'ERR_SERVER_STOPPING');
    assert.equal(refused.headers.connection, 'close');
    await Promise.all([probe.ended(), infer.ended()]);
    probe.destroy();
    infer.destroy();
    assert.equal(await server.exited(), 0);
  });

  it('--shutdown-timeout: ends the process at once, naming the requests still in flight', { timeout: 30_000 }, async () => {
    const server = startServe(repository, ['--model-control-mode', 'explicit', '--load-model', 'endless', '--shutdown-timeout', '1']);
    const { http } = await server.addresses();
    await server.waitFor('server ready');
    const pending = fetch(`${http}/v2/models/endless/infer`, { method: 'POST', body: slowRequest(1) }).catch((error: unknown) => error);
    await executing(server, 'endless');

    server.child.kill('SIGTERM');
    // Not an exit code: process.exit() would wait for the onnxruntime execution (see killProcess in serve.ts).
    assert.equal(await server.signalled(), 'SIGKILL');
    const timedOut = await server.waitFor((l) => l.msg?.startsWith('shutdown timed out') === true);
    assert.equal(timedOut.inflight, 1);
    assert.equal(timedOut.timeoutSeconds, 1);
    assert.match(timedOut.msg!, /after 1 s with 1 request still in flight: exiting now/);
    assert.deepEqual(timedOut.waitingFor, ['HTTP server']);
    assert.equal(messages(server.lines).includes('stopped'), false);
    await pending;
  });

  it('a second signal during the drain ends the process at once', { timeout: 30_000 }, async () => {
    const server = startServe(repository, ['--model-control-mode', 'explicit', '--load-model', 'endless']);
    const { http } = await server.addresses();
    await server.waitFor('server ready');
    const pending = fetch(`${http}/v2/models/endless/infer`, { method: 'POST', body: slowRequest(1) }).catch((error: unknown) => error);
    await executing(server, 'endless');

    server.child.kill('SIGTERM');
    await server.waitFor((l) => l.msg?.startsWith('draining') === true);
    server.child.kill('SIGINT');
    assert.equal(await server.signalled(), 'SIGKILL');
    const second = await server.waitFor((l) => l.msg?.startsWith('second signal') === true);
    assert.equal(second.signal, 'SIGINT');
    assert.equal(second.inflight, 1);
    await pending;
  });
});
