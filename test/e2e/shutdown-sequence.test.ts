// createGracefulShutdown with fakes for the logger, the steps and the exits: the order of the
// drain, its log lines, a failing step, the timeout and a second signal. No process, no sockets
// (the unit sits here, beside the process tests of the same drain, in test/e2e/).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createGracefulShutdown, type GracefulShutdownOptions, type ShutdownStep } from '../../src/cli/graceful-shutdown.js';

interface Recorded {
  events: string[];
  logs: { level: string; fields: Record<string, unknown>; message: string }[];
  ended: Promise<string>;
}

/** Options whose logger, beginDrain and exits write to `events`; `ended` resolves with 'exit 0', 'exit 1' or 'exitNow'. */
function fakes(events: string[], stages: readonly (readonly ShutdownStep[])[], overrides: Partial<GracefulShutdownOptions> = {}): { options: GracefulShutdownOptions; recorded: Recorded } {
  const logs: Recorded['logs'] = [];
  let end!: (how: string) => void;
  const ended = new Promise<string>((resolve) => { end = resolve; });
  const log = (level: string) => (fields: object, message: string): void => {
    logs.push({ level, fields: fields as Record<string, unknown>, message });
    events.push(`log ${message}`);
  };
  let inflight = 2;
  return {
    recorded: { events, logs, ended },
    options: {
      logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
      timeoutSeconds: 30,
      beginDrain: () => {
        events.push('beginDrain');
        inflight = 1;
      },
      inflightRequests: () => inflight,
      stages,
      exit: (code) => {
        events.push(`exit ${code}`);
        end(`exit ${code}`);
      },
      exitNow: () => {
        events.push('exitNow');
        end('exitNow');
      },
      ...overrides,
    },
  };
}

function step(name: string, events: string[], run: () => Promise<object | void> = () => Promise.resolve()): ShutdownStep {
  return {
    name,
    done: `${name} done`,
    run: () => {
      events.push(`run ${name}`);
      return run();
    },
  };
}

describe('createGracefulShutdown', () => {
  it('begins the drain before anything else, runs the stages in order, logs each step, exits 0', async () => {
    const events: string[] = [];
    let releaseHttp!: () => void;
    const http = new Promise<void>((resolve) => { releaseHttp = resolve; });
    const { options, recorded } = fakes(events, [
      [step('HTTP server', events, () => http), step('gRPC server', events)],
      [step('in-flight requests', events, () => Promise.resolve({ succeeded: 5, failed: 0 }))],
      [step('models', events)],
    ]);
    const shutdown = createGracefulShutdown(options);
    assert.equal(shutdown.draining, false);

    shutdown.onSignal('SIGTERM');
    assert.equal(shutdown.draining, true);
    // Both steps of the first stage start at once; the next stage waits for the slower one.
    assert.deepEqual(recorded.events, [
      'beginDrain',
      'log draining: not ready any more, refusing new requests and connections, finishing the accepted ones',
      'run HTTP server',
      'run gRPC server',
    ]);
    releaseHttp();
    assert.equal(await recorded.ended, 'exit 0');
    assert.deepEqual(recorded.events.slice(4), [
      'log gRPC server done',
      'log HTTP server done',
      'run in-flight requests',
      'log in-flight requests done',
      'run models',
      'log models done',
      'log stopped',
      'exit 0',
    ]);
    assert.deepEqual(recorded.logs[0]!.fields, { signal: 'SIGTERM', inflight: 1, timeoutSeconds: 30 });
    assert.deepEqual(recorded.logs.find((l) => l.message === 'in-flight requests done')!.fields, { succeeded: 5, failed: 0 });
    assert.deepEqual(recorded.logs.at(-1), { level: 'info', fields: { exitCode: 0 }, message: 'stopped' });
  });

  it('logs a failing step, goes on with the others and exits 1', async () => {
    const events: string[] = [];
    const { options, recorded } = fakes(events, [[step('HTTP server', events, () => Promise.reject(new Error('EADDRINUSE, somehow')))], [step('models', events)]]);
    createGracefulShutdown(options).onSignal('SIGINT');
    assert.equal(await recorded.ended, 'exit 1');
    assert.ok(recorded.events.includes('run models'));
    const failure = recorded.logs.find((l) => l.level === 'error')!;
    assert.deepEqual(failure, { level: 'error', fields: { step: 'HTTP server', reason: 'EADDRINUSE, somehow' }, message: 'shutdown step failed; going on with the next ones' });
    assert.deepEqual(recorded.logs.at(-1)!.fields, { exitCode: 1 });
  });

  it('ends the process at once when the timeout passes, naming the requests in flight and what it waited for', async () => {
    const events: string[] = [];
    const { options, recorded } = fakes(events, [[step('HTTP server', events, () => new Promise(() => undefined)), step('gRPC server', events)]], { timeoutSeconds: 0.05 });
    createGracefulShutdown(options).onSignal('SIGTERM');
    assert.equal(await recorded.ended, 'exitNow');
    const timedOut = recorded.logs.find((l) => l.level === 'error')!;
    assert.equal(timedOut.message, 'shutdown timed out after 0.05 s with 1 request still in flight: exiting now');
    assert.deepEqual(timedOut.fields, { inflight: 1, timeoutSeconds: 0.05, waitingFor: ['HTTP server'] });
    assert.equal(recorded.events.includes('log stopped'), false);
  });

  it('ends the process at once on a second signal, and ignores signals after that', async () => {
    const events: string[] = [];
    const { options, recorded } = fakes(events, [[step('HTTP server', events, () => new Promise(() => undefined))]], { timeoutSeconds: 0.05 });
    const shutdown = createGracefulShutdown(options);
    shutdown.onSignal('SIGTERM');
    shutdown.onSignal('SIGINT');
    shutdown.onSignal('SIGINT');
    assert.equal(await recorded.ended, 'exitNow');
    assert.deepEqual(recorded.logs.at(-1), { level: 'warn', fields: { signal: 'SIGINT', inflight: 1 }, message: 'second signal during the drain: exiting now' });
    // The drain's own timeout fires later and finds the process already ended.
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(recorded.events.filter((e) => e.startsWith('exit')), ['exitNow']);
  });
});
