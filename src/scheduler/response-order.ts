/** A place in line for one execution's results. */
export interface OrderSlot {
  deliver: (() => void) | undefined;
}

/**
 * Delivers the results of executions in the order the executions were dispatched, for
 * dynamic_batching.preserve_ordering: a batch that finishes early is held until every batch
 * dispatched before it has been delivered. Dispatch order is arrival order within a priority
 * level and batch key; like Triton (DelegateResponse), the order is that of leaving the queue,
 * so a queued low-priority or delayed request never holds back responses that overtook it.
 * Without ordering, results are delivered as soon as they are ready.
 */
export class ResponseOrder {
  readonly #ordered: boolean;
  /** Slots not delivered yet from #head on, oldest first. */
  #slots: OrderSlot[] = [];
  #head = 0;

  constructor(ordered: boolean) {
    this.#ordered = ordered;
  }

  /** Takes the next place in line; call when an execution is dispatched. */
  reserve(): OrderSlot {
    const slot: OrderSlot = { deliver: undefined };
    if (this.#ordered) this.#slots.push(slot);
    return slot;
  }

  /** Runs `deliver` now, or once every earlier slot has been delivered. */
  complete(slot: OrderSlot, deliver: () => void): void {
    if (!this.#ordered) {
      deliver();
      return;
    }
    slot.deliver = deliver;
    for (let next = this.#slots[this.#head]; next?.deliver !== undefined; next = this.#slots[this.#head]) {
      this.#head += 1;
      const run = next.deliver;
      next.deliver = undefined;
      run();
    }
    // Drop delivered slots now and then instead of shift()ing on every delivery.
    if (this.#head === this.#slots.length) {
      this.#slots = [];
      this.#head = 0;
    } else if (this.#head > 64 && this.#head * 2 > this.#slots.length) {
      this.#slots = this.#slots.slice(this.#head);
      this.#head = 0;
    }
  }
}
