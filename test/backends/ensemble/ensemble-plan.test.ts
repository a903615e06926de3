import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { planEnsemble } from '../../../src/backends/ensemble/index.js';
import type { ModelConfig } from '../../../src/config/index.js';
import { InferenceError } from '../../../src/errors/index.js';
import { ADD_SUB, DIAMOND, DIAMOND_MODELS, ensemble, lookup, model, step, vector } from './fixtures.js';

/** The error planEnsemble throws for `config`, checked to be an InferenceError. */
function failure(config: ModelConfig, models = DIAMOND_MODELS, notReady: Record<string, string> = {}): InferenceError {
  try {
    planEnsemble('pipe', config, lookup(models, notReady));
  } catch (error) {
    assert.ok(error instanceof InferenceError);
    return error;
  }
  assert.fail('the ensemble was accepted');
}

const vec = (name: string): [string, 'TYPE_FP32', number[]] => [name, 'TYPE_FP32', [4]];
/** One step: add_sub over the ensemble inputs A and B, straight to the outputs. */
const oneStep = (changes: { inputMap?: Record<string, string>; outputMap?: Record<string, string> } = {}, extra: Partial<ModelConfig> = {}): ModelConfig =>
  ensemble(8, [vec('A'), vec('B')], [vec('SUM')], [step('add_sub', changes.inputMap ?? { INPUT0: 'A', INPUT1: 'B' }, changes.outputMap ?? { OUTPUT0: 'SUM' })], extra);

describe('planEnsemble: a valid ensemble', () => {
  it('plans the diamond, looking up each step model at its version', () => {
    const configOf = lookup(DIAMOND_MODELS);
    const plan = planEnsemble('pipe', DIAMOND, configOf);
    assert.deepEqual(plan.steps.map((s) => [s.index, s.modelName, s.version]), [[0, 'add_sub', undefined], [1, 'scale2', undefined], [2, 'scale3', undefined], [3, 'add_sub', undefined]]);
    assert.deepEqual(Object.fromEntries(plan.producer), { sum: 0, diff: 0, s2: 1, d3: 2, X: 3, Y: 3 });
    assert.deepEqual(configOf.calls, ['add_sub', 'scale2', 'scale3', 'add_sub']);
  });

  it('names a version when model_version is set; 0 and -1 mean the latest', () => {
    const configOf = lookup([ADD_SUB]);
    const plan = planEnsemble('pipe', ensemble(8, [vec('A'), vec('B')], [vec('S'), vec('T'), vec('U')], [
      step('add_sub', { INPUT0: 'A', INPUT1: 'B' }, { OUTPUT0: 'S' }, 1),
      step('add_sub', { INPUT0: 'A', INPUT1: 'B' }, { OUTPUT0: 'T' }, 0),
      step('add_sub', { INPUT0: 'A', INPUT1: 'B' }, { OUTPUT0: 'U' }, -1),
    ]), configOf);
    assert.deepEqual(plan.steps.map((s) => s.version), ['1', undefined, undefined]);
    assert.deepEqual(configOf.calls, ['add_sub@1', 'add_sub', 'add_sub']);
  });

  it('lets -1 dims match any size, and a batching model take a non-batching [-1, ...] tensor', () => {
    const anyLength = model('any', 0, [['INPUT0', 'TYPE_FP32', [-1, -1]]], [['OUTPUT0', 'TYPE_FP32', [-1, -1]]]);
    // max_batch_size 0 ensemble: its [-1, 4] tensors are the [batch, 4] tensors of add_sub.
    planEnsemble('pipe', ensemble(0, [['A', 'TYPE_FP32', [-1, 4]], ['B', 'TYPE_FP32', [-1, 4]]], [['OUT', 'TYPE_FP32', [-1, -1]]], [
      step('add_sub', { INPUT0: 'A', INPUT1: 'B' }, { OUTPUT0: 'sum' }),
      step('any', { INPUT0: 'sum' }, { OUTPUT0: 'OUT' }),
    ]), lookup([ADD_SUB, anyLength]));
    // A batching ensemble may run a non-batching model whose full shape has the batch dim.
    planEnsemble('pipe', ensemble(4, [vec('A')], [vec('OUT')], [step('any', { INPUT0: 'A' }, { OUTPUT0: 'OUT' })]), lookup([anyLength]));
  });

  it('leaves optional inputs unmapped and does not need every output mapped', () => {
    const optional = model('opt', 8, [['INPUT0', 'TYPE_FP32', [4]], ['EXTRA', 'TYPE_FP32', [4]]], [['OUTPUT0', 'TYPE_FP32', [4]], ['OUTPUT1', 'TYPE_FP32', [4]]]);
    const withOptional = { ...optional, input: [optional.input[0]!, { ...optional.input[1]!, optional: true }] };
    planEnsemble('pipe', ensemble(8, [vec('A')], [vec('OUT')], [step('opt', { INPUT0: 'A' }, { OUTPUT0: 'OUT' })]), lookup([withOptional]));
  });

  it("compares the ensemble's own tensors in their reshape shape", () => {
    const square = model('square', 8, [['INPUT0', 'TYPE_FP32', [2, 2]]], [['OUTPUT0', 'TYPE_FP32', [2, 2]]]);
    const reshaped = ensemble(8, [vec('A')], [vec('OUT')], [step('square', { INPUT0: 'A' }, { OUTPUT0: 'OUT' })]);
    const withReshape: ModelConfig = {
      ...reshaped,
      input: [{ ...reshaped.input![0]!, reshape: { shape: [2, 2] } }],
      output: [{ ...reshaped.output![0]!, reshape: { shape: [2, 2] } }],
    };
    planEnsemble('pipe', withReshape, lookup([square]));
    assert.match(failure(reshaped, [square]).message, /input 'INPUT0' of model 'square' takes TYPE_FP32 \[-1,2,2\] but 'A' is TYPE_FP32 \[-1,4\]/);
  });
});

describe('planEnsemble: load errors name the step and the model', () => {
  it('an unknown composing model', () => {
    const error = failure(ensemble(8, [vec('A')], [vec('OUT')], [step('nope', { INPUT0: 'A' }, { OUTPUT0: 'OUT' })]));
    assert.equal(error.code, 'ERR_CONFIG_INVALID');
    assert.equal(error.message, "ensemble 'pipe' step 0 (model 'nope'): cannot use model 'nope': unknown model 'nope'");
    assert.deepEqual(error.details, [{ path: 'ensemble_scheduling.step[0].model_name', problem: error.message }]);
  });

  it('a composing model that is not loaded: ERR_MODEL_LOAD_FAILED when nothing else is wrong', () => {
    const error = failure(oneStep(), DIAMOND_MODELS, { add_sub: 'failed to load: model.onnx: bad protobuf' });
    assert.equal(error.code, 'ERR_MODEL_LOAD_FAILED');
    assert.equal(error.message, "ensemble 'pipe' step 0 (model 'add_sub'): cannot use model 'add_sub': model 'add_sub' has no ready version (failed to load: model.onnx: bad protobuf)");
  });

  it('a version that is not served', () => {
    const config = ensemble(8, [vec('A'), vec('B')], [vec('SUM')], [step('add_sub', { INPUT0: 'A', INPUT1: 'B' }, { OUTPUT0: 'SUM' }, 3)]);
    assert.equal(failure(config).message, "ensemble 'pipe' step 0 (model 'add_sub'): cannot use model 'add_sub' version 3: model 'add_sub' has no version \"3\"; served versions: 1");
  });

  it('a model_version that is not a version', () => {
    const config = ensemble(8, [vec('A'), vec('B')], [vec('SUM')], [step('add_sub', { INPUT0: 'A', INPUT1: 'B' }, { OUTPUT0: 'SUM' }, -7)]);
    const error = failure(config);
    assert.equal(error.message, "ensemble 'pipe' step 0 (model 'add_sub'): -7 is not a version; use -1 for the latest version the model's policy serves, or a version number");
    assert.equal(error.details[0]!.path, 'ensemble_scheduling.step[0].model_version');
  });

  it('an input of the step model left unmapped', () => {
    const error = failure(oneStep({ inputMap: { INPUT0: 'A' } }));
    assert.equal(error.message, "ensemble 'pipe' step 0 (model 'add_sub'): input 'INPUT1' of model 'add_sub' is not mapped to any ensemble tensor; add it to input_map");
    assert.equal(error.details[0]!.path, 'ensemble_scheduling.step[0].input_map');
  });

  it('a mapped name that is not an input or output of the step model', () => {
    const error = failure(oneStep({ inputMap: { INPUT0: 'A', INPUT1: 'B', INPUT2: 'B' }, outputMap: { OUTPUT0: 'SUM', OUTPUT9: 'x' } }));
    assert.deepEqual(error.details.map((d) => [d.path, d.problem]), [
      ['ensemble_scheduling.step[0].input_map["INPUT2"]', "ensemble 'pipe' step 0 (model 'add_sub'): 'INPUT2' is not an input of model 'add_sub'; its inputs are 'INPUT0', 'INPUT1'"],
      ['ensemble_scheduling.step[0].output_map["OUTPUT9"]', "ensemble 'pipe' step 0 (model 'add_sub'): 'OUTPUT9' is not an output of model 'add_sub'; its outputs are 'OUTPUT0', 'OUTPUT1'"],
    ]);
  });

  it('a mapped tensor that no step produces and is not an ensemble input', () => {
    assert.equal(failure(oneStep({ inputMap: { INPUT0: 'A', INPUT1: 'C' } })).message,
      "ensemble 'pipe' step 0 (model 'add_sub'): input 'INPUT1' reads 'C', which is neither an ensemble input nor an output of any step");
  });

  it('an ensemble output that no step produces', () => {
    assert.equal(failure(oneStep({ outputMap: { OUTPUT0: 'SUMS' } })).message,
      "ensemble 'pipe': ensemble output 'SUM' is not produced by any step; map a step output to it in an output_map (did you mean 'SUMS'?)");
  });

  it('a tensor produced twice', () => {
    const config = ensemble(8, [vec('A'), vec('B')], [vec('SUM')], [
      step('add_sub', { INPUT0: 'A', INPUT1: 'B' }, { OUTPUT0: 'SUM' }),
      step('add_sub', { INPUT0: 'B', INPUT1: 'A' }, { OUTPUT0: 'SUM' }),
    ]);
    assert.equal(failure(config).message,
      "ensemble 'pipe' step 1 (model 'add_sub'): output 'OUTPUT0' is mapped to 'SUM', which step 0 (model 'add_sub') already produces; each ensemble tensor has exactly one producer");
  });

  it('a cycle', () => {
    const config = ensemble(8, [vec('A')], [vec('OUT')], [
      step('scale2', { INPUT0: 'A' }, { OUTPUT0: 'OUT' }),
      step('scale2', { INPUT0: 'loop2' }, { OUTPUT0: 'loop1' }),
      step('scale3', { INPUT0: 'loop1' }, { OUTPUT0: 'loop2' }),
    ]);
    assert.equal(failure(config).message,
      "ensemble 'pipe' step 2 (model 'scale3'): steps form a cycle: 2 (model 'scale3') -> 1 (model 'scale2') -> 2; each step waits for a tensor of the next, so none can run");
  });

  it('a datatype mismatch between an ensemble input and a step input', () => {
    const config = ensemble(8, [['A', 'TYPE_INT32', [4]], vec('B')], [vec('SUM')], [step('add_sub', { INPUT0: 'A', INPUT1: 'B' }, { OUTPUT0: 'SUM' })]);
    const error = failure(config);
    assert.equal(error.message, "ensemble 'pipe' step 0 (model 'add_sub'): input 'INPUT0' of model 'add_sub' takes TYPE_FP32 [-1,4] but 'A' is TYPE_INT32 [-1,4] (ensemble input 'A'): the datatypes differ");
    assert.equal(error.details[0]!.path, 'ensemble_scheduling.step[0].input_map["INPUT0"]');
  });

  it('a shape mismatch between the producing output and the consuming input', () => {
    const three = model('three', 8, [['INPUT0', 'TYPE_FP32', [4]]], [['OUTPUT0', 'TYPE_FP32', [3]]]);
    const config = ensemble(8, [vec('A')], [vec('OUT')], [
      step('three', { INPUT0: 'A' }, { OUTPUT0: 'short' }),
      step('scale2', { INPUT0: 'short' }, { OUTPUT0: 'OUT' }),
    ]);
    assert.equal(failure(config, [three, vector('scale2')]).message,
      "ensemble 'pipe' step 1 (model 'scale2'): input 'INPUT0' of model 'scale2' takes TYPE_FP32 [-1,4] but 'short' is TYPE_FP32 [-1,3] (output 'OUTPUT0' of step 0 (model 'three')): dim 1 is 3 on one side and 4 on the other");
  });

  it('a batch-dimension mismatch: equal dims, but one model batches and the other does not', () => {
    const unbatched = vector('unbatched', 0);
    const config = ensemble(8, [vec('A')], [vec('OUT')], [step('unbatched', { INPUT0: 'A' }, { OUTPUT0: 'OUT' })]);
    const messages = failure(config, [unbatched]).details.map((d) => d.problem);
    assert.deepEqual(messages, [
      "ensemble 'pipe' step 0 (model 'unbatched'): input 'INPUT0' of model 'unbatched' takes TYPE_FP32 [4] but 'A' is TYPE_FP32 [-1,4] (ensemble input 'A'): the ranks differ (2 and 1); a model with max_batch_size > 0 adds a leading batch dimension to its dims",
      "ensemble 'pipe' step 0 (model 'unbatched'): ensemble output 'OUT' is declared TYPE_FP32 [-1,4] but output 'OUTPUT0' of step 0 (model 'unbatched') is TYPE_FP32 [4]: the ranks differ (1 and 2); a model with max_batch_size > 0 adds a leading batch dimension to its dims",
    ]);
  });

  it('an ensemble output declared with another datatype than its producer', () => {
    const config = ensemble(8, [vec('A'), vec('B')], [['SUM', 'TYPE_FP64', [4]]], [step('add_sub', { INPUT0: 'A', INPUT1: 'B' }, { OUTPUT0: 'SUM' })]);
    assert.equal(failure(config).message,
      "ensemble 'pipe' step 0 (model 'add_sub'): ensemble output 'SUM' is declared TYPE_FP64 [-1,4] but output 'OUTPUT0' of step 0 (model 'add_sub') is TYPE_FP32 [-1,4]: the datatypes differ");
  });

  it('an ensemble max_batch_size above a composing model\'s', () => {
    const config = oneStep({}, { max_batch_size: 16 });
    assert.equal(failure(config).message,
      "ensemble 'pipe' step 0 (model 'add_sub'): model 'add_sub' allows batches of up to 8, but the ensemble allows up to 16 (max_batch_size); lower the ensemble's max_batch_size or raise the model's");
  });

  it('an ensemble that runs itself, directly or through a nested ensemble', () => {
    assert.equal(failure(ensemble(8, [vec('A')], [vec('OUT')], [step('pipe', { A: 'A' }, { OUT: 'OUT' })])).message,
      "ensemble 'pipe' step 0 (model 'pipe'): an ensemble cannot run itself as a step");
    const inner = model('inner', 8, [['A', 'TYPE_FP32', [4]]], [['OUT', 'TYPE_FP32', [4]]], { platform: 'ensemble', ensemble_scheduling: { step: [step('pipe', { A: 'A' }, { OUT: 'OUT' })] } });
    assert.equal(failure(ensemble(8, [vec('A')], [vec('OUT')], [step('inner', { A: 'A' }, { OUT: 'OUT' })]), [inner]).message,
      "ensemble 'pipe' step 0 (model 'inner'): model 'inner' runs this ensemble again (inner -> pipe); ensembles cannot nest in a cycle");
  });

  it('an ensemble without inputs or outputs', () => {
    const error = failure({ platform: 'ensemble', ensemble_scheduling: { step: [step('scale2', { INPUT0: 'A' }, { OUTPUT0: 'B' })] } });
    assert.deepEqual(error.details.map((d) => d.path), ['input', 'output', 'ensemble_scheduling.step[0].input_map["INPUT0"]']);
    assert.match(error.message, /^ensemble 'pipe': an ensemble must list its inputs: there is no model file to read them from; /);
  });

  it('reports every problem at once, one per line of the details', () => {
    const config = ensemble(16, [['A', 'TYPE_INT32', [4]]], [vec('OUT'), vec('LOST')], [
      step('add_sub', { INPUT0: 'A' }, { OUTPUT0: 'mid' }),
      step('nope', { INPUT0: 'mid' }, { OUTPUT0: 'OUT' }),
    ]);
    const error = failure(config);
    assert.equal(error.code, 'ERR_CONFIG_INVALID');
    assert.equal(error.details.length, 5, error.message);
    assert.equal(error.message, error.details.map((d) => d.problem).join('; '));
  });
});

describe('planEnsemble: properties', () => {
  it('accepts random chains and diamonds of consistent models, and refuses them once one edge changes datatype', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 8 }), fc.nat(), (shape, pick) => {
      // Each layer: 0 = one scale step, 1 = two parallel scale steps joined by add_sub, 2 = add_sub of the tensor with itself.
      const steps = [];
      let current = 'A';
      for (const [layer, kind] of shape.entries()) {
        const next = `t${layer}`;
        if (kind === 0) steps.push(step('scale2', { INPUT0: current }, { OUTPUT0: next }));
        if (kind === 1) {
          steps.push(step('scale2', { INPUT0: current }, { OUTPUT0: `${next}_l` }), step('scale3', { INPUT0: current }, { OUTPUT0: `${next}_r` }));
          steps.push(step('add_sub', { INPUT0: `${next}_l`, INPUT1: `${next}_r` }, { OUTPUT0: next }));
        }
        if (kind === 2) steps.push(step('add_sub', { INPUT0: current, INPUT1: current }, { OUTPUT0: next, OUTPUT1: `${next}_unused` }));
        current = next;
      }
      const config = ensemble(8, [vec('A')], [[current, 'TYPE_FP32', [4]]], steps);
      const plan = planEnsemble('pipe', config, lookup(DIAMOND_MODELS));
      assert.equal(plan.steps.length, steps.length);
      // The same graph with one composing model whose output is FP64 is refused at its consumers.
      const victim = steps[pick % steps.length]!.model_name;
      const changed = DIAMOND_MODELS.map((m) => (m.name === victim ? { ...m, output: m.output.map((o) => ({ ...o, data_type: 'TYPE_FP64' as const })) } : m));
      assert.throws(() => planEnsemble('pipe', config, lookup(changed)), (error: InferenceError) => error.code === 'ERR_CONFIG_INVALID' && /the datatypes differ/.test(error.message));
    }));
  });
});
