// splitModel and candidateCuts: head then tail equals the whole model in onnxruntime-node at every
// candidate cut; cuts that do not separate the graph are refused with a path that goes around them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import ort from 'onnxruntime-node';
import { createSession, randomFeeds, resolveInputSpecs, runSession, seededRandom, type Feeds, type Outputs } from '../../src/tools/evaluate/index.js';
import { attr, decodeModel, encodeModel, GraphBuilder, makeValueInfo, type GraphProto, type OnnxModel } from '../../src/tools/onnx/index.js';
import { candidateCuts, CutError, probeTensorTypes, splitModel, validateCut } from '../../src/tools/split/index.js';
import { buildCnnModel, buildMlpModel } from '../support/test-models.js';

/**
 * x [batch, 4] -> a = Relu(x) -> b = Mul(a, 2) -> c = Sigmoid(b) -> s = Add(a, c) -> y = Neg(s).
 * `a` branches into the skip connection; b and c sit inside it, so only a, s are cuts.
 */
function buildSkipModel(): OnnxModel {
  const g = new GraphBuilder('skip');
  const x = g.input('x', 'FP32', ['batch', 4]);
  const a = g.node('Relu', [x], {}, { outputs: ['a'] });
  const two = g.initializer('two', 'FP32', [], [2]);
  const b = g.node('Mul', [a, two], {}, { outputs: ['b'] });
  const c = g.node('Sigmoid', [b], {}, { outputs: ['c'] });
  const s = g.node('Add', [a, c], {}, { outputs: ['s'] });
  g.output(g.node('Neg', [s]), 'y', 'FP32', ['batch', 4]);
  const model = g.toModel({ opset: 17, metadata: { author: 'test' }, docString: 'a skip connection' });
  model.graph!.valueInfo = ['a', 'b', 'c', 's'].map((name) => makeValueInfo(name, 'FP32', ['batch', 4]));
  return model;
}

async function run(model: OnnxModel, feeds: Feeds): Promise<Outputs> {
  const session = await createSession(encodeModel(model));
  try {
    return await runSession(session, feeds);
  } finally {
    await session.release();
  }
}

function maxAbsDiff(a: ort.Tensor, b: ort.Tensor): number {
  assert.deepEqual(b.dims, a.dims);
  const [x, y] = [a.data as Float32Array, b.data as Float32Array];
  return x.reduce((worst, value, index) => Math.max(worst, Math.abs(value - y[index]!)), 0);
}

/** Splits at every candidate and checks head -> tail against the whole model on one random batch. */
async function assertEveryCutMatches(model: OnnxModel, batch: number): Promise<string[]> {
  const cuts = candidateCuts(model);
  const { valueInfo } = await probeTensorTypes(model, cuts);
  const feeds = randomFeeds(resolveInputSpecs(model, { batch }), seededRandom(3));
  const whole = await run(model, feeds);
  for (const cut of cuts) {
    const { head, tail } = splitModel(model, cut, { valueInfo });
    const tailOutputs = await run(tail, await run(head, feeds));
    for (const [name, expected] of Object.entries(whole)) {
      assert.ok(maxAbsDiff(expected, tailOutputs[name]!) <= 1e-5, `cut ${cut}: output ${name} differs`);
    }
  }
  return cuts;
}

describe('splitModel', () => {
  it('head then tail equals the whole CNN at every candidate cut (batch 2)', async () => {
    const cuts = await assertEveryCutMatches(decodeModel(buildCnnModel()), 2);
    assert.deepEqual(cuts, ['Conv_0', 'Relu_0', 'Conv_1', 'Relu_1', 'Conv_2', 'Relu_2', 'GlobalAveragePool_0', 'Flatten_0']);
  });

  it('head then tail equals the whole MLP at every candidate cut', async () => {
    const cuts = await assertEveryCutMatches(decodeModel(buildMlpModel([16, 32, 32, 5])), 3);
    assert.equal(cuts.length, 7, `MatMul, Add (+ Relu) per layer, the last Add being the output: ${cuts.join(', ')}`);
  });

  it('head then tail equals the whole model with a skip connection, whose inside is no candidate', async () => {
    const cuts = await assertEveryCutMatches(buildSkipModel(), 2);
    assert.deepEqual(cuts, ['a', 's']);
  });

  it('keeps only the nodes and initializers each part needs, and the model-level fields', () => {
    const { head, tail, cut } = splitModel(decodeModel(buildCnnModel()), 'Relu_1', {
      valueInfo: [makeValueInfo('Relu_1', 'FP32', ['batch', 32, 32, 32])],
    });
    assert.deepEqual(cut, ['Relu_1']);
    assert.deepEqual(head.graph!.node!.map((node) => node.output![0]), ['Conv_0', 'Relu_0', 'Conv_1', 'Relu_1']);
    assert.deepEqual(head.graph!.initializer!.map((tensor) => tensor.name), ['conv0_w', 'conv0_b', 'conv1_w', 'conv1_b']);
    assert.deepEqual(head.graph!.input!.map((value) => value.name), ['x']);
    assert.deepEqual(head.graph!.output!.map((value) => value.name), ['Relu_1']);
    assert.deepEqual(tail.graph!.input!.map((value) => value.name), ['Relu_1']);
    assert.deepEqual(tail.graph!.initializer!.map((tensor) => tensor.name), ['conv2_w', 'conv2_b', 'fc_w', 'fc_b']);
    assert.deepEqual(tail.graph!.output!.map((value) => value.name), ['y']);
    for (const part of [head, tail]) {
      assert.equal(part.irVersion, 8n);
      assert.deepEqual(part.opsetImport, [{ domain: '', version: 17n }]);
      assert.equal(part.producerName, 'wharf');
    }
  });

  it('keeps metadata and doc strings, and value_info of the tensors each part computes', () => {
    const { head, tail } = splitModel(buildSkipModel(), 'a');
    assert.deepEqual(head.metadataProps, [{ key: 'author', value: 'test' }]);
    assert.equal(tail.docString, 'a skip connection');
    assert.deepEqual(head.graph!.valueInfo, undefined, 'a is the head output, not inner value_info');
    assert.deepEqual(tail.graph!.valueInfo!.map((value) => value.name), ['b', 'c', 's']);
    assert.deepEqual(tail.graph!.input![0]!.type!.tensorType!.shape!.dim, [{ dimParam: 'batch' }, { dimValue: 4n }], 'the type comes from value_info');
  });

  it('splits at several tensors at once, including two inside a skip connection', async () => {
    const model = buildSkipModel();
    const { head, tail } = splitModel(model, ['c', 'a']);
    assert.deepEqual(head.graph!.output!.map((value) => value.name), ['c', 'a']);
    assert.deepEqual(tail.graph!.node!.map((node) => node.opType), ['Add', 'Neg']);
    const feeds = randomFeeds(resolveInputSpecs(model, { batch: 2 }), seededRandom(5));
    assert.ok(maxAbsDiff((await run(model, feeds)).y!, (await run(tail, await run(head, feeds))).y!) <= 1e-6);
  });

  it('refuses a tensor that does not exist, listing cuts the model allows', () => {
    assert.throws(() => splitModel(decodeModel(buildCnnModel()), 'relu'), (error: unknown) => {
      assert.ok(error instanceof CutError);
      assert.match(error.message, /no tensor named 'relu'; cuts it allows include 'Relu_0', 'Relu_1', 'Relu_2'/);
      return true;
    });
    assert.throws(() => splitModel(decodeModel(buildCnnModel()), 'zzz'), /no tensor named 'zzz'; cuts it allows include 'Conv_0', 'Relu_0'/);
  });

  it('refuses graph inputs, outputs and constants as cuts', () => {
    const model = decodeModel(buildCnnModel());
    assert.throws(() => splitModel(model, 'x'), /'x' is a graph input/);
    assert.throws(() => splitModel(model, 'y'), /'y' is a graph output/);
    assert.throws(() => splitModel(model, 'conv1_w'), /'conv1_w' is an initializer/);
    assert.throws(() => splitModel(model, []), /at least one cut tensor/);
    assert.throws(() => splitModel(model, ['Relu_1', 'Relu_1']), /'Relu_1' is given twice/);
  });

  it('refuses a cut inside a skip connection, naming the path that goes around it', () => {
    assert.throws(() => validateCut(buildSkipModel(), 'b'), /the cut 'b' does not separate the graph: input 'x' reaches output 'y' without passing through it, by x -> a -> s -> y/);
    assert.throws(() => validateCut(buildSkipModel(), ['s', 'a']), /the outputs do not need cut tensor 'a' once the rest of the cut 's' is known; leave it out/);
    assert.doesNotThrow(() => validateCut(buildSkipModel(), ['b', 'a']), 'both are needed: the tail computes c from b');
  });

  it('refuses a cut tensor computed from constants only', () => {
    const g = new GraphBuilder('const');
    const x = g.input('x', 'FP32', [2]);
    const k = g.initializer('k', 'FP32', [2], [1, 2]);
    const doubled = g.node('Add', [k, k], {}, { outputs: ['doubled'] });
    g.output(g.node('Mul', [x, doubled]), 'y', 'FP32', [2]);
    assert.throws(() => validateCut(g.toModel({ opset: 17 }), 'doubled'), /'doubled' is computed from constants only/);
    assert.deepEqual(candidateCuts(g.toModel({ opset: 17 })), []);
  });

  it('refuses a cut whose type it cannot know, pointing at probeTensorTypes', () => {
    assert.throws(() => splitModel(decodeModel(buildCnnModel()), 'Relu_1'), /type of cut tensor 'Relu_1' is not known.*probeTensorTypes/);
  });

  it('refuses a cut that misses a second model input', () => {
    const g = new GraphBuilder('two_inputs');
    const x = g.input('x', 'FP32', [2]);
    const z = g.input('z', 'FP32', [2]);
    const h = g.node('Relu', [x], {}, { outputs: ['h'] });
    g.output(g.node('Add', [h, z]), 'y', 'FP32', [2]);
    assert.throws(() => validateCut(g.toModel({ opset: 17 }), 'h'), /input 'z' reaches output 'y' without passing through it, by z -> y/);
  });
});

/**
 * x -> a = Relu(x) -> cond = ReduceSum(a) > 0 -> y = If(cond) { Neg(a) } else { Identity(a) }.
 * The branches read `a` from the outer scope, so the If needs `a` as much as `cond`.
 */
function buildIfModel(): OnnxModel {
  const branch = (name: string, op: string): GraphProto => ({
    name, node: [{ opType: op, input: ['a'], output: [`${name}_out`], name: `${name}_node` }], output: [makeValueInfo(`${name}_out`, 'FP32', [2])],
  });
  const g = new GraphBuilder('if');
  const x = g.input('x', 'FP32', [2]);
  const a = g.node('Relu', [x], {}, { outputs: ['a'] });
  const zero = g.initializer('zero', 'FP32', [], [0]);
  const cond = g.node('Greater', [g.node('ReduceSum', [a], { keepdims: 0 }, { outputs: ['sum'] }), zero], {}, { outputs: ['cond'] });
  g.output(g.node('If', [cond], { then_branch: attr.graph(branch('then', 'Neg')), else_branch: attr.graph(branch('else', 'Identity')) }), 'y', 'FP32', [2]);
  return g.toModel({ opset: 17 });
}

describe('splitModel with subgraphs', () => {
  it('counts the outer tensors a branch reads: only a is a cut, and head then tail runs', async () => {
    const model = buildIfModel();
    assert.deepEqual(candidateCuts(model), ['a']);
    assert.throws(() => validateCut(model, 'cond'), /the cut 'cond' does not separate the graph: input 'x' reaches output 'y' without passing through it, by x -> a -> y/);
    const { valueInfo } = await probeTensorTypes(model, ['a']);
    const { head, tail } = splitModel(model, 'a', { valueInfo });
    assert.deepEqual(tail.graph!.node!.map((node) => node.opType), ['ReduceSum', 'Greater', 'If']);
    for (const values of [[1, 2], [-1, -2]]) {
      const feeds = { x: new ort.Tensor('float32', Float32Array.from(values), [2]) };
      assert.ok(maxAbsDiff((await run(model, feeds)).y!, (await run(tail, await run(head, feeds))).y!) === 0);
    }
  });
});

/** A random DAG: each node reads one or two earlier tensors (any of them, so skips and branches appear). */
function randomGraphModel(picks: readonly (readonly [number, number, number])[]): OnnxModel {
  const g = new GraphBuilder('random');
  const tensors = [g.input('x', 'FP32', ['batch', 3])];
  const ops = ['Relu', 'Sigmoid', 'Neg', 'Add', 'Mul', 'Sub'];
  picks.forEach(([op, first, second], index) => {
    const name = `t${index}`;
    const operator = ops[op % ops.length]!;
    const a = tensors[first % tensors.length]!;
    const b = tensors[second % tensors.length]!;
    tensors.push(g.node(operator, ['Relu', 'Sigmoid', 'Neg'].includes(operator) ? [a] : [a, b], {}, { outputs: [name] }));
  });
  const model = g.toModel({ opset: 17 });
  // Every tensor no node reads is an output, so nothing is dead code.
  const read = new Set(model.graph!.node!.flatMap((node) => node.input!));
  model.graph!.output = tensors.slice(1).filter((name) => !read.has(name)).map((name) => makeValueInfo(name, 'FP32', ['batch', 3]));
  model.graph!.valueInfo = tensors.slice(1).map((name) => makeValueInfo(name, 'FP32', ['batch', 3]));
  return model;
}

describe('splitModel on random graphs (property)', () => {
  const graphs = fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat()), { minLength: 1, maxLength: 12 });

  it('every candidate splits, and head then tail equals the whole model', async () => {
    await fc.assert(fc.asyncProperty(graphs, async (picks) => {
      const model = randomGraphModel(picks);
      const feeds = randomFeeds(resolveInputSpecs(model, { batch: 2 }), seededRandom(picks.length));
      const whole = await run(model, feeds);
      for (const cut of candidateCuts(model)) {
        const { head, tail } = splitModel(model, cut);
        const tailOutputs = await run(tail, await run(head, feeds));
        for (const [name, expected] of Object.entries(whole)) assert.ok(maxAbsDiff(expected, tailOutputs[name]!) <= 1e-6, `cut ${cut}, output ${name}`);
      }
    }), { numRuns: 25, seed: 2026 });
  });

  it('a tensor is a candidate exactly when removing its producer disconnects the input from every output', () => {
    fc.assert(fc.property(graphs, (picks) => {
      const model = randomGraphModel(picks);
      const nodes = model.graph!.node!;
      const outputs = new Set(model.graph!.output!.map((value) => value.name));
      const candidates = new Set(candidateCuts(model));
      for (const node of nodes) {
        const tensor = node.output![0]!;
        if (outputs.has(tensor)) {
          assert.ok(!candidates.has(tensor));
          continue;
        }
        // Forward reachability from x, with `tensor` blocked: an independent check of separation.
        const reached = new Set(['x']);
        for (const other of nodes) if (other !== node && other.input!.some((input) => reached.has(input))) reached.add(other.output![0]!);
        const separates = ![...outputs].some((output) => output !== undefined && reached.has(output));
        assert.equal(candidates.has(tensor), separates, `tensor ${tensor}`);
      }
    }), { numRuns: 200, seed: 7 });
  });
});
