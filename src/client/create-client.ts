import { GrpcClient, type GrpcClientOptions } from './grpc-client.js';
import { HttpClient } from './http-client.js';
import type { InferenceClient } from './inference-client.js';

export type ClientProtocol = 'http' | 'grpc';

/** A client for either protocol, behind the one interface. */
export function createClient(protocol: ClientProtocol, options: GrpcClientOptions): InferenceClient {
  return protocol === 'grpc' ? new GrpcClient(options) : new HttpClient(options);
}
