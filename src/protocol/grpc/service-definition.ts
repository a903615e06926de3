/**
 * @module
 * Loads proto/grpc_service.proto (which imports model_config.proto) and proto/health.proto with
 * the shared GRPC_LOADER_OPTIONS. The one place gRPC peers read the .proto files, so the server,
 * the client and the tests all (de)serialize with the same definitions and options.
 */
import { dirname, join } from 'node:path';
import { loadSync, type PackageDefinition } from '@grpc/proto-loader';
import { findProjectFile } from '../../core/index.js';
import { GRPC_LOADER_OPTIONS } from './messages.js';

export const INFERENCE_SERVICE_NAME = 'inference.GRPCInferenceService';
export const HEALTH_SERVICE_NAME = 'grpc.health.v1.Health';

const PROTO_FILES = ['grpc_service.proto', 'health.proto'];

let cached: PackageDefinition | undefined;

/**
 * The package definition of both services, loaded once. The proto folder is found by walking up
 * from this module (dist/src/protocol/grpc/ in a clone, the package root when installed); it is
 * also the include path, so `import "model_config.proto"` resolves beside grpc_service.proto.
 */
export function loadGrpcPackageDefinition(): PackageDefinition {
  cached ??= loadSync(PROTO_FILES, { ...GRPC_LOADER_OPTIONS, includeDirs: [dirname(findProjectFile(join('proto', PROTO_FILES[0]!)))] });
  return cached;
}
