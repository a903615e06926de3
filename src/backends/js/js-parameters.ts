import { InferenceError, type ErrorDetail } from '../../errors/index.js';

/**
 * How long one execute() call may run before its worker is stopped and replaced.
 * @defaultValue 60000 (ms); config parameter `execution_timeout_ms`, 0 turns the limit off.
 */
export const DEFAULT_EXECUTION_TIMEOUT_MS = 60_000;

/**
 * How long loading the handler module and its initialize() may take, at load and on restarts.
 * @defaultValue 60000 (ms); config parameter `initialize_timeout_ms`, 0 turns the limit off.
 */
export const DEFAULT_INITIALIZE_TIMEOUT_MS = 60_000;

/**
 * Heap each handler worker may use (V8 old generation) before it is stopped as out of memory.
 * Typed-array contents live outside this heap and are not counted.
 * @defaultValue 1024 (MiB); config parameter `max_heap_mb`, 0 leaves Node's own limit.
 */
export const DEFAULT_MAX_HEAP_MB = 1024;

/** The js backend's settings, read from a model config's `parameters`. */
export interface JsModelSettings {
  /** 0: no limit. */
  readonly executionTimeoutMs: number;
  /** 0: no limit. */
  readonly initializeTimeoutMs: number;
  /** 0: Node's default. */
  readonly maxHeapMb: number;
}

/** Node's timers take at most a signed 32-bit count of milliseconds (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** @throws InferenceError ERR_CONFIG_INVALID naming every bad parameter. */
export function jsSettingsFromParameters(parameters: Readonly<Record<string, string>>): JsModelSettings {
  const problems: ErrorDetail[] = [];
  const integer = (key: string, fallback: number, max: number): number => {
    const raw = parameters[key];
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isSafeInteger(value) || value < 0 || value > max) {
      problems.push({ path: `parameters.${key}`, problem: `"${raw}" is not an integer from 0 to ${max}` });
      return fallback;
    }
    return value;
  };
  const settings: JsModelSettings = {
    executionTimeoutMs: integer('execution_timeout_ms', DEFAULT_EXECUTION_TIMEOUT_MS, MAX_TIMER_MS),
    initializeTimeoutMs: integer('initialize_timeout_ms', DEFAULT_INITIALIZE_TIMEOUT_MS, MAX_TIMER_MS),
    maxHeapMb: integer('max_heap_mb', DEFAULT_MAX_HEAP_MB, 1024 * 1024),
  };
  if (problems.length > 0) {
    throw new InferenceError('ERR_CONFIG_INVALID', problems.map((p) => `${p.path}: ${p.problem}`).join('; '), { details: problems });
  }
  return settings;
}
