import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { batchLimits, formBatch, type BatchDecision } from '../../src/scheduler/batch-former.js';
import { QueuedRequest } from '../../src/scheduler/queued-request.js';

const MS = 1e6;

/** Queue entries from [rows, key, enqueued ms] triples, named by position (a, b, c...). */
function queue(...specs: [rows: number, key?: string, atMs?: number][]): QueuedRequest[] {
  return specs.map(([rows, key = 'k', atMs = 0]) => new QueuedRequest({
    request: { inputs: [], outputNames: [], batchSize: rows }, batchKey: key, level: 0, enqueuedNs: atMs * MS, timeoutUs: 0,
    resolve: () => {}, reject: () => {},
  }));
}

/** The decision as positions of the queue ('abc'), 'wait@<ms>' or 'idle'. */
function describeDecision(entries: QueuedRequest[], decision: BatchDecision): string {
  if (decision.kind === 'run') return decision.requests.map((r) => String.fromCharCode(97 + entries.indexOf(r))).join('');
  if (decision.kind === 'wait') return `wait@${decision.untilNs / MS}`;
  return 'idle';
}

function decide(entries: QueuedRequest[], limits: ReturnType<typeof batchLimits>, nowMs = 0, flush = false): string {
  return describeDecision(entries, formBatch(entries, limits, nowMs * MS, flush));
}

describe('formBatch', () => {
  it('is idle on an empty queue', () => {
    assert.equal(decide([], batchLimits(8, {})), 'idle');
  });

  it('without a delay, runs everything queued up to max_batch_size', () => {
    assert.equal(decide(queue([1], [2], [1], [3], [1], [1]), batchLimits(8, {})), 'abcde');
    assert.equal(decide(queue([1], [2]), batchLimits(8, {})), 'ab');
  });

  it('fills exactly to max_batch_size and stops there', () => {
    assert.equal(decide(queue([4], [4], [1]), batchLimits(8, {})), 'ab');
  });

  it('never splits a request: one that does not fit leads the next batch, nothing after it is taken', () => {
    assert.equal(decide(queue([3], [6], [1]), batchLimits(8, {})), 'a');
  });

  it('runs a request larger than max_batch_size alone rather than never', () => {
    assert.equal(decide(queue([9], [1]), batchLimits(8, {})), 'a');
  });

  it('takes only requests with the batch key of the oldest; others wait for their own batch', () => {
    const entries = queue([1, 'x'], [1, 'y'], [1, 'x'], [1, 'y'], [1, 'x']);
    assert.equal(decide(entries, batchLimits(8, {})), 'ace');
    assert.equal(decide([entries[1]!, entries[3]!], batchLimits(8, {})), 'ab');
  });

  it('with a delay and no preferred sizes, waits for the oldest request delay unless the batch is full', () => {
    const limits = batchLimits(4, { max_queue_delay_microseconds: 10_000 });
    assert.equal(decide(queue([1, 'k', 0], [1, 'k', 3]), limits, 5), 'wait@10');
    assert.equal(decide(queue([1, 'k', 0], [1, 'k', 3]), limits, 10), 'ab');
    assert.equal(decide(queue([2], [2], [1]), limits, 0), 'ab');
  });

  it('with a delay, flush (draining) runs at once', () => {
    assert.equal(decide(queue([1], [1]), batchLimits(4, { max_queue_delay_microseconds: 10_000 }), 0, true), 'ab');
  });

  it('prefers the largest preferred size reachable, before the delay expires', () => {
    const limits = batchLimits(16, { preferred_batch_size: [2, 4, 8], max_queue_delay_microseconds: 50_000 });
    assert.equal(decide(queue([1], [1], [1], [1], [1]), limits), 'abcd');
    assert.equal(decide(queue([1], [1], [1]), limits), 'ab');
    assert.equal(decide(queue([1]), limits), 'wait@50');
    assert.equal(decide(queue([3], [3], [3]), limits), 'ab'); // passing 8 counts as reaching it
  });

  it('once the delay has expired, runs the largest batch possible instead of a preferred size', () => {
    const limits = batchLimits(16, { preferred_batch_size: [2, 4], max_queue_delay_microseconds: 50_000 });
    assert.equal(decide(queue([1], [1], [1]), limits, 60), 'abc');
  });

  it('with preferred sizes and no delay, runs a preferred size when one is reachable, else everything', () => {
    const limits = batchLimits(16, { preferred_batch_size: [4, 8] });
    assert.equal(decide(queue([1], [1], [1], [1], [1], [1]), limits), 'abcd');
    assert.equal(decide(queue([1], [1], [1]), limits), 'abc');
  });

  it('normalizes preferred sizes: sorted, unique, within max_batch_size; none means max_batch_size', () => {
    assert.deepEqual(batchLimits(8, { preferred_batch_size: [8, 2, 2, 16] }).preferredBatchSizes, [2, 8]);
    assert.deepEqual(batchLimits(8, {}).preferredBatchSizes, [8]);
    assert.equal(batchLimits(8, { max_queue_delay_microseconds: 250 }).maxQueueDelayNs, 250_000);
  });

  it('measures the delay from the oldest gathered request, not the first in service order', () => {
    const entries = queue([1, 'k', 5], [1, 'k', 0]);
    assert.equal(decide(entries, batchLimits(4, { max_queue_delay_microseconds: 10_000 }), 1), 'wait@10');
  });
});
