import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { dequantizeWeights, percentileRange, quantizeBias, quantizeValue, quantizeWeights, rangeParams, roundHalfToEven } from '../../src/tools/quantize/index.js';

const weight = fc.float({ min: -8, max: 8, noNaN: true, noDefaultInfinity: true });

/** A [rows, columns] matrix as flat float32 values. */
const matrix = fc.tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }))
  .chain(([rows, columns]) => fc.tuple(fc.constant([rows, columns]), fc.array(weight, { minLength: rows * columns, maxLength: rows * columns })));

function maxError(values: Float32Array, restored: Float32Array): number {
  return values.reduce((max, value, i) => Math.max(max, Math.abs(value - restored[i]!)), 0);
}

describe('quantizeWeights', () => {
  it('dequantize(quantize(w)) is within scale/2 of w, per tensor and per channel, int8 and uint8', () => {
    fc.assert(fc.property(matrix, fc.constantFrom(undefined, 0, 1), fc.constantFrom('INT8', 'UINT8'), fc.boolean(), ([dims, list], axis, type, symmetric) => {
      const values = Float32Array.from(list);
      const q = quantizeWeights(values, dims, { type: type, symmetric, ...(axis === undefined ? {} : { axis }) });
      const restored = dequantizeWeights(q);
      const columns = dims[1];
      values.forEach((value, i) => {
        const channel = axis === undefined ? 0 : axis === 0 ? Math.floor(i / columns) : i % columns;
        const scale = q.scales[channel]!;
        // Float32 rounding of the scale itself adds a hair on top of the half step.
        assert.ok(Math.abs(value - restored[i]!) <= scale / 2 + 1e-6 * Math.abs(value) + 1e-12, `w=${value} restored=${restored[i]} scale=${scale}`);
      });
      assert.equal(q.scales.length, axis === undefined ? 1 : dims[axis]);
      assert.ok(q.values instanceof (type === 'INT8' ? Int8Array : Uint8Array));
    }), { numRuns: 2000 });
  });

  it('uses -128 in asymmetric int8 when the zero point rounds to 0 (a fast-check counterexample)', () => {
    const values = new Float32Array(24);
    values[19] = 7.8754801750183105;
    values[21] = -7.8754963874816895;
    const q = quantizeWeights(values, [6, 4], { type: 'INT8', symmetric: false });
    assert.deepEqual(q.zeroPoints, [0]);
    assert.equal(q.values[21], -128);
    assert.ok(Math.abs(values[21] - dequantizeWeights(q)[21]!) <= q.scales[0]! / 2 + 1e-5);
  });

  it('symmetric int8 uses zero point 0 and never -128', () => {
    fc.assert(fc.property(matrix, ([dims, list]) => {
      const q = quantizeWeights(Float32Array.from(list), dims, { axis: 1 });
      assert.ok(q.zeroPoints.every((z) => z === 0));
      assert.ok(q.values.every((v) => v >= -127 && v <= 127));
    }));
  });

  it('represents zero exactly, whatever the range', () => {
    fc.assert(fc.property(weight, weight, fc.constantFrom('INT8', 'UINT8'), fc.boolean(), (a, b, type, symmetric) => {
      const params = rangeParams(Math.min(a, b), Math.max(a, b), type, symmetric);
      const q = quantizeValue(0, params, type);
      assert.equal((q - params.zeroPoint) * params.scale, 0);
    }));
  });

  it('per-channel scales beat one scale on channels with very different ranges', () => {
    // Column 0 spans ±100, column 1 ±0.01: one scale leaves column 1 almost all zeros.
    const values = Float32Array.from({ length: 64 }, (_, i) => (i % 2 === 0 ? 100 : 0.01) * Math.sin(i + 1));
    const perTensor = dequantizeWeights(quantizeWeights(values, [32, 2]));
    const perChannel = dequantizeWeights(quantizeWeights(values, [32, 2], { axis: 1 }));
    const columnOne = (array: Float32Array): Float32Array => array.filter((_, i) => i % 2 === 1);
    assert.ok(maxError(columnOne(values), columnOne(perChannel)) < 1e-4);
    assert.ok(maxError(columnOne(values), columnOne(perTensor)) > 100 * maxError(columnOne(values), columnOne(perChannel)));
  });

  it('rejects bad input with a message naming the problem', () => {
    assert.throws(() => quantizeWeights(new Float32Array(5), [2, 3]), /dims \[2,3\] need 6 values, got 5/);
    assert.throws(() => quantizeWeights(new Float32Array(6), [2, 3], { axis: 2 }), /axis 2 is out of range for dims \[2,3\]/);
    assert.throws(() => quantizeWeights(Float32Array.from([1, Number.NaN]), [2]), /non-finite weight NaN at index 1/);
    assert.throws(() => rangeParams(1, 0, 'UINT8', false), /cannot quantize the range \[1, 0\]/);
  });
});

describe('rounding and biases', () => {
  it('rounds half to even, as QuantizeLinear does', () => {
    assert.deepEqual([0.5, 1.5, 2.5, -0.5, -1.5, 2.4, 2.6, -2.6].map(roundHalfToEven), [0, 2, 2, 0, -2, 2, 3, -3]);
  });

  it('quantizes a bias to int32 with scale x_scale * w_scale per channel', () => {
    const { values, scales } = quantizeBias(Float32Array.from([1, -2, 0.5]), 0.1, Float32Array.from([0.01, 0.02, 0.04]));
    assert.deepEqual([...scales].map((s) => Number(s.toPrecision(6))), [0.001, 0.002, 0.004]);
    assert.deepEqual([...values], [1000, -1000, 125]);
  });
});

describe('percentileRange', () => {
  it('cuts the tails holding at most (100 - p)% of the values on each side', () => {
    // 100 bins over [0, 100): 1000 values in bin 50, one outlier each in bins 0 and 99.
    const histogram = new Float64Array(100);
    histogram[50] = 1000;
    histogram[0] = 1;
    histogram[99] = 1;
    assert.deepEqual(percentileRange(histogram, { min: 0, max: 100 }, 99.9), { min: 50, max: 51 });
    assert.deepEqual(percentileRange(histogram, { min: 0, max: 100 }, 100), { min: 0, max: 100 });
  });

  it('keeps the range of a constant tensor', () => {
    assert.deepEqual(percentileRange(new Float64Array([5, 0]), { min: 2, max: 2 }, 99), { min: 2, max: 2 });
  });
});
