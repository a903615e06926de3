/**
 * @module
 * Dependencies between models: an ensemble runs other models in its steps, so it loads after
 * them and unloads before them. Pure functions over configs and names.
 */
import type { ModelConfig } from '../config/index.js';

/** The models an ensemble's steps run, each once, in step order; none for other models. */
export function ensembleDependencies(config: ModelConfig | undefined): string[] {
  const names = (config?.ensemble_scheduling?.step ?? []).map((step) => step.model_name).filter((name) => typeof name === 'string' && name !== '');
  return [...new Set(names)];
}

/**
 * Groups `names` into phases loaded one after the other, so that every model comes after the
 * models among `names` it depends on: phase 0 holds the models that use none of the others,
 * phase k those whose deepest dependency is in phase k - 1. Models in a dependency cycle (and
 * those depending on one) go to a last phase of their own: their loads fail, naming the model
 * they miss, which is the error a user needs.
 */
export function loadPhases(names: readonly string[], dependencies: (name: string) => readonly string[]): string[][] {
  const members = new Set(names);
  const depth = new Map<string, number>();
  const visiting = new Set<string>();
  const depthOf = (name: string): number => {
    const known = depth.get(name);
    if (known !== undefined) return known;
    if (visiting.has(name)) return Infinity;
    visiting.add(name);
    let level = 0;
    for (const dependency of dependencies(name)) {
      if (dependency !== name && members.has(dependency)) level = Math.max(level, depthOf(dependency) + 1);
      else if (dependency === name) level = Infinity;
    }
    visiting.delete(name);
    depth.set(name, level);
    return level;
  };
  const phases: string[][] = [];
  const cyclic: string[] = [];
  for (const name of names) {
    const level = depthOf(name);
    if (!Number.isFinite(level)) {
      cyclic.push(name);
      continue;
    }
    while (phases.length <= level) phases.push([]);
    phases[level]!.push(name);
  }
  if (cyclic.length > 0) phases.push(cyclic);
  return phases.filter((phase) => phase.length > 0);
}

/** `names` and, transitively, the models they depend on that `exists` says are in the repository. */
export function withDependencies(names: readonly string[], dependencies: (name: string) => readonly string[], exists: (name: string) => boolean): string[] {
  const all = [...names];
  const seen = new Set(names);
  for (let i = 0; i < all.length; i += 1) {
    for (const dependency of dependencies(all[i]!)) {
      if (seen.has(dependency) || !exists(dependency)) continue;
      seen.add(dependency);
      all.push(dependency);
    }
  }
  return all;
}
