export { assertSafeModelName } from './model-name.js';
export { ModelRepository, type ModelVersion, type ReadyModelVersion, type RepositoryHooks, type RepositoryLogger, type VersionServer } from './model-repository.js';
export { scanRepository, type ModelSource } from './repository-scan.js';
export { selectVersions } from './version-policy.js';
