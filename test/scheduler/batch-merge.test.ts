import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Tensor } from '../../src/core/index.js';
import { InferenceError } from '../../src/errors/index.js';
import { batchKey, mergeInputs, splitOutputs } from '../../src/scheduler/batch-merge.js';
import { computeOutputs, scheduled } from './fake-model.js';

const utf8 = new TextEncoder();
const LABEL = "model 'mlp' version 1";

/** Three requests of 1, 3 and 2 rows with an FP32 [rows, 2], an INT64 [rows, 3] and a BYTES [rows, 1] input. */
function requests() {
  return [1, 3, 2].map((rows, r) => scheduled([
    { name: 'F', datatype: 'FP32', shape: [rows, 2], data: Float32Array.from({ length: rows * 2 }, (_, i) => r * 100 + i + 0.5) },
    { name: 'I', datatype: 'INT64', shape: [rows, 3], data: BigInt64Array.from({ length: rows * 3 }, (_, i) => BigInt(r) * 2n ** 40n - BigInt(i)) },
    { name: 'S', datatype: 'BYTES', shape: [rows, 1], data: Array.from({ length: rows }, (_, i) => utf8.encode(`r${r}-${i}-${'x'.repeat(i)}`)) },
  ]));
}

describe('mergeInputs / splitOutputs', () => {
  it('batched results equal unbatched results element for element (FP32, INT64, BYTES)', () => {
    const batch = requests();
    const merged = mergeInputs(batch);
    assert.deepEqual(merged.map((t) => t.shape), [[6, 2], [6, 3], [6, 1]]);
    const outputNames = batch[0]!.outputNames;
    const split = splitOutputs(LABEL, outputNames, computeOutputs({ inputs: merged, outputNames }), batch.map((r) => r.batchSize));
    assert.equal(split.length, 3);
    batch.forEach((request, index) => {
      assert.deepEqual(split[index], computeOutputs(request), `request ${index}`);
    });
  });

  it('concatenates inputs in request order into one fresh array per input', () => {
    const batch = requests();
    const [f, i, s] = mergeInputs(batch) as [Tensor, Tensor, Tensor];
    assert.deepEqual(Array.from(f.data as Float32Array), batch.flatMap((r) => Array.from(r.inputs[0]!.data as Float32Array)));
    assert.deepEqual(Array.from(i.data as BigInt64Array), batch.flatMap((r) => Array.from(r.inputs[1]!.data as BigInt64Array)));
    assert.deepEqual(s.data, batch.flatMap((r) => r.inputs[2]!.data));
    assert.equal((f.data as Float32Array).byteOffset, 0);
    assert.equal((f.data as Float32Array).buffer.byteLength, 6 * 2 * 4, 'the merged array owns its whole buffer (transferable)');
  });

  it('passes a single request through without copying, both ways', () => {
    const [request] = requests();
    const inputs = mergeInputs([request!]);
    assert.equal(inputs, request!.inputs);
    const outputs = computeOutputs({ inputs, outputNames: request!.outputNames });
    const [split] = splitOutputs(LABEL, request!.outputNames, outputs, [1]);
    split!.forEach((tensor, k) => assert.equal(tensor, outputs[k]));
  });

  it('splits numeric outputs as views of the execution output, each with its own rows and shape', () => {
    const output: Tensor = { name: 'Y', datatype: 'FP32', shape: [5, 2], data: Float32Array.from({ length: 10 }, (_, i) => i) };
    const split = splitOutputs(LABEL, ['Y'], [output], [2, 0, 3]);
    assert.deepEqual(split.map(([t]) => t!.shape), [[2, 2], [0, 2], [3, 2]]);
    assert.deepEqual(split.map(([t]) => Array.from(t!.data as Float32Array)), [[0, 1, 2, 3], [], [4, 5, 6, 7, 8, 9]]);
    assert.equal((split[2]![0]!.data as Float32Array).buffer, output.data.buffer);
  });

  it('fails with ERR_BACKEND_RUNTIME when an output lost the batch dimension', () => {
    const output: Tensor = { name: 'Y', datatype: 'FP32', shape: [4], data: new Float32Array(4) };
    assert.throws(() => splitOutputs(LABEL, ['Y'], [output], [2, 3]), (error: unknown) => {
      assert.ok(error instanceof InferenceError);
      assert.equal(error.code, 'ERR_BACKEND_RUNTIME');
      assert.equal(error.message, "model 'mlp' version 1: output 'Y' has shape [4], but its first dim must be the batch size 5 "
        + '(the rows of the 2 request(s) run together); with max_batch_size > 0 every output must keep the batch dimension');
      return true;
    });
    const scalar: Tensor = { name: 'Y', datatype: 'FP32', shape: [], data: new Float32Array(1) };
    assert.throws(() => splitOutputs(LABEL, ['Y'], [scalar], [1]), { code: 'ERR_BACKEND_RUNTIME' });
  });

  it('fails when the backend returns another number of outputs, or data that does not fill the shape', () => {
    assert.throws(() => splitOutputs(LABEL, ['A', 'B'], [], [1]), { code: 'ERR_BACKEND_RUNTIME', message: /returned 0 output\(s\) for the 2 requested \(A, B\)/ });
    const short: Tensor = { name: 'Y', datatype: 'FP32', shape: [2, 2], data: new Float32Array(3) };
    assert.throws(() => splitOutputs(LABEL, ['Y'], [short], [1, 1]), { code: 'ERR_BACKEND_RUNTIME', message: /shape \[2,2\] but 3 element/ });
  });

  it('keys requests by input names, order, datatypes, non-batch dims and outputs, not by batch size', () => {
    const x = (rows: number, cols: number) => scheduled([{ name: 'X', datatype: 'FP32', shape: [rows, cols], data: new Float32Array(rows * cols) }]);
    assert.equal(batchKey(x(1, 3)), batchKey(x(5, 3)));
    assert.notEqual(batchKey(x(1, 3)), batchKey(x(1, 4)));
    const int = scheduled([{ name: 'X', datatype: 'INT64', shape: [1, 3], data: new BigInt64Array(3) }]);
    assert.notEqual(batchKey(x(1, 3)), batchKey(int));
    assert.notEqual(batchKey(x(1, 3)), batchKey({ ...x(1, 3), outputNames: [] }));
  });
});
