export {
  DEFAULT_GRPC_CLOSE_GRACE_MS, DEFAULT_GRPC_MAX_RECEIVE_MESSAGE_BYTES, DEFAULT_GRPC_PORT, startGrpcServer,
  type GrpcServerOptions, type RunningGrpcServer,
} from './grpc-server.js';
