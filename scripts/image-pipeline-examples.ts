/**
 * @module
 * Writes the image classification example (issue 6): the sample images in examples/images and,
 * in examples/models, the config.pbtxt, labels, ONNX file and README of image_preprocess,
 * color_classifier, image_postprocess and the ensemble image_pipeline that chains them. The two js
 * handlers (`1/model.mjs`) are written by hand and not generated; the expected responses in the
 * READMEs come from running them and the ONNX model here, step by step as the ensemble does.
 * Output is deterministic, like the rest of scripts/generate-examples.ts.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ort from 'onnxruntime-node';
import type { HandlerContext, HandlerResponse, ModelHandler, OutputTensor } from '../src/backends/js/handler-api.js';
import { dataTypeInfo, type DataType } from '../src/core/index.js';
import { buildColorClassifier, COLOR_LABELS, COLOR_PROTOTYPES, IMAGE_SIZE, PIXEL_MEAN, PIXEL_STD } from './image-pipeline-model.js';
import { imagePipelineReadme, imagePostprocessReadme, imagePreprocessReadme, colorClassifierReadme, type PipelineFacts } from './image-pipeline-readmes.js';
import { sampleImages, type SampleImage } from './image-pipeline-images.js';

export { buildColorClassifier, COLOR_LABELS } from './image-pipeline-model.js';
export { sampleImages } from './image-pipeline-images.js';

/** How many labels image_postprocess returns per image (its `top_k` parameter). */
export const TOP_K = 3;
/** Images per request, for every model of the pipeline. */
export const MAX_BATCH = 8;

interface ConfigTensor { name: string; datatype: DataType; dims: number[] }
interface EnsembleStep { model: string; inputs: Record<string, string>; outputs: Record<string, string> }
interface ExampleConfig {
  name: string;
  kind: { backend: string } | { platform: string };
  inputs: ConfigTensor[];
  outputs: ConfigTensor[];
  dynamicBatching?: boolean;
  parameters?: Record<string, string>;
  steps?: EnsembleStep[];
}

const PIXELS: ConfigTensor = { name: 'pixels', datatype: 'FP32', dims: [3, IMAGE_SIZE, IMAGE_SIZE] };
const PROBABILITIES: ConfigTensor = { name: 'probabilities', datatype: 'FP32', dims: [COLOR_LABELS.length] };
const IMAGE: ConfigTensor = { name: 'image', datatype: 'BYTES', dims: [1] };
// dims -1: the length follows top_k, so changing the parameter alone is enough.
const LABELS: ConfigTensor = { name: 'labels', datatype: 'BYTES', dims: [-1] };
const SCORES: ConfigTensor = { name: 'scores', datatype: 'FP32', dims: [-1] };

const numbers = (values: readonly number[]): string => values.join(',');

export const PREPROCESS_CONFIG: ExampleConfig = {
  name: 'image_preprocess', kind: { backend: 'js' }, inputs: [IMAGE], outputs: [PIXELS], dynamicBatching: true,
  parameters: { mean: numbers(PIXEL_MEAN), std: numbers(PIXEL_STD) },
};
export const CLASSIFIER_CONFIG: ExampleConfig = { name: 'color_classifier', kind: { backend: 'onnxruntime' }, inputs: [PIXELS], outputs: [PROBABILITIES], dynamicBatching: true };
export const POSTPROCESS_CONFIG: ExampleConfig = {
  name: 'image_postprocess', kind: { backend: 'js' }, inputs: [PROBABILITIES], outputs: [LABELS, SCORES], parameters: { top_k: String(TOP_K) },
};
export const PIPELINE_CONFIG: ExampleConfig = {
  name: 'image_pipeline', kind: { platform: 'ensemble' }, inputs: [IMAGE], outputs: [LABELS, SCORES],
  steps: [
    { model: 'image_preprocess', inputs: { image: 'image' }, outputs: { pixels: 'pixels' } },
    { model: 'color_classifier', inputs: { pixels: 'pixels' }, outputs: { probabilities: 'probabilities' } },
    { model: 'image_postprocess', inputs: { probabilities: 'probabilities' }, outputs: { labels: 'labels', scores: 'scores' } },
  ],
};

/** config.pbtxt text, in the layout of Triton's documentation. */
function configPbtxt(config: ExampleConfig): string {
  const tensors = (list: ConfigTensor[]): string => list
    .map((t) => `  {\n    name: "${t.name}"\n    data_type: ${dataTypeInfo(t.datatype).config}\n    dims: [ ${t.dims.join(', ')} ]\n  }`).join(',\n');
  const map = (key: string, entries: Record<string, string>): string[] => Object.entries(entries).map(([from, to]) => `      ${key} { key: "${from}" value: "${to}" }`);
  const lines = [
    `name: "${config.name}"`,
    'backend' in config.kind ? `backend: "${config.kind.backend}"` : `platform: "${config.kind.platform}"`,
    `max_batch_size: ${MAX_BATCH}`,
    `input [\n${tensors(config.inputs)}\n]`,
    `output [\n${tensors(config.outputs)}\n]`,
  ];
  if (config.dynamicBatching) lines.push('dynamic_batching { }');
  for (const [key, value] of Object.entries(config.parameters ?? {})) lines.push(`parameters {\n  key: "${key}"\n  value: { string_value: "${value}" }\n}`);
  if (config.steps !== undefined) {
    const steps = config.steps.map((step) => [
      '    {',
      `      model_name: "${step.model}"`,
      '      model_version: -1',
      ...map('input_map', step.inputs),
      ...map('output_map', step.outputs),
      '    }',
    ].join('\n'));
    lines.push(`ensemble_scheduling {\n  step [\n${steps.join(',\n')}\n  ]\n}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The config in Triton's JSON form, as far as the handlers read it (HandlerContext.config). */
function configJson(config: ExampleConfig): Record<string, unknown> {
  const tensors = (list: ConfigTensor[]): unknown[] => list.map((t) => ({ name: t.name, data_type: dataTypeInfo(t.datatype).config, dims: t.dims }));
  const parameters = Object.fromEntries(Object.entries(config.parameters ?? {}).map(([key, value]) => [key, { string_value: value }]));
  return { name: config.name, ...config.kind, max_batch_size: MAX_BATCH, input: tensors(config.inputs), output: tensors(config.outputs), parameters };
}

/** The hand-written handlers, in the repository's examples folder (this file is compiled to dist/scripts/). */
const HANDLERS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples', 'models');

async function openHandler(config: ExampleConfig, modelDirectory: string): Promise<ModelHandler> {
  const file = join(HANDLERS, config.name, '1', 'model.mjs');
  const { default: Handler } = (await import(pathToFileURL(file).href)) as { default: new () => ModelHandler };
  const handler = new Handler();
  const context: HandlerContext = {
    modelName: config.name, version: '1', modelDirectory, versionDirectory: join(modelDirectory, '1'), instanceIndex: 0,
    config: configJson(config), parameters: config.parameters ?? {},
  };
  await handler.initialize?.(context);
  return handler;
}

function outputsOf(response: HandlerResponse | undefined, step: string): Readonly<Record<string, OutputTensor>> {
  if (response === undefined || 'error' in response) throw new Error(`${step} failed: ${response === undefined ? 'no response' : response.error}`);
  return response.outputs;
}

const utf8 = new TextDecoder();

function textsOf(tensor: OutputTensor | undefined): string[] {
  if (tensor?.datatype !== 'BYTES') throw new Error(`expected a BYTES tensor, got ${tensor?.datatype}`);
  return tensor.data.map((element) => (typeof element === 'string' ? element : utf8.decode(element)));
}

/** What image_pipeline answers, per image: the top labels and their scores. */
export interface Classification { labels: string[]; scores: number[] }

/**
 * Runs the three steps of image_pipeline in this process, on one request of `images`.
 * `modelsDir` holds the generated image_postprocess/labels.txt.
 */
export async function classifyImages(images: readonly Uint8Array[], modelsDir: string): Promise<Classification[]> {
  const preprocess = await openHandler(PREPROCESS_CONFIG, join(modelsDir, PREPROCESS_CONFIG.name));
  const postprocess = await openHandler(POSTPROCESS_CONFIG, join(modelsDir, POSTPROCESS_CONFIG.name));
  const session = await ort.InferenceSession.create(buildColorClassifier(), { intraOpNumThreads: 1 });
  try {
    const image = { name: 'image', datatype: 'BYTES' as const, shape: [images.length, 1], data: [...images] };
    const [preprocessed] = await preprocess.execute([{ inputs: { image }, requestedOutputs: ['pixels'] }]);
    const pixels = outputsOf(preprocessed, 'image_preprocess').pixels!;
    const result = await session.run({ pixels: new ort.Tensor('float32', pixels.data as Float32Array, [...pixels.shape]) });
    const probabilities = { name: 'probabilities', datatype: 'FP32' as const, shape: [...result.probabilities!.dims], data: result.probabilities!.data as Float32Array };
    const [postprocessed] = await postprocess.execute([{ inputs: { probabilities }, requestedOutputs: ['labels', 'scores'] }]);
    const { labels, scores } = outputsOf(postprocessed, 'image_postprocess');
    const names = textsOf(labels);
    return images.map((_image, row) => ({
      labels: names.slice(row * TOP_K, (row + 1) * TOP_K),
      scores: Array.from((scores!.data as Float32Array).subarray(row * TOP_K, (row + 1) * TOP_K)),
    }));
  } finally {
    await session.release();
    await preprocess.finalize?.();
    await postprocess.finalize?.();
  }
}

/**
 * Writes the sample images into `imagesDir` and the four models into `modelsDir`; returns the
 * paths written, relative to the parent of both (`images/...`, `models/...`).
 */
export async function generateImagePipeline(modelsDir: string, imagesDir: string): Promise<string[]> {
  const written: string[] = [];
  const put = async (root: string, prefix: string, path: string, content: Uint8Array | string): Promise<void> => {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
    written.push(join(prefix, path));
  };
  const model = (path: string, content: Uint8Array | string): Promise<void> => put(modelsDir, 'models', path, content);

  const images = await sampleImages();
  for (const image of images) await put(imagesDir, 'images', image.file, image.bytes);
  for (const config of [PREPROCESS_CONFIG, CLASSIFIER_CONFIG, POSTPROCESS_CONFIG, PIPELINE_CONFIG]) await model(join(config.name, 'config.pbtxt'), configPbtxt(config));
  await model(join(CLASSIFIER_CONFIG.name, '1', 'model.onnx'), buildColorClassifier());
  await model(join(POSTPROCESS_CONFIG.name, 'labels.txt'), `${COLOR_LABELS.join('\n')}\n`);
  // An ensemble has no model file, but Triton (and Wharf) want its version folder; git keeps no empty folder.
  await model(join(PIPELINE_CONFIG.name, '1', '.gitkeep'), '');

  const results = await classifyImages(images.map((image) => image.bytes), modelsDir);
  const facts: PipelineFacts = {
    images: images.map((image: SampleImage, i) => ({ ...image, result: results[i]! })),
    postprocessExample: await postprocessExample(modelsDir),
    labels: COLOR_LABELS, prototypes: COLOR_PROTOTYPES, imageSize: IMAGE_SIZE, mean: PIXEL_MEAN, std: PIXEL_STD, topK: TOP_K, maxBatch: MAX_BATCH,
    configs: { preprocess: configPbtxt(PREPROCESS_CONFIG), postprocess: configPbtxt(POSTPROCESS_CONFIG), pipeline: configPbtxt(PIPELINE_CONFIG) },
  };
  await model(join(PIPELINE_CONFIG.name, 'README.md'), imagePipelineReadme(facts));
  await model(join(PREPROCESS_CONFIG.name, 'README.md'), imagePreprocessReadme(facts));
  await model(join(CLASSIFIER_CONFIG.name, 'README.md'), colorClassifierReadme(facts));
  await model(join(POSTPROCESS_CONFIG.name, 'README.md'), imagePostprocessReadme(facts));
  return written;
}

/** The JSON request of image_postprocess's README, and what the handler answers. */
async function postprocessExample(modelsDir: string): Promise<PipelineFacts['postprocessExample']> {
  const probabilities = [[0.02, 0.6, 0.05, 0.01, 0, 0, 0.02, 0.25, 0.03, 0.02], [0.7, 0, 0.05, 0, 0, 0.2, 0, 0, 0, 0.05]];
  const handler = await openHandler(POSTPROCESS_CONFIG, join(modelsDir, POSTPROCESS_CONFIG.name));
  const tensor = { name: 'probabilities', datatype: 'FP32' as const, shape: [2, COLOR_LABELS.length], data: Float32Array.from(probabilities.flat()) };
  const [response] = await handler.execute([{ inputs: { probabilities: tensor }, requestedOutputs: ['labels', 'scores'] }]);
  await handler.finalize?.();
  const { labels, scores } = outputsOf(response, 'image_postprocess');
  return { probabilities, labels: textsOf(labels), scores: Array.from(scores!.data as Float32Array) };
}
