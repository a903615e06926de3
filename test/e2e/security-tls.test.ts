// TLS (--tls-cert, --tls-key) on HTTP and gRPC with a self-signed certificate made at test
// time: clients that trust it (the `ca` option) connect, others and plain-text clients are
// refused; a missing half, an unreadable file or a mismatched pair stops start-up, naming it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { InferenceServer } from '../../src/engine/index.js';
import { startGrpcServer, type RunningGrpcServer } from '../../src/server/grpc/index.js';
import { startHttpServer, type RunningHttpServer } from '../../src/server/http/index.js';
import { readTlsFiles } from '../../src/server/tls.js';
import { GrpcClient, HttpClient } from '../../src/client/index.js';
import { InferenceError } from '../../src/errors/index.js';
import { makeTempDir } from '../support/server-harness.js';
import { writeAddSubModel } from '../support/test-models.js';
import { makeSelfSignedCertificate, type TestCertificate } from '../support/tls-cert.js';
import { CLI, ROOT, killAll, startServe } from './serve-process.js';

const run = promisify(execFile);

const INFER_INPUT = {
  modelName: 'add_sub',
  inputs: [
    { name: 'INPUT0', datatype: 'FP32' as const, shape: [1, 4], data: new Float32Array([1, 2, 3, 4]) },
    { name: 'INPUT1', datatype: 'FP32' as const, shape: [1, 4], data: new Float32Array([1, 1, 1, 1]) },
  ],
};

let tmp: { dir: string; cleanup: () => Promise<void> };
let certificate: TestCertificate;

before(async () => {
  tmp = await makeTempDir('wharf-tls-');
  certificate = await makeSelfSignedCertificate(tmp.dir);
});
after(async () => {
  killAll();
  await tmp.cleanup();
});

const unreachable = (pattern: RegExp) => (error: unknown): boolean => error instanceof InferenceError && error.code === 'ERR_SERVER_UNREACHABLE' && pattern.test(error.message);

describe('TLS on the HTTP and gRPC servers', () => {
  let engine: InferenceServer;
  let http: RunningHttpServer;
  let grpc: RunningGrpcServer;

  before(async () => {
    const repository = join(tmp.dir, 'models');
    await writeAddSubModel(repository);
    engine = await InferenceServer.open({ modelRepository: repository });
    const tls = await readTlsFiles(certificate.certFile, certificate.keyFile);
    http = await startHttpServer(engine, { host: '127.0.0.1', port: 0, ...(tls ? { tls } : {}) });
    grpc = await startGrpcServer(engine, { host: '127.0.0.1', port: 0, ...(tls ? { tls } : {}) });
  });
  after(async () => {
    await Promise.all([http.close(), grpc.close()]);
    await engine.close();
  });

  it('serves HTTPS to a client that trusts the certificate', async () => {
    assert.match(http.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const client = new HttpClient({ url: http.url, ca: certificate.cert });
    try {
      assert.equal(await client.isServerReady(), true);
      assert.deepEqual([...(await client.infer(INFER_INPUT)).outputs[0]!.data as Float32Array], [2, 3, 4, 5]);
    } finally {
      client.close();
    }
  });

  it('refuses an HTTPS client that does not trust it, and plain HTTP', async () => {
    const untrusting = new HttpClient({ url: http.url, timeoutMs: 5000 });
    const plain = new HttpClient({ url: http.url.replace('https:', 'http:'), timeoutMs: 5000 });
    try {
      await assert.rejects(untrusting.isServerLive(), unreachable(/self[- ]signed certificate/i));
      // The server reads the plain request as a bad TLS handshake and closes the connection.
      await assert.rejects(plain.isServerLive(), unreachable(/ECONNRESET|socket hang up/));
    } finally {
      untrusting.close();
      plain.close();
    }
  });

  it('serves gRPC over TLS to a grpcs:// client that trusts the certificate', async () => {
    const client = new GrpcClient({ url: `grpcs://${grpc.address}`, ca: certificate.cert });
    try {
      assert.equal(await client.isServerLive(), true);
      assert.deepEqual([...(await client.infer(INFER_INPUT)).outputs[1]!.data as Float32Array], [0, 1, 2, 3]);
    } finally {
      client.close();
    }
  });

  it('refuses a gRPC client that does not trust it, and a plain-text one', async () => {
    const untrusting = new GrpcClient({ url: `grpcs://${grpc.address}`, timeoutMs: 5000 });
    const plain = new GrpcClient({ url: `grpc://${grpc.address}`, timeoutMs: 5000 });
    try {
      await assert.rejects(untrusting.isServerLive(), (error: unknown) => error instanceof InferenceError && ['ERR_SERVER_UNREACHABLE', 'ERR_TIMEOUT'].includes(error.code));
      await assert.rejects(plain.isServerLive(), (error: unknown) => error instanceof InferenceError && ['ERR_SERVER_UNREACHABLE', 'ERR_TIMEOUT'].includes(error.code));
    } finally {
      untrusting.close();
      plain.close();
    }
  });
});

describe('readTlsFiles', () => {
  it('reads nothing when neither file is given', async () => {
    assert.equal(await readTlsFiles(undefined, undefined), undefined);
  });

  it('refuses one half without the other', async () => {
    await assert.rejects(readTlsFiles(certificate.certFile, undefined), { message: 'TLS needs both --tls-cert and --tls-key (WHARF_TLS_CERT, WHARF_TLS_KEY); only --tls-cert was given' });
    await assert.rejects(readTlsFiles(undefined, certificate.keyFile), { message: 'TLS needs both --tls-cert and --tls-key (WHARF_TLS_CERT, WHARF_TLS_KEY); only --tls-key was given' });
  });

  it('names a file it cannot read, or that is not PEM', async () => {
    const missing = join(tmp.dir, 'missing.pem');
    await assert.rejects(readTlsFiles(missing, certificate.keyFile), (error: Error) => error.message.startsWith(`cannot read the --tls-cert file ${missing}: ENOENT`));
    const text = join(tmp.dir, 'text.pem');
    await writeFile(text, 'not a key\n');
    await assert.rejects(readTlsFiles(certificate.certFile, text), { message: `the --tls-key file ${text} is not PEM (no "-----BEGIN" line)` });
  });

  it('refuses a key that does not belong to the certificate', async () => {
    const other = await makeSelfSignedCertificate(tmp.dir, 'other');
    await assert.rejects(readTlsFiles(certificate.certFile, other.keyFile), (error: Error) =>
      error.message.startsWith(`the TLS key ${other.keyFile} and certificate ${certificate.certFile} cannot be used together: `));
  });
});

describe('wharf serve --tls-cert --tls-key', () => {
  it('serves HTTPS and gRPC over TLS, the files coming from WHARF_TLS_CERT and WHARF_TLS_KEY', { timeout: 30_000 }, async () => {
    const server = startServe(join(ROOT, 'examples/models'), ['--allow-metrics', 'false'], { WHARF_TLS_CERT: certificate.certFile, WHARF_TLS_KEY: certificate.keyFile });
    const { http, grpc } = await server.addresses();
    assert.match(http, /^https:/);
    const httpClient = new HttpClient({ url: http, ca: certificate.cert });
    const grpcClient = new GrpcClient({ url: `grpcs://${grpc}`, ca: certificate.cert });
    try {
      assert.equal(await httpClient.isServerLive(), true);
      assert.equal(await grpcClient.isServerLive(), true);
    } finally {
      httpClient.close();
      grpcClient.close();
    }
    server.child.kill('SIGTERM');
    assert.equal(await server.exited(), 0);
  });

  it('stops before listening when a half is missing or a file cannot be read', async () => {
    const serve = (args: readonly string[]) => run(process.execPath, [CLI, 'serve', '-r', join(ROOT, 'examples/models'), '--http-port', '0', '--grpc-port', '0', '--allow-metrics', 'false', '--host', '127.0.0.1', ...args])
      .then(() => assert.fail('wharf serve should fail'), (error: { code: number; stdout: string; stderr: string }) => error);
    const half = await serve(['--tls-cert', certificate.certFile]);
    assert.equal(half.code, 1);
    assert.match(half.stderr, /TLS needs both --tls-cert and --tls-key \(WHARF_TLS_CERT, WHARF_TLS_KEY\); only --tls-cert was given/);
    assert.doesNotMatch(half.stdout + half.stderr, /listening/);
    const missing = await serve(['--tls-cert', join(tmp.dir, 'nope.pem'), '--tls-key', certificate.keyFile]);
    assert.match(missing.stderr, /cannot read the --tls-cert file .*nope\.pem: ENOENT/);
  });
});
