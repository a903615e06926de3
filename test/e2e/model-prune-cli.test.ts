// `wharf model prune` end to end: the built CLI on temp files, its result run in onnxruntime-node.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { decodeModel, readTensor } from '../../src/tools/onnx/index.js';
import { makeTempDir } from '../support/server-harness.js';
import { buildCnnModel, buildMlpModel, CORRUPT_MODEL_BYTES } from '../support/test-models.js';
import { runWharf, type CliRun } from '../support/cli-runner.js';


const wharf = (...args: string[]): Promise<CliRun> => runWharf(['model', ...args]);

const CHECK = ['--samples', '4', '--iterations', '3'];

let tmp: { dir: string; cleanup: () => Promise<void> };
const path = (name: string): string => join(tmp.dir, name);

before(async () => {
  tmp = await makeTempDir('wharf-prune-');
  await writeFile(path('mlp.onnx'), buildMlpModel([64, 256, 256, 10]));
  await writeFile(path('cnn.onnx'), buildCnnModel());
  await writeFile(path('corrupt.onnx'), CORRUPT_MODEL_BYTES);
});

after(async () => {
  await tmp.cleanup();
});

async function zerosIn(file: string, name: string): Promise<number> {
  const model = decodeModel(await readFile(file));
  const tensor = readTensor(model.graph!.initializer!.find((t) => t.name === name)!);
  return Array.from(tensor.data as Float32Array).filter((v) => v === 0).length;
}

describe('wharf model prune', () => {
  it('prunes the MLP to 50% and reports sparsity, gzip size, difference and latency', async () => {
    const run = await wharf('prune', path('mlp.onnx'), '-o', path('mlp-pruned.onnx'), '--sparsity', '0.5', ...CHECK);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^ {2}w2 \(MatMul MatMul_1\) \[256,256\]: 32768\/65536 zero, sparsity 50\.0%$/m);
    assert.match(run.stdout, /^weights: 3 tensors, 42240\/84480 zero, achieved sparsity 50\.00%$/m);
    const gzip = /^gzip size: ([\d.]+) KiB -> ([\d.]+) KiB$/m.exec(run.stdout);
    assert.ok(gzip !== null && Number(gzip[2]) < 0.7 * Number(gzip[1]), run.stdout);
    assert.match(run.stdout, /output 'y' over 4 samples: max abs diff/);
    assert.equal(await zerosIn(path('mlp-pruned.onnx'), 'w2'), 32768);
    const session = await ort.InferenceSession.create(await readFile(path('mlp-pruned.onnx')));
    try {
      const { y } = await session.run({ x: new ort.Tensor('float32', new Float32Array(64).fill(0.5), [1, 64]) });
      assert.ok(Array.from(y!.data as Float32Array).every(Number.isFinite));
    } finally {
      await session.release();
    }
  });

  it('prunes whole channels with --structured, only the weights named by --include', async () => {
    const run = await wharf('prune', path('cnn.onnx'), '-o', path('cnn-pruned.onnx'), '--sparsity', '0.25', '--structured', '--include', 'conv1_w,conv2_w', '--shape', 'x=2,3,64,64', ...CHECK);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /structured, l1 channel norm/);
    assert.match(run.stdout, /conv1_w \(Conv Conv_1\) \[32,16,3,3\]: 1152\/4608 zero, sparsity 25\.0%, 8\/32 channels/);
    assert.doesNotMatch(run.stdout, /conv0_w/);
    assert.match(run.stdout, /top-1 agreement [\d.]+% of 8 rows/);
    assert.equal(await zerosIn(path('cnn-pruned.onnx'), 'conv0_w'), 0);
  });

  it('exits 2 on a bad sparsity, a missing one, or --include naming a non-weight', async () => {
    const cases: [string[], RegExp][] = [
      [['--sparsity', '1'], /--sparsity must be a number in \[0, 1\) such as 0\.5, got "1"/],
      [['--sparsity', '-0.1'], /--sparsity must be a number in \[0, 1\)/],
      [['--sparsity', 'half'], /--sparsity must be a number in \[0, 1\) such as 0\.5, got "half"/],
      [[], /required option '--sparsity <fraction>' not specified/],
      [['--sparsity', '0.5', '--include', 'b1'], /'b1' is not the weight initializer of a MatMul, Gemm or Conv node/],
      [['--sparsity', '0.5', '--norm', 'l3'], /--norm <norm>' argument 'l3' is invalid/],
    ];
    for (const [args, message] of cases) {
      const run = await wharf('prune', path('mlp.onnx'), '-o', path('out.onnx'), ...args, ...CHECK);
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, message);
    }
  });

  it('exits 1 naming the file when the model is missing or not ONNX', async () => {
    for (const name of ['nope.onnx', 'corrupt.onnx']) {
      const run = await wharf('prune', path(name), '-o', path('out.onnx'), '--sparsity', '0.5', ...CHECK);
      assert.equal(run.code, 1);
      assert.match(run.stderr, new RegExp(`model file '[^']*${name.replace('.', '\\.')}'`));
    }
  });
});
