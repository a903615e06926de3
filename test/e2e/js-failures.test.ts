/**
 * @module
 * Fault isolation of js models on the real server: each way a handler can fail, what the client
 * gets, that the model keeps serving and other models are never affected, and the restart metric.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { HttpClient } from '../../src/client/index.js';
import { MetricsRegistry } from '../../src/metrics/index.js';
import { makeTempDir, request, startTestServer, type TestServer } from '../support/server-harness.js';
import { parsePrometheusText, sampleValue } from '../support/prometheus-text.js';
import { COMMAND_HANDLER, UPPER_CONFIG } from '../support/js-models/command-handler.js';
import { commandConfig, commandRequest, writeJsModel } from '../support/js-models/js-model-writer.js';

let server: TestServer;
let http: HttpClient;
let metrics: MetricsRegistry;
let repo: string;
let cleanup: () => Promise<void>;

/** Failure modes that cost the worker, each on a model of its own so restart counts stay apart. */
const CRASHING = ['exits', 'async_throws', 'ooms', 'spins', 'poisoned'] as const;

before(async () => {
  const tmp = await makeTempDir('wharf-js-failures-');
  cleanup = tmp.cleanup;
  repo = tmp.dir;
  const fast = { execution_timeout_ms: 1000, initialize_timeout_ms: 5000 };
  await writeJsModel(repo, 'steady', { source: COMMAND_HANDLER, config: commandConfig() });
  await writeJsModel(repo, 'throws', { source: COMMAND_HANDLER, config: commandConfig({ parameters: fast }) });
  for (const name of CRASHING) {
    await writeJsModel(repo, name, { source: COMMAND_HANDLER, config: commandConfig({ parameters: { ...fast, max_heap_mb: 32 } }) });
  }
  await writeJsModel(repo, 'pair', { source: COMMAND_HANDLER, config: commandConfig({ instances: 2, parameters: fast }) });
  // Models that must fail to load, each with its reason.
  await writeJsModel(repo, 'init_throws', { source: 'export default { initialize() { throw new Error("no weights found"); }, execute: (r) => [] };', config: UPPER_CONFIG });
  await writeJsModel(repo, 'missing_import', { source: 'import weights from "./weights.js";\nexport default weights;\n', config: UPPER_CONFIG });
  await writeJsModel(repo, 'no_handler', { source: 'export function run(requests) { return []; }\n', config: UPPER_CONFIG });
  await writeJsModel(repo, 'function_export', { source: 'export default function execute(requests) { return []; }\n', config: UPPER_CONFIG });
  await writeJsModel(repo, 'syntax_error', { source: 'export default {\n  execute(requests) { return requests.map(( => 1); },\n};\n', config: UPPER_CONFIG });
  await writeJsModel(repo, 'no_config', { source: 'export default { execute: (r) => [] };' });
  await writeJsModel(repo, 'init_hangs', { source: 'export default { initialize: () => new Promise(() => {}), execute: (r) => [] };', config: `${UPPER_CONFIG}parameters { key: "initialize_timeout_ms" value: { string_value: "300" } }\n` });
  metrics = new MetricsRegistry({ defaultMetrics: false });
  server = await startTestServer(repo, { metrics });
  http = new HttpClient({ url: server.url });
});

after(async () => {
  http?.close();
  await server?.close();
  await cleanup?.();
});

/** POSTs one command as JSON; resolves with the HTTP status and body. */
async function send(model: string, command: string): Promise<{ status: number; body: unknown }> {
  const body = { inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 2], data: [1, 2] }, { name: 'cmd', datatype: 'BYTES', shape: [1, 1], data: [command] }] };
  return request(`${server.url}/v2/models/${model}/infer`, 'POST', body);
}

async function assertServes(model: string): Promise<void> {
  const answer = await send(model, 'ok');
  assert.equal(answer.status, 200, `${model} serves: ${JSON.stringify(answer.body)}`);
}

async function assertFails(model: string, command: string, status: number, code: string, message: RegExp): Promise<void> {
  const { status: got, body } = await send(model, command);
  const { error, code: gotCode } = body as { error: string; code: string };
  assert.equal(got, status, JSON.stringify(body));
  assert.equal(gotCode, code, error);
  assert.match(error, message);
}

/** wharf_model_instance_restarts_total of the model; the series appears with its first restart. */
async function restarts(model: string): Promise<number> {
  const families = parsePrometheusText(await metrics.metrics());
  const samples = families.get('wharf_model_instance_restarts_total')?.samples ?? [];
  return samples.some((s) => s.labels.model === model) ? sampleValue(families, 'wharf_model_instance_restarts_total', { model, version: '1' }) : 0;
}

describe('a failing js handler', () => {
  it('that throws fails only its batch, with its message, and keeps its worker', async () => {
    await assertFails('throws', 'throw', 500, 'ERR_BACKEND_RUNTIME', /^model 'throws': handler exploded on purpose$/);
    await assertFails('throws', 'wrong-count', 500, 'ERR_HANDLER_OUTPUT_INVALID', /^model 'throws': execute\(\) returned 0 response\(s\) for 1 request\(s\)/);
    await assertFails('throws', 'missing', 500, 'ERR_HANDLER_OUTPUT_INVALID', /^model 'throws', request 0: output 'y' is missing/);
    await assertFails('throws', 'plain-array', 500, 'ERR_HANDLER_OUTPUT_INVALID', /output 'y': FP32 data must be a Float32Array, got an Array/);
    await assertFails('throws', 'bad-shape', 500, 'ERR_HANDLER_OUTPUT_INVALID', /output 'y': shape \[1,3\] needs 3 element\(s\) but data has 2/);
    await assertFails('throws', 'refuse', 400, 'ERR_HANDLER_INPUT_REJECTED', /^model 'throws': x must not be refused$/);
    await assertServes('throws');
    assert.equal(await restarts('throws'), 0);
  });

  const crashes: [string, string, number, string, RegExp][] = [
    ['exits', 'exit', 503, 'ERR_HANDLER_CRASHED', /^model 'exits': its worker stopped while running this request: its worker thread exited with code 3; instance 0 is being replaced$/],
    ['async_throws', 'async-throw', 503, 'ERR_HANDLER_CRASHED', /^model 'async_throws': its worker stopped while running this request: uncaught exception: Error: async boom; instance 0 is being replaced$/],
    ['ooms', 'oom', 503, 'ERR_HANDLER_CRASHED', /^model 'ooms': its worker stopped while running this request: it ran out of memory \(max_heap_mb 32\)/],
    ['spins', 'spin', 504, 'ERR_HANDLER_TIMEOUT', /^model 'spins': execute\(\) did not answer within execution_timeout_ms \(1000 ms\), so its worker was stopped; instance 0 is being replaced$/],
  ];
  for (const [model, command, status, code, message] of crashes) {
    it(`that ${command === 'spin' ? 'overruns its timeout' : command === 'oom' ? 'runs out of memory' : command === 'exit' ? 'calls process.exit' : 'throws from a timer'} fails the request with ${code}, is replaced and counted`, async () => {
      await assertFails(model, command, status, code, message);
      await assertServes(model);
      assert.equal(await restarts(model), 1);
      await assertServes('steady');
    });
  }

  it('whose worker crashes fails the requests in flight on it; those on the other instance and later ones succeed', async () => {
    const survivor = send('pair', 'sleep:500');
    const crashed = send('pair', 'exit');
    const [kept, lost] = await Promise.all([survivor, crashed]);
    assert.equal(kept.status, 200, JSON.stringify(kept.body));
    assert.equal(lost.status, 503);
    assert.equal((lost.body as { code: string }).code, 'ERR_HANDLER_CRASHED');
    // Right after the crash: one instance is back or starting; every request is answered.
    const later = await Promise.all([1, 2, 3, 4].map(() => http.infer(commandRequest('pair', 'ok'))));
    assert.equal(later.length, 4);
    assert.equal(await restarts('pair'), 1);
  });

  it('whose replacement cannot initialise fails waiting requests clearly, then recovers once it can', async () => {
    await assertFails('poisoned', 'poison', 503, 'ERR_HANDLER_CRASHED', /exited with code 1/);
    await assertFails('poisoned', 'ok', 503, 'ERR_BACKEND_UNAVAILABLE', /^model 'poisoned': no instance of the js handler is running; restarting it failed: initialize\(\) of instance 0 threw: poisoned: this instance cannot start$/);
    await rm(join(repo, 'poisoned', '1', 'poisoned'));
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await assertServes('poisoned');
    assert.equal(await restarts('poisoned'), 1);
  });

  const loadFailures: [string, RegExp][] = [
    ['init_throws', /init_throws\/1\/model\.js: the js handler failed to load: initialize\(\) of instance 0 threw: no weights found$/],
    ['missing_import', /missing_import\/1\/model\.js: the js handler failed to load: model\.js could not be imported: Cannot find module '.*weights\.js' imported from/],
    ['no_handler', /no_handler\/1\/model\.js: the js handler failed to load: model\.js exports no handler \(it exports run\)/],
    ['function_export', /function_export\/1\/model\.js: the js handler failed to load: model\.js: export default is a function, not a handler/],
    ['syntax_error', /syntax_error\/1\/model\.js: the js handler failed to load: model\.js has a syntax error: Unexpected token '=>' at .*model\.js:2$/],
    ['no_config', /no_config\/1\/model\.js: model 'no_config' has no config; a js model has no model file to read them from/],
    ['init_hangs', /init_hangs\/1\/model\.js: the js handler failed to load: loading it and its initialize\(\) took longer than initialize_timeout_ms \(300 ms\)$/],
  ];
  for (const [model, reason] of loadFailures) {
    it(`that cannot load (${model.replaceAll('_', ' ')}) fails the model's load with the reason`, () => {
      const rows = server.engine.modelIndex().filter((r) => r.name === model);
      assert.equal(rows[0]?.state, 'UNAVAILABLE', JSON.stringify(rows));
      assert.match(rows[0].reason, reason);
    });
  }

  it('never affects other models', async () => {
    const ready = server.engine.modelIndex({ readyOnly: true }).map((r) => r.name).sort();
    assert.deepEqual(ready, ['async_throws', 'exits', 'ooms', 'pair', 'poisoned', 'spins', 'steady', 'throws']);
    await Promise.all(ready.map(assertServes));
    assert.equal(await restarts('steady'), 0);
  });
});
