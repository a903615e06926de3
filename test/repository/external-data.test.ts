// Models whose weights live in an ONNX external-data file beside model.onnx: the server loads
// them from the version folder, counts the side file in the model's size, and refuses data
// that points outside the folder (onnxruntime's own check).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { versionFileBytes } from '../../src/repository/version-opener.js';
import { decodeModel, encodeModel, writeModelFile } from '../../src/tools/onnx/index.js';
import { makeTempDir, request, startTestServer, type TestServer } from '../support/server-harness.js';
import { buildMlpModel } from '../support/test-models.js';

const SIZES = [8, 64, 3];

describe('models with external data', () => {
  let temp: { dir: string; cleanup: () => Promise<void> };
  let server: TestServer;
  let inline: TestServer;
  let versionDir: string;

  before(async () => {
    temp = await makeTempDir();
    const model = decodeModel(buildMlpModel(SIZES));
    versionDir = join(temp.dir, 'external', 'mlp', '1');
    await mkdir(versionDir, { recursive: true });
    await writeModelFile(join(versionDir, 'model.onnx'), model, { externalDataThreshold: 256 });
    // A model whose weights point outside its folder: it must fail to load, and only it.
    const escaping = decodeModel(buildMlpModel(SIZES));
    const w1 = escaping.graph!.initializer![0]!;
    delete w1.rawData;
    w1.dataLocation = 1;
    w1.externalData = [{ key: 'location', value: '../../outside.data' }, { key: 'length', value: String(8 * 64 * 4) }];
    await mkdir(join(temp.dir, 'external', 'escaping', '1'), { recursive: true });
    await writeFile(join(temp.dir, 'external', 'outside.data'), new Uint8Array(8 * 64 * 4));
    await writeFile(join(temp.dir, 'external', 'escaping', '1', 'model.onnx'), encodeModel(escaping));
    const inlineDir = join(temp.dir, 'inline', 'mlp', '1');
    await mkdir(inlineDir, { recursive: true });
    await writeModelFile(join(inlineDir, 'model.onnx'), model);
    server = await startTestServer(join(temp.dir, 'external'), { modelMemoryBudgetBytes: 1024 ** 3 });
    inline = await startTestServer(join(temp.dir, 'inline'));
  });
  after(async () => {
    await server.close();
    await inline.close();
    await temp.cleanup();
  });

  it('serves the model with the same outputs as the inline one', async () => {
    const body = { inputs: [{ name: 'x', datatype: 'FP32', shape: [2, 8], data: Array.from({ length: 16 }, (_, i) => i / 10 - 0.8) }] };
    const external = await request(`${server.url}/v2/models/mlp/infer`, 'POST', body);
    const reference = await request(`${inline.url}/v2/models/mlp/infer`, 'POST', body);
    assert.equal(external.status, 200, JSON.stringify(external.body));
    assert.deepEqual(external.body, reference.body);
  });

  it('refuses a model whose external data leaves its folder, and serves the others', async () => {
    // Under the memory budget models load on their first request, so the request reports the failure.
    const body = { inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 8], data: new Array(8).fill(0) }] };
    const refused = await request(`${server.url}/v2/models/escaping/infer`, 'POST', body);
    assert.ok(refused.status >= 400, JSON.stringify(refused.body));
    assert.match((refused.body as { error: string }).error, /escapes model directory/i);
    assert.equal((await request(`${server.url}/v2/models/escaping/ready`, 'GET')).status, 503);
    assert.equal((await request(`${server.url}/v2/models/mlp/infer`, 'POST', body)).status, 200);
  });

  it('counts the external data file in the model\'s size', async () => {
    const model = await stat(join(versionDir, 'model.onnx'));
    const data = await stat(join(versionDir, 'model.onnx.data'));
    assert.ok(data.size > model.size, 'the weights are in the side file');
    assert.equal(await versionFileBytes(versionDir), model.size + data.size);
    assert.ok(server.engine.memoryUsage().models.mlp! >= model.size + data.size);
  });
});
