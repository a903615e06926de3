// `wharf model quantize` end to end: the built CLI on temp files, its result run in onnxruntime-node.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { access, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { decodeModel } from '../../src/tools/onnx/index.js';
import { makeTempDir } from '../support/server-harness.js';
import { buildAddSubModel, buildCnnModel, buildMlpModel, CORRUPT_MODEL_BYTES } from '../support/test-models.js';
import { runWharf, type CliRun } from '../support/cli-runner.js';


const wharf = (...args: string[]): Promise<CliRun> => runWharf(['model', 'quantize', ...args]);

const CHECK = ['--samples', '20', '--iterations', '3'];

let tmp: { dir: string; cleanup: () => Promise<void> };
const path = (name: string): string => join(tmp.dir, name);

async function exists(file: string): Promise<boolean> {
  return access(file).then(() => true, () => false);
}

before(async () => {
  tmp = await makeTempDir('wharf-quantize-');
  await writeFile(path('mlp.onnx'), buildMlpModel([64, 256, 256, 10]));
  await writeFile(path('cnn.onnx'), buildCnnModel());
  await writeFile(path('add-sub.onnx'), buildAddSubModel());
  await writeFile(path('corrupt.onnx'), CORRUPT_MODEL_BYTES);
});

after(async () => {
  await tmp.cleanup();
});

describe('wharf model quantize', () => {
  it('dynamic: writes an int8 MLP under 30% of the size, reports the nodes, difference and latency', async () => {
    const run = await wharf(path('mlp.onnx'), '-o', path('mlp.int8.onnx'), '--mode', 'dynamic', ...CHECK);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^quantized .*mlp\.onnx -> .*mlp\.int8\.onnx \(dynamic int8, per-tensor weights, fused operators\)$/m);
    assert.match(run.stdout, /^nodes quantized: 3 \(MatMul_0 MatMul, MatMul_\d+ MatMul, MatMul_\d+ MatMul\)$/m);
    assert.match(run.stdout, /^nodes left float: 0$/m);
    const ratio = Number(/^size: .* \(([\d.]+)% of the original\)$/m.exec(run.stdout)?.[1]);
    assert.ok(ratio > 0 && ratio <= 30, run.stdout);
    const top1 = Number(/output 'y' over 20 samples: .*top-1 agreement ([\d.]+)% of 20 rows/.exec(run.stdout)?.[1]);
    assert.ok(top1 >= 95, run.stdout);
    assert.match(run.stdout, /onnxruntime latency \(median of 3 runs\)/);
    assert.match(run.stderr, /checking in onnxruntime-node: \d+\/\d+ runs/);
    assert.ok(ratio === Math.round((1000 * (await stat(path('mlp.int8.onnx'))).size) / (await stat(path('mlp.onnx'))).size) / 10);

    const session = await ort.InferenceSession.create(await readFile(path('mlp.int8.onnx')));
    try {
      const { y } = await session.run({ x: new ort.Tensor('float32', new Float32Array(2 * 64).fill(0.5), [2, 64]) });
      assert.deepEqual(y!.dims, [2, 10]);
    } finally {
      await session.release();
    }
  });

  it('static: calibrates on random:N with percentile ranges and prints JSON with --json', async () => {
    const run = await wharf(path('cnn.onnx'), '-o', path('cnn.qdq.onnx'), '--mode', 'static', '--calibration', 'random:8', '--calibration-method', 'percentile', '--per-channel', '--json', ...CHECK);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /calibrating: 16\/16 runs/);
    assert.match(run.stderr, /calibrated percentile ranges on 8 samples/);
    const report = JSON.parse(run.stdout) as { mode: string; quantized: { opType: string }[]; comparison: { sizeAfter: number; differences: { cosine: number }[] } };
    assert.equal(report.mode, 'static');
    assert.deepEqual(report.quantized.map((node) => node.opType), ['Conv', 'Conv', 'Conv', 'Gemm']);
    assert.equal(report.comparison.sizeAfter, (await stat(path('cnn.qdq.onnx'))).size);
    assert.ok(report.comparison.differences[0]!.cosine > 0.99, run.stdout);
    const model = decodeModel(await readFile(path('cnn.qdq.onnx')));
    assert.ok(model.graph!.node!.some((node) => node.opType === 'QuantizeLinear'));
  });

  it('static: calibrates on a samples file and honours --exclude', async () => {
    const samples = Array.from({ length: 3 }, (_, s) => ({ x: Array.from({ length: 3 * 64 * 64 }, (_, i) => Math.sin(i * (s + 1) * 0.01)) }));
    await writeFile(path('calibration.json'), JSON.stringify(samples));
    const run = await wharf(path('cnn.onnx'), '-o', path('cnn.noconv.onnx'), '--mode', 'static', '--calibration', path('calibration.json'), '--exclude', 'Gemm', '--inputs', path('calibration.json'), '--iterations', '2');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /static QDQ int8, per-tensor weights, minmax calibration/);
    assert.match(run.stdout, /^nodes left float: 1\n {2}Gemm_\d+ \(Gemm\): excluded by --exclude$/m);
    assert.match(run.stdout, /output 'y' over 3 samples/);
  });

  it('exits 2 for bad arguments, naming what is wrong', async () => {
    const cases: [string[], RegExp][] = [
      [['--mode', 'static'], /--mode static needs --calibration DATA/],
      [['--mode', 'dynamic', '--calibration', 'random:4'], /--calibration is only used with --mode static/],
      [['--mode', 'fast'], /argument 'fast' is invalid.*dynamic, static/],
      [['--mode', 'static', '--calibration', 'random:x'], /write random:N with N a positive integer/],
      [['--mode', 'dynamic', '--exclude', 'no_such_node'], /--exclude 'no_such_node' is neither a node name nor an op type/],
      [['--mode', 'static', '--calibration', 'random:2', '--percentile', '20'], /--percentile must be a number in \(50, 100\], got "20"/],
      [['--mode', 'dynamic', '--shape', 'z=1,64'], /--shape names input 'z'/],
    ];
    for (const [args, message] of cases) {
      const run = await wharf(path('mlp.onnx'), '-o', path('never.onnx'), ...args);
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, message, args.join(' '));
    }
    assert.equal(await exists(path('never.onnx')), false);
  });

  it('exits 1 for unreadable models, mismatched calibration data and models with nothing to quantize', async () => {
    await writeFile(path('wrong-input.json'), JSON.stringify([{ image: [1, 2, 3] }]));
    const cases: [string[], RegExp][] = [
      [[path('missing.onnx'), '--mode', 'dynamic'], /missing\.onnx/],
      [[path('corrupt.onnx'), '--mode', 'dynamic'], /corrupt\.onnx/],
      [[path('mlp.onnx'), '--mode', 'static', '--calibration', path('wrong-input.json')], /has input 'image', which the model does not have \(inputs: x\)/],
      [[path('mlp.onnx'), '--mode', 'static', '--calibration', path('missing.json')], /cannot read the samples file .*missing\.json/],
      [[path('add-sub.onnx'), '--mode', 'dynamic'], /add-sub\.onnx: nothing to quantize: the model has no MatMul, Gemm node/],
    ];
    for (const [args, message] of cases) {
      const run = await wharf(...args, '-o', path('never.onnx'));
      assert.equal(run.code, 1, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, message, args.join(' '));
    }
    assert.equal(await exists(path('never.onnx')), false);
  });
});
