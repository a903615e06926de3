/**
 * @module
 * Loads Wharf's ONNX schema (proto/onnx.proto) with protobufjs at run time. The schema is read
 * from disk rather than compiled into code so that the .proto file stays the single source of truth.
 */
import { join } from 'node:path';
import { findProjectFile } from '../../core/index.js';
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

/** Where proto/onnx.proto is, in a clone or an installed package. */
export function findSchemaFile(): string {
  return findProjectFile(SCHEMA_FILE);
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
