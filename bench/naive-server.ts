// The baseline a team would write first: fastify + onnxruntime-node on the main thread, KServe
// JSON in and out, one session.run per request. Started by bench/batching.ts as a child process.
// Usage: node dist/bench/naive-server.js MODEL.onnx INPUT_NAME [port]
import Fastify from 'fastify';
import ort from 'onnxruntime-node';

const [modelPath, inputName, portText] = process.argv.slice(2);
if (!modelPath || !inputName) throw new Error('usage: naive-server MODEL.onnx INPUT_NAME [port]');
const session = await ort.InferenceSession.create(modelPath);
const app = Fastify({ bodyLimit: 64 * 1024 * 1024 });

interface Body { inputs: { name: string; shape: number[]; data: number[] }[] }

app.post('/v2/models/:model/infer', async (request) => {
  const input = (request.body as Body).inputs[0]!;
  const results = await session.run({ [inputName]: new ort.Tensor('float32', Float32Array.from(input.data.flat(Infinity)), input.shape) });
  return {
    model_name: 'naive',
    model_version: '1',
    outputs: Object.entries(results).map(([name, tensor]) => ({ name, datatype: 'FP32', shape: tensor.dims, data: Array.from(tensor.data as Float32Array) })),
  };
});

await app.listen({ host: '127.0.0.1', port: Number(portText ?? 0) });
const address = app.server.address();
console.log(JSON.stringify({ msg: 'listening', port: typeof address === 'object' && address ? address.port : 0 }));
