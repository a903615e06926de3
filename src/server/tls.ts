/**
 * @module
 * The key and certificate both front ends serve TLS with (`wharf serve --tls-cert --tls-key`).
 */
import { readFile } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';

/** PEM text of a private key and its certificate chain (the server's certificate first). */
export interface TlsFiles {
  readonly key: Buffer;
  readonly cert: Buffer;
}

/**
 * Reads the key and certificate files, or nothing when neither is given. Both or neither: one
 * alone is refused rather than silently serving plain text. The pair is checked here, so a key
 * that does not match the certificate fails at start-up, naming the files, not at the first handshake.
 * @throws Error naming the flag and the file that is missing, unreadable or not PEM.
 */
export async function readTlsFiles(certFile: string | undefined, keyFile: string | undefined): Promise<TlsFiles | undefined> {
  if (certFile === undefined && keyFile === undefined) return undefined;
  if (certFile === undefined || keyFile === undefined) {
    throw new Error(`TLS needs both --tls-cert and --tls-key (WHARF_TLS_CERT, WHARF_TLS_KEY); only ${certFile === undefined ? '--tls-key' : '--tls-cert'} was given`);
  }
  const [cert, key] = await Promise.all([readPem('--tls-cert', certFile), readPem('--tls-key', keyFile)]);
  try {
    createSecureContext({ key, cert });
  } catch (error) {
    throw new Error(`the TLS key ${keyFile} and certificate ${certFile} cannot be used together: ${(error as Error).message}`, { cause: error });
  }
  return { key, cert };
}

async function readPem(flag: string, file: string): Promise<Buffer> {
  let text: Buffer;
  try {
    text = await readFile(file);
  } catch (error) {
    throw new Error(`cannot read the ${flag} file ${file}: ${(error as Error).message}`, { cause: error });
  }
  if (!text.includes('-----BEGIN ')) throw new Error(`the ${flag} file ${file} is not PEM (no "-----BEGIN" line)`);
  return text;
}
