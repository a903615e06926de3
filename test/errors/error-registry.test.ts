import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ERROR_CODES, ERROR_KINDS, InferenceError, renderErrorDocs, toInferenceError } from '../../src/errors/index.js';

describe('error registry', () => {
  it('gives every code a kind with an HTTP and a gRPC status', () => {
    for (const [code, entry] of Object.entries(ERROR_CODES)) {
      assert.ok(code.startsWith('ERR_'), code);
      assert.ok(ERROR_KINDS[entry.kind], `${code} has kind ${entry.kind}`);
      assert.ok(entry.meaning.length > 10 && entry.fix.length > 5, `${code} is documented`);
    }
  });

  it('maps kinds to the statuses Triton and KServe clients expect', () => {
    assert.equal(new InferenceError('ERR_MODEL_NOT_FOUND', 'x').httpStatus, 404);
    assert.equal(new InferenceError('ERR_MODEL_NOT_FOUND', 'x').grpcStatus, 5);
    assert.equal(new InferenceError('ERR_INPUT_SHAPE', 'x').httpStatus, 400);
    assert.equal(new InferenceError('ERR_INPUT_SHAPE', 'x').grpcStatus, 3);
    assert.equal(new InferenceError('ERR_BODY_TOO_LARGE', 'x').httpStatus, 413);
    assert.equal(new InferenceError('ERR_MODEL_NOT_READY', 'x').httpStatus, 503);
    assert.equal(new InferenceError('ERR_BACKEND_RUNTIME', 'x').httpStatus, 500);
    assert.equal(new InferenceError('ERR_DATATYPE_UNSUPPORTED', 'x').httpStatus, 501);
  });

  it('wraps foreign errors and keeps its own', () => {
    const own = new InferenceError('ERR_INPUT_DATA', 'bad');
    assert.equal(toInferenceError(own), own);
    const wrapped = toInferenceError(new RangeError('boom'), 'ERR_BACKEND_RUNTIME');
    assert.equal(wrapped.code, 'ERR_BACKEND_RUNTIME');
    assert.equal(wrapped.message, 'boom');
    assert.ok(wrapped.cause instanceof RangeError);
  });

  it('has docs/errors.md in step with the registry', () => {
    const committed = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
    assert.equal(committed, renderErrorDocs(), 'docs/errors.md is stale: run npm run build && node dist/scripts/generate-error-docs.js');
  });
});
