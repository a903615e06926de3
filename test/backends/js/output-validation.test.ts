import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { OutputSpec } from '../../../src/backends/js/js-model-config.js';
import { checkResponses, type CheckedBatch, type CheckedResult } from '../../../src/backends/js/output-validation.js';

const SPECS: OutputSpec[] = [
  { name: 'y', datatype: 'FP32', shape: [-1, 3] },
  { name: 'label', datatype: 'BYTES', shape: [-1] },
];
const BOTH = { outputNames: ['y', 'label'] };

const y = (rows = 1, data: unknown = new Float32Array(rows * 3)) => ({ datatype: 'FP32', shape: [rows, 3], data });
const label = (data: unknown = ['cat']) => ({ datatype: 'BYTES', shape: [1], data });

function results(batch: CheckedBatch): CheckedResult[] {
  assert.ok('results' in batch, `the batch failed: ${'failure' in batch ? batch.failure : ''}`);
  return batch.results;
}

/** The one request's error message, after checking its code. */
function errorOf(response: unknown, code = 'ERR_HANDLER_OUTPUT_INVALID', requests = [BOTH]): string {
  const [result] = results(checkResponses([response], requests, SPECS, 'm'));
  assert.ok(result && 'code' in result, 'the request should have failed');
  assert.equal(result.code, code);
  return result.message;
}

describe('checkResponses', () => {
  it('turns valid responses into tensors in the requested order, BYTES strings as UTF-8', () => {
    const data = new Float32Array([1, 2, 3, 4, 5, 6]);
    const [first, second] = results(checkResponses(
      [{ outputs: { label: { datatype: 'BYTES', shape: [2], data: ['chat', new Uint8Array([104, 105])] }, y: y(2, data), extra: 'ignored' } }, { outputs: { y: y() } }],
      [BOTH, { outputNames: ['y'] }],
      SPECS,
      'm',
    ));
    assert.ok(first && 'outputs' in first && second && 'outputs' in second);
    assert.deepEqual(first.outputs.map((t) => t.name), ['y', 'label']);
    assert.equal(first.outputs[0]!.data, data, 'numeric data is passed as it is, not copied');
    assert.deepEqual((first.outputs[1]!.data as Uint8Array[]).map((e) => Buffer.from(e).toString()), ['chat', 'hi']);
    assert.deepEqual(second.outputs.map((t) => [t.name, t.shape]), [['y', [1, 3]]]);
  });

  it('fails the batch when execute() does not return one response per request', () => {
    assert.deepEqual(checkResponses({ outputs: {} }, [BOTH], SPECS, 'm'), { failure: "model 'm': execute() must return an array with one response per request; it returned an object (Object)" });
    assert.deepEqual(checkResponses([{}, {}], [BOTH], SPECS, 'm'), { failure: "model 'm': execute() returned 2 response(s) for 1 request(s); it must return one per request, in order" });
    assert.deepEqual(checkResponses(undefined, [BOTH], SPECS, 'm'), { failure: "model 'm': execute() must return an array with one response per request; it returned undefined" });
  });

  it("passes a request's own error on, with the kind the handler gave", () => {
    assert.equal(errorOf({ error: 'bad pixel' }, 'ERR_BACKEND_RUNTIME'), "model 'm': bad pixel");
    assert.equal(errorOf({ error: 'bad pixel', kind: 'INVALID_ARG' }, 'ERR_HANDLER_INPUT_REJECTED'), "model 'm': bad pixel");
    assert.equal(errorOf({ error: new RangeError('out of range') }, 'ERR_BACKEND_RUNTIME'), "model 'm': out of range");
    assert.equal(errorOf({ error: 'x', kind: 'NOT_FOUND' }), "model 'm', request 0: error kind the string \"NOT_FOUND\" is not 'INVALID_ARG' or 'INTERNAL' (the error was: x)");
    assert.equal(errorOf({ error: 42 }), "model 'm', request 0: error is number 42; it must be a string (or an Error)");
  });

  it('names the model, the request and the output in every output problem', () => {
    const cases: [unknown, string][] = [
      [null, "model 'm', request 0: the response is null; return { outputs: { ... } } or { error: '...' }"],
      [{ outputs: [] }, "model 'm', request 0: outputs is an Array; it must be an object whose keys are output names"],
      [{ outputs: { y: y() } }, "model 'm', request 0: output 'label' is missing; the request asks for 'y', 'label' and the response has 'y'"],
      [{ outputs: { y: { ...y(), datatype: 'FP64' }, label: label() } }, "model 'm', request 0, output 'y': datatype the string \"FP64\" but the config declares FP32 (TYPE_FP32)"],
      [{ outputs: { y: y(1, [0, 0, 0]), label: label() } }, "model 'm', request 0, output 'y': FP32 data must be a Float32Array, got an Array"],
      [{ outputs: { y: y(1, new Float64Array(3)), label: label() } }, "model 'm', request 0, output 'y': FP32 data must be a Float32Array, got a Float64Array"],
      [{ outputs: { y: y(1, new Float32Array(4)), label: label() } }, "model 'm', request 0, output 'y': shape [1,3] needs 3 element(s) but data has 4"],
      [{ outputs: { y: { ...y(), shape: [1, 4] }, label: label() } }, "model 'm', request 0, output 'y': shape [1,4] does not match the config's [-1,3]: dim 1 is 4, expected 3"],
      [{ outputs: { y: { ...y(), shape: [3] }, label: label() } }, "model 'm', request 0, output 'y': shape [3] has rank 1 but the config declares [-1,3] (rank 2, the batch dimension first)"],
      [{ outputs: { y: { ...y(), shape: [1, -3] }, label: label() } }, "model 'm', request 0, output 'y': shape an Array [1,-3] must be an array of non-negative integers"],
      [{ outputs: { y: 'tensor', label: label() } }, "model 'm', request 0, output 'y': the string \"tensor\" is not a tensor { datatype, shape, data }"],
      [{ outputs: { y: y(), label: label('cat') } }, "model 'm', request 0, output 'label': BYTES data must be an array of strings or Uint8Array, got the string \"cat\""],
      [{ outputs: { y: y(), label: label([7]) } }, "model 'm', request 0, output 'label': BYTES element 0 is number 7, not a string or Uint8Array"],
      [{ outputs: { y: y(), label: label([]) } }, "model 'm', request 0, output 'label': shape [1] needs 1 element(s) but data has 0"],
    ];
    for (const [response, message] of cases) assert.equal(errorOf(response), message);
  });

  it('hints at a buffer moved away by an earlier response', () => {
    const moved = new Float32Array(3);
    structuredClone(moved.buffer, { transfer: [moved.buffer] });
    assert.match(errorOf({ outputs: { y: y(1, moved), label: label() } }), /needs 3 element\(s\) but data has 0 \(an empty array whose buffer is empty too: was it returned in an earlier response\?/);
  });

  it('fails only the request whose response is wrong', () => {
    const batch = results(checkResponses([{ outputs: { y: y(), label: label() } }, { outputs: {} }, { error: 'no' }], [BOTH, BOTH, BOTH], SPECS, 'm'));
    assert.deepEqual(batch.map((r) => ('code' in r ? r.code : 'ok')), ['ok', 'ERR_HANDLER_OUTPUT_INVALID', 'ERR_BACKEND_RUNTIME']);
    assert.match((batch[1] as { message: string }).message, /^model 'm', request 1: output 'y' is missing/);
  });
});
