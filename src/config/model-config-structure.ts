/**
 * @module
 * Structural check of the JSON form against the descriptor: every field known, every value of
 * the right type and range, enums spelled as Triton spells them, at most one member per oneof.
 * Produces a normalized copy (64-bit integers given as strings become numbers, enum numbers
 * become names, old field names become current ones, null means unset) and drops what is invalid,
 * reporting it, so that later checks see only well-typed values.
 */
import { didYouMean, fieldPath, indexPath, keyPath, type ProblemList } from './config-problems.js';
import type { EnumSchema, FieldSchema, MessageSchema, ValueSchema } from './model-config-schema.js';
import { checkFloat, checkInteger, describeScalarType, isFloatType, isIntegerType, isWideIntegerType, type ScalarType } from './scalar-values.js';

type JsonObject = Record<string, unknown>;
type ScalarValue = string | number | boolean;
/** A value that failed its check; never a valid scalar, so it is told apart by typeof. */
type Invalid = { readonly problem: string };

export function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Defines an own property even for keys such as "__proto__", which plain assignment would not. */
export function setOwn(target: JsonObject, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

export function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `string ${JSON.stringify(value)}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${value}`;
  return typeof value;
}

export function unknownFieldProblem(schema: MessageSchema, name: string): string {
  const names = schema.fields.map((f) => f.name);
  const suggestion = didYouMean(name, names);
  return suggestion === undefined
    ? `unknown field; ${schema.name} has ${names.join(', ')}`
    : `unknown field (did you mean ${suggestion}?)`;
}

const DATA_TYPE_ENUM = 'inference.DataType';
// Datatype names from numpy, ONNX and KServe that users write instead of Triton's TYPE_* names.
const DATA_TYPE_SYNONYMS: Readonly<Record<string, string>> = {
  FLOAT: 'TYPE_FP32', FLOAT32: 'TYPE_FP32', FLOAT16: 'TYPE_FP16', HALF: 'TYPE_FP16', DOUBLE: 'TYPE_FP64', FLOAT64: 'TYPE_FP64',
  BFLOAT16: 'TYPE_BF16', INT: 'TYPE_INT32', LONG: 'TYPE_INT64', BYTES: 'TYPE_STRING', STR: 'TYPE_STRING',
};

export function enumProblem(enumType: EnumSchema, value: string): string {
  const label = enumType.fullName === DATA_TYPE_ENUM ? 'datatype' : `${enumType.fullName.replace(/^inference\./, '')} value`;
  // TYPE_INVALID is the proto3 zero value, never a valid choice, so it is not offered.
  const offered = enumType.names.filter((n) => !n.endsWith('_INVALID'));
  const hint = enumHint(enumType, value, offered);
  return `${JSON.stringify(value)} is not a ${label}; ${hint === undefined ? '' : `did you mean ${hint}? `}expected one of ${offered.join(', ')}`;
}

function enumHint(enumType: EnumSchema, value: string, offered: readonly string[]): string | undefined {
  if (enumType.fullName === DATA_TYPE_ENUM) {
    const bare = value.toUpperCase().replace(/^TYPE_/, '');
    const synonym = DATA_TYPE_SYNONYMS[bare];
    if (synonym !== undefined) return synonym;
    if (enumType.byName.has(`TYPE_${bare}`)) return `TYPE_${bare}`;
  }
  if (enumType.byName.has(value.toUpperCase())) return value.toUpperCase();
  return didYouMean(value, offered);
}

/** Normalizes one message object; undefined (with a problem) when `value` is not an object. */
export function normalizeMessage(value: unknown, schema: MessageSchema, path: string, problems: ProblemList): JsonObject | undefined {
  if (!isPlainObject(value)) {
    problems.add(path, `expected an object (${schema.name})${messageHint(schema)}, got ${describeJson(value)}`);
    return undefined;
  }
  const out: JsonObject = {};
  const oneofs = new Map<string, string>();
  const given = new Map<string, unknown>();
  for (const [key, fieldValue] of Object.entries(value)) {
    const name = schema.aliases.get(key) ?? key;
    const field = schema.byName.get(name);
    const path_ = fieldPath(path, key);
    if (field === undefined) {
      problems.add(path_, unknownFieldProblem(schema, key));
      continue;
    }
    if (given.has(name)) {
      problems.add(path_, `given twice (as ${key} and as ${name})`);
      continue;
    }
    given.set(name, fieldValue);
    if (fieldValue === null) continue;
    if (field.oneof !== undefined) {
      const other = oneofs.get(field.oneof);
      if (other !== undefined) {
        problems.add(path_, `only one of ${oneofMembers(schema, field.oneof)} may be set, and ${other} is already set`);
        continue;
      }
      oneofs.set(field.oneof, name);
    }
    const normalized = normalizeField(field, fieldValue, fieldPath(path, name), problems);
    if (normalized !== undefined) out[name] = normalized;
  }
  // Descriptor order, so that equal configs normalize to identically ordered objects.
  const ordered: JsonObject = {};
  for (const field of schema.fields) if (Object.hasOwn(out, field.name)) ordered[field.name] = out[field.name];
  return ordered;
}

export function oneofMembers(schema: MessageSchema, oneof: string): string {
  return schema.fields.filter((f) => f.oneof === oneof).map((f) => f.name).join(', ');
}

function messageHint(schema: MessageSchema): string {
  const only = schema.fields.length === 1 ? schema.fields[0] : undefined;
  return only !== undefined && only.value.kind === 'scalar' ? `, written { ${only.name}: ... }` : '';
}

function normalizeField(field: FieldSchema, value: unknown, path: string, problems: ProblemList): unknown {
  if (field.mapKey !== undefined) {
    if (!isPlainObject(value)) {
      problems.add(path, `expected an object mapping keys to values, got ${describeJson(value)}`);
      return undefined;
    }
    const out: JsonObject = {};
    for (const [key, entry] of Object.entries(value)) {
      const normalizedKey = normalizeMapKey(field.mapKey, key);
      if (typeof normalizedKey !== 'string') {
        problems.add(keyPath(path, key), normalizedKey.problem);
        continue;
      }
      const normalized = normalizeValue(field.value, entry, keyPath(path, normalizedKey), problems);
      if (normalized !== undefined) setOwn(out, normalizedKey, normalized);
    }
    return out;
  }
  if (field.repeated) {
    if (!Array.isArray(value)) {
      problems.add(path, `expected a list, got ${describeJson(value)}`);
      return undefined;
    }
    const items: unknown[] = [];
    value.forEach((item: unknown, i) => {
      const normalized = normalizeValue(field.value, item, indexPath(path, i), problems);
      if (normalized !== undefined) items.push(normalized);
    });
    return items;
  }
  return normalizeValue(field.value, value, path, problems);
}

export function normalizeMapKey(type: ScalarType, key: string): string | { problem: string } {
  if (type === 'string') return key;
  if (type === 'bool') return key === 'true' || key === 'false' ? key : { problem: 'map key must be true or false' };
  if (!/^-?\d+$/.test(key)) return { problem: `map key must be ${describeScalarType(type)}` };
  const checked = checkInteger(type, BigInt(key));
  return typeof checked === 'number' ? String(checked) : checked;
}

function normalizeValue(schema: ValueSchema, value: unknown, path: string, problems: ProblemList): unknown {
  if (schema.kind === 'message') return normalizeMessage(value, schema.message, path, problems);
  const result = schema.kind === 'enum' ? normalizeEnum(schema.enumType, value) : normalizeScalar(schema.scalar, value);
  if (typeof result === 'object') {
    problems.add(path, result.problem);
    return undefined;
  }
  return result;
}

function normalizeEnum(enumType: EnumSchema, value: unknown): ScalarValue | Invalid {
  if (typeof value === 'string') return enumType.byName.has(value) ? value : { problem: enumProblem(enumType, value) };
  const name = typeof value === 'number' ? enumType.byNumber.get(value) : undefined;
  if (name !== undefined) return name;
  return { problem: `expected a ${enumType.name} name such as ${enumType.names[1] ?? enumType.names[0]}, got ${describeJson(value)}` };
}

function normalizeScalar(type: ScalarType, value: unknown): ScalarValue | Invalid {
  const expected = describeScalarType(type);
  if (type === 'string' || type === 'bytes') return typeof value === 'string' ? value : { problem: `expected ${expected}, got ${describeJson(value)}` };
  if (type === 'bool') return typeof value === 'boolean' ? value : { problem: `expected ${expected}, got ${describeJson(value)}` };
  if (isFloatType(type)) {
    if (typeof value === 'number') return checkFloat(type, value);
    // Protobuf's JSON mapping spells the non-finite floats as strings.
    const special: Readonly<Record<string, number>> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };
    const named = typeof value === 'string' && Object.hasOwn(special, value) ? special[value] : undefined;
    if (named !== undefined) return named;
    return { problem: `expected ${expected}, got ${describeJson(value)}` };
  }
  if (isIntegerType(type)) {
    if (typeof value === 'number') {
      if (!Number.isInteger(value)) return { problem: `expected ${expected}, got ${describeJson(value)}` };
      return checkInteger(type, BigInt(value));
    }
    // Protobuf's JSON mapping writes 64-bit integers as strings; accept them and store numbers.
    if (typeof value === 'string' && isWideIntegerType(type) && /^-?(0|[1-9]\d*)$/.test(value)) return checkInteger(type, BigInt(value));
    const unquote = typeof value === 'string' && /^-?\d+$/.test(value) ? ` (write ${value} without quotes)` : '';
    return { problem: `expected ${expected}, got ${describeJson(value)}${unquote}` };
  }
  return { problem: `unsupported field type ${type}` };
}
