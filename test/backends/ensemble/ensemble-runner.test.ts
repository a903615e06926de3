import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EnsembleRunner, StepLimiter, planEnsemble, type StepInvoker } from '../../../src/backends/ensemble/index.js';
import type { Tensor } from '../../../src/core/index.js';
import { InferenceError } from '../../../src/errors/index.js';
import { ADD_SUB, DIAMOND, DIAMOND_MODELS, ensemble, lookup, model, step, vector } from './fixtures.js';

type Compute = (inputs: Record<string, Float32Array>) => Record<string, Float32Array>;

const COMPUTE: Record<string, Compute> = {
  add_sub: ({ INPUT0, INPUT1 }) => ({ OUTPUT0: INPUT0!.map((v, i) => v + INPUT1![i]!), OUTPUT1: INPUT0!.map((v, i) => v - INPUT1![i]!) }),
  scale2: ({ INPUT0 }) => ({ OUTPUT0: INPUT0!.map((v) => v * 2) }),
  scale3: ({ INPUT0 }) => ({ OUTPUT0: INPUT0!.map((v) => v * 3) }),
};

interface Call {
  readonly model: string;
  readonly inputs: Tensor[];
  readonly outputNames: readonly string[];
  settled: boolean;
  release(): void;
  fail(error: Error): void;
}

/**
 * Composing models for the runner: each call computes with COMPUTE but answers only when the
 * test releases it (or at once with `auto`), and the calls in flight are tracked.
 */
class FakeModels {
  readonly calls: Call[] = [];
  running = 0;
  maxRunning = 0;
  /** Per model, the most calls that were in flight at once. */
  readonly maxRunningOf = new Map<string, number>();
  readonly #runningOf = new Map<string, number>();

  constructor(readonly auto = false) {}

  readonly invoke: StepInvoker = (modelName, _version, inputs, outputNames) => new Promise<Tensor[]>((resolve, reject) => {
    this.running += 1;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    this.#runningOf.set(modelName, (this.#runningOf.get(modelName) ?? 0) + 1);
    this.maxRunningOf.set(modelName, Math.max(this.maxRunningOf.get(modelName) ?? 0, this.#runningOf.get(modelName)!));
    const settle = (): void => {
      call.settled = true;
      this.running -= 1;
      this.#runningOf.set(modelName, this.#runningOf.get(modelName)! - 1);
    };
    const call: Call = {
      model: modelName, inputs, outputNames, settled: false,
      release: () => {
        const data = Object.fromEntries(inputs.map((t) => [t.name, t.data as Float32Array]));
        const computed = COMPUTE[modelName]!(data);
        settle();
        resolve(outputNames.map((name) => ({ name, datatype: 'FP32', shape: [...inputs[0]!.shape], data: computed[name]! })));
      },
      fail: (error) => {
        settle();
        reject(error);
      },
    };
    this.calls.push(call);
    if (this.auto) setImmediate(() => call.release());
  });

  /** Releases the unsettled calls of `model` (all unsettled calls without one), oldest first. */
  release(model?: string): void {
    for (const call of this.calls) if (!call.settled && (model === undefined || call.model === model)) call.release();
  }
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const fp32 = (name: string, values: number[]): Tensor => ({ name, datatype: 'FP32', shape: [1, values.length], data: Float32Array.from(values) });
const values = (tensor: Tensor | undefined): number[] => Array.from(tensor!.data as Float32Array);

function diamondRunner(models: FakeModels, limiters?: StepLimiter[]): EnsembleRunner {
  return new EnsembleRunner(planEnsemble('pipe', DIAMOND, lookup(DIAMOND_MODELS)), models.invoke, limiters);
}

describe('EnsembleRunner: order and parallelism', () => {
  it('runs the diamond A -> (B, C) -> D: B and C at the same time, D once both are done', async () => {
    const models = new FakeModels();
    const result = diamondRunner(models).run([fp32('A', [1, 2, 3, 4]), fp32('B', [1, 1, 1, 1])], ['X', 'Y']);
    await tick();
    assert.deepEqual(models.calls.map((c) => c.model), ['add_sub']);
    models.release();
    await tick();
    // Both branches are in flight before either answers.
    assert.deepEqual(models.calls.map((c) => [c.model, c.settled]), [['add_sub', true], ['scale2', false], ['scale3', false]]);
    assert.equal(models.running, 2);
    models.release('scale3');
    await tick();
    assert.equal(models.calls.length, 3, 'D waits for both of its inputs');
    models.release('scale2');
    await tick();
    assert.deepEqual(models.calls.map((c) => c.model), ['add_sub', 'scale2', 'scale3', 'add_sub']);
    assert.deepEqual(models.calls[3]!.inputs.map((t) => [t.name, values(t)]), [['INPUT0', [4, 6, 8, 10]], ['INPUT1', [0, 3, 6, 9]]]);
    assert.deepEqual(models.calls[3]!.outputNames, ['OUTPUT0', 'OUTPUT1']);
    models.release();
    const [x, y] = await result;
    // X = 2(a+b) + 3(a-b) = 5a - b, Y = 2(a+b) - 3(a-b) = 5b - a.
    assert.deepEqual([x!.name, values(x)], ['X', [4, 9, 14, 19]]);
    assert.deepEqual([y!.name, values(y)], ['Y', [4, 3, 2, 1]]);
    assert.equal(models.maxRunning, 2);
  });

  it('starts a step as soon as its own inputs are ready, whatever the other branches do', async () => {
    const config = ensemble(8, [['A', 'TYPE_FP32', [4]]], [['P', 'TYPE_FP32', [4]], ['Q', 'TYPE_FP32', [4]]], [
      step('scale2', { INPUT0: 'A' }, { OUTPUT0: 'p1' }),
      step('scale2', { INPUT0: 'p1' }, { OUTPUT0: 'P' }),
      step('scale3', { INPUT0: 'A' }, { OUTPUT0: 'q1' }),
      step('scale3', { INPUT0: 'q1' }, { OUTPUT0: 'Q' }),
    ]);
    const models = new FakeModels();
    const result = new EnsembleRunner(planEnsemble('pipe', config, lookup(DIAMOND_MODELS)), models.invoke).run([fp32('A', [1, 1, 1, 1])], ['P', 'Q']);
    await tick();
    assert.deepEqual(models.calls.map((c) => c.model), ['scale2', 'scale3']);
    models.calls[0]!.release();
    await tick();
    // The second scale2 runs while the first scale3 is still busy.
    assert.deepEqual(models.calls.map((c) => [c.model, c.settled]), [['scale2', true], ['scale3', false], ['scale2', false]]);
    models.release();
    await tick();
    models.release();
    assert.deepEqual((await result).map((t) => [t.name, values(t)]), [['P', [4, 4, 4, 4]], ['Q', [9, 9, 9, 9]]]);
  });

  it('runs only the steps the requested outputs need', async () => {
    const config = ensemble(8, [['A', 'TYPE_FP32', [4]]], [['P', 'TYPE_FP32', [4]], ['Q', 'TYPE_FP32', [4]]], [
      step('scale2', { INPUT0: 'A' }, { OUTPUT0: 'P' }),
      step('scale3', { INPUT0: 'A' }, { OUTPUT0: 'Q' }),
    ]);
    const models = new FakeModels(true);
    const runner = new EnsembleRunner(planEnsemble('pipe', config, lookup(DIAMOND_MODELS)), models.invoke);
    assert.deepEqual((await runner.run([fp32('A', [1, 2, 3, 4])], ['Q'])).map((t) => [t.name, values(t)]), [['Q', [3, 6, 9, 12]]]);
    assert.deepEqual(models.calls.map((c) => c.model), ['scale3']);
  });

  it('asks a step only for the outputs something reads', async () => {
    const config = ensemble(8, [['A', 'TYPE_FP32', [4]], ['B', 'TYPE_FP32', [4]]], [['D', 'TYPE_FP32', [4]]], [
      step('add_sub', { INPUT0: 'A', INPUT1: 'B' }, { OUTPUT0: 'S', OUTPUT1: 'D' }),
    ]);
    const models = new FakeModels(true);
    await new EnsembleRunner(planEnsemble('pipe', config, lookup([ADD_SUB])), models.invoke).run([fp32('A', [1, 1, 1, 1]), fp32('B', [1, 1, 1, 1])], ['D']);
    assert.deepEqual(models.calls[0]!.outputNames, ['OUTPUT1']);
  });

  it('limits each step to max_inflight_requests calls at a time across requests', async () => {
    const models = new FakeModels(true);
    const runner = diamondRunner(models, DIAMOND.ensemble_scheduling!.step.map(() => new StepLimiter(1)));
    const inputs = (): Tensor[] => [fp32('A', [1, 2, 3, 4]), fp32('B', [1, 1, 1, 1])];
    const results = await Promise.all(Array.from({ length: 5 }, () => runner.run(inputs(), ['X'])));
    for (const [x] of results) assert.deepEqual(values(x), [4, 9, 14, 19]);
    // add_sub runs as step 0 and as step 3: one call of each step at a time, so at most two add_sub calls.
    assert.ok(models.maxRunningOf.get('add_sub')! <= 2);
    assert.equal(models.maxRunningOf.get('scale2'), 1);
    assert.equal(models.maxRunningOf.get('scale3'), 1);
    assert.equal(models.calls.length, 20);
  });
});

describe('EnsembleRunner: errors', () => {
  it('fails with the step and model named and the cause\'s code, after the running steps settle', async () => {
    const models = new FakeModels();
    let settled = false;
    const result = diamondRunner(models).run([fp32('A', [1, 2, 3, 4]), fp32('B', [1, 1, 1, 1])], ['X', 'Y']);
    void result.catch(() => undefined).finally(() => { settled = true; });
    await tick();
    models.release();
    await tick();
    models.calls.find((c) => c.model === 'scale3')!.fail(new InferenceError('ERR_INPUT_SHAPE', "input 'INPUT0': shape [1,4] does not match"));
    await tick();
    assert.equal(settled, false, 'the request waits for step 1, still running');
    models.release('scale2');
    await assert.rejects(result, (error: InferenceError) => {
      assert.equal(error.code, 'ERR_INPUT_SHAPE');
      assert.equal(error.message, "ensemble 'pipe' step 2 (model 'scale3'): input 'INPUT0': shape [1,4] does not match");
      return true;
    });
    assert.deepEqual(models.calls.map((c) => c.model), ['add_sub', 'scale2', 'scale3'], 'no step starts after a failure');
  });

  it('gives errors without a code ERR_BACKEND_RUNTIME', async () => {
    const failing: StepInvoker = () => Promise.reject(new Error('worker exploded'));
    const runner = new EnsembleRunner(planEnsemble('pipe', DIAMOND, lookup(DIAMOND_MODELS)), failing);
    await assert.rejects(runner.run([fp32('A', [1, 1, 1, 1]), fp32('B', [1, 1, 1, 1])], ['X']),
      { code: 'ERR_BACKEND_RUNTIME', message: "ensemble 'pipe' step 0 (model 'add_sub'): worker exploded" });
  });

  it('fails when a step does not return an output it was asked for', async () => {
    const forgetful: StepInvoker = () => Promise.resolve([]);
    const runner = new EnsembleRunner(planEnsemble('pipe', DIAMOND, lookup(DIAMOND_MODELS)), forgetful);
    await assert.rejects(runner.run([fp32('A', [1, 1, 1, 1]), fp32('B', [1, 1, 1, 1])], ['X']),
      { code: 'ERR_INTERNAL', message: "ensemble 'pipe' step 0 (model 'add_sub'): model 'add_sub' did not return output 'OUTPUT0'" });
  });
});

describe('EnsembleRunner: tensor ownership', () => {
  it('gives the last reader a tensor itself and earlier readers copies; requested outputs are never given away', async () => {
    // 'mid' is read by two steps and is also an ensemble output; 'A' is read once.
    const config = ensemble(8, [['A', 'TYPE_FP32', [4]]], [['MID', 'TYPE_FP32', [4]], ['P', 'TYPE_FP32', [4]], ['Q', 'TYPE_FP32', [4]]], [
      step('scale2', { INPUT0: 'A' }, { OUTPUT0: 'MID' }),
      step('scale2', { INPUT0: 'MID' }, { OUTPUT0: 'two' }),
      step('scale3', { INPUT0: 'two' }, { OUTPUT0: 'P' }),
      step('add_sub', { INPUT0: 'two', INPUT1: 'MID' }, { OUTPUT0: 'Q' }),
    ]);
    const models = new FakeModels();
    const input = fp32('A', [1, 2, 3, 4]);
    const result = new EnsembleRunner(planEnsemble('pipe', config, lookup(DIAMOND_MODELS)), models.invoke).run([input], ['MID', 'P', 'Q']);
    await tick();
    assert.equal(models.calls[0]!.inputs[0]!.data, input.data, 'the only reader of A gets its buffer');
    models.release();
    await tick();
    models.release();
    await tick();
    const [, , scale3, addSub] = models.calls;
    const two = (models.calls[1]!.inputs[0]!.data);
    assert.notEqual(two, undefined);
    // 'two' is read by scale3 (started first: a copy) and add_sub (last: the tensor itself).
    assert.equal(scale3!.model, 'scale3');
    assert.equal(addSub!.model, 'add_sub');
    assert.deepEqual(values(scale3!.inputs[0]), values(addSub!.inputs[0]));
    assert.notEqual(scale3!.inputs[0]!.data, addSub!.inputs[0]!.data);
    models.release();
    const [mid, p, q] = await result;
    // MID is an output: both readers got copies, the response has the original.
    assert.notEqual(models.calls[1]!.inputs[0]!.data, mid!.data);
    assert.notEqual(addSub!.inputs[1]!.data, mid!.data);
    assert.deepEqual([values(mid), values(p), values(q)], [[2, 4, 6, 8], [12, 24, 36, 48], [6, 12, 18, 24]]);
  });

  it('leaves an optional ensemble input the request did not send out of the step too', async () => {
    const optional = model('opt', 8, [['INPUT0', 'TYPE_FP32', [4]], ['EXTRA', 'TYPE_FP32', [4]]], [['OUTPUT0', 'TYPE_FP32', [4]]]);
    const withOptional = { ...optional, input: [optional.input[0]!, { ...optional.input[1]!, optional: true }] };
    const config = ensemble(8, [['A', 'TYPE_FP32', [4]], ['E', 'TYPE_FP32', [4]]], [['OUT', 'TYPE_FP32', [4]]], [step('opt', { INPUT0: 'A', EXTRA: 'E' }, { OUTPUT0: 'OUT' })]);
    const seen: string[][] = [];
    const invoke: StepInvoker = (_m, _v, inputs) => {
      seen.push(inputs.map((t) => t.name));
      return Promise.resolve([{ ...inputs[0]!, name: 'OUTPUT0' }]);
    };
    const runner = new EnsembleRunner(planEnsemble('pipe', config, lookup([withOptional, vector('x')])), invoke);
    await runner.run([fp32('A', [1, 2, 3, 4])], ['OUT']);
    await runner.run([fp32('A', [1, 2, 3, 4]), fp32('E', [0, 0, 0, 0])], ['OUT']);
    assert.deepEqual(seen, [['INPUT0'], ['INPUT0', 'EXTRA']]);
  });
});
