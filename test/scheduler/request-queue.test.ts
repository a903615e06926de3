import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DeadlineHeap } from '../../src/scheduler/deadline-heap.js';
import { QueuePolicies } from '../../src/scheduler/queue-policy.js';
import { QueuedRequest } from '../../src/scheduler/queued-request.js';
import { RequestQueue } from '../../src/scheduler/request-queue.js';

const LABEL = "model 'mlp' version 1";
const MS = 1e6;

function entry(name: string, level: number, atMs: number, timeoutMs = 0): QueuedRequest {
  return new QueuedRequest({
    request: { inputs: [], outputNames: [name], batchSize: 1 }, batchKey: '', level, enqueuedNs: atMs * MS, timeoutUs: timeoutMs * 1000,
    resolve: () => {}, reject: () => {},
  });
}

const names = (queue: Iterable<QueuedRequest>): string => [...queue].map((e) => e.request.outputNames[0]).join(' ');

describe('QueuePolicies', () => {
  const policies = QueuePolicies.fromDynamicBatching(LABEL, {
    priority_levels: 3, default_priority_level: 2,
    default_queue_policy: { default_timeout_microseconds: 1000, allow_timeout_override: true },
    priority_queue_policy: { 1: { max_queue_size: 4, timeout_action: 'DELAY' } },
  });

  it('maps priority 0 or none to the default level and refuses levels outside 1..priority_levels', () => {
    assert.equal(policies.levelOf(undefined), 2);
    assert.equal(policies.levelOf(0), 2);
    assert.equal(policies.levelOf(3), 3);
    assert.throws(() => policies.levelOf(4), {
      code: 'ERR_REQUEST_PARAMETER',
      message: "model 'mlp' version 1: request parameter 'priority' is 4, but the model's priority levels are 1 (highest) to 3; 0 or no priority means the default level 2",
    });
    assert.throws(() => policies.levelOf(-1), { code: 'ERR_REQUEST_PARAMETER' });
    assert.throws(() => policies.levelOf(1.5), { code: 'ERR_REQUEST_PARAMETER' });
  });

  it('without priority levels, accepts only 0 and explains that levels need dynamic_batching.priority_levels', () => {
    const flat = QueuePolicies.fromDynamicBatching(LABEL, {});
    assert.equal(flat.levelOf(0), 0);
    assert.throws(() => flat.levelOf(1), { code: 'ERR_REQUEST_PARAMETER', message: /no priority levels; priority levels need dynamic_batching\.priority_levels/ });
  });

  it('fills Triton defaults: REJECT, no timeout, no override, unbounded', () => {
    assert.deepEqual(QueuePolicies.fromDynamicBatching(LABEL, {}).policyOf(0), { maxQueueSize: 0, defaultTimeoutUs: 0, allowTimeoutOverride: false, timeoutAction: 'REJECT' });
    assert.equal(policies.policyOf(1).timeoutAction, 'DELAY');
    assert.equal(policies.policyOf(3).defaultTimeoutUs, 1000);
  });

  it('lets a request timeout only shorten the default, and only where overriding is allowed', () => {
    assert.equal(policies.timeoutUsFor(2, 500), 500);
    assert.equal(policies.timeoutUsFor(2, 5000), 1000);
    assert.equal(policies.timeoutUsFor(2, undefined), 1000);
    assert.equal(policies.timeoutUsFor(1, 500), 0, 'level 1 does not allow overriding and has no default timeout');
    const open = QueuePolicies.fromDynamicBatching(LABEL, { default_queue_policy: { allow_timeout_override: true } });
    assert.equal(open.timeoutUsFor(0, 700), 700, 'a default of 0 (none) is shortened by any request timeout');
    assert.equal(QueuePolicies.forUnbatched(LABEL).timeoutUsFor(0, 700), 700);
  });
});

describe('RequestQueue', () => {
  const policies = QueuePolicies.fromDynamicBatching(LABEL, {
    priority_levels: 2, default_priority_level: 2,
    default_queue_policy: { timeout_action: 'DELAY' },
    priority_queue_policy: { 2: { max_queue_size: 2 } },
  });

  it('serves higher levels first, FIFO within a level, and delayed requests after their level', () => {
    const queue = new RequestQueue(policies);
    const a = entry('a', 2, 0);
    const b = entry('b', 1, 1, 5);
    const c = entry('c', 1, 2);
    const d = entry('d', 2, 3);
    for (const e of [a, b, c, d]) queue.push(e);
    assert.equal(names(queue), 'b c a d');
    assert.equal(queue.nextDeadlineNs(), 6 * MS);
    assert.deepEqual(queue.expire(6 * MS), [], 'DELAY keeps the request');
    assert.equal(names(queue), 'c b a d', 'delayed behind level 1, still ahead of level 2 (Triton)');
    assert.equal(b.state, 'DELAYED');
    assert.equal(queue.nextDeadlineNs(), Number.POSITIVE_INFINITY);
    assert.equal(queue.first(), c);
    queue.remove(c);
    queue.remove(b);
    assert.equal(names(queue), 'a d');
    assert.equal(queue.size, 2);
  });

  it('rejects timed-out requests of a REJECT level and reports max_queue_size per level', () => {
    const queue = new RequestQueue(policies);
    const a = entry('a', 2, 0, 10);
    const b = entry('b', 2, 1);
    queue.push(a);
    queue.push(b);
    assert.equal(queue.fullAt(2), 2);
    assert.equal(queue.fullAt(1), undefined);
    assert.deepEqual(queue.expire(9 * MS), []);
    assert.deepEqual(queue.expire(10 * MS), [a]);
    assert.equal(names(queue), 'b');
    assert.equal(queue.fullAt(2), undefined);
  });

  it('holds only lanes that have requests, whatever the number of levels', () => {
    const wide = new RequestQueue(QueuePolicies.fromDynamicBatching(LABEL, { priority_levels: 1_000_000, default_priority_level: 1 }));
    const e = entry('e', 999_999, 0);
    wide.push(e);
    wide.push(entry('f', 3, 0));
    assert.equal(names(wide), 'f e');
    assert.equal(wide.sizeOf(999_999), 1);
  });
});

describe('DeadlineHeap', () => {
  it('always yields the nearest deadline, across random pushes and removals', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 1000 }), fc.boolean()), { maxLength: 60 }), (ops) => {
      const heap = new DeadlineHeap();
      const live: QueuedRequest[] = [];
      ops.forEach(([deadlineMs, removeOne], index) => {
        const e = entry(String(index), 0, 0, deadlineMs);
        heap.push(e);
        live.push(e);
        if (removeOne) {
          const victim = live.splice(index % live.length, 1)[0]!;
          heap.remove(victim);
          heap.remove(victim);
          assert.equal(victim.heapIndex, -1);
        }
        const nearest = Math.min(...live.map((x) => x.deadlineNs));
        assert.equal(heap.peek()?.deadlineNs ?? Number.POSITIVE_INFINITY, nearest);
        assert.equal(heap.size, live.length);
      });
    }));
  });
});
