/**
 * @module
 * Protobuf scalar types and their value ranges: the one table both the text converter and
 * the JSON validator check numbers against.
 */

export type ScalarType =
  | 'double' | 'float' | 'int32' | 'int64' | 'uint32' | 'uint64' | 'sint32' | 'sint64'
  | 'fixed32' | 'fixed64' | 'sfixed32' | 'sfixed64' | 'bool' | 'string' | 'bytes';

type IntegerKind = { readonly min: bigint; readonly max: bigint; readonly wide: boolean };

const INT32: IntegerKind = { min: -(2n ** 31n), max: 2n ** 31n - 1n, wide: false };
const UINT32: IntegerKind = { min: 0n, max: 2n ** 32n - 1n, wide: false };
// 64-bit fields become JS numbers in the JSON form (as Triton's JSON config prints them),
// so they are limited to the range a double holds exactly.
const INT64: IntegerKind = { min: BigInt(Number.MIN_SAFE_INTEGER), max: BigInt(Number.MAX_SAFE_INTEGER), wide: true };
const UINT64: IntegerKind = { min: 0n, max: BigInt(Number.MAX_SAFE_INTEGER), wide: true };

const INTEGERS: Readonly<Partial<Record<ScalarType, IntegerKind>>> = {
  int32: INT32, sint32: INT32, sfixed32: INT32,
  uint32: UINT32, fixed32: UINT32,
  int64: INT64, sint64: INT64, sfixed64: INT64,
  uint64: UINT64, fixed64: UINT64,
};

const FLOAT32_MAX = 3.4028234663852886e38;

export function isIntegerType(type: ScalarType): boolean {
  return INTEGERS[type] !== undefined;
}

/** 64-bit integer types, which also accept decimal strings in JSON (protobuf JSON mapping). */
export function isWideIntegerType(type: ScalarType): boolean {
  return INTEGERS[type]?.wide ?? false;
}

export function isFloatType(type: ScalarType): boolean {
  return type === 'float' || type === 'double';
}

/** Words for messages: "a 32-bit integer", "a string"... */
export function describeScalarType(type: ScalarType): string {
  if (type === 'string' || type === 'bytes') return 'a string';
  if (type === 'bool') return 'true or false';
  if (isFloatType(type)) return 'a number';
  return type.startsWith('u') || type.startsWith('fixed') ? 'a non-negative integer' : 'an integer';
}

/**
 * Range-checks an exact integer against the field type.
 * @returns the value as a number, or a problem text.
 */
export function checkInteger(type: ScalarType, value: bigint): number | { problem: string } {
  const kind = INTEGERS[type];
  if (kind === undefined) return { problem: `${type} is not an integer type` };
  if (value < kind.min || value > kind.max) {
    const why = kind.wide ? ' (64-bit values must fit a JavaScript safe integer)' : '';
    return { problem: `${value} is out of range for ${type}; expected ${kind.min} to ${kind.max}${why}` };
  }
  return Number(value);
}

/** Range-checks a float; `float` fields are 32-bit, so larger finite values cannot be stored. */
export function checkFloat(type: ScalarType, value: number): number | { problem: string } {
  if (type === 'float' && Number.isFinite(value) && Math.abs(value) > FLOAT32_MAX) {
    return { problem: `${value} is out of range for a 32-bit float` };
  }
  return value;
}
