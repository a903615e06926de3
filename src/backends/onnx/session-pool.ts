import { Worker } from 'node:worker_threads';
import { InferenceError } from '../../errors/index.js';
import type { ModelSignature } from '../../core/index.js';
import type { ExecuteRequest, ExecuteResult } from '../backend.js';
import type { OrtSessionSettings } from './session-options.js';
import type { RunMessage, SessionWorkerData, WorkerReply } from './worker-messages.js';
import { prepareForTransfer } from '../transfer.js';

const WORKER_URL = new URL('./session-worker.js', import.meta.url);

interface Task {
  readonly request: ExecuteRequest;
  resolve(result: ExecuteResult): void;
  reject(error: InferenceError): void;
}

interface SessionWorker {
  readonly thread: Worker;
  /** Tasks sent to it, by id, in the order it runs them. */
  readonly sent: Map<number, Task>;
}

/**
 * Tasks sent to one worker ahead of time. The session runs one at a time (more in flight
 * gives no throughput), but with only one sent, the worker idles for a whole thread round
 * trip between runs; a second one waiting in its message queue hides that gap.
 */
const PIPELINE_DEPTH = 2;

export interface SessionPoolEvents {
  /** A worker died and is being replaced; its task (if any) was failed. */
  onWorkerLost?(reason: string): void;
}

/**
 * Worker threads, one onnxruntime session each, fed from one FIFO queue.
 * A worker that dies fails only its own task and is replaced.
 */
export class SessionPool {
  readonly #data: SessionWorkerData;
  readonly #events: SessionPoolEvents;
  readonly #workers = new Set<SessionWorker>();
  readonly #queue: Task[] = [];
  #nextId = 1;
  #closing = false;
  #drained: (() => void) | undefined;

  private constructor(data: SessionWorkerData, events: SessionPoolEvents) {
    this.#data = data;
    this.#events = events;
  }

  /** Starts `count` workers; resolves when all have their session, rejects if any cannot load. */
  static async open(modelPath: string, settings: OrtSessionSettings, count: number, events: SessionPoolEvents = {}): Promise<{ pool: SessionPool; signature: ModelSignature }> {
    const pool = new SessionPool({ modelPath, settings }, events);
    const started = await Promise.allSettled(Array.from({ length: count }, () => pool.#startWorker()));
    const failure = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) {
      await pool.close();
      throw failure.reason;
    }
    return { pool, signature: (started[0] as PromiseFulfilledResult<ModelSignature>).value };
  }

  execute(request: ExecuteRequest): Promise<ExecuteResult> {
    if (this.#closing) return Promise.reject(new InferenceError('ERR_MODEL_NOT_READY', 'the model is unloading'));
    return new Promise((resolve, reject) => {
      this.#queue.push({ request, resolve, reject });
      this.#dispatch();
    });
  }

  /** Lets queued and running tasks finish, then stops every worker. */
  async close(): Promise<void> {
    this.#closing = true;
    if (this.#queue.length > 0 || this.#busy()) {
      await new Promise<void>((resolve) => { this.#drained = resolve; });
    }
    // Out of the set first: the exit events of workers stopped on purpose are not losses.
    const stopping = [...this.#workers];
    this.#workers.clear();
    await Promise.all(stopping.map((w) => w.thread.terminate()));
  }

  #startWorker(): Promise<ModelSignature> {
    return new Promise((resolve, reject) => {
      const thread = new Worker(WORKER_URL, { workerData: this.#data });
      const worker: SessionWorker = { thread, sent: new Map() };
      let ready = false;
      thread.on('message', (reply: WorkerReply) => {
        if (reply.kind === 'ready') {
          ready = true;
          this.#workers.add(worker);
          resolve(reply.signature);
          this.#dispatch();
        } else if (reply.kind === 'load-failed') {
          reject(new InferenceError(reply.code, reply.message));
          void thread.terminate();
        } else {
          this.#settle(worker, reply);
        }
      });
      thread.on('error', (error) => {
        if (!ready) reject(new InferenceError('ERR_MODEL_LOAD_FAILED', `session worker failed while loading: ${error.message}`, { cause: error }));
        else this.#lose(worker, error.message);
      });
      thread.on('exit', (code) => {
        if (!ready) reject(new InferenceError('ERR_MODEL_LOAD_FAILED', `session worker exited with code ${code} while loading`));
        else if (this.#workers.has(worker)) this.#lose(worker, `exited with code ${code}`);
      });
    });
  }

  #settle(worker: SessionWorker, reply: Extract<WorkerReply, { kind: 'result' | 'run-failed' }>): void {
    const task = worker.sent.get(reply.id);
    if (!task) return;
    worker.sent.delete(reply.id);
    if (reply.kind === 'result') task.resolve({ outputs: reply.outputs, computeInferNs: reply.computeInferNs });
    else task.reject(new InferenceError(reply.code, reply.message));
    this.#dispatch();
  }

  #lose(worker: SessionWorker, reason: string): void {
    this.#workers.delete(worker);
    for (const task of worker.sent.values()) task.reject(new InferenceError('ERR_BACKEND_UNAVAILABLE', `the onnxruntime worker running this request stopped (${reason}); it is being replaced`));
    worker.sent.clear();
    this.#events.onWorkerLost?.(reason);
    if (this.#closing) {
      this.#dispatch();
      return;
    }
    this.#startWorker().catch((error: unknown) => {
      // Without workers nothing can run: fail what waits rather than hold it forever.
      if (this.#workers.size === 0) {
        for (const task of this.#queue.splice(0)) task.reject(new InferenceError('ERR_BACKEND_UNAVAILABLE', `no onnxruntime worker could be restarted: ${error instanceof Error ? error.message : String(error)}`));
      }
    });
  }

  #busy(): boolean {
    return [...this.#workers].some((w) => w.sent.size > 0);
  }

  #dispatch(): void {
    // Fill every worker's first slot before any second one, so work spreads across workers.
    for (let depth = 1; depth <= PIPELINE_DEPTH; depth += 1) {
      for (const worker of this.#workers) {
        if (this.#queue.length === 0) break;
        if (worker.sent.size < depth) this.#send(worker, this.#queue.shift()!);
      }
    }
    if (this.#closing && this.#drained && this.#queue.length === 0 && !this.#busy()) {
      this.#drained();
      this.#drained = undefined;
    }
  }

  #send(worker: SessionWorker, task: Task): void {
    const id = this.#nextId++;
    try {
      const { tensors, transfer } = prepareForTransfer(task.request.inputs);
      const message: RunMessage = { kind: 'run', id, inputs: tensors, outputNames: task.request.outputNames };
      worker.thread.postMessage(message, transfer);
      worker.sent.set(id, task);
    } catch (error) {
      task.reject(new InferenceError('ERR_INTERNAL', `could not pass the request to the onnxruntime worker: ${error instanceof Error ? error.message : String(error)}`));
    }
  }
}
