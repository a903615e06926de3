// image_postprocess: class probabilities -> the top-k labels and their scores.
// A custom model for Wharf's js backend (see src/backends/js/handler-api.ts, published as
// `wharf/backend`); README.md beside the version folder documents inputs, outputs and parameters.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** @implements {import('wharf/backend').ModelHandler} */
export default class ImagePostprocess {
  /** @type {string[]} */
  #labels = [];
  #topK = 0;

  /** @param {import('wharf/backend').HandlerContext} context */
  async initialize(context) {
    // One label per line, in the order of the classifier's probabilities.
    const text = await readFile(join(context.modelDirectory, 'labels.txt'), 'utf8');
    this.#labels = text.split('\n').map((line) => line.trim()).filter((line) => line !== '');
    const inputs = /** @type {{ name: string, dims: (number | string)[] }[]} */ (context.config.input);
    const classes = Number(inputs.find((i) => i.name === 'probabilities')?.dims.at(-1));
    if (classes !== this.#labels.length) {
      throw new Error(`labels.txt has ${this.#labels.length} labels but input 'probabilities' has ${classes} classes`);
    }
    const topK = context.parameters.top_k ?? '3';
    this.#topK = Number(topK);
    if (!/^\d+$/.test(topK) || this.#topK < 1 || this.#topK > classes) {
      throw new Error(`parameter 'top_k' must be a whole number from 1 to ${classes}, got ${JSON.stringify(topK)}`);
    }
  }

  /** @param {readonly import('wharf/backend').HandlerRequest[]} requests */
  execute(requests) {
    return requests.map((request) => this.#topKOf(request));
  }

  /**
   * [batch, classes] probabilities -> labels BYTES [batch, k] and scores FP32 [batch, k], most
   * probable first; equal scores keep the order of labels.txt.
   * @param {import('wharf/backend').HandlerRequest} request
   * @returns {import('wharf/backend').HandlerResponse}
   */
  #topKOf(request) {
    const probabilities = /** @type {Float32Array} */ (request.inputs.probabilities.data);
    const classes = this.#labels.length;
    const rows = probabilities.length / classes;
    const k = this.#topK;
    const labels = [];
    const scores = new Float32Array(rows * k);
    for (let row = 0; row < rows; row += 1) {
      const p = probabilities.subarray(row * classes, (row + 1) * classes);
      const order = Array.from(p.keys()).sort((a, b) => p[b] - p[a] || a - b);
      for (let j = 0; j < k; j += 1) {
        labels.push(this.#labels[order[j]]);
        scores[row * k + j] = p[order[j]];
      }
    }
    /** @type {Record<string, import('wharf/backend').OutputTensor>} */
    const outputs = {
      labels: { datatype: 'BYTES', shape: [rows, k], data: labels },
      scores: { datatype: 'FP32', shape: [rows, k], data: scores },
    };
    return { outputs: Object.fromEntries(request.requestedOutputs.map((name) => [name, outputs[name]])) };
  }
}
