// image_preprocess: encoded JPEG or PNG files -> the FP32 NCHW pixels color_classifier takes.
// A custom model for Wharf's js backend (see src/backends/js/handler-api.ts, published as
// `wharf/backend`); README.md beside the version folder documents inputs, outputs and errors.
import sharp from 'sharp';

/** Files start with these bytes; nothing else is handed to the decoder. */
const FORMATS = [
  { name: 'JPEG', magic: [0xff, 0xd8, 0xff] },
  { name: 'PNG', magic: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
];

/** Larger images are refused before decoding: a small file can unpack to gigabytes of pixels. */
const MAX_INPUT_PIXELS = 40_000_000;

/** @param {Uint8Array} bytes */
function formatOf(bytes) {
  return FORMATS.find(({ magic }) => bytes.length >= magic.length && magic.every((byte, i) => bytes[i] === byte));
}

/** @param {Uint8Array} bytes */
function describeStart(bytes) {
  if (bytes.length === 0) return 'it is empty';
  const hex = Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return `it starts with ${hex}`;
}

/**
 * libvips repeats its warnings, one per line: keep each once, on one line.
 * @param {unknown} error
 */
function decoderMessage(error) {
  const lines = (error instanceof Error ? error.message : String(error)).split('\n').map((line) => line.trim()).filter((line) => line !== '');
  return [...new Set(lines)].join('; ');
}

/**
 * @param {Readonly<Record<string, string>>} parameters
 * @param {string} key
 * @returns {number[]} three numbers, one per channel (R, G, B)
 */
function channelParameter(parameters, key) {
  const text = parameters[key];
  const values = text === undefined ? [] : text.split(',').map(Number);
  if (values.length !== 3 || values.some((v) => !Number.isFinite(v)) || (key === 'std' && values.some((v) => v <= 0))) {
    throw new Error(`parameter '${key}' must be three comma-separated numbers (R,G,B)${key === 'std' ? ' above 0' : ''}, got ${JSON.stringify(text)}`);
  }
  return values;
}

/** @implements {import('wharf/backend').ModelHandler} */
export default class ImagePreprocess {
  #width = 0;
  #height = 0;
  /** @type {number[]} */
  #mean = [];
  /** @type {number[]} */
  #std = [];

  /** @param {import('wharf/backend').HandlerContext} context */
  initialize(context) {
    // The output's config dims [3, height, width] are the size the classifier wants: one source of truth.
    const outputs = /** @type {{ name: string, dims: (number | string)[] }[]} */ (context.config.output);
    const dims = (outputs.find((o) => o.name === 'pixels')?.dims ?? []).map(Number);
    if (dims.length !== 3 || dims[0] !== 3 || !(dims[1] > 0) || !(dims[2] > 0)) {
      throw new Error(`output 'pixels' must have dims [3, height, width], got ${JSON.stringify(dims)}`);
    }
    [, this.#height, this.#width] = dims;
    this.#mean = channelParameter(context.parameters, 'mean');
    this.#std = channelParameter(context.parameters, 'std');
    // Every image is new: libvips' operation cache would only hold memory.
    sharp.cache(false);
  }

  /** @param {readonly import('wharf/backend').HandlerRequest[]} requests */
  execute(requests) {
    return Promise.all(requests.map((request) => this.#preprocess(request)));
  }

  /**
   * One request: [batch, 1] encoded images -> [batch, 3, height, width]. An element that is not a
   * JPEG or PNG, or does not decode, fails this request (with its index) and no other.
   * @param {import('wharf/backend').HandlerRequest} request
   * @returns {Promise<import('wharf/backend').HandlerResponse>}
   */
  async #preprocess(request) {
    const images = /** @type {Uint8Array[]} */ (request.inputs.image.data);
    const plane = this.#width * this.#height;
    const pixels = new Float32Array(images.length * 3 * plane);
    const failures = await Promise.all(images.map(async (bytes, index) => {
      const format = formatOf(bytes);
      if (format === undefined) return `image ${index}: not a JPEG or PNG file (${describeStart(bytes)}); send the file's bytes unchanged`;
      let decoded;
      try {
        decoded = await sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS })
          .flatten({ background: '#ffffff' }) // transparent pixels count as white
          .toColorspace('srgb')
          .resize(this.#width, this.#height, { fit: 'fill' })
          .raw()
          .toBuffer({ resolveWithObject: true });
      } catch (error) {
        return `image ${index}: the ${format.name} file could not be decoded: ${decoderMessage(error)}`;
      }
      const { data, info } = decoded;
      const channels = info.channels;
      const offset = index * 3 * plane;
      for (let c = 0; c < 3; c += 1) {
        const scale = 1 / (255 * this.#std[c]);
        const shift = this.#mean[c] / this.#std[c];
        for (let i = 0; i < plane; i += 1) pixels[offset + c * plane + i] = data[i * channels + c] * scale - shift;
      }
      return undefined;
    }));
    const failure = failures.find((message) => message !== undefined);
    if (failure !== undefined) return { error: failure, kind: 'INVALID_ARG' };
    return { outputs: { pixels: { datatype: 'FP32', shape: [images.length, 3, this.#height, this.#width], data: pixels } } };
  }
}
