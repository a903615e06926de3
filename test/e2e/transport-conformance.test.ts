import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GrpcClient, HttpClient } from '../../src/client/index.js';
import { InferenceError, type InferInput, type InferResponse } from '../../src/index.js';
import { startGrpcServer } from '../../src/server/grpc/index.js';
import { FAILURE_CASES, SUCCESS_CASES, largeTensorCase, type SuccessCase } from '../conformance/transport-cases.js';
import { makeTempDir, startTestServer, type TestServer } from '../support/server-harness.js';
import { writeIdentityModel, writeTestRepository } from '../support/test-models.js';

interface Transport {
  readonly name: string;
  infer(request: InferInput): Promise<InferResponse>;
}

let server: TestServer;
let grpc: { port: number; close(): Promise<void> };
let transports: Transport[];
let cleanup: () => Promise<void>;
const clients: { close(): void }[] = [];

before(async () => {
  const tmp = await makeTempDir();
  cleanup = tmp.cleanup;
  await writeTestRepository(tmp.dir);
  await writeIdentityModel(tmp.dir, 'scalar', 'INT32', { dims: [] });
  server = await startTestServer(tmp.dir);
  grpc = await startGrpcServer(server.engine, { host: '127.0.0.1', port: 0 });
  const http = new HttpClient({ url: server.url });
  const grpcRaw = new GrpcClient({ url: `127.0.0.1:${grpc.port}` });
  const grpcTyped = new GrpcClient({ url: `127.0.0.1:${grpc.port}`, rawContents: false });
  clients.push(http, grpcRaw, grpcTyped);
  transports = [
    { name: 'in-process', infer: (r) => server.engine.infer(r) },
    { name: 'http-json', infer: (r) => http.infer(r, { json: true }) },
    { name: 'http-binary', infer: (r) => http.infer(r) },
    { name: 'grpc-typed', infer: (r) => grpcTyped.infer(r) },
    { name: 'grpc-raw', infer: (r) => grpcRaw.infer(r) },
  ];
});

after(async () => {
  for (const client of clients) client.close();
  await grpc?.close();
  await server?.close();
  await cleanup?.();
});

/** Responses compared as plain values: typed arrays by element, so transports may differ in array identity only. */
function comparable(response: InferResponse): unknown {
  return {
    modelName: response.modelName,
    modelVersion: response.modelVersion,
    id: response.id,
    outputs: response.outputs.map((o) => ({ name: o.name, datatype: o.datatype, shape: o.shape, data: Array.isArray(o.data) ? o.data.map((e) => [...e]) : Array.from(o.data as ArrayLike<number | bigint>).map((v) => (Object.is(v, -0) ? '-0' : v)) })),
  };
}

async function expectSameEverywhere(testCase: SuccessCase): Promise<void> {
  let reference: unknown;
  for (const transport of transports) {
    if (testCase.skip?.includes(transport.name)) continue;
    const response = comparable(await transport.infer(testCase.request));
    if (reference === undefined) reference = response;
    else assert.deepEqual(response, reference, `${transport.name} differs from in-process`);
  }
}

describe('every transport gives identical results', () => {
  for (const testCase of SUCCESS_CASES) it(testCase.title, () => expectSameEverywhere(testCase));

  it('64 MiB FP32 tensor', async () => {
    await expectSameEverywhere(largeTensorCase());
  });
});

describe('every transport refuses bad input the same way', () => {
  for (const testCase of FAILURE_CASES) {
    it(testCase.title, async () => {
      for (const transport of transports) {
        if (testCase.skip?.includes(transport.name)) continue;
        await assert.rejects(transport.infer(testCase.request), (error: unknown) => {
          assert.ok(error instanceof InferenceError, `${transport.name}: ${String(error)}`);
          assert.equal(error.code, testCase.code, `${transport.name}: ${error.message}`);
          assert.match(error.message, testCase.message, transport.name);
          return true;
        });
      }
    });
  }
});
