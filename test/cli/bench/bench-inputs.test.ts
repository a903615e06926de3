import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelMetadata } from '../../../src/core/index.js';
import { buildBenchInputs } from '../../../src/cli/bench/bench-inputs.js';
import { UsageError } from '../../../src/cli/bench/bench-options.js';
import { makeTempDir } from '../../support/server-harness.js';

const batched: ModelMetadata = {
  name: 'm', versions: ['1'], platform: 'onnxruntime_onnx',
  inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 4] }, { name: 'text', datatype: 'BYTES', shape: [-1, 2] }, { name: 'ids', datatype: 'INT64', shape: [-1, -1] }],
  outputs: [],
};
const spec = { inputData: 'zero', shapes: { ids: [3] }, batchSize: 2 };

describe('buildBenchInputs', () => {
  it('sets the batch dim and dynamic dims from --shape, with BYTES as short strings', async () => {
    const inputs = await buildBenchInputs(batched, 8, spec);
    assert.deepEqual(inputs.map((i) => [i.name, i.shape]), [['x', [2, 4]], ['text', [2, 2]], ['ids', [2, 3]]]);
    assert.deepEqual(inputs[0]!.data, Array(8).fill(0));
    assert.ok((inputs[1]!.data as unknown[]).every((v) => typeof v === 'string' && v.length > 0 && v.length < 32));
  });

  it('says which --shape a dynamic dim needs', async () => {
    await assert.rejects(buildBenchInputs(batched, 8, { ...spec, shapes: {} }), (e: Error) => e instanceof UsageError && /--shape ids:/.test(e.message));
  });

  it('refuses a batch above max_batch_size, a batch for an unbatched model, and unknown --shape names', async () => {
    await assert.rejects(buildBenchInputs(batched, 8, { ...spec, batchSize: 9 }), /max_batch_size 8/);
    await assert.rejects(buildBenchInputs({ ...batched, inputs: [{ name: 'x', datatype: 'FP32', shape: [4] }] }, 0, { ...spec, shapes: {} }), /does not batch/);
    await assert.rejects(buildBenchInputs(batched, 8, { ...spec, shapes: { nope: [1] } }), /no input 'nope'/);
    await assert.rejects(buildBenchInputs(batched, 8, { ...spec, shapes: { ids: [3, 3] } }), /batch dim and must equal --batch-size 2/);
  });

  it('draws random values within each type', async () => {
    const meta: ModelMetadata = { ...batched, inputs: [{ name: 'u', datatype: 'UINT8', shape: [64] }, { name: 'b', datatype: 'BOOL', shape: [8] }] };
    const [u, b] = await buildBenchInputs(meta, 0, { inputData: 'random', shapes: {}, batchSize: 1 });
    assert.ok((u!.data as number[]).every((v) => Number.isInteger(v) && v >= 0 && v <= 255));
    assert.ok((b!.data as unknown[]).every((v) => typeof v === 'boolean'));
  });

  it('reads a JSON file of inputs by name and says which are missing', async () => {
    const tmp = await makeTempDir();
    try {
      const meta: ModelMetadata = { ...batched, inputs: batched.inputs.slice(0, 2) };
      const file = join(tmp.dir, 'in.json');
      await writeFile(file, JSON.stringify({ x: [[1, 2, 3, 4]], text: [['a', 'b']] }));
      const inputs = await buildBenchInputs(meta, 8, { inputData: file, shapes: {}, batchSize: 1 });
      assert.deepEqual(inputs.map((i) => i.shape), [[1, 4], [1, 2]]);
      await writeFile(file, JSON.stringify({ inputs: [{ name: 'x', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] }] }));
      await assert.rejects(buildBenchInputs(meta, 8, { inputData: file, shapes: {}, batchSize: 1 }), /no data for input\(s\) text/);
    } finally {
      await tmp.cleanup();
    }
  });
});
