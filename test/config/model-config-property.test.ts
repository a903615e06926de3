import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { modelConfigToJson, parseModelConfigText, validateModelConfig, type ConfigDataType } from '../../src/config/index.js';

const DATA_TYPES: readonly ConfigDataType[] = [
  'TYPE_BOOL', 'TYPE_UINT8', 'TYPE_UINT16', 'TYPE_UINT32', 'TYPE_UINT64', 'TYPE_INT8', 'TYPE_INT16', 'TYPE_INT32', 'TYPE_INT64',
  'TYPE_FP16', 'TYPE_FP32', 'TYPE_FP64', 'TYPE_STRING', 'TYPE_BF16',
];

const text = fc.string({ maxLength: 12, unit: 'grapheme' });
const name = fc.string({ minLength: 1, maxLength: 12, unit: 'grapheme' });
const dim = fc.oneof(fc.integer({ min: -1, max: 64 }), fc.maxSafeNat());
const dims = fc.array(dim, { minLength: 1, maxLength: 4 });
const uint32 = fc.integer({ min: 0, max: 2 ** 32 - 1 });

const input = fc.record({
  name, data_type: fc.constantFrom(...DATA_TYPES), dims, optional: fc.boolean(), allow_ragged_batch: fc.boolean(),
}, { requiredKeys: ['name', 'data_type', 'dims'] });
const output = fc.record({ name, data_type: fc.constantFrom(...DATA_TYPES), dims, label_filename: text }, { requiredKeys: ['name', 'data_type', 'dims'] });
const uniqueByName = <T extends { name: string }>(item: fc.Arbitrary<T>): fc.Arbitrary<T[]> => fc.uniqueArray(item, { selector: (t) => t.name, maxLength: 4 });

const queuePolicy = fc.record({
  timeout_action: fc.constantFrom('REJECT', 'DELAY'),
  default_timeout_microseconds: fc.maxSafeNat(),
  allow_timeout_override: fc.boolean(),
  max_queue_size: uint32,
}, { requiredKeys: [] });

/** Priority settings only hold together: levels, a default level among them, policies keyed by them. */
const priorities = fc.integer({ min: 0, max: 3 }).chain((levels) => (levels === 0 ? fc.constant({}) : fc.record({
  priority_levels: fc.constant(levels),
  default_priority_level: fc.integer({ min: 1, max: levels }),
  priority_queue_policy: fc.dictionary(fc.integer({ min: 1, max: levels }).map(String), queuePolicy, { maxKeys: levels }),
})));

const dynamicBatching = (mbs: number) => fc.tuple(fc.record({
  preferred_batch_size: fc.uniqueArray(fc.integer({ min: 1, max: mbs }), { maxLength: 3 }),
  max_queue_delay_microseconds: fc.maxSafeNat(),
  preserve_ordering: fc.boolean(),
  default_queue_policy: queuePolicy,
}, { requiredKeys: [] }), priorities).map(([batching, priority]) => ({ ...batching, ...priority }));

const versionPolicy = fc.oneof(
  fc.record({ latest: fc.record({ num_versions: fc.integer({ min: 1, max: 5 }) }) }),
  fc.constant({ all: {} }),
  fc.record({ specific: fc.record({ versions: fc.uniqueArray(fc.integer({ min: 1, max: 1_000_000 }), { maxLength: 4 }) }) }),
);

const instanceGroup = fc.record({
  name: text, kind: fc.constantFrom('KIND_AUTO', 'KIND_CPU', 'KIND_MODEL'), count: fc.integer({ min: 0, max: 8 }), passive: fc.boolean(),
}, { requiredKeys: [] });

const warmup = (mbs: number) => fc.record({
  name: text,
  batch_size: fc.integer({ min: 1, max: Math.max(1, mbs) }),
  count: uint32,
  inputs: fc.dictionary(name, fc.record({
    data_type: fc.constantFrom(...DATA_TYPES),
    dims: fc.array(dim, { maxLength: 3 }),
  }).chain((base) => fc.oneof(
    fc.constant({ ...base, zero_data: true }),
    fc.constant({ ...base, random_data: true }),
    text.map((file) => ({ ...base, input_data_file: file })),
  )), { maxKeys: 3 }),
}, { requiredKeys: ['batch_size'] });

/** Valid configs: every rule of the validator holds by construction. */
const validConfig = fc.integer({ min: 0, max: 64 }).chain((mbs) => fc.record({
  name,
  platform: fc.constantFrom('onnxruntime_onnx', 'tensorrt_plan'),
  backend: text,
  max_batch_size: fc.constant(mbs),
  version_policy: versionPolicy,
  input: uniqueByName(input),
  output: uniqueByName(output),
  ...(mbs > 0 ? { dynamic_batching: dynamicBatching(mbs) } : {}),
  instance_group: fc.array(instanceGroup, { maxLength: 3 }),
  parameters: fc.dictionary(text, fc.record({ string_value: text }), { maxKeys: 4 }),
  model_warmup: fc.array(warmup(mbs), { maxLength: 2 }),
  response_cache: fc.record({ enable: fc.boolean() }),
}, { requiredKeys: ['max_batch_size'] }));

const ENUM_FIELDS = new Set(['data_type', 'kind', 'timeout_action']);
const INTEGER_KEYED_MAPS = new Set(['priority_queue_policy']);
const MAP_FIELDS = new Set(['parameters', 'priority_queue_policy', 'inputs']);

/** A small protobuf text printer for the fields the generator uses, to check pbtxt and JSON agree. */
function toText(message: Record<string, unknown>): string {
  return Object.entries(message).map(([field, value]) => {
    if (MAP_FIELDS.has(field)) {
      return Object.entries(value as Record<string, unknown>).map(([key, entry]) => {
        const keyText = INTEGER_KEYED_MAPS.has(field) ? key : JSON.stringify(key);
        return `${field} { key: ${keyText} value: { ${toText(entry as Record<string, unknown>)} } }`;
      }).join('\n');
    }
    if (Array.isArray(value)) {
      const items = value.map((item: unknown) => (typeof item === 'object' ? `{ ${toText(item as Record<string, unknown>)} }` : scalar(field, item)));
      return typeof value[0] === 'object' ? `${field} [ ${items.join(', ')} ]` : `${field}: [ ${items.join(', ')} ]`;
    }
    if (typeof value === 'object' && value !== null) return `${field} { ${toText(value as Record<string, unknown>)} }`;
    return `${field}: ${scalar(field, value)}`;
  }).join('\n');
}

/** The text format cannot write an empty map (it is just absent), so the JSON form drops them to compare. */
function withoutEmptyMaps(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutEmptyMaps);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (MAP_FIELDS.has(key) && Object.keys(entry as object).length === 0) continue;
    Object.defineProperty(out, key, { value: withoutEmptyMaps(entry), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function scalar(field: string, value: unknown): string {
  if (typeof value === 'string') return ENUM_FIELDS.has(field) ? value : JSON.stringify(value);
  return String(value);
}

describe('property: valid configs', () => {
  it('survive JSON -> validate unchanged', () => {
    fc.assert(fc.property(validConfig, (config) => {
      // Through JSON text, as a config.json would arrive; this also gives plain prototypes to compare with.
      const json = JSON.parse(JSON.stringify(config)) as unknown;
      assert.deepEqual(validateModelConfig(json, 'property.json'), json);
    }), { numRuns: 300 });
  });

  it('read the same from pbtxt as from JSON', () => {
    fc.assert(fc.property(validConfig, (config) => {
      const printed = toText(config);
      assert.deepEqual(parseModelConfigText(printed, 'property.pbtxt'), withoutEmptyMaps(validateModelConfig(config, 'property.json')), printed);
    }), { numRuns: 300 });
  });

  it('survive modelConfigToJson -> validate with the same printed form', () => {
    fc.assert(fc.property(validConfig, (config) => {
      const printed = modelConfigToJson(validateModelConfig(config, 'property.json'));
      assert.deepEqual(modelConfigToJson(validateModelConfig(JSON.parse(JSON.stringify(printed)), 'printed.json')), printed);
    }), { numRuns: 200 });
  });
});
