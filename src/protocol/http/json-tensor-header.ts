/**
 * @module
 * The JSON description of one tensor (`$request_input` / `$response_output` in OIP
 * inference_rest.md) before its data is decoded. The JSON codec and, later, the binary
 * tensor extension codec both start from this header: the header says whether the data is
 * inline (`data`) or in the binary section (`parameters.binary_data_size`).
 */
import { InferenceError } from '../../errors/index.js';
import { DATA_TYPES, assertValidShape, dataTypeFromConfig, isDataType, type DataType, type Parameters, type Tensor } from '../../core/index.js';
import { describeValue, expectObject, invalid, readName, readOptionalParameters } from './json-fields.js';
import { decodeJsonTensorData } from './json-tensor-decode.js';

export interface JsonTensorHeader {
  readonly name: string;
  readonly datatype: DataType;
  readonly shape: number[];
  readonly parameters: Parameters | undefined;
  /** The `data` field as parsed; undefined when absent. */
  readonly data: unknown;
  /** `parameters.binary_data_size` (Triton binary extension): the tensor's bytes follow the JSON. */
  readonly binaryDataSize: number | undefined;
  /** How messages name the tensor: "input 'x'" or "output 'y'". */
  readonly where: string;
}

/**
 * Reads the header of `inputs[i]` or `outputs[i]`. `position` is that path, used until the
 * name is known; `role` is 'input' or 'output'.
 */
export function readJsonTensorHeader(raw: unknown, position: string, role: 'input' | 'output'): JsonTensorHeader {
  const object = expectObject(raw, `'${position}'`);
  const name = readName(object, position);
  const where = `${role} '${name}'`;
  const datatype = readDataType(object.datatype, where);
  const shape = object.shape;
  if (!Array.isArray(shape)) {
    const got = shape === undefined ? 'nothing' : describeValue(shape);
    throw invalid(`${where}: 'shape' must be an array of non-negative integers, got ${got}`, 'ERR_INPUT_SHAPE');
  }
  assertValidShape(shape, where);
  const parameters = readOptionalParameters(object, `${where}: `);
  const binaryDataSize = parameters?.binary_data_size;
  if (binaryDataSize !== undefined && !(typeof binaryDataSize === 'number' && Number.isSafeInteger(binaryDataSize) && binaryDataSize >= 0)) {
    throw invalid(`${where}: 'parameters.binary_data_size' must be a non-negative integer, got ${describeValue(binaryDataSize)}`);
  }
  if (parameters?.shared_memory_region !== undefined) {
    throw invalid(`${where}: shared-memory tensors ('parameters.shared_memory_region') are not supported; send 'data' or use the binary tensor extension`);
  }
  if (binaryDataSize === undefined && object.data === undefined) {
    throw invalid(`${where}: 'data' is required`);
  }
  return { name, datatype, shape: [...shape], parameters, data: object.data, binaryDataSize, where };
}

function readDataType(value: unknown, where: string): DataType {
  if (isDataType(value)) return value;
  let hint = '';
  if (typeof value === 'string') {
    // Common slips: lower case, or the model-config spelling (TYPE_FP32) instead of the protocol's.
    const configName = dataTypeFromConfig(value.toUpperCase());
    if (isDataType(value.toUpperCase())) hint = ` (datatypes are upper case: ${value.toUpperCase()})`;
    else if (configName !== undefined) hint = ` (${value} is the model-config name; the protocol name is ${configName})`;
  }
  const got = value === undefined ? `'datatype' is missing; it must be` : `datatype ${describeValue(value)} is not`;
  throw new InferenceError('ERR_INPUT_DATATYPE', `${where}: ${got} one of ${DATA_TYPES.join(', ')}${hint}`);
}

/**
 * Decodes a header whose data is inline JSON into a tensor.
 * @throws InferenceError ERR_INVALID_REQUEST when the data is in the binary section, which
 *   this codec cannot see (the HTTP layer routes such bodies to the binary codec).
 */
export function decodeJsonTensor(header: JsonTensorHeader): Tensor {
  if (header.binaryDataSize !== undefined) {
    throw invalid(`${header.where}: binary tensor data requires the Inference-Header-Content-Length header`);
  }
  const data = decodeJsonTensorData(header.datatype, header.shape, header.data, header.where);
  // The datatype and the array agree by construction (decodeJsonTensorData allocates from the core table).
  return { name: header.name, datatype: header.datatype, shape: header.shape, data } as Tensor;
}
