/**
 * @module
 * Link speeds as people write them. Network units are decimal (1 Mbps = 10^6 bits/s, as links
 * are sold); a lower-case b is bits and an upper-case B bytes (`Mbps` vs `MBps` or `MB/s`), since
 * they differ by 8x.
 */

/** Bits per second of each unit. KiB/s etc. are binary, for those who measure with file copies. */
const UNITS: Readonly<Record<string, number>> = {
  bps: 1, kbps: 1e3, Kbps: 1e3, Mbps: 1e6, mbps: 1e6, Gbps: 1e9, gbps: 1e9,
  'B/s': 8, 'kB/s': 8e3, 'KB/s': 8e3, 'MB/s': 8e6, 'GB/s': 8e9, Bps: 8, KBps: 8e3, MBps: 8e6, GBps: 8e9,
  'KiB/s': 8 * 1024, 'MiB/s': 8 * 1024 ** 2, 'GiB/s': 8 * 1024 ** 3,
};

export const BANDWIDTH_UNITS: readonly string[] = Object.keys(UNITS);

/**
 * `20Mbps`, `1.5 Gbps`, `500kbps`, `2MB/s` -> bits per second.
 * @throws Error naming the text when it has no number, no or an unknown unit, or is not above 0.
 */
export function parseBandwidth(text: string): number {
  const match = /^\s*(\d+(?:\.\d*)?|\.\d+)(?:e([+-]?\d+))?\s*([A-Za-z/]+)\s*$/.exec(text);
  const example = 'e.g. 20Mbps, 500kbps, 1Gbps or 2MB/s';
  if (match === null) {
    if (/^\s*[\d.]+\s*$/.test(text)) throw new Error(`bandwidth "${text}" needs a unit: ${BANDWIDTH_UNITS.join(', ')} (${example})`);
    throw new Error(`bandwidth "${text}" is not a number with a unit (${example})`);
  }
  const [, digits, exponent, unit] = match as unknown as [string, string, string | undefined, string];
  const scale = UNITS[unit];
  if (scale === undefined) {
    const near = BANDWIDTH_UNITS.find((known) => known.toLowerCase() === unit.toLowerCase());
    const hint = near === undefined ? '' : ` (did you mean ${near}? bps is bits, B/s bytes)`;
    throw new Error(`bandwidth "${text}" has unknown unit '${unit}'${hint}; units: ${BANDWIDTH_UNITS.join(', ')}`);
  }
  const value = Number(digits) * 10 ** Number(exponent ?? 0) * scale;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`bandwidth "${text}" must be above 0`);
  return value;
}

/** Bits per second -> `20 Mbps`, `1.5 Gbps`. */
export function formatBandwidth(bitsPerSecond: number): string {
  const [unit, scale] = bitsPerSecond >= 1e9 ? ['Gbps', 1e9] : bitsPerSecond >= 1e6 ? ['Mbps', 1e6] : bitsPerSecond >= 1e3 ? ['kbps', 1e3] : ['bps', 1];
  return `${Number((bitsPerSecond / scale).toPrecision(4))} ${unit}`;
}
