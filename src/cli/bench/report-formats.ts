/**
 * @module
 * Text views of a BenchReport: the results table printed at the end and the CSV of `--csv`
 * (one row per level, with the same columns in a fixed order).
 */
import type { BenchReport, LevelResult } from './bench-result.js';

const fixed = (n: number, digits = 2): string => n.toFixed(digits);

function errorsText(level: LevelResult): string {
  const entries = Object.entries(level.errors);
  return entries.length === 0 ? '-' : entries.map(([code, count]) => `${code}:${count}`).join(' ');
}

/** A fixed-width table, one row per level, latencies in ms. */
export function formatTable(report: BenchReport): string {
  const levelHeader = report.settings.mode === 'concurrency' ? 'concurrency' : 'rate/s';
  const header = [levelHeader, 'infer/s', 'req/s', 'p50', 'p90', 'p95', 'p99', 'p99.9', 'max', 'mean', 'errors', 'srv queue', 'srv infer', 'cpu%'];
  const rows = report.levels.map((l) => [
    String(l.level), fixed(l.inferencesPerSecond, 1), fixed(l.requestsPerSecond, 1),
    fixed(l.latencyMs.p50), fixed(l.latencyMs.p90), fixed(l.latencyMs.p95), fixed(l.latencyMs.p99), fixed(l.latencyMs.p999), fixed(l.latencyMs.max), fixed(l.latencyMs.mean),
    errorsText(l),
    l.server ? fixed(l.server.queueUs / 1000) : '-', l.server ? fixed(l.server.computeInferUs / 1000) : '-',
    fixed(l.clientCpuPercent, 0),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
  return [
    `model ${report.settings.model} over ${report.settings.protocol}, batch ${report.settings.batchSize}, ${report.settings.mode === 'concurrency' ? 'closed loop' : 'open loop'}; latencies in ms (srv: per request on the server)`,
    line(header),
    ...rows.map(line),
  ].join('\n');
}

const CSV_COLUMNS = [
  'mode', 'level', 'requests', 'inferences', 'duration_ms', 'requests_per_second', 'inferences_per_second',
  'latency_min_ms', 'latency_mean_ms', 'latency_p50_ms', 'latency_p90_ms', 'latency_p95_ms', 'latency_p99_ms', 'latency_p999_ms', 'latency_max_ms',
  'error_rate', 'errors', 'server_requests', 'server_queue_us', 'server_compute_input_us', 'server_compute_infer_us', 'server_compute_output_us', 'client_cpu_percent',
] as const;

function csvCell(value: string | number | undefined): string {
  if (value === undefined) return '';
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** RFC 4180 CSV with a header row; errors as `CODE:count` separated by spaces. */
export function toCsv(report: BenchReport): string {
  const rows = report.levels.map((l) => [
    report.settings.mode, l.level, l.requests, l.inferences, l.durationMs, l.requestsPerSecond, l.inferencesPerSecond,
    l.latencyMs.min, l.latencyMs.mean, l.latencyMs.p50, l.latencyMs.p90, l.latencyMs.p95, l.latencyMs.p99, l.latencyMs.p999, l.latencyMs.max,
    l.errorRate, Object.keys(l.errors).length === 0 ? '' : errorsText(l),
    l.server?.requests, l.server?.queueUs, l.server?.computeInputUs, l.server?.computeInferUs, l.server?.computeOutputUs, l.clientCpuPercent,
  ].map(csvCell).join(','));
  return `${[CSV_COLUMNS.join(','), ...rows].join('\n')}\n`;
}
