import { InvalidArgumentError, Option } from 'commander';
import { createClient, type ClientProtocol, type InferenceClient } from '../client/index.js';

/** A commander parser for integer flags within a range, naming the flag in its error. */
export function integerOption(flag: string, min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    const parsed = Number(value);
    if (value.trim() === '' || !Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
      throw new InvalidArgumentError(`${flag} must be an integer between ${min} and ${max}, got "${value}"`);
    }
    return parsed;
  };
}

/** `--url` and `--protocol`, shared by the commands that talk to a running server. */
export function serverOptions(): Option[] {
  return [
    new Option('-u, --url <url>', 'server address: host:port or a URL (default localhost:8000 for HTTP, localhost:8001 for gRPC)').env('WHARF_URL'),
    new Option('--protocol <protocol>', 'protocol to the server').env('WHARF_PROTOCOL').choices(['http', 'grpc']).default('http'),
  ];
}

export interface ServerConnectionOptions {
  url?: string;
  protocol: ClientProtocol;
}

export function connect(options: ServerConnectionOptions): InferenceClient {
  return createClient(options.protocol, { url: options.url ?? (options.protocol === 'grpc' ? 'localhost:8001' : 'localhost:8000') });
}
