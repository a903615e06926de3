// The three models of bench/suite.ts, generated with our own ONNX builder into one repository:
// tiny (add_sub, 2 x FP32 [1,4]), mlp (64 -> 256 -> 256 -> 10) and cnn (3 Conv on [1,3,64,64]).
// Each runs with Wharf's default settings: one instance, no dynamic batching.
import type { InferInput } from '../src/index.js';
import { writeModelFiles } from '../test/support/model-repository-writer.js';
import { buildCnnModel, buildMlpModel, CNN_INPUT_DIMS, cnnConfig, mlpConfig, writeAddSubModel } from '../test/support/test-models.js';

export const MLP_SIZES = [64, 256, 256, 10] as const;

export interface SuiteModel {
  /** Name in ONLY= and in the report. */
  readonly key: 'tiny' | 'mlp' | 'cnn';
  readonly description: string;
  /** `<repo>/<name>/1/model.onnx`, for the raw session and the naive server. */
  readonly modelFile: string;
  /** The naive server's INPUT_NAME argument. */
  readonly inputName: string;
  readonly request: InferInput;
  /** Inferences (rows of the batch) per request. */
  readonly rows: number;
}

/** Deterministic, non-trivial input values. */
function values(length: number): Float32Array {
  return Float32Array.from({ length }, (_, i) => Math.sin(i * 0.37));
}

export async function writeSuiteModels(repo: string, keys: readonly string[]): Promise<SuiteModel[]> {
  const models: SuiteModel[] = [];
  if (keys.includes('tiny')) {
    const written = await writeAddSubModel(repo);
    models.push({
      key: 'tiny',
      description: 'add_sub: 2 x FP32 [1,4] in, 2 out',
      modelFile: written.modelFile,
      inputName: 'INPUT0',
      rows: 1,
      request: { modelName: 'add_sub', inputs: [{ name: 'INPUT0', datatype: 'FP32', shape: [1, 4], data: values(4) }, { name: 'INPUT1', datatype: 'FP32', shape: [1, 4], data: values(4).reverse() }] },
    });
  }
  if (keys.includes('mlp')) {
    const written = await writeModelFiles(repo, 'mlp', buildMlpModel(MLP_SIZES), { config: mlpConfig('mlp', MLP_SIZES, { maxBatchSize: 64 }) });
    models.push({
      key: 'mlp',
      description: `MLP ${MLP_SIZES.join(' -> ')}: FP32 [1,${MLP_SIZES[0]}] in, [1,${MLP_SIZES.at(-1)}] out`,
      modelFile: written.modelFile,
      inputName: 'x',
      rows: 1,
      request: { modelName: 'mlp', inputs: [{ name: 'x', datatype: 'FP32', shape: [1, MLP_SIZES[0]], data: values(MLP_SIZES[0]) }] },
    });
  }
  if (keys.includes('cnn')) {
    const written = await writeModelFiles(repo, 'cnn', buildCnnModel(), { config: cnnConfig('cnn') });
    const length = CNN_INPUT_DIMS.reduce((a, b) => a * b, 1);
    models.push({
      key: 'cnn',
      description: `CNN 3 x Conv3x3 (3->16, 16->32/2, 32->64/2) + GAP + Gemm: FP32 [1,${CNN_INPUT_DIMS.join(',')}] in (48 KiB), [1,10] out`,
      modelFile: written.modelFile,
      inputName: 'x',
      rows: 1,
      request: { modelName: 'cnn', inputs: [{ name: 'x', datatype: 'FP32', shape: [1, ...CNN_INPUT_DIMS], data: values(length) }] },
    });
  }
  return models;
}
