/**
 * @module
 * Triton's repository API (index, load, unload) over one transport, on real servers on loopback:
 * an explicit-mode server with nothing loaded at start, one with a management token, and one in
 * the default `none` mode. repository-api-http.test.ts and repository-api-grpc.test.ts run it,
 * each with a transport that speaks the raw wire protocol (no Wharf client in between).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ERROR_CODES, ERROR_KINDS, type ErrorCode } from '../../src/errors/index.js';
import type { InferenceServerOptions } from '../../src/engine/index.js';
import type { ModelVersionStatus } from '../../src/core/index.js';
import { startGrpcServer, type RunningGrpcServer } from '../../src/server/grpc/index.js';
import { makeTempDir, startTestServer, type TestServer } from '../support/server-harness.js';
import { ADD_SUB_CONFIG, writeAddSubModel } from '../support/test-models.js';

/** A call's outcome: the answer, or the error with its wire status and Wharf code. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; status: number; code: string | undefined; message: string };

/** Wire values of load/unload parameters; each transport writes them in its own form (Uint8Array: base64 / bytes_param). */
export type WireParameters = Record<string, string | boolean | Uint8Array | Record<string, unknown>>;

export interface RepositoryTransport {
  index(options?: { ready?: boolean; authorization?: string }): Promise<Outcome<ModelVersionStatus[]>>;
  load(model: string, parameters?: WireParameters, authorization?: string): Promise<Outcome<unknown>>;
  unload(model: string, parameters?: WireParameters, authorization?: string): Promise<Outcome<unknown>>;
  /** add_sub with `batch` rows; resolves to OUTPUT0. */
  infer(batch: number): Promise<Outcome<number[]>>;
  maxBatchSize(model: string): Promise<Outcome<number>>;
  serverReady(): Promise<Outcome<boolean>>;
  close(): void;
}

export interface RunningServers {
  readonly http: string;
  readonly grpc: string;
}

export interface RepositorySuiteOptions {
  readonly name: 'HTTP' | 'gRPC';
  /** 'http' or 'grpc': which column of the status table the transport reports. */
  readonly statusColumn: 'http' | 'grpc';
  readonly connect: (servers: RunningServers) => RepositoryTransport;
}

export const TOKEN = 'm4nagement-t0ken';

interface Started {
  server: TestServer;
  grpc: RunningGrpcServer;
  transport: RepositoryTransport;
}

export function runRepositorySuite(options: RepositorySuiteOptions): void {
  const started: Started[] = [];
  let cleanup: () => Promise<void>;
  let explicit: RepositoryTransport;
  let guarded: RepositoryTransport;
  let none: RepositoryTransport;

  async function start(repo: string, engineOptions: Partial<InferenceServerOptions>): Promise<RepositoryTransport> {
    const server = await startTestServer(repo, engineOptions);
    const grpc = await startGrpcServer(server.engine, { host: '127.0.0.1', port: 0 });
    const transport = options.connect({ http: server.url, grpc: grpc.address });
    started.push({ server, grpc, transport });
    return transport;
  }

  before(async () => {
    const tmp = await makeTempDir();
    cleanup = tmp.cleanup;
    await writeAddSubModel(tmp.dir);
    await writeAddSubModel(tmp.dir, 'add_sub_copy', { config: ADD_SUB_CONFIG.replace('name: "add_sub"', 'name: "add_sub_copy"') });
    explicit = await start(tmp.dir, { modelControlMode: 'explicit' });
    guarded = await start(tmp.dir, { modelControlMode: 'explicit', startupModels: ['add_sub'], managementToken: TOKEN });
    none = await start(tmp.dir, {});
  });

  after(async () => {
    for (const { server, grpc, transport } of started) {
      transport.close();
      await grpc.close();
      await server.close();
    }
    await cleanup?.();
  });

  /** Asserts a failure with `code` and the status the one status table gives that code. */
  function assertFailure(outcome: Outcome<unknown>, code: ErrorCode, message?: RegExp): void {
    assert.ok(!outcome.ok, `expected ${code}, got success: ${JSON.stringify(outcome)}`);
    assert.equal(outcome.code, code, outcome.message);
    assert.equal(outcome.status, ERROR_KINDS[ERROR_CODES[code].kind][options.statusColumn], `${code}: ${outcome.message}`);
    if (message) assert.match(outcome.message, message);
  }

  function value<T>(outcome: Outcome<T>): T {
    if (!outcome.ok) assert.fail(`expected success, got ${outcome.status} ${outcome.code ?? ''}: ${outcome.message}`);
    return outcome.value;
  }

  async function addSubRows(transport: RepositoryTransport): Promise<ModelVersionStatus[]> {
    return value(await transport.index()).filter((row) => row.name === 'add_sub');
  }

  describe(`${options.name} repository API, explicit mode`, () => {
    it('lists a model that is not loaded as UNAVAILABLE "not loaded"; inference is refused as not ready', async () => {
      assert.deepEqual(await addSubRows(explicit), [{ name: 'add_sub', version: '', state: 'UNAVAILABLE', reason: 'not loaded' }]);
      assert.deepEqual(value(await explicit.index({ ready: true })), []);
      assertFailure(await explicit.infer(1), 'ERR_MODEL_NOT_READY', /add_sub/);
    });

    it('loads a model: READY in the index, and it serves', async () => {
      value(await explicit.load('add_sub'));
      assert.deepEqual(await addSubRows(explicit), [{ name: 'add_sub', version: '1', state: 'READY', reason: '' }]);
      assert.deepEqual(value(await explicit.infer(2)), [2, 4, 6, 8, 2, 4, 6, 8]);
      assert.equal(value(await explicit.maxBatchSize('add_sub')), 8);
    });

    it('reloads with a config override that changes max_batch_size', async () => {
      value(await explicit.load('add_sub', { config: JSON.stringify({ max_batch_size: 2 }) }));
      assert.equal(value(await explicit.maxBatchSize('add_sub')), 2);
      assert.deepEqual(value(await explicit.infer(2)), [2, 4, 6, 8, 2, 4, 6, 8]);
      assertFailure(await explicit.infer(3), 'ERR_INPUT_SHAPE', /max_batch_size 2/);
    });

    it('refuses an override that is not JSON, and keeps serving the previous load', async () => {
      assertFailure(await explicit.load('add_sub', { config: '{"max_batch_size": 3' }), 'ERR_CONFIG_INVALID', /parameters\.config is not valid JSON/);
      assert.equal(value(await explicit.maxBatchSize('add_sub')), 2);
      assert.deepEqual(value(await explicit.infer(1)), [2, 4, 6, 8]);
    });

    it('refuses an override that fails validation, with the reason; the previous load keeps serving', async () => {
      assertFailure(await explicit.load('add_sub', { config: JSON.stringify({ max_batch_size: -3 }) }), 'ERR_CONFIG_INVALID', /max_batch_size: -3 is negative/);
      assertFailure(await explicit.load('add_sub', { config: JSON.stringify({ max_batch_sise: 3 }) }), 'ERR_CONFIG_INVALID', /max_batch_sise: unknown field/);
      const [row] = await addSubRows(explicit);
      assert.equal(row?.state, 'READY');
      assert.match(row?.reason ?? '', /^the last load failed; still serving the previous load: .*max_batch_sise/);
      assert.equal(value(await explicit.maxBatchSize('add_sub')), 2);
      assert.deepEqual(value(await explicit.infer(2)), [2, 4, 6, 8, 2, 4, 6, 8]);
    });

    it('a load without config goes back to the config in the model folder', async () => {
      value(await explicit.load('add_sub'));
      assert.equal(value(await explicit.maxBatchSize('add_sub')), 8);
      assert.deepEqual(await addSubRows(explicit), [{ name: 'add_sub', version: '1', state: 'READY', reason: '' }]);
    });

    it('refuses file overrides and unknown parameters with ERR_REQUEST_PARAMETER', async () => {
      const file = await explicit.load('add_sub', { config: '{}', 'file:1/model.onnx': new Uint8Array([8, 1]) });
      assertFailure(file, 'ERR_REQUEST_PARAMETER', /^file overrides are not supported \(load parameter "file:1\/model\.onnx"\)/);
      assertFailure(await explicit.load('add_sub', { confg: '{}' }), 'ERR_REQUEST_PARAMETER', /^unknown load parameter "confg"; load takes "config"$/);
      assertFailure(await explicit.unload('add_sub', { unload_dependents: 'yes' }), 'ERR_REQUEST_PARAMETER', /"unload_dependents" must be a boolean/);
      assert.equal(value(await explicit.maxBatchSize('add_sub')), 8);
    });

    it('loading or unloading a model that is not in the repository is NOT_FOUND', async () => {
      assertFailure(await explicit.load('nope'), 'ERR_MODEL_NOT_FOUND', /nope/);
      assertFailure(await explicit.unload('nope'), 'ERR_MODEL_NOT_FOUND', /nope/);
      assertFailure(await explicit.load('.hidden'), 'ERR_MODEL_NAME_INVALID');
    });

    it('unloads (unload_dependents accepted): UNAVAILABLE in the index, and inference is refused as not ready', async () => {
      value(await explicit.unload('add_sub', { unload_dependents: true }));
      assert.deepEqual(await addSubRows(explicit), [{ name: 'add_sub', version: '1', state: 'UNAVAILABLE', reason: 'unloaded' }]);
      assertFailure(await explicit.infer(1), 'ERR_MODEL_NOT_READY', /unloaded/);
      value(await explicit.unload('add_sub', { unload_dependents: false }));
      value(await explicit.load('add_sub'));
      assert.deepEqual(value(await explicit.infer(1)), [2, 4, 6, 8]);
    });
  });

  describe(`${options.name} repository API with a management token`, () => {
    it('refuses index, load and unload without the token or with a wrong one', async () => {
      assertFailure(await guarded.index(), 'ERR_UNAUTHENTICATED', /needs the management token/);
      assertFailure(await guarded.load('add_sub_copy'), 'ERR_UNAUTHENTICATED');
      assertFailure(await guarded.unload('add_sub'), 'ERR_UNAUTHENTICATED');
      assertFailure(await guarded.index({ authorization: 'Bearer wrong' }), 'ERR_UNAUTHENTICATED', /^the management token is wrong$/);
      assertFailure(await guarded.load('add_sub_copy', {}, `Bearer ${TOKEN}x`), 'ERR_UNAUTHENTICATED');
      assertFailure(await guarded.index({ authorization: TOKEN }), 'ERR_UNAUTHENTICATED', /scheme must be Bearer/);
    });

    it('takes the right token, whatever the case of the scheme', async () => {
      value(await guarded.load('add_sub_copy', {}, `Bearer ${TOKEN}`));
      const rows = value(await guarded.index({ ready: true, authorization: `bearer ${TOKEN}` }));
      assert.deepEqual(rows.map((r) => r.name), ['add_sub', 'add_sub_copy']);
      value(await guarded.unload('add_sub_copy', {}, `BEARER ${TOKEN}`));
    });

    it('leaves health and inference open', async () => {
      assert.equal(value(await guarded.serverReady()), true);
      assert.deepEqual(value(await guarded.infer(1)), [2, 4, 6, 8]);
      assert.equal(value(await guarded.maxBatchSize('add_sub')), 8);
    });
  });

  describe(`${options.name} repository API in none mode`, () => {
    it('refuses load and unload as unsupported, naming --model-control-mode explicit', async () => {
      assertFailure(await none.load('add_sub'), 'ERR_MODEL_CONTROL_DISABLED', /--model-control-mode explicit/);
      assertFailure(await none.unload('add_sub'), 'ERR_MODEL_CONTROL_DISABLED', /--model-control-mode explicit/);
      assert.deepEqual(await addSubRows(none), [{ name: 'add_sub', version: '1', state: 'READY', reason: '' }]);
      assert.deepEqual(value(await none.infer(1)), [2, 4, 6, 8]);
    });
  });
}
