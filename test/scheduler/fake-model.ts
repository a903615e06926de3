/**
 * @module
 * A LoadedModel for scheduler tests: it records every execution it receives and answers when
 * the test says so (manual), after a fake-clock delay, or at once. Each requested output
 * `<input>_out` is computed from input `<input>`: numbers doubled, BYTES elements reversed.
 */
import type { ExecuteRequest, ExecuteResult, LoadedModel } from '../../src/backends/backend.js';
import type { Tensor } from '../../src/core/index.js';
import type { CompletedModelConfig, ModelDynamicBatching } from '../../src/config/index.js';
import type { ScheduledRequest } from '../../src/scheduler/index.js';
import type { FakeClock } from './fake-clock.js';

export type FakeTiming = { readonly kind: 'manual' } | { readonly kind: 'immediate' } | { readonly kind: 'clock'; readonly clock: FakeClock; readonly ms: number };

export interface Execution {
  readonly request: ExecuteRequest;
  /** Dim 0 of the first input. */
  readonly rows: number;
  /** Values of the first input, as numbers, to tell requests apart. */
  readonly values: number[];
  done: boolean;
  finish(): void;
  fail(error: Error): void;
}

/** What the fake model computes for a request: the reference an unbatched run would give. */
export function computeOutputs(request: ExecuteRequest): Tensor[] {
  return request.outputNames.map((name) => {
    const input = request.inputs.find((t) => `${t.name}_out` === name);
    if (input === undefined) throw new Error(`fake model: no input for output ${name}`);
    const shape = [...input.shape];
    switch (input.datatype) {
      case 'BYTES': return { name, datatype: 'BYTES', shape, data: input.data.map((e) => e.slice().reverse()) };
      case 'INT64': return { name, datatype: 'INT64', shape, data: input.data.map((v) => v * 2n) };
      case 'FP32': return { name, datatype: 'FP32', shape, data: input.data.map((v) => v * 2) };
      default: throw new Error(`fake model: ${input.datatype} not supported`);
    }
  });
}

export class FakeModel implements LoadedModel {
  readonly signature = { inputs: [], outputs: [] };
  readonly executions: Execution[] = [];
  inflight = 0;
  maxInflight = 0;
  /** Replaces computeOutputs, e.g. to return a bad shape. */
  outputs: (request: ExecuteRequest) => Tensor[] = computeOutputs;

  constructor(readonly instanceCount = 1, readonly timing: FakeTiming = { kind: 'manual' }) {}

  execute(request: ExecuteRequest): Promise<ExecuteResult> {
    this.inflight += 1;
    this.maxInflight = Math.max(this.maxInflight, this.inflight);
    return new Promise((resolve, reject) => {
      const first = request.inputs[0];
      const execution: Execution = {
        request,
        rows: first?.shape[0] ?? 0,
        values: first === undefined ? [] : Array.from(first.data as ArrayLike<unknown>, (v) => (v instanceof Uint8Array ? v.length : Number(v))),
        done: false,
        finish: () => this.#settle(execution, () => resolve({ outputs: this.outputs(request), computeInferNs: 1000 })),
        fail: (error) => this.#settle(execution, () => reject(error)),
      };
      this.executions.push(execution);
      if (this.timing.kind === 'immediate') execution.finish();
      else if (this.timing.kind === 'clock') this.timing.clock.setTimer(() => execution.finish(), this.timing.ms);
    });
  }

  /** Finishes every execution not finished yet, oldest first. */
  finishAll(): void {
    for (const execution of this.executions) if (!execution.done) execution.finish();
  }

  get pending(): Execution[] {
    return this.executions.filter((e) => !e.done);
  }

  unload(): Promise<void> {
    return Promise.resolve();
  }

  #settle(execution: Execution, settle: () => void): void {
    if (execution.done) return;
    execution.done = true;
    this.inflight -= 1;
    settle();
  }
}

/** A completed config for model 'mlp' with the given batching; no dynamic_batching when `batching` is undefined. */
export function modelConfig(maxBatchSize: number, batching?: ModelDynamicBatching): CompletedModelConfig {
  return {
    name: 'mlp', max_batch_size: maxBatchSize, input: [], output: [], version_policy: { latest: { num_versions: 1 } }, instance_group: [],
    ...(batching === undefined ? {} : { dynamic_batching: batching }),
  };
}

export interface RequestOptions {
  readonly priority?: number;
  readonly timeoutUs?: number;
  /** Columns per row (the non-batch dim); 1 by default. */
  readonly cols?: number;
}

/** An FP32 request [rows, cols] named X whose values start at `first` (1, 2, 3...), asking for X_out. */
export function fp32Request(rows: number, first: number, options: RequestOptions = {}): ScheduledRequest {
  const cols = options.cols ?? 1;
  const data = Float32Array.from({ length: rows * cols }, (_, i) => first + i);
  return scheduled([{ name: 'X', datatype: 'FP32', shape: [rows, cols], data }], options);
}

export function scheduled(inputs: Tensor[], options: RequestOptions = {}): ScheduledRequest {
  return {
    inputs, outputNames: inputs.map((t) => `${t.name}_out`), batchSize: inputs[0]?.shape[0] ?? 0,
    ...(options.priority === undefined ? {} : { priority: options.priority }),
    ...(options.timeoutUs === undefined ? {} : { timeoutUs: options.timeoutUs }),
  };
}

/** Records how each request settled, so tests can assert on order and exactly-once. */
export class Outcomes {
  readonly log: string[] = [];
  readonly results = new Map<string, Tensor[] | Error>();

  track(name: string, promise: Promise<Tensor[]>): void {
    void promise.then(
      (outputs) => { this.log.push(name); this.results.set(name, outputs); },
      (error: Error) => { this.log.push(`${name}!`); this.results.set(name, error); },
    );
  }

  error(name: string): Error & { code?: string } {
    const result = this.results.get(name);
    if (!(result instanceof Error)) throw new Error(`${name} did not fail (${result === undefined ? 'pending' : 'succeeded'})`);
    return result;
  }

  outputs(name: string): Tensor[] {
    const result = this.results.get(name);
    if (result === undefined || result instanceof Error) throw new Error(`${name} did not succeed`);
    return result;
  }
}
