/**
 * @module
 * Loads Wharf's ONNX schema (proto/onnx.proto) with protobufjs at run time. The schema is read
 * from disk rather than compiled into code so that the .proto file stays the single source of truth.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
// protobufjs is CommonJS and assigns its API at run time, which Node's named-export detection
// cannot see: only the default import is reliable from ESM.
import protobuf from 'protobufjs';

const SCHEMA_FILE = join('proto', 'onnx.proto');

export interface OnnxSchema {
  readonly root: protobuf.Root;
  readonly modelType: protobuf.Type;
  /** TensorProto.DataType: element type number -> name (`1` -> `FLOAT`), for messages. */
  readonly elementTypeNames: Readonly<Record<number, string>>;
}

/**
 * Finds proto/onnx.proto by walking up from this file. The walk works both from src/tools/onnx/
 * (ts sources) and from dist/src/tools/onnx/ (compiled), and from an installed package, whose
 * `files` ship `proto/` next to `dist/`.
 */
export function findSchemaFile(start: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const candidate = join(dir, SCHEMA_FILE);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new Error(`cannot find ${SCHEMA_FILE} in ${start} or any folder above it`);
  }
}

let cached: OnnxSchema | undefined;

/** The parsed schema, loaded once on first use (synchronously: it is a small local file). */
export function onnxSchema(): OnnxSchema {
  if (cached === undefined) {
    const root = protobuf.loadSync(findSchemaFile());
    cached = Object.freeze({
      root,
      modelType: root.lookupType('onnx.ModelProto'),
      elementTypeNames: Object.freeze({ ...root.lookupEnum('onnx.TensorProto.DataType').valuesById }),
    });
  }
  return cached;
}

/** `14` -> `14 (COMPLEX64)`: element types in messages are easier to act on with their names. */
export function describeElementType(elementType: number | undefined): string {
  if (elementType === undefined) return 'no element type';
  const name = onnxSchema().elementTypeNames[elementType];
  return name === undefined ? `element type ${elementType}` : `element type ${elementType} (${name})`;
}
