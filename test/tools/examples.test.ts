// The bundled examples are generated (scripts/generate-examples.ts) and checked in. Like fastify's
// test:validator:integrity, this regenerates them and fails when the checked-in files differ.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ort from 'onnxruntime-node';
import { readModelSignature } from '../../src/tools/onnx/index.js';
import { buildMlpClassifier, buildSimpleMath, buildTextNormalizer, generateExamples } from '../../scripts/generate-examples.js';

// Compiled to dist/test/tools/: the repository root is three folders up.
const EXAMPLES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'examples', 'models');

describe('examples/models', () => {
  let fresh = '';
  before(async () => {
    fresh = await mkdtemp(join(tmpdir(), 'wharf-examples-'));
  });
  after(async () => {
    await rm(fresh, { recursive: true, force: true });
  });

  it('matches what scripts/generate-examples.ts writes (run npm run examples:generate after changing it)', async () => {
    const written = await generateExamples(fresh);
    assert.equal(written.length, 8);
    for (const path of written) {
      const committed = await readFile(join(EXAMPLES, path)).catch(() => Buffer.alloc(0));
      assert.ok(committed.equals(await readFile(join(fresh, path))), `${path} differs from a fresh generation`);
    }
  });

  it('is deterministic: two builds give the same bytes', () => {
    for (const build of [buildSimpleMath, buildMlpClassifier, buildTextNormalizer]) assert.deepEqual(build(), build());
  });

  it('has the documented signatures', () => {
    assert.deepEqual(readModelSignature(buildSimpleMath()), {
      inputs: [{ name: 'a', datatype: 'FP32', dims: [-1, 4] }, { name: 'b', datatype: 'INT32', dims: [-1, 4] }],
      outputs: [
        { name: 'sum', datatype: 'FP32', dims: [-1, 4] },
        { name: 'product', datatype: 'FP64', dims: [-1, 4] },
        { name: 'a_greater', datatype: 'BOOL', dims: [-1, 4] },
      ],
    });
    assert.deepEqual(readModelSignature(buildMlpClassifier()), {
      inputs: [{ name: 'features', datatype: 'FP32', dims: [-1, 4] }],
      outputs: [{ name: 'probabilities', datatype: 'FP32', dims: [-1, 3] }, { name: 'label', datatype: 'INT64', dims: [-1, 1] }],
    });
    assert.deepEqual(readModelSignature(buildTextNormalizer()), {
      inputs: [{ name: 'text', datatype: 'BYTES', dims: [-1] }],
      outputs: [{ name: 'normalized', datatype: 'BYTES', dims: [-1] }],
    });
  });

  it('mlp_classifier tells the three iris classes apart, with probabilities summing to 1', async () => {
    const session = await ort.InferenceSession.create(buildMlpClassifier());
    const rows = [[5.1, 3.5, 1.4, 0.2], [5.9, 2.8, 4.3, 1.3], [6.7, 3.0, 5.2, 2.3]];
    const result = await session.run({ features: new ort.Tensor('float32', Float32Array.from(rows.flat()), [3, 4]) });
    assert.deepEqual(result.label!.data, BigInt64Array.of(0n, 1n, 2n));
    const p = result.probabilities!.data as Float32Array;
    for (let row = 0; row < 3; row += 1) assert.ok(Math.abs(p[row * 3]! + p[row * 3 + 1]! + p[row * 3 + 2]! - 1) < 1e-5);
    await session.release();
  });

  it('text_normalizer returns one empty string when every word is a stopword', async () => {
    const session = await ort.InferenceSession.create(buildTextNormalizer());
    const { normalized } = await session.run({ text: new ort.Tensor('string', ['THE', 'an'], [2]) });
    assert.deepEqual(normalized!.dims, [1]);
    assert.deepEqual(normalized!.data, ['']);
    await session.release();
  });
});
