/**
 * @module
 * Plain-text tables with aligned columns, and the human units the inspect report uses.
 */

/** Columns whose header starts with '>' are right-aligned (numbers); the '>' is not printed. */
export function textTable(headers: readonly string[], rows: readonly (readonly string[])[], indent = '  '): string[] {
  const right = headers.map((header) => header.startsWith('>'));
  const titles = headers.map((header) => header.replace(/^>/, ''));
  const widths = titles.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]): string => indent + cells
    .map((cell, column) => (right[column] ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
    .join('  ')
    .trimEnd();
  return [line(titles), ...rows.map(line)];
}

const SI = ['', 'K', 'M', 'G', 'T', 'P'];

/** 1234567 -> "1.23 M": three significant digits with a decimal (SI) prefix. */
export function formatSi(value: number, unit = ''): string {
  let scaled = value;
  let prefix = 0;
  while (Math.abs(scaled) >= 1000 && prefix < SI.length - 1) {
    scaled /= 1000;
    prefix += 1;
  }
  const text = prefix === 0 ? String(Math.round(scaled)) : scaled.toPrecision(3);
  const suffix = `${SI[prefix]}${unit}`;
  return suffix === '' ? text : `${text} ${suffix}`;
}

export function formatFlops(flops: number): string {
  return formatSi(flops, 'FLOPs');
}

export function formatShape(dims: readonly (number | string)[]): string {
  return `[${dims.join(', ')}]`;
}

export function formatShare(fraction: number): string {
  return `${(100 * fraction).toFixed(1)}%`;
}
