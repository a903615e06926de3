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

/**
 * A commander parser for flags counting seconds: a positive decimal number, at most what
 * setTimeout can wait (about 24.8 days; above that Node fires the timer after 1 ms).
 */
export function secondsOption(flag: string): (value: string) => number {
  return (value) => {
    const parsed = Number(value);
    if (value.trim() === '' || !Number.isFinite(parsed) || parsed <= 0 || parsed > MAX_TIMER_SECONDS) {
      throw new InvalidArgumentError(`${flag} must be a number of seconds above 0 and at most ${MAX_TIMER_SECONDS}, got "${value}"`);
    }
    return parsed;
  };
}

const MAX_TIMER_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

/** A commander parser for a size in bytes (see parseByteSize), naming the flag in its error. */
export function byteSizeOption(flag: string): (value: string) => number {
  return (value) => {
    try {
      return parseByteSize(value);
    } catch (error) {
      throw new InvalidArgumentError(`${flag} ${(error as Error).message}`);
    }
  };
}

/**
 * A repeatable flag whose values may also be comma-separated lists, which is how its
 * environment variable carries several (WHARF_LOAD_MODEL=a,b). Empty items are dropped.
 */
export function listOption(value: string, previous: readonly string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(',').map((item) => item.trim()).filter((item) => item !== '')];
}

/**
 * Byte multipliers by unit, matched without regard to case. SI units count in powers of 1000 and
 * IEC ones in powers of 1024; the bare letters are Kubernetes' spelling of the same
 * (`512Mi`, `2G`), so a budget can be copied from a pod's memory limit.
 */
const BYTE_UNITS: Readonly<Record<string, number>> = {
  b: 1,
  k: 1e3, kb: 1e3, m: 1e6, mb: 1e6, g: 1e9, gb: 1e9, t: 1e12, tb: 1e12,
  ki: 2 ** 10, kib: 2 ** 10, mi: 2 ** 20, mib: 2 ** 20, gi: 2 ** 30, gib: 2 ** 30, ti: 2 ** 40, tib: 2 ** 40,
};

/**
 * Reads a size in bytes: a whole number of bytes (`1073741824`) or a number and a unit
 * (`512MiB`, `2GiB`, `1.5GB`, `512 Mi`; see BYTE_UNITS). A fractional result is rounded to
 * the nearest byte.
 * @throws RangeError saying what is wrong, for anything else and for sizes of 0 or above 2^53 - 1.
 */
export function parseByteSize(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*([a-z]*)\s*$/i.exec(text);
  const expected = 'must be a size in bytes such as 1073741824, 512MiB, 2GiB or 1.5GB';
  if (!match) throw new RangeError(`${expected}, got ${JSON.stringify(text)}`);
  const number = match[1]!;
  const unit = match[2]!;
  const multiplier = unit === '' ? 1 : BYTE_UNITS[unit.toLowerCase()];
  if (multiplier === undefined) {
    throw new RangeError(`${expected}; unknown unit "${unit}" in ${JSON.stringify(text)} (known: B; KB, MB, GB, TB in powers of 1000; KiB, MiB, GiB, TiB in powers of 1024; K, M, G, T, Ki, Mi, Gi, Ti as Kubernetes writes them)`);
  }
  if (unit === '' && number.includes('.')) throw new RangeError(`${expected}; a size without a unit is a whole number of bytes, got ${JSON.stringify(text)}`);
  const bytes = Math.round(Number(number) * multiplier);
  if (bytes < 1) throw new RangeError(`must be at least 1 byte, got ${JSON.stringify(text)}`);
  if (!Number.isSafeInteger(bytes)) throw new RangeError(`must be at most ${Number.MAX_SAFE_INTEGER} bytes, got ${JSON.stringify(text)}`);
  return bytes;
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
