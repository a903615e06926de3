export { assertSafeModelName } from './model-name.js';
export {
  MODEL_CONTROL_MODES,
  type ModelControlMode, type ModelVersion, type ReadyModelVersion, type RepositoryHooks, type RepositoryLogger, type RepositoryOptions, type VersionServer,
} from './model-entry.js';
export { ModelRepository } from './model-repository.js';
export { scanRepository, type ModelSource } from './repository-scan.js';
export { selectVersions } from './version-policy.js';
