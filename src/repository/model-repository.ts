import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join, resolve as resolvePath } from 'node:path';
import { InferenceError, toInferenceError } from '../errors/index.js';
import type { ModelReadyState, ModelVersionStatus } from '../core/index.js';
import type { BackendRegistry } from '../backends/index.js';
import { checkConfigSupport, parseModelConfigJson, parseModelConfigText, type ModelConfig } from '../config/index.js';
import { folderFingerprint } from './folder-fingerprint.js';
import { KeyedLock } from './keyed-lock.js';
import { ensembleDependencies, loadPhases, withDependencies } from './load-order.js';
import { decideRoom, estimateLoadBytes, type BudgetedModel } from './memory-budget.js';
import {
  isReady, notResident, sortedVersions, versionNotFound,
  type ModelControlMode, type ModelEntry, type ModelVersion, type ReadyModelVersion, type RepositoryHooks, type RepositoryLogger, type RepositoryOptions, type VersionServer,
} from './model-entry.js';
import { assertSafeModelName } from './model-name.js';
import { isDirectory, scanModelFolder, scanRepository, type ModelSource } from './repository-scan.js';
import { openVersion, versionFileBytes, type OpenedVersion } from './version-opener.js';
import { selectVersions } from './version-policy.js';

/** How many models load at once at start, like Triton's --model-load-thread-count default. */
const LOAD_CONCURRENCY = 4;
/** All lifecycle operations share this lock key under a memory budget (see #lockKey). */
const BUDGET_LOCK = '\0budget';
/** How long a load waits for a busy model to turn idle before unloading it anyway, once it drains. */
const BUSY_EVICTION_WAIT_MS = 1000;
const UNLOADED_FOR_BUDGET = 'unloaded to stay within the memory budget; loads again on its next request';
const LOAD_REQUEST_CONFIG = `the load request's parameters.config`;
const NOT_YET_LOADED = 'not loaded yet; loads on its first request (memory budget)';

/** The models of one repository directory and their lifecycle. */
export class ModelRepository<S extends VersionServer> {
  readonly root: string;
  readonly controlMode: ModelControlMode;
  readonly #registry: BackendRegistry;
  readonly #logger: RepositoryLogger;
  readonly #hooks: RepositoryHooks<S>;
  readonly #options: RepositoryOptions;
  readonly #models = new Map<string, ModelEntry<S>>();
  readonly #lock = new KeyedLock();
  #useTick = 0;
  #pollTimer: NodeJS.Timeout | undefined;
  #polling: Promise<void> | undefined;
  #closed = false;

  constructor(root: string, registry: BackendRegistry, logger: RepositoryLogger, hooks: RepositoryHooks<S>, options: RepositoryOptions = {}) {
    this.root = resolvePath(root);
    this.controlMode = options.controlMode ?? 'none';
    this.#registry = registry;
    this.#logger = logger;
    this.#hooks = hooks;
    this.#options = options;
  }

  get memoryBudgetBytes(): number | undefined {
    return this.#options.memoryBudgetBytes;
  }

  /**
   * Start-up loading. `none` and `poll` load every model; `explicit` the startup models and the
   * models their ensemble steps run. Under a memory budget only `keep_loaded` models load now,
   * the others on their first request. Ensembles load after the models they run (load-order.ts).
   * A model that fails is recorded with its reason and never stops the others.
   */
  async start(): Promise<void> {
    const sources = await scanRepository(this.root);
    for (const source of sources) this.#entryFor(source.name);
    const onDisk = new Set(sources.map((s) => s.name));
    const requested = this.#startupModels([...onDisk]);
    const dependencies = await this.#dependenciesOnDisk(onDisk);
    const names = withDependencies(requested, (name) => dependencies.get(name) ?? [], (name) => onDisk.has(name));
    for (const phase of loadPhases(names, (name) => dependencies.get(name) ?? [])) await this.#startPhase(phase);
  }

  /** Loads one start-up phase, LOAD_CONCURRENCY models at a time. */
  async #startPhase(names: readonly string[]): Promise<void> {
    const pending = [...names];
    const worker = async (): Promise<void> => {
      for (let name = pending.shift(); name !== undefined; name = pending.shift()) {
        const entry = this.#entryFor(name);
        entry.wanted = true;
        await this.#lock.run(this.#lockKey(name), async () => {
          if (this.#options.memoryBudgetBytes !== undefined && !(await this.#readKeepLoaded(entry))) {
            entry.loadOnDemand = true;
            entry.reason = NOT_YET_LOADED;
            return;
          }
          await this.#loadQuietly(entry, 'startup');
        });
      }
    };
    await Promise.all(Array.from({ length: LOAD_CONCURRENCY }, worker));
  }

  /** Rescans the repository every `intervalMs` (poll mode). */
  startPolling(intervalMs: number): void {
    const tick = (): void => {
      this.#pollTimer = setTimeout(() => {
        this.#polling = this.poll().finally(() => {
          this.#polling = undefined;
          if (!this.#closed) tick();
        });
      }, intervalMs);
    };
    tick();
  }

  /**
   * One poll: loads new models and versions, reloads models whose files or config changed,
   * unloads models whose folder is gone. A failed reload leaves the serving versions in place.
   * Ensembles load after the models they run, and an ensemble that is not READY retries when a
   * model it runs was loaded by this poll (say its folder was still incomplete at the last poll).
   */
  async poll(): Promise<void> {
    let sources: ModelSource[];
    try {
      sources = await scanRepository(this.root);
    } catch (error) {
      this.#logger.error({ reason: toInferenceError(error).message }, 'repository poll failed; keeping the models as they are');
      return;
    }
    const onDisk = new Set(sources.map((s) => s.name));
    const work: Promise<void>[] = [];
    const dependencies = await this.#dependenciesOnDisk(onDisk);
    // Models that turned READY in this poll: an unchanged ensemble that failed for want of one retries.
    const loadedNow = new Set<string>();
    const pollOne = (name: string): Promise<void> => {
      const entry = this.#entryFor(name);
      entry.wanted = true;
      return this.#lock.run(this.#lockKey(name), async () => {
        const digest = await folderFingerprint(join(this.root, name));
        const ready = (): boolean => [...entry.versions.values()].some(isReady);
        const retry = !ready() && (dependencies.get(name) ?? []).some((d) => loadedNow.has(d));
        if ((digest === entry.folderDigest && !retry) || this.#closed) return;
        if (this.#options.memoryBudgetBytes !== undefined && !this.#isResident(entry) && !(await this.#readKeepLoaded(entry))) {
          entry.folderDigest = digest;
          entry.loadOnDemand = true;
          entry.reason = NOT_YET_LOADED;
          return;
        }
        await this.#loadQuietly(entry, digest === entry.folderDigest ? 'poll: a model it runs was loaded' : 'poll');
        if (ready()) loadedNow.add(name);
      });
    };
    // An ensemble added with its composing models loads after them (load-order.ts).
    work.push((async () => {
      for (const phase of loadPhases([...onDisk], (name) => dependencies.get(name) ?? [])) await Promise.all(phase.map(pollOne));
    })());
    for (const entry of this.#models.values()) {
      if (onDisk.has(entry.name)) continue;
      work.push(this.#lock.run(this.#lockKey(entry.name), async () => {
        this.#logger.info({ model: entry.name }, 'model folder removed; unloading the model');
        await this.#unloadEntry(entry, 'model folder removed');
        this.#forget(entry);
      }));
    }
    await Promise.all(work);
  }

  /**
   * Loads or reloads a model (the repository load API). Versions whose files and config did not
   * change keep serving untouched; new or changed ones are loaded and warmed up before they take
   * traffic, and the versions they replace finish their requests before being unloaded.
   * Throws with the reason when any version fails; what was serving before stays.
   */
  async load(name: string, options: { configOverride?: string } = {}): Promise<void> {
    assertSafeModelName(name);
    if (!(await isDirectory(join(this.root, name)))) {
      throw new InferenceError('ERR_MODEL_NOT_FOUND', `cannot load '${name}': there is no folder ${join(this.root, name)} in the model repository`);
    }
    const entry = this.#entryFor(name);
    entry.wanted = true;
    await this.#loadMissingDependencies(name, options.configOverride, [name]);
    await this.#lock.run(this.#lockKey(name), async () => {
      const previous = entry.configOverride;
      entry.configOverride = options.configOverride;
      try {
        await this.#loadEntry(entry, 'load request');
      } catch (error) {
        // The config in force stays the previous one; a refused override must not come back at
        // the next reload (after an eviction, say).
        entry.configOverride = previous;
        throw error;
      }
    });
  }

  /** Unloads every version of a model (the repository unload API); their accepted requests finish first. */
  async unload(name: string): Promise<void> {
    const entry = this.#entry(name);
    await this.#lock.run(this.#lockKey(name), async () => {
      entry.wanted = false;
      entry.loadOnDemand = false;
      await this.#unloadEntry(entry, 'unloaded');
      if (entry.versions.size === 0) entry.reason = 'unloaded';
    });
  }

  /** Every model and version with its state, sorted by name then version (Triton's repository index). */
  index(): ModelVersionStatus[] {
    const rows: ModelVersionStatus[] = [];
    for (const entry of [...this.#models.values()].sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.versions.size === 0) rows.push({ name: entry.name, version: '', state: 'UNAVAILABLE', reason: entry.reason });
      for (const v of sortedVersions(entry)) rows.push({ name: v.modelName, version: v.version, state: v.state, reason: v.reason });
    }
    return rows;
  }

  /**
   * True once every model that should be serving is READY; under a memory budget a model
   * waiting for its first request counts as ready, since a request loads it.
   */
  allReady(): boolean {
    return [...this.#models.values()].every((entry) => !entry.wanted || entry.loadOnDemand
      || (entry.versions.size > 0 && [...entry.versions.values()].every((v) => v.state === 'READY')));
  }

  /** Versions listed for a model, ascending, whatever their state. */
  versionsOf(name: string): ModelVersion<S>[] {
    return sortedVersions(this.#entry(name));
  }

  /**
   * Whether a request for the model (or version) would be served: it is READY, or, under a
   * memory budget, it would be loaded for the request.
   */
  isServable(name: string, version?: string): boolean {
    const entry = this.#entry(name);
    if (entry.loadOnDemand && !this.#isResident(entry)) return true;
    if (version !== undefined && version !== '') {
      const found = entry.versions.get(version);
      if (!found) throw versionNotFound(entry, version);
      return isReady(found);
    }
    return [...entry.versions.values()].some(isReady);
  }

  /**
   * The version a request goes to: the one named, or the highest READY one.
   * Throws NOT_FOUND for unknown models and versions, NOT_READY for versions not READY.
   */
  resolve(name: string, version?: string): ReadyModelVersion<S> {
    const entry = this.#entry(name);
    entry.lastUsed = ++this.#useTick;
    if (version !== undefined && version !== '') {
      const found = entry.versions.get(version);
      if (found && isReady(found)) return found;
      if (entry.loadOnDemand) throw notResident(entry);
      if (!found) throw versionNotFound(entry, version);
      throw new InferenceError('ERR_MODEL_NOT_READY', `model '${name}' version ${version} is ${found.state}${found.reason ? `: ${found.reason}` : ''}`);
    }
    let best: ReadyModelVersion<S> | undefined;
    for (const v of entry.versions.values()) {
      if (isReady(v) && (!best || Number(v.version) > Number(best.version))) best = v;
    }
    if (best) return best;
    if (entry.loadOnDemand) throw notResident(entry);
    const reasons = entry.versions.size === 0 ? entry.reason : sortedVersions(entry).map((v) => `version ${v.version} is ${v.state}${v.reason ? `: ${v.reason}` : ''}`).join('; ');
    throw new InferenceError('ERR_MODEL_NOT_READY', `model '${name}' has no ready version${reasons ? ` (${reasons})` : ''}`);
  }

  /**
   * resolve(), and under a memory budget a model that is not resident is loaded first: the
   * result is then a promise, which rejects after `timeoutMs` if the load takes longer.
   * Synchronous when the model is resident, to keep the request path free of extra ticks.
   */
  acquire(name: string, version: string | undefined, timeoutMs?: number): ReadyModelVersion<S> | Promise<ReadyModelVersion<S>> {
    try {
      return this.resolve(name, version);
    } catch (error) {
      const entry = this.#models.get(name);
      if (!entry?.loadOnDemand || !(error instanceof InferenceError) || error.code !== 'ERR_MODEL_NOT_READY') throw error;
      const loading = this.#lock.run(BUDGET_LOCK, async () => {
        if (entry.loadOnDemand && !this.#isResident(entry)) await this.#loadEntry(entry, 'first request');
      }).then(() => this.resolve(name, version));
      return timeoutMs === undefined ? loading : withTimeout(loading, timeoutMs, () => new InferenceError('ERR_QUEUE_TIMEOUT', `model '${name}' did not finish loading within the request timeout of ${timeoutMs} ms`));
    }
  }

  /**
   * Loaded ensembles that run `name` in a step, directly or through another ensemble, for
   * unload_dependents: ordered so each comes before the ensembles it runs (unloading them in
   * this order never leaves a loaded ensemble running an unloaded one).
   */
  dependentsOf(name: string): string[] {
    this.#entry(name);
    const loadedDependencies = (entry: ModelEntry<S>): string[] => [...new Set([...entry.versions.values()].flatMap((v) => (v.loaded ? ensembleDependencies(v.config) : [])))];
    const uses = new Map([...this.#models.values()].map((entry) => [entry.name, loadedDependencies(entry)]));
    const dependents = new Set<string>();
    for (let grew = true; grew;) {
      grew = false;
      for (const [user, used] of uses) {
        if (user === name || dependents.has(user) || !used.some((u) => u === name || dependents.has(u))) continue;
        dependents.add(user);
        grew = true;
      }
    }
    const sorted = [...dependents].sort();
    return loadPhases(sorted, (user) => uses.get(user) ?? []).reverse().flat();
  }

  /** Accounted memory of the resident models (memory budget mode). */
  residentBytes(): number {
    let total = 0;
    for (const entry of this.#models.values()) if (this.#isResident(entry)) total += entry.memoryBytes;
    return total;
  }

  /** Memory accounted to each resident model, by name. */
  residentModels(): Map<string, number> {
    return new Map([...this.#models.values()].filter((e) => this.#isResident(e)).map((e) => [e.name, e.memoryBytes]));
  }

  /** Stops polling, then unloads everything; in-flight executions finish first. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#pollTimer);
    await this.#polling;
    await Promise.all([...this.#models.values()].map((entry) => this.#lock.run(this.#lockKey(entry.name), () => this.#unloadEntry(entry, 'server stopped'))));
  }

  // Under a memory budget every lifecycle operation takes one lock: loads are measured one at a
  // time, and unloading another model to make room cannot deadlock against that model's own lock.
  #lockKey(name: string): string {
    return this.#options.memoryBudgetBytes === undefined ? name : BUDGET_LOCK;
  }

  #startupModels(onDisk: string[]): string[] {
    if (this.controlMode !== 'explicit') return onDisk;
    const asked = this.#options.startupModels ?? [];
    if (asked.includes('*')) return onDisk;
    for (const name of asked) {
      if (onDisk.includes(name)) continue;
      this.#logger.error({ model: name }, '--load-model names a model that is not in the repository');
      const entry = this.#entryFor(name);
      entry.wanted = true;
      entry.reason = `failed to load: --load-model names '${name}', which is not a folder of ${this.root}`;
    }
    return asked.filter((name) => onDisk.includes(name));
  }

  #entryFor(name: string): ModelEntry<S> {
    let entry = this.#models.get(name);
    if (!entry) {
      entry = { name, reason: 'not loaded', wanted: false, versions: new Map(), configDigest: undefined, folderDigest: undefined, configOverride: undefined, loadOnDemand: false, keepLoaded: false, memoryBytes: 0, fileBytes: 0, lastUsed: 0 };
      this.#models.set(name, entry);
    }
    return entry;
  }

  #entry(name: string): ModelEntry<S> {
    assertSafeModelName(name);
    const entry = this.#models.get(name);
    if (!entry) {
      const known = [...this.#models.keys()].sort();
      const list = known.length > 20 ? `${known.slice(0, 20).join(', ')}, ...` : known.join(', ');
      throw new InferenceError('ERR_MODEL_NOT_FOUND', `unknown model '${name}'; the repository has: ${list || 'no models'}`);
    }
    return entry;
  }

  #forget(entry: ModelEntry<S>): void {
    for (const v of entry.versions.values()) this.#hooks.onVersionRemoved?.(entry.name, v.version);
    this.#models.delete(entry.name);
  }

  #isResident(entry: ModelEntry<S>): boolean {
    for (const v of entry.versions.values()) if (v.loaded) return true;
    return false;
  }

  async #readKeepLoaded(entry: ModelEntry<S>): Promise<boolean> {
    try {
      const { config } = await this.#readConfig(entry, await scanModelFolder(entry.name, join(this.root, entry.name)), entry.configOverride);
      entry.keepLoaded = config?.parameters?.keep_loaded?.string_value === 'true';
    } catch {
      // A bad config is reported when the model loads.
      entry.keepLoaded = false;
    }
    return entry.keepLoaded;
  }

  /**
   * The models each model's ensemble steps run, read from the configs on disk (or the config
   * override in force). A config that cannot be read counts as none: its load reports it.
   */
  async #dependenciesOnDisk(names: Iterable<string>): Promise<Map<string, string[]>> {
    const found = new Map<string, string[]>();
    for (const name of names) {
      try {
        const entry = this.#entryFor(name);
        const { config } = await this.#readConfig(entry, await scanModelFolder(name, join(this.root, name)), entry.configOverride);
        const dependencies = ensembleDependencies(config);
        if (dependencies.length > 0) found.set(name, dependencies);
      } catch {
        // Reported when the model loads.
      }
    }
    return found;
  }

  /**
   * The load API on an ensemble first loads the models its steps run that have no READY version
   * (as Triton does), each with its own dependencies; `chain` holds the models being loaded this
   * way, so a dependency cycle ends. A failure is not thrown here: the ensemble's load then fails
   * naming the step, the model and why.
   */
  async #loadMissingDependencies(name: string, configOverride: string | undefined, chain: readonly string[]): Promise<void> {
    let config: ModelConfig | undefined;
    try {
      const entry = this.#entryFor(name);
      ({ config } = await this.#readConfig(entry, await scanModelFolder(name, join(this.root, name)), configOverride));
    } catch {
      return;
    }
    for (const dependency of ensembleDependencies(config)) {
      if (chain.includes(dependency) || !isSafeModelName(dependency) || !(await isDirectory(join(this.root, dependency)))) continue;
      const entry = this.#entryFor(dependency);
      if ([...entry.versions.values()].some(isReady)) continue;
      await this.#loadMissingDependencies(dependency, entry.configOverride, [...chain, dependency]);
      entry.wanted = true;
      this.#logger.info({ model: dependency, ensemble: name }, 'loading a model the ensemble runs');
      await this.#lock.run(this.#lockKey(dependency), () => this.#loadQuietly(entry, `load of ensemble '${name}'`));
    }
  }

  /**
   * Memory budget: an ensemble loading on its first request (or kept loaded) first loads the
   * models its steps run that wait for their first request. Runs under the budget lock, which
   * every lifecycle operation holds then, so it calls #loadEntry directly.
   */
  async #loadDependenciesForBudget(entry: ModelEntry<S>, config: ModelConfig | undefined, chain: readonly string[]): Promise<void> {
    for (const dependency of ensembleDependencies(config)) {
      const used = this.#models.get(dependency);
      if (!used || chain.includes(dependency) || !used.loadOnDemand || this.#isResident(used)) continue;
      // Most recently used, so loading the next one does not unload this one to make room.
      used.lastUsed = ++this.#useTick;
      await this.#loadEntry(used, `first request of ensemble '${entry.name}'`, [...chain, dependency]).catch(() => undefined);
      used.lastUsed = ++this.#useTick;
    }
  }

  /** Memory budget: whether a resident ensemble runs this model, which then stays resident with it. */
  #usedByResidentEnsemble(name: string): boolean {
    for (const entry of this.#models.values()) {
      if (entry.name === name) continue;
      for (const v of entry.versions.values()) if (v.loaded && ensembleDependencies(v.config).includes(name)) return true;
    }
    return false;
  }

  /** #loadEntry for start-up and polls, where a failure is logged and recorded, not thrown. */
  async #loadQuietly(entry: ModelEntry<S>, cause: string): Promise<void> {
    try {
      await this.#loadEntry(entry, cause);
    } catch {
      // #loadEntry logged it and the index shows the reason.
    }
  }

  /**
   * The body of load(); runs under the model's lock. `chain`: the models whose loads led to this
   * one (memory budget, ensembles loading their composing models), so a cycle ends.
   */
  async #loadEntry(entry: ModelEntry<S>, cause: string, chain: readonly string[] = [entry.name]): Promise<void> {
    const dir = join(this.root, entry.name);
    entry.folderDigest = await folderFingerprint(dir);
    const fail = (error: unknown, code: 'ERR_CONFIG_INVALID' | 'ERR_MODEL_LOAD_FAILED'): never => {
      const failure = toInferenceError(error, code);
      const serving = [...entry.versions.values()].filter(isReady);
      if (serving.length > 0) {
        for (const v of serving) v.reason = `the last load failed; still serving the previous load: ${failure.message}`;
      } else {
        entry.reason = `failed to load: ${failure.message}`;
      }
      entry.loadOnDemand = false;
      this.#logger.warn({ model: entry.name, cause, reason: failure.message }, 'model failed to load');
      throw failure;
    };

    const source = await scanModelFolder(entry.name, dir);
    if (source.problem !== undefined) fail(new InferenceError('ERR_MODEL_LOAD_FAILED', source.problem), 'ERR_MODEL_LOAD_FAILED');
    let config: ModelConfig | undefined;
    let configDigest: string;
    try {
      ({ config, digest: configDigest } = await this.#readConfig(entry, source, entry.configOverride));
    } catch (error) {
      return fail(error, 'ERR_CONFIG_INVALID');
    }
    const support = checkConfigSupport(config ?? {});
    if (support.refused.length > 0) {
      const where = entry.configOverride !== undefined ? LOAD_REQUEST_CONFIG : source.configFile?.path ?? dir;
      fail(new InferenceError('ERR_CONFIG_UNSUPPORTED', `${where}: ${support.refused.map((f) => `${f.field}: ${f.why}`).join('; ')}`), 'ERR_CONFIG_INVALID');
    }
    for (const field of support.ignored) this.#logger.warn({ model: entry.name, field: field.field, why: field.why }, 'config field has no effect in Wharf');
    entry.keepLoaded = config?.parameters?.keep_loaded?.string_value === 'true';
    const targets = selectVersions(config?.version_policy, source.versions).map(String);
    if (targets.length === 0) {
      fail(new InferenceError('ERR_CONFIG_INVALID', `${source.configFile?.path ?? dir}: version_policy serves none of the versions on disk (${source.versions.join(', ')})`), 'ERR_CONFIG_INVALID');
    }

    // An ensemble holds no memory of its own: it makes no room, but the models it runs must be resident.
    const isEnsemble = config?.ensemble_scheduling !== undefined;
    if (isEnsemble && this.#options.memoryBudgetBytes !== undefined) await this.#loadDependenciesForBudget(entry, config, chain);
    const configChanged = configDigest !== entry.configDigest;
    const toOpen: { version: string; fingerprint: string }[] = [];
    for (const version of targets) {
      const fingerprint = await folderFingerprint(join(dir, version));
      const current = entry.versions.get(version);
      if (!current || !isReady(current) || configChanged || current.fingerprint !== fingerprint) toOpen.push({ version, fingerprint });
    }

    if (toOpen.length > 0 && this.#options.memoryBudgetBytes !== undefined && !isEnsemble) await this.#makeRoom(entry, await this.#estimateBytes(entry, dir, toOpen.map((t) => t.version)));
    const rssBefore = process.memoryUsage.rss();
    let fileBytes = 0;
    const failures: { version: string; error: InferenceError }[] = [];
    const configOrigin = entry.configOverride !== undefined ? LOAD_REQUEST_CONFIG : source.configFile?.path;
    for (const { version, fingerprint } of toOpen) {
      const current = entry.versions.get(version);
      const placeholder = current && isReady(current) ? undefined : this.#placeholder(entry, version, config?.platform ?? '', fingerprint);
      const started = performance.now();
      let opened: OpenedVersion;
      try {
        const hooks = this.#hooks;
        opened = await openVersion(this.#registry, source, config, version, {
          configOrigin,
          onInstanceLost: (reason: string) => hooks.onInstanceLost?.(entry.name, version, reason),
        });
      } catch (error) {
        const failure = toInferenceError(error, 'ERR_MODEL_LOAD_FAILED');
        const message = failure.message;
        failures.push({ version, error: failure });
        if (placeholder) this.#setState(placeholder, 'UNAVAILABLE', message);
        else if (current) current.reason = `a reload failed; still serving the previous load: ${message}`;
        this.#logger.warn({ model: entry.name, version, cause, reason: message }, 'model version failed to load');
        continue;
      }
      fileBytes += opened.fileBytes;
      const next: ModelVersion<S> = {
        modelName: entry.name, version, state: 'LOADING', reason: '', fingerprint, platform: opened.platform,
        config: opened.config, loaded: opened.loaded, server: this.#hooks.serve(opened.loaded, opened.config, entry.name, version),
      };
      // The swap is synchronous: a request resolves either the old version or the new one.
      entry.versions.set(version, next);
      this.#setState(next, 'READY', '');
      this.#logger.info({ model: entry.name, version, cause, ms: Math.round(performance.now() - started) }, current && isReady(current) ? 'model version reloaded' : 'model version ready');
      if (current && current !== placeholder) await this.#retire(current, false);
    }
    if (toOpen.length > 0 && this.#options.memoryBudgetBytes !== undefined && fileBytes > 0) {
      const grown = process.memoryUsage.rss() - rssBefore;
      entry.fileBytes = fileBytes;
      entry.memoryBytes = Math.max(entry.memoryBytes, grown, fileBytes);
      // The estimate was low: make room for what the load really took.
      await this.#makeRoom(entry, entry.memoryBytes);
    }

    const anyTargetReady = targets.some((v) => { const found = entry.versions.get(v); return found !== undefined && isReady(found); });
    for (const v of sortedVersions(entry)) {
      if (targets.includes(v.version)) continue;
      if (anyTargetReady || !isReady(v)) {
        entry.versions.delete(v.version);
        await this.#retire(v, true);
      } else {
        v.reason = `kept serving: no version the policy selects (${targets.join(', ')}) could be loaded`;
      }
    }
    if (failures.length === 0) {
      entry.configDigest = configDigest;
      entry.loadOnDemand = false;
      entry.reason = '';
      for (const v of entry.versions.values()) if (isReady(v)) v.reason = '';
      return;
    }
    // configDigest stays that of the previous load, so the next load retries every version.
    entry.loadOnDemand = false;
    // One kind of failure keeps its code (a config that disagrees with the file is the caller's 400).
    const code = failures.every((f) => f.error.code === failures[0]!.error.code) ? failures[0]!.error.code : 'ERR_MODEL_LOAD_FAILED';
    throw new InferenceError(code, `model '${entry.name}' failed to load: ${failures.map((f) => `version ${f.version}: ${f.error.message}`).join('; ')}`);
  }

  /** A LOADING row for a version that has nothing serving yet, so the index shows the load. */
  #placeholder(entry: ModelEntry<S>, version: string, platform: string, fingerprint: string): ModelVersion<S> {
    const placeholder: ModelVersion<S> = { modelName: entry.name, version, state: 'LOADING', reason: '', config: undefined, platform, loaded: undefined, server: undefined, fingerprint };
    entry.versions.set(version, placeholder);
    this.#hooks.onStateChange?.(entry.name, version, 'LOADING');
    return placeholder;
  }

  /** The config of `source`: `configOverride` (a load request's JSON) when given, else its file. */
  async #readConfig(entry: ModelEntry<S>, source: ModelSource, configOverride: string | undefined): Promise<{ config: ModelConfig | undefined; digest: string }> {
    if (configOverride !== undefined) {
      return { config: parseModelConfigJson(configOverride, LOAD_REQUEST_CONFIG, entry.name), digest: digestOf(`override\0${configOverride}`) };
    }
    if (!source.configFile) return { config: undefined, digest: digestOf('none') };
    const text = await readFile(source.configFile.path, 'utf8');
    const config = source.configFile.format === 'pbtxt'
      ? parseModelConfigText(text, source.configFile.path, source.name)
      : parseModelConfigJson(text, source.configFile.path, source.name);
    return { config, digest: digestOf(`${source.configFile.format}\0${text}`) };
  }

  /**
   * Drains and unloads a version that no longer takes traffic. `listed` versions are still in
   * the index and report UNLOADING; a replaced one is invisible (its successor holds the row).
   */
  async #retire(version: ModelVersion<S>, removed: boolean): Promise<void> {
    if (!removed) {
      await version.server?.drain();
      await version.loaded?.unload();
      return;
    }
    if (version.loaded) {
      this.#hooks.onStateChange?.(version.modelName, version.version, 'UNLOADING');
      await version.server?.drain();
      await version.loaded.unload();
    }
    this.#hooks.onVersionRemoved?.(version.modelName, version.version);
  }

  async #unloadEntry(entry: ModelEntry<S>, reason: string): Promise<void> {
    await Promise.all([...entry.versions.values()].map(async (v) => {
      if (!v.loaded) {
        if (v.state !== 'UNAVAILABLE') this.#setState(v, 'UNAVAILABLE', reason);
        return;
      }
      // Synchronous up to drain(): no request can resolve the version once it is UNLOADING.
      this.#setState(v, 'UNLOADING', '');
      await v.server?.drain();
      v.server = undefined;
      await v.loaded.unload();
      v.loaded = undefined;
      this.#setState(v, 'UNAVAILABLE', reason);
    }));
    if (reason !== 'server stopped') this.#logger.info({ model: entry.name, reason }, 'model unloaded');
  }

  /** What a load of these versions will add to the resident set (see estimateLoadBytes). */
  async #estimateBytes(entry: ModelEntry<S>, dir: string, versions: string[]): Promise<number> {
    let fileBytes = 0;
    for (const version of versions) fileBytes += await versionFileBytes(join(dir, version));
    return estimateLoadBytes(this.#budgeted(entry), fileBytes, [...this.#models.values()].map((e) => this.#budgeted(e)));
  }

  /**
   * Unloads least recently used models until `neededBytes` more fit in the budget. Idle models
   * go first; a busy one only after waiting for it, and then it drains before it unloads, so no
   * request is lost. keep_loaded models and the model being loaded are never chosen.
   */
  async #makeRoom(target: ModelEntry<S>, neededBytes: number): Promise<void> {
    const budget = this.#options.memoryBudgetBytes ?? Infinity;
    let waitedSince: number | undefined;
    for (;;) {
      const decision = decideRoom([...this.#models.values()].map((e) => this.#budgeted(e)), target.name, neededBytes, budget);
      if (decision.kind === 'fits') return;
      if (decision.kind === 'impossible') {
        throw new InferenceError('ERR_MEMORY_BUDGET', `model '${target.name}' needs about ${formatBytes(neededBytes)} but the memory budget is ${formatBytes(budget)} and ${formatBytes(decision.usedBytes)} is held by models that cannot be unloaded (keep_loaded, or run by a loaded ensemble)`);
      }
      waitedSince ??= performance.now();
      const victimName = decision.kind === 'unload' ? decision.victim
        : performance.now() - waitedSince >= BUSY_EVICTION_WAIT_MS ? decision.leastRecentlyUsed : undefined;
      const victim = victimName === undefined ? undefined : this.#models.get(victimName);
      if (!victim) {
        await sleep(10);
        continue;
      }
      this.#logger.info({ model: victim.name, bytes: victim.memoryBytes, for: target.name, budget }, 'unloading the least recently used model to stay within the memory budget');
      victim.loadOnDemand = true;
      await this.#unloadEntry(victim, UNLOADED_FOR_BUDGET);
    }
  }

  #budgeted(entry: ModelEntry<S>): BudgetedModel {
    let idle = true;
    for (const v of entry.versions.values()) {
      if (v.server && (v.server.queueDepth > 0 || v.server.inflightExecutions > 0)) idle = false;
    }
    // The models a resident ensemble runs stay with it: unloading one would make the ensemble's
    // requests wait for a load behind the lifecycle lock (which may be draining that ensemble).
    // Unloading the ensemble, when idle, frees them.
    const keepLoaded = entry.keepLoaded || this.#usedByResidentEnsemble(entry.name);
    return { name: entry.name, resident: this.#isResident(entry), idle, keepLoaded, memoryBytes: entry.memoryBytes, fileBytes: entry.fileBytes, lastUsed: entry.lastUsed };
  }

  #setState(version: ModelVersion<S>, state: ModelReadyState, reason: string): void {
    version.state = state;
    version.reason = reason;
    this.#hooks.onStateChange?.(version.modelName, version.version, state);
  }
}

function digestOf(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function isSafeModelName(name: string): boolean {
  try {
    assertSafeModelName(name);
    return true;
  } catch {
    return false;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function withTimeout<T>(work: Promise<T>, ms: number, timeoutError: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(timeoutError()), ms);
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

function formatBytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}
