/**
 * @module
 * Text-format syntax tree -> the JSON form, guided by the descriptor: the descriptor says
 * whether a field is repeated, a map or a message, and how its scalars are typed. Problems the
 * text form alone can have (a singular field given twice, a list for a singular field, a
 * malformed map entry, an unquoted string) are reported here with their line and column; the
 * JSON validator then checks the result like any config.json.
 */
import { didYouMean, fieldPath, indexPath, keyPath, type ProblemList } from './config-problems.js';
import { protoDefault, type FieldSchema, type MessageSchema, type ValueSchema } from './model-config-schema.js';
import { enumProblem, normalizeMapKey, setOwn, unknownFieldProblem } from './model-config-structure.js';
import { checkFloat, checkInteger, describeScalarType, isFloatType, isIntegerType, type ScalarType } from './scalar-values.js';
import type { Position, TextMessage, TextScalar, TextValue } from './text-format-parser.js';

type JsonObject = Record<string, unknown>;

const at = (position: Position): string => ` (line ${position.line}, column ${position.column})`;

export function textToJson(document: TextMessage, schema: MessageSchema, problems: ProblemList): JsonObject {
  return convertMessage(document, schema, '', problems);
}

function convertMessage(message: TextMessage, schema: MessageSchema, path: string, problems: ProblemList): JsonObject {
  const out: JsonObject = {};
  const firstSeen = new Map<string, Position>();
  const counts = new Map<string, number>();
  for (const entry of message.fields) {
    const name = schema.aliases.get(entry.name) ?? entry.name;
    const field = schema.byName.get(name);
    const path_ = fieldPath(path, entry.name);
    if (field === undefined) {
      problems.add(path_, unknownFieldProblem(schema, entry.name) + at(entry.at));
      continue;
    }
    const items = entry.value.kind === 'list' ? entry.value.items : [entry.value];
    if (field.mapKey !== undefined) {
      const map = (out[name] ??= {}) as JsonObject;
      for (const item of items) convertMapEntry(field, field.mapKey, item, map, fieldPath(path, name), problems);
      continue;
    }
    if (field.repeated) {
      const list = (out[name] ??= []) as unknown[];
      for (const item of items) {
        const index = counts.get(name) ?? 0;
        counts.set(name, index + 1);
        const value = convertValue(field.value, item, indexPath(fieldPath(path, name), index), problems);
        if (value !== undefined) list.push(value);
      }
      continue;
    }
    if (entry.value.kind === 'list') {
      problems.add(path_, `is a single value, not a list${at(entry.at)}`);
      continue;
    }
    const first = firstSeen.get(name);
    if (first !== undefined) {
      problems.add(path_, `given twice (first at line ${first.line}); only repeated fields may appear more than once${at(entry.at)}`);
      continue;
    }
    firstSeen.set(name, entry.at);
    const value = convertValue(field.value, entry.value, fieldPath(path, name), problems);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** A map entry is written as a message `{ key: ... value: ... }`; several entries build the map. */
function convertMapEntry(
  field: FieldSchema, keyType: ScalarType, item: TextScalar | TextMessage, map: JsonObject, path: string, problems: ProblemList,
): void {
  if (item.kind !== 'message') {
    problems.add(path, `expected map entries written { key: ... value: ... }, got ${describe(item)}${at(item.at)}`);
    return;
  }
  let key: TextScalar | undefined;
  let value: TextValue | undefined;
  let malformed = false;
  for (const part of item.fields) {
    const seen = part.name === 'key' ? key : part.name === 'value' ? value : undefined;
    if (part.name !== 'key' && part.name !== 'value') {
      const hint = didYouMean(part.name, ['key', 'value']);
      problems.add(fieldPath(path, part.name), `a map entry has only key and value${hint === undefined ? '' : ` (did you mean ${hint}?)`}${at(part.at)}`);
      malformed = true;
    } else if (seen !== undefined) {
      problems.add(fieldPath(path, part.name), `given twice in one map entry${at(part.at)}`);
      malformed = true;
    } else if (part.name === 'key') {
      if (part.value.kind !== 'message' && part.value.kind !== 'list') key = part.value;
      else problems.add(fieldPath(path, 'key'), `expected ${describeScalarType(keyType)}, got ${describe(part.value)}${at(part.at)}`);
    } else {
      value = part.value;
    }
  }
  if (key === undefined) {
    problems.add(path, `map entry without a key${at(item.at)}`);
    return;
  }
  // The entry's problems are reported above; adding half of it would only cause follow-up reports.
  if (malformed) return;
  const rawKey = convertScalar(keyType, key, fieldPath(path, 'key'), problems);
  if (rawKey === undefined) return;
  const normalizedKey = normalizeMapKey(keyType, String(rawKey));
  if (typeof normalizedKey !== 'string') {
    problems.add(keyPath(path, String(rawKey)), normalizedKey.problem + at(key.at));
    return;
  }
  const entryPath = keyPath(path, normalizedKey);
  if (Object.hasOwn(map, normalizedKey)) {
    problems.add(entryPath, `key given twice${at(key.at)}`);
    return;
  }
  if (value?.kind === 'list') {
    problems.add(entryPath, `a map value is a single value, not a list${at(value.at)}`);
    return;
  }
  const converted = value === undefined ? protoDefault(field.value) : convertValue(field.value, value, entryPath, problems);
  if (converted !== undefined) setOwn(map, normalizedKey, converted);
}

function convertValue(schema: ValueSchema, value: TextScalar | TextMessage, path: string, problems: ProblemList): unknown {
  if (schema.kind === 'message') {
    if (value.kind === 'message') return convertMessage(value, schema.message, path, problems);
    problems.add(path, `expected a message { ... } (${schema.message.name}), got ${describe(value)}${at(value.at)}`);
    return undefined;
  }
  if (value.kind === 'message') {
    const expected = schema.kind === 'enum' ? `a ${schema.enumType.name} name` : describeScalarType(schema.scalar);
    problems.add(path, `expected ${expected}, got a message { ... }${at(value.at)}`);
    return undefined;
  }
  if (schema.kind === 'scalar') return convertScalar(schema.scalar, value, path, problems);
  const enumType = schema.enumType;
  if (value.kind === 'identifier' && !value.negative) {
    if (enumType.byName.has(value.name)) return value.name;
    problems.add(path, enumProblem(enumType, value.name) + at(value.at));
    return undefined;
  }
  const number = value.kind === 'number' ? parseInteger(value) : undefined;
  if (number !== undefined && enumType.byNumber.has(Number(number))) return enumType.byNumber.get(Number(number));
  problems.add(path, value.kind === 'string'
    ? `${enumProblem(enumType, value.value)}; enum values are written without quotes${at(value.at)}`
    : `expected a ${enumType.name} name such as ${enumType.names[1] ?? enumType.names[0]}, got ${describe(value)}${at(value.at)}`);
  return undefined;
}

function convertScalar(type: ScalarType, value: TextScalar, path: string, problems: ProblemList): string | number | boolean | undefined {
  const fail = (): undefined => {
    const unquote = value.kind === 'string' && /^-?\d+(\.\d*)?$/.test(value.value) ? ` (write ${value.value} without quotes)` : '';
    problems.add(path, `expected ${describeScalarType(type)}, got ${describe(value)}${unquote}${at(value.at)}`);
    return undefined;
  };
  if (type === 'string' || type === 'bytes') return value.kind === 'string' ? value.value : fail();
  if (type === 'bool') {
    if (value.kind === 'identifier' && !value.negative && ['true', 'True', 't'].includes(value.name)) return true;
    if (value.kind === 'identifier' && !value.negative && ['false', 'False', 'f'].includes(value.name)) return false;
    if (value.kind === 'number' && !value.negative && (value.literal === '0' || value.literal === '1')) return value.literal === '1';
    return fail();
  }
  const checked = isIntegerType(type) ? integerValue(type, value) : isFloatType(type) ? floatValue(type, value) : undefined;
  if (checked === undefined) return fail();
  if (typeof checked === 'number') return checked;
  problems.add(path, checked.problem + at(value.at));
  return undefined;
}

function integerValue(type: ScalarType, value: TextScalar): number | { problem: string } | undefined {
  if (value.kind !== 'number') return undefined;
  const parsed = parseInteger(value);
  return parsed === undefined ? undefined : checkInteger(type, parsed);
}

function floatValue(type: ScalarType, value: TextScalar): number | { problem: string } | undefined {
  const sign = value.kind !== 'string' && value.negative ? -1 : 1;
  if (value.kind === 'identifier') {
    const word = value.name.toLowerCase();
    if (word === 'inf' || word === 'infinity') return sign * Infinity;
    return word === 'nan' ? NaN : undefined;
  }
  if (value.kind !== 'number') return undefined;
  const integer = parseInteger({ ...value, negative: false });
  const magnitude = integer === undefined ? Number.parseFloat(value.literal.replace(/[fF]$/, '')) : Number(integer);
  return checkFloat(type, sign * magnitude);
}

/** Integer literals follow C: 0x hex, a leading 0 for octal. Undefined for float literals. */
function parseInteger(value: Extract<TextScalar, { kind: 'number' }>): bigint | undefined {
  const literal = value.literal;
  let magnitude: bigint;
  if (/^0[xX][0-9a-fA-F]+$/.test(literal)) magnitude = BigInt(literal);
  else if (/^0[0-7]+$/.test(literal)) magnitude = BigInt(`0o${literal.slice(1)}`);
  else if (/^(0|[1-9][0-9]*)$/.test(literal)) magnitude = BigInt(literal);
  else return undefined;
  return value.negative ? -magnitude : magnitude;
}

function describe(value: TextValue): string {
  switch (value.kind) {
    case 'string': return `string ${JSON.stringify(value.value)}`;
    case 'number': return `${value.negative ? '-' : ''}${value.literal}`;
    case 'identifier': return `${value.negative ? '-' : ''}${value.name}`;
    case 'message': return 'a message { ... }';
    case 'list': return 'a list [ ... ]';
  }
}
