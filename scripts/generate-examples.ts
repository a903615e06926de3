/**
 * @module
 * Writes the bundled example model repository (examples/models): three small ONNX models built
 * with src/tools/onnx, their config.pbtxt files and READMEs. The expected responses in the READMEs
 * are computed here with onnxruntime-node, so they always match the models. The image
 * classification pipeline (four more models, and the sample images in examples/images) is written
 * by scripts/image-pipeline-examples.ts, called from here.
 *
 * Usage: node dist/scripts/generate-examples.js [outDir]   (default: examples/models; images go to <outDir>/../images)
 * Output is deterministic: the same bytes on every run, so `git diff` shows real changes only.
 * test/tools/examples.test.ts and test/e2e/image-pipeline.test.ts regenerate into a temporary folder and compare.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ort from 'onnxruntime-node';
import { dataTypeFromOrt, dataTypeInfo, type DataType } from '../src/core/index.js';
import { GraphBuilder, toTypedArray } from '../src/tools/onnx/index.js';
import { generateImagePipeline } from './image-pipeline-examples.js';

const OPSET = 17;

export const IRIS_CLASSES = ['setosa', 'versicolor', 'virginica'] as const;

/** Per-class means and standard deviations (cm) of Fisher's iris data, the only "data" used. */
const IRIS_STATS = [
  { mean: [5.006, 3.428, 1.462, 0.246], std: [0.352, 0.379, 0.174, 0.105] },
  { mean: [5.936, 2.77, 4.26, 1.326], std: [0.516, 0.314, 0.47, 0.198] },
  { mean: [6.588, 2.974, 5.552, 2.026], std: [0.636, 0.322, 0.552, 0.275] },
];

/** Row-major weights: w1 is [4, 8], w2 is [8, 3]; mean/std standardize the 4 features. */
export interface MlpWeights { mean: number[]; std: number[]; w1: number[]; b1: number[]; w2: number[]; b2: number[] }

const round = (value: number, decimals: number): number => Number(value.toFixed(decimals));

/** mulberry32, a tiny seeded PRNG: the same points and the same start on every run. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Fits the 4-8-3 MLP by full-batch gradient descent (softmax cross-entropy, small L2) on 20
 * synthetic points per class. Points are rounded to 1 decimal (like the real measurements) and
 * weights to 3, so last-bit differences in Math.log/exp between platforms are very unlikely to change the file.
 */
export function fitIrisMlp(): MlpWeights {
  const random = seededRandom(20240611);
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const points = IRIS_STATS.flatMap(({ mean, std }, label) => Array.from({ length: 20 }, () => ({
    x: mean.map((m, j) => round(Math.max(0.1, m + std[j]! * normal()), 1)), label })));
  const average = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;
  const mean = [0, 1, 2, 3].map((j) => round(average(points.map((p) => p.x[j]!)), 2));
  const std = [0, 1, 2, 3].map((j) => round(Math.sqrt(average(points.map((p) => (p.x[j]! - mean[j]!) ** 2))), 2));
  const xs = points.map((p) => p.x.map((v, j) => (v - mean[j]!) / std[j]!));
  const w1 = Array.from({ length: 32 }, () => normal() * 0.5);
  const w2 = Array.from({ length: 24 }, () => normal() * 0.5);
  const b1 = new Array<number>(8).fill(0);
  const b2 = new Array<number>(3).fill(0);
  const rate = 0.1;
  const l2 = 0.03;
  for (let epoch = 0; epoch < 2000; epoch += 1) {
    const [g1, gb1, g2, gb2] = [w1, b1, w2, b2].map((w) => new Array<number>(w.length).fill(0)) as [number[], number[], number[], number[]];
    xs.forEach((x, n) => {
      const pre = b1.map((b, k) => b + x.reduce((sum, v, j) => sum + v * w1[j * 8 + k]!, 0));
      const h = pre.map((v) => Math.max(0, v));
      const z = b2.map((b, c) => b + h.reduce((sum, v, k) => sum + v * w2[k * 3 + c]!, 0));
      const top = Math.max(...z);
      const e = z.map((v) => Math.exp(v - top));
      const dz = e.map((v, c) => v / e.reduce((a, b) => a + b, 0) - (c === points[n]!.label ? 1 : 0));
      h.forEach((hk, k) => dz.forEach((d, c) => { g2[k * 3 + c]! += hk * d; }));
      dz.forEach((d, c) => { gb2[c]! += d; });
      const dh = pre.map((v, k) => (v > 0 ? dz.reduce((sum, d, c) => sum + d * w2[k * 3 + c]!, 0) : 0));
      x.forEach((v, j) => dh.forEach((d, k) => { g1[j * 8 + k]! += v * d; }));
      dh.forEach((d, k) => { gb1[k]! += d; });
    });
    const step = (w: number[], g: number[]): void => w.forEach((v, i) => { w[i] = v - rate * (g[i]! / xs.length + l2 * v); });
    step(w1, g1); step(b1, gb1); step(w2, g2); step(b2, gb2);
  }
  const r3 = (w: number[]): number[] => w.map((v) => round(v, 3));
  return { mean, std, w1: r3(w1), b1: r3(b1), w2: r3(w2), b2: r3(b2) };
}

/** a FP32 [batch,4], b INT32 [batch,4] -> sum FP32, product FP64, a_greater BOOL. */
export function buildSimpleMath(): Uint8Array {
  const g = new GraphBuilder('simple_math', { docString: 'Element-wise math across datatypes: a + b, a * b in double precision, a > b.' });
  const shape = ['batch', 4];
  const a = g.input('a', 'FP32', shape);
  const b = g.input('b', 'INT32', shape);
  const bFloat = g.node('Cast', [b], { to: dataTypeInfo('FP32').onnxElementType });
  g.output(g.node('Add', [a, bFloat]), 'sum', 'FP32', shape);
  const toDouble = { to: dataTypeInfo('FP64').onnxElementType };
  g.output(g.node('Mul', [g.node('Cast', [a], toDouble), g.node('Cast', [b], toDouble)]), 'product', 'FP64', shape);
  g.output(g.node('Greater', [a, bFloat]), 'a_greater', 'BOOL', shape);
  return g.toBytes({ opset: OPSET });
}

/** features FP32 [batch,4] -> standardize -> 8 ReLU -> 3 Softmax = probabilities; ArgMax = label INT64 [batch,1]. */
export function buildMlpClassifier(weights: MlpWeights = fitIrisMlp()): Uint8Array {
  const g = new GraphBuilder('mlp_classifier', { docString: 'Iris-style classifier: 4 measurements in cm -> setosa, versicolor, virginica.' });
  const x = g.input('features', 'FP32', ['batch', 4]);
  const centered = g.node('Sub', [x, g.initializer('feature_mean', 'FP32', [4], weights.mean)]);
  const scaled = g.node('Div', [centered, g.initializer('feature_std', 'FP32', [4], weights.std)]);
  const hidden = g.node('Relu', [g.node('Add', [
    g.node('MatMul', [scaled, g.initializer('w1', 'FP32', [4, 8], weights.w1)]), g.initializer('b1', 'FP32', [8], weights.b1)])]);
  const logits = g.node('Add', [g.node('MatMul', [hidden, g.initializer('w2', 'FP32', [8, 3], weights.w2)]), g.initializer('b2', 'FP32', [3], weights.b2)]);
  const probabilities = g.output(g.node('Softmax', [logits], { axis: 1 }), 'probabilities', 'FP32', ['batch', 3]);
  g.output(g.node('ArgMax', [probabilities], { axis: 1, keepdims: 1 }), 'label', 'INT64', ['batch', 1]);
  return g.toBytes({ opset: OPSET, metadata: { labels: IRIS_CLASSES.join(',') } });
}

/** The stopwords text_normalizer drops; compared case-insensitively. */
export const STOPWORDS = ['a', 'an', 'the'];

/** text BYTES [words] -> StringNormalizer (lower case, stopwords removed) -> normalized BYTES. */
export function buildTextNormalizer(): Uint8Array {
  const g = new GraphBuilder('text_normalizer', { docString: 'Lower-cases words and drops English articles.' });
  const text = g.input('text', 'BYTES', ['words']);
  // locale 'C': onnxruntime's default (en_US.UTF-8 on Linux) is missing from minimal containers and
  // then fails the load. 'C' exists everywhere, at the price of changing the case of ASCII letters only.
  const normalized = g.node('StringNormalizer', [text], { case_change_action: 'LOWER', is_case_sensitive: 0, stopwords: STOPWORDS, locale: 'C' });
  g.output(normalized, 'normalized', 'BYTES', [-1]);
  return g.toBytes({ opset: OPSET });
}

interface ConfigTensor { name: string; datatype: DataType; dims: number[] }

/** config.pbtxt text, in the layout Triton's documentation uses. */
function configText(name: string, maxBatchSize: number, inputs: ConfigTensor[], outputs: ConfigTensor[]): string {
  const list = (tensors: ConfigTensor[]): string => tensors
    .map((t) => `  {\n    name: "${t.name}"\n    data_type: ${dataTypeInfo(t.datatype).config}\n    dims: [ ${t.dims.join(', ')} ]\n  }`).join(',\n');
  return `name: "${name}"\nbackend: "onnxruntime"\nmax_batch_size: ${maxBatchSize}\ninput [\n${list(inputs)}\n]\noutput [\n${list(outputs)}\n]\n`;
}

const MLP_CONFIG = configText('mlp_classifier', 8, [{ name: 'features', datatype: 'FP32', dims: [4] }], [
  { name: 'probabilities', datatype: 'FP32', dims: [3] },
  { name: 'label', datatype: 'INT64', dims: [1] },
]);

// max_batch_size 0: the output length depends on the words removed, so requests cannot be
// stacked along a batch dim and split again.
const TEXT_CONFIG = configText('text_normalizer', 0, [{ name: 'text', datatype: 'BYTES', dims: [-1] }], [{ name: 'normalized', datatype: 'BYTES', dims: [-1] }]);

type JsonValue = number | string | boolean | JsonValue[];
interface RequestTensor { name: string; shape: number[]; datatype: DataType; data: JsonValue[] }
interface Example {
  name: string;
  bytes: Uint8Array;
  config?: string;
  /** Markdown between the title and the request. */
  about: string;
  request: RequestTensor[];
  /** Markdown after the response. */
  notes: string;
}

function examples(): Example[] {
  return [
    {
      name: 'simple_math',
      bytes: buildSimpleMath(),
      about: `Element-wise math over three datatypes, one row of 4 values per batch item.

| | name | datatype | shape | value |
|---|---|---|---|---|
| input | \`a\` | FP32 | [batch, 4] | |
| input | \`b\` | INT32 | [batch, 4] | |
| output | \`sum\` | FP32 | [batch, 4] | a + b |
| output | \`product\` | FP64 | [batch, 4] | a × b, computed in double precision |
| output | \`a_greater\` | BOOL | [batch, 4] | a > b |

There is no config.pbtxt: the server completes the configuration from the model. Every input and
output starts with the dynamic dim \`batch\`, so the completed config batches: dims \`[4]\` per tensor
and the server's default max_batch_size (4, as in Triton). The shapes are rank 2 so that one
request row reads as one item; a request carries \`[n, 4]\` for n up to max_batch_size.`,
      request: [
        { name: 'a', shape: [2, 4], datatype: 'FP32', data: [1.5, 2, -3.25, 10, 0, 0.5, 100, -1] },
        { name: 'b', shape: [2, 4], datatype: 'INT32', data: [1, 2, -4, 7, 0, 1, 99, -2] },
      ],
      notes: 'Outputs come in model order: `sum`, `product`, `a_greater`. Ask for a subset with `"outputs":[{"name":"a_greater"}]`.',
    },
    {
      name: 'mlp_classifier',
      bytes: buildMlpClassifier(),
      config: MLP_CONFIG,
      about: `A tiny multi-layer perceptron in the style of the iris flower classifier: four measurements in cm
(sepal length, sepal width, petal length, petal width) -> probabilities of ${IRIS_CLASSES.map((c) => `\`${c}\``).join(', ')}.
Inputs are standardized inside the model, then 4 -> 8 (ReLU) -> 3 (Softmax). The weights were fitted by
scripts/generate-examples.ts on synthetic points drawn around the iris class means; it is a demo, not a botanist.

| | name | datatype | shape (config dims) | |
|---|---|---|---|---|
| input | \`features\` | FP32 | [batch, 4] ([4]) | measurements in cm |
| output | \`probabilities\` | FP32 | [batch, 3] ([3]) | one probability per class, summing to 1 |
| output | \`label\` | INT64 | [batch, 1] ([1]) | index of the most probable class (0 ${IRIS_CLASSES[0]}, 1 ${IRIS_CLASSES[1]}, 2 ${IRIS_CLASSES[2]}) |

config.pbtxt sets max_batch_size 8, so a request carries 1 to 8 rows. The class names are also in the
model's metadata (\`labels\`).`,
      request: [{ name: 'features', shape: [3, 4], datatype: 'FP32', data: [[5.1, 3.5, 1.4, 0.2], [5.9, 2.8, 4.3, 1.3], [6.7, 3.0, 5.2, 2.3]] }],
      notes: 'The request uses nested `data`, which the KServe v2 protocol allows; flat row-major data works too.',
    },
    {
      name: 'text_normalizer',
      bytes: buildTextNormalizer(),
      config: TEXT_CONFIG,
      about: `Lower-cases a list of words and drops the English articles ${STOPWORDS.map((w) => `"${w}"`).join(', ')} (in any case),
with ONNX's StringNormalizer.

| | name | datatype | shape | |
|---|---|---|---|---|
| input | \`text\` | BYTES | [words] | one word per element, UTF-8 |
| output | \`normalized\` | BYTES | [kept words] | the words left, lower-cased |

config.pbtxt sets max_batch_size 0: the output is shorter than the input by the number of words
removed, so requests cannot be batched together. Only ASCII letters change case (the model uses the
portable "C" locale); other characters pass through unchanged.`,
      request: [{ name: 'text', shape: [5], datatype: 'BYTES', data: ['The', 'Quick', 'BROWN', 'fox', 'Jumps'] }],
      notes: 'When every word is a stopword the output is one empty string, shape [1] (StringNormalizer never returns an empty tensor).',
    },
  ];
}

const DECIMALS = 4;

const flatten = (values: JsonValue[]): (number | string | boolean)[] => values.flatMap((v) => (Array.isArray(v) ? flatten(v) : [v]));

async function expectedOutputs(example: Example): Promise<{ name: string; datatype: DataType; shape: number[]; data: JsonValue[] }[]> {
  const session = await ort.InferenceSession.create(example.bytes, { intraOpNumThreads: 1 });
  const feeds: Record<string, ort.Tensor> = {};
  for (const input of example.request) {
    const flat = flatten(input.data);
    const values = input.datatype === 'BYTES' ? flat.map(String) : (toTypedArray(input.datatype, flat.map(Number)) as ort.Tensor.DataType);
    feeds[input.name] = new ort.Tensor(dataTypeInfo(input.datatype).ortType as ort.Tensor.Type, values, input.shape);
  }
  const results = await session.run(feeds);
  await session.release();
  return session.outputNames.map((name) => {
    const tensor = results[name]!;
    const datatype = dataTypeFromOrt(tensor.type)!;
    const kind = dataTypeInfo(datatype).valueKind;
    const data = Array.from(tensor.data as ArrayLike<number | bigint | string>, (value): JsonValue => {
      if (kind === 'bool') return value === 1;
      if (kind === 'float') return Number(Number(value).toFixed(DECIMALS));
      return typeof value === 'string' ? value : Number(value);
    });
    return { name, datatype, shape: [...tensor.dims], data };
  });
}

async function readme(example: Example): Promise<string> {
  const outputs = await expectedOutputs(example);
  const body = JSON.stringify({ inputs: example.request });
  const response = [
    '{',
    `  "model_name": "${example.name}",`,
    '  "model_version": "1",',
    '  "outputs": [',
    outputs.map((output) => `    ${JSON.stringify(output)}`).join(',\n'),
    '  ]',
    '}',
  ].join('\n');
  const rounded = outputs.some((o) => dataTypeInfo(o.datatype).valueKind === 'float') ? ` (floats rounded to ${DECIMALS} decimals here; the server sends full precision)` : '';
  return `<!-- Generated by scripts/generate-examples.ts; edit that file, then run npm run examples:generate. -->
# ${example.name}

${example.about}

## Try it

Start the server on the bundled repository (\`npm start\`), then:

\`\`\`sh
curl -s -X POST localhost:8000/v2/models/${example.name}/infer \\
  -H 'Content-Type: application/json' \\
  -d '${body}'
\`\`\`

Expected response${rounded}:

\`\`\`json
${response}
\`\`\`

${example.notes}
`;
}

/** Writes every example into `outDir` and returns the paths written, relative to it. */
export async function generateExamples(outDir: string): Promise<string[]> {
  const written: string[] = [];
  const put = async (path: string, content: Uint8Array | string): Promise<void> => {
    await mkdir(dirname(join(outDir, path)), { recursive: true });
    await writeFile(join(outDir, path), content);
    written.push(path);
  };
  for (const example of examples()) {
    await put(join(example.name, '1', 'model.onnx'), example.bytes);
    if (example.config !== undefined) await put(join(example.name, 'config.pbtxt'), example.config);
    await put(join(example.name, 'README.md'), await readme(example));
  }
  return written;
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (isMain) {
  const outDir = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples', 'models'));
  const imagesDir = join(outDir, '..', 'images');
  Promise.all([generateExamples(outDir), generateImagePipeline(outDir, imagesDir)]).then(
    ([paths, pipeline]) => {
      const all = [...paths.map((path) => join(basename(outDir), path)), ...pipeline];
      console.log(`wrote ${all.length} files to ${dirname(outDir)}:\n  ${all.join('\n  ')}`);
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
