/**
 * @module
 * color_classifier, the ONNX model in the middle of the image_pipeline example: a convolutional
 * network in form (1×1 convolutions, a per-pixel softmax, global average pooling, a fully connected
 * layer) whose weights are set by hand, not trained. It says how much of an image has each of ten
 * colors, by giving each pixel to its nearest reference colors.
 */
import { GraphBuilder } from '../src/tools/onnx/index.js';

const OPSET = 17;

/** The classes, in the order of the `probabilities` output (and of image_postprocess/labels.txt). */
export const COLOR_LABELS = ['black', 'white', 'gray', 'red', 'orange', 'yellow', 'green', 'blue', 'purple', 'brown'] as const;
export type ColorLabel = (typeof COLOR_LABELS)[number];

/** Side of the square image the classifier takes, in pixels. */
export const IMAGE_SIZE = 32;

/** Per-channel (R, G, B) normalization image_preprocess applies: (value / 255 - mean) / std, as torchvision's ImageNet models expect. */
export const PIXEL_MEAN = [0.485, 0.456, 0.406] as const;
export const PIXEL_STD = [0.229, 0.224, 0.225] as const;

type Rgb = readonly [number, number, number];

/** Reference colors (sRGB, 0-255): a pixel belongs to the class of the nearest ones. */
export const COLOR_PROTOTYPES: Readonly<Record<ColorLabel, readonly Rgb[]>> = {
  black: [[10, 10, 12], [40, 40, 48]],
  white: [[248, 248, 248], [222, 224, 228]],
  gray: [[128, 128, 128], [88, 88, 90], [172, 172, 172]],
  red: [[212, 32, 36], [150, 22, 28], [236, 98, 98]],
  orange: [[244, 140, 36], [226, 100, 24], [250, 176, 80]],
  yellow: [[248, 216, 48], [250, 240, 140], [220, 190, 30]],
  green: [[60, 156, 60], [30, 100, 40], [150, 206, 100]],
  blue: [[36, 84, 184], [20, 40, 120], [110, 170, 232], [60, 140, 220]],
  purple: [[130, 60, 170], [84, 30, 110], [190, 140, 222]],
  brown: [[132, 84, 44], [90, 58, 32], [176, 128, 80]],
};

/**
 * How sharply a pixel goes to its nearest reference color: the per-pixel softmax sees
 * -SHARPNESS × squared distance (RGB in 0..1). At 60, a pixel halfway between two references
 * splits evenly, one that is 0.05 closer (in squared distance) to one of them gives it 95 %.
 */
const SHARPNESS = 60;

/**
 * pixels FP32 [batch, 3, S, S] (normalized as PIXEL_MEAN / PIXEL_STD) -> probabilities FP32 [batch, 10]:
 * 1. Conv 1×1 undoes the normalization: RGB in 0..1.
 * 2. Conv 1×1 scores each pixel against every reference color p: SHARPNESS × (2 x·p - |p|²), which is
 *    -SHARPNESS × |x - p|² up to a term that is the same for every p.
 * 3. Softmax over the references, per pixel: how much the pixel is each reference color.
 * 4. GlobalAveragePool: the share of the image per reference color.
 * 5. Gemm with 0/1 weights adds the references of each class: the share of the image per class, summing to 1.
 */
export function buildColorClassifier(): Uint8Array {
  const g = new GraphBuilder('color_classifier', { docString: 'Share of the image in each of ten colors (nearest reference colors per pixel); hand-set weights, not trained.' });
  const pixels = g.input('pixels', 'FP32', ['batch', 3, IMAGE_SIZE, IMAGE_SIZE]);
  const denormalizeWeights = [0, 1, 2].flatMap((out) => [0, 1, 2].map((inp) => (out === inp ? PIXEL_STD[out]! : 0)));
  const rgb = g.node('Conv', [pixels, g.initializer('denormalize_w', 'FP32', [3, 3, 1, 1], denormalizeWeights), g.initializer('denormalize_b', 'FP32', [3], [...PIXEL_MEAN])]);

  const references = COLOR_LABELS.flatMap((label, classIndex) => COLOR_PROTOTYPES[label].map((rgb255) => ({ classIndex, p: rgb255.map((v) => v / 255) })));
  const scoreWeights = references.flatMap(({ p }) => p.map((v) => 2 * SHARPNESS * v));
  const scoreBias = references.map(({ p }) => -SHARPNESS * p.reduce((sum, v) => sum + v * v, 0));
  const scores = g.node('Conv', [rgb, g.initializer('reference_w', 'FP32', [references.length, 3, 1, 1], scoreWeights), g.initializer('reference_b', 'FP32', [references.length], scoreBias)]);
  const perPixel = g.node('Softmax', [scores], { axis: 1 });
  const shares = g.node('Flatten', [g.node('GlobalAveragePool', [perPixel])], { axis: 1 });
  const membership = references.flatMap(({ classIndex }) => COLOR_LABELS.map((_label, c) => (c === classIndex ? 1 : 0)));
  const classes = g.node('Gemm', [shares, g.initializer('class_of_reference', 'FP32', [references.length, COLOR_LABELS.length], membership)]);
  g.output(classes, 'probabilities', 'FP32', ['batch', COLOR_LABELS.length]);
  return g.toBytes({ opset: OPSET, metadata: { labels: COLOR_LABELS.join(',') } });
}
