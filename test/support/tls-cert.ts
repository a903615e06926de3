/**
 * @module
 * A throw-away self-signed certificate for the TLS tests, made with the `openssl` command
 * (.ci/run installs it when missing): node:crypto makes keys but not certificates.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestCertificate {
  readonly certFile: string;
  readonly keyFile: string;
  /** The certificate's PEM text: clients trust it as their CA. */
  readonly cert: string;
}

/** Writes `cert.pem` and `key.pem` (P-256, valid one day, for localhost and 127.0.0.1) into `dir`. */
export async function makeSelfSignedCertificate(dir: string, name = 'server'): Promise<TestCertificate> {
  const certFile = join(dir, `${name}-cert.pem`);
  const keyFile = join(dir, `${name}-key.pem`);
  await run('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout', keyFile, '-out', certFile,
  ]);
  return { certFile, keyFile, cert: await readFile(certFile, 'utf8') };
}
