/**
 * @module
 * The description of one InferInputTensor / InferOutputTensor (name, datatype, shape) and the
 * decoding of a message's tensors, which are either all raw (`raw_*_contents`, one entry per
 * tensor) or all typed (`contents`), never a mix (grpc_service.proto, raw_input_contents).
 */
import { InferenceError } from '../../errors/index.js';
import { DATA_TYPES, assertValidShape, dataTypeFromConfig, isDataType, type DataType, type Parameters, type Tensor } from '../../core/index.js';
import { invalid, quote } from './grpc-fields.js';
import type { InferTensorContentsMessage, InferTensorMessage } from './messages.js';
import { readGrpcParameters } from './parameters.js';
import { decodeRawContents } from './raw-contents.js';
import { decodeTypedContents } from './typed-contents.js';

export type TensorRole = 'input' | 'output';

export interface GrpcTensorHeader {
  readonly name: string;
  readonly datatype: DataType;
  readonly shape: number[];
  readonly parameters: Parameters | undefined;
  readonly contents: InferTensorContentsMessage | undefined;
  /** How messages name the tensor: "input 'x'". */
  readonly where: string;
}

/**
 * Reads `inputs[i]` or `outputs[i]`; `position` names it until its name is known.
 * @throws InferenceError ERR_INVALID_REQUEST (no name), ERR_INPUT_DATATYPE, ERR_INPUT_SHAPE.
 */
export function readGrpcTensorHeader(message: InferTensorMessage, position: string, role: TensorRole): GrpcTensorHeader {
  const name = message.name ?? '';
  if (name === '') throw invalid(`'${position}.name' must be a non-empty string`);
  const where = `${role} '${name}'`;
  const datatype = readDataType(message.datatype ?? '', where);
  // int64 dims arrive as decimal strings; Number() of a huge one is not a safe integer and is refused below.
  const shape = (message.shape ?? []).map(Number);
  assertValidShape(shape, where);
  return { name, datatype, shape, parameters: readGrpcParameters(message.parameters, `${where}: `), contents: message.contents, where };
}

/** Same rules and hints as the HTTP codec: protocol names, upper case. */
export function readDataType(value: string, where: string): DataType {
  if (isDataType(value)) return value;
  let hint = '';
  // Common slips: lower case, or the model-config spelling (TYPE_FP32) instead of the protocol's.
  const configName = dataTypeFromConfig(value.toUpperCase());
  if (isDataType(value.toUpperCase())) hint = ` (datatypes are upper case: ${value.toUpperCase()})`;
  else if (configName !== undefined) hint = ` (${value} is the model-config name; the protocol name is ${configName})`;
  const got = value === '' ? `'datatype' is missing; it must be` : `datatype ${quote(value)} is not`;
  throw new InferenceError('ERR_INPUT_DATATYPE', `${where}: ${got} one of ${DATA_TYPES.join(', ')}${hint}`);
}

/**
 * Decodes the tensors of a request (role 'input': `raw_input_contents`) or a response ('output':
 * `raw_output_contents`).
 * @throws InferenceError ERR_INVALID_REQUEST when raw and typed contents are mixed or the raw
 *   entries do not pair one-to-one with the tensors; the data errors of the two decoders.
 */
export function decodeGrpcTensors(headers: readonly GrpcTensorHeader[], raw: readonly Uint8Array[] | undefined, role: TensorRole): Tensor[] {
  const rawField = role === 'input' ? 'raw_input_contents' : 'raw_output_contents';
  if (raw === undefined || raw.length === 0) return headers.map((header) => toTensor(header, decodeTypedContents(header, rawField)));
  const typed = headers.find((header) => header.contents !== undefined);
  if (typed) {
    throw invalid(`${typed.where} has 'contents' but the message also has '${rawField}'; when raw contents are used, no ${role} may carry 'contents'`);
  }
  if (raw.length !== headers.length) {
    throw invalid(`'${rawField}' has ${raw.length} entries but there are ${headers.length} ${role}s; send one entry per ${role}, in the order of the ${role}s`);
  }
  return headers.map((header, i) => toTensor(header, decodeRawContents(header, raw[i]!, `${rawField}[${i}]`)));
}

function toTensor(header: GrpcTensorHeader, data: Tensor['data']): Tensor {
  // The decoders allocate from the core table, so the datatype and the array agree by construction.
  return { name: header.name, datatype: header.datatype, shape: header.shape, data } as Tensor;
}
