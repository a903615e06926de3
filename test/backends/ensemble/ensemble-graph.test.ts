import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { analyzeEnsembleGraph, type StepMapping } from '../../../src/backends/ensemble/index.js';

const step = (modelName: string, inputMap: Record<string, string>, outputMap: Record<string, string>): StepMapping => ({ modelName, inputMap, outputMap });

describe('ensemble graph: mapping problems', () => {
  it('accepts a chain and orders it', () => {
    const { graph, problems } = analyzeEnsembleGraph([
      step('b', { x: 't1' }, { y: 'OUT' }),
      step('a', { x: 'IN' }, { y: 't1' }),
    ], ['IN'], ['OUT']);
    assert.deepEqual(problems, []);
    assert.deepEqual(graph.order, [1, 0]);
    assert.deepEqual([...graph.producer], [['OUT', 0], ['t1', 1]]);
  });

  it('refuses a tensor produced by two steps, naming both', () => {
    const { problems } = analyzeEnsembleGraph([
      step('a', { x: 'IN' }, { y: 'OUT' }),
      step('b', { x: 'IN' }, { y: 'OUT' }),
    ], ['IN'], ['OUT']);
    assert.deepEqual(problems, [{
      step: 1, path: 'ensemble_scheduling.step[1].output_map["y"]', kind: 'config',
      problem: "output 'y' is mapped to 'OUT', which step 0 (model 'a') already produces; each ensemble tensor has exactly one producer",
    }]);
  });

  it('refuses two outputs of one step mapped to the same tensor', () => {
    const { problems } = analyzeEnsembleGraph([step('a', { x: 'IN' }, { y: 'OUT', z: 'OUT' })], ['IN'], ['OUT']);
    assert.equal(problems.length, 1);
    assert.match(problems[0]!.problem, /^output 'z' is mapped to 'OUT', which another output of this step already produces/);
  });

  it('refuses a step that writes an ensemble input', () => {
    const { problems } = analyzeEnsembleGraph([step('a', { x: 'IN' }, { y: 'IN', z: 'OUT' })], ['IN'], ['OUT']);
    assert.deepEqual(problems.map((p) => [p.step, p.path, p.problem]), [[0, 'ensemble_scheduling.step[0].output_map["y"]',
      "output 'y' is mapped to 'IN', which is an ensemble input; ensemble inputs come from the request, and no step may produce one"]]);
  });

  it('refuses a read of a tensor that nothing produces, with a near miss', () => {
    const { problems } = analyzeEnsembleGraph([
      step('a', { x: 'IN' }, { y: 'hidden' }),
      step('b', { x: 'hiden' }, { y: 'OUT' }),
    ], ['IN'], ['OUT']);
    assert.deepEqual(problems.map((p) => [p.step, p.path, p.problem]), [[1, 'ensemble_scheduling.step[1].input_map["x"]',
      "input 'x' reads 'hiden', which is neither an ensemble input nor an output of any step (did you mean 'hidden'?)"]]);
  });

  it('refuses an ensemble output no step produces', () => {
    const { problems } = analyzeEnsembleGraph([step('a', { x: 'IN' }, { y: 'OUT' })], ['IN'], ['OUT', 'SCORES']);
    assert.deepEqual(problems.map((p) => [p.step, p.path, p.problem]), [[undefined, 'output',
      "ensemble output 'SCORES' is not produced by any step; map a step output to it in an output_map"]]);
  });

  it('refuses a cycle, naming its steps in dataflow order', () => {
    const { problems, graph } = analyzeEnsembleGraph([
      step('first', { x: 'IN' }, { y: 'OUT' }),
      step('loop_a', { x: 'from_b' }, { y: 'from_a' }),
      step('loop_b', { x: 'from_a' }, { y: 'from_b' }),
    ], ['IN'], ['OUT']);
    assert.deepEqual(graph.order, [0]);
    assert.deepEqual(problems.map((p) => [p.step, p.problem]), [[2,
      "steps form a cycle: 2 (model 'loop_b') -> 1 (model 'loop_a') -> 2; each step waits for a tensor of the next, so none can run"]]);
  });

  it('refuses a step that reads its own output', () => {
    const { problems } = analyzeEnsembleGraph([step('self', { x: 'IN', z: 'OUT' }, { y: 'OUT' })], ['IN'], ['OUT']);
    assert.deepEqual(problems.map((p) => p.problem), ["steps form a cycle: 0 (model 'self') -> 0; each step waits for a tensor of the next, so none can run"]);
  });
});

/** A random DAG: step i reads ensemble inputs and outputs of steps before it, and is listed in a shuffled order. */
const dagArbitrary = fc.integer({ min: 1, max: 12 }).chain((size) => fc.record({
  size: fc.constant(size),
  inputs: fc.integer({ min: 1, max: 3 }),
  // reads[i]: indices into "earlier tensors" (inputs + outputs of steps 0..i-1), as fractions.
  reads: fc.array(fc.array(fc.double({ min: 0, max: 0.999, noNaN: true }), { minLength: 1, maxLength: 3 }), { minLength: size, maxLength: size }),
  permutation: fc.shuffledSubarray([...Array(size).keys()], { minLength: size, maxLength: size }),
}));

interface Dag {
  size: number;
  inputs: number;
  reads: number[][];
  permutation: number[];
}

/** The steps of `d` in their listed (shuffled) order; `position[i]` is where logical step i is listed. */
function buildDag(d: Dag): { steps: StepMapping[]; inputs: string[]; outputs: string[]; position: number[] } {
  const inputs = Array.from({ length: d.inputs }, (_u, i) => `IN${i}`);
  const logical: StepMapping[] = [];
  for (let i = 0; i < d.size; i += 1) {
    const earlier = [...inputs, ...Array.from({ length: i }, (_u, k) => `t${k}`)];
    const inputMap = Object.fromEntries(d.reads[i]!.map((f, k) => [`in${k}`, earlier[Math.floor(f * earlier.length)]!]));
    // A backbone: every step reads the one before it, so each step depends on every earlier one.
    if (i > 0) inputMap.prev = `t${i - 1}`;
    logical.push(step(`m${i}`, inputMap, { out: `t${i}` }));
  }
  // The config's order need not be the dataflow order.
  const steps = d.permutation.map((i) => logical[i]!);
  const position: number[] = [];
  d.permutation.forEach((logicalIndex, listed) => { position[logicalIndex] = listed; });
  return { steps, inputs, outputs: [`t${d.size - 1}`], position };
}

describe('ensemble graph: properties', () => {
  it('accepts every random DAG and orders every step after its producers', () => {
    fc.assert(fc.property(dagArbitrary, (d) => {
      const { steps, inputs, outputs } = buildDag(d);
      const { graph, problems } = analyzeEnsembleGraph(steps, inputs, outputs);
      assert.deepEqual(problems, []);
      assert.equal(graph.order.length, steps.length);
      const at = new Map(graph.order.map((s, k) => [s, k]));
      steps.forEach((s, i) => {
        for (const tensor of Object.values(s.inputMap)) {
          const p = graph.producer.get(tensor);
          if (p !== undefined) assert.ok(at.get(p)! < at.get(i)!, `step ${i} runs before its producer ${p}`);
        }
      });
    }));
  });

  it('rejects every random DAG with one back edge added, reporting exactly one cycle', () => {
    fc.assert(fc.property(dagArbitrary, fc.nat(), fc.nat(), (d, a, b) => {
      const { steps, inputs, outputs, position } = buildDag(d);
      // Step `from` (logically earlier or equal) reads the output of step `to` (logically later or equal): a cycle.
      const from = a % d.size;
      const to = from + (b % (d.size - from));
      const listed = steps.map((s) => ({ ...s, inputMap: { ...s.inputMap } }));
      listed[position[from]!] = { ...listed[position[from]!]!, inputMap: { ...listed[position[from]!]!.inputMap, back: `t${to}` } };
      const { problems, graph } = analyzeEnsembleGraph(listed, inputs, outputs);
      assert.equal(problems.length, 1, JSON.stringify(problems));
      assert.match(problems[0]!.problem, /^steps form a cycle: /);
      assert.ok(graph.order.length < steps.length);
      // The reported cycle contains the back edge's two ends.
      assert.ok(problems[0]!.problem.includes(`(model 'm${from}')`) && problems[0]!.problem.includes(`(model 'm${to}')`));
    }));
  });
});
