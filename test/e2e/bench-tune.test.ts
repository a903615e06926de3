// `wharf tune` end to end: a small search on a real server in explicit model control mode,
// which must end with a valid recommended config and the model back on its repository config.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseModelConfigText } from '../../src/config/index.js';
import { makeTempDir, request, startTestServer, type TestServer } from '../support/server-harness.js';
import { writeAddSubModel } from '../support/test-models.js';
import { runWharf, type CliRun } from '../support/cli-runner.js';

const wharf = (...args: string[]): Promise<CliRun> => runWharf(args, { timeoutMs: 120_000 });

let tmp: { dir: string; cleanup: () => Promise<void> };

before(async () => {
  tmp = await makeTempDir('wharf-tune-');
  await writeAddSubModel(join(tmp.dir, 'models'));
});

after(() => tmp.cleanup());

describe('wharf tune', () => {
  let server: TestServer | undefined;
  after(() => server?.close());

  it('ranks a small search, writes the recommended config and leaves the model as it was', async () => {
    server = await startTestServer(join(tmp.dir, 'models'), { modelControlMode: 'explicit', startupModels: ['add_sub'] });
    const configUrl = `${server.url}/v2/models/add_sub/config`;
    const before = (await request(configUrl, 'GET')).body;
    const file = join(tmp.dir, 'tuned.json');
    const run = await wharf('tune', '-u', server.url, '-m', 'add_sub', '--latency-budget', '2s', '--max-instances', '2', '--max-trials', '3',
      '--concurrency', '1,2', '--duration', '300ms', '--warmup', '0', '--write', file);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^ranking \(p99 budget 2000 ms/m);
    assert.equal(run.stdout.match(/^\s+\d\. instances/gm)?.length, 3);
    assert.match(run.stdout, /^recommended: instances [12]/m);
    assert.match(run.stderr, /reloaded from its repository configuration/);
    const tuned = JSON.parse(await readFile(file, 'utf8')) as { name: string; max_batch_size: number; instance_group: { count: number }[] };
    assert.equal(tuned.name, 'add_sub');
    assert.equal(tuned.max_batch_size, 8);
    assert.ok([1, 2].includes(tuned.instance_group[0]!.count));
    // The recommended config loads as an override, and the server is back on its own config.
    assert.deepEqual((await request(configUrl, 'GET')).body, before);
    const load = await request(`${server.url}/v2/repository/models/add_sub/load`, 'POST', { parameters: { config: JSON.stringify(tuned) } });
    assert.equal(load.status, 200, JSON.stringify(load.body));
  });

  it('writes the recommendation over the model\'s own config.pbtxt, which then loads', async () => {
    const repo = join(tmp.dir, 'pbtxt');
    await writeAddSubModel(repo);
    const own = await startTestServer(repo, { modelControlMode: 'explicit', startupModels: ['add_sub'] });
    try {
      const file = join(repo, 'add_sub', 'config.pbtxt');
      const run = await wharf('tune', '-u', own.url, '-m', 'add_sub', '--latency-budget', '2s', '--max-instances', '1', '--max-trials', '1',
        '--concurrency', '1', '--duration', '200ms', '--warmup', '0', '--write', file);
      assert.equal(run.code, 0, run.stderr);
      const written = parseModelConfigText(await readFile(file, 'utf8'), file, 'add_sub');
      assert.deepEqual(written.instance_group?.map((g) => g.count), [1]);
      assert.equal(written.dynamic_batching, undefined, 'the one trial ran without batching');
      await own.engine.loadModel('add_sub');
      assert.equal(own.engine.modelIndex().find((r) => r.name === 'add_sub')?.state, 'READY');
    } finally {
      await own.close();
    }
  });

  it('says the server needs --model-control-mode explicit, exit code 2', async () => {
    const plain = await startTestServer(join(tmp.dir, 'models'));
    try {
      const run = await wharf('tune', '-u', plain.url, '-m', 'add_sub', '--latency-budget', '50ms', '--max-instances', '1', '--concurrency', '1', '--duration', '200ms');
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, /--model-control-mode explicit/);
    } finally {
      await plain.close();
    }
  });
});
