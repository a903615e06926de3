import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, stat, symlink, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import ort from 'onnxruntime-node';
import { InferenceError } from '../../src/errors/index.js';
import {
  DATA_LOCATION, GraphBuilder, attr, decodeModel, encodeModel, externalizeData, inlineExternalData, makeTensor, makeValueInfo,
  readModelFile, writeModelFile, type GraphProto, type OnnxModel, type TensorProto,
} from '../../src/tools/onnx/index.js';
import { makeTempDir } from '../support/server-harness.js';
import { buildAddSubModel, buildCnnModel, buildMlpModel } from '../support/test-models.js';

let tmp: { dir: string; cleanup: () => Promise<void> };
before(async () => { tmp = await makeTempDir('wharf-model-file-'); });
after(async () => { await tmp.cleanup(); });

let counter = 0;
/** A fresh folder per case, so side files of one case cannot satisfy another. */
async function folder(): Promise<string> {
  counter += 1;
  const dir = join(tmp.dir, `case${counter}`);
  await mkdir(dir);
  return dir;
}

/** y = If(cond, then: x * a, else: x + b), with a and b initializers of the branches. */
function branchGraph(name: string, op: string, constant: number[]): GraphProto {
  return {
    name,
    node: [{ input: ['x', `${name}_c`], output: [`${name}_y`], name: `${name}_op`, opType: op, docString: `${op} in ${name}` }],
    initializer: [makeTensor(`${name}_c`, 'FP32', [4], constant)],
    output: [makeValueInfo(`${name}_y`, 'FP32', ['batch', 4])],
  };
}

/** Everything a tool must carry through untouched: metadata, doc strings, three opsets, a subgraph, a function. */
function richModel(): OnnxModel {
  const g = new GraphBuilder('rich', { docString: 'graph doc' });
  const x = g.input('x', 'FP32', ['batch', 4]);
  const cond = g.input('cond', 'BOOL', []);
  const w = g.initializer('w', 'FP32', [4, 4], Float32Array.from({ length: 16 }, (_, i) => i / 7 - 1));
  const mixed = g.node('MatMul', [x, w], {}, { docString: 'node doc' });
  const branched = g.node('If', [cond], {
    then_branch: attr.graph(branchGraph('then', 'Mul', [1, 2, 3, 4])),
    else_branch: attr.graph(branchGraph('else', 'Add', [5, 6, 7, 8])),
  });
  const scaled = g.node('Mul', [mixed, g.node('Constant', [], { value: makeTensor('k', 'FP32', [], [0.5]) })]);
  g.output(g.node('Add', [branched, scaled]), 'y', 'FP32', ['batch', 4]);
  const model = g.toModel({ opset: 17, domains: { 'ai.onnx.ml': 3, 'com.example': 1 }, docString: 'model doc', metadata: { author: 'wharf tests', license: 'MIT' } });
  model.producerVersion = '1.2.3';
  model.modelVersion = 7n;
  model.graph!.input![0]!.docString = 'input doc';
  model.functions = [{ name: 'Twice', domain: 'com.example', input: ['a'], output: ['b'], node: [{ input: ['a', 'a'], output: ['b'], opType: 'Add' }], opsetImport: [{ domain: '', version: 17n }] }];
  return model;
}

function richFeeds(batch = 2): Record<string, ort.Tensor> {
  return {
    x: new ort.Tensor('float32', Float32Array.from({ length: batch * 4 }, (_, i) => i - 3), [batch, 4]),
    cond: new ort.Tensor('bool', Uint8Array.from([1]), []),
  };
}

async function outputsOf(session: ort.InferenceSession, feeds: Record<string, ort.Tensor>): Promise<Record<string, number[]>> {
  const results = await session.run(feeds);
  return Object.fromEntries(Object.entries(results).map(([name, tensor]) => [name, Array.from(tensor.data as Float32Array)]));
}

async function rejectsWith(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof InferenceError, `expected an InferenceError, got ${String(error)}`);
    assert.equal(error.code, 'ERR_MODEL_LOAD_FAILED');
    assert.match(error.message, pattern);
    return true;
  });
}

describe('readModelFile / writeModelFile without external data', () => {
  const models: [string, Uint8Array][] = [
    ['mlp', buildMlpModel([64, 256, 256, 10])], ['cnn', buildCnnModel()], ['add_sub', buildAddSubModel()], ['rich', encodeModel(richModel())],
  ];
  for (const [name, bytes] of models) {
    it(`${name}: read then write gives the same bytes`, async () => {
      const dir = await folder();
      await writeFile(join(dir, 'in.onnx'), bytes);
      const model = await readModelFile(join(dir, 'in.onnx'));
      const written = await writeModelFile(join(dir, 'out.onnx'), model);
      assert.equal(written, bytes.byteLength);
      assert.deepEqual(await readFile(join(dir, 'out.onnx')), Buffer.from(bytes));
    });
  }

  it('keeps metadata, doc strings, opsets, subgraphs and functions', async () => {
    const dir = await folder();
    await writeModelFile(join(dir, 'rich.onnx'), richModel());
    const model = await readModelFile(join(dir, 'rich.onnx'));
    assert.deepEqual(model.metadataProps, [{ key: 'author', value: 'wharf tests' }, { key: 'license', value: 'MIT' }]);
    assert.deepEqual(model.opsetImport?.map((o) => [o.domain, o.version]), [['', 17n], ['ai.onnx.ml', 3n], ['com.example', 1n]]);
    assert.equal(model.docString, 'model doc');
    assert.equal(model.graph?.docString, 'graph doc');
    assert.equal(model.graph?.input?.[0]?.docString, 'input doc');
    const ifNode = model.graph?.node?.find((node) => node.opType === 'If');
    assert.equal(ifNode?.attribute?.[0]?.g?.node?.[0]?.docString, 'Mul in then');
    assert.equal(model.functions?.[0]?.name, 'Twice');
  });

  it('property: random graphs survive encode -> decode -> encode byte for byte, and externalize -> inline', async () => {
    const unary = fc.constantFrom('Relu', 'Sigmoid', 'Tanh', 'Neg', 'Abs');
    const step = fc.record({ op: fc.oneof(unary, fc.constantFrom('Add', 'Mul')), values: fc.array(fc.float({ noNaN: true }), { minLength: 3, maxLength: 3 }), doc: fc.option(fc.string(), { nil: undefined }) });
    await fc.assert(fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 6 }), fc.dictionary(fc.string({ minLength: 1 }), fc.string()), fc.integer({ min: 0, max: 16 }), async (steps, metadata, threshold) => {
      const g = new GraphBuilder('random');
      let running = g.input('x', 'FP32', ['n', 3]);
      steps.forEach(({ op, values, doc }, i) => {
        const inputs = op === 'Add' || op === 'Mul' ? [running, g.initializer(`c${i}`, 'FP32', [3], values)] : [running];
        running = g.node(op, inputs, {}, doc === undefined ? {} : { docString: doc });
      });
      g.output(running, 'y', 'FP32', ['n', 3]);
      const model = g.toModel({ opset: 17, metadata });
      const bytes = encodeModel(model);
      assert.deepEqual(Buffer.from(encodeModel(decodeModel(bytes))), Buffer.from(bytes));
      const split = externalizeData(decodeModel(bytes), { thresholdBytes: threshold, location: 'w.bin' });
      const data = Buffer.concat(split.chunks);
      const inlined = await inlineExternalData(split.model, (ref) => Promise.resolve(data.subarray(ref.offset, ref.offset + (ref.length ?? 0))));
      assert.deepEqual(Buffer.from(encodeModel(inlined)), Buffer.from(bytes));
    }), { numRuns: 60 });
  });
});

describe('external data', () => {
  it('writes large initializers to a side file that onnxruntime-node loads from the path, and reads them back', async () => {
    const dir = await folder();
    const bytes = buildMlpModel([64, 256, 256, 10]);
    const original = decodeModel(bytes);
    const path = join(dir, 'mlp.onnx');
    const written = await writeModelFile(path, original, { externalDataThreshold: 1024 });
    const modelSize = (await stat(path)).size;
    const dataSize = (await stat(join(dir, 'mlp.onnx.data'))).size;
    assert.equal(written, modelSize + dataSize);
    assert.ok(modelSize < 2048, `model file is ${modelSize} bytes`);
    assert.ok(dataSize >= (64 * 256 + 256 * 256 + 256 * 10 + 256 + 256) * 4, `side file is ${dataSize} bytes`);
    // The caller's model still holds its bytes inline.
    assert.equal(original.graph?.initializer?.[0]?.dataLocation, undefined);
    assert.ok(original.graph?.initializer?.[0]?.rawData !== undefined);

    const onDisk = decodeModel(await readFile(path));
    const w1 = onDisk.graph?.initializer?.find((t) => t.name === 'w1');
    assert.equal(w1?.dataLocation, DATA_LOCATION.EXTERNAL);
    assert.deepEqual(w1?.externalData?.map((e) => e.key), ['location', 'offset', 'length']);
    assert.equal(w1?.externalData?.[0]?.value, 'mlp.onnx.data');
    // The 40-byte last bias is below the threshold and stays inline.
    assert.ok(onDisk.graph?.initializer?.find((t) => t.name === 'b3')?.rawData !== undefined);

    const read = await readModelFile(path);
    assert.deepEqual(Buffer.from(encodeModel(read)), Buffer.from(bytes));

    const feeds = { x: new ort.Tensor('float32', Float32Array.from({ length: 3 * 64 }, (_, i) => Math.sin(i)), [3, 64]) };
    const fromPath = await ort.InferenceSession.create(path);
    const fromBytes = await ort.InferenceSession.create(bytes);
    assert.deepEqual(await outputsOf(fromPath, feeds), await outputsOf(fromBytes, feeds));
  });

  it('externalizes initializers inside subgraphs too, and onnxruntime-node agrees with the inline model', async () => {
    const dir = await folder();
    const model = richModel();
    const path = join(dir, 'rich.onnx');
    // The side file may sit in a subfolder, which writeModelFile creates.
    await writeModelFile(path, model, { externalDataThreshold: 16, externalDataFile: 'weights/rich.bin' });
    const onDisk = decodeModel(await readFile(path));
    const thenBranch = onDisk.graph?.node?.find((n) => n.opType === 'If')?.attribute?.[0]?.g;
    assert.equal(thenBranch?.initializer?.[0]?.dataLocation, DATA_LOCATION.EXTERNAL);
    assert.equal(thenBranch?.initializer?.[0]?.externalData?.[0]?.value, 'weights/rich.bin');
    // Constant node values are attributes, not initializers: they stay inline.
    const constant = onDisk.graph?.node?.find((n) => n.opType === 'Constant');
    assert.ok(constant?.attribute?.[0]?.t?.rawData !== undefined);

    assert.deepEqual(Buffer.from(encodeModel(await readModelFile(path))), Buffer.from(encodeModel(model)));
    const fromPath = await ort.InferenceSession.create(path);
    const fromBytes = await ort.InferenceSession.create(encodeModel(model));
    for (const cond of [0, 1]) {
      const feeds = { ...richFeeds(), cond: new ort.Tensor('bool', Uint8Array.from([cond]), []) };
      assert.deepEqual(await outputsOf(fromPath, feeds), await outputsOf(fromBytes, feeds));
    }
  });

  it('aligns offsets: 64 bytes for small tensors', () => {
    const g = new GraphBuilder('align');
    const x = g.input('x', 'FP32', [3]);
    const a = g.initializer('a', 'FP32', [3], [1, 2, 3]);
    const b = g.initializer('b', 'FP32', [3], [4, 5, 6]);
    g.output(g.node('Add', [g.node('Add', [x, a]), b]), 'y', 'FP32', [3]);
    const split = externalizeData(g.toModel({ opset: 17 }), { thresholdBytes: 1, location: 'd.bin' });
    const offsets = split.model.graph?.initializer?.map((t) => t.externalData?.find((e) => e.key === 'offset')?.value);
    assert.deepEqual(offsets, ['0', '64']);
    assert.equal(split.dataBytes, 64 + 12);
  });

  it('refuses to write a model that still refers to external files', async () => {
    const split = externalizeData(decodeModel(buildMlpModel([4, 8, 2])), { thresholdBytes: 1, location: 'x.data' });
    await assert.rejects(writeModelFile(join(await folder(), 'm.onnx'), split.model), /refers to external data files; read it with readModelFile/);
    assert.throws(() => externalizeData(split.model, { thresholdBytes: 1, location: 'y.data' }), /tensor 'w1' still keeps its data in an external file/);
    assert.throws(() => externalizeData(decodeModel(buildMlpModel([4, 2])), { thresholdBytes: 1, location: '../y.data' }), /escapes the folder/);
    const dir = await folder();
    await assert.rejects(writeModelFile(join(dir, 'm.onnx'), decodeModel(buildMlpModel([4, 2])), { externalDataThreshold: 1, externalDataFile: './m.onnx' }), /externalDataFile '\.\/m\.onnx' is the model file itself/);
    await assert.rejects(writeModelFile(join(dir, 'm.onnx'), decodeModel(buildMlpModel([4, 2])), { externalDataThreshold: -1 }), /externalDataThreshold must be a number >= 0, got -1/);
  });
});

/** Writes the MLP with its weights external, then lets `edit` change w1's entries or the files. */
async function brokenModel(edit: (w1: TensorProto, dir: string) => Promise<void> | void): Promise<string> {
  const dir = await folder();
  const path = join(dir, 'model.onnx');
  await writeModelFile(path, decodeModel(buildMlpModel([4, 8, 2])), { externalDataThreshold: 1 });
  const model = decodeModel(await readFile(path));
  const w1 = model.graph!.initializer!.find((t) => t.name === 'w1')!;
  await edit(w1, dir);
  await writeFile(path, encodeModel(model));
  return path;
}

function setEntry(tensor: TensorProto, key: string, value: string): void {
  tensor.externalData = tensor.externalData!.filter((e) => e.key !== key).concat([{ key, value }]);
}

describe('refusals name the file, the tensor and what is wrong', () => {
  it('a location that climbs out of the folder', async () => {
    const path = await brokenModel(async (w1, dir) => {
      await writeFile(join(dir, '..', 'escape.bin'), new Uint8Array(4096));
      setEntry(w1, 'location', '../escape.bin');
    });
    await rejectsWith(readModelFile(path), /model file '.*model\.onnx': tensor 'w1': external data location '\.\.\/escape\.bin' escapes the folder/);
  });

  it('a location that climbs out after going in', async () => {
    const path = await brokenModel((w1) => setEntry(w1, 'location', 'sub/../../escape.bin'));
    await rejectsWith(readModelFile(path), /tensor 'w1': external data location 'sub\/\.\.\/\.\.\/escape\.bin' escapes the folder/);
  });

  for (const absolute of ['/etc/passwd', 'C:\\weights.bin', '\\\\server\\share\\w.bin']) {
    it(`an absolute location: ${absolute}`, async () => {
      const path = await brokenModel((w1) => setEntry(w1, 'location', absolute));
      await rejectsWith(readModelFile(path), /tensor 'w1': external data location .* is absolute; it must be a relative path inside the model's folder/);
    });
  }

  it('a symlink that points outside the folder', async () => {
    const path = await brokenModel(async (w1, dir) => {
      await writeFile(join(tmp.dir, 'outside.bin'), new Uint8Array(4096));
      await symlink(join(tmp.dir, 'outside.bin'), join(dir, 'link.bin'));
      setEntry(w1, 'location', 'link.bin');
    });
    await rejectsWith(readModelFile(path), /tensor 'w1': external data file 'link\.bin' resolves to '.*outside\.bin', outside the model's folder/);
  });

  it('a missing data file', async () => {
    const path = await brokenModel((w1) => setEntry(w1, 'location', 'gone.data'));
    await rejectsWith(readModelFile(path), /tensor 'w1': external data file 'gone\.data' cannot be opened: no such file/);
  });

  it('a truncated data file', async () => {
    const path = await brokenModel(async (_w1, dir) => { await truncate(join(dir, 'model.onnx.data'), 100); });
    await rejectsWith(readModelFile(path), /tensor '\w+': external data file 'model\.onnx\.data' needs bytes \d+\.\.\d+ but the file has 100 bytes \(truncated\?\)/);
  });

  it('a malformed offset and a length that does not fit the dims', async () => {
    const badOffset = await brokenModel((w1) => setEntry(w1, 'offset', '-5'));
    await rejectsWith(readModelFile(badOffset), /tensor 'w1': external data offset '-5' is not a non-negative integer/);
    const badLength = await brokenModel((w1) => setEntry(w1, 'length', '12'));
    await rejectsWith(readModelFile(badLength), /tensor 'w1': external data length 12 does not match its dims and type, which need 128 bytes/);
  });

  it('no location entry', async () => {
    const path = await brokenModel((w1) => { w1.externalData = w1.externalData!.filter((e) => e.key !== 'location'); });
    await rejectsWith(readModelFile(path), /tensor 'w1' keeps its data externally but has no 'location' entry/);
  });

  it('a missing model file, a folder, and a file that is not a model', async () => {
    const dir = await folder();
    await rejectsWith(readModelFile(join(dir, 'nope.onnx')), /cannot read model file '.*nope\.onnx': no such file/);
    await rejectsWith(readModelFile(dir), /cannot read model file '.*': is a directory/);
    await writeFile(join(dir, 'text.onnx'), 'this is not an ONNX model\n');
    await rejectsWith(readModelFile(join(dir, 'text.onnx')), /model file '.*text\.onnx': not a valid ONNX model file/);
  });
});
