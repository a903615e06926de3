/**
 * @module
 * FP32 tensors as JSON text: for each value, the shortest decimal that Math.fround maps back to
 * the same float32 (0.1f is written `0.1`, not the float64 expansion `0.10000000149011612`),
 * laid out the way JavaScript prints numbers.
 *
 * Why not toPrecision: trying toPrecision(7..9) per value cost 4-8x JSON.stringify of the same
 * array (measured, 1M values); this file runs at about JSON.stringify's speed. Candidate digits
 * come from one multiplication per precision tried, and the round trip is checked without
 * parsing text: for an integer n < 2^53 and |k| <= 22, `n / 10^k` and `n * 10^k` are single
 * correctly rounded operations, so they equal what Number(text) returns (Clinger's fast path).
 * Digits go straight into a byte buffer, decoded once per chunk. Values outside that fast path
 * (|x| below 1e-14 or from 1e23 up) fall back to toPrecision.
 */
import { Buffer } from 'node:buffer';

/** 10^0..10^22: exactly representable doubles. */
const POW10: readonly number[] = Array.from({ length: 23 }, (_, i) => 10 ** i);

/**
 * Longest token plus its comma: values below 1e21 print in full as JavaScript does, so
 * "-100000000000000000000" (22) is the longest; exponent forms stay under 16.
 */
const MAX_TOKEN_BYTES = 24;
const CHUNK_ELEMENTS = 65536;
// Reused by every call: encoding is synchronous, so one scratch buffer (1.5 MiB) is enough.
const scratch = new Uint8Array(CHUNK_ELEMENTS * MAX_TOKEN_BYTES);

/** Every integer up to 2^24 is exactly a float32 and prints exactly. */
const FLOAT32_EXACT_INTEGER = 16777216;

/** The JSON array text of a float32 array, e.g. `[0.1,-0,"NaN"]`. */
export function float32ArrayToJson(values: Float32Array): string {
  let text = '[';
  for (let start = 0; start < values.length; start += CHUNK_ELEMENTS) {
    const end = Math.min(values.length, start + CHUNK_ELEMENTS);
    let position = 0;
    for (let i = start; i < end; i++) {
      if (i > 0) scratch[position++] = 44; // ,
      position = writeFloat32(values[i]!, position);
    }
    text += Buffer.from(scratch.buffer, scratch.byteOffset, position).toString('latin1');
  }
  return `${text}]`;
}

/** Writes the token for `value` (a float32 value held in a double) at `position`; returns the end. */
function writeFloat32(value: number, position: number): number {
  if (Number.isInteger(value) && value <= FLOAT32_EXACT_INTEGER && value >= -FLOAT32_EXACT_INTEGER) {
    // 1 / -0 is -Infinity: JavaScript prints -0 as "0", but the sign is data.
    if (value === 0) return writeAscii(1 / value < 0 ? '-0' : '0', position);
    return writeAscii(String(value), position);
  }
  if (value - value !== 0) return writeAscii(value !== value ? '"NaN"' : value > 0 ? '"Infinity"' : '"-Infinity"', position);
  const magnitude = value < 0 ? -value : value;
  // An exponent off by one near a power of ten only shifts the digit count; candidates are checked anyway.
  const exponent = Math.floor(Math.log10(magnitude));
  // Precisions 1..9 then scale by 10^(-exponent)..10^(8-exponent), all exact doubles in this range.
  if (exponent < -14 || exponent > 22) return writeAscii(slowFloat32(value), position);
  // Seven digits suffice for 44% of random float32s: from there search down for fewer, else up to nine.
  let precision = 7;
  let digits = candidate(magnitude, exponent, precision);
  if (digits >= 0) {
    // Fewer digits may read back too (0.1f needs one), and need not be a prefix of the seven.
    while (precision > 1) {
      const shorter = candidate(magnitude, exponent, precision - 1);
      if (shorter < 0) break;
      digits = shorter;
      precision--;
    }
  } else {
    while (digits < 0 && precision < 9) digits = candidate(magnitude, exponent, ++precision);
  }
  if (digits < 0) return writeAscii(slowFloat32(value), position);
  if (value < 0) scratch[position++] = 45; // -
  return writeDecimal(digits, exponent + 1 - precision, position);
}

/**
 * The `precision`-digit integer nearest to magnitude / 10^(exponent + 1 - precision), when it
 * reads back as the same float32; -1 when it does not. The scale must be within ±22.
 */
function candidate(magnitude: number, exponent: number, precision: number): number {
  const scale = precision - 1 - exponent;
  if (scale >= 0) {
    const digits = Math.round(magnitude * POW10[scale]!);
    return Math.fround(digits / POW10[scale]!) === magnitude ? digits : -1;
  }
  const digits = Math.round(magnitude / POW10[-scale]!);
  return Math.fround(digits * POW10[-scale]!) === magnitude ? digits : -1;
}

/** Tiny, huge and subnormal values: rare, so trying every precision is affordable. */
function slowFloat32(value: number): string {
  for (let precision = 1; precision < 9; precision++) {
    const text = value.toPrecision(precision);
    if (Math.fround(Number(text)) === value) return String(Number(text));
  }
  // Nine significant digits always identify a float32.
  return String(Number(value.toPrecision(9)));
}

function writeAscii(text: string, position: number): number {
  for (let i = 0; i < text.length; i++) scratch[position++] = text.charCodeAt(i);
  return position;
}

/** Writes the k-digit integer n (n < 2^31) at `position`. */
function writeDigits(n: number, k: number, position: number): number {
  let end = position + k;
  const after = end;
  while (end > position) {
    const quotient = (n / 10) | 0;
    scratch[--end] = 48 + n - quotient * 10;
    n = quotient;
  }
  return after;
}

/**
 * Writes digits x 10^exponent (digits a positive integer below 2^31) in ECMAScript
 * Number::toString layout: "123", "1.5", "0.000123", "1.5e-7", "1e+21".
 */
function writeDecimal(digits: number, exponent: number, position: number): number {
  while (digits % 10 === 0) {
    digits /= 10;
    exponent++;
  }
  let k = 1;
  while (digits >= POW10[k]!) k++;
  const point = k + exponent;
  if (point >= k && point <= 21) {
    position = writeDigits(digits, k, position);
    for (let i = k; i < point; i++) scratch[position++] = 48;
  } else if (point > 0 && point <= 21) {
    const high = (digits / POW10[k - point]!) | 0;
    position = writeDigits(high, point, position);
    scratch[position++] = 46; // .
    position = writeDigits(digits - high * POW10[k - point]!, k - point, position);
  } else if (point > -6 && point <= 0) {
    scratch[position++] = 48;
    scratch[position++] = 46;
    for (let i = 0; i < -point; i++) scratch[position++] = 48;
    position = writeDigits(digits, k, position);
  } else {
    const high = (digits / POW10[k - 1]!) | 0;
    scratch[position++] = 48 + high;
    if (k > 1) {
      scratch[position++] = 46;
      position = writeDigits(digits - high * POW10[k - 1]!, k - 1, position);
    }
    scratch[position++] = 101; // e
    if (point - 1 >= 0) scratch[position++] = 43; // +
    position = writeAscii(String(point - 1), position);
  }
  return position;
}
