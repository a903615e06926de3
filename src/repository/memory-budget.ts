/**
 * @module
 * The decisions of the model memory budget, as pure functions over what the repository knows
 * about each model: which model to unload next, and how much a first load will take.
 */

/** What the budget needs to know about one model. */
export interface BudgetedModel {
  readonly name: string;
  /** Has a loaded version. */
  readonly resident: boolean;
  /** No request queued or executing. */
  readonly idle: boolean;
  /** `parameters.keep_loaded`: never unloaded to make room. */
  readonly keepLoaded: boolean;
  /** Accounted memory (0 until measured). */
  readonly memoryBytes: number;
  /** Size of the model files of its last load. */
  readonly fileBytes: number;
  /** A tick of its last request: smaller is less recently used. */
  readonly lastUsed: number;
}

export type RoomDecision =
  | { readonly kind: 'fits' }
  /** Unload this model and decide again. */
  | { readonly kind: 'unload'; readonly victim: string }
  /** Every candidate is busy: wait for one to turn idle, or unload the least recently used once waited long enough. */
  | { readonly kind: 'wait'; readonly leastRecentlyUsed: string }
  /** Nothing can be unloaded and it does not fit. */
  | { readonly kind: 'impossible'; readonly usedBytes: number };

/**
 * What to do so `neededBytes` more fit in `budgetBytes` for `target`. A resident target is
 * being reloaded: its current load does not count, since both copies are held only until the swap.
 */
export function decideRoom(models: readonly BudgetedModel[], target: string, neededBytes: number, budgetBytes: number): RoomDecision {
  let usedBytes = 0;
  for (const model of models) if (model.resident && model.name !== target) usedBytes += model.memoryBytes;
  if (usedBytes + neededBytes <= budgetBytes) return { kind: 'fits' };
  const candidates = models.filter((m) => m.resident && m.name !== target && !m.keepLoaded).sort((a, b) => a.lastUsed - b.lastUsed);
  if (candidates.length === 0) return { kind: 'impossible', usedBytes };
  const idle = candidates.find((m) => m.idle);
  return idle ? { kind: 'unload', victim: idle.name } : { kind: 'wait', leastRecentlyUsed: candidates[0]!.name };
}

/**
 * The memory a model's load will take: its own largest measurement when it has one; for a first
 * load, its files' size plus the smallest overhead beyond file size measured on other models (the
 * largest would count again the runtime's one-time start-up cost, which the first load pays).
 */
export function estimateLoadBytes(model: BudgetedModel, fileBytes: number, others: readonly BudgetedModel[]): number {
  if (model.memoryBytes > 0) return model.memoryBytes;
  let overhead = Infinity;
  for (const other of others) if (other.memoryBytes > 0) overhead = Math.min(overhead, other.memoryBytes - other.fileBytes);
  return fileBytes + (Number.isFinite(overhead) ? Math.max(0, overhead) : 0);
}
