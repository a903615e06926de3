/**
 * @module
 * Parsers for the flags of `wharf bench` and `wharf tune`. Every failure is a UsageError,
 * which the CLI turns into exit code 2 (bad arguments) rather than 1 (a failed run).
 */
import { InvalidArgumentError } from 'commander';

/** A bad argument: the CLI prints the message and exits with code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly exitCode = 2;
}

/** Commander's flag parser errors, marked for exit code 2 (commander uses the error's exitCode). */
function invalid(message: string): InvalidArgumentError {
  const error = new InvalidArgumentError(message);
  error.exitCode = 2;
  return error;
}

const DURATION_UNITS: Readonly<Record<string, number>> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

/** `10s`, `500ms`, `1.5s`, `2m`, `250us`; a bare number is seconds. Returns milliseconds. */
export function parseDurationMs(text: string, flag: string, allowZero = false): number {
  const match = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(us|ms|s|m)?\s*$/i.exec(text);
  const ms = match ? Number(match[1]) * DURATION_UNITS[(match[2] ?? 's').toLowerCase()]! : NaN;
  if (!Number.isFinite(ms) || ms < 0 || (!allowZero && ms === 0) || ms > 86_400_000) {
    throw invalid(`${flag} must be a duration such as 10s, 500ms or 2m${allowZero ? '' : ' (above 0)'}, got "${text}"`);
  }
  return ms;
}

export function durationOption(flag: string, allowZero = false): (value: string) => number {
  return (value) => parseDurationMs(value, flag, allowZero);
}

/** `1,4,16`: positive numbers (integers unless `fractional`), in the order given. */
export function levelsOption(flag: string, fractional = false): (value: string) => number[] {
  return (value) => {
    const levels = value.split(',').map((item) => item.trim()).filter((item) => item !== '').map(Number);
    if (levels.length === 0 || levels.some((n) => !Number.isFinite(n) || n <= 0 || (!fractional && !Number.isSafeInteger(n)))) {
      throw invalid(`${flag} must be a comma-separated list of ${fractional ? 'positive numbers' : 'positive integers'} such as 1,4,16, got "${value}"`);
    }
    return levels;
  };
}

export function positiveIntegerOption(flag: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isSafeInteger(n) || n < 1) throw invalid(`${flag} must be a positive integer, got "${value}"`);
    return n;
  };
}

export function rateOption(flag: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) throw invalid(`${flag} must be a fraction between 0 and 1 such as 0.01, got "${value}"`);
    return n;
  };
}

/** Repeatable `--shape name:1,3,224,224`, collected by input name. */
export function shapeOption(value: string, previous: Record<string, number[]> | undefined): Record<string, number[]> {
  const colon = value.lastIndexOf(':');
  const name = value.slice(0, colon);
  const dims = value.slice(colon + 1).split(',').map((d) => Number(d.trim()));
  if (colon <= 0 || dims.length === 0 || dims.some((d) => !Number.isSafeInteger(d) || d < 0)) {
    throw invalid(`--shape must be name:dims such as INPUT0:1,3,224,224 (non-negative integers), got "${value}"`);
  }
  return { ...previous, [name]: dims };
}
