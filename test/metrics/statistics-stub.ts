/**
 * @module
 * An engine stand-in for the statistics routes: only the methods the front ends call for
 * statistics and metadata, answering as InferenceServer does (NOT_FOUND errors included).
 */
import { InferenceError } from '../../src/errors/index.js';
import type { InferenceServer } from '../../src/engine/index.js';
import type { ModelMetadata } from '../../src/core/index.js';
import { ModelStatistics, type ModelStatisticsSnapshot } from '../../src/statistics/index.js';

export interface StatisticsStub {
  readonly engine: InferenceServer;
  /** Arguments of every modelStatistics call, `undefined` kept. */
  readonly calls: (string | undefined)[][];
  readonly metadataCalls: string[];
  /** What the stub serves, in order. */
  readonly all: readonly ModelStatisticsSnapshot[];
}

/** Model `resnet` versions 1 and 2 (1 has served a batch), model `stats` version 1; nothing else. */
export function statisticsStub(): StatisticsStub {
  const calls: (string | undefined)[][] = [];
  const metadataCalls: string[] = [];
  const resnet1 = new ModelStatistics('resnet', '1', { now: () => 1_700_000_000_123 });
  resnet1.recordExecution(2, { computeInputNs: 10, computeInferNs: 200, computeOutputNs: 3 });
  resnet1.recordSuccess(2, { queueNs: 40, computeInputNs: 10, computeInferNs: 200, computeOutputNs: 3 });
  const all: ModelStatisticsSnapshot[] = [resnet1.snapshot(), new ModelStatistics('resnet', '2').snapshot(), new ModelStatistics('stats', '1').snapshot()];

  const stub = {
    modelStatistics(name?: string, version?: string): ModelStatisticsSnapshot[] {
      calls.push([name, version]);
      if (name === undefined) return all;
      const ofModel = all.filter((s) => s.name === name);
      if (ofModel.length === 0) throw new InferenceError('ERR_MODEL_NOT_FOUND', `model '${name}' is not in the repository`);
      if (version === undefined) return ofModel;
      const ofVersion = ofModel.filter((s) => s.version === version);
      if (ofVersion.length === 0) throw new InferenceError('ERR_MODEL_VERSION_NOT_FOUND', `model '${name}' has no version ${version}`);
      return ofVersion;
    },
    /** No inference token is set: every call passes (the front ends ask before answering). */
    checkInferenceToken(): void {
      return undefined;
    },
    modelMetadata(name: string): ModelMetadata {
      metadataCalls.push(name);
      return { name, versions: ['1'], platform: 'onnxruntime_onnx', inputs: [], outputs: [] };
    },
  };
  return { engine: stub as unknown as InferenceServer, calls, metadataCalls, all };
}
