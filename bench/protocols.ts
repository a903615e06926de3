// Protocol cost: the same models through the in-process API, HTTP with JSON tensors, HTTP with
// binary tensors and gRPC (raw contents), measured in one run with one server.
// Models: add_sub (2 x FP32 [1,4], tiny) and identity with a 1 MiB FP32 input.
// Run: npm run bench:protocols   (env: DURATION_MS=3000 CONCURRENCY=1,8)
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GrpcClient, HttpClient } from '../src/client/index.js';
import { InferenceServer, startHttpServer, type InferInput } from '../src/index.js';
import { startGrpcServer } from '../src/server/grpc/index.js';
import { writeAddSubModel, writeIdentityModel } from '../test/support/test-models.js';
import { closedLoop, formatRow, TABLE_HEADER } from './closed-loop.js';

const DURATION_MS = Number(process.env.DURATION_MS ?? 3000);
const LEVELS = (process.env.CONCURRENCY ?? '1,8').split(',').map(Number);
const MIB_FLOATS = 256 * 1024;

const dir = await mkdtemp(join(tmpdir(), 'wharf-bench-'));
try {
  await writeAddSubModel(dir);
  await writeIdentityModel(dir, 'identity_fp32', 'FP32', { batched: true, dims: [-1] });
  const engine = await InferenceServer.open({ modelRepository: dir });
  const http = await startHttpServer(engine, { host: '127.0.0.1', port: 0 });
  const grpc = await startGrpcServer(engine, { host: '127.0.0.1', port: 0 });
  const httpClient = new HttpClient({ url: http.url });
  const grpcClient = new GrpcClient({ url: `127.0.0.1:${grpc.port}` });

  const tiny: InferInput = {
    modelName: 'add_sub',
    inputs: [
      { name: 'INPUT0', datatype: 'FP32', shape: [1, 4], data: new Float32Array([1, 2, 3, 4]) },
      { name: 'INPUT1', datatype: 'FP32', shape: [1, 4], data: new Float32Array([4, 3, 2, 1]) },
    ],
  };
  const large: InferInput = {
    modelName: 'identity_fp32',
    inputs: [{ name: 'INPUT0', datatype: 'FP32', shape: [1, MIB_FLOATS], data: Float32Array.from({ length: MIB_FLOATS }, () => Math.random()) }],
  };

  console.log(`${DURATION_MS} ms per cell, node ${process.version}, 1 instance per model; ratio vs in-process in the same run`);
  for (const [label, request] of [['add_sub: 2 x FP32 [1,4]', tiny], ['identity: FP32 [1,262144] (1 MiB in, 1 MiB out)', large]] as const) {
    console.log(`\n${label}`);
    console.log(TABLE_HEADER);
    for (const concurrency of LEVELS) {
      const loop = (call: () => Promise<unknown>) => closedLoop(call, { concurrency, durationMs: DURATION_MS });
      const baseline = await loop(() => engine.infer(request));
      console.log(formatRow('in-process', concurrency, baseline, baseline));
      console.log(formatRow('HTTP JSON', concurrency, await loop(() => httpClient.infer(request, { json: true })), baseline));
      console.log(formatRow('HTTP binary', concurrency, await loop(() => httpClient.infer(request)), baseline));
      console.log(formatRow('gRPC raw', concurrency, await loop(() => grpcClient.infer(request)), baseline));
    }
  }
  httpClient.close();
  grpcClient.close();
  await grpc.close();
  await http.close();
  await engine.close();
} finally {
  await rm(dir, { recursive: true, force: true });
}
