/**
 * @module
 * Runs one ensemble request over its validated plan: each step starts as soon as the tensors it
 * reads are ready, so independent branches run at the same time, and only the steps needed for
 * the requested outputs run. The first failing step fails the request, once the steps already
 * started have settled (no composing-model work is left running behind an answered request).
 */
import { InferenceError, toInferenceError } from '../../errors/index.js';
import type { Tensor } from '../../core/index.js';
import type { EnsemblePlan, PlannedStep } from './ensemble-plan.js';
import type { StepLimiter } from './step-limiter.js';

/**
 * Runs one request on a composing model through the server's request path (its repository
 * lookup, request validation and scheduler), so the model batches it with its other requests
 * and counts it in its own statistics. Ownership of `inputs` moves to the callee: their buffers
 * may be transferred to a worker and detached. Resolves with the outputs named, in that order;
 * rejects with an InferenceError.
 */
export type StepInvoker = (modelName: string, version: string | undefined, inputs: Tensor[], outputNames: readonly string[]) => Promise<Tensor[]>;

export class EnsembleRunner {
  readonly #plan: EnsemblePlan;
  readonly #invoke: StepInvoker;
  /** One per step when max_inflight_requests limits the calls each step may have running. */
  readonly #limiters: readonly StepLimiter[] | undefined;
  /** Ensemble tensor -> the steps that read it. */
  readonly #consumers = new Map<string, number[]>();

  constructor(plan: EnsemblePlan, invoke: StepInvoker, limiters?: readonly StepLimiter[]) {
    this.#plan = plan;
    this.#invoke = invoke;
    this.#limiters = limiters;
    for (const step of plan.steps) {
      for (const tensor of new Set(Object.values(step.inputMap))) {
        const list = this.#consumers.get(tensor) ?? [];
        list.push(step.index);
        this.#consumers.set(tensor, list);
      }
    }
  }

  /**
   * Computes `outputNames` from the ensemble's `inputs` (owned: they may be handed on to a step
   * and detached). Resolves with those outputs in that order.
   */
  run(inputs: Tensor[], outputNames: readonly string[]): Promise<Tensor[]> {
    const plan = this.#plan;
    const needed = this.#neededSteps(outputNames);
    const keep = new Set(outputNames);
    const available = new Map(inputs.map((t) => [t.name, t]));
    // How many more reads each tensor has: the last read may take the tensor itself, earlier ones get a copy.
    const reads = new Map<string, number>();
    const wanted = new Set(outputNames);
    for (const i of needed) {
      for (const tensor of Object.values(plan.steps[i]!.inputMap)) {
        reads.set(tensor, (reads.get(tensor) ?? 0) + 1);
        wanted.add(tensor);
      }
    }
    // An optional ensemble input the request left out: steps reading it leave that input out too.
    const absent = new Set([...reads.keys()].filter((t) => !available.has(t) && !plan.producer.has(t)));
    const waitingFor = new Map<number, number>();
    for (const i of needed) {
      const pending = new Set(Object.values(plan.steps[i]!.inputMap).filter((t) => !available.has(t) && !absent.has(t)));
      waitingFor.set(i, pending.size);
    }

    return new Promise<Tensor[]>((resolve, reject) => {
      let running = 0;
      let done = 0;
      let failure: InferenceError | undefined;
      const settleIfIdle = (): void => {
        if (running > 0) return;
        if (failure) {
          reject(failure);
          return;
        }
        if (done < needed.size) return;
        const missing = outputNames.find((name) => !available.has(name));
        if (missing !== undefined) reject(new InferenceError('ERR_INTERNAL', `ensemble '${plan.name}': output '${missing}' was not produced`));
        else resolve(outputNames.map((name) => available.get(name)!));
      };
      const start = (step: PlannedStep): void => {
        const stepInputs: Tensor[] = [];
        for (const [input, tensor] of Object.entries(step.inputMap)) {
          if (absent.has(tensor)) continue;
          const source = available.get(tensor)!;
          const left = reads.get(tensor)! - 1;
          reads.set(tensor, left);
          const last = left === 0 && !keep.has(tensor);
          if (last) available.delete(tensor);
          stepInputs.push({ ...(last ? source : ownCopy(source)), name: input });
        }
        const outputs = Object.entries(step.outputMap).filter(([, tensor]) => wanted.has(tensor));
        const call = (): Promise<Tensor[]> => this.#invoke(step.modelName, step.version, stepInputs, outputs.map(([output]) => output));
        const limiter = this.#limiters?.[step.index];
        running += 1;
        (limiter ? limiter.run(call) : call()).then((results) => {
          running -= 1;
          done += 1;
          if (failure) return settleIfIdle();
          for (const [output, tensor] of outputs) {
            const result = results.find((t) => t.name === output);
            if (!result) {
              failure = stepError(plan.name, step, new InferenceError('ERR_INTERNAL', `model '${step.modelName}' did not return output '${output}'`));
              return settleIfIdle();
            }
            available.set(tensor, { ...result, name: tensor });
          }
          for (const [, tensor] of outputs) {
            for (const consumer of this.#consumers.get(tensor) ?? []) {
              if (!needed.has(consumer)) continue;
              const left = waitingFor.get(consumer)! - 1;
              waitingFor.set(consumer, left);
              if (left === 0) start(plan.steps[consumer]!);
            }
          }
          settleIfIdle();
        }, (error: unknown) => {
          running -= 1;
          failure ??= stepError(plan.name, step, error);
          settleIfIdle();
        });
      };
      for (const i of [...needed].sort((a, b) => a - b)) if (waitingFor.get(i) === 0) start(plan.steps[i]!);
      settleIfIdle();
    });
  }

  /** The steps that the requested outputs depend on, directly or through other steps. */
  #neededSteps(outputNames: readonly string[]): Set<number> {
    const needed = new Set<number>();
    const pending = [...outputNames];
    for (let tensor = pending.pop(); tensor !== undefined; tensor = pending.pop()) {
      const index = this.#plan.producer.get(tensor);
      if (index === undefined || needed.has(index)) continue;
      needed.add(index);
      pending.push(...Object.values(this.#plan.steps[index]!.inputMap));
    }
    return needed;
  }
}

/** A step's failure as the ensemble's: it names the step and the model, and keeps the cause's code. */
function stepError(ensemble: string, step: PlannedStep, error: unknown): InferenceError {
  const cause = toInferenceError(error, 'ERR_BACKEND_RUNTIME');
  // Backends prefix their messages with the model's name, which the step label already gives.
  const own = `model '${step.modelName}': `;
  const message = cause.message.startsWith(own) ? cause.message.slice(own.length) : cause.message;
  return new InferenceError(cause.code, `ensemble '${ensemble}' step ${step.index} (model '${step.modelName}'): ${message}`, { cause, details: cause.details });
}

/** A copy for a step that is not the tensor's last reader: the step may detach what it is given. */
function ownCopy(tensor: Tensor): Tensor {
  return tensor.datatype === 'BYTES' ? tensor : ({ ...tensor, data: tensor.data.slice() } as Tensor);
}
