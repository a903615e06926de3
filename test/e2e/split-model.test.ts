// SplitModel end to end: the head runs here in onnxruntime-node, the tail on the real server over
// HTTP and gRPC; the result equals the whole model run in onnxruntime-node.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { InferenceError, SplitModel, type InferenceClient } from '../../src/client/index.js';
import type { Tensor } from '../../src/core/index.js';
import { createSession, randomFeeds, resolveInputSpecs, runSession, seededRandom } from '../../src/tools/evaluate/index.js';
import { decodeModel, encodeModel, type OnnxModel } from '../../src/tools/onnx/index.js';
import { probeTensorTypes, splitModel } from '../../src/tools/split/index.js';
import { configText, writeModelFiles } from '../support/model-repository-writer.js';
import { makeTempDir, startTestServerWithClients, type TestServerWithClients } from '../support/server-harness.js';
import { buildCnnModel, buildMlpModel, CNN_CLASSES } from '../support/test-models.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const MLP_SIZES = [16, 32, 32, 5];

let tmp: { dir: string; cleanup: () => Promise<void> };
let served: TestServerWithClients;
let cnnHeadFile: string;
let mlpHead: Uint8Array;
const cnn = decodeModel(buildCnnModel());
const mlp = decodeModel(buildMlpModel(MLP_SIZES));

async function split(model: OnnxModel, cut: string): Promise<{ head: Uint8Array; tail: Uint8Array }> {
  const { valueInfo } = await probeTensorTypes(model, [cut]);
  const parts = splitModel(model, cut, { valueInfo });
  return { head: encodeModel(parts.head), tail: encodeModel(parts.tail) };
}

/** The whole model's outputs in onnxruntime-node, and the same input as a client tensor. */
async function reference(model: OnnxModel, batch: number, seed: number): Promise<{ input: Tensor; expected: Float32Array }> {
  const feeds = randomFeeds(resolveInputSpecs(model, { batch }), seededRandom(seed));
  const session = await createSession(encodeModel(model));
  try {
    const outputs = await runSession(session, feeds);
    const x = feeds.x!;
    return {
      input: { name: 'x', datatype: 'FP32', shape: [...x.dims], data: x.data as Float32Array },
      expected: outputs.y!.data as Float32Array,
    };
  } finally {
    await session.release();
  }
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  return a.reduce((worst, value, index) => Math.max(worst, Math.abs(value - b[index]!)), 0);
}

before(async () => {
  tmp = await makeTempDir('wharf-split-');
  const repo = join(tmp.dir, 'models');
  const cnnParts = await split(cnn, 'Relu_1');
  cnnHeadFile = join(tmp.dir, 'cnn-head.onnx');
  await writeFile(cnnHeadFile, cnnParts.head);
  await writeModelFiles(repo, 'cnn_tail', cnnParts.tail, {
    config: configText({
      name: 'cnn_tail', maxBatchSize: 8,
      inputs: [{ name: 'Relu_1', datatype: 'FP32', dims: [32, 32, 32] }],
      outputs: [{ name: 'y', datatype: 'FP32', dims: [CNN_CLASSES] }],
    }),
  });
  // A tail cut elsewhere: its input is not what the CNN head outputs.
  await writeModelFiles(repo, 'cnn_tail_early', (await split(cnn, 'Relu_0')).tail);
  // No config: the server completes one from the tail file, whose input declares [batch, 32].
  const mlpParts = await split(mlp, 'Relu_0');
  mlpHead = mlpParts.head;
  await writeModelFiles(repo, 'mlp_tail', mlpParts.tail);
  served = await startTestServerWithClients(repo);
});

after(async () => {
  await served?.close();
  await tmp?.cleanup();
});

const clients = (): [string, InferenceClient][] => [['HTTP', served.http], ['gRPC', served.grpcClient]];

describe('SplitModel', () => {
  it('CNN: head here, tail on the server, equals the whole model (HTTP and gRPC)', async () => {
    const { input, expected } = await reference(cnn, 2, 11);
    for (const [protocol, client] of clients()) {
      const model = await SplitModel.create({ head: cnnHeadFile, client, tailModel: 'cnn_tail' });
      try {
        assert.deepEqual(model.cutTensors, ['Relu_1']);
        const response = await model.infer({ inputs: [input], id: `cnn-${protocol}` });
        assert.equal(response.modelName, 'cnn_tail');
        assert.equal(response.id, `cnn-${protocol}`);
        const [y] = response.outputs;
        assert.equal(y?.name, 'y');
        assert.deepEqual(y.shape, [2, CNN_CLASSES]);
        assert.ok(maxAbsDiff(y.data as Float32Array, expected) <= 1e-5, `${protocol}: differs from the whole model`);
      } finally {
        await model.close();
      }
    }
  });

  it('MLP: the head given as bytes, a tail whose config the server completed (HTTP and gRPC)', async () => {
    const { input, expected } = await reference(mlp, 3, 12);
    for (const [protocol, client] of clients()) {
      const model = await SplitModel.create({ head: mlpHead, client, tailModel: 'mlp_tail', tailVersion: '1' });
      try {
        const response = await model.infer({ inputs: [input] }, { timeoutMs: 10_000 });
        assert.deepEqual(response.outputs[0]!.shape, [3, MLP_SIZES.at(-1)]);
        assert.ok(maxAbsDiff(response.outputs[0]!.data as Float32Array, expected) <= 1e-5, `${protocol}: differs from the whole model`);
      } finally {
        await model.close();
      }
    }
  });

  it('a tail name the server does not have is a clear error', async () => {
    await assert.rejects(SplitModel.create({ head: cnnHeadFile, client: served.http, tailModel: 'no_such_tail' }), (error: unknown) => {
      assert.ok(error instanceof InferenceError);
      assert.equal(error.code, 'ERR_MODEL_NOT_FOUND');
      assert.match(error.message, /SplitModel: tail model 'no_such_tail'/);
      return true;
    });
  });

  it('a head whose output is not the tail\'s input is refused, naming the tensor', async () => {
    for (const [, client] of clients()) {
      await assert.rejects(SplitModel.create({ head: cnnHeadFile, client, tailModel: 'cnn_tail_early' }), (error: unknown) => {
        assert.ok(error instanceof InferenceError);
        assert.equal(error.code, 'ERR_INPUT_MISSING');
        assert.match(error.message, /tail model 'cnn_tail_early' takes input 'Relu_0', which the head does not output \(head outputs: Relu_1\)/);
        return true;
      });
    }
  });

  it('a head file that is not a model, and inputs the head does not take, are clear errors', async () => {
    const corrupt = join(tmp.dir, 'corrupt.onnx');
    await writeFile(corrupt, 'not a model');
    await assert.rejects(SplitModel.create({ head: corrupt, client: served.http, tailModel: 'cnn_tail' }), /SplitModel: cannot load the head model '.*corrupt\.onnx'/);
    const model = await SplitModel.create({ head: cnnHeadFile, client: served.http, tailModel: 'cnn_tail' });
    try {
      await assert.rejects(model.infer({ inputs: [] }), (error: unknown) => error instanceof InferenceError && error.code === 'ERR_INPUT_MISSING' && /needs input 'x'/.test(error.message));
      const { input } = await reference(cnn, 1, 1);
      await assert.rejects(model.infer({ inputs: [input, { ...input, name: 'extra' }] }), /the head has no input 'extra'/);
      await assert.rejects(model.infer({ inputs: [{ name: 'x', datatype: 'INT32', shape: [1], data: Int32Array.of(1) }] }), /input 'x' is INT32, but the head takes FP32/);
    } finally {
      await model.close();
    }
  });

  it('importing the client does not load onnxruntime-node; creating a SplitModel does', async () => {
    const script = `
      import { createRequire } from 'node:module';
      const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((path) => path.includes('onnxruntime-node'));
      const client = await import('./dist/src/client/index.js');
      const before = loaded();
      await client.SplitModel.create({ head: new Uint8Array(0), client: undefined, tailModel: 't' }).catch(() => {});
      console.log(JSON.stringify({ before, after: loaded() }));`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { cwd: root, timeout: 30_000 });
    assert.deepEqual(JSON.parse(stdout), { before: false, after: true });
  });
});
