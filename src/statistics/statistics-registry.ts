/**
 * @module
 * The statistics of every model version a server has served, keyed by name and version.
 */
import type { SchedulerEvents } from '../scheduler/index.js';
import { ModelStatistics, type ModelStatisticsOptions } from './model-statistics.js';
import { createStatisticsEvents } from './scheduler-events.js';
import type { ModelStatisticsSnapshot } from './statistics-snapshot.js';

interface Entry {
  readonly stats: ModelStatistics;
  readonly events: SchedulerEvents;
}

/**
 * One ModelStatistics per model version, created on first use. Totals survive a reload of the
 * same version (Triton's count "since the server started"), until `delete` drops them.
 */
export class StatisticsRegistry {
  readonly #entries = new Map<string, Entry>();
  readonly #options: ModelStatisticsOptions;

  constructor(options: ModelStatisticsOptions = {}) {
    this.#options = options;
  }

  /** The scheduler listener of one version; the same object on every call. */
  eventsFor(name: string, version: string): SchedulerEvents {
    return this.#entry(name, version).events;
  }

  /** The accumulator of one version, created if needed. */
  statisticsFor(name: string, version: string): ModelStatistics {
    return this.#entry(name, version).stats;
  }

  /** The version's totals; all zero when it has served nothing yet. */
  snapshot(name: string, version: string): ModelStatisticsSnapshot {
    return this.#entry(name, version).stats.snapshot();
  }

  /** Forgets a version, e.g. once it left the repository for good. */
  delete(name: string, version: string): void {
    this.#entries.delete(key(name, version));
  }

  #entry(name: string, version: string): Entry {
    const id = key(name, version);
    let entry = this.#entries.get(id);
    if (entry === undefined) {
      const stats = new ModelStatistics(name, version, this.#options);
      entry = { stats, events: createStatisticsEvents(stats) };
      this.#entries.set(id, entry);
    }
    return entry;
  }
}

/** JSON keeps names apart that a plain separator would merge ("a/b" + "1" vs "a" + "b/1"). */
function key(name: string, version: string): string {
  return JSON.stringify([name, version]);
}
