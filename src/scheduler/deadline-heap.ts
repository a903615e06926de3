import type { QueuedRequest } from './queued-request.js';

/**
 * The queued requests that have a timeout, ordered by deadline. Indexed (each request keeps
 * its heap position), so a request leaving the queue for an execution is removed at once in
 * O(log n) instead of lingering until its deadline: the heap never outgrows the queue.
 */
export class DeadlineHeap {
  readonly #items: QueuedRequest[] = [];

  get size(): number {
    return this.#items.length;
  }

  /** The request with the nearest deadline. */
  peek(): QueuedRequest | undefined {
    return this.#items[0];
  }

  push(entry: QueuedRequest): void {
    entry.heapIndex = this.#items.length;
    this.#items.push(entry);
    this.#up(entry.heapIndex);
  }

  /** Removes `entry` if it is in the heap. */
  remove(entry: QueuedRequest): void {
    const index = entry.heapIndex;
    if (index < 0 || this.#items[index] !== entry) return;
    entry.heapIndex = -1;
    const last = this.#items.pop()!;
    if (index === this.#items.length) return;
    this.#items[index] = last;
    last.heapIndex = index;
    this.#down(index);
    this.#up(last.heapIndex);
  }

  #up(index: number): void {
    const items = this.#items;
    let child = index;
    while (child > 0) {
      const parent = (child - 1) >> 1;
      if (items[parent]!.deadlineNs <= items[child]!.deadlineNs) break;
      this.#swap(parent, child);
      child = parent;
    }
  }

  #down(index: number): void {
    const items = this.#items;
    let parent = index;
    for (;;) {
      const left = 2 * parent + 1;
      const right = left + 1;
      let smallest = parent;
      if (left < items.length && items[left]!.deadlineNs < items[smallest]!.deadlineNs) smallest = left;
      if (right < items.length && items[right]!.deadlineNs < items[smallest]!.deadlineNs) smallest = right;
      if (smallest === parent) return;
      this.#swap(parent, smallest);
      parent = smallest;
    }
  }

  #swap(a: number, b: number): void {
    const items = this.#items;
    const first = items[a]!;
    const second = items[b]!;
    items[a] = second;
    items[b] = first;
    second.heapIndex = a;
    first.heapIndex = b;
  }
}
