// Rows, console lines and the markdown table of bench/suite.ts.
import type { LoopResult } from './closed-loop.js';

export interface Cell {
  readonly model: string;
  readonly path: string;
  readonly concurrency: number;
  readonly result: LoopResult;
  /** Inferences (batch rows) per request. */
  readonly rows: number;
}

const COLUMNS = ['model', 'path', 'in flight', 'req/s', 'inf/s', 'p50 ms', 'p99 ms', 'vs ceiling'] as const;
const WIDTHS = [6, 34, 9, 9, 9, 9, 9, 10];

function fields(cell: Cell, ceiling: number | undefined): string[] {
  const { requestsPerSecond, p50Ms, p99Ms } = cell.result;
  return [
    cell.model,
    cell.path,
    String(cell.concurrency),
    requestsPerSecond.toFixed(0),
    (requestsPerSecond * cell.rows).toFixed(0),
    p50Ms.toFixed(3),
    p99Ms.toFixed(3),
    ceiling ? `${(requestsPerSecond * cell.rows / ceiling).toFixed(2)}x` : '',
  ];
}

export function consoleHeader(): string {
  return COLUMNS.map((c, i) => (i < 2 ? c.padEnd(WIDTHS[i]!) : c.padStart(WIDTHS[i]!))).join(' ');
}

export function consoleRow(cell: Cell, ceiling: number | undefined): string {
  return fields(cell, ceiling).map((f, i) => (i < 2 ? f.padEnd(WIDTHS[i]!) : f.padStart(WIDTHS[i]!))).join(' ');
}

/** One markdown table over every cell; `ceilings` maps a model to its best raw inferences/s. */
export function markdownTable(cells: readonly Cell[], ceilings: ReadonlyMap<string, number>): string {
  const lines = [`| ${COLUMNS.join(' | ')} |`, `|${COLUMNS.map((_, i) => (i < 2 ? ' --- ' : ' ---: ')).join('|')}|`];
  for (const cell of cells) lines.push(`| ${fields(cell, ceilings.get(cell.model)).join(' | ')} |`);
  return lines.join('\n');
}
