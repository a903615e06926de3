import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import ort from 'onnxruntime-node';
import {
  compareModels, compareOutputs, formatBytes, formatComparison, parseShapeOption, randomFeeds, readSampleFile, resolveInputSpecs,
  seededRandom, type InputSpec,
} from '../../src/tools/evaluate/index.js';
import { decodeModel, GraphBuilder } from '../../src/tools/onnx/index.js';
import { makeTempDir } from '../support/server-harness.js';
import { buildMlpModel } from '../support/test-models.js';

const tensor = (values: number[], dims: number[]): ort.Tensor => new ort.Tensor('float32', Float32Array.from(values), dims);

/** y = x * factor, in FP32 or FP16 throughout. */
function scaleModel(factor: number, datatype: 'FP32' | 'FP16'): Uint8Array {
  const g = new GraphBuilder('scale');
  const x = g.input('x', datatype, ['batch', 3]);
  const k = g.initializer('k', datatype, [1], datatype === 'FP32' ? [factor] : Uint16Array.of(factor === 2 ? 0x4000 : 0x3c00));
  g.output(g.node('Mul', [x, k]), 'y', datatype, ['batch', 3]);
  return g.toBytes({ opset: 17 });
}

describe('input specs', () => {
  const model = decodeModel(buildMlpModel([4, 3]));

  it('resolves the dynamic batch dim and applies shape overrides', () => {
    assert.deepEqual(resolveInputSpecs(model), [{ name: 'x', datatype: 'FP32', dims: [1, 4] }]);
    assert.deepEqual(resolveInputSpecs(model, { batch: 8 })[0]!.dims, [8, 4]);
    assert.deepEqual(resolveInputSpecs(model, { shapes: { x: [5, 4] } })[0]!.dims, [5, 4]);
  });

  it('refuses overrides that do not fit the model', () => {
    assert.throws(() => resolveInputSpecs(model, { shapes: { nope: [1, 4] } }), /input 'nope'.*inputs are 'x'/);
    assert.throws(() => resolveInputSpecs(model, { shapes: { x: [1, 4, 1] } }), /rank 3.*rank 2/);
    assert.throws(() => resolveInputSpecs(model, { shapes: { x: [1, 5] } }), /dim 1 is fixed to 4/);
    assert.throws(() => resolveInputSpecs(model, { batch: 0 }), /positive integer/);
  });

  it('parses --shape values and names the bad one', () => {
    assert.deepEqual(parseShapeOption(['x=1,3,224,224', 'mask=1']), { x: [1, 3, 224, 224], mask: [1] });
    assert.throws(() => parseShapeOption(['x=1,a']), /"x=1,a" is not NAME=D1,D2/);
    assert.throws(() => parseShapeOption(['x']), /"x" is not NAME=/);
    assert.throws(() => parseShapeOption(['x=0,3']), /at least 1/);
    assert.throws(() => parseShapeOption(['x=1', 'x=2']), /'x' twice/);
  });
});

describe('feeds', () => {
  const specs: InputSpec[] = [{ name: 'x', datatype: 'FP32', dims: [2, 3] }, { name: 'ids', datatype: 'INT64', dims: [2] }];
  let temp: { dir: string; cleanup: () => Promise<void> };
  before(async () => { temp = await makeTempDir(); });
  after(async () => { await temp.cleanup(); });

  it('makes the same random inputs for the same seed, within the documented ranges', () => {
    const a = randomFeeds(specs, seededRandom(1));
    const b = randomFeeds(specs, seededRandom(1));
    const c = randomFeeds(specs, seededRandom(2));
    assert.deepEqual(a.x!.data, b.x!.data);
    assert.notDeepEqual(a.x!.data, c.x!.data);
    assert.deepEqual(a.x!.dims, [2, 3]);
    for (const value of a.x!.data as Float32Array) assert.ok(value >= -1 && value < 1);
    assert.equal(a.ids!.type, 'int64');
    for (const value of a.ids!.data as BigInt64Array) assert.ok(value >= 0n && value < 10n);
  });

  it('reads nested and flat samples from a JSON file', async () => {
    const path = join(temp.dir, 'samples.json');
    await writeFile(path, JSON.stringify([{ x: [[1, 2, 3], [4, 5, 6]], ids: [1, 2] }, { x: [0, 0, 0, 0, 0, 1], ids: [3, 4] }]));
    const samples = await readSampleFile(path, specs);
    assert.equal(samples.length, 2);
    assert.deepEqual(Array.from(samples[0]!.x!.data as Float32Array), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(samples[1]!.x!.dims, [2, 3]);
    assert.deepEqual(Array.from(samples[1]!.ids!.data as BigInt64Array), [3n, 4n]);
  });

  it('names the file, sample and input when a sample does not fit', async () => {
    const cases: [unknown, RegExp][] = [
      [{ not: 'an array' }, /non-empty JSON array/],
      [[{ x: [[1, 2, 3], [4, 5]], ids: [1, 2] }], /sample 0 input 'x' is ragged/],
      [[{ x: [1, [2, 3], 4, 5, 6, 7], ids: [1, 2] }], /sample 0 input 'x' is ragged/],
      [[{ x: [1, 2, 3, 4, 5, 6] }], /sample 0 lacks input 'ids'/],
      [[{ x: [1, 2, 3, 4, 5, 6], ids: [1, 2], extra: [1] }], /sample 0 has input 'extra', which the model does not have/],
      [[{ x: [1, 2, 3], ids: [1, 2] }], /input 'x' has 3 values, but shape \[2,3\] needs 6/],
      [[{ x: [1, 2, 3, 4, 5, 'six'], ids: [1, 2] }], /holds "six", which is not a finite number/],
    ];
    for (const [content, expected] of cases) {
      const path = join(temp.dir, 'bad.json');
      await writeFile(path, JSON.stringify(content));
      await assert.rejects(readSampleFile(path, specs), (error: Error) => {
        assert.match(error.message, expected);
        assert.ok(error.message.includes('bad.json'), error.message);
        return true;
      });
    }
    await writeFile(join(temp.dir, 'broken.json'), '[{');
    await assert.rejects(readSampleFile(join(temp.dir, 'broken.json'), specs), /broken\.json is not JSON/);
    await assert.rejects(readSampleFile(join(temp.dir, 'missing.json'), specs), /cannot read the samples file .*missing\.json/);
  });
});

describe('compareOutputs', () => {
  it('measures max and mean abs difference, cosine and top-1 agreement', () => {
    const reference = [{ y: tensor([1, 0, 0, 0, 2, 0], [2, 3]) }];
    const candidate = [{ y: tensor([1, 0, 0, 3, 2, 0], [2, 3]) }];
    const [difference] = compareOutputs(reference, candidate);
    assert.equal(difference!.maxAbs, 3);
    assert.equal(difference!.meanAbs, 0.5);
    assert.ok(Math.abs(difference!.cosine - 5 / Math.sqrt(5 * 14)) < 1e-12);
    assert.equal(difference!.top1Agreement, 0.5);
    assert.equal(difference!.rows, 2);
  });

  it('has no top-1 for outputs without a class axis', () => {
    const [difference] = compareOutputs([{ y: tensor([1, 2], [2]) }], [{ y: tensor([1, 2], [2]) }]);
    assert.equal(difference!.top1Agreement, undefined);
    assert.equal(difference!.cosine, 1);
  });

  it('refuses outputs that disappeared or changed shape', () => {
    assert.throws(() => compareOutputs([{ y: tensor([1, 2], [2]) }], [{ z: tensor([1, 2], [2]) }]), /no output 'y'/);
    assert.throws(() => compareOutputs([{ y: tensor([1, 2], [2]) }], [{ y: tensor([1, 2], [1, 2]) }]), /changed shape from \[2\] to \[1,2\]/);
  });

  it('finds no difference between equal outputs, and agrees on every row (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 2, max: 6 }), fc.integer(), (rows, classes, seed) => {
      const random = seededRandom(seed);
      const values = Array.from({ length: rows * classes }, () => random() * 10 - 5);
      const [difference] = compareOutputs([{ y: tensor(values, [rows, classes]) }], [{ y: tensor(values, [rows, classes]) }]);
      assert.equal(difference!.maxAbs, 0);
      assert.equal(difference!.top1Agreement, 1);
      assert.ok(Math.abs(difference!.cosine - 1) < 1e-12);
    }));
  });
});

describe('compareModels', () => {
  it('runs both models on the same samples, and feeds an FP16 model from FP32 samples', async () => {
    const specs: InputSpec[] = [{ name: 'x', datatype: 'FP32', dims: [4, 3] }];
    const random = seededRandom(3);
    const samples = [randomFeeds(specs, random), randomFeeds(specs, random)];
    const same = await compareModels(scaleModel(2, 'FP32'), scaleModel(2, 'FP16'), samples, { latencyIterations: 3 });
    assert.equal(same.samples, 2);
    assert.ok(same.differences[0]!.maxAbs < 2e-3, `FP16 rounding only, got ${same.differences[0]!.maxAbs}`);
    assert.ok(same.differences[0]!.cosine > 0.99999);
    assert.equal(same.differences[0]!.top1Agreement, 1);
    const different = await compareModels(scaleModel(2, 'FP32'), scaleModel(1, 'FP16'), samples, { latencyIterations: 3 });
    assert.ok(different.differences[0]!.maxAbs > 0.1);
    assert.ok(same.latencyBeforeMs > 0 && same.latencyAfterMs > 0);
    const lines = formatComparison(same);
    assert.match(lines[0]!, /^size: \d+ B -> \d+ B/);
    assert.match(lines[1]!, /output 'y' over 2 samples: max abs diff .*top-1 agreement 100\.0% of 8 rows/);
    assert.match(lines[2]!, /median of 3 runs/);
  });

  it('reports a model onnxruntime cannot load', async () => {
    await assert.rejects(compareModels(scaleModel(2, 'FP32'), Uint8Array.of(1, 2, 3), [{ x: tensor([1, 2, 3], [1, 3]) }]), /onnxruntime-node could not load the model/);
  });

  it('formats byte counts', () => {
    assert.equal(formatBytes(512), '512 B');
    assert.equal(formatBytes(1536), '1.5 KiB');
    assert.equal(formatBytes(3 * 1024 * 1024), '3.0 MiB');
  });
});
