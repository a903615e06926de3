// Optional second load generator: wrk (Debian package `wrk`), a C client that costs the server's
// 2 cores far less than a Node client does. Used by bench/batching.ts when wrk is on PATH.
import { execFile, spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

export function wrkAvailable(): boolean {
  return spawnSync('wrk', ['--version']).error === undefined;
}

export interface WrkResult {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
}

/** POSTs `body` with `headers` over `connections` keep-alive connections for `durationMs`. */
export async function wrkPost(url: string, body: Uint8Array, headers: Record<string, string>, options: { connections: number; durationMs: number; scriptPath: string }): Promise<WrkResult> {
  // Lua decimal escapes carry any byte, so binary bodies survive the script.
  const escaped = Array.from(body, (b) => `\\${String(b).padStart(3, '0')}`).join('');
  const headerLines = Object.entries(headers).map(([k, v]) => `wrk.headers["${k}"] = "${v}"`).join('\n');
  await writeFile(options.scriptPath, `wrk.method = "POST"\n${headerLines}\nwrk.body = "${escaped}"\n`);
  const { stdout } = await run('wrk', ['-t1', `-c${options.connections}`, `-d${Math.max(1, Math.round(options.durationMs / 1000))}s`, '--latency', '-s', options.scriptPath, url]);
  const ms = (label: string): number => {
    const match = new RegExp(`${label}\\s+([\\d.]+)(us|ms|s)`).exec(stdout);
    if (!match) return NaN;
    const value = Number(match[1]);
    return match[2] === 'us' ? value / 1000 : match[2] === 's' ? value * 1000 : value;
  };
  const errors = Number(/Non-2xx or 3xx responses: (\d+)/.exec(stdout)?.[1] ?? 0) + Number(/Socket errors: connect (\d+)/.exec(stdout)?.[1] ?? 0);
  return { requestsPerSecond: Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? NaN), p50Ms: ms('50%'), p99Ms: ms('99%'), errors };
}
