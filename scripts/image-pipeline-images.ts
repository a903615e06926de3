/**
 * @module
 * The sample images of the image_pipeline example (examples/images): small scenes drawn here, pixel
 * by pixel, and encoded as JPEG or PNG with sharp. Drawing uses only + - * / and comparisons, which
 * IEEE 754 rounds the same everywhere, so the raw pixels are identical on every machine; the files
 * are then as stable as the encoder (pinned by package-lock.json).
 */
import sharp from 'sharp';

type Rgb = readonly [number, number, number];
type Rgba = readonly [number, number, number, number];

/**
 * One layer of a scene: the color it paints at (x, y), or undefined where it does not cover the
 * point. x runs 0..1 left to right, y 0..1 top to bottom (so shapes stretch with the aspect ratio).
 */
type Layer = (x: number, y: number) => Rgba | undefined;

const opaque = (c: Rgb): Rgba => [c[0], c[1], c[2], 255];
const mix = (a: Rgb, b: Rgb, t: number): Rgb => [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];

const fill = (color: Rgb): Layer => () => opaque(color);
/** Top-to-bottom gradient between rows y0 and y1 (clamped outside). */
const gradient = (top: Rgb, bottom: Rgb, y0 = 0, y1 = 1): Layer => (_x, y) => opaque(mix(top, bottom, Math.min(1, Math.max(0, (y - y0) / (y1 - y0)))));
/** An ellipse; `aspect` is width / height of the image, so rx = ry draws a circle. */
const ellipse = (cx: number, cy: number, rx: number, ry: number, color: Rgb, aspect: number): Layer => (x, y) => {
  const dx = ((x - cx) * aspect) / rx;
  const dy = (y - cy) / ry;
  return dx * dx + dy * dy <= 1 ? opaque(color) : undefined;
};
const below = (edge: (x: number) => number, color: Rgb): Layer => (x, y) => (y >= edge(x) ? opaque(color) : undefined);
const triangle = (a: readonly [number, number], b: readonly [number, number], c: readonly [number, number], color: Rgb): Layer => (x, y) => {
  const side = (p: readonly [number, number], q: readonly [number, number]): number => (q[0] - p[0]) * (y - p[1]) - (q[1] - p[1]) * (x - p[0]);
  const s1 = side(a, b);
  const s2 = side(b, c);
  const s3 = side(c, a);
  return (s1 >= 0 && s2 >= 0 && s3 >= 0) || (s1 <= 0 && s2 <= 0 && s3 <= 0) ? opaque(color) : undefined;
};
const rect = (x0: number, y0: number, x1: number, y1: number, color: Rgb): Layer => (x, y) => (x >= x0 && x < x1 && y >= y0 && y < y1 ? opaque(color) : undefined);

/** Supersampling per axis: edges are anti-aliased by averaging 4 × 4 samples per pixel. */
const SAMPLES = 4;

/** Renders the layers (last on top) to raw interleaved 8-bit pixels with `channels` 3 (RGB) or 4 (RGBA). */
function render(width: number, height: number, channels: 3 | 4, layers: readonly Layer[]): Buffer {
  const out = Buffer.alloc(width * height * channels);
  for (let py = 0; py < height; py += 1) {
    for (let px = 0; px < width; px += 1) {
      const sum = [0, 0, 0, 0];
      for (let sy = 0; sy < SAMPLES; sy += 1) {
        for (let sx = 0; sx < SAMPLES; sx += 1) {
          const x = (px + (sx + 0.5) / SAMPLES) / width;
          const y = (py + (sy + 0.5) / SAMPLES) / height;
          let color: Rgba = [0, 0, 0, 0];
          for (let i = layers.length - 1; i >= 0; i -= 1) {
            const painted = layers[i]!(x, y);
            if (painted !== undefined) {
              color = painted;
              break;
            }
          }
          // Premultiplied, so transparent samples do not pull the color of an edge towards black.
          for (let c = 0; c < 3; c += 1) sum[c]! += (color[c]! * color[3]) / 255;
          sum[3]! += color[3];
        }
      }
      const offset = (py * width + px) * channels;
      const alpha = sum[3]! / (SAMPLES * SAMPLES);
      for (let c = 0; c < 3; c += 1) out[offset + c] = alpha === 0 ? 0 : Math.round((sum[c]! / (SAMPLES * SAMPLES)) * (255 / alpha));
      if (channels === 4) out[offset + 3] = Math.round(alpha);
    }
  }
  return out;
}

export interface SampleImage {
  /** File name under examples/images/. */
  readonly file: string;
  /** What it shows, for the README. */
  readonly description: string;
  /** The label color_classifier gives it first. */
  readonly expectedLabel: string;
  readonly bytes: Buffer;
}

interface Scene {
  file: string;
  description: string;
  expectedLabel: string;
  width: number;
  height: number;
  channels: 3 | 4;
  layers: (aspect: number) => Layer[];
}

const SCENES: Scene[] = [
  {
    file: 'sunset.jpg', description: 'an orange evening sky over a dark shore, with a yellow sun', expectedLabel: 'orange', width: 120, height: 80, channels: 3,
    layers: (aspect) => [
      gradient([238, 120, 36], [250, 168, 60], 0, 0.75),
      ellipse(0.5, 0.62, 0.14, 0.14, [250, 222, 90], aspect),
      below((x) => 0.8 - 0.04 * Math.abs(x - 0.5), [38, 26, 30]),
    ],
  },
  {
    file: 'sea.jpg', description: 'a blue sea under a blue sky, with a white sail', expectedLabel: 'blue', width: 120, height: 80, channels: 3,
    layers: () => [
      gradient([96, 158, 226], [150, 196, 236], 0, 0.45),
      rect(0, 0.45, 1, 1, [30, 84, 176]),
      triangle([0.52, 0.14], [0.52, 0.56], [0.72, 0.56], [246, 246, 246]),
      rect(0.44, 0.57, 0.76, 0.64, [120, 74, 44]),
    ],
  },
  {
    file: 'apple.jpg', description: 'a red apple on a wooden table', expectedLabel: 'red', width: 96, height: 96, channels: 3,
    layers: (aspect) => [
      fill([222, 214, 196]),
      rect(0, 0.74, 1, 1, [146, 96, 54]),
      ellipse(0.5, 0.54, 0.41, 0.41, [206, 32, 38], aspect),
      ellipse(0.38, 0.42, 0.08, 0.1, [232, 96, 96], aspect),
      rect(0.49, 0.08, 0.53, 0.16, [86, 58, 30]),
    ],
  },
  {
    file: 'meadow.png', description: 'green hills under a blue sky, with a small white cloud', expectedLabel: 'green', width: 120, height: 80, channels: 3,
    layers: (aspect) => [
      fill([110, 172, 232]),
      ellipse(0.26, 0.16, 0.1, 0.07, [248, 248, 248], aspect),
      below((x) => 0.36 + 0.08 * (x - 0.3) * (x - 0.3), [66, 154, 62]),
      below((x) => 0.7 - 0.12 * x, [40, 112, 46]),
    ],
  },
  {
    file: 'lemon.png', description: 'a yellow lemon with a leaf, on a transparent background', expectedLabel: 'yellow', width: 96, height: 96, channels: 4,
    layers: (aspect) => [
      ellipse(0.5, 0.56, 0.46, 0.41, [246, 212, 46], aspect),
      ellipse(0.05, 0.56, 0.04, 0.05, [226, 186, 30], aspect),
      ellipse(0.95, 0.56, 0.04, 0.05, [226, 186, 30], aspect),
      ellipse(0.5, 0.13, 0.1, 0.05, [60, 150, 60], aspect),
    ],
  },
  {
    file: 'night.png', description: 'a night sky with a white moon and stars', expectedLabel: 'black', width: 120, height: 80, channels: 3,
    layers: (aspect) => [
      fill([14, 16, 30]),
      ellipse(0.76, 0.28, 0.1, 0.1, [240, 240, 226], aspect),
      ...[[0.12, 0.2], [0.3, 0.1], [0.42, 0.34], [0.58, 0.14], [0.2, 0.5], [0.9, 0.6]].map(([x, y]) => ellipse(x!, y!, 0.012, 0.012, [236, 236, 236], aspect)),
      below((x) => 0.84 + 0.05 * x, [26, 30, 24]),
    ],
  },
];

/** Draws and encodes every sample image; the same bytes on every run. */
export async function sampleImages(): Promise<SampleImage[]> {
  return Promise.all(SCENES.map(async (scene) => {
    const raw = render(scene.width, scene.height, scene.channels, scene.layers(scene.width / scene.height));
    const image = sharp(raw, { raw: { width: scene.width, height: scene.height, channels: scene.channels } });
    const bytes = scene.file.endsWith('.png') ? await image.png({ compressionLevel: 9 }).toBuffer() : await image.jpeg({ quality: 85 }).toBuffer();
    return { file: scene.file, description: scene.description, expectedLabel: scene.expectedLabel, bytes };
  }));
}
