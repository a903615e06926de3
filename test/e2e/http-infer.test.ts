import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { makeTempDir, request, startTestServer, type TestServer } from '../support/server-harness.js';
import { writeTestRepository } from '../support/test-models.js';

let server: TestServer;
let cleanup: () => Promise<void>;

before(async () => {
  const tmp = await makeTempDir();
  cleanup = tmp.cleanup;
  await writeTestRepository(tmp.dir);
  server = await startTestServer(tmp.dir);
});

after(async () => {
  await server?.close();
  await cleanup?.();
});

const infer = (model: string, body: unknown) => request(`${server.url}/v2/models/${model}/infer`, 'POST', body);

interface InferBody {
  model_name: string;
  model_version: string;
  id?: string;
  outputs: { name: string; datatype: string; shape: number[]; data: unknown[] }[];
}

/** Values per datatype that probe each type's edges; JSON-exact so they must come back equal. */
const ROUND_TRIP_CASES: { datatype: string; data: unknown[] }[] = [
  { datatype: 'BOOL', data: [true, false, true] },
  { datatype: 'UINT8', data: [0, 255, 7] },
  { datatype: 'UINT16', data: [0, 65535, 300] },
  { datatype: 'UINT32', data: [0, 4294967295, 70000] },
  { datatype: 'UINT64', data: [0, 9007199254740991, 5] },
  { datatype: 'INT8', data: [-128, 127, 0] },
  { datatype: 'INT16', data: [-32768, 32767, -1] },
  { datatype: 'INT32', data: [-2147483648, 2147483647, 42] },
  { datatype: 'INT64', data: [-9007199254740991, 9007199254740991, -1] },
  { datatype: 'FP16', data: [0.5, -2, 65504] },
  { datatype: 'FP32', data: [0.5, -1.25, 3.4028234663852886e38] },
  { datatype: 'FP64', data: [0.1, -1e300, 5e-324] },
  { datatype: 'BYTES', data: ['hello', '', 'héllo ✓ 你好'] },
];

describe('HTTP inference with JSON tensors', () => {
  for (const { datatype, data } of ROUND_TRIP_CASES) {
    it(`round-trips ${datatype} through onnxruntime`, async () => {
      const response = await infer(`identity_${datatype.toLowerCase()}`, { inputs: [{ name: 'INPUT0', shape: [1, 3], datatype, data }] });
      assert.equal(response.status, 200, JSON.stringify(response.body));
      const body = response.body as InferBody;
      // FP32 is printed in its shortest form that reads back as the same float32.
      const comparable = (values: unknown[]) => (datatype === 'FP32' ? values.map((v) => Math.fround(v as number)) : values);
      assert.deepEqual(body.outputs.map((o) => ({ ...o, data: comparable(o.data) })), [{ name: 'OUTPUT0', datatype, shape: [1, 3], data: comparable(data) }]);
    });
  }

  it('keeps 64-bit integers exact beyond 2^53 when sent as decimal strings', async () => {
    const response = await fetch(`${server.url}/v2/models/identity_int64/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ inputs: [{ name: 'INPUT0', shape: [1, 2], datatype: 'INT64', data: ['9223372036854775807', '-9223372036854775808'] }] }),
    });
    const text = await response.text();
    assert.equal(response.status, 200, text);
    assert.match(text, /"data":\[9223372036854775807,-9223372036854775808\]/);
    const unsigned = await fetch(`${server.url}/v2/models/identity_uint64/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ inputs: [{ name: 'INPUT0', shape: [1, 1], datatype: 'UINT64', data: ['18446744073709551615'] }] }),
    });
    assert.match(await unsigned.text(), /"data":\[18446744073709551615\]/);
  });

  it('echoes the request id and names the model version', async () => {
    const response = await infer('identity_fp32', { id: 'req-42', inputs: [{ name: 'INPUT0', shape: [1, 1], datatype: 'FP32', data: [1] }] });
    const body = response.body as InferBody;
    assert.equal(body.id, 'req-42');
    assert.equal(body.model_name, 'identity_fp32');
    assert.equal(body.model_version, '1');
    const without = (await infer('identity_fp32', { inputs: [{ name: 'INPUT0', shape: [1, 1], datatype: 'FP32', data: [1] }] })).body as InferBody;
    assert.equal('id' in without, false);
  });

  it('accepts nested and flat data alike', async () => {
    const flat = await infer('add_sub', { inputs: [
      { name: 'INPUT0', shape: [2, 4], datatype: 'FP32', data: [1, 2, 3, 4, 5, 6, 7, 8] },
      { name: 'INPUT1', shape: [2, 4], datatype: 'FP32', data: [1, 1, 1, 1, 2, 2, 2, 2] },
    ] });
    const nested = await infer('add_sub', { inputs: [
      { name: 'INPUT0', shape: [2, 4], datatype: 'FP32', data: [[1, 2, 3, 4], [5, 6, 7, 8]] },
      { name: 'INPUT1', shape: [2, 4], datatype: 'FP32', data: [[1, 1, 1, 1], [2, 2, 2, 2]] },
    ] });
    assert.equal(flat.status, 200);
    assert.deepEqual(nested.body, flat.body);
    const outputs = (flat.body as InferBody).outputs;
    assert.deepEqual(outputs.map((o) => o.name), ['OUTPUT0', 'OUTPUT1']);
    assert.deepEqual(outputs[0]!.data, [2, 3, 4, 5, 7, 8, 9, 10]);
    assert.deepEqual(outputs[1]!.data, [0, 1, 2, 3, 3, 4, 5, 6]);
  });

  it('returns only the requested outputs, in the requested order', async () => {
    const inputs = [
      { name: 'INPUT0', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] },
      { name: 'INPUT1', shape: [1, 4], datatype: 'FP32', data: [4, 3, 2, 1] },
    ];
    const reversed = (await infer('add_sub', { inputs, outputs: [{ name: 'OUTPUT1' }, { name: 'OUTPUT0' }] })).body as InferBody;
    assert.deepEqual(reversed.outputs.map((o) => o.name), ['OUTPUT1', 'OUTPUT0']);
    const one = (await infer('add_sub', { inputs, outputs: [{ name: 'OUTPUT1' }] })).body as InferBody;
    assert.deepEqual(one.outputs.map((o) => [o.name, o.data]), [['OUTPUT1', [-3, -1, 1, 3]]]);
  });

  it('serves dynamic shapes of any size, and batches up to max_batch_size', async () => {
    for (const shape of [[1, 1], [3, 5], [2, 0]]) {
      const count = shape[0]! * shape[1]!;
      const data = Array.from({ length: count }, (_, i) => i);
      const response = await infer('dynamic_shape', { inputs: [{ name: 'INPUT0', shape, datatype: 'FP32', data }] });
      assert.equal(response.status, 200, JSON.stringify(response.body));
      const output = (response.body as InferBody).outputs[0]!;
      assert.deepEqual(output.shape, shape);
      assert.deepEqual(output.data, data.map((v) => v * 2));
    }
    const batch = await infer('identity_int32', { inputs: [{ name: 'INPUT0', shape: [4, 2], datatype: 'INT32', data: [[1, 2], [3, 4], [5, 6], [7, 8]] }] });
    assert.deepEqual((batch.body as InferBody).outputs[0]!.shape, [4, 2]);
  });

  it('routes explicit versions and rejects unknown ones', async () => {
    const ok = await request(`${server.url}/v2/models/identity_fp32/versions/1/infer`, 'POST', { inputs: [{ name: 'INPUT0', shape: [1, 1], datatype: 'FP32', data: [3] }] });
    assert.equal(ok.status, 200);
    const missing = await request(`${server.url}/v2/models/identity_fp32/versions/7/infer`, 'POST', { inputs: [{ name: 'INPUT0', shape: [1, 1], datatype: 'FP32', data: [3] }] });
    assert.equal(missing.status, 404);
    assert.match((missing.body as { error: string }).error, /no version "7"; served versions: 1/);
  });

  it('survives a runtime error inside onnxruntime and serves the next request', async () => {
    const bad = await infer('runtime_error', { inputs: [
      { name: 'data', shape: [4], datatype: 'FP32', data: [1, 2, 3, 4] },
      { name: 'shape', shape: [2], datatype: 'INT64', data: [3, 3] },
    ] });
    assert.equal(bad.status, 500);
    assert.equal((bad.body as { code: string }).code, 'ERR_BACKEND_RUNTIME');
    assert.match((bad.body as { error: string }).error, /onnxruntime failed: .*(reshape|Reshape|shape)/i);
    const good = await infer('runtime_error', { inputs: [
      { name: 'data', shape: [4], datatype: 'FP32', data: [1, 2, 3, 4] },
      { name: 'shape', shape: [2], datatype: 'INT64', data: [2, 2] },
    ] });
    assert.equal(good.status, 200);
    assert.deepEqual((good.body as InferBody).outputs[0]!.shape, [2, 2]);
  });
});

describe('HTTP metadata, health and configuration', () => {
  it('answers health probes', async () => {
    assert.deepEqual(await request(`${server.url}/v2/health/live`, 'GET').then((r) => [r.status, r.body]), [200, { live: true }]);
    assert.deepEqual(await request(`${server.url}/v2/health/ready`, 'GET').then((r) => [r.status, r.body]), [200, { ready: true }]);
  });

  it('describes the server and its extensions', async () => {
    const body = (await request(`${server.url}/v2`, 'GET')).body as { name: string; version: string; extensions: string[] };
    assert.equal(body.name, 'wharf');
    assert.match(body.version, /^\d+\.\d+\.\d+/);
    assert.ok(body.extensions.includes('model_configuration'));
  });

  it('gives model metadata with the batch dimension as -1', async () => {
    const response = await request(`${server.url}/v2/models/add_sub`, 'GET');
    assert.deepEqual(response.body, {
      name: 'add_sub',
      versions: ['1'],
      platform: 'onnxruntime_onnx',
      inputs: [{ name: 'INPUT0', datatype: 'FP32', shape: [-1, 4] }, { name: 'INPUT1', datatype: 'FP32', shape: [-1, 4] }],
      outputs: [{ name: 'OUTPUT0', datatype: 'FP32', shape: [-1, 4] }, { name: 'OUTPUT1', datatype: 'FP32', shape: [-1, 4] }],
    });
    const versioned = await request(`${server.url}/v2/models/add_sub/versions/1`, 'GET');
    assert.deepEqual(versioned.body, response.body);
  });

  it('reports model readiness, 503 for a model that failed to load', async () => {
    assert.deepEqual((await request(`${server.url}/v2/models/add_sub/ready`, 'GET')).body, { name: 'add_sub', ready: true });
    const broken = await request(`${server.url}/v2/models/corrupt/ready`, 'GET');
    assert.deepEqual([broken.status, broken.body], [503, { name: 'corrupt', ready: false }]);
    assert.equal((await request(`${server.url}/v2/models/nope/ready`, 'GET')).status, 404);
  });

  it('returns the auto-completed configuration in Triton form', async () => {
    const config = (await request(`${server.url}/v2/models/identity_fp32/config`, 'GET')).body as Record<string, unknown>;
    assert.equal(config.name, 'identity_fp32');
    assert.equal(config.max_batch_size, 4);
    assert.equal(config.platform, 'onnxruntime_onnx');
    assert.deepEqual((config.input as { name: string; data_type: string; dims: number[] }[]).map((i) => [i.name, i.data_type, i.dims]), [['INPUT0', 'TYPE_FP32', [-1]]]);
    assert.deepEqual((config.output as { name: string; data_type: string; dims: number[] }[]).map((o) => [o.name, o.data_type, o.dims]), [['OUTPUT0', 'TYPE_FP32', [-1]]]);
  });

  it('lists every model with its state and the reason for failures', async () => {
    const index = (await request(`${server.url}/v2/repository/index`, 'POST', {})).body as { name: string; version: string; state: string; reason: string }[];
    const byName = new Map(index.map((row) => [row.name, row]));
    assert.equal(byName.get('add_sub')?.state, 'READY');
    assert.equal(byName.get('corrupt')?.state, 'UNAVAILABLE');
    assert.match(byName.get('corrupt')!.reason, /corrupt\/1\/model\.onnx: onnxruntime could not load the model/);
    assert.equal(byName.get('identity_bf16')?.state, 'UNAVAILABLE');
    assert.match(byName.get('identity_bf16')!.reason, /BF16/);
    const ready = (await request(`${server.url}/v2/repository/index`, 'POST', { ready: true })).body as { state: string }[];
    assert.ok(ready.length > 0 && ready.every((row) => row.state === 'READY'));
  });
});
