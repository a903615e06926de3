/**
 * @module
 * The config as GET /v2/models/{model}/config returns it: Triton's JSON printing of ModelConfig,
 * i.e. fields in proto declaration order, scalar, enum, list and map fields of every present
 * message printed even when they hold their default (Triton prints with
 * always_print_primitive_fields), unset sub-messages and oneof members left out, and 64-bit
 * integers as JSON numbers.
 */
import type { ModelConfig } from './model-config.js';
import { modelConfigSchema, protoDefault, type FieldSchema, type MessageSchema, type ValueSchema } from './model-config-schema.js';
import { isPlainObject, setOwn } from './model-config-structure.js';

/** A new, mutable JSON object; deterministic for a given config. */
export function modelConfigToJson(config: ModelConfig): Record<string, unknown> {
  return printMessage(config, modelConfigSchema());
}

function printMessage(value: unknown, schema: MessageSchema): Record<string, unknown> {
  const source = isPlainObject(value) ? value : {};
  const out: Record<string, unknown> = {};
  for (const field of schema.fields) {
    const present = Object.hasOwn(source, field.name) && source[field.name] !== undefined;
    if (present) out[field.name] = printField(field, source[field.name]);
    else if (field.oneof === undefined && (field.repeated || field.mapKey !== undefined)) out[field.name] = field.mapKey === undefined ? [] : {};
    else if (field.oneof === undefined && field.value.kind !== 'message') out[field.name] = protoDefault(field.value);
  }
  return out;
}

function printField(field: FieldSchema, value: unknown): unknown {
  if (field.mapKey !== undefined) {
    const out: Record<string, unknown> = {};
    for (const [key, entry] of Object.entries(isPlainObject(value) ? value : {})) setOwn(out, key, printValue(field.value, entry));
    return out;
  }
  if (field.repeated) return (Array.isArray(value) ? (value as unknown[]) : []).map((item) => printValue(field.value, item));
  return printValue(field.value, value);
}

function printValue(schema: ValueSchema, value: unknown): unknown {
  return schema.kind === 'message' ? printMessage(value, schema.message) : value;
}
