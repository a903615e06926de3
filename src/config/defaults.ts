/**
 * @module
 * Every default a model configuration is completed with, written once. Values follow Triton
 * and its ONNX Runtime backend, so a model behaves the same when moved between the servers.
 */
import type { ModelInstanceGroup, VersionPolicy } from './model-config.js';

/**
 * Platform written for ONNX models whose config names neither platform nor backend.
 * @defaultValue `"onnxruntime_onnx"`
 */
export const DEFAULT_ONNX_PLATFORM = 'onnxruntime_onnx';

/**
 * Backend written for ONNX models.
 * @defaultValue `"onnxruntime"`
 */
export const DEFAULT_ONNX_BACKEND = 'onnxruntime';

/**
 * File inside a version folder that holds an ONNX model.
 * @defaultValue `"model.onnx"`
 */
export const DEFAULT_MODEL_FILENAME = 'model.onnx';

/**
 * Highest versions served when the config has no version_policy.
 * @defaultValue `1`
 */
export const DEFAULT_NUM_VERSIONS = 1;

/**
 * Version policy of a config that sets none: the single highest version.
 * @defaultValue `{ latest: { num_versions: 1 } }`
 */
export const DEFAULT_VERSION_POLICY: VersionPolicy = Object.freeze({ latest: Object.freeze({ num_versions: DEFAULT_NUM_VERSIONS }) });

/**
 * Instances in a group that gives no count (or count 0).
 * @defaultValue `1`
 */
export const DEFAULT_INSTANCE_COUNT = 1;

/**
 * Kind of the instance group made for a config without one. Wharf runs ONNX Runtime on CPU only.
 * @defaultValue `"KIND_CPU"`
 */
export const DEFAULT_INSTANCE_KIND = 'KIND_CPU' as const;

/**
 * The instance group of a config that lists none: one CPU instance, named after the model
 * (Triton names this implicit group after the model itself).
 * @defaultValue `[{ name: "<model>", kind: "KIND_CPU", count: 1 }]`
 */
export function defaultInstanceGroups(modelName: string): readonly ModelInstanceGroup[] {
  return [{ name: modelName, kind: DEFAULT_INSTANCE_KIND, count: DEFAULT_INSTANCE_COUNT }];
}

/**
 * max_batch_size of a config that sets none, when the model file cannot batch.
 * @defaultValue `0`
 */
export const DEFAULT_MAX_BATCH_SIZE_UNBATCHED = 0;

/**
 * max_batch_size chosen when a config sets none and every tensor of the model file has a dynamic
 * first dimension (Triton's `--backend-config=onnxruntime,default-max-batch-size=4`).
 * @defaultValue `4`
 */
export const DEFAULT_MAX_BATCH_SIZE = 4;

/** All defaults in one object, for documentation and tools that print them. */
export const DEFAULTS = Object.freeze({
  platform: DEFAULT_ONNX_PLATFORM,
  backend: DEFAULT_ONNX_BACKEND,
  defaultModelFilename: DEFAULT_MODEL_FILENAME,
  versionPolicy: DEFAULT_VERSION_POLICY,
  instanceCount: DEFAULT_INSTANCE_COUNT,
  instanceKind: DEFAULT_INSTANCE_KIND,
  maxBatchSize: DEFAULT_MAX_BATCH_SIZE_UNBATCHED,
  batchableMaxBatchSize: DEFAULT_MAX_BATCH_SIZE,
});
