/**
 * @module
 * One ModelInfer case per datatype the identity models serve (BF16 does not load), written the
 * way a Triton client writes them: typed `contents` values and, independently, the raw
 * little-endian bytes the same values take (tritonclient's serialize_byte_tensor for BYTES).
 */
export interface IdentityCase {
  readonly datatype: string;
  /** The InferTensorContents field and its values; undefined for FP16, which only travels raw. */
  readonly typed: Record<string, unknown[]> | undefined;
  /** The three elements, little-endian, as raw_input_contents / raw_output_contents carry them. */
  readonly raw: Buffer;
}

function pack(size: number, values: readonly (number | bigint)[], write: (buffer: Buffer, value: never, offset: number) => void): Buffer {
  const buffer = Buffer.alloc(size * values.length);
  values.forEach((value, i) => write(buffer, value as never, i * size));
  return buffer;
}

const utf8 = (text: string) => Buffer.from(text, 'utf8');

function lengthPrefixed(elements: readonly Buffer[]): Buffer {
  return Buffer.concat(elements.flatMap((element) => [pack(4, [element.byteLength], (b, v: number, o) => b.writeUInt32LE(v, o)), element]));
}

const BYTES_ELEMENTS = [utf8('hello'), Buffer.alloc(0), utf8('héllo ✓ 你好')];

export const IDENTITY_CASES: readonly IdentityCase[] = [
  { datatype: 'BOOL', typed: { bool_contents: [true, false, true] }, raw: Buffer.from([1, 0, 1]) },
  { datatype: 'UINT8', typed: { uint_contents: [0, 255, 7] }, raw: Buffer.from([0, 255, 7]) },
  { datatype: 'UINT16', typed: { uint_contents: [0, 65535, 300] }, raw: pack(2, [0, 65535, 300], (b, v: number, o) => b.writeUInt16LE(v, o)) },
  { datatype: 'UINT32', typed: { uint_contents: [0, 4294967295, 70000] }, raw: pack(4, [0, 4294967295, 70000], (b, v: number, o) => b.writeUInt32LE(v, o)) },
  {
    datatype: 'UINT64', typed: { uint64_contents: ['0', '18446744073709551615', '5'] },
    raw: pack(8, [0n, 18446744073709551615n, 5n], (b, v: bigint, o) => b.writeBigUInt64LE(v, o)),
  },
  { datatype: 'INT8', typed: { int_contents: [-128, 127, 0] }, raw: pack(1, [-128, 127, 0], (b, v: number, o) => b.writeInt8(v, o)) },
  { datatype: 'INT16', typed: { int_contents: [-32768, 32767, -1] }, raw: pack(2, [-32768, 32767, -1], (b, v: number, o) => b.writeInt16LE(v, o)) },
  { datatype: 'INT32', typed: { int_contents: [-2147483648, 2147483647, 42] }, raw: pack(4, [-2147483648, 2147483647, 42], (b, v: number, o) => b.writeInt32LE(v, o)) },
  {
    datatype: 'INT64', typed: { int64_contents: ['-9223372036854775808', '9223372036854775807', '-1'] },
    raw: pack(8, [-9223372036854775808n, 9223372036854775807n, -1n], (b, v: bigint, o) => b.writeBigInt64LE(v, o)),
  },
  // 0.5, -2 and 65504 (the largest finite half) as IEEE binary16 bit patterns.
  { datatype: 'FP16', typed: undefined, raw: pack(2, [0x3800, 0xc000, 0x7bff], (b, v: number, o) => b.writeUInt16LE(v, o)) },
  { datatype: 'FP32', typed: { fp32_contents: [0.5, -1.25, 3.4028234663852886e38] }, raw: pack(4, [0.5, -1.25, 3.4028234663852886e38], (b, v: number, o) => b.writeFloatLE(v, o)) },
  { datatype: 'FP64', typed: { fp64_contents: [0.1, -1e300, 5e-324] }, raw: pack(8, [0.1, -1e300, 5e-324], (b, v: number, o) => b.writeDoubleLE(v, o)) },
  { datatype: 'BYTES', typed: { bytes_contents: BYTES_ELEMENTS }, raw: lengthPrefixed(BYTES_ELEMENTS) },
];
