/**
 * @module
 * The drain `wharf serve` runs on SIGTERM or SIGINT. The first signal turns readiness false and
 * makes the engine refuse new requests, then runs the shutdown stages in order (transports, the
 * engine, the metrics server) and exits with 0. The drain has `timeoutSeconds` to finish: past
 * that the process ends at once, saying how many requests were still in flight. A second signal
 * during the drain ends it at once too, the way an operator pressing Ctrl-C twice expects.
 *
 * Everything process-wide (signals, exit) comes in through the options, so a test drives it
 * with fakes. The sequence and its log lines are described in docs/health-and-shutdown.md.
 */
import type { Logger } from '../engine/index.js';

export interface ShutdownStep {
  /** What the step waits for, named in the log when the drain times out: 'HTTP server'. */
  readonly name: string;
  /** Logged when the step has finished: 'HTTP server closed'. */
  readonly done: string;
  /** Resolves when the step has finished, optionally with fields for its log line. */
  run(): Promise<object | void>;
}

export interface GracefulShutdownOptions {
  readonly logger: Logger;
  /** Seconds from the first signal until the process ends anyway (exitNow). */
  readonly timeoutSeconds: number;
  /** Called first, synchronously: readiness turns false and new requests are refused. */
  beginDrain(): void;
  /** Requests accepted and not yet answered. */
  inflightRequests(): number;
  /**
   * Run one stage after the other; the steps of a stage run side by side (HTTP and gRPC close
   * together). A step that fails is logged and the drain goes on, but then ends with code 1.
   */
  readonly stages: readonly (readonly ShutdownStep[])[];
  /** Ends the process once the drain is over: 0 if every step succeeded, else 1 (process.exit outside tests). */
  exit(code: number): void;
  /** Ends the process at once, with work possibly still running: the drain timed out, or a second signal came. */
  exitNow(): void;
}

export interface GracefulShutdown {
  /** The first call starts the drain; a later one ends the process at once (exitNow). */
  onSignal(signal: string): void;
  /** True from the first signal on. */
  readonly draining: boolean;
}

export function createGracefulShutdown(options: GracefulShutdownOptions): GracefulShutdown {
  const { logger } = options;
  let draining = false;
  let exited = false;
  const pending = new Set<string>();
  const exit = (code: number): void => {
    if (exited) return;
    exited = true;
    options.exit(code);
  };
  const exitNow = (): void => {
    if (exited) return;
    exited = true;
    options.exitNow();
  };

  const drain = async (): Promise<void> => {
    let failed = false;
    for (const stage of options.stages) {
      await Promise.all(stage.map(async (step) => {
        pending.add(step.name);
        try {
          logger.info({ ...(await step.run()) }, step.done);
        } catch (error) {
          failed = true;
          logger.error({ step: step.name, reason: error instanceof Error ? error.message : String(error) }, 'shutdown step failed; going on with the next ones');
        } finally {
          pending.delete(step.name);
        }
      }));
      if (exited) return;
    }
    logger.info({ exitCode: failed ? 1 : 0 }, 'stopped');
    exit(failed ? 1 : 0);
  };

  return {
    get draining() {
      return draining;
    },
    onSignal(signal) {
      if (exited) return;
      if (draining) {
        logger.warn({ signal, inflight: options.inflightRequests() }, 'second signal during the drain: exiting now');
        exitNow();
        return;
      }
      draining = true;
      options.beginDrain();
      logger.info({ signal, inflight: options.inflightRequests(), timeoutSeconds: options.timeoutSeconds },
        'draining: not ready any more, refusing new requests and connections, finishing the accepted ones');
      // Not unref'd: it also keeps the process up should the drain wait on something that holds no handle.
      const timer = setTimeout(() => {
        const inflight = options.inflightRequests();
        logger.error({ inflight, timeoutSeconds: options.timeoutSeconds, waitingFor: [...pending] },
          `shutdown timed out after ${options.timeoutSeconds} s with ${inflight} request${inflight === 1 ? '' : 's'} still in flight: exiting now`);
        exitNow();
      }, options.timeoutSeconds * 1000);
      void drain().finally(() => clearTimeout(timer));
    },
  };
}

/** Sends SIGTERM and SIGINT to `shutdown`; returns a function that stops listening. */
export function listenForSignals(shutdown: GracefulShutdown): () => void {
  const handler = (signal: NodeJS.Signals): void => shutdown.onSignal(signal);
  // on(), not once(): with once() a second Ctrl-C would meet Node's default handler and kill
  // the process with 130 and no log line.
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
  return () => {
    process.off('SIGTERM', handler);
    process.off('SIGINT', handler);
  };
}
