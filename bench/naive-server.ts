// The baseline a team would write first: a web framework + onnxruntime-node on the main thread,
// KServe JSON in and out, one session.run per request, onnxruntime's default session options.
// Started as a child process by bench/batching.ts (fastify) and bench/suite.ts (express).
// Usage: node dist/bench/naive-server.js MODEL.onnx INPUT_NAME [port] [fastify|express]
// With one model input, the body's first input is fed as INPUT_NAME; with several, each body input
// is fed under its own name.
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import ort from 'onnxruntime-node';

const [modelPath, inputName, portText, framework = 'fastify'] = process.argv.slice(2);
if (!modelPath || !inputName) throw new Error('usage: naive-server MODEL.onnx INPUT_NAME [port] [fastify|express]');
const session = await ort.InferenceSession.create(modelPath);
const port = Number(portText ?? 0);

interface Body { inputs: { name: string; shape: number[]; data: number[] }[] }

async function infer(body: Body): Promise<unknown> {
  const feeds: Record<string, ort.Tensor> = {};
  for (const input of body.inputs) {
    const name = session.inputNames.length === 1 ? inputName! : input.name;
    feeds[name] = new ort.Tensor('float32', Float32Array.from(input.data.flat(Infinity)), input.shape);
  }
  const results = await session.run(feeds);
  return {
    model_name: 'naive',
    model_version: '1',
    outputs: Object.entries(results).map(([name, tensor]) => ({ name, datatype: 'FP32', shape: tensor.dims, data: Array.from(tensor.data as Float32Array) })),
  };
}

function listening(address: string | AddressInfo | null): void {
  console.log(JSON.stringify({ msg: 'listening', port: typeof address === 'object' && address ? address.port : 0 }));
}

if (framework === 'express') {
  const server = express();
  server.use(express.json({ limit: '64mb' }));
  server.post('/v2/models/:model/infer', (request, response) => {
    infer(request.body as Body).then((body) => response.json(body), (error: unknown) => response.status(400).json({ error: String(error) }));
  });
  const listener = server.listen(port, '127.0.0.1', () => listening(listener.address()));
} else {
  const app = Fastify({ bodyLimit: 64 * 1024 * 1024 });
  app.post('/v2/models/:model/infer', (request) => infer(request.body as Body));
  await app.listen({ host: '127.0.0.1', port });
  listening(app.server.address());
}
