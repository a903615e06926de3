/**
 * @module
 * Typed tensor data -> the JSON text of a flat, row-major `data` array (Triton also answers flat).
 * The text is built directly: JSON.stringify cannot write bigints, 16-bit floats or float32
 * values at their own precision, and converting to a JS array first would double the memory.
 */
import { dataTypeInfo, type DataType, type Tensor } from '../../core/index.js';
import { float32ArrayToJson } from './float32-text.js';
import { formatFloat64, formatHalf, halfCodecFor } from './json-number.js';

type IntArray = Uint8Array | Uint16Array | Uint32Array | Int8Array | Int16Array | Int32Array;

/**
 * 64-bit integers beyond ±(2^53-1) are written as decimal strings: as bare numbers,
 * JSON.parse in JavaScript clients (ours included) would silently round them. The decoder
 * accepts the same strings, so values survive a round trip through any JSON parser.
 */
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = -MAX_SAFE;

/**
 * BYTES elements are decoded as UTF-8 with U+FFFD for invalid sequences, so the body is always
 * valid JSON (Triton copies the raw bytes into its JSON instead). Binary elements survive only
 * through the binary tensor extension. ignoreBOM keeps a leading U+FEFF as data.
 */
const utf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/** The JSON text of `data` for `datatype`, e.g. `[1,2.5,"NaN"]`. The tensor is trusted to be consistent (shape vs length). */
export function encodeJsonTensorData(datatype: DataType, data: Tensor['data']): string {
  switch (dataTypeInfo(datatype).valueKind) {
    case 'int':
      // Native join prints integers exactly and is the fastest path V8 has.
      return `[${(data as IntArray).join(',')}]`;
    case 'bigint': {
      const values = data as BigInt64Array | BigUint64Array;
      let text = '[';
      for (let i = 0; i < values.length; i++) {
        const value = values[i]!;
        if (i > 0) text += ',';
        text += value >= MIN_SAFE && value <= MAX_SAFE ? String(value) : `"${value}"`;
      }
      return `${text}]`;
    }
    case 'float': {
      // The array, not the datatype name, says which precision to print at.
      if (data instanceof Float32Array) return float32ArrayToJson(data);
      const values = data as Float64Array;
      let text = '[';
      for (let i = 0; i < values.length; i++) {
        if (i > 0) text += ',';
        text += formatFloat64(values[i]!);
      }
      return `${text}]`;
    }
    case 'half': {
      const values = data as Uint16Array;
      const codec = halfCodecFor(datatype);
      let text = '[';
      for (let i = 0; i < values.length; i++) {
        if (i > 0) text += ',';
        text += formatHalf(codec, values[i]!);
      }
      return `${text}]`;
    }
    case 'bool': {
      const values = data as Uint8Array;
      let text = '[';
      for (let i = 0; i < values.length; i++) {
        if (i > 0) text += ',';
        text += values[i] === 0 ? 'false' : 'true';
      }
      return `${text}]`;
    }
    case 'bytes': {
      const values = data as Uint8Array[];
      let text = '[';
      for (let i = 0; i < values.length; i++) {
        if (i > 0) text += ',';
        text += JSON.stringify(utf8.decode(values[i]));
      }
      return `${text}]`;
    }
  }
}
