import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { makeTempDir, startTestServer, type TestServer } from '../support/server-harness.js';
import { writeAddSubModel, writeIdentityModel } from '../support/test-models.js';

let server: TestServer;
let cleanup: () => Promise<void>;

before(async () => {
  const tmp = await makeTempDir();
  cleanup = tmp.cleanup;
  await writeAddSubModel(tmp.dir);
  await writeIdentityModel(tmp.dir, 'identity_fp32', 'FP32', { batched: true, dims: [-1] });
  server = await startTestServer(tmp.dir);
});

after(async () => {
  await server?.close();
  await cleanup?.();
});

const HEADER = JSON.stringify({
  inputs: [
    { name: 'INPUT0', shape: [1, 4], datatype: 'FP32', parameters: { binary_data_size: 16 } },
    { name: 'INPUT1', shape: [1, 4], datatype: 'FP32', parameters: { binary_data_size: 16 } },
  ],
  outputs: [{ name: 'OUTPUT0', parameters: { binary_data: true } }],
});
const VALID = Buffer.concat([Buffer.from(HEADER), Buffer.from(new Float32Array([1, 2, 3, 4]).buffer), Buffer.from(new Float32Array([4, 3, 2, 1]).buffer)]);

async function post(body: Uint8Array, headerLength: string | undefined): Promise<{ status: number; text: string; headers: Headers }> {
  const headers: Record<string, string> = { 'content-type': 'application/octet-stream' };
  if (headerLength !== undefined) headers['inference-header-content-length'] = headerLength;
  const response = await fetch(`${server.url}/v2/models/add_sub/infer`, { method: 'POST', body, headers });
  return { status: response.status, text: await response.text(), headers: response.headers };
}

describe('binary requests over HTTP', () => {
  it('answers a valid binary request with a binary output', async () => {
    const response = await fetch(`${server.url}/v2/models/add_sub/infer`, { method: 'POST', body: VALID, headers: { 'inference-header-content-length': String(HEADER.length) } });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/octet-stream');
    const headerLength = Number(response.headers.get('inference-header-content-length'));
    const body = Buffer.from(await response.arrayBuffer());
    const json = JSON.parse(body.subarray(0, headerLength).toString()) as { outputs: { name: string; parameters: { binary_data_size: number } }[] };
    assert.deepEqual(json.outputs.map((o) => [o.name, o.parameters.binary_data_size]), [['OUTPUT0', 16]]);
    assert.deepEqual([...new Float32Array(body.buffer.slice(body.byteOffset + headerLength, body.byteOffset + headerLength + 16))], [5, 5, 5, 5]);
  });

  it("serves Triton's raw binary request to a single-input model, with binary outputs", async () => {
    const response = await fetch(`${server.url}/v2/models/identity_fp32/infer`, { method: 'POST', body: Buffer.from(new Float32Array([1.5, 2.5, 3.5]).buffer), headers: { 'inference-header-content-length': '0' } });
    assert.equal(response.status, 200);
    const headerLength = Number(response.headers.get('inference-header-content-length'));
    const body = Buffer.from(await response.arrayBuffer());
    const json = JSON.parse(body.subarray(0, headerLength).toString()) as { outputs: { shape: number[]; parameters: { binary_data_size: number } }[] };
    assert.deepEqual(json.outputs.map((o) => [o.shape, o.parameters.binary_data_size]), [[[1, 3], 12]]);
    assert.deepEqual([...new Float32Array(body.buffer.slice(body.byteOffset + headerLength))], [1.5, 2.5, 3.5]);
    const twoInputs = await post(Buffer.alloc(16), '0');
    assert.equal(twoInputs.status, 400);
    assert.match(twoInputs.text, /exactly one input, but model 'add_sub' has 2/);
  });

  it('explains a missing Inference-Header-Content-Length header', async () => {
    const response = await post(VALID, undefined);
    assert.equal(response.status, 400);
    assert.match(response.text, /Inference-Header-Content-Length/);
  });

  it('answers mutated and random bodies with 400 and a JSON error, and keeps serving', async () => {
    await fc.assert(fc.asyncProperty(
      fc.oneof(
        fc.uint8Array({ maxLength: 300 }).map((bytes) => ({ body: bytes, header: String(Math.min(bytes.length, HEADER.length)) })),
        fc.tuple(fc.nat(VALID.length - 1), fc.integer({ min: 0, max: 255 }), fc.integer({ min: -40, max: 40 })).map(([at, byte, shift]) => {
          const body = Buffer.from(VALID);
          body[at] = byte;
          return { body, header: String(HEADER.length + shift) };
        }),
        fc.nat(VALID.length).map((cut) => ({ body: VALID.subarray(0, cut), header: String(HEADER.length) })),
        fc.string({ maxLength: 12 }).map((header) => ({ body: VALID, header })),
      ),
      async ({ body, header }) => {
        const response = await post(body, header);
        if (response.status === 200) return;
        assert.ok(response.status === 400 || response.status === 413, `status ${response.status}: ${response.text}`);
        const parsed = JSON.parse(response.text) as { error: string; code: string };
        assert.ok(parsed.error.length > 0 && parsed.code.startsWith('ERR_'));
      },
    ), { numRuns: 300 });
    assert.equal((await post(VALID, String(HEADER.length))).status, 200);
  });
});
