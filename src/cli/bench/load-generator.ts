/**
 * @module
 * The main thread's handle on the load worker (load-worker.ts): one worker and one client for
 * a whole run, so connections are reused across levels.
 */
import { Worker } from 'node:worker_threads';
import type { LevelResult } from './bench-result.js';
import type { LoadPlan, LoadProgress } from './load-loop.js';
import type { LoadWorkerData, WorkerMessage, WorkerRequest } from './load-worker.js';

export type ProgressListener = (update: { readonly level: number; readonly elapsedMs: number; readonly progress: LoadProgress }) => void;

export class LoadGenerator {
  readonly #worker: Worker;
  #pending: { resolve: (result: LevelResult) => void; reject: (error: Error) => void; onProgress: ProgressListener | undefined } | undefined;
  #exited = false;

  constructor(data: LoadWorkerData) {
    this.#worker = new Worker(new URL('./load-worker.js', import.meta.url), { workerData: data });
    this.#worker.on('message', (message: WorkerMessage) => {
      const pending = this.#pending;
      if (pending === undefined) return;
      if (message.type === 'progress') {
        pending.onProgress?.(message);
        return;
      }
      this.#pending = undefined;
      if (message.type === 'done') pending.resolve(message.result);
      else pending.reject(new Error(`load generator: ${message.message}`));
    });
    this.#worker.on('error', (error) => this.#fail(error));
    this.#worker.on('exit', (code) => {
      this.#exited = true;
      this.#fail(new Error(`load generator stopped (exit code ${code})`));
    });
  }

  /** Runs one level; one at a time. */
  run(plan: LoadPlan, onProgress?: ProgressListener): Promise<LevelResult> {
    if (this.#pending !== undefined) return Promise.reject(new Error('load generator: a level is already running'));
    if (this.#exited) return Promise.reject(new Error('load generator: stopped'));
    return new Promise((resolve, reject) => {
      this.#pending = { resolve, reject, onProgress };
      this.#worker.postMessage({ type: 'run', plan } satisfies WorkerRequest);
    });
  }

  /** Stops at once, abandoning a running level (its promise rejects). */
  async close(): Promise<void> {
    if (this.#exited) return;
    await this.#worker.terminate();
  }

  #fail(error: Error): void {
    const pending = this.#pending;
    this.#pending = undefined;
    pending?.reject(error);
  }
}
