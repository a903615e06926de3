// `wharf model convert` end to end: the built CLI on a model saved by TensorFlow.js, its result
// run in onnxruntime-node against tfjs's own prediction.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { makeTempDir } from '../support/server-harness.js';
import { predict, randomInput, randomizeWeights, saveTfjsModel, tf, useCpuBackend } from '../support/tfjs-models.js';
import { runWharf, type CliRun } from '../support/cli-runner.js';


const wharf = (...args: string[]): Promise<CliRun> => runWharf(args);

let tmp: { dir: string; cleanup: () => Promise<void> };
let model: tf.LayersModel;
let modelDir: string;

before(async () => {
  await useCpuBackend();
  tmp = await makeTempDir('wharf-convert-cli-');
  model = tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [6, 6, 2], filters: 3, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv' }),
    tf.layers.maxPooling2d({ poolSize: 2, name: 'pool' }),
    tf.layers.flatten({ name: 'flat' }),
    tf.layers.dense({ units: 4, activation: 'softmax', name: 'probs' }),
  ] });
  randomizeWeights(model, 11);
  modelDir = join(tmp.dir, 'tfjs-model');
  await saveTfjsModel(model, modelDir);
});

after(() => tmp.cleanup());

describe('wharf model convert', () => {
  it('converts a tfjs model folder, reports layers, ops and I/O, and the file equals tfjs in onnxruntime-node', async () => {
    const output = join(tmp.dir, 'model.onnx');
    const run = await wharf('model', 'convert', '--from', 'tfjs', modelDir, '-o', output);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^wrote .*model\.onnx \(.+, opset 17\)$/m);
    assert.match(run.stdout, /^layers \(4\):\n {2}conv +conv2d, activation\(relu\)\n {2}pool +pool2d\n {2}flat +flatten\n {2}probs +dense, activation\(softmax\)$/m);
    assert.match(run.stdout, /^ONNX ops: Transpose ×2, Conv ×1, Flatten ×1, Gemm ×1, MaxPool ×1, Relu ×1, Softmax ×1$/m);
    assert.match(run.stdout, /^inputs:\n {2}conv_input {2}FP32 \[\?,6,6,2\]\noutputs:\n {2}probs {2}FP32 \[\?,4\]$/m);
    assert.match(run.stdout, /^verified: onnxruntime-node ran it on a random input \(conv_input \[1,6,6,2\]\) -> probs \[1,4\]$/m);
    assert.match(run.stderr, /converting: 4\/4 layers/);

    const session = await ort.InferenceSession.create(await readFile(output));
    const data = randomInput([3, 6, 6, 2], 5);
    const result = await session.run({ conv_input: new ort.Tensor('float32', data, [3, 6, 6, 2]) });
    const expected = predict(model, [{ data, shape: [3, 6, 6, 2] }])[0]!;
    const actual = result.probs!.data as Float32Array;
    assert.equal(actual.length, expected.length);
    actual.forEach((value, i) => assert.ok(Math.abs(value - expected[i]!) <= 1e-4, `probs[${i}]: ${value} vs ${expected[i]}`));
    await session.release();
  });

  it('accepts the model.json path and another opset', async () => {
    const output = join(tmp.dir, 'opset13.onnx');
    const run = await wharf('model', 'convert', '--from', 'tfjs', join(modelDir, 'model.json'), '-o', output, '--opset', '13');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /opset 13\)/);
  });

  it('--shape sizes the verification input of a model with dynamic height and width', async () => {
    const dir = join(tmp.dir, 'fully-conv');
    const fullyConv = tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [null, null, 2], filters: 2, kernelSize: 5, name: 'wide' })] });
    await saveTfjsModel(fullyConv, dir);
    const output = join(tmp.dir, 'fully-conv.onnx');
    // With every dynamic dim at 1, a 5x5 valid convolution has no output: onnxruntime fails.
    const unsized = await wharf('model', 'convert', '--from', 'tfjs', dir, '-o', output);
    assert.equal(unsized.code, 1);
    assert.match(unsized.stderr, /onnxruntime/);
    const sized = await wharf('model', 'convert', '--from', 'tfjs', dir, '-o', output, '--shape', 'wide_input=2,8,6,2');
    assert.equal(sized.code, 0, sized.stderr);
    assert.match(sized.stdout, /^verified: onnxruntime-node ran it on a random input \(wide_input \[2,8,6,2\]\) -> wide \[2,4,2,2\]$/m);
    const wrongName = await wharf('model', 'convert', '--from', 'tfjs', dir, '-o', output, '--shape', 'image=1,8,8,2');
    assert.equal(wrongName.code, 2);
    assert.match(wrongName.stderr, /--shape names input 'image', but the model's inputs are 'wide_input'/);
  });

  it('an unsupported --from or --opset exits 2 listing what is supported', async () => {
    const from = await wharf('model', 'convert', '--from', 'keras-h5', modelDir, '-o', join(tmp.dir, 'x.onnx'));
    assert.equal(from.code, 2);
    assert.match(from.stderr, /--from keras-h5 is not a supported source format \(supported: tfjs\)/);
    const opset = await wharf('model', 'convert', '--from', 'tfjs', modelDir, '-o', join(tmp.dir, 'x.onnx'), '--opset', '9');
    assert.equal(opset.code, 2);
    assert.match(opset.stderr, /--opset must be between 13 and 21, got 9/);
    const missing = await wharf('model', 'convert', modelDir, '-o', join(tmp.dir, 'x.onnx'));
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--from/);
  });

  it('a missing model folder or an unsupported layer exits 1 naming it', async () => {
    const absent = join(tmp.dir, 'no-such-model');
    const run = await wharf('model', 'convert', '--from', 'tfjs', absent, '-o', join(tmp.dir, 'x.onnx'));
    assert.equal(run.code, 1);
    assert.match(run.stderr, /cannot read the TensorFlow\.js model .*no-such-model.*no such file/);
    const lstmDir = join(tmp.dir, 'lstm');
    await saveTfjsModel(tf.sequential({ layers: [tf.layers.lstm({ inputShape: [4, 2], units: 3, name: 'lstm_1' })] }), lstmDir);
    const lstm = await wharf('model', 'convert', '--from', 'tfjs', lstmDir, '-o', join(tmp.dir, 'x.onnx'));
    assert.equal(lstm.code, 1);
    assert.match(lstm.stderr, /unsupported layer LSTM \(layer 'lstm_1'\)/);
  });
});
