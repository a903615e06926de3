// Bodies of the HTTP repository extension (index, load, unload) and the bearer token header.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  bearerAuthorization, checkBearerToken, decodeModelLoadBody, decodeModelUnloadBody, decodeRepositoryIndexBody, encodeModelLoadBody,
  encodeModelUnloadBody, readBearerToken,
} from '../../../src/protocol/index.js';
import { InferenceError } from '../../../src/errors/index.js';

const body = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('repository index body', () => {
  it('is optional; ready filters; other fields are ignored as Triton does', () => {
    assert.deepEqual(decodeRepositoryIndexBody(undefined), { readyOnly: false });
    assert.deepEqual(decodeRepositoryIndexBody(body('')), { readyOnly: false });
    assert.deepEqual(decodeRepositoryIndexBody(body(' \n')), { readyOnly: false });
    assert.deepEqual(decodeRepositoryIndexBody(body('{"ready":true}')), { readyOnly: true });
    assert.deepEqual(decodeRepositoryIndexBody(body('{"ready":false,"x":1}')), { readyOnly: false });
  });

  it('refuses a ready that is not a boolean, and bodies that are not JSON objects', () => {
    assert.throws(() => decodeRepositoryIndexBody(body('{"ready":"yes"}')), { code: 'ERR_INVALID_REQUEST', message: '"ready" must be a boolean, got "yes"' });
    assert.throws(() => decodeRepositoryIndexBody(body('ready=true')), { code: 'ERR_INVALID_REQUEST', message: /^the repository index request body is not JSON: / });
    assert.throws(() => decodeRepositoryIndexBody(body('[]')), { code: 'ERR_INVALID_REQUEST', message: 'the repository index request body must be a JSON object' });
    assert.throws(() => decodeRepositoryIndexBody(new Uint8Array([0x7b, 0xff, 0x7d])), { code: 'ERR_INVALID_REQUEST', message: /is not JSON/ });
  });
});

describe('load body', () => {
  it('round-trips any config text through encode and decode', () => {
    fc.assert(fc.property(fc.option(fc.string({ unit: 'binary' }), { nil: undefined }), (config) => {
      const parameters = config === undefined ? {} : { config };
      assert.deepEqual(decodeModelLoadBody(body(encodeModelLoadBody(parameters))), parameters);
    }));
  });

  it("sends config as a JSON string, Triton's form", () => {
    assert.equal(encodeModelLoadBody({ config: '{"max_batch_size":2}' }), '{"parameters":{"config":"{\\"max_batch_size\\":2}"}}');
    assert.equal(encodeModelLoadBody({}), '{}');
  });

  it('takes no body, an empty object, empty parameters, and a config object (stringified)', () => {
    for (const text of ['', '{}', '{"parameters":{}}']) assert.deepEqual(decodeModelLoadBody(body(text)), {}, text);
    assert.deepEqual(decodeModelLoadBody(undefined), {});
    assert.deepEqual(decodeModelLoadBody(body('{"parameters":{"config":{"max_batch_size":2,"input":[]}}}')), { config: '{"max_batch_size":2,"input":[]}' });
  });

  it('refuses file overrides, unknown parameters and bad config values with ERR_REQUEST_PARAMETER', () => {
    assert.throws(() => decodeModelLoadBody(body('{"parameters":{"config":"{}","file:1/model.onnx":"AAEC"}}')), { code: 'ERR_REQUEST_PARAMETER', message: /^file overrides are not supported/ });
    assert.throws(() => decodeModelLoadBody(body('{"parameters":{"confg":"{}"}}')), { code: 'ERR_REQUEST_PARAMETER', message: 'unknown load parameter "confg"; load takes "config"' });
    const values: [string, string][] = [['2', 'a number (2)'], ['null', 'null'], ['["a"]', 'an array'], ['true', 'a boolean (true)']];
    for (const [value, got] of values) {
      assert.throws(() => decodeModelLoadBody(body(`{"parameters":{"config":${value}}}`)), { code: 'ERR_REQUEST_PARAMETER', message: new RegExp(`^parameter "config" must be the model configuration as JSON text .*, got ${got.replace(/[()[\]]/g, '\\$&')}$`) }, value);
    }
  });

  it('refuses malformed bodies with ERR_INVALID_REQUEST', () => {
    assert.throws(() => decodeModelLoadBody(body('{"parameters":')), { code: 'ERR_INVALID_REQUEST', message: /^the load request body is not JSON: / });
    assert.throws(() => decodeModelLoadBody(body('"config"')), { code: 'ERR_INVALID_REQUEST', message: 'the load request body must be a JSON object' });
    assert.throws(() => decodeModelLoadBody(body('{"parameters":["config"]}')), { code: 'ERR_INVALID_REQUEST', message: '"parameters" of the load request must be an object, got ["config"]' });
    assert.throws(() => decodeModelLoadBody(body('{"parameter":{"config":"{}"}}')), { code: 'ERR_INVALID_REQUEST', message: 'unknown field "parameter" in the load request; the body is {"parameters": {...}}' });
  });
});

describe('unload body', () => {
  it('round-trips unload_dependents', () => {
    for (const parameters of [{ unloadDependents: true }, { unloadDependents: false }, {}]) {
      assert.deepEqual(decodeModelUnloadBody(body(encodeModelUnloadBody(parameters))), parameters);
    }
    assert.equal(encodeModelUnloadBody({ unloadDependents: false }), '{"parameters":{"unload_dependents":false}}');
    assert.deepEqual(decodeModelUnloadBody(undefined), {});
  });

  it('refuses values that are not booleans, and unknown parameters', () => {
    assert.throws(() => decodeModelUnloadBody(body('{"parameters":{"unload_dependents":"true"}}')), { code: 'ERR_REQUEST_PARAMETER', message: 'parameter "unload_dependents" must be a boolean, got a string' });
    assert.throws(() => decodeModelUnloadBody(body('{"parameters":{"config":"{}"}}')), { code: 'ERR_REQUEST_PARAMETER', message: 'unknown unload parameter "config"; unload takes "unload_dependents"' });
  });
});

describe('bearer token', () => {
  it('reads Bearer <token> with any case of the scheme and surrounding blanks', () => {
    for (const value of ['Bearer s3cret', 'bearer s3cret', 'BEARER  s3cret ', ['Bearer s3cret']]) {
      assert.deepEqual(readBearerToken(value), { kind: 'bearer', token: 's3cret' }, String(value));
    }
    assert.equal(bearerAuthorization('s3cret'), 'Bearer s3cret');
  });

  it('tells an absent value from a malformed one, without quoting the value', () => {
    assert.deepEqual(readBearerToken(undefined), { kind: 'absent' });
    assert.deepEqual(readBearerToken([]), { kind: 'absent' });
    const cases: [string | string[], string][] = [
      ['Basic czNjcmV0', 'the authorization scheme must be Bearer'],
      ['s3cret', 'the authorization scheme must be Bearer'],
      ['Bearer', 'the authorization value has no token after "Bearer"'],
      ['Bearer a b', 'the authorization value is not "Bearer <token>"'],
      ['', 'the authorization value is not "Bearer <token>"'],
      [['Bearer a', 'Bearer b'], '2 authorization values were sent; send one'],
    ];
    for (const [value, problem] of cases) assert.deepEqual(readBearerToken(value), { kind: 'malformed', problem }, String(value));
  });

  it('checks the presented token; a malformed value counts as no token', () => {
    const seen: (string | undefined)[] = [];
    const open = (presented: string | undefined): void => void seen.push(presented);
    checkBearerToken('Bearer t', open);
    checkBearerToken(undefined, open);
    checkBearerToken('Basic t', open);
    assert.deepEqual(seen, ['t', undefined, undefined]);

    const closed = (presented: string | undefined): void => {
      if (presented !== 'right') throw new InferenceError('ERR_UNAUTHENTICATED', 'wrong');
    };
    assert.doesNotThrow(() => checkBearerToken('Bearer right', closed));
    assert.throws(() => checkBearerToken('right', closed), { code: 'ERR_UNAUTHENTICATED', message: 'the authorization scheme must be Bearer; send Authorization: Bearer <token>' });
    assert.throws(() => checkBearerToken('Bearer wrong', closed), { code: 'ERR_UNAUTHENTICATED', message: 'wrong' });
  });
});
