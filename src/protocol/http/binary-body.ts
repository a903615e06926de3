/**
 * @module
 * Body framing of Triton's binary tensor data extension (extension_binary_data.md), shared by
 * requests and responses: `<JSON header><blob of tensor 1><blob of tensor 2>...`, where the
 * `Inference-Header-Content-Length` HTTP header gives the JSON's byte length and the blobs belong,
 * in order, to the tensors whose `parameters.binary_data_size` announces them.
 */
import { isInteger, isSafeNumber, parse } from 'lossless-json';
import { InferenceError } from '../../errors/index.js';
import type { Tensor } from '../../core/index.js';
import { describeValue, invalid } from './json-fields.js';
import { decodeJsonTensor, type JsonTensorHeader } from './json-tensor-header.js';
import { decodeTensorBytes, type BlobSource } from '../tensor-bytes.js';

const BINARY_DATA: BlobSource = { sizeName: 'binary_data_size', blobName: 'binary data' };

/** The HTTP header that carries the JSON header's byte length. */
export const INFERENCE_HEADER_CONTENT_LENGTH = 'Inference-Header-Content-Length';

/** A body ready to send. The HTTP layer writes `chunks` in order and sets the headers from the other fields. */
export interface EncodedBody {
  /** `application/json` for a plain JSON body, `application/octet-stream` when blobs follow the JSON. */
  contentType: string;
  /** The Inference-Header-Content-Length value; undefined for a plain JSON body, which must not send the header. */
  headerLength: number | undefined;
  /** The JSON header, then the blobs. Blobs may be views of tensor memory: do not change the tensors until the body is sent. */
  chunks: Uint8Array[];
  /** Sum of the chunks' lengths: the Content-Length. */
  byteLength: number;
}

const DIGITS = /^[0-9]+$/;

/**
 * Reads the Inference-Header-Content-Length header as Node delivers it (a string, an array
 * when repeated, undefined when absent).
 * @throws InferenceError ERR_INVALID_REQUEST unless it is one non-negative decimal integer.
 */
export function parseHeaderLength(value: string | string[] | undefined): number | undefined {
  if (value === undefined) return undefined;
  let text: string;
  if (Array.isArray(value)) {
    const distinct = [...new Set(value.map((v) => v.trim()))];
    if (distinct.length !== 1) throw invalid(`${INFERENCE_HEADER_CONTENT_LENGTH} must be given once, got ${value.length} values (${value.map(describeValue).join(', ')})`);
    text = distinct[0]!;
  } else {
    text = value.trim();
  }
  const length = DIGITS.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(length)) {
    throw invalid(`${INFERENCE_HEADER_CONTENT_LENGTH} must be a non-negative integer (the byte length of the JSON header), got ${describeValue(text)}`);
  }
  return length;
}

/** Checks a parsed header length against the body before any byte is read. */
export function assertHeaderLength(headerLength: number, bodyLength: number): void {
  if (!Number.isSafeInteger(headerLength) || headerLength < 0) {
    throw invalid(`${INFERENCE_HEADER_CONTENT_LENGTH} must be a non-negative integer (the byte length of the JSON header), got ${describeValue(headerLength)}`);
  }
  if (headerLength > bodyLength) {
    throw invalid(`${INFERENCE_HEADER_CONTENT_LENGTH} is ${headerLength} but the body has only ${bodyLength} bytes`);
  }
}

// fatal: JSON text must be UTF-8 (RFC 8259 section 8.1); replacing bad bytes with U+FFFD would
// silently change names and BYTES strings. The default ignoreBOM: false drops a leading BOM.
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Integer tokens beyond ±(2^53-1) become bigints instead of rounded numbers. Servers print
 * 64-bit tensor values exactly (Wharf and Triton both do), and only a lossless parser keeps them;
 * it is slower than JSON.parse, so it is used only for bodies that hold 64-bit integer tensors.
 */
function parseExactNumber(token: string): number | bigint {
  if (isInteger(token) && !isSafeNumber(token)) return BigInt(token);
  return Number(token);
}
const MAX_PARSER_MESSAGE_CHARS = 200;
const MISSING_HEADER_HINT = `; if binary tensor data follows the JSON, send the ${INFERENCE_HEADER_CONTENT_LENGTH} header with the JSON's byte length`;

/**
 * UTF-8 bytes -> JSON value. `what` names the text in messages ("the request body");
 * `headerHint`: the bytes are a whole body read without Inference-Header-Content-Length.
 * @throws InferenceError ERR_INVALID_REQUEST for bytes that are not UTF-8 or text that is not JSON.
 */
export function parseJsonBytes(bytes: Uint8Array, what: string, headerHint = false, exactIntegers = false): unknown {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch (error) {
    // Raw tensor bytes after the JSON are the usual reason, as for the JSON error below.
    const hint = headerHint ? MISSING_HEADER_HINT : '';
    throw new InferenceError('ERR_INVALID_REQUEST', `${what} is not valid UTF-8${hint}`, { cause: error });
  }
  try {
    return exactIntegers && /"U?INT64"/.test(text) ? parse(text, null, parseExactNumber) : JSON.parse(text);
  } catch (error) {
    // The parser's message quotes the text; cut it so a hostile body cannot bloat logs.
    const message = error instanceof Error ? error.message.slice(0, MAX_PARSER_MESSAGE_CHARS) : String(error);
    // The most common cause (Triton issue #4244): binary data sent without the header, so the
    // JSON seems to have trailing garbage. V8 says "Unexpected non-whitespace character after JSON".
    const hint = headerHint && /after JSON/.test(message) ? MISSING_HEADER_HINT : '';
    throw new InferenceError('ERR_INVALID_REQUEST', `${what} is not valid JSON: ${message}${hint}`, { cause: error });
  }
}

/**
 * Decodes the tensors of a body whose JSON header ends at `start`: JSON `data` as the JSON codec
 * does, and blobs taken in order from `body[start..]`. `role` ('input' / 'output') words messages.
 * @throws InferenceError ERR_INVALID_REQUEST when a tensor has both `data` and a blob or the
 *   sizes do not add up to the rest of the body; the tensor codecs' errors otherwise.
 */
export function decodeTensors(headers: readonly JsonTensorHeader[], body: Uint8Array, start: number, role: 'input' | 'output'): Tensor[] {
  // Framing is checked for all tensors before any data is decoded: a body that will be refused
  // costs no decoding, and the message names the first tensor where the sizes go wrong.
  const binaryBytes = body.byteLength - start;
  let end = start;
  for (const header of headers) {
    const size = header.binaryDataSize;
    if (size === undefined) continue;
    if (header.data !== undefined) throw invalid(`${header.where}: has both 'data' and 'parameters.binary_data_size'; send one or the other`);
    const remaining = body.byteLength - end;
    if (size > remaining) {
      throw invalid(`${header.where}: binary_data_size is ${size} but only ${remaining} bytes remain: the ${binaryBytes} bytes after the ${start}-byte JSON header hold the ${role}s' binary data in order, and the ${role}s before it take ${end - start}`);
    }
    end += size;
  }
  if (end !== body.byteLength) {
    throw invalid(`${body.byteLength - end} bytes are left over after the binary data: the ${role}s' binary_data_size values add up to ${end - start} but ${binaryBytes} bytes follow the ${start}-byte JSON header`);
  }
  let position = start;
  return headers.map((header) => {
    const size = header.binaryDataSize;
    if (size === undefined) return decodeJsonTensor(header);
    const blob = body.subarray(position, position + size);
    position += size;
    const data = decodeTensorBytes(header.datatype, header.shape, blob, header.where, BINARY_DATA);
    // The datatype and the array agree by construction (decodeTensorBytes reads the core table).
    return { name: header.name, datatype: header.datatype, shape: header.shape, data } as Tensor;
  });
}

const utf8Encoder = new TextEncoder();

/**
 * Frames a body: plain JSON when no blob is given (contentType application/json, no header
 * length), else the JSON header followed by the blobs in order.
 */
export function frameBody(json: string, blobs: readonly Uint8Array[], binary: boolean): EncodedBody {
  const header = utf8Encoder.encode(json);
  if (!binary) return { contentType: 'application/json', headerLength: undefined, chunks: [header], byteLength: header.byteLength };
  const chunks: Uint8Array[] = [header];
  let byteLength = header.byteLength;
  for (const blob of blobs) {
    // Empty blobs (zero-sized tensors) would only cost the writer a call.
    if (blob.byteLength === 0) continue;
    chunks.push(blob);
    byteLength += blob.byteLength;
  }
  return { contentType: 'application/octet-stream', headerLength: header.byteLength, chunks, byteLength };
}
