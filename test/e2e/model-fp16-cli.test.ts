// `wharf model fp16` end to end: the built CLI on temp files, its result run in onnxruntime-node.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { access, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { makeTempDir } from '../support/server-harness.js';
import { buildCnnModel, buildMlpModel, CORRUPT_MODEL_BYTES } from '../support/test-models.js';
import { runWharf, type CliRun } from '../support/cli-runner.js';


const wharf = (...args: string[]): Promise<CliRun> => runWharf(['model', ...args]);

const CHECK = ['--samples', '4', '--iterations', '3'];

let tmp: { dir: string; cleanup: () => Promise<void> };
const path = (name: string): string => join(tmp.dir, name);

before(async () => {
  tmp = await makeTempDir('wharf-fp16-');
  await writeFile(path('mlp.onnx'), buildMlpModel([64, 256, 256, 10]));
  await writeFile(path('cnn.onnx'), buildCnnModel());
  await writeFile(path('corrupt.onnx'), CORRUPT_MODEL_BYTES);
});

after(async () => {
  await tmp.cleanup();
});

describe('wharf model fp16', () => {
  it('converts the MLP to FP16 I/O and reports size, difference and latency', async () => {
    const run = await wharf('fp16', path('mlp.onnx'), '-o', path('mlp16.onnx'), ...CHECK);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^initializers: 6 converted to FP16 \(85002 values; 0 clamped/m);
    assert.match(run.stdout, /^size: 332\.5 KiB -> 166\.\d KiB \(50\.\d% of the original\)/m);
    const cosine = Number(/output 'y' over 4 samples: .*cosine ([\d.]+), top-1 agreement/.exec(run.stdout)?.[1]);
    assert.ok(cosine > 0.999, run.stdout);
    assert.match(run.stdout, /onnxruntime latency \(median of 3 runs\)/);
    assert.match(run.stderr, /checking in onnxruntime-node: \d+\/\d+ runs/);
    const session = await ort.InferenceSession.create(await readFile(path('mlp16.onnx')));
    try {
      assert.equal(session.inputMetadata[0]!.isTensor && session.inputMetadata[0]!.type, 'float16');
      const { y } = await session.run({ x: new ort.Tensor('float16', new Uint16Array(64).fill(0x3c00), [1, 64]) });
      assert.equal(y!.type, 'float16');
      assert.deepEqual(y!.dims, [1, 10]);
    } finally {
      await session.release();
    }
  });

  it('keeps FP32 I/O with --keep-io-types and checks on given samples', async () => {
    const samples = [{ x: Array.from({ length: 3 * 64 * 64 }, (_, i) => Math.sin(i)) }];
    await writeFile(path('cnn-samples.json'), JSON.stringify(samples));
    const run = await wharf('fp16', path('cnn.onnx'), '-o', path('cnn16.onnx'), '--keep-io-types', '--inputs', path('cnn-samples.json'), '--iterations', '2');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /casts inserted: 2; nodes kept in FP32: 0/);
    assert.match(run.stdout, /output 'y' over 1 samples: .*top-1 agreement 100\.0% of 1 rows/);
    const session = await ort.InferenceSession.create(await readFile(path('cnn16.onnx')));
    try {
      const { y } = await session.run({ x: new ort.Tensor('float32', new Float32Array(3 * 64 * 64), [1, 3, 64, 64]) });
      assert.equal(y!.type, 'float32');
    } finally {
      await session.release();
    }
  });

  it('reports kept nodes from --block', async () => {
    const run = await wharf('fp16', path('cnn.onnx'), '-o', path('cnn-block.onnx'), '--block', 'Gemm', ...CHECK);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /kept in FP32: Gemm_0 \(Gemm\): operator type in the block list/);
  });

  it('exits 1 naming the file when the model is missing or not ONNX, and writes nothing', async () => {
    const missing = await wharf('fp16', path('nope.onnx'), '-o', path('out.onnx'), ...CHECK);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /cannot read model file '.*nope\.onnx'/);
    const corrupt = await wharf('fp16', path('corrupt.onnx'), '-o', path('out.onnx'), ...CHECK);
    assert.equal(corrupt.code, 1);
    assert.match(corrupt.stderr, /model file '.*corrupt\.onnx': not a valid ONNX model/);
    await assert.rejects(access(path('out.onnx')));
    const unwritable = await wharf('fp16', path('mlp.onnx'), '-o', join(path('mlp.onnx'), 'out.onnx'), ...CHECK);
    assert.equal(unwritable.code, 1);
    assert.match(unwritable.stderr, /cannot write .*mlp\.onnx\/out\.onnx/);
  });

  it('exits 1 naming the samples file when it does not fit the model', async () => {
    await writeFile(path('bad-samples.json'), JSON.stringify([{ x: [1, 2, 3] }]));
    const run = await wharf('fp16', path('mlp.onnx'), '-o', path('out.onnx'), '--inputs', path('bad-samples.json'));
    assert.equal(run.code, 1);
    assert.match(run.stderr, /bad-samples\.json sample 0 input 'x' has 3 values/);
  });

  it('exits 2 on bad arguments', async () => {
    const cases: [string[], RegExp][] = [
      [['fp16', path('mlp.onnx')], /required option '-o, --output <file>' not specified/],
      [['fp16', path('mlp.onnx'), '-o', path('out.onnx'), '--samples', '0'], /--samples must be a positive integer/],
      [['fp16', path('mlp.onnx'), '-o', path('out.onnx'), '--shape', 'x=1,a'], /--shape "x=1,a" is not NAME=D1,D2/],
      [['fp16', path('mlp.onnx'), '-o', path('out.onnx'), '--shape', 'z=1,64'], /--shape names input 'z'/],
      [['fp16', path('mlp.onnx'), '-o', path('out.onnx'), '--samples', '3', '--inputs', path('bad-samples.json')], /cannot be used with option '--inputs/],
      [['fp16', path('mlp.onnx'), '-o', path('out.onnx'), '--frobnicate'], /unknown option '--frobnicate'/],
    ];
    for (const [args, message] of cases) {
      const run = await wharf(...args);
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, message);
    }
  });
});
