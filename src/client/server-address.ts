import { InferenceError } from '../errors/index.js';

export interface ServerAddress {
  readonly secure: boolean;
  readonly host: string;
  readonly port: number;
  /** Path prefix before `/v2`, without a trailing slash (a server behind a proxy path). */
  readonly basePath: string;
}

/**
 * Reads `host:port`, `http://host:port[/prefix]`, `https://...` or `grpc://host:port`.
 * The default port is the protocol's: 8000 for HTTP, 8001 for gRPC, as Triton.
 */
export function parseServerAddress(url: string, defaultPort: number): ServerAddress {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `http://${url}`;
  let parsed: URL;
  try {
    parsed = new URL(withScheme);
  } catch {
    throw new InferenceError('ERR_INVALID_REQUEST', `"${url}" is not a server address; use host:port or a URL such as http://localhost:8000`);
  }
  if (!['http:', 'https:', 'grpc:', 'grpcs:'].includes(parsed.protocol)) {
    throw new InferenceError('ERR_INVALID_REQUEST', `"${url}": unsupported scheme ${parsed.protocol}; use http, https, grpc or grpcs`);
  }
  return {
    secure: parsed.protocol === 'https:' || parsed.protocol === 'grpcs:',
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port: parsed.port ? Number(parsed.port) : defaultPort,
    basePath: parsed.pathname.replace(/\/+$/, ''),
  };
}
