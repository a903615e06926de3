import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InferenceServer } from '../../src/engine/index.js';
import { InferenceError } from '../../src/errors/index.js';
import { makeTempDir } from '../support/server-harness.js';
import { buildIdentityModel, writeAddSubModel, writeIdentityModel } from '../support/test-models.js';

let engine: InferenceServer;
let repo: string;
let cleanup: () => Promise<void>;

const GOOD_CONFIG = `name: "versions"\nmax_batch_size: 4\ninput [ { name: "INPUT0" data_type: TYPE_FP32 dims: [ -1 ] } ]\noutput [ { name: "OUTPUT0" data_type: TYPE_FP32 dims: [ -1 ] } ]\nversion_policy: { all: { } }\n`;

before(async () => {
  const tmp = await makeTempDir();
  cleanup = tmp.cleanup;
  repo = tmp.dir;
  await writeAddSubModel(repo);
  // Broken in every way a repository can be broken; each must fail alone, with its reason.
  await writeIdentityModel(repo, 'unknown_field', 'FP32', { batched: true, config: 'max_batch_size: 4\ndynamic_batching { max_queue_delay_microsecond: 100 }\n' });
  await writeIdentityModel(repo, 'bad_enum', 'FP32', { batched: true, config: 'input [ { name: "INPUT0" data_type: TYPE_FLOAT dims: [ -1 ] } ]\n' });
  await writeIdentityModel(repo, 'wrong_datatype', 'FP32', { batched: true, config: 'max_batch_size: 4\ninput [ { name: "INPUT0" data_type: TYPE_INT32 dims: [ -1 ] } ]\noutput [ { name: "OUTPUT0" data_type: TYPE_FP32 dims: [ -1 ] } ]\n' });
  await writeIdentityModel(repo, 'batch_mistake', 'FP32', { dims: [2, 3], config: 'max_batch_size: 8\ninput [ { name: "INPUT0" data_type: TYPE_FP32 dims: [ 2, 3 ] } ]\noutput [ { name: "OUTPUT0" data_type: TYPE_FP32 dims: [ 2, 3 ] } ]\n' });
  await writeIdentityModel(repo, 'name_mismatch', 'FP32', { batched: true, config: 'name: "other"\n' });
  await writeIdentityModel(repo, 'syntax_error', 'FP32', { batched: true, config: 'max_batch_size: 4\ninput [ { name: "INPUT0" \n' });
  await mkdir(join(repo, 'no_model_file', '1'), { recursive: true });
  await mkdir(join(repo, 'no_versions'), { recursive: true });
  await writeIdentityModel(repo, 'two_configs', 'FP32', { batched: true, config: 'max_batch_size: 4\n' });
  await writeFile(join(repo, 'two_configs', 'config.json'), '{}');
  await writeIdentityModel(repo, 'json_config', 'FP32', { batched: true });
  await writeFile(join(repo, 'json_config', 'config.json'), JSON.stringify({ max_batch_size: 2, input: [{ name: 'INPUT0', data_type: 'TYPE_FP32', dims: ['-1'] }], output: [{ name: 'OUTPUT0', data_type: 'TYPE_FP32', dims: [-1] }] }));
  await writeIdentityModel(repo, 'bad_parameter', 'FP32', { batched: true, config: 'parameters { key: "intra_op_thread_count" value: { string_value: "many" } }\n' });
  // Versions: 1 and 3 served with policy all; "02" and "v4" are not version folders.
  for (const version of [1, 3]) await writeIdentityModel(repo, 'versions', 'FP32', { batched: true, version, config: GOOD_CONFIG });
  for (const folder of ['02', 'v4']) {
    await mkdir(join(repo, 'versions', folder), { recursive: true });
    await writeFile(join(repo, 'versions', folder, 'model.onnx'), buildIdentityModel('FP32', { batched: true }));
  }
  await writeIdentityModel(repo, 'stateful', 'FP32', { batched: true, config: 'max_batch_size: 4\nsequence_batching { }\n' });
  await writeFile(join(repo, 'not_a_model.txt'), 'ignored');
  engine = await InferenceServer.open({ modelRepository: repo });
});

after(async () => {
  await engine?.close();
  await cleanup?.();
});

function reasonOf(name: string): string {
  const rows = engine.modelIndex().filter((r) => r.name === name);
  assert.equal(rows.length, 1, `${name}: ${JSON.stringify(rows)}`);
  assert.equal(rows[0]!.state, 'UNAVAILABLE', `${name} should have failed`);
  return rows[0]!.reason;
}

describe('loading a repository with broken models', () => {
  it('loads the good models regardless', () => {
    const ready = engine.modelIndex({ readyOnly: true }).map((r) => `${r.name}/${r.version}`);
    assert.deepEqual(ready, ['add_sub/1', 'json_config/1', 'versions/1', 'versions/3']);
    assert.equal(engine.isReady(), true, 'one broken model does not make the server unready');
  });

  const expectations: [string, RegExp][] = [
    ['unknown_field', /unknown_field\/config\.pbtxt: dynamic_batching\.max_queue_delay_microsecond: unknown field.*did you mean max_queue_delay_microseconds/],
    ['bad_enum', /bad_enum\/config\.pbtxt: input\[0\]\.data_type: .*TYPE_FLOAT/],
    ['wrong_datatype', /wrong_datatype\/config\.pbtxt.*input\[0\]\.data_type.*TYPE_INT32.*TYPE_FP32/],
    ['batch_mistake', /batch_mistake\/config\.pbtxt.*input\[0\]\.dims.*batch dimension/],
    ['name_mismatch', /name_mismatch\/config\.pbtxt: name: .*other.*name_mismatch/],
    ['syntax_error', /syntax_error\/config\.pbtxt:\d+:\d+/],
    ['no_model_file', /no_model_file\/1: no model file found \(expected model\.onnx, model\.js, model\.mjs\)/],
    ['no_versions', /no_versions has no numeric version folder/],
    ['two_configs', /config\.pbtxt and .*config\.json both exist/],
    ['bad_parameter', /parameters\.intra_op_thread_count: "many" is not a non-negative integer/],
    ['stateful', /stateful\/config\.pbtxt: sequence_batching: stateful sequence models are not supported/],
  ];
  for (const [name, reason] of expectations) {
    it(`reports why '${name}' failed`, () => assert.match(reasonOf(name), reason));
  }

  it('reads config.json with int64 fields as numeric strings', async () => {
    const config = await engine.modelConfig('json_config') as { max_batch_size: number; input: { dims: number[] }[] };
    assert.equal(config.max_batch_size, 2);
    assert.deepEqual(config.input[0]!.dims, [-1]);
  });

  it('serves every version the policy selects, and the highest by default', async () => {
    assert.deepEqual((await engine.modelMetadata('versions')).versions, ['1', '3']);
    const input = { name: 'INPUT0', datatype: 'FP32' as const, shape: [1, 1], data: new Float32Array([1]) };
    assert.equal((await engine.infer({ modelName: 'versions', inputs: [input] })).modelVersion, '3');
    assert.equal((await engine.infer({ modelName: 'versions', modelVersion: '1', inputs: [input] })).modelVersion, '1');
    await assert.rejects(engine.infer({ modelName: 'versions', modelVersion: '2', inputs: [input] }), (error: InferenceError) => error.code === 'ERR_MODEL_VERSION_NOT_FOUND' && /served versions: 1, 3/.test(error.message));
  });

  it('refuses model names that could escape the repository', async () => {
    for (const name of ['..', '../add_sub', '/etc/passwd', 'a/b', 'a\\b', '.hidden', '']) {
      await assert.rejects(engine.modelMetadata(name), (error: InferenceError) => error.code === 'ERR_MODEL_NAME_INVALID', name);
    }
  });

  it('refuses a repository that does not exist', async () => {
    await assert.rejects(InferenceServer.open({ modelRepository: join(repo, 'missing') }), (error: InferenceError) => error.code === 'ERR_REPOSITORY_INVALID');
  });
});
