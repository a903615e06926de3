/**
 * @module
 * Edge-cloud inference with a split model (`wharf model split`): the head runs here in
 * onnxruntime-node, the cut tensors go to the tail model on the server, the server's response is
 * the answer. onnxruntime-node is imported only when a SplitModel is created, so client users who
 * never split a model never load it.
 */
import { readFile } from 'node:fs/promises';
import type ort from 'onnxruntime-node';
import { dataTypeFromOrt, dataTypeInfo, normalizeTensorInput, type InferResponse, type Parameters, type RequestedOutput, type Tensor, type TensorInput, type TensorMetadata } from '../core/index.js';
import { InferenceError } from '../errors/index.js';
import type { InferCallOptions, InferenceClient } from './inference-client.js';

export interface SplitModelOptions {
  /** The head model: a file path or the model's bytes. */
  readonly head: string | Uint8Array;
  /** The client that reaches the server holding the tail (HttpClient or GrpcClient). */
  readonly client: InferenceClient;
  /** The tail model's name on the server. */
  readonly tailModel: string;
  /** Absent: the server picks the highest ready version. */
  readonly tailVersion?: string;
  /** Intra-op threads of the head's session; onnxruntime's default when absent. */
  readonly threads?: number;
}

/** One inference: the head's inputs, and what to ask of the tail. */
export interface SplitInferInput {
  readonly inputs: readonly TensorInput[];
  readonly id?: string;
  readonly parameters?: Parameters;
  /** Tail outputs to return; absent: all of them. */
  readonly outputs?: readonly (RequestedOutput | string)[];
}

type Ort = typeof ort;

/**
 * A model split into a local head and a remote tail. The result of `infer` equals running the
 * whole model (to float rounding), as `wharf model split` verifies.
 *
 * @example
 * const split = await SplitModel.create({ head: 'cnn-head.onnx', client: new HttpClient({ url: 'localhost:8000' }), tailModel: 'cnn_tail' });
 * const response = await split.infer({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 3, 64, 64], data: pixels }] });
 * await split.close();
 */
export class SplitModel {
  readonly #ort: Ort;
  readonly #session: ort.InferenceSession;
  readonly #options: SplitModelOptions;
  /** The cut: head outputs that are tail inputs, sent in this order. */
  readonly cutTensors: readonly string[];

  private constructor(runtime: Ort, session: ort.InferenceSession, options: SplitModelOptions, cutTensors: readonly string[]) {
    this.#ort = runtime;
    this.#session = session;
    this.#options = options;
    this.cutTensors = cutTensors;
  }

  /**
   * Loads the head and checks it against the tail's metadata on the server: every tail input
   * must be a head output of the same datatype and a compatible shape.
   * @throws InferenceError: ERR_MODEL_LOAD_FAILED when the head does not load; the server's
   * error (ERR_MODEL_NOT_FOUND...) when the tail is not there; ERR_INPUT_MISSING,
   * ERR_INPUT_DATATYPE or ERR_INPUT_SHAPE naming the tensor when head and tail do not fit.
   */
  static async create(options: SplitModelOptions): Promise<SplitModel> {
    const { default: runtime } = await import('onnxruntime-node');
    const where = typeof options.head === 'string' ? `'${options.head}'` : `(${options.head.byteLength} bytes)`;
    let session: ort.InferenceSession;
    try {
      const bytes = typeof options.head === 'string' ? await readFile(options.head) : options.head;
      session = await runtime.InferenceSession.create(bytes, options.threads === undefined ? {} : { intraOpNumThreads: options.threads });
    } catch (error) {
      throw new InferenceError('ERR_MODEL_LOAD_FAILED', `SplitModel: cannot load the head model ${where}: ${(error as Error).message}`, { cause: error });
    }
    try {
      const tail = await tailMetadata(options);
      const cut = matchCut(session, tail.inputs, `tail model '${options.tailModel}'`);
      return new SplitModel(runtime, session, options, cut);
    } catch (error) {
      await session.release();
      throw error;
    }
  }

  /**
   * Runs the head on `request.inputs`, sends the cut tensors to the tail, and returns the tail's
   * response (the shape `InferenceClient.infer` returns).
   * @throws InferenceError ERR_INPUT_MISSING / ERR_INPUT_UNKNOWN / ERR_INPUT_DATATYPE naming the
   * input, ERR_BACKEND_RUNTIME when the head fails, and the server's errors as they come.
   */
  async infer(request: SplitInferInput, options?: InferCallOptions): Promise<InferResponse> {
    const feeds = this.#feeds(request.inputs);
    let cut: ort.InferenceSession.ReturnType;
    try {
      cut = await this.#session.run(feeds);
    } catch (error) {
      throw new InferenceError('ERR_BACKEND_RUNTIME', `SplitModel: the head failed: ${(error as Error).message}`, { cause: error });
    }
    return this.#options.client.infer({
      modelName: this.#options.tailModel,
      ...(this.#options.tailVersion === undefined ? {} : { modelVersion: this.#options.tailVersion }),
      ...(request.id === undefined ? {} : { id: request.id }),
      ...(request.parameters === undefined ? {} : { parameters: request.parameters }),
      ...(request.outputs === undefined ? {} : { outputs: request.outputs }),
      inputs: this.cutTensors.map((name) => fromOrt(name, cut[name] as ort.Tensor)),
    }, options);
  }

  /** Releases the head's session. The client is the caller's and stays open. */
  async close(): Promise<void> {
    await this.#session.release();
  }

  #feeds(inputs: readonly TensorInput[]): Record<string, ort.Tensor> {
    const byName = new Map(inputs.map((input) => [input.name, normalizeTensorInput(input)]));
    const feeds: Record<string, ort.Tensor> = {};
    for (const meta of this.#session.inputMetadata) {
      const tensor = byName.get(meta.name);
      if (tensor === undefined) throw new InferenceError('ERR_INPUT_MISSING', `SplitModel: the head needs input '${meta.name}' (inputs: ${this.#session.inputNames.join(', ')})`);
      byName.delete(meta.name);
      const ortType = dataTypeInfo(tensor.datatype).ortType;
      if (meta.isTensor && ortType !== meta.type) {
        throw new InferenceError('ERR_INPUT_DATATYPE', `SplitModel: input '${meta.name}' is ${tensor.datatype}, but the head takes ${String(dataTypeFromOrt(meta.type) ?? meta.type)}`);
      }
      feeds[meta.name] = toOrt(this.#ort, tensor);
    }
    const [unknown] = byName.keys();
    if (unknown !== undefined) throw new InferenceError('ERR_INPUT_UNKNOWN', `SplitModel: the head has no input '${unknown}' (inputs: ${this.#session.inputNames.join(', ')})`);
    return feeds;
  }
}

async function tailMetadata(options: SplitModelOptions): Promise<{ inputs: TensorMetadata[] }> {
  try {
    return await options.client.modelMetadata(options.tailModel, options.tailVersion);
  } catch (error) {
    if (!(error instanceof InferenceError)) throw error;
    const version = options.tailVersion === undefined ? '' : ` version ${options.tailVersion}`;
    throw new InferenceError(error.code, `SplitModel: tail model '${options.tailModel}'${version}: ${error.message}`, { cause: error, ...(error.details === undefined ? {} : { details: error.details }) });
  }
}

/** The tail's inputs, each checked against the head output of the same name. */
function matchCut(session: ort.InferenceSession, tailInputs: readonly TensorMetadata[], tail: string): string[] {
  const headOutputs = new Map(session.outputMetadata.map((meta) => [meta.name, meta]));
  return tailInputs.map((input) => {
    const output = headOutputs.get(input.name);
    if (output === undefined) {
      throw new InferenceError('ERR_INPUT_MISSING', `SplitModel: ${tail} takes input '${input.name}', which the head does not output (head outputs: ${session.outputNames.join(', ')}); were head and tail split at the same cut?`);
    }
    if (!output.isTensor) throw new InferenceError('ERR_INPUT_DATATYPE', `SplitModel: head output '${input.name}' is not a tensor`);
    const datatype = dataTypeFromOrt(output.type);
    if (datatype !== input.datatype) {
      throw new InferenceError('ERR_INPUT_DATATYPE', `SplitModel: head output '${input.name}' is ${datatype ?? output.type}, but ${tail} takes ${input.datatype}`);
    }
    const headShape = output.shape;
    const clash = headShape.length > 0 && (headShape.length !== input.shape.length
      || headShape.some((dim, axis) => typeof dim === 'number' && dim >= 0 && input.shape[axis]! >= 0 && dim !== input.shape[axis]));
    if (clash) {
      throw new InferenceError('ERR_INPUT_SHAPE', `SplitModel: head output '${input.name}' has shape [${headShape.join(',')}], but ${tail} takes [${input.shape.join(',')}]`);
    }
    return input.name;
  });
}

function toOrt(runtime: Ort, tensor: Tensor): ort.Tensor {
  if (tensor.datatype === 'BYTES') {
    const utf8 = new TextDecoder();
    return new runtime.Tensor('string', tensor.data.map((element) => utf8.decode(element)), tensor.shape);
  }
  const ortType = dataTypeInfo(tensor.datatype).ortType;
  if (ortType === undefined) throw new InferenceError('ERR_DATATYPE_UNSUPPORTED', `SplitModel: input '${tensor.name}' is ${tensor.datatype}, which onnxruntime-node cannot take`);
  return new runtime.Tensor(ortType as 'float32', tensor.data as Float32Array, tensor.shape);
}

function fromOrt(name: string, value: ort.Tensor): Tensor {
  const datatype = dataTypeFromOrt(value.type);
  if (datatype === undefined) throw new InferenceError('ERR_DATATYPE_UNSUPPORTED', `SplitModel: cut tensor '${name}' is ${value.type}, which cannot be sent`);
  const shape = [...value.dims];
  if (datatype === 'BYTES') {
    const utf8 = new TextEncoder();
    return { name, datatype, shape, data: (value.data as string[]).map((text) => utf8.encode(text)) };
  }
  return { name, datatype, shape, data: value.data } as Tensor;
}
