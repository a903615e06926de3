// The image classification example (issue 6) end to end: the real server on examples/models, the
// checked-in JPEG and PNG files of examples/images, over HTTP (binary tensors) and gRPC.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { GrpcClient, HttpClient, InferenceError, type InferResponse, type Tensor } from '../../src/client/index.js';
import type { RunningGrpcServer } from '../../src/server/grpc/index.js';
import ort from 'onnxruntime-node';
import { generateImagePipeline } from '../../scripts/image-pipeline-examples.js';
import { buildColorClassifier, COLOR_LABELS, COLOR_PROTOTYPES, IMAGE_SIZE, PIXEL_MEAN, PIXEL_STD } from '../../scripts/image-pipeline-model.js';
import { makeTempDir, startTestServerWithClients, type TestServer, type TestServerWithClients } from '../support/server-harness.js';

const run = promisify(execFile);
// Compiled to dist/test/e2e/: the repository root is three folders up.
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const IMAGES = join(ROOT, 'examples', 'images');

/** Each sample image and the color the pipeline must put first. */
const EXPECTED_TOP_1: Record<string, string> = {
  'apple.jpg': 'red',
  'lemon.png': 'yellow',
  'meadow.png': 'green',
  'night.png': 'black',
  'sea.jpg': 'blue',
  'sunset.jpg': 'orange',
};
const FILES = Object.keys(EXPECTED_TOP_1).sort();
const TOP_K = 3;

let served: TestServerWithClients;
let server: TestServer;
let grpc: RunningGrpcServer;
let http: HttpClient;
let grpcClient: GrpcClient;
const files = new Map<string, Buffer>();

before(async () => {
  for (const file of FILES) files.set(file, await readFile(join(IMAGES, file)));
  served = await startTestServerWithClients(join(ROOT, 'examples', 'models'));
  ({ server, grpc, http, grpcClient } = served);
});

after(async () => {
  await served?.close();
});

const text = new TextDecoder();

function imageInput(...names: string[]): Tensor {
  return { name: 'image', datatype: 'BYTES', shape: [names.length, 1], data: names.map((name) => files.get(name) ?? Buffer.from(name)) };
}

/** Rows of [label, score] pairs from a pipeline response. */
function topK(response: InferResponse): [string, number][][] {
  const labels = response.outputs.find((o) => o.name === 'labels');
  const scores = response.outputs.find((o) => o.name === 'scores');
  assert.ok(labels?.datatype === 'BYTES' && scores?.datatype === 'FP32', 'labels BYTES and scores FP32');
  assert.deepEqual(labels.shape, scores.shape);
  const [rows, k] = labels.shape as [number, number];
  assert.equal(k, TOP_K);
  return Array.from({ length: rows }, (_, row) => Array.from({ length: k }, (_, j): [string, number] => [text.decode(labels.data[row * k + j]), scores.data[row * k + j]!]));
}

function assertProbabilities(row: [string, number][], file: string): void {
  const scores = row.map(([, score]) => score);
  assert.ok(scores.every((s, i) => s >= 0 && s <= 1 && (i === 0 || s <= scores[i - 1]!)), `${file}: scores ${scores.join(', ')} are probabilities, most probable first`);
  assert.ok(scores.reduce((a, b) => a + b, 0) <= 1 + 1e-5, `${file}: scores add up to at most 1`);
  assert.equal(new Set(row.map(([label]) => label)).size, row.length, `${file}: labels are distinct`);
}

describe('image_pipeline example', () => {
  it('loads all four models of the pipeline with the bundled repository', async () => {
    const index = await http.repositoryIndex();
    for (const name of ['image_preprocess', 'color_classifier', 'image_postprocess', 'image_pipeline']) {
      assert.equal(index.find((row) => row.name === name)?.state, 'READY', `${name}: ${JSON.stringify(index.find((row) => row.name === name))}`);
    }
    const metadata = await http.modelMetadata('image_pipeline');
    assert.deepEqual(metadata.inputs, [{ name: 'image', datatype: 'BYTES', shape: [-1, 1] }]);
    assert.deepEqual(metadata.outputs, [{ name: 'labels', datatype: 'BYTES', shape: [-1, -1] }, { name: 'scores', datatype: 'FP32', shape: [-1, -1] }]);
  });

  for (const file of FILES) {
    it(`puts ${EXPECTED_TOP_1[file]} first for ${file} (HTTP, binary tensors)`, async () => {
      const [row] = topK(await http.infer({ modelName: 'image_pipeline', inputs: [imageInput(file)] }));
      assert.equal(row![0]![0], EXPECTED_TOP_1[file], `${file}: ${JSON.stringify(row)}`);
      assert.ok(row![0]![1] > 0.5, `${file}: top score ${row![0]![1]}`);
      assertProbabilities(row!, file);
    });
  }

  it('classifies JPEG and PNG files in one batched request, row by row', async () => {
    const response = await http.infer({ modelName: 'image_pipeline', inputs: [imageInput(...FILES)] });
    const rows = topK(response);
    assert.deepEqual(rows.map((row) => row[0]![0]), FILES.map((file) => EXPECTED_TOP_1[file]));
    // A row's answer does not depend on its neighbours.
    const alone = topK(await http.infer({ modelName: 'image_pipeline', inputs: [imageInput(FILES[3]!)] }));
    assert.deepEqual(alone[0], rows[3]);
  });

  it('gives the same answers over gRPC', async () => {
    const overGrpc = topK(await grpcClient.infer({ modelName: 'image_pipeline', inputs: [imageInput(...FILES)] }));
    const overHttp = topK(await http.infer({ modelName: 'image_pipeline', inputs: [imageInput(...FILES)] }));
    assert.deepEqual(overGrpc, overHttp);
  });

  it('takes the file as Triton binary tensor data sent by hand, as the README does with curl', async () => {
    const image = files.get('sunset.jpg')!;
    const header = JSON.stringify({ inputs: [{ name: 'image', shape: [1, 1], datatype: 'BYTES', parameters: { binary_data_size: image.length + 4 } }], outputs: [{ name: 'labels' }] });
    const length = Buffer.alloc(4);
    length.writeUInt32LE(image.length);
    const response = await fetch(`${server.url}/v2/models/image_pipeline/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(Buffer.byteLength(header)) },
      body: Buffer.concat([Buffer.from(header), length, image]),
    });
    assert.equal(response.status, 200);
    const body = (await response.json()) as { outputs: { name: string; shape: number[]; data: string[] }[] };
    assert.deepEqual(body.outputs.map((o) => o.name), ['labels']);
    assert.deepEqual(body.outputs[0]!.shape, [1, TOP_K]);
    assert.equal(body.outputs[0]!.data[0], 'orange');
  });

  it('fails only the request whose bytes are not an image, with a clear error', async () => {
    const settled = await Promise.allSettled([
      http.infer({ modelName: 'image_pipeline', inputs: [imageInput('sea.jpg')] }),
      http.infer({ modelName: 'image_pipeline', inputs: [imageInput('this is not an image')] }),
      grpcClient.infer({ modelName: 'image_pipeline', inputs: [imageInput('meadow.png')] }),
      http.infer({ modelName: 'image_pipeline', inputs: [imageInput('apple.jpg')] }),
    ]);
    assert.deepEqual(settled.map((s) => s.status), ['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    const failure = (settled[1] as PromiseRejectedResult).reason as unknown;
    assert.ok(failure instanceof InferenceError);
    assert.equal(failure.code, 'ERR_HANDLER_INPUT_REJECTED');
    assert.match(failure.message, /image_preprocess.*image 0: not a JPEG or PNG file \(it starts with 74 68 69 73 20 69 73 20\)/);
    assert.deepEqual(settled.filter((s) => s.status === 'fulfilled').map((s) => topK(s.value)[0]![0]![0]), ['blue', 'green', 'red']);
  });

  it('names the row of a batch that is not an image, and a file that does not decode, over HTTP and gRPC', async () => {
    const truncated = files.get('apple.jpg')!.subarray(0, 200);
    const input: Tensor = { name: 'image', datatype: 'BYTES', shape: [3, 1], data: [files.get('sea.jpg')!, truncated, files.get('night.png')!] };
    for (const client of [http, grpcClient]) {
      const error: unknown = await client.infer({ modelName: 'image_pipeline', inputs: [input] }).then(() => undefined, (e: unknown) => e);
      assert.ok(error instanceof InferenceError, `${String(error)}`);
      assert.equal(error.code, 'ERR_HANDLER_INPUT_REJECTED');
      assert.match(error.message, /image 1: the JPEG file could not be decoded: /);
    }
    const empty: Tensor = { name: 'image', datatype: 'BYTES', shape: [1, 1], data: [new Uint8Array(0)] };
    await assert.rejects(http.infer({ modelName: 'image_pipeline', inputs: [empty] }), /image 0: not a JPEG or PNG file \(it is empty\)/);
    // The pipeline still answers afterwards.
    assert.equal(topK(await http.infer({ modelName: 'image_pipeline', inputs: [imageInput('lemon.png')] }))[0]![0]![0], 'yellow');
  });

  it('examples/classify-image.mjs prints what the pipeline README shows, over HTTP and gRPC', async () => {
    const readme = await readFile(join(ROOT, 'examples', 'models', 'image_pipeline', 'README.md'), 'utf8');
    const documented = /```sh\nnode examples\/classify-image\.mjs examples\/images\/\*\n.*\n```\n\n```text\n([\s\S]*?)```/.exec(readme)?.[1];
    assert.ok(documented !== undefined, 'the README shows the script and its output');
    const script = join(ROOT, 'examples', 'classify-image.mjs');
    const args = [script, ...FILES.map((file) => `examples/images/${file}`)];
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('WHARF_')));
    const overHttp = await run(process.execPath, args, { cwd: ROOT, env: { ...inherited, WHARF_URL: server.url } });
    assert.equal(overHttp.stdout, documented);
    const overGrpc = await run(process.execPath, args, { cwd: ROOT, env: { ...inherited, WHARF_PROTOCOL: 'grpc', WHARF_URL: grpc.address } });
    assert.equal(overGrpc.stdout, documented);
    // The repository README quotes some of these lines.
    const quoted = /```sh\nnode examples\/classify-image\.mjs [^\n]*\n```\n\n```text\n([\s\S]*?)```/.exec(await readFile(join(ROOT, 'README.md'), 'utf8'))?.[1];
    assert.ok(quoted !== undefined, 'README.md shows the script');
    for (const line of quoted.trimEnd().split('\n')) assert.ok(documented.includes(`${line}\n`), `README.md: ${line}`);
  });
});

describe('image_pipeline example files', () => {
  it('match what scripts/generate-examples.ts writes (run npm run examples:generate after changing it)', async () => {
    const { dir, cleanup } = await makeTempDir('wharf-image-pipeline-');
    try {
      const written = await generateImagePipeline(join(dir, 'models'), join(dir, 'images'));
      assert.equal(written.length, 17);
      for (const path of written) {
        const committed = await readFile(join(ROOT, 'examples', path)).catch(() => Buffer.alloc(0));
        assert.ok(committed.equals(await readFile(join(dir, path))), `examples/${path} differs from a fresh generation`);
      }
    } finally {
      await cleanup();
    }
  });

  it('color_classifier gives a plain image of each reference color to its class, and half-and-half images to both', async () => {
    const session = await ort.InferenceSession.create(buildColorClassifier());
    const plane = IMAGE_SIZE * IMAGE_SIZE;
    /** One image: the left `split` of the columns in color a, the rest in b; normalized as image_preprocess does. */
    const image = (a: readonly number[], b: readonly number[], split: number): number[] => [0, 1, 2].flatMap((c) => Array.from({ length: plane }, (_, i) => {
      const value = (i % IMAGE_SIZE) < split * IMAGE_SIZE ? a[c]! : b[c]!;
      return (value / 255 - PIXEL_MEAN[c]!) / PIXEL_STD[c]!;
    }));
    const cases = COLOR_LABELS.flatMap((label) => COLOR_PROTOTYPES[label].map((rgb) => ({ label, rgb })));
    const pixels = Float32Array.from(cases.flatMap(({ rgb }) => image(rgb, rgb, 1)));
    const { probabilities } = await session.run({ pixels: new ort.Tensor('float32', pixels, [cases.length, 3, IMAGE_SIZE, IMAGE_SIZE]) });
    const p = probabilities!.data as Float32Array;
    cases.forEach(({ label, rgb }, row) => {
      const scores = p.subarray(row * COLOR_LABELS.length, (row + 1) * COLOR_LABELS.length);
      assert.ok(Math.abs(scores.reduce((a, b) => a + b, 0) - 1) < 1e-5, `${label} (${rgb.join(',')}): probabilities sum to 1`);
      assert.ok(scores[COLOR_LABELS.indexOf(label)]! > 0.8, `${label} (${rgb.join(',')}): ${Array.from(scores, (v) => v.toFixed(3)).join(' ')}`);
    });
    const red = COLOR_PROTOTYPES.red[0]!;
    const blue = COLOR_PROTOTYPES.blue[0]!;
    const half = await session.run({ pixels: new ort.Tensor('float32', Float32Array.from(image(red, blue, 0.5)), [1, 3, IMAGE_SIZE, IMAGE_SIZE]) });
    const shares = half.probabilities!.data as Float32Array;
    assert.ok(Math.abs(shares[COLOR_LABELS.indexOf('red')]! - 0.5) < 0.02 && Math.abs(shares[COLOR_LABELS.indexOf('blue')]! - 0.5) < 0.02, Array.from(shares).join(' '));
    await session.release();
  });

  it('keeps the sample images small', () => {
    for (const [file, bytes] of files) assert.ok(bytes.length < 8 * 1024, `${file} is ${bytes.length} bytes`);
    assert.deepEqual([...files.values()].map((b) => b.subarray(0, 2).toString('hex')), FILES.map((f) => (f.endsWith('.jpg') ? 'ffd8' : '8950')));
  });
});
