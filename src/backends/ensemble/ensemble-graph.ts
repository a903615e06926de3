/**
 * @module
 * The dataflow graph of an ensemble, read from its step mappings alone (no model configs): which
 * step produces each ensemble tensor, in which order steps can run, and the checks that need
 * nothing more: a tensor produced twice, a step reading a tensor nothing produces, an ensemble
 * output no step produces, and cycles.
 */

/** One step as the ensemble config maps it. */
export interface StepMapping {
  readonly modelName: string;
  /** Step model input name -> ensemble tensor name. */
  readonly inputMap: Readonly<Record<string, string>>;
  /** Step model output name -> ensemble tensor name. */
  readonly outputMap: Readonly<Record<string, string>>;
}

/** One thing wrong with an ensemble, found at load time. */
export interface EnsembleProblem {
  /** The step it belongs to (index into ensemble_scheduling.step), when it belongs to one. */
  readonly step?: number;
  /** Config path, e.g. `ensemble_scheduling.step[2].input_map["x"]`. */
  readonly path: string;
  readonly problem: string;
  /** `unavailable`: a composing model exists but is not READY; `config`: the config is wrong. */
  readonly kind: 'config' | 'unavailable';
}

export interface EnsembleGraph {
  /** Ensemble tensor -> index of the step that produces it. */
  readonly producer: ReadonlyMap<string, number>;
  /** Every step after the steps that produce its inputs (Kahn's order); complete only without cycles. */
  readonly order: readonly number[];
}

export const stepPath = (index: number): string => `ensemble_scheduling.step[${index}]`;
export const mapPath = (index: number, map: 'input_map' | 'output_map', key: string): string => `${stepPath(index)}.${map}[${JSON.stringify(key)}]`;

/**
 * Builds the graph of `steps` over the ensemble's `inputs` and `outputs` (tensor names) and
 * reports every problem found in the mappings. Pure.
 */
export function analyzeEnsembleGraph(steps: readonly StepMapping[], inputs: readonly string[], outputs: readonly string[]): { graph: EnsembleGraph; problems: EnsembleProblem[] } {
  const problems: EnsembleProblem[] = [];
  const add = (step: number | undefined, path: string, problem: string): void => {
    problems.push({ ...(step === undefined ? {} : { step }), path, problem, kind: 'config' });
  };
  const ensembleInputs = new Set(inputs);
  const producer = new Map<string, number>();
  steps.forEach((step, i) => {
    for (const [output, tensor] of Object.entries(step.outputMap)) {
      const path = mapPath(i, 'output_map', output);
      if (ensembleInputs.has(tensor)) {
        add(i, path, `output '${output}' is mapped to '${tensor}', which is an ensemble input; ensemble inputs come from the request, and no step may produce one`);
        continue;
      }
      const first = producer.get(tensor);
      if (first !== undefined) {
        add(i, path, `output '${output}' is mapped to '${tensor}', which ${first === i ? 'another output of this step' : `step ${first} (model '${steps[first]!.modelName}')`} already produces; each ensemble tensor has exactly one producer`);
        continue;
      }
      producer.set(tensor, i);
    }
  });
  const known = [...ensembleInputs, ...producer.keys()];
  steps.forEach((step, i) => {
    for (const [input, tensor] of Object.entries(step.inputMap)) {
      if (ensembleInputs.has(tensor) || producer.has(tensor)) continue;
      add(i, mapPath(i, 'input_map', input), `input '${input}' reads '${tensor}', which is neither an ensemble input nor an output of any step${closest(tensor, known)}`);
    }
  });
  for (const output of outputs) {
    if (!producer.has(output)) add(undefined, 'output', `ensemble output '${output}' is not produced by any step; map a step output to it in an output_map${closest(output, [...producer.keys()])}`);
  }
  const order = topologicalOrder(steps, producer);
  if (order.length < steps.length) {
    const cycle = findCycle(steps, producer, new Set(order));
    const shown = cycle.map((i) => `${i} (model '${steps[i]!.modelName}')`).join(' -> ');
    add(cycle[0], stepPath(cycle[0]!), `steps form a cycle: ${shown} -> ${cycle[0]}; each step waits for a tensor of the next, so none can run`);
  }
  return { graph: { producer, order }, problems };
}

/** The steps whose inputs are produced by step `i`'s predecessors, in Kahn's order. */
function topologicalOrder(steps: readonly StepMapping[], producer: ReadonlyMap<string, number>): number[] {
  const waiting = steps.map((step) => new Set(predecessors(step, producer)).size);
  const next = steps.map(() => [] as number[]);
  steps.forEach((step, i) => {
    for (const p of new Set(predecessors(step, producer))) next[p]!.push(i);
  });
  const order: number[] = [];
  const ready = waiting.flatMap((count, i) => (count === 0 ? [i] : []));
  for (let i = ready.shift(); i !== undefined; i = ready.shift()) {
    order.push(i);
    for (const n of next[i]!) {
      waiting[n]! -= 1;
      if (waiting[n] === 0) ready.push(n);
    }
  }
  return order;
}

/** Indices of the steps producing the inputs of `step` (a step reading its own output is its own predecessor). */
function predecessors(step: StepMapping, producer: ReadonlyMap<string, number>): number[] {
  return Object.values(step.inputMap).flatMap((tensor) => {
    const p = producer.get(tensor);
    return p === undefined ? [] : [p];
  });
}

/** One cycle among the steps left out of the topological order, in dataflow order. */
function findCycle(steps: readonly StepMapping[], producer: ReadonlyMap<string, number>, ordered: ReadonlySet<number>): number[] {
  // Every step left out waits for another step left out, so walking back from any of them must
  // come round to a step already seen.
  let current = steps.findIndex((_step, i) => !ordered.has(i));
  const seen: number[] = [];
  while (!seen.includes(current)) {
    seen.push(current);
    current = predecessors(steps[current]!, producer).find((p) => !ordered.has(p))!;
  }
  return seen.slice(seen.indexOf(current)).reverse();
}

/** ` (did you mean 'x'?)` for a near miss among `candidates`, else nothing. */
function closest(name: string, candidates: readonly string[]): string {
  let best: string | undefined;
  // A typo changes a few characters; a name sharing none with the other is no near miss.
  let bestDistance = Math.min(Math.max(1, Math.floor(name.length / 3)), name.length - 1) + 1;
  for (const candidate of candidates) {
    const d = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best === undefined ? '' : ` (did you mean '${best}'?)`;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_unused, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    }
    previous = current;
  }
  return previous[b.length]!;
}
