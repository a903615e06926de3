/**
 * @module
 * Runs Debian's nginx in the foreground with the configuration we ship (deploy/nginx/wharf.conf),
 * for the scale-out test and benchmark. Only the addresses in the shipped file change: the
 * `listen` lines and the `server` lines of its two upstreams. Everything nginx writes (pid, access
 * log, temporary files) stays in a prefix folder of its own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { ROOT } from '../e2e/serve-process.js';

export const NGINX_CONFIG = join(ROOT, 'deploy/nginx/wharf.conf');

/** Where nginx listens and which replicas each upstream lists, as host:port. */
export interface NginxAddresses {
  readonly httpListen: string;
  readonly grpcListen: string;
  readonly httpReplicas: readonly string[];
  readonly grpcReplicas: readonly string[];
}

/**
 * The shipped configuration with other addresses: every upstream `server` line is replaced by
 * one line per replica with the parameters of the first line (max_fails...), and the two
 * `listen` lines (the one with `http2` is gRPC) get the new listen addresses.
 */
export function renderNginxConfig(config: string, addresses: NginxAddresses): string {
  for (const [what, address] of [['httpListen', addresses.httpListen], ['grpcListen', addresses.grpcListen]] as const) checkAddress(address, what);
  let text = replaceServers(config, 'wharf_http', addresses.httpReplicas);
  text = replaceServers(text, 'wharf_grpc', addresses.grpcReplicas);
  const listens = [...text.matchAll(/^(\s*)listen\s+\S+(\s+http2)?;$/gm)];
  const plain = listens.filter((m) => m[2] === undefined);
  const http2 = listens.filter((m) => m[2] !== undefined);
  if (plain.length !== 1 || http2.length !== 1) {
    throw new Error(`the nginx config should have one \`listen <port>;\` line (HTTP) and one \`listen <port> http2;\` line (gRPC); it has ${plain.length} and ${http2.length}`);
  }
  return text.replace(/^(\s*)listen\s+\S+(\s+http2)?;$/gm, (_line, indent: string, h2?: string) => `${indent}listen ${h2 === undefined ? addresses.httpListen : addresses.grpcListen}${h2 ?? ''};`);
}

function replaceServers(config: string, upstream: string, replicas: readonly string[]): string {
  const block = new RegExp(`^(\\s*)upstream ${upstream} \\{\\n([\\s\\S]*?)^\\1\\}`, 'm').exec(config);
  if (!block) throw new Error(`the nginx config has no \`upstream ${upstream} { ... }\` block`);
  if (replicas.length === 0) throw new Error(`upstream ${upstream}: no replica address given`);
  for (const replica of replicas) checkAddress(replica, `a replica of upstream ${upstream}`);
  const body = block[2]!;
  const lines = body.split('\n');
  const server = /^(\s*)server\s+\S+(.*);$/;
  const first = lines.findIndex((line) => server.test(line));
  if (first < 0) throw new Error(`upstream ${upstream} has no \`server\` line to take the parameters from`);
  const [, indent, parameters] = server.exec(lines[first]!)!;
  // The new lines go where the first old one was, so the order of the block stays as shipped.
  const newBody = lines.flatMap((line, i) => {
    if (!server.test(line)) return [line];
    return i === first ? replicas.map((replica) => `${indent}server ${replica}${parameters};`) : [];
  }).join('\n');
  const start = block.index + block[0].indexOf(body);
  return `${config.slice(0, start)}${newBody}${config.slice(start + body.length)}`;
}

function checkAddress(address: string, what: string): void {
  const match = /^(?:\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-f:]+\]|[a-z0-9.-]+):(\d{1,5})$/i.exec(address);
  if (!match || Number(match[1]) < 1 || Number(match[1]) > 65535) {
    throw new Error(`${what}: "${address}" is not a host:port address (such as 127.0.0.1:8100)`);
  }
}

/** The nginx binary on PATH or in /usr/sbin (not on a normal user's PATH in Debian), if any. */
export function findNginx(): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), '/usr/sbin', '/usr/local/sbin'];
  return dirs.map((dir) => join(dir, 'nginx')).find((file) => existsSync(file));
}

/**
 * `count` different TCP ports of 127.0.0.1 that were free a moment ago (nginx cannot listen on
 * port 0 and say which port it got). They are held open together, so no two are the same.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer());
  try {
    return await Promise.all(servers.map((server) => new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        if (typeof address === 'object' && address) resolve(address.port);
        else reject(new Error('a TCP server on port 0 has no port'));
      });
    })));
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

/** One line of the access log (the shipped `wharf` log_format). */
export interface AccessLogLine {
  readonly request: string;
  readonly status: number;
  /** The replicas tried, in order: `127.0.0.1:8100, 127.0.0.1:8200`. */
  readonly upstream: string;
  /** What each of them answered: `503, 200`; 502 when the connection failed. */
  readonly upstream_status: string;
}

export interface Nginx {
  readonly child: ChildProcess;
  readonly prefix: string;
  /** Everything nginx wrote to stderr (its error log). */
  stderr(): string;
  /** Resolves with the exit code (null when a signal ended the master). */
  exited(): Promise<number | null>;
  /** Graceful stop (SIGQUIT): open requests finish, the access log is flushed; SIGKILL after 10 s. */
  stop(): Promise<void>;
  /** The access log, once stop() has flushed it. */
  accessLog(): Promise<AccessLogLine[]>;
}

const running: ChildProcess[] = [];

/**
 * Writes `config` to `<prefix>/nginx.conf` and runs `nginx -p <prefix> -c ... -g 'daemon off;'`
 * in its own process group (so that its workers can be killed with it). Resolves once nginx
 * answers on `httpListen`.
 */
export async function startNginx(nginx: string, prefix: string, config: string, httpListen: string): Promise<Nginx> {
  await mkdir(join(prefix, 'logs'), { recursive: true });
  // Under root the workers run as nobody, and must get into the prefix for the temporary files
  // (so must every folder above it: the caller sees to those).
  await chmod(prefix, 0o755);
  const file = join(prefix, 'nginx.conf');
  await writeFile(file, config);
  const child = spawn(nginx, ['-p', prefix, '-e', 'stderr', '-c', file, '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  running.push(child);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const exit = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const handle: Nginx = {
    child,
    prefix,
    stderr: () => stderr,
    exited: () => exit,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGQUIT');
      const timer = setTimeout(() => killGroup(child), 10_000);
      await exit;
      clearTimeout(timer);
    },
    accessLog: async () => {
      const text = await readFile(join(prefix, 'logs/access.log'), 'utf8').catch(() => '');
      return text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as AccessLogLine);
    },
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode} at start:\n${stderr}`);
    try {
      const response = await fetch(`http://${httpListen}/v2/health/live`);
      await response.arrayBuffer();
      return handle;
    } catch {
      if (Date.now() > deadline) {
        killGroup(child);
        throw new Error(`nginx did not answer on ${httpListen} within 20 s:\n${stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // The group is gone already.
  }
}

/** Kills every nginx (master and workers) a test left running; for after(). */
export function killAllNginx(): void {
  for (const child of running) killGroup(child);
}

/** The shipped configuration file's text. */
export function shippedNginxConfig(): string {
  return readFileSync(NGINX_CONFIG, 'utf8');
}
