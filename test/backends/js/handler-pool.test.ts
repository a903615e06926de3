/**
 * @module
 * The handler pool with real worker threads running COMMAND_HANDLER: one batch per instance at
 * a time, and what happens to in-flight and later batches when an instance crashes, overruns
 * its timeout, or cannot be restarted.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExecuteRequest, ExecuteRequestsResult } from '../../../src/backends/index.js';
import { HandlerPool, type HandlerPoolOptions } from '../../../src/backends/js/handler-pool.js';
import type { Tensor } from '../../../src/core/index.js';
import { InferenceError } from '../../../src/errors/index.js';
import { makeTempDir } from '../../support/server-harness.js';
import { COMMAND_HANDLER } from '../../support/js-models/command-handler.js';
import { writeJsModel } from '../../support/js-models/js-model-writer.js';

let repo: string;
let cleanup: () => Promise<void>;
let models = 0;

before(async () => {
  ({ dir: repo, cleanup } = await makeTempDir('wharf-js-pool-'));
});

after(async () => {
  await cleanup?.();
});

const utf8 = new TextEncoder();

function request(command: string, x: readonly number[] = [1, 2]): ExecuteRequest {
  const inputs: Tensor[] = [
    { name: 'x', datatype: 'FP32', shape: [1, x.length], data: new Float32Array(x) },
    { name: 'cmd', datatype: 'BYTES', shape: [1, 1], data: [utf8.encode(command)] },
  ];
  return { inputs, outputNames: ['y', 'batch', 'instance'] };
}

/**
 * A pool over a fresh copy of COMMAND_HANDLER (or `source`); `lost` collects onInstanceLost reasons.
 * Instances are restarted at once unless `restartBackoffMs` says otherwise.
 */
async function openPool(
  settings: Partial<HandlerPoolOptions['settings']> = {}, instanceCount = 1, { restartBackoffMs = 0, source = COMMAND_HANDLER } = {},
): Promise<{ pool: HandlerPool; lost: string[]; versionDir: string }> {
  const name = `m${models++}`;
  const versionDir = await writeJsModel(repo, name, { source });
  const lost: string[] = [];
  const pool = await HandlerPool.open({
    modelFile: join(versionDir, 'model.js'),
    instanceCount,
    context: { modelName: name, version: '1', modelDirectory: join(repo, name), versionDirectory: versionDir, config: {}, parameters: {} },
    outputs: [
      { name: 'y', datatype: 'FP32', shape: [-1, -1] },
      { name: 'batch', datatype: 'INT32', shape: [-1, 1] },
      { name: 'instance', datatype: 'INT32', shape: [-1, 1] },
    ],
    settings: { executionTimeoutMs: 10_000, initializeTimeoutMs: 10_000, maxHeapMb: 64, ...settings },
    onInstanceLost: (reason) => lost.push(reason),
    restartBackoffMs,
  });
  return { pool, lost, versionDir };
}

function outputsOf(result: ExecuteRequestsResult, index: number): Tensor[] {
  const answer = result.results[index];
  assert.ok(answer && 'outputs' in answer, `request ${index} failed: ${answer && 'error' in answer ? answer.error.message : 'no result'}`);
  return answer.outputs;
}

const valuesOf = (tensor: Tensor | undefined): number[] => Array.from(tensor!.data as Float32Array | Int32Array);

async function rejectsWith(promise: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof InferenceError, String(error));
    assert.equal(error.code, code, error.message);
    assert.match(error.message, message);
    return true;
  });
}

describe('HandlerPool', () => {
  it('answers each request of a batch on its own, and runs batches on separate instances at once', async () => {
    const { pool } = await openPool({}, 2);
    try {
      const batch = await pool.execute([request('ok', [1, 2]), request('refuse'), request('ok', [3])]);
      assert.deepEqual(valuesOf(outputsOf(batch, 0)[0]), [2, 4]);
      assert.deepEqual(valuesOf(outputsOf(batch, 0)[1]), [3], 'the handler saw a batch of 3 requests');
      assert.deepEqual(valuesOf(outputsOf(batch, 2)[0]), [6]);
      const refused = batch.results[1]!;
      assert.ok('error' in refused);
      assert.equal(refused.error.code, 'ERR_HANDLER_INPUT_REJECTED');
      assert.match(refused.error.message, /^model 'm\d+': x must not be refused$/);

      const both = await Promise.all([pool.execute([request('sleep:200')]), pool.execute([request('sleep:200')])]);
      assert.deepEqual(both.map((b) => valuesOf(outputsOf(b, 0)[2])[0]).sort(), [0, 1], 'the two batches ran on instances 0 and 1');
    } finally {
      await pool.close();
    }
  });

  it('fails the whole batch with the handler message when execute() throws or answers the wrong number of requests', async () => {
    const { pool, lost } = await openPool();
    try {
      await rejectsWith(pool.execute([request('ok'), request('throw')]), 'ERR_BACKEND_RUNTIME', /^model 'm\d+': handler exploded on purpose$/);
      await rejectsWith(pool.execute([request('ok'), request('wrong-count')]), 'ERR_HANDLER_OUTPUT_INVALID', /returned 0 response\(s\) for 2 request\(s\)/);
      assert.deepEqual(valuesOf(outputsOf(await pool.execute([request('ok')]), 0)[0]), [2, 4]);
      assert.deepEqual(lost, [], 'a throw does not cost the instance');
    } finally {
      await pool.close();
    }
  });

  it('fails every request of a crashed instance\'s batch, keeps the other instance\'s batch, and replaces the instance', async () => {
    const { pool, lost } = await openPool({}, 2);
    try {
      const survivor = pool.execute([request('sleep:300', [5])]);
      const crashed = pool.execute([request('ok'), request('exit'), request('ok')]);
      await rejectsWith(crashed, 'ERR_HANDLER_CRASHED', /^model 'm\d+': its worker stopped while running this request: its worker thread exited with code 3; instance \d is being replaced$/);
      assert.deepEqual(valuesOf(outputsOf(await survivor, 0)[0]), [10]);
      assert.equal(lost.length, 1);
      assert.match(lost[0]!, /^instance \d: its worker thread exited with code 3$/);
      const later = await Promise.all([pool.execute([request('sleep:100')]), pool.execute([request('sleep:100')])]);
      assert.deepEqual(later.map((b) => valuesOf(outputsOf(b, 0)[2])[0]).sort(), [0, 1], 'both instances serve again');
    } finally {
      await pool.close();
    }
  });

  it('stops an instance that overruns execution_timeout_ms and serves on', async () => {
    const { pool, lost } = await openPool({ executionTimeoutMs: 300 });
    try {
      await rejectsWith(pool.execute([request('spin')]), 'ERR_HANDLER_TIMEOUT', /execute\(\) did not answer within execution_timeout_ms \(300 ms\), so its worker was stopped; instance 0 is being replaced/);
      assert.deepEqual(lost, ['instance 0: execute() ran longer than execution_timeout_ms (300 ms)']);
      assert.deepEqual(valuesOf(outputsOf(await pool.execute([request('ok')]), 0)[0]), [2, 4]);
    } finally {
      await pool.close();
    }
  });

  it('fails waiting requests clearly when a replacement cannot initialise, and recovers once it can', async () => {
    const { pool, lost, versionDir } = await openPool({}, 1, { restartBackoffMs: 1000 });
    try {
      const poisoned = pool.execute([request('poison')]);
      const waiting = pool.execute([request('ok')]);
      await rejectsWith(poisoned, 'ERR_HANDLER_CRASHED', /exited with code 1/);
      await rejectsWith(waiting, 'ERR_BACKEND_UNAVAILABLE', /no instance of the js handler is running; restarting it failed: initialize\(\) of instance 0 threw: poisoned: this instance cannot start/);
      await rejectsWith(pool.execute([request('ok')]), 'ERR_BACKEND_UNAVAILABLE', /poisoned/);
      assert.equal(lost.length, 1);
      await rm(join(versionDir, 'poisoned'));
      // A failed restart is retried at most once a second, when work waits.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      assert.deepEqual(valuesOf(outputsOf(await pool.execute([request('ok')]), 0)[0]), [2, 4]);
    } finally {
      await pool.close();
    }
  });

  it('restarts an instance that keeps crashing right after it starts at most once per backoff period', async () => {
    const { pool, lost } = await openPool({}, 1, { restartBackoffMs: 500, source: `${COMMAND_HANDLER}\nsetTimeout(() => { throw new Error('boot crash'); }, 20);\n` });
    try {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.ok(lost.length >= 1 && lost.length <= 4, `${lost.length} restarts in 1.5 s`);
      assert.match(lost[0]!, /^instance 0: uncaught exception: Error: boot crash$/);
    } finally {
      await pool.close();
    }
  });

  it('lets the running batch finish on close, calls finalize() on every instance and refuses new work', async () => {
    const { pool, versionDir } = await openPool({}, 2);
    const running = pool.execute([request('sleep:200')]);
    const closed = pool.close();
    await rejectsWith(pool.execute([request('ok')]), 'ERR_MODEL_NOT_READY', /is unloading/);
    assert.deepEqual(valuesOf(outputsOf(await running, 0)[0]), [2, 4]);
    await closed;
    assert.ok(existsSync(join(versionDir, 'finalized-0')) && existsSync(join(versionDir, 'finalized-1')));
  });

  it('fails to open with the reason when the handler cannot initialise, leaving nothing running', async () => {
    const versionDir = await writeJsModel(repo, 'unstartable', { source: COMMAND_HANDLER });
    await writeFile(join(versionDir, 'poisoned'), '');
    await rejectsWith(HandlerPool.open({
      modelFile: join(versionDir, 'model.js'),
      instanceCount: 2,
      context: { modelName: 'unstartable', version: '1', modelDirectory: join(repo, 'unstartable'), versionDirectory: versionDir, config: {}, parameters: {} },
      outputs: [],
      settings: { executionTimeoutMs: 1000, initializeTimeoutMs: 5000, maxHeapMb: 0 },
    }), 'ERR_MODEL_LOAD_FAILED', /^the js handler failed to load: initialize\(\) of instance \d threw: poisoned: this instance cannot start$/);
  });
});
