import { modelConfigSchema, type MessageSchema } from './model-config-schema.js';

/**
 * A ModelConfig message as proto-loader decodes it with `oneofs: true`, minus the virtual
 * fields that name each oneof's set member (`version_policy.policy_choice: "latest"`), which
 * are not config fields and which strict validation would refuse.
 */
export function dropOneofMarkers(message: unknown): unknown {
  return strip(message, modelConfigSchema());
}

function strip(value: unknown, schema: MessageSchema): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const oneofs = new Set(schema.fields.map((f) => f.oneof).filter((name): name is string => name !== undefined));
  const result: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (oneofs.has(key)) continue;
    const field = schema.byName.get(key);
    if (field?.value.kind !== 'message') {
      result[key] = child;
      continue;
    }
    const message = field.value.message;
    if (field.mapKey !== undefined && child !== null && typeof child === 'object') {
      result[key] = Object.fromEntries(Object.entries(child as Record<string, unknown>).map(([k, v]) => [k, strip(v, message)]));
    } else {
      result[key] = Array.isArray(child) ? child.map((item) => strip(item, message)) : strip(child, message);
    }
  }
  return result;
}
