/**
 * @module
 * What a model file declares about its inputs and outputs, read without a runtime so that a
 * config can be completed and checked before (and regardless of whether) the model loads.
 */
import { dataTypeFromOnnx, type ModelSignature, type SignatureTensor } from '../../core/index.js';
import { InferenceError } from '../../errors/index.js';
import { decodeModel } from './model-io.js';
import { describeElementType } from './onnx-proto.js';
import type { OnnxModel, TensorShapeDimension, TypeProto, ValueInfoProto } from './onnx-types.js';

/**
 * Reads the signature of an ONNX model file.
 * @throws InferenceError ERR_MODEL_LOAD_FAILED when the bytes are not a model, or when an input or
 * output is something Wharf cannot serve; the message names the tensor.
 */
export function readModelSignature(bytes: Uint8Array): ModelSignature {
  return modelSignature(decodeModel(bytes));
}

/**
 * The signature of a decoded model: graph inputs that are not initializers (since IR v4 an
 * initializer may also be listed as an input, to make it overridable, and is then not a
 * required input), and all graph outputs, in file order.
 */
export function modelSignature(model: OnnxModel): ModelSignature {
  const graph = model.graph;
  if (graph === undefined) throw new InferenceError('ERR_MODEL_LOAD_FAILED', 'the ONNX model has no graph');
  const constants = new Set<string>();
  for (const tensor of graph.initializer ?? []) constants.add(tensor.name ?? '');
  for (const sparse of graph.sparseInitializer ?? []) constants.add(sparse.values?.name ?? '');
  const inputs = (graph.input ?? [])
    .map((value, index) => ({ value, path: `graph.input[${index}]` }))
    .filter(({ value }) => !constants.has(value.name ?? ''))
    .map(({ value, path }) => signatureTensor(value, 'input', path));
  const outputs = (graph.output ?? []).map((value, index) => signatureTensor(value, 'output', `graph.output[${index}]`));
  return { inputs, outputs };
}

/** Non-tensor value kinds, for the message that refuses them. */
const NON_TENSOR_KINDS: Readonly<Record<Exclude<keyof TypeProto, 'tensorType' | 'denotation'>, string>> = {
  sequenceType: 'a sequence',
  mapType: 'a map',
  optionalType: 'an optional',
  sparseTensorType: 'a sparse tensor',
};

function signatureTensor(value: ValueInfoProto, role: 'input' | 'output', path: string): SignatureTensor {
  const name = value.name ?? '';
  const refuse = (problem: string): InferenceError =>
    new InferenceError('ERR_MODEL_LOAD_FAILED', `${role} '${name}' of the ONNX model ${problem}`, { details: [{ path, problem }] });
  if (name === '') throw refuse('has no name');
  const tensorType = value.type?.tensorType;
  if (tensorType === undefined) {
    const kind = Object.entries(NON_TENSOR_KINDS).find(([field]) => value.type?.[field as keyof TypeProto] !== undefined)?.[1];
    throw refuse(kind === undefined ? 'has no type' : `is ${kind}, not a tensor; Wharf serves tensors only`);
  }
  const datatype = dataTypeFromOnnx(tensorType.elemType ?? 0);
  if (datatype === undefined) throw refuse(`has ${describeElementType(tensorType.elemType)}, which Wharf cannot serve`);
  // An absent shape means unknown rank, which a signature cannot express (and a config could not
  // be completed from): refuse it rather than guess.
  if (tensorType.shape === undefined) throw refuse('has no shape (unknown rank); give it one, e.g. with onnx.shape_inference');
  return { name, datatype, dims: (tensorType.shape.dim ?? []).map(dimSize) };
}

/** A fixed size, or -1 for a named (dim_param) or unknown dim. */
function dimSize(dim: TensorShapeDimension): number {
  const size = dim.dimValue;
  return size !== undefined && size >= 0n && size <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(size) : -1;
}
