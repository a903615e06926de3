import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkConfigSupport, type ModelConfig } from '../../src/config/index.js';

describe('checkConfigSupport', () => {
  it('accepts what Wharf implements', () => {
    const config: ModelConfig = { max_batch_size: 8, dynamic_batching: {}, instance_group: [{ kind: 'KIND_CPU', count: 2 }], model_warmup: [], parameters: {} };
    assert.deepEqual(checkConfigSupport(config), { refused: [], ignored: [] });
  });

  it('refuses features whose absence would change answers', () => {
    const config = { sequence_batching: {}, model_transaction_policy: { decoupled: true }, batch_input: [{}], batch_output: [{}] } as ModelConfig;
    assert.deepEqual(checkConfigSupport(config).refused.map((f) => f.field), ['sequence_batching', 'model_transaction_policy.decoupled', 'batch_input', 'batch_output']);
  });

  it('accepts and reports hardware and speed settings it cannot apply', () => {
    const config = { instance_group: [{ kind: 'KIND_GPU', rate_limiter: {} }], optimization: {}, response_cache: { enable: true }, model_repository_agents: {}, model_operations: {}, metric_tags: {} } as ModelConfig;
    const support = checkConfigSupport(config);
    assert.deepEqual(support.refused, []);
    assert.deepEqual(support.ignored.map((f) => f.field), ['instance_group.kind', 'optimization', 'response_cache', 'model_repository_agents', 'instance_group.rate_limiter', 'model_operations', 'metric_tags / model_metrics']);
  });

  it('does not count a decoupled: false policy or a disabled cache', () => {
    assert.deepEqual(checkConfigSupport({ model_transaction_policy: { decoupled: false }, response_cache: { enable: false } }), { refused: [], ignored: [] });
  });
});
