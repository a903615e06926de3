// `wharf model inspect` end to end: the built CLI on model files in a temp folder.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelReport } from '../../src/tools/inspect/index.js';
import { decodeModel, encodeModel, writeModelFile } from '../../src/tools/onnx/index.js';
import { makeTempDir } from '../support/server-harness.js';
import { buildCnnModel, buildMlpModel } from '../support/test-models.js';
import { runWharf, type CliRun } from '../support/cli-runner.js';


const wharf = (...args: string[]): Promise<CliRun> => runWharf(['model', 'inspect', ...args]);

let tmp: { dir: string; cleanup: () => Promise<void> };
let cnn: string;

before(async () => {
  tmp = await makeTempDir('wharf-inspect-');
  cnn = join(tmp.dir, 'cnn.onnx');
  await writeFile(cnn, buildCnnModel());
});
after(async () => { await tmp.cleanup(); });

describe('wharf model inspect', () => {
  it('prints a readable report by default', async () => {
    const run = await wharf(cnn);
    assert.equal(run.code, 0, run.stderr);
    const text = run.stdout;
    assert.match(text, /^inputs:\n\s+name\s+datatype\s+shape\n\s+x\s+FP32\s+\[batch, 3, 64, 64\]$/m);
    assert.match(text, /^\s+y\s+FP32\s+\[batch, 10\]$/m);
    assert.match(text, /^opsets: ai\.onnx 17$/m);
    assert.match(text, /^\s+Conv\s+3$/m);
    assert.match(text, /^parameters: 24\.2 K \(24234\) in 94\.7 KiB$/m);
    assert.match(text, /^\s+Conv_1\s+Conv\s+\[1, 32, 32, 32\]\s+9\.47 MFLOPs\s+128\.0 KiB\s+18\.1 KiB$/m);
    assert.match(text, /^largest layers by FLOPs:$/m);
    assert.equal(run.stderr, '');
  });

  it('--json gives the report as data, at the shapes asked for', async () => {
    const run = await wharf(cnn, '--json', '--shape', 'x=2,3,64,64', '--top', '2');
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as ModelReport;
    assert.deepEqual(report.estimatedFor, [{ name: 'x', datatype: 'FP32', dims: [2, 3, 64, 64] }]);
    assert.deepEqual(report.nodes[0]?.outputs[0]?.dims, [2, 16, 64, 64]);
    // Conv_0 at [2,3,64,64]: 2·16·64·64 outputs, 27 multiply-adds each, plus the bias.
    assert.equal(report.nodes[0]?.flops, 2 * (2 * 16 * 64 * 64) * 27 + 2 * 16 * 64 * 64);
    assert.equal(report.parameters.count, 24234);
    assert.equal(report.largest.byFlops.length, 2);
    assert.equal(report.irVersion, 8);
  });

  it('--batch sets dynamic first dims', async () => {
    const run = await wharf(cnn, '--json', '--batch', '4');
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual((JSON.parse(run.stdout) as ModelReport).estimatedFor[0]?.dims, [4, 3, 64, 64]);
  });

  it('reads a model whose weights are in an external data file', async () => {
    const path = join(tmp.dir, 'mlp.onnx');
    await writeModelFile(path, decodeModel(buildMlpModel([64, 256, 10])), { externalDataThreshold: 1024 });
    const run = await wharf(path, '--json');
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as ModelReport;
    assert.equal(report.parameters.count, 64 * 256 + 256 + 256 * 10 + 10);
    assert.equal(report.parameters.bytes, 4 * report.parameters.count);
  });
});

describe('wharf model inspect refuses bad input clearly', () => {
  it('a missing file (exit 1)', async () => {
    const run = await wharf(join(tmp.dir, 'missing.onnx'));
    assert.equal(run.code, 1);
    assert.match(run.stderr, /cannot read model file '.*missing\.onnx': no such file/);
  });

  it('a file that is not an ONNX model (exit 1)', async () => {
    const path = join(tmp.dir, 'notes.onnx');
    await writeFile(path, 'these are notes, not a model\n');
    const run = await wharf(path);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /model file '.*notes\.onnx': not a valid ONNX model file/);
  });

  it('a model whose external data escapes its folder (exit 1)', async () => {
    const path = join(tmp.dir, 'escape.onnx');
    const model = decodeModel(buildMlpModel([4, 2]));
    const w1 = model.graph!.initializer![0]!;
    delete w1.rawData;
    w1.dataLocation = 1;
    w1.externalData = [{ key: 'location', value: '../../etc/passwd' }];
    await writeFile(path, encodeModel(model));
    const run = await wharf(path);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /tensor 'w1': external data location '\.\.\/\.\.\/etc\/passwd' escapes the folder/);
  });

  it('--shape for an input the model does not have (exit 2)', async () => {
    const run = await wharf(cnn, '--shape', 'image=1,3,64,64');
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--shape names input 'image', but the model's inputs are 'x'/);
  });

  it('--shape with bad syntax, or contradicting a fixed dim (exit 2)', async () => {
    const syntax = await wharf(cnn, '--shape', 'x:1,3,64,64');
    assert.equal(syntax.code, 2);
    assert.match(syntax.stderr, /--shape "x:1,3,64,64" is not NAME=D1,D2,\.\.\./);
    const fixed = await wharf(cnn, '--shape', 'x=1,4,64,64');
    assert.equal(fixed.code, 2);
    assert.match(fixed.stderr, /dim 1 is fixed to 3 by the model/);
  });

  it('bad --top and --batch values and unknown options (exit 2)', async () => {
    for (const args of [['--top', '0'], ['--batch', 'many'], ['--colour']]) {
      const run = await wharf(cnn, ...args);
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, new RegExp(args[0]!));
    }
  });
});
