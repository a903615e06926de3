export { assertSafeModelName } from './model-name.js';
export { ModelRepository, type ModelVersion, type ReadyModelVersion, type RepositoryLogger } from './model-repository.js';
export { scanRepository, type ModelSource } from './repository-scan.js';
export { selectVersions } from './version-policy.js';
