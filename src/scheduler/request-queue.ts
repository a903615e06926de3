/**
 * @module
 * The queue of one model version: one lane per priority level, each a FIFO of requests that
 * have not timed out followed by a FIFO of requests delayed by a DELAY timeout action, plus a
 * deadline heap so timeouts are found without scanning.
 */
import { DeadlineHeap } from './deadline-heap.js';
import type { LevelPolicy, QueuePolicies } from './queue-policy.js';
import type { QueuedRequest } from './queued-request.js';

/** A doubly linked FIFO over QueuedRequest's own links: O(1) append and O(1) removal anywhere. */
class EntryList {
  head: QueuedRequest | undefined;
  tail: QueuedRequest | undefined;
  size = 0;

  push(entry: QueuedRequest): void {
    entry.prev = this.tail;
    entry.next = undefined;
    if (this.tail === undefined) this.head = entry;
    else this.tail.next = entry;
    this.tail = entry;
    this.size += 1;
  }

  remove(entry: QueuedRequest): void {
    if (entry.prev === undefined) this.head = entry.next;
    else entry.prev.next = entry.next;
    if (entry.next === undefined) this.tail = entry.prev;
    else entry.next.prev = entry.prev;
    entry.prev = undefined;
    entry.next = undefined;
    this.size -= 1;
  }
}

interface Lane {
  readonly level: number;
  readonly policy: LevelPolicy;
  readonly waiting: EntryList;
  readonly delayed: EntryList;
}

export class RequestQueue {
  readonly #policies: QueuePolicies;
  readonly #lanes = new Map<number, Lane>();
  /** Non-empty lanes, highest priority (lowest level number) first. */
  readonly #order: Lane[] = [];
  readonly #deadlines = new DeadlineHeap();
  #size = 0;

  constructor(policies: QueuePolicies) {
    this.#policies = policies;
  }

  /** Requests held, waiting and delayed, over all levels. */
  get size(): number {
    return this.#size;
  }

  /** Requests held at `level`, the count max_queue_size bounds. */
  sizeOf(level: number): number {
    const lane = this.#lanes.get(level);
    return lane === undefined ? 0 : lane.waiting.size + lane.delayed.size;
  }

  /** The max_queue_size of `level` when the level is full, else undefined. */
  fullAt(level: number): number | undefined {
    const max = this.#policies.policyOf(level).maxQueueSize;
    return max > 0 && this.sizeOf(level) >= max ? max : undefined;
  }

  /** Appends a request to its level; the caller has checked fullAt(). */
  push(entry: QueuedRequest): void {
    this.#lane(entry.level).waiting.push(entry);
    if (entry.deadlineNs !== Number.POSITIVE_INFINITY) this.#deadlines.push(entry);
    this.#size += 1;
  }

  /** Takes a queued (or delayed) request out of the queue. */
  remove(entry: QueuedRequest): void {
    const lane = this.#lanes.get(entry.level);
    if (lane === undefined) return;
    (entry.state === 'DELAYED' ? lane.delayed : lane.waiting).remove(entry);
    this.#deadlines.remove(entry);
    this.#size -= 1;
    if (lane.waiting.size + lane.delayed.size === 0) this.#dropLane(lane);
  }

  /** The request served next. */
  first(): QueuedRequest | undefined {
    const lane = this.#order[0];
    return lane?.waiting.head ?? lane?.delayed.head;
  }

  /**
   * Requests in the order they are served: by level, highest first; within a level, those that
   * have not timed out in arrival order, then the delayed ones in the order they timed out.
   * Triton's order (model_config.proto: a DELAY request waits for "all other requests at the same
   * (or higher) priority levels that have not reached their timeouts"). Do not modify the queue while iterating.
   */
  *[Symbol.iterator](): IterableIterator<QueuedRequest> {
    for (const lane of this.#order) {
      for (let entry = lane.waiting.head; entry !== undefined; entry = entry.next) yield entry;
      for (let entry = lane.delayed.head; entry !== undefined; entry = entry.next) yield entry;
    }
  }

  /**
   * Applies the timeout action to every request whose deadline is at or before `nowNs`:
   * DELAY moves it behind its level's waiting requests (it has no deadline after that), REJECT
   * takes it out of the queue. Returns the rejected requests for the caller to fail; the queue
   * does not settle them itself, so no listener runs while it is being changed.
   */
  expire(nowNs: number): QueuedRequest[] {
    const rejected: QueuedRequest[] = [];
    for (let entry = this.#deadlines.peek(); entry !== undefined && entry.deadlineNs <= nowNs; entry = this.#deadlines.peek()) {
      const lane = this.#lane(entry.level);
      if (lane.policy.timeoutAction === 'DELAY') {
        this.#deadlines.remove(entry);
        lane.waiting.remove(entry);
        lane.delayed.push(entry);
        entry.state = 'DELAYED';
      } else {
        this.remove(entry);
        rejected.push(entry);
      }
    }
    return rejected;
  }

  /** The nearest deadline of a queued request; Infinity when none has one. */
  nextDeadlineNs(): number {
    return this.#deadlines.peek()?.deadlineNs ?? Number.POSITIVE_INFINITY;
  }

  #lane(level: number): Lane {
    const existing = this.#lanes.get(level);
    if (existing !== undefined) return existing;
    const lane: Lane = { level, policy: this.#policies.policyOf(level), waiting: new EntryList(), delayed: new EntryList() };
    this.#lanes.set(level, lane);
    // Lanes exist only while they hold requests, so a wide priority_levels range costs nothing.
    let index = this.#order.length;
    while (index > 0 && this.#order[index - 1]!.level > level) index -= 1;
    this.#order.splice(index, 0, lane);
    return lane;
  }

  #dropLane(lane: Lane): void {
    this.#lanes.delete(lane.level);
    this.#order.splice(this.#order.indexOf(lane), 1);
  }
}
