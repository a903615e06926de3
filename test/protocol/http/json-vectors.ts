// Test vectors shared by the request and response codec tests: for each datatype, the JSON
// `data` a client may send, the array it decodes to, and the canonical text the encoder writes.
import type { DataType, Tensor } from '../../../src/core/index.js';

export interface DataVector {
  readonly datatype: DataType;
  readonly sent: readonly unknown[];
  readonly decoded: Tensor['data'];
  /** The `data` text the encoders write for `decoded`. */
  readonly canonical: string;
  /** Where the request encoder differs: 64-bit integers beyond 2^53 as decimal strings. */
  readonly requestCanonical?: string;
}

const utf8 = new TextEncoder();

export const DATA_VECTORS: readonly DataVector[] = [
  { datatype: 'BOOL', sent: [true, false, true], decoded: Uint8Array.of(1, 0, 1), canonical: '[true,false,true]' },
  { datatype: 'UINT8', sent: [0, 255, 7], decoded: Uint8Array.of(0, 255, 7), canonical: '[0,255,7]' },
  { datatype: 'UINT16', sent: [0, 65535], decoded: Uint16Array.of(0, 65535), canonical: '[0,65535]' },
  { datatype: 'UINT32', sent: [0, 4294967295], decoded: Uint32Array.of(0, 4294967295), canonical: '[0,4294967295]' },
  {
    datatype: 'UINT64',
    sent: [0, 9007199254740991, '18446744073709551615'],
    decoded: BigUint64Array.of(0n, 9007199254740991n, 18446744073709551615n),
    canonical: '[0,9007199254740991,18446744073709551615]',
    requestCanonical: '[0,9007199254740991,"18446744073709551615"]',
  },
  { datatype: 'INT8', sent: [-128, 127, 0], decoded: Int8Array.of(-128, 127, 0), canonical: '[-128,127,0]' },
  { datatype: 'INT16', sent: [-32768, 32767], decoded: Int16Array.of(-32768, 32767), canonical: '[-32768,32767]' },
  { datatype: 'INT32', sent: [-2147483648, 2147483647], decoded: Int32Array.of(-2147483648, 2147483647), canonical: '[-2147483648,2147483647]' },
  {
    datatype: 'INT64',
    sent: ['-9223372036854775808', -9007199254740991, 42, '9223372036854775807'],
    decoded: BigInt64Array.of(-9223372036854775808n, -9007199254740991n, 42n, 9223372036854775807n),
    canonical: '[-9223372036854775808,-9007199254740991,42,9223372036854775807]',
    requestCanonical: '["-9223372036854775808",-9007199254740991,42,"9223372036854775807"]',
  },
  {
    datatype: 'FP16',
    sent: [0.1, -2, 65504, 'NaN', 'Infinity', '-Infinity', -0, 5.960464477539063e-8],
    decoded: Uint16Array.of(0x2e66, 0xc000, 0x7bff, 0x7e00, 0x7c00, 0xfc00, 0x8000, 0x0001),
    // The values the bits hold, not the shortest decimals that round back (0.1, 65500, 6e-8).
    canonical: '[0.0999755859375,-2,65504,"NaN","Infinity","-Infinity",-0,5.960464477539063e-8]',
  },
  {
    datatype: 'BF16',
    sent: [0.1, 1, -3.5, 'NaN', 3.3895313892515355e38],
    decoded: Uint16Array.of(0x3dcd, 0x3f80, 0xc060, 0x7fc0, 0x7f7f),
    canonical: '[0.10009765625,1,-3.5,"NaN",3.3895313892515355e+38]',
  },
  {
    datatype: 'FP32',
    sent: [0.1, -1.5, 3.4028234663852886e38, 1e-45, 'NaN', '-Infinity', -0, 16777216, 123456.789, 1 / 3, 1e-7, 1e21, 0.000001],
    decoded: Float32Array.of(0.1, -1.5, 3.4028234663852886e38, 1e-45, NaN, -Infinity, -0, 16777216, 123456.789, 1 / 3, 1e-7, 1e21, 0.000001),
    canonical: '[0.1,-1.5,3.4028235e+38,1e-45,"NaN","-Infinity",-0,16777216,123456.79,0.33333334,1e-7,1e+21,0.000001]',
  },
  {
    datatype: 'FP64',
    sent: [0.1, -0, 1e308, 5e-324, 'Infinity', 'NaN'],
    decoded: Float64Array.of(0.1, -0, 1e308, 5e-324, Infinity, NaN),
    canonical: '[0.1,-0,1e+308,5e-324,"Infinity","NaN"]',
  },
  {
    datatype: 'BYTES',
    sent: ['', 'héllo', '日本', '😀', 'a"b\\c\n'],
    decoded: ['', 'héllo', '日本', '😀', 'a"b\\c\n'].map((s) => utf8.encode(s)),
    canonical: '["","héllo","日本","😀","a\\"b\\\\c\\n"]',
  },
];

/** A request body with one input, for error-case tests. */
export function oneInput(input: Record<string, unknown>): unknown {
  return { inputs: [{ name: 'x', shape: [1], datatype: 'FP32', data: [1], ...input }] };
}
