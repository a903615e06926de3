/**
 * @module
 * Floating-point values on the JSON wire. JSON has no NaN or infinities, so both directions
 * use the strings "NaN", "Infinity" and "-Infinity" (the spellings JavaScript, Python's json
 * module and numpy all print). FP32 has its own printer (float32-text.ts).
 */
import { bfloat16BitsToNumber, float16BitsToNumber, numberToBfloat16Bits, numberToFloat16Bits, type DataType } from '../../core/index.js';

/** The wire string for NaN, Infinity or -Infinity; undefined for any other string. */
export function parseNonFinite(text: string): number | undefined {
  if (text === 'NaN') return NaN;
  if (text === 'Infinity') return Infinity;
  if (text === '-Infinity') return -Infinity;
  return undefined;
}

/** JSON token for a non-finite number: a quoted string, see parseNonFinite. */
function nonFiniteToken(value: number): string {
  return value !== value ? '"NaN"' : value > 0 ? '"Infinity"' : '"-Infinity"';
}

// JavaScript prints -0 as "0"; the sign matters to some models (atan2, 1/x) and to round trips.
function zeroToken(value: number): string {
  return 1 / value < 0 ? '-0' : '0';
}

/** FP64: JavaScript's own number printing is already the shortest round-trip form. */
export function formatFloat64(value: number): string {
  if (value - value !== 0) return nonFiniteToken(value);
  return value === 0 ? zeroToken(value) : String(value);
}

/** How a 16-bit float datatype converts; the only place FP16 and BF16 are told apart. */
export interface HalfCodec {
  readonly toBits: (value: number) => number;
  readonly fromBits: (bits: number) => number;
  /** Exponent-all-ones, fraction-zero pattern (without the sign bit). */
  readonly infinityBits: number;
  /** Largest finite value, for range messages. */
  readonly max: number;
  /** JSON token per bit pattern, filled lazily: 65,536 patterns make a cache cheaper than formatting. */
  tokens?: (string | undefined)[];
}

const halfCodec = (toBits: (value: number) => number, fromBits: (bits: number) => number, infinityBits: number): HalfCodec => ({
  toBits, fromBits, infinityBits, max: fromBits(infinityBits - 1),
});

const HALF_CODECS: Readonly<Partial<Record<DataType, HalfCodec>>> = {
  FP16: halfCodec(numberToFloat16Bits, float16BitsToNumber, 0x7c00),
  BF16: halfCodec(numberToBfloat16Bits, bfloat16BitsToNumber, 0x7f80),
};

/** The codec for a datatype whose valueKind is 'half'. */
export function halfCodecFor(datatype: DataType): HalfCodec {
  const codec = HALF_CODECS[datatype];
  if (codec === undefined) throw new TypeError(`${datatype} is not a 16-bit float datatype`);
  return codec;
}

/**
 * JSON token for a 16-bit float pattern: the number the bits hold (FP16 0x2e66 is 0.0999755859375),
 * which is also what Python clients print for numpy halves. Unlike FP32, not the shortest decimal
 * that rounds back: that differs visibly (65504 would print as 65500) for readers that take the
 * JSON number as the value.
 */
export function formatHalf(codec: HalfCodec, bits: number): string {
  const tokens = (codec.tokens ??= new Array<string | undefined>(65536).fill(undefined));
  return tokens[bits] ??= formatFloat64(codec.fromBits(bits));
}
