import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decideRoom, estimateLoadBytes, type BudgetedModel } from '../../src/repository/memory-budget.js';

const MiB = 1024 * 1024;

function model(name: string, fields: Partial<BudgetedModel> = {}): BudgetedModel {
  return { name, resident: true, idle: true, keepLoaded: false, memoryBytes: 100 * MiB, fileBytes: 80 * MiB, lastUsed: 0, ...fields };
}

describe('decideRoom', () => {
  it('fits when the resident models and the new one stay within the budget', () => {
    assert.deepEqual(decideRoom([model('a'), model('b', { resident: false })], 'b', 100 * MiB, 200 * MiB), { kind: 'fits' });
  });

  it('unloads the least recently used idle model first', () => {
    const models = [model('a', { lastUsed: 5 }), model('b', { lastUsed: 2, idle: false }), model('c', { lastUsed: 3 }), model('d', { resident: false })];
    assert.deepEqual(decideRoom(models, 'd', 100 * MiB, 250 * MiB), { kind: 'unload', victim: 'c' });
  });

  it('waits when every candidate is busy, naming the least recently used', () => {
    const models = [model('a', { lastUsed: 5, idle: false }), model('b', { lastUsed: 2, idle: false }), model('d', { resident: false })];
    assert.deepEqual(decideRoom(models, 'd', 100 * MiB, 150 * MiB), { kind: 'wait', leastRecentlyUsed: 'b' });
  });

  it('never chooses keep_loaded models or the target, and says when nothing can make room', () => {
    const models = [model('pinned', { keepLoaded: true }), model('d')];
    assert.deepEqual(decideRoom(models, 'd', 100 * MiB, 150 * MiB), { kind: 'impossible', usedBytes: 100 * MiB });
    assert.deepEqual(decideRoom([model('d', { resident: false })], 'd', 300 * MiB, 200 * MiB), { kind: 'impossible', usedBytes: 0 });
  });

  it('does not count the current load of a model being reloaded', () => {
    assert.deepEqual(decideRoom([model('a'), model('b')], 'b', 100 * MiB, 200 * MiB), { kind: 'fits' });
  });

  it('unloading the chosen victims until it fits never picks a kept or target model, and ends within the budget', () => {
    const arbitraryModel = (name: string) => fc.record({
      resident: fc.boolean(), idle: fc.boolean(), keepLoaded: fc.boolean(),
      memoryBytes: fc.integer({ min: 1, max: 500 }), fileBytes: fc.constant(0), lastUsed: fc.nat(100),
    }).map((fields) => ({ name, ...fields }));
    fc.assert(fc.property(
      fc.tuple(arbitraryModel('a'), arbitraryModel('b'), arbitraryModel('c'), arbitraryModel('t')),
      fc.integer({ min: 1, max: 500 }), fc.integer({ min: 1, max: 2000 }),
      (initial, needed, budget) => {
        let models: BudgetedModel[] = initial;
        for (let step = 0; step < 10; step += 1) {
          const decision = decideRoom(models, 't', needed, budget);
          if (decision.kind === 'fits') {
            const used = models.filter((m) => m.resident && m.name !== 't').reduce((sum, m) => sum + m.memoryBytes, 0);
            assert.ok(used + needed <= budget);
            return;
          }
          if (decision.kind === 'impossible') {
            assert.ok(models.every((m) => !m.resident || m.keepLoaded || m.name === 't'));
            return;
          }
          const victim = decision.kind === 'unload' ? decision.victim : decision.leastRecentlyUsed;
          const chosen = models.find((m) => m.name === victim)!;
          assert.ok(chosen.resident && !chosen.keepLoaded && chosen.name !== 't');
          if (decision.kind === 'unload') assert.ok(chosen.idle);
          models = models.map((m) => (m.name === victim ? { ...m, resident: false } : m));
        }
        assert.fail('did not settle within one decision per model');
      },
    ));
  });
});

describe('estimateLoadBytes', () => {
  it('uses the model\'s own measurement when it has one', () => {
    assert.equal(estimateLoadBytes(model('a', { memoryBytes: 90 * MiB }), 10, []), 90 * MiB);
  });

  it('adds the smallest overhead measured on other models to a first load\'s file size', () => {
    const others = [model('b', { memoryBytes: 130 * MiB, fileBytes: 80 * MiB }), model('c', { memoryBytes: 95 * MiB, fileBytes: 80 * MiB }), model('d', { memoryBytes: 0 })];
    assert.equal(estimateLoadBytes(model('a', { memoryBytes: 0 }), 64 * MiB, others), 79 * MiB);
    assert.equal(estimateLoadBytes(model('a', { memoryBytes: 0 }), 64 * MiB, []), 64 * MiB);
  });
});
