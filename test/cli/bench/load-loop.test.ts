import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { errorCode, runLoad } from '../../../src/cli/bench/load-loop.js';

/** A fake server that serves one request at a time, each taking `serviceMs`. */
function serialServer(serviceMs: number): { send: () => Promise<void>; maxInFlight: () => number } {
  let queue = Promise.resolve();
  let inFlight = 0;
  let max = 0;
  return {
    send: () => {
      inFlight += 1;
      max = Math.max(max, inFlight);
      const done = queue.then(() => sleep(serviceMs));
      queue = done;
      return done.finally(() => {
        inFlight -= 1;
      });
    },
    maxInFlight: () => max,
  };
}

describe('closed loop', () => {
  it('sends exactly --requests measured requests with at most N in flight', async () => {
    let inFlight = 0;
    let max = 0;
    const send = async (): Promise<void> => {
      inFlight += 1;
      max = Math.max(max, inFlight);
      await sleep(1);
      inFlight -= 1;
    };
    const outcome = await runLoad({ mode: 'concurrency', level: 4, warmupMs: 0, requests: 50 }, send);
    assert.equal(outcome.requests, 50);
    assert.equal(outcome.succeeded, 50);
    assert.equal(outcome.histogram.count, 50);
    assert.equal(max, 4);
    assert.deepEqual(outcome.errors, {});
  });

  it('leaves warm-up requests out of the figures and calls onMeasureStart once', async () => {
    let calls = 0;
    let measureStarts = 0;
    const outcome = await runLoad({ mode: 'concurrency', level: 1, warmupMs: 100, durationMs: 100 }, async () => {
      calls += 1;
      await sleep(5);
    }, { onMeasureStart: () => { measureStarts += 1; } });
    assert.equal(measureStarts, 1);
    assert.ok(outcome.requests > 0 && outcome.requests < calls, `${outcome.requests} measured of ${calls}`);
    assert.ok(outcome.durationMs >= 100);
  });

  it('counts failures by error code', async () => {
    let n = 0;
    const outcome = await runLoad({ mode: 'concurrency', level: 2, warmupMs: 0, requests: 30 }, () => {
      n += 1;
      if (n % 3 === 0) return Promise.reject(Object.assign(new Error('bad'), { code: 'ERR_INVALID_REQUEST' }));
      if (n % 5 === 0) return Promise.reject(new Error('no code'));
      return Promise.resolve();
    });
    assert.equal(outcome.requests, 30);
    assert.equal(outcome.errors.ERR_INVALID_REQUEST, 10);
    assert.equal(outcome.errors.ERR_UNKNOWN, 4);
    assert.equal(outcome.succeeded, 16);
  });
});

describe('open loop', () => {
  it('sends on schedule whatever the answers, so latency includes the queueing', async () => {
    // Capacity 50/s (20 ms each, one at a time); 200/s offered for 300 ms: 60 requests queue up.
    const server = serialServer(20);
    const outcome = await runLoad({ mode: 'request-rate', level: 200, warmupMs: 0, durationMs: 300 }, server.send);
    assert.equal(outcome.requests, 60);
    assert.ok(server.maxInFlight() > 10, `the schedule did not wait for answers: max in flight ${server.maxInFlight()}`);
    // Measured from the intended send time: the median request waited behind ~30 others.
    assert.ok(outcome.histogram.summary().p50 >= 3 * 20, `p50 ${outcome.histogram.summary().p50} ms`);
  });

  it('holds due requests in the generator above --max-inflight, still timed from their due time', async () => {
    const server = serialServer(10);
    const outcome = await runLoad({ mode: 'request-rate', level: 500, warmupMs: 0, requests: 30, maxInFlight: 3 }, server.send);
    assert.equal(outcome.requests, 30);
    assert.equal(outcome.succeeded, 30);
    assert.equal(server.maxInFlight(), 3);
    assert.ok(outcome.histogram.summary().max >= 100, `max ${outcome.histogram.summary().max} ms: the wait before sending must count`);
  });

  it('measures the requested count after the warm-up', async () => {
    const outcome = await runLoad({ mode: 'request-rate', level: 1000, warmupMs: 20, requests: 25 }, () => Promise.resolve());
    assert.equal(outcome.requests, 25);
    assert.equal(outcome.succeeded, 25);
  });
});

describe('errorCode', () => {
  it('takes the code of InferenceError and Node errors, else ERR_UNKNOWN', () => {
    assert.equal(errorCode(Object.assign(new Error('x'), { code: 'ECONNREFUSED' })), 'ECONNREFUSED');
    assert.equal(errorCode('text'), 'ERR_UNKNOWN');
    assert.equal(errorCode(null), 'ERR_UNKNOWN');
  });
});
