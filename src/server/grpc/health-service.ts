/**
 * @module
 * grpc.health.v1.Health/Check (gRPC health checking protocol), for Kubernetes gRPC probes and
 * load balancers. Watch is left to grpc-js, which answers UNIMPLEMENTED; probes poll Check.
 */
import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import type { InferenceServer, Logger } from '../../engine/index.js';
import { INFERENCE_SERVICE_NAME, type HealthCheckRequestMessage, type HealthCheckResponseMessage } from '../../protocol/index.js';
import { unaryHandler } from './grpc-handlers.js';

/**
 * `service` '' (the whole server) or the inference service's name: SERVING when the server is
 * ready. Any other name is taken as a model name: SERVING when the server and that model are
 * ready; an unknown model fails with NOT_FOUND, which is what the health protocol asks of Check
 * for an unknown service.
 */
export function healthServiceHandlers(engine: InferenceServer, logger: Logger): UntypedServiceImplementation {
  return {
    Check: unaryHandler<HealthCheckRequestMessage, HealthCheckResponseMessage>(logger, 'Health/Check', (request) => {
      const service = request.service ?? '';
      const serverOnly = service === '' || service === INFERENCE_SERVICE_NAME;
      // The model lookup comes first so that an unknown name is NOT_FOUND whatever the server state.
      const modelReady = serverOnly || engine.isModelReady(service);
      return { status: modelReady && engine.isReady() ? 'SERVING' : 'NOT_SERVING' };
    }),
  };
}
