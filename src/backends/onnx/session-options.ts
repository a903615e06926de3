import { InferenceError, type ErrorDetail } from '../../errors/index.js';

/** The subset of onnxruntime's SessionOptions that Wharf sets; plain data so it crosses to workers. */
export interface OrtSessionSettings {
  intraOpNumThreads: number;
  interOpNumThreads: number;
  executionMode: 'sequential' | 'parallel';
  graphOptimizationLevel: 'disabled' | 'basic' | 'extended' | 'all';
  enableCpuMemArena: boolean;
  enableMemPattern: boolean;
  /**
   * Let idle intra-op threads spin waiting for work. Off by default: on a small machine the spin
   * takes the CPU the server's I/O thread and the other instances need (measured on 2 cores,
   * MLP over HTTP with dynamic batching: 5.3k req/s spinning vs 8.8k not).
   */
  allowSpinning: boolean;
}

const OPTIMIZATION_LEVELS = ['disabled', 'basic', 'extended', 'all'] as const;

/**
 * Reads session settings from a model config's `parameters`, with the keys of Triton's
 * onnxruntime backend so a tuned Triton repository keeps its tuning.
 *
 * Default threads: the machine's cores shared among the model's instances. Measured on a
 * 2-core machine, two workers with one intra-op thread each beat one session with two
 * threads (MobileNetV2 ~390 vs ~350 inf/s); more threads than cores only adds contention.
 */
export function sessionSettingsFromParameters(
  parameters: Readonly<Record<string, string>>,
  instanceCount: number,
  cores: number,
): OrtSessionSettings {
  const problems: ErrorDetail[] = [];
  const integer = (key: string, fallback: number): number => {
    const raw = parameters[key];
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 0 || raw.trim() === '') {
      problems.push({ path: `parameters.${key}`, problem: `"${raw}" is not a non-negative integer` });
      return fallback;
    }
    // 0 means "let onnxruntime decide", as in onnxruntime itself.
    return value;
  };
  const flag = (key: string, fallback: boolean): boolean => {
    const raw = parameters[key];
    if (raw === undefined) return fallback;
    if (raw === '1' || raw === 'true') return true;
    if (raw === '0' || raw === 'false') return false;
    problems.push({ path: `parameters.${key}`, problem: `"${raw}" is not 0, 1, true or false` });
    return fallback;
  };

  const settings: OrtSessionSettings = {
    intraOpNumThreads: integer('intra_op_thread_count', Math.max(1, Math.floor(cores / Math.max(1, instanceCount)))),
    interOpNumThreads: integer('inter_op_thread_count', 1),
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    enableCpuMemArena: flag('enable_mem_arena', true),
    enableMemPattern: flag('enable_mem_pattern', true),
    allowSpinning: flag('intra_op_allow_spinning', false),
  };

  const mode = parameters.execution_mode;
  if (mode !== undefined) {
    // Triton's onnxruntime backend: 0 = ORT_SEQUENTIAL, 1 = ORT_PARALLEL.
    if (mode === '0' || mode === 'sequential') settings.executionMode = 'sequential';
    else if (mode === '1' || mode === 'parallel') settings.executionMode = 'parallel';
    else problems.push({ path: 'parameters.execution_mode', problem: `"${mode}" is not 0 (sequential) or 1 (parallel)` });
  }

  const level = parameters.graph_optimization_level;
  if (level !== undefined) {
    const known = OPTIMIZATION_LEVELS.find((l) => l === level);
    if (known) settings.graphOptimizationLevel = known;
    else problems.push({ path: 'parameters.graph_optimization_level', problem: `"${level}" is not one of ${OPTIMIZATION_LEVELS.join(', ')}` });
  }

  if (problems.length > 0) {
    throw new InferenceError('ERR_CONFIG_INVALID', problems.map((p) => `${p.path}: ${p.problem}`).join('; '), { details: problems });
  }
  return settings;
}
