/**
 * @module
 * Triton's ModelQueuePolicy as a scheduler applies it: which priority level a request goes to,
 * how long it may wait, what happens when it waits too long, and how many requests a level holds.
 * @see {@link https://github.com/triton-inference-server/common/blob/main/protobuf/model_config.proto} ModelQueuePolicy
 */
import type { ModelDynamicBatching, ModelQueuePolicy } from '../config/index.js';
import { priorityError } from './scheduler-errors.js';

/** The policy of one priority level, with Triton's defaults filled in. */
export interface LevelPolicy {
  /** Requests the level may hold (queued and delayed); 0 is unbounded. */
  readonly maxQueueSize: number;
  /** 0 is no timeout. */
  readonly defaultTimeoutUs: number;
  /** Whether a request's `timeout` may shorten the default. */
  readonly allowTimeoutOverride: boolean;
  /** REJECT fails a timed-out request; DELAY keeps it, behind every request of its level and above that has not timed out. */
  readonly timeoutAction: 'REJECT' | 'DELAY';
}

function levelPolicy(policy: ModelQueuePolicy | undefined): LevelPolicy {
  return {
    maxQueueSize: policy?.max_queue_size ?? 0,
    defaultTimeoutUs: policy?.default_timeout_microseconds ?? 0,
    allowTimeoutOverride: policy?.allow_timeout_override ?? false,
    timeoutAction: policy?.timeout_action ?? 'REJECT',
  };
}

/** The queue policies of one model version: priority levels and one LevelPolicy per level. */
export class QueuePolicies {
  /** 0 when the model has no priority levels (every request goes to level 0). */
  readonly priorityLevels: number;
  /** Level of a request that gives no priority (or 0). */
  readonly defaultLevel: number;
  readonly #label: string;
  readonly #default: LevelPolicy;
  readonly #byLevel: ReadonlyMap<number, LevelPolicy>;

  private constructor(label: string, levels: number, defaultLevel: number, fallback: LevelPolicy, byLevel: ReadonlyMap<number, LevelPolicy>) {
    this.#label = label;
    this.priorityLevels = levels;
    this.defaultLevel = defaultLevel;
    this.#default = fallback;
    this.#byLevel = byLevel;
  }

  /** The policies a `dynamic_batching` block configures. */
  static fromDynamicBatching(label: string, batching: ModelDynamicBatching): QueuePolicies {
    const levels = batching.priority_levels ?? 0;
    const configured = batching.default_priority_level ?? 0;
    // A validated config keeps the default level in 1..levels; should one slip through, use the lowest level.
    const defaultLevel = levels === 0 ? 0 : configured >= 1 && configured <= levels ? configured : levels;
    const byLevel = new Map<number, LevelPolicy>();
    if (levels > 0) {
      for (const [key, policy] of Object.entries(batching.priority_queue_policy ?? {})) byLevel.set(Number(key), levelPolicy(policy));
    }
    return new QueuePolicies(label, levels, defaultLevel, levelPolicy(batching.default_queue_policy), byLevel);
  }

  /**
   * The queue of a model without dynamic_batching. Triton has no queue policy there; Wharf keeps
   * an unbounded FIFO and honours a request's `timeout` as a queue timeout (REJECT), since the
   * schedule policy extension lets a client ask for it and nothing in the config forbids it.
   */
  static forUnbatched(label: string): QueuePolicies {
    const policy: LevelPolicy = { maxQueueSize: 0, defaultTimeoutUs: 0, allowTimeoutOverride: true, timeoutAction: 'REJECT' };
    return new QueuePolicies(label, 0, 0, policy, new Map());
  }

  /**
   * The level a request goes to: its `priority`, or the default level for 0 or none.
   * @throws InferenceError ERR_REQUEST_PARAMETER for a priority outside 0..priority_levels (Triton
   *   silently uses the default level instead; an error tells the client its priority had no effect).
   */
  levelOf(priority: number | undefined): number {
    if (priority === undefined || priority === 0) return this.defaultLevel;
    if (!Number.isSafeInteger(priority) || priority < 0 || priority > this.priorityLevels) {
      throw priorityError(this.#label, priority, this.priorityLevels, this.defaultLevel);
    }
    return priority;
  }

  policyOf(level: number): LevelPolicy {
    return this.#byLevel.get(level) ?? this.#default;
  }

  /**
   * The queue timeout of a request at `level`, in microseconds (0: none). A request's timeout
   * counts only where the policy allows overriding, and only to shorten the default; a default of
   * 0 (no timeout) counts as infinitely long, so any request timeout shortens it. (Triton's code
   * compares with the raw 0 and so ignores request timeouts when the default is 0; its docs say
   * a request may set any timeout shorter than the default, which is what this follows.)
   */
  timeoutUsFor(level: number, requestTimeoutUs: number | undefined): number {
    const policy = this.policyOf(level);
    const fallback = policy.defaultTimeoutUs;
    if (!policy.allowTimeoutOverride || requestTimeoutUs === undefined || requestTimeoutUs <= 0) return fallback;
    return fallback === 0 || requestTimeoutUs < fallback ? requestTimeoutUs : fallback;
  }
}
