/**
 * @module
 * A model repository for the ensemble end-to-end tests, with real ONNX composing models
 * (test/support/test-models.ts) and ensembles written as Triton lays them out: config.pbtxt and
 * an empty version folder.
 */
import { configText } from '../support/model-repository-writer.js';
import {
  writeAddSubModel, writeCorruptModel, writeEnsembleModel, writeIdentityModel, writeRuntimeErrorModel, writeScaleModel,
} from '../support/test-models.js';

export interface EnsembleStepSpec {
  readonly model: string;
  readonly version?: number;
  /** Step model input -> ensemble tensor. */
  readonly inputs: Readonly<Record<string, string>>;
  /** Step model output -> ensemble tensor. */
  readonly outputs: Readonly<Record<string, string>>;
}

export interface EnsembleSpec {
  readonly maxBatchSize: number;
  /** `[name, TYPE_*, dims]` */
  readonly inputs: readonly (readonly [string, string, readonly number[]])[];
  readonly outputs: readonly (readonly [string, string, readonly number[]])[];
  readonly steps: readonly EnsembleStepSpec[];
  readonly maxInflightRequests?: number;
}

/** config.pbtxt of an ensemble, in the text format of Triton's documentation. */
export function ensembleConfig(spec: EnsembleSpec): string {
  const tensors = (list: EnsembleSpec['inputs']): string => list.map(([name, type, dims]) => `  { name: "${name}" data_type: ${type} dims: [ ${dims.join(', ')} ] }`).join(',\n');
  const map = (kind: string, entries: Readonly<Record<string, string>>): string => Object.entries(entries).map(([key, value]) => `      ${kind} { key: "${key}" value: "${value}" }`).join('\n');
  const steps = spec.steps.map((s) => [
    '    {',
    `      model_name: "${s.model}"`,
    `      model_version: ${s.version ?? -1}`,
    map('input_map', s.inputs),
    map('output_map', s.outputs),
    '    }',
  ].join('\n')).join(',\n');
  return [
    'platform: "ensemble"',
    `max_batch_size: ${spec.maxBatchSize}`,
    `input [\n${tensors(spec.inputs)}\n]`,
    `output [\n${tensors(spec.outputs)}\n]`,
    'ensemble_scheduling {',
    ...(spec.maxInflightRequests === undefined ? [] : [`  max_inflight_requests: ${spec.maxInflightRequests}`]),
    `  step [\n${steps}\n  ]`,
    '}',
    '',
  ].join('\n');
}

const vec = (name: string): readonly [string, string, readonly number[]] => [name, 'TYPE_FP32', [4]];

/** A -> add_sub -> (sum, diff); sum -> scale2, diff -> scale3; add_sub(s2, d3) -> X = 5a - b, Y = 5b - a. */
export const DIAMOND: EnsembleSpec = {
  maxBatchSize: 8,
  inputs: [vec('A'), vec('B')],
  outputs: [vec('X'), vec('Y')],
  steps: [
    { model: 'add_sub', inputs: { INPUT0: 'A', INPUT1: 'B' }, outputs: { OUTPUT0: 'sum', OUTPUT1: 'diff' } },
    { model: 'scale2', inputs: { INPUT0: 'sum' }, outputs: { OUTPUT0: 's2' } },
    { model: 'scale3', inputs: { INPUT0: 'diff' }, outputs: { OUTPUT0: 'd3' } },
    { model: 'add_sub', inputs: { INPUT0: 's2', INPUT1: 'd3' }, outputs: { OUTPUT0: 'X', OUTPUT1: 'Y' } },
  ],
};

/** An ensemble whose step is the diamond: Z = 2X = 2(5a - b). */
export const NESTED: EnsembleSpec = {
  maxBatchSize: 8,
  inputs: [vec('A'), vec('B')],
  outputs: [vec('Z')],
  steps: [
    { model: 'diamond', inputs: { A: 'A', B: 'B' }, outputs: { X: 'x' } },
    { model: 'scale2', inputs: { INPUT0: 'x' }, outputs: { OUTPUT0: 'Z' } },
  ],
};

/** identity4 then scale3: OUT = 3 * IN. */
export const CHAIN: EnsembleSpec = {
  maxBatchSize: 8,
  inputs: [vec('IN')],
  outputs: [vec('OUT')],
  steps: [
    { model: 'identity4', inputs: { INPUT0: 'IN' }, outputs: { OUTPUT0: 'copy' } },
    { model: 'scale3', inputs: { INPUT0: 'copy' }, outputs: { OUTPUT0: 'OUT' } },
  ],
};

/** identity_vec, then runtime_error, which fails inside onnxruntime when SHAPE does not fit DATA. */
export const FAILING: EnsembleSpec = {
  maxBatchSize: 0,
  inputs: [['DATA', 'TYPE_FP32', [-1]], ['SHAPE', 'TYPE_INT64', [2]]],
  outputs: [['RESHAPED', 'TYPE_FP32', [-1, -1]]],
  steps: [
    { model: 'identity_vec', inputs: { INPUT0: 'DATA' }, outputs: { OUTPUT0: 'data' } },
    { model: 'runtime_error', inputs: { data: 'data', shape: 'SHAPE' }, outputs: { reshaped: 'RESHAPED' } },
  ],
};

const sumOf = (changes: Partial<EnsembleSpec> & { step?: Partial<EnsembleStepSpec> } = {}): EnsembleSpec => ({
  maxBatchSize: 8,
  inputs: [vec('A'), vec('B')],
  outputs: [vec('SUM')],
  steps: [{ model: 'add_sub', inputs: { INPUT0: 'A', INPUT1: 'B' }, outputs: { OUTPUT0: 'SUM' }, ...changes.step }],
  ...changes,
});

/** Broken ensembles, each with the reason its load must give (matched against the index). */
export const BROKEN: readonly { name: string; spec: EnsembleSpec; reason: RegExp }[] = [
  { name: 'bad_unknown_model', spec: sumOf({ step: { model: 'no_such_model' } }), reason: /step 0 \(model 'no_such_model'\): cannot use model 'no_such_model': unknown model 'no_such_model'/ },
  { name: 'bad_not_loadable', spec: sumOf({ step: { model: 'corrupt' } }), reason: /step 0 \(model 'corrupt'\): cannot use model 'corrupt': model 'corrupt' has no ready version \(.*corrupt.*model\.onnx/ },
  { name: 'bad_unmapped_input', spec: sumOf({ step: { inputs: { INPUT0: 'A' } } }), reason: /step 0 \(model 'add_sub'\): input 'INPUT1' of model 'add_sub' is not mapped to any ensemble tensor/ },
  { name: 'bad_unknown_input_name', spec: sumOf({ step: { inputs: { INPUT0: 'A', INPUT1: 'B', INPUT7: 'B' } } }), reason: /step 0 \(model 'add_sub'\): 'INPUT7' is not an input of model 'add_sub'; its inputs are 'INPUT0', 'INPUT1'/ },
  { name: 'bad_unknown_tensor', spec: sumOf({ step: { inputs: { INPUT0: 'A', INPUT1: 'C' } } }), reason: /step 0 \(model 'add_sub'\): input 'INPUT1' reads 'C', which is neither an ensemble input nor an output of any step/ },
  { name: 'bad_output_not_produced', spec: sumOf({ outputs: [vec('SUM'), vec('DIFF')] }), reason: /ensemble 'bad_output_not_produced': ensemble output 'DIFF' is not produced by any step/ },
  {
    name: 'bad_produced_twice',
    spec: sumOf({ steps: [
      { model: 'add_sub', inputs: { INPUT0: 'A', INPUT1: 'B' }, outputs: { OUTPUT0: 'SUM' } },
      { model: 'add_sub', inputs: { INPUT0: 'B', INPUT1: 'A' }, outputs: { OUTPUT0: 'SUM' } },
    ] }),
    reason: /step 1 \(model 'add_sub'\): output 'OUTPUT0' is mapped to 'SUM', which step 0 \(model 'add_sub'\) already produces/,
  },
  {
    name: 'bad_cycle',
    spec: sumOf({ inputs: [vec('A')], steps: [
      { model: 'add_sub', inputs: { INPUT0: 'A', INPUT1: 'loop' }, outputs: { OUTPUT0: 'SUM', OUTPUT1: 'back' } },
      { model: 'scale2', inputs: { INPUT0: 'back' }, outputs: { OUTPUT0: 'loop' } },
    ] }),
    reason: /step \d \(model '\w+'\): steps form a cycle: \d \(model '\w+'\) -> \d \(model '\w+'\) -> \d/,
  },
  { name: 'bad_datatype', spec: sumOf({ inputs: [['A', 'TYPE_INT32', [4]], vec('B')] }), reason: /step 0 \(model 'add_sub'\): input 'INPUT0' of model 'add_sub' takes TYPE_FP32 \[-1,4\] but 'A' is TYPE_INT32 \[-1,4\] \(ensemble input 'A'\): the datatypes differ/ },
  { name: 'bad_shape', spec: sumOf({ inputs: [['A', 'TYPE_FP32', [3]], vec('B')] }), reason: /step 0 \(model 'add_sub'\): input 'INPUT0' of model 'add_sub' takes TYPE_FP32 \[-1,4\] but 'A' is TYPE_FP32 \[-1,3\]/ },
  { name: 'bad_batch', spec: sumOf({ maxBatchSize: 16 }), reason: /step 0 \(model 'add_sub'\): model 'add_sub' allows batches of up to 8, but the ensemble allows up to 16/ },
];

/**
 * Composing models: add_sub (FP32 [4] pairs, max_batch_size 8), identity4 and scale2/scale3 (FP32
 * [4], max_batch_size 8), identity_vec (FP32 [-1], unbatched), runtime_error, corrupt.
 */
export async function writeComposingModels(repo: string, options: { only?: readonly string[] } = {}): Promise<void> {
  const wanted = (name: string): boolean => options.only === undefined || options.only.includes(name);
  if (wanted('add_sub')) await writeAddSubModel(repo);
  if (wanted('scale2')) await writeScaleModel(repo, 'scale2', 2);
  if (wanted('scale3')) await writeScaleModel(repo, 'scale3', 3);
  if (wanted('identity4')) {
    await writeIdentityModel(repo, 'identity4', 'FP32', { batched: true, dims: [4], config: configText({ name: 'identity4', maxBatchSize: 8, inputs: [{ name: 'INPUT0', datatype: 'FP32', dims: [4] }], outputs: [{ name: 'OUTPUT0', datatype: 'FP32', dims: [4] }] }) });
  }
  if (wanted('identity_vec')) {
    await writeIdentityModel(repo, 'identity_vec', 'FP32', { dims: [-1], config: configText({ name: 'identity_vec', maxBatchSize: 0, inputs: [{ name: 'INPUT0', datatype: 'FP32', dims: [-1] }], outputs: [{ name: 'OUTPUT0', datatype: 'FP32', dims: [-1] }] }) });
  }
  if (wanted('runtime_error')) await writeRuntimeErrorModel(repo);
  if (wanted('corrupt')) await writeCorruptModel(repo);
}

export async function writeEnsemble(repo: string, name: string, spec: EnsembleSpec): Promise<void> {
  await writeEnsembleModel(repo, name, ensembleConfig(spec));
}

/** `[1, 4]` FP32 inputs A and B, and the X, Y, Z the diamond and nested ensembles give for them. */
export const A = [1, 2, 3, 4];
export const B = [1, 1, 1, 1];
export const X = A.map((a, i) => 5 * a - B[i]!);
export const Y = A.map((a, i) => 5 * B[i]! - a);
export const Z = X.map((x) => 2 * x);
