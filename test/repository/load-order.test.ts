import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ensembleDependencies, loadPhases, withDependencies } from '../../src/repository/load-order.js';

const graph = (edges: Record<string, string[]>) => (name: string): string[] => edges[name] ?? [];

describe('load order', () => {
  it('reads an ensemble\'s step models once each, in step order', () => {
    const config = { ensemble_scheduling: { step: [{ model_name: 'pre' }, { model_name: 'net' }, { model_name: 'pre' }, { model_name: '' }] } };
    assert.deepEqual(ensembleDependencies(config as never), ['pre', 'net']);
    assert.deepEqual(ensembleDependencies(undefined), []);
    assert.deepEqual(ensembleDependencies({ max_batch_size: 4 }), []);
  });

  it('loads models before the ensembles that use them, nested ensembles last', () => {
    const phases = loadPhases(['outer', 'inner', 'a', 'b', 'alone'], graph({ outer: ['inner', 'a'], inner: ['a', 'b'] }));
    assert.deepEqual(phases, [['a', 'b', 'alone'], ['inner'], ['outer']]);
  });

  it('ignores dependencies that are not being loaded, and puts cycles in a last phase of their own', () => {
    assert.deepEqual(loadPhases(['e'], graph({ e: ['elsewhere'] })), [['e']]);
    assert.deepEqual(loadPhases(['x', 'y', 'z', 'self'], graph({ x: ['y'], y: ['x'], self: ['self'] })), [['z'], ['x', 'y', 'self']]);
  });

  it('adds the dependencies of the models asked for, transitively, when they exist', () => {
    const exists = (name: string) => name !== 'missing';
    assert.deepEqual(withDependencies(['outer'], graph({ outer: ['inner', 'missing'], inner: ['a', 'outer'] }), exists), ['outer', 'inner', 'a']);
  });

  it('orders any acyclic graph so every model follows its dependencies', () => {
    // Edges only from a higher index to a lower one: acyclic by construction.
    const arbitraryDag = fc.integer({ min: 1, max: 12 }).chain((n) => fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: 30 }).map((pairs) => {
      const edges: Record<string, string[]> = {};
      for (const [a, b] of pairs) if (a > b) (edges[`m${a}`] ??= []).push(`m${b}`);
      return { names: Array.from({ length: n }, (_, i) => `m${i}`), edges };
    }));
    fc.assert(fc.property(arbitraryDag, ({ names, edges }) => {
      const phases = loadPhases(names, graph(edges));
      assert.deepEqual(phases.flat().sort(), [...names].sort());
      const phaseOf = new Map(phases.flatMap((phase, i) => phase.map((name) => [name, i] as const)));
      for (const [model, dependencies] of Object.entries(edges)) {
        for (const dependency of dependencies) assert.ok(phaseOf.get(dependency)! < phaseOf.get(model)!, `${dependency} before ${model}`);
      }
    }));
  });
});
