import { InvalidArgumentError } from 'commander';

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
