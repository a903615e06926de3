/**
 * @module
 * The ModelConfig descriptor, read at run time from proto/model_config.proto with protobufjs
 * reflection and flattened into plain objects, so the text converter, the validator and the
 * JSON printer walk one description of the message and never hard-code field lists.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { findProjectFile } from '../core/index.js';
import { InferenceError } from '../errors/index.js';
import type { ScalarType } from './scalar-values.js';

const PROTO_RELATIVE_PATH = join('proto', 'model_config.proto');

export interface EnumSchema {
  readonly fullName: string;
  readonly name: string;
  /** Value names in declaration order. */
  readonly names: readonly string[];
  readonly byName: ReadonlyMap<string, number>;
  readonly byNumber: ReadonlyMap<number, string>;
}

export type ValueSchema =
  | { readonly kind: 'scalar'; readonly scalar: ScalarType }
  | { readonly kind: 'enum'; readonly enumType: EnumSchema }
  | { readonly kind: 'message'; readonly message: MessageSchema };

export interface FieldSchema {
  readonly name: string;
  readonly number: number;
  readonly value: ValueSchema;
  readonly repeated: boolean;
  /** Key type of a map field; its value type is `value`. */
  readonly mapKey: ScalarType | undefined;
  /** Name of the oneof the field belongs to. */
  readonly oneof: string | undefined;
}

export interface MessageSchema {
  readonly fullName: string;
  readonly name: string;
  /** Declaration order, which is also the order /config prints fields in. */
  readonly fields: readonly FieldSchema[];
  readonly byName: ReadonlyMap<string, FieldSchema>;
  /** Old field names still accepted on input and renamed to the current one. */
  readonly aliases: ReadonlyMap<string, string>;
}

/**
 * Names Triton used in earlier releases for the same field number. Triton's ensemble
 * field 2 was published as max_inflight_responses before it became max_inflight_requests.
 */
const FIELD_ALIASES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'inference.ModelEnsembling': { max_inflight_responses: 'max_inflight_requests' },
};

const SCALARS = new Set<string>([
  'double', 'float', 'int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64',
  'fixed32', 'fixed64', 'sfixed32', 'sfixed64', 'bool', 'string', 'bytes',
]);

/**
 * Walks up from this compiled file (dist/src/config/ after tsc, src/config/ under a TS loader)
 * to the first folder holding proto/model_config.proto, i.e. the package root.
 */
export function findModelConfigProto(): string {
  return findProjectFile(PROTO_RELATIVE_PATH);
}

let cached: MessageSchema | undefined;

/** The `inference.ModelConfig` schema; loaded once, on first use. */
export function modelConfigSchema(): MessageSchema {
  cached ??= loadModelConfigSchema(readFileSync(findModelConfigProto(), 'utf8'));
  return cached;
}

/** Builds the schema from proto source; exported for tests of the loader. */
export function loadModelConfigSchema(protoSource: string): MessageSchema {
  // keepCase: protobufjs camelCases field names by default, but Triton's JSON uses the proto names.
  const root = protobuf.parse(protoSource, { keepCase: true }).root;
  root.resolveAll();
  const messages = new Map<string, MessageSchema>();
  const enums = new Map<string, EnumSchema>();
  return buildMessage(root.lookupType('inference.ModelConfig'), messages, enums);
}

function buildMessage(type: protobuf.Type, messages: Map<string, MessageSchema>, enums: Map<string, EnumSchema>): MessageSchema {
  const fullName = type.fullName.replace(/^\./, '');
  const known = messages.get(fullName);
  if (known) return known;
  const fields: FieldSchema[] = [];
  const byName = new Map<string, FieldSchema>();
  const schema: MessageSchema = { fullName, name: type.name, fields, byName, aliases: new Map(Object.entries(FIELD_ALIASES[fullName] ?? {})) };
  // Registered before the fields are built so that recursive messages terminate.
  messages.set(fullName, schema);
  for (const field of type.fieldsArray) {
    field.resolve();
    const isMap = field instanceof protobuf.MapField;
    const built: FieldSchema = {
      name: field.name,
      number: field.id,
      value: buildValue(field, messages, enums),
      repeated: field.repeated,
      mapKey: isMap ? scalarType(field.keyType) : undefined,
      oneof: field.partOf?.name,
    };
    fields.push(built);
    byName.set(built.name, built);
  }
  return schema;
}

function buildValue(field: protobuf.FieldBase, messages: Map<string, MessageSchema>, enums: Map<string, EnumSchema>): ValueSchema {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Type) return { kind: 'message', message: buildMessage(resolved, messages, enums) };
  if (resolved instanceof protobuf.Enum) return { kind: 'enum', enumType: buildEnum(resolved, enums) };
  return { kind: 'scalar', scalar: scalarType(field.type) };
}

function buildEnum(type: protobuf.Enum, enums: Map<string, EnumSchema>): EnumSchema {
  const fullName = type.fullName.replace(/^\./, '');
  const known = enums.get(fullName);
  if (known) return known;
  const entries = Object.entries(type.values);
  const schema: EnumSchema = {
    fullName,
    name: type.name,
    names: entries.map(([name]) => name),
    byName: new Map(entries),
    byNumber: new Map(entries.map(([name, value]) => [value, name])),
  };
  enums.set(fullName, schema);
  return schema;
}

/** The proto3 default of a non-message value: what an unset field reads as. */
export function protoDefault(schema: ValueSchema): unknown {
  if (schema.kind === 'message') return {};
  if (schema.kind === 'enum') return schema.enumType.names[0];
  if (schema.scalar === 'string' || schema.scalar === 'bytes') return '';
  return schema.scalar === 'bool' ? false : 0;
}

function scalarType(name: string): ScalarType {
  if (!SCALARS.has(name)) throw new InferenceError('ERR_INTERNAL', `model_config.proto uses unsupported scalar type "${name}"`);
  return name as ScalarType;
}
