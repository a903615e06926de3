/**
 * @module
 * JSON tensor data -> the typed array its datatype uses (core DataTypeArrays).
 *
 * Large tensors arrive this way, so each value kind has its own loop that validates and
 * writes in one pass into a preallocated array, with no intermediate flat JS array and no
 * per-element callbacks. Data may be flat or nested to any regular or irregular depth
 * (KServe allows both); elements are taken in row-major order. A first pass only counts,
 * so a shape that claims billions of elements is rejected before anything is allocated.
 */
import { InferenceError } from '../../errors/index.js';
import { allocateData, dataTypeInfo, elementCount, formatShape, type DataType, type Tensor } from '../../core/index.js';
import { describeValue } from './json-fields.js';
import { halfCodecFor, parseNonFinite, type HalfCodec } from './json-number.js';

/** Far deeper than any real tensor rank; bounds recursion so a hostile body cannot overflow the stack. */
export const MAX_DATA_DEPTH = 64;

type IntArray = Uint8Array | Uint16Array | Uint32Array | Int8Array | Int16Array | Int32Array;
type BigIntArray = BigInt64Array | BigUint64Array;
type FloatArray = Float32Array | Float64Array;

/** What an element error names: "input 'x' (UINT8)". */
interface Context {
  readonly label: string;
}
interface IntContext extends Context { readonly min: number; readonly max: number }
interface BigIntContext extends Context { readonly min: bigint; readonly max: bigint; readonly minNumber: number }
interface FloatContext extends Context { readonly datatype: DataType; readonly max: number }

function elementError(context: Context, index: number, value: unknown, problem: string): InferenceError {
  return new InferenceError('ERR_INPUT_DATA', `${context.label}: element ${index} is ${describeValue(value)}, ${problem}`);
}

/**
 * Decodes one tensor's `data` field. `where` names the tensor in messages ("input 'x'").
 * The result is freshly allocated and owned by the caller (the engine may transfer its buffer).
 * @throws InferenceError ERR_INPUT_DATA for values that do not fit the datatype,
 *   ERR_INPUT_SHAPE when the element count differs from the shape's.
 */
export function decodeJsonTensorData(datatype: DataType, shape: readonly number[], data: unknown, where: string): Tensor['data'] {
  // A scalar (shape []) may be sent bare; everything else must be an array.
  const source = shape.length === 0 && !Array.isArray(data) ? [data] : data;
  if (!Array.isArray(source)) {
    throw new InferenceError('ERR_INPUT_DATA', `${where}: 'data' must be an array, got ${describeValue(data)}`);
  }
  const expected = elementCount(shape);
  const actual = countElements(source, 1, where);
  if (actual !== expected) {
    throw new InferenceError('ERR_INPUT_SHAPE', `${where}: shape ${formatShape(shape)} needs ${expected} elements but data has ${actual}`);
  }
  const info = dataTypeInfo(datatype);
  const label = `${where} (${datatype})`;
  // One branch per value kind, never per datatype name: the core table decides.
  switch (info.valueKind) {
    case 'int': {
      const target = allocateData(datatype, expected) as IntArray;
      fillInt(source, target, 0, { label, min: Number(info.min), max: Number(info.max) });
      return target;
    }
    case 'bigint': {
      const target = allocateData(datatype, expected) as BigIntArray;
      const min = BigInt(info.min ?? 0);
      fillBigInt(source, target, 0, { label, min, max: BigInt(info.max ?? 0), minNumber: Number(min) });
      return target;
    }
    case 'float': {
      const target = allocateData(datatype, expected) as FloatArray;
      fillFloat(source, target, 0, { label, datatype, max: target instanceof Float32Array ? FLOAT32_MAX : Number.MAX_VALUE });
      return target;
    }
    case 'half': {
      const target = allocateData(datatype, expected) as Uint16Array;
      const codec = halfCodecFor(datatype);
      fillHalf(source, target, 0, codec, { label, datatype, max: codec.max });
      return target;
    }
    case 'bool': {
      const target = allocateData(datatype, expected) as Uint8Array;
      fillBool(source, target, 0, { label });
      return target;
    }
    case 'bytes': {
      // Not allocateData: it would create an empty Uint8Array per element only to overwrite it.
      const target = new Array<Uint8Array>(expected);
      fillBytes(source, target, 0, { label });
      return target;
    }
  }
}

/** Counts the non-array leaves; nesting deeper than MAX_DATA_DEPTH is refused. */
function countElements(data: readonly unknown[], depth: number, where: string): number {
  if (depth > MAX_DATA_DEPTH) {
    throw new InferenceError('ERR_INPUT_DATA', `${where}: 'data' nests deeper than ${MAX_DATA_DEPTH} levels`);
  }
  let count = 0;
  for (let i = 0; i < data.length; i++) {
    const value = data[i];
    count += Array.isArray(value) ? countElements(value, depth + 1, where) : 1;
  }
  return count;
}

// The fill functions below share one shape: the common case (a value of the right JSON type)
// is tested first and written at `index`; a nested array recurses; anything else is an error
// naming the flat element index. Each returns the next free index. countElements has already
// checked the total, so writes stay in bounds and recursion depth is bounded.

function fillInt(data: readonly unknown[], target: IntArray, index: number, context: IntContext): number {
  const { min, max } = context;
  for (let i = 0; i < data.length; i++) {
    const value = data[i];
    if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) {
      target[index++] = value;
    } else if (Array.isArray(value)) {
      index = fillInt(value, target, index, context);
    } else {
      const problem = typeof value !== 'number' || !Number.isInteger(value) ? 'expected an integer' : `outside ${min}..${max}`;
      throw elementError(context, index, value, problem);
    }
  }
  return index;
}

/** Decimal strings carry 64-bit integers exactly; longer ones cannot be in range, so BigInt never parses huge text. */
const DECIMAL_INTEGER = /^-?[0-9]{1,40}$/;

function fillBigInt(data: readonly unknown[], target: BigIntArray, index: number, context: BigIntContext): number {
  for (let i = 0; i < data.length; i++) {
    const value = data[i];
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= context.minNumber) {
      target[index++] = BigInt(value);
    } else if (typeof value === 'bigint') {
      // Only a lossless JSON parser (our client's) yields bigints; JSON.parse never does.
      if (value < context.min || value > context.max) throw elementError(context, index, String(value), `outside ${context.min}..${context.max}`);
      target[index++] = value;
    } else if (typeof value === 'string' && DECIMAL_INTEGER.test(value)) {
      const parsed = BigInt(value);
      if (parsed < context.min || parsed > context.max) throw elementError(context, index, value, `outside ${context.min}..${context.max}`);
      target[index++] = parsed;
    } else if (Array.isArray(value)) {
      index = fillBigInt(value, target, index, context);
    } else {
      throw elementError(context, index, value, bigIntProblem(value, context));
    }
  }
  return index;
}

function bigIntProblem(value: unknown, context: BigIntContext): string {
  if (typeof value === 'number' && Number.isInteger(value)) {
    if (Number.isSafeInteger(value)) return `outside ${context.min}..${context.max}`;
    // JSON.parse has already rounded such a number; the value the client meant is lost.
    return 'beyond ±(2^53-1) where JSON numbers lose precision; send 64-bit values as decimal strings ("9223372036854775807") or use the binary tensor extension';
  }
  if (typeof value === 'string' && /^-?[0-9]+$/.test(value)) return `outside ${context.min}..${context.max}`;
  return 'expected an integer (a JSON number or a decimal string)';
}

const FLOAT32_MAX = 3.4028234663852886e38;

/** Non-finite JSON numbers only come from overflow (JSON.parse('1e400') is Infinity) or from library callers. */
function floatProblem(value: unknown, context: FloatContext): string {
  if (typeof value !== 'number') return 'expected a number (or "NaN", "Infinity", "-Infinity")';
  if (Number.isFinite(value)) return `outside the ${context.datatype} range ±${context.max}`;
  return 'not a finite number; send "NaN", "Infinity" or "-Infinity" as strings';
}

function fillFloat(data: readonly unknown[], target: FloatArray, index: number, context: FloatContext): number {
  for (let i = 0; i < data.length; i++) {
    const value = data[i];
    if (typeof value === 'number') {
      target[index] = value;
      // Reading back catches both non-finite input and float32 overflow (it stores Infinity).
      const stored = target[index]!;
      if (stored - stored !== 0) throw elementError(context, index, value, floatProblem(value, context));
      index++;
    } else if (Array.isArray(value)) {
      index = fillFloat(value, target, index, context);
    } else if (typeof value === 'bigint') {
      // A lossless parser's integer token, e.g. an FP64 1e20 printed as 100000000000000000000.
      target[index++] = Number(value);
    } else {
      const special = typeof value === 'string' ? parseNonFinite(value) : undefined;
      if (special === undefined) throw elementError(context, index, value, floatProblem(value, context));
      target[index++] = special;
    }
  }
  return index;
}

function fillHalf(data: readonly unknown[], target: Uint16Array, index: number, codec: HalfCodec, context: FloatContext): number {
  for (let i = 0; i < data.length; i++) {
    const raw = data[i];
    // A lossless parser's integer token (65504 fits; 2^53 printed in digits overflows to an error below).
    const value = typeof raw === 'bigint' ? Number(raw) : raw;
    if (typeof value === 'number') {
      const bits = codec.toBits(value);
      // An infinity from a finite number is an overflow; non-finite numbers are refused as for FP32.
      if (!Number.isFinite(value) || (bits & 0x7fff) === codec.infinityBits) throw elementError(context, index, value, floatProblem(value, context));
      target[index++] = bits;
    } else if (Array.isArray(value)) {
      index = fillHalf(value, target, index, codec, context);
    } else {
      const special = typeof value === 'string' ? parseNonFinite(value) : undefined;
      if (special === undefined) throw elementError(context, index, value, floatProblem(value, context));
      target[index++] = codec.toBits(special);
    }
  }
  return index;
}

/** Triton reads JSON BOOL only as true/false (http_server.cc ReadDataFromJson); 0 and 1 are refused too. */
function fillBool(data: readonly unknown[], target: Uint8Array, index: number, context: Context): number {
  for (let i = 0; i < data.length; i++) {
    const value = data[i];
    if (value === true) target[index++] = 1;
    else if (value === false) target[index++] = 0;
    else if (Array.isArray(value)) index = fillBool(value, target, index, context);
    else throw elementError(context, index, value, 'expected true or false');
  }
  return index;
}

const utf8 = new TextEncoder();
/** A UTF-16 surrogate without its partner: TextEncoder would silently turn it into U+FFFD. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function fillBytes(data: readonly unknown[], target: Uint8Array[], index: number, context: Context): number {
  for (let i = 0; i < data.length; i++) {
    const value = data[i];
    if (typeof value === 'string') {
      if (LONE_SURROGATE.test(value)) throw elementError(context, index, value, 'not valid Unicode (a lone surrogate cannot be encoded as UTF-8)');
      target[index++] = utf8.encode(value);
    } else if (Array.isArray(value)) {
      index = fillBytes(value, target, index, context);
    } else {
      throw elementError(context, index, value, 'expected a string');
    }
  }
  return index;
}
