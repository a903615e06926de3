// Half-precision conversions. Node 20 has no Float16Array, so FP16 and BF16 tensors travel
// as Uint16Array bit patterns and JSON values are converted here.

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE 754 binary16 bits -> number. */
export function float16BitsToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** number -> IEEE 754 binary16 bits, rounding to nearest even; overflow gives infinity. */
export function numberToFloat16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  let mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa !== 0 ? 0x200 : 0);
  // Re-bias from float32 (127) to float16 (15).
  let e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let result = mantissa >> shift;
    const rest = mantissa & ((1 << shift) - 1);
    if (rest > half || (rest === half && (result & 1) === 1)) result += 1;
    return sign | result;
  }
  let result = (e << 10) | (mantissa >> 13);
  const rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (result & 1) === 1)) result += 1;
  // A carry out of the mantissa correctly bumps the exponent, up to infinity.
  e = result >> 10;
  return sign | (e >= 0x1f ? 0x7c00 : result);
}

/** bfloat16 bits (the high half of a float32) -> number. */
export function bfloat16BitsToNumber(bits: number): number {
  u32[0] = bits << 16;
  return f32[0]!;
}

/** number -> bfloat16 bits, rounding to nearest even. */
export function numberToBfloat16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0]!;
  if ((x & 0x7f800000) === 0x7f800000 && (x & 0x7fffff) !== 0) return (x >>> 16) | 0x40;
  const rounded = x + 0x7fff + ((x >>> 16) & 1);
  return (rounded >>> 16) & 0xffff;
}
