import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { makeTempDir, request, startTestServer, type TestServer } from '../support/server-harness.js';
import { writeAddSubModel, writeCorruptModel, writeIdentityModel } from '../support/test-models.js';

let server: TestServer;
let limited: TestServer;
let cleanup: () => Promise<void>;

before(async () => {
  const tmp = await makeTempDir();
  cleanup = tmp.cleanup;
  await writeAddSubModel(tmp.dir);
  await writeIdentityModel(tmp.dir, 'identity_uint8', 'UINT8', { batched: true, dims: [-1] });
  await writeIdentityModel(tmp.dir, 'identity_fp32', 'FP32', { dims: [3] });
  await writeIdentityModel(tmp.dir, 'identity_bytes', 'BYTES', { batched: true, dims: [-1] });
  await writeCorruptModel(tmp.dir);
  server = await startTestServer(tmp.dir);
  limited = await startTestServer(tmp.dir, { maxTensorBytes: 64, maxBodyBytes: 4096 });
});

after(async () => {
  await server?.close();
  await limited?.close();
  await cleanup?.();
});

const addSubInputs = (overrides: Record<string, unknown> = {}) => [
  { name: 'INPUT0', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4], ...overrides },
  { name: 'INPUT1', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] },
];

interface Case {
  title: string;
  path?: string;
  body: unknown;
  status: number;
  code: string;
  message: RegExp;
}

const CASES: Case[] = [
  { title: 'unknown model', path: '/v2/models/no_such_model/infer', body: { inputs: addSubInputs() }, status: 404, code: 'ERR_MODEL_NOT_FOUND', message: /unknown model 'no_such_model'; the repository has: add_sub/ },
  { title: 'unknown version', path: '/v2/models/add_sub/versions/9/infer', body: { inputs: addSubInputs() }, status: 404, code: 'ERR_MODEL_VERSION_NOT_FOUND', message: /model 'add_sub' has no version "9"/ },
  { title: 'a model that failed to load', path: '/v2/models/corrupt/infer', body: { inputs: addSubInputs() }, status: 503, code: 'ERR_MODEL_NOT_READY', message: /model 'corrupt' has no ready version .*onnxruntime could not load/ },
  { title: 'malformed JSON', body: '{"inputs": [', status: 400, code: 'ERR_INVALID_REQUEST', message: /not valid JSON/ },
  { title: 'an empty body', body: '', status: 400, code: 'ERR_INVALID_REQUEST', message: /body is empty/ },
  { title: 'a body that is not an object', body: [1, 2], status: 400, code: 'ERR_INVALID_REQUEST', message: /object/ },
  { title: 'no inputs', body: { id: 'x' }, status: 400, code: 'ERR_INVALID_REQUEST', message: /inputs/ },
  { title: 'a missing input', body: { inputs: addSubInputs().slice(0, 1) }, status: 400, code: 'ERR_INPUT_MISSING', message: /needs input 'INPUT1' \(FP32 \[batch,4\]\)/ },
  { title: 'an extra input', body: { inputs: [...addSubInputs(), { name: 'INPUT9', shape: [1], datatype: 'FP32', data: [1] }] }, status: 400, code: 'ERR_INPUT_UNKNOWN', message: /input 'INPUT9' is not an input of model 'add_sub'; its inputs are: INPUT0 \(FP32 \[batch,4\]\), INPUT1/ },
  { title: 'a duplicate input', body: { inputs: [...addSubInputs(), addSubInputs()[0]] }, status: 400, code: 'ERR_INPUT_DUPLICATE', message: /INPUT0/ },
  { title: 'a wrong datatype', body: { inputs: addSubInputs({ datatype: 'INT32' }) }, status: 400, code: 'ERR_INPUT_DATATYPE', message: /input 'INPUT0': datatype INT32 but model 'add_sub' expects FP32/ },
  { title: 'an unknown datatype', body: { inputs: addSubInputs({ datatype: 'FLOAT' }) }, status: 400, code: 'ERR_INPUT_DATATYPE', message: /INPUT0.*FLOAT/ },
  { title: 'a shape without the batch dimension', body: { inputs: addSubInputs({ shape: [4] }) }, status: 400, code: 'ERR_INPUT_SHAPE', message: /input 'INPUT0': shape \[4\] has rank 1 but model 'add_sub' expects \[batch,4\] \(rank 2\); max_batch_size is 8, so requests carry a leading batch dimension/ },
  { title: 'a batch above max_batch_size', body: { inputs: addSubInputs({ shape: [9, 4], data: new Array(36).fill(0) }) }, status: 400, code: 'ERR_INPUT_SHAPE', message: /batch size 9 .* between 1 and max_batch_size 8/ },
  { title: 'a wrong dimension', body: { inputs: addSubInputs({ shape: [2, 2] }) }, status: 400, code: 'ERR_INPUT_SHAPE', message: /shape \[2,2\] does not match \[batch,4\].*dim 1 is 2, expected 4/ },
  { title: 'fewer elements than the shape', body: { inputs: addSubInputs({ data: [1, 2, 3] }) }, status: 400, code: 'ERR_INPUT_SHAPE', message: /INPUT0.*\[1,4\] needs 4 elements but data has 3/ },
  { title: 'a non-integer dim', body: { inputs: addSubInputs({ shape: [1, 4.5] }) }, status: 400, code: 'ERR_INPUT_SHAPE', message: /INPUT0.*4\.5/ },
  { title: 'a negative dim', body: { inputs: addSubInputs({ shape: [-1, 4] }) }, status: 400, code: 'ERR_INPUT_SHAPE', message: /INPUT0.*non-negative/ },
  { title: 'a string for FP32', body: { inputs: addSubInputs({ data: [1, 'abc', 3, 4] }) }, status: 400, code: 'ERR_INPUT_DATA', message: /INPUT0.*FP32.*element 1/ },
  { title: '300 for UINT8', path: '/v2/models/identity_uint8/infer', body: { inputs: [{ name: 'INPUT0', shape: [1, 2], datatype: 'UINT8', data: [1, 300] }] }, status: 400, code: 'ERR_INPUT_DATA', message: /INPUT0.*UINT8.*element 1 is 300.*0\.\.255/ },
  { title: 'a number for BYTES', path: '/v2/models/identity_bytes/infer', body: { inputs: [{ name: 'INPUT0', shape: [1, 1], datatype: 'BYTES', data: [5] }] }, status: 400, code: 'ERR_INPUT_DATA', message: /INPUT0.*BYTES.*element 0/ },
  { title: 'an unknown requested output', body: { inputs: addSubInputs(), outputs: [{ name: 'OUT' }] }, status: 400, code: 'ERR_OUTPUT_UNKNOWN', message: /requested output 'OUT' is not an output of model 'add_sub'; its outputs are: OUTPUT0, OUTPUT1/ },
  { title: 'a rank mismatch on an unbatched model', path: '/v2/models/identity_fp32/infer', body: { inputs: [{ name: 'INPUT0', shape: [1, 3], datatype: 'FP32', data: [1, 2, 3] }] }, status: 400, code: 'ERR_INPUT_SHAPE', message: /max_batch_size is 0, so the shape must match the config dims \[3\] exactly, with no batch dimension/ },
  { title: 'a model name that escapes the repository', path: '/v2/models/..%2F..%2Fetc/infer', body: { inputs: addSubInputs() }, status: 400, code: 'ERR_MODEL_NAME_INVALID', message: /contains a path separator/ },
];

describe('HTTP bad input', () => {
  for (const c of CASES) {
    it(`answers ${c.status} ${c.code} for ${c.title}`, async () => {
      const response = await request(`${server.url}${c.path ?? '/v2/models/add_sub/infer'}`, 'POST', c.body, { 'content-type': 'application/json' });
      assert.equal(response.status, c.status, JSON.stringify(response.body));
      const body = response.body as { error: string; code: string };
      assert.equal(body.code, c.code, body.error);
      assert.match(body.error, c.message);
    });
  }

  it('refuses a tensor over the tensor size limit with 413', async () => {
    const response = await request(`${limited.url}/v2/models/add_sub/infer`, 'POST', { inputs: [
      { name: 'INPUT0', shape: [5, 4], datatype: 'FP32', data: new Array(20).fill(1) },
      { name: 'INPUT1', shape: [5, 4], datatype: 'FP32', data: new Array(20).fill(1) },
    ] });
    assert.equal(response.status, 413);
    assert.deepEqual(response.body, { error: "input 'INPUT0': 80 bytes exceeds the tensor size limit of 64 bytes", code: 'ERR_TENSOR_TOO_LARGE' });
  });

  it('refuses a body over the body limit with 413', async () => {
    const response = await request(`${limited.url}/v2/models/add_sub/infer`, 'POST', { inputs: addSubInputs({ data: new Array(2000).fill(1) }) });
    assert.equal(response.status, 413);
    assert.deepEqual(response.body, { error: 'the request body exceeds the limit of 4096 bytes', code: 'ERR_BODY_TOO_LARGE' });
  });

  it('answers unknown routes and models with 404 JSON errors', async () => {
    const route = await request(`${server.url}/v2/nothing`, 'GET');
    assert.deepEqual([route.status, route.body], [404, { error: 'no endpoint GET /v2/nothing', code: 'ERR_ROUTE_NOT_FOUND' }]);
    const metadata = await request(`${server.url}/v2/models/nope`, 'GET');
    assert.equal(metadata.status, 404);
    assert.equal((metadata.body as { code: string }).code, 'ERR_MODEL_NOT_FOUND');
    const config = await request(`${server.url}/v2/models/nope/config`, 'GET');
    assert.equal(config.status, 404);
  });

  it('rejects a malformed repository index filter', async () => {
    const response = await request(`${server.url}/v2/repository/index`, 'POST', { ready: 'yes' });
    assert.equal(response.status, 400);
    assert.match((response.body as { error: string }).error, /"ready" must be a boolean/);
  });

  it('is still healthy and serving after every bad request', async () => {
    assert.equal((await request(`${server.url}/v2/health/live`, 'GET')).status, 200);
    const ok = await request(`${server.url}/v2/models/add_sub/infer`, 'POST', { inputs: addSubInputs() });
    assert.equal(ok.status, 200);
  });
});
