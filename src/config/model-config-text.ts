/**
 * @module
 * Writes a model configuration in protobuf text format (config.pbtxt), walking the same proto
 * descriptor the reader uses, so enums print bare, strings quoted, maps as key/value entries and
 * 64-bit integers exactly. parseModelConfigText(modelConfigToText(c)) gives c back.
 */
import type { ModelConfig } from './model-config.js';
import { modelConfigSchema, type FieldSchema, type MessageSchema, type ValueSchema } from './model-config-schema.js';

const INDENT = '  ';

/** The config as config.pbtxt text, fields in proto declaration order. */
export function modelConfigToText(config: ModelConfig): string {
  return messageBody(config as Record<string, unknown>, modelConfigSchema(), '').join('\n') + '\n';
}

function messageBody(message: Record<string, unknown>, schema: MessageSchema, indent: string): string[] {
  const lines: string[] = [];
  for (const field of schema.fields) {
    const value = message[field.name];
    if (value === undefined || value === null) continue;
    lines.push(...fieldLines(field, value, indent));
  }
  return lines;
}

function fieldLines(field: FieldSchema, value: unknown, indent: string): string[] {
  if (field.mapKey !== undefined) {
    return Object.entries(value as Record<string, unknown>).flatMap(([key, entry]) => [
      `${indent}${field.name} {`,
      `${indent}${INDENT}key: ${scalarText(key, field.mapKey === 'string' ? 'string' : 'number')}`,
      ...valueLines('value', field.value, entry, indent + INDENT),
      `${indent}}`,
    ]);
  }
  if (field.repeated) {
    const items = value as unknown[];
    if (items.length === 0) return [];
    if (field.value.kind === 'message') {
      const schema = field.value.message;
      return [
        `${indent}${field.name} [`,
        ...items.flatMap((item, i) => [
          `${indent}${INDENT}{`,
          ...messageBody(item as Record<string, unknown>, schema, indent + INDENT + INDENT),
          `${indent}${INDENT}}${i < items.length - 1 ? ',' : ''}`,
        ]),
        `${indent}]`,
      ];
    }
    return [`${indent}${field.name}: [ ${items.map((item) => leafText(field.value, item)).join(', ')} ]`];
  }
  return valueLines(field.name, field.value, value, indent);
}

function valueLines(name: string, schema: ValueSchema, value: unknown, indent: string): string[] {
  if (schema.kind === 'message') return [`${indent}${name} {`, ...messageBody(value as Record<string, unknown>, schema.message, indent + INDENT), `${indent}}`];
  return [`${indent}${name}: ${leafText(schema, value)}`];
}

function leafText(schema: ValueSchema, value: unknown): string {
  if (schema.kind === 'enum') return String(value);
  return scalarText(value, schema.kind === 'scalar' && (schema.scalar === 'string' || schema.scalar === 'bytes') ? 'string' : 'number');
}

function scalarText(value: unknown, as: 'string' | 'number'): string {
  if (as === 'string') return JSON.stringify(String(value));
  // 64-bit integers arrive as numeric strings or bigints; both print as bare digits.
  return String(value);
}
