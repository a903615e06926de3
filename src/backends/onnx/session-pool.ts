import { Worker } from 'node:worker_threads';
import { InferenceError } from '../../errors/index.js';
import type { ModelSignature, Tensor } from '../../core/index.js';
import type { ExecuteRequest } from '../backend.js';
import type { OrtSessionSettings } from './session-options.js';
import type { RunMessage, SessionWorkerData, WorkerReply } from './worker-messages.js';
import { prepareForTransfer } from './transfer.js';

const WORKER_URL = new URL('./session-worker.js', import.meta.url);

interface Task {
  readonly request: ExecuteRequest;
  resolve(outputs: Tensor[]): void;
  reject(error: InferenceError): void;
}

interface SessionWorker {
  readonly thread: Worker;
  /** The task it runs, if any: a worker runs one task at a time (more gives no throughput). */
  current: { id: number; task: Task } | undefined;
}

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

  execute(request: ExecuteRequest): Promise<Tensor[]> {
    if (this.#closing) return Promise.reject(new InferenceError('ERR_MODEL_NOT_READY', 'the model is unloading'));
    return new Promise((resolve, reject) => {
      this.#queue.push({ request, resolve, reject });
      this.#dispatch();
    });
  }

  /** Lets queued and running tasks finish, then stops every worker. */
  async close(): Promise<void> {
    this.#closing = true;
    if (this.#queue.length > 0 || [...this.#workers].some((w) => w.current)) {
      await new Promise<void>((resolve) => { this.#drained = resolve; });
    }
    await Promise.all([...this.#workers].map((w) => w.thread.terminate()));
    this.#workers.clear();
  }

  #startWorker(): Promise<ModelSignature> {
    return new Promise((resolve, reject) => {
      const thread = new Worker(WORKER_URL, { workerData: this.#data });
      const worker: SessionWorker = { thread, current: undefined };
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
    const current = worker.current;
    if (!current || current.id !== reply.id) return;
    worker.current = undefined;
    if (reply.kind === 'result') current.task.resolve(reply.outputs);
    else current.task.reject(new InferenceError(reply.code, reply.message));
    this.#dispatch();
  }

  #lose(worker: SessionWorker, reason: string): void {
    this.#workers.delete(worker);
    worker.current?.task.reject(new InferenceError('ERR_BACKEND_UNAVAILABLE', `the onnxruntime worker running this request stopped (${reason}); it is being replaced`));
    worker.current = undefined;
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

  #dispatch(): void {
    for (const worker of this.#workers) {
      if (this.#queue.length === 0) break;
      if (worker.current) continue;
      const task = this.#queue.shift()!;
      const id = this.#nextId++;
      worker.current = { id, task };
      try {
        const { tensors, transfer } = prepareForTransfer(task.request.inputs);
        const message: RunMessage = { kind: 'run', id, inputs: tensors, outputNames: task.request.outputNames };
        worker.thread.postMessage(message, transfer);
      } catch (error) {
        worker.current = undefined;
        task.reject(new InferenceError('ERR_INTERNAL', `could not pass the request to the onnxruntime worker: ${error instanceof Error ? error.message : String(error)}`));
      }
    }
    if (this.#closing && this.#drained && this.#queue.length === 0 && ![...this.#workers].some((w) => w.current)) {
      this.#drained();
      this.#drained = undefined;
    }
  }
}
