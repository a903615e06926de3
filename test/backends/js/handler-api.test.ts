/**
 * @module
 * The handler author's API (wharf/backend) as a TypeScript author uses it: these lines must
 * compile, and the @ts-expect-error lines must not. At run time defineHandler is the identity.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defineHandler, type HandlerContext, type HandlerRequest, type HandlerResponse, type ModelHandler, type ModelHandlerClass } from '../../../src/backends/js/index.js';

const handler = defineHandler({
  initialize(context: HandlerContext): void {
    void context.parameters.factor;
  },
  execute(requests: readonly HandlerRequest[]): HandlerResponse[] {
    return requests.map(({ inputs }): HandlerResponse => {
      const x = inputs.x;
      if (x?.datatype !== 'FP32') return { error: 'x must be FP32', kind: 'INVALID_ARG' };
      return { outputs: { y: { datatype: 'FP32', shape: x.shape, data: x.data.map((v) => v * 2) }, label: { datatype: 'BYTES', shape: [1], data: ['ok'] } } };
    });
  },
});

class Counter implements ModelHandler {
  #calls = 0;
  execute(requests: readonly HandlerRequest[]): HandlerResponse[] {
    this.#calls += 1;
    return requests.map(() => ({ outputs: { n: { datatype: 'INT32', shape: [1], data: new Int32Array([this.#calls]) } } }));
  }
}
const asClass: ModelHandlerClass = Counter;

// @ts-expect-error BYTES data is strings or Uint8Array, not a typed array of numbers
const badBytes: HandlerResponse = { outputs: { s: { datatype: 'BYTES', shape: [1], data: new Float32Array(1) } } };
// @ts-expect-error an error kind is INVALID_ARG or INTERNAL
const badKind: HandlerResponse = { error: 'x', kind: 'NOT_FOUND' };

describe('handler API', () => {
  it('defineHandler returns its argument', () => {
    assert.equal(typeof handler.execute, 'function');
    assert.equal(defineHandler(handler), handler);
    assert.ok(new asClass() instanceof Counter);
    assert.ok(badBytes && badKind);
  });
});
