import { Worker } from 'node:worker_threads';
import { InferenceError } from '../../errors/index.js';
import type { ExecuteRequest, ExecuteRequestsResult, RequestResult } from '../backend.js';
import type { HandlerContext } from './handler-api.js';
import type { OutputSpec } from './js-model-config.js';
import { DEFAULT_EXECUTION_TIMEOUT_MS, type JsModelSettings } from './js-parameters.js';
import { fromWire, toWire } from './tensor-wire.js';
import type { HandlerWorkerData, WorkerCommand, WorkerReply } from './worker-messages.js';

const WORKER_URL = new URL('./handler-worker.js', import.meta.url);

/**
 * Starts of one instance are at least this far apart. An instance whose restart failed is tried
 * again when work waits for it, at most this often (meanwhile, with no instance at all, requests
 * fail at once instead of each paying a failed start); one that dies sooner than this after
 * starting is restarted only when this much time has passed, so a handler that crashes right
 * away costs one worker start a second, not a loop of them.
 */
const DEFAULT_RESTART_BACKOFF_MS = 1000;

export interface HandlerPoolOptions {
  /** Absolute path of model.js / model.mjs. */
  readonly modelFile: string;
  readonly instanceCount: number;
  /** What initialize() gets; instanceIndex is set per instance. */
  readonly context: Omit<HandlerContext, 'instanceIndex'>;
  readonly outputs: readonly OutputSpec[];
  readonly settings: JsModelSettings;
  /** A worker died or was stopped and is being replaced (see BackendLoadSpec.onInstanceLost). */
  readonly onInstanceLost?: ((reason: string) => void) | undefined;
  /** @internal For tests. @defaultValue 1000 */
  readonly restartBackoffMs?: number;
}

interface Task {
  readonly requests: readonly ExecuteRequest[];
  resolve(result: ExecuteRequestsResult): void;
  reject(error: InferenceError): void;
}

/** One worker thread. Events from a thread no longer `up` or `stopping` are ignored. */
interface HandlerThread {
  readonly slot: Slot;
  readonly worker: Worker;
  state: 'starting' | 'up' | 'stopping' | 'gone';
  /** When it became `up` (Date.now()). */
  upAtMs: number;
  /** The batch it runs (one at a time), with its timeout. */
  running: { readonly id: number; readonly task: Task; readonly timer: NodeJS.Timeout | undefined } | undefined;
  /** Called when finalize() answered or the thread died while stopping. */
  finalized: (() => void) | undefined;
}

/** One instance of the model (instance_group count); its thread is replaced when it dies. */
interface Slot {
  readonly index: number;
  thread: HandlerThread | undefined;
  /** A start is under way or scheduled: work waits for it. */
  starting: boolean;
  /** Why its last start failed, and when. */
  failure: { readonly message: string; readonly atMs: number } | undefined;
}

/**
 * Worker threads, one handler instance each, fed batches from one FIFO queue, one batch per
 * thread at a time. A thread that crashes, runs out of memory or overruns the execution timeout
 * is terminated: its batch (only) fails, onInstanceLost is called, and a new thread takes its slot.
 */
export class HandlerPool {
  readonly #options: HandlerPoolOptions;
  readonly #model: string;
  readonly #slots: Slot[];
  readonly #queue: Task[] = [];
  readonly #starts = new Set<Promise<void>>();
  readonly #backoffMs: number;
  #nextId = 1;
  #closing = false;
  #closed: Promise<void> | undefined;
  #drained: (() => void) | undefined;

  private constructor(options: HandlerPoolOptions) {
    this.#options = options;
    this.#model = `model '${options.context.modelName}'`;
    this.#backoffMs = options.restartBackoffMs ?? DEFAULT_RESTART_BACKOFF_MS;
    this.#slots = Array.from({ length: Math.max(1, options.instanceCount) }, (_, index) => ({ index, thread: undefined, starting: false, failure: undefined }));
  }

  /**
   * Starts every instance and resolves once all have initialised.
   * @throws InferenceError ERR_MODEL_LOAD_FAILED with the first instance's reason; nothing is left running.
   */
  static async open(options: HandlerPoolOptions): Promise<HandlerPool> {
    const pool = new HandlerPool(options);
    const started = await Promise.allSettled(pool.#slots.map((slot) => pool.#start(slot)));
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      await pool.close();
      throw new InferenceError('ERR_MODEL_LOAD_FAILED', `the js handler failed to load: ${errorText(failed.reason)}`, { cause: failed.reason });
    }
    return pool;
  }

  /**
   * Runs one batch of requests on the next free instance. Resolves with one result per request;
   * rejects (failing every request) when the handler throws, answers wrongly, crashes or times out.
   */
  execute(requests: readonly ExecuteRequest[]): Promise<ExecuteRequestsResult> {
    if (this.#closing) return Promise.reject(new InferenceError('ERR_MODEL_NOT_READY', `${this.#model} is unloading`));
    return new Promise((resolve, reject) => {
      this.#queue.push({ requests, resolve, reject });
      this.#dispatch();
    });
  }

  /** Lets queued and running batches finish, calls each instance's finalize(), then stops every thread. */
  close(): Promise<void> {
    this.#closing = true;
    this.#closed ??= (async () => {
      this.#dispatch();
      if (this.#queue.length > 0 || this.#busy()) await new Promise<void>((resolve) => { this.#drained = resolve; });
      await Promise.allSettled([...this.#starts]);
      await Promise.all(this.#slots.flatMap((slot) => (slot.thread ? [this.#stop(slot.thread)] : [])));
    })();
    return this.#closed;
  }

  #start(slot: Slot): Promise<void> {
    slot.starting = true;
    const { modelFile, context, outputs, settings } = this.#options;
    const data: HandlerWorkerData = { modelFile, context: { ...context, instanceIndex: slot.index }, outputs };
    const started = new Promise<void>((resolve, reject) => {
      const worker = new Worker(WORKER_URL, {
        workerData: data,
        ...(settings.maxHeapMb > 0 ? { resourceLimits: { maxOldGenerationSizeMb: settings.maxHeapMb } } : {}),
      });
      const thread: HandlerThread = { slot, worker, state: 'starting', upAtMs: 0, running: undefined, finalized: undefined };
      const timer = settings.initializeTimeoutMs > 0
        ? setTimeout(() => fail(`loading it and its initialize() took longer than initialize_timeout_ms (${settings.initializeTimeoutMs} ms)`), settings.initializeTimeoutMs)
        : undefined;
      const fail = (message: string): void => {
        if (thread.state !== 'starting') return;
        thread.state = 'gone';
        clearTimeout(timer);
        slot.starting = false;
        void worker.terminate();
        reject(new Error(message));
      };
      worker.on('message', (reply: WorkerReply) => {
        if (reply.kind === 'ready') {
          if (thread.state !== 'starting') return;
          clearTimeout(timer);
          thread.state = 'up';
          thread.upAtMs = Date.now();
          Object.assign(slot, { thread, starting: false, failure: undefined });
          resolve();
          this.#dispatch();
        } else if (reply.kind === 'init-failed') {
          fail(reply.message);
        } else {
          this.#onReply(thread, reply);
        }
      });
      worker.on('error', (error) => {
        if (thread.state === 'starting') fail(`its worker failed while loading: ${this.#describeCrash(error)}`);
        else this.#onDeath(thread, this.#describeCrash(error));
      });
      worker.on('exit', (code) => {
        if (thread.state === 'starting') fail(`its worker exited with code ${code} while loading`);
        else this.#onDeath(thread, `its worker thread exited with code ${code}`);
      });
    });
    this.#starts.add(started);
    const forget = (): void => { this.#starts.delete(started); };
    started.then(forget, forget);
    return started;
  }

  #describeCrash(error: unknown): string {
    if ((error as { code?: unknown } | null)?.code === 'ERR_WORKER_OUT_OF_MEMORY') {
      return `it ran out of memory (max_heap_mb ${this.#options.settings.maxHeapMb || 'Node default'}): ${errorText(error)}`;
    }
    return `uncaught exception: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
  }

  #onDeath(thread: HandlerThread, reason: string): void {
    if (thread.state === 'stopping') thread.finalized?.();
    else if (thread.state === 'up') this.#lose(thread, reason, new InferenceError('ERR_HANDLER_CRASHED', this.#lostMessage(thread, `its worker stopped while running this request: ${reason}`)));
  }

  #lostMessage(thread: HandlerThread, what: string): string {
    return `${this.#model}: ${what}; instance ${thread.slot.index} ${this.#closing ? 'is not replaced, the model is unloading' : 'is being replaced'}`;
  }

  /** Terminates a thread that died or overran, fails its batch with `error` and starts its replacement. */
  #lose(thread: HandlerThread, reason: string, error: InferenceError): void {
    if (thread.state !== 'up') return;
    thread.state = 'gone';
    thread.slot.thread = undefined;
    const running = thread.running;
    thread.running = undefined;
    if (running) {
      clearTimeout(running.timer);
      running.task.reject(error);
    }
    void thread.worker.terminate();
    this.#options.onInstanceLost?.(`instance ${thread.slot.index}: ${reason}`);
    this.#restart(thread.slot, this.#backoffMs - (Date.now() - thread.upAtMs));
    this.#dispatch();
  }

  /** Starts a new thread in `slot`, after `delayMs` if positive; work waits for it meanwhile. */
  #restart(slot: Slot, delayMs = 0): void {
    if (this.#closing || slot.thread || slot.starting) return;
    if (delayMs > 0) {
      slot.starting = true;
      setTimeout(() => {
        slot.starting = false;
        this.#restart(slot);
        // Closing meanwhile: nothing restarts, and what waited for this instance may now fail.
        this.#dispatch();
      }, delayMs);
      return;
    }
    this.#start(slot).catch((error: unknown) => {
      slot.failure = { message: errorText(error), atMs: Date.now() };
      this.#dispatch();
    });
  }

  #onReply(thread: HandlerThread, reply: Exclude<WorkerReply, { kind: 'ready' | 'init-failed' }>): void {
    if (reply.kind === 'finalized') {
      thread.finalized?.();
      return;
    }
    const running = thread.running;
    if (thread.state !== 'up' || running?.id !== reply.id) return;
    clearTimeout(running.timer);
    thread.running = undefined;
    if (reply.kind === 'execute-failed') {
      running.task.reject(new InferenceError(reply.code, reply.message));
    } else {
      const results = reply.results.map((r): RequestResult => ('outputs' in r ? { outputs: r.outputs.map(fromWire) } : { error: new InferenceError(r.code, r.message) }));
      running.task.resolve({ results, computeInferNs: reply.computeInferNs });
    }
    this.#dispatch();
  }

  #busy(): boolean {
    return this.#slots.some((slot) => slot.thread?.running !== undefined);
  }

  #dispatch(): void {
    while (this.#queue.length > 0) {
      const thread = this.#slots.find((slot) => slot.thread?.state === 'up' && !slot.thread.running)?.thread;
      if (!thread) break;
      this.#send(thread, this.#queue.shift()!);
    }
    if (this.#queue.length > 0) this.#reviveOrFail();
    if (this.#drained && this.#queue.length === 0 && !this.#busy()) {
      this.#drained();
      this.#drained = undefined;
    }
  }

  /** Work waits and no thread is free: restart instances whose restart failed, or fail the work if none can run it. */
  #reviveOrFail(): void {
    const now = Date.now();
    for (const slot of this.#slots) {
      if (slot.failure && now - slot.failure.atMs >= this.#backoffMs) this.#restart(slot);
    }
    if (this.#slots.some((slot) => slot.thread !== undefined || slot.starting)) return;
    const failure = this.#slots.map((slot) => slot.failure).filter((f) => f !== undefined).sort((a, b) => b.atMs - a.atMs)[0];
    const why = failure ? `restarting it failed: ${failure.message}` : 'its instances stopped while the model is unloading';
    const error = new InferenceError('ERR_BACKEND_UNAVAILABLE', `${this.#model}: no instance of the js handler is running; ${why}`);
    for (const task of this.#queue.splice(0)) task.reject(error);
  }

  #send(thread: HandlerThread, task: Task): void {
    const id = this.#nextId++;
    const timeoutMs = this.#options.settings.executionTimeoutMs;
    try {
      const wire = toWire(task.requests.map((r) => r.inputs));
      const command: WorkerCommand = { kind: 'execute', id, requests: task.requests.map((r, i) => ({ inputs: wire.groups[i]!, outputNames: r.outputNames })) };
      thread.worker.postMessage(command, wire.transfer);
    } catch (error) {
      task.reject(new InferenceError('ERR_INTERNAL', `${this.#model}: could not pass the requests to the handler's worker: ${errorText(error)}`));
      return;
    }
    const timer = timeoutMs > 0
      ? setTimeout(() => this.#lose(thread, `execute() ran longer than execution_timeout_ms (${timeoutMs} ms)`,
        new InferenceError('ERR_HANDLER_TIMEOUT', this.#lostMessage(thread, `execute() did not answer within execution_timeout_ms (${timeoutMs} ms), so its worker was stopped`))), timeoutMs)
      : undefined;
    thread.running = { id, task, timer };
  }

  /** Calls finalize() (bounded by the execution timeout), then terminates the thread. */
  async #stop(thread: HandlerThread): Promise<void> {
    thread.state = 'stopping';
    thread.slot.thread = undefined;
    const limitMs = this.#options.settings.executionTimeoutMs || DEFAULT_EXECUTION_TIMEOUT_MS;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, limitMs);
      thread.finalized = () => {
        clearTimeout(timer);
        resolve();
      };
      thread.worker.postMessage({ kind: 'finalize' } satisfies WorkerCommand);
    });
    thread.state = 'gone';
    await thread.worker.terminate();
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
