/**
 * @module
 * `wharf bench --report FILE.html`: one self-contained page (inline CSS and SVG, no script, no network) showing a BenchReport:
 * the run's settings and machine, throughput against latency, each level's latency by percentile, and every figure in a table.
 * The report itself is embedded as JSON in `<script type="application/json" id="wharf-bench-data">` for tools to read back.
 */
import type { BenchReport, LevelResult } from './bench-result.js';
import { renderLineChart, type AxisTick, type ChartSeries } from './html-chart.js';
import { escapeHtml, jsonForScript } from './html-escape.js';
import { REPORT_CSS } from './html-style.js';

/** Id of the element holding the report as JSON: `JSON.parse(document.getElementById(BENCH_DATA_ELEMENT_ID).textContent)`. */
export const BENCH_DATA_ELEMENT_ID = 'wharf-bench-data';

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'] as const;

const numberFormats = new Map<number, Intl.NumberFormat>();
/** A figure for the page: grouped thousands, fixed decimals, and a dash for NaN or Infinity. */
function num(value: number, decimals = 0): string {
  if (!Number.isFinite(value)) return '–';
  let format = numberFormats.get(decimals);
  if (format === undefined) {
    format = new Intl.NumberFormat('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
    numberFormats.set(decimals, format);
  }
  return format.format(value);
}

function levelName(report: BenchReport, level: number): string {
  return report.settings.mode === 'concurrency' ? `concurrency ${level}` : `${level} req/s`;
}

function definitionList(rows: readonly (readonly [string, string])[]): string {
  return `<dl>${rows.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>`;
}

function renderHeader(report: BenchReport): string {
  const s = report.settings;
  const m = report.machine;
  const model = s.modelVersion === undefined ? s.model : `${s.model} (version ${s.modelVersion})`;
  const shapes = Object.entries(s.shapes).map(([name, shape]) => `${name}=${shape.join('x')}`).join(', ');
  const measure = s.durationMs !== undefined ? `${num(s.durationMs)} ms per level` : s.requests !== undefined ? `${num(s.requests)} requests per level` : '–';
  const settings: [string, string][] = [
    ['model', model],
    ['url', s.url],
    ['protocol', s.protocol === 'http' ? `http (${s.jsonTensors ? 'JSON tensors' : 'binary tensors'})` : s.protocol],
    ['mode', s.mode],
    [s.mode === 'concurrency' ? 'concurrency levels' : 'request rates (req/s)', s.levels.join(', ')],
    ['measurement', measure],
    ['warm-up', `${num(s.warmupMs)} ms`],
    ['batch size', String(s.batchSize)],
    ['input data', s.inputData],
    ['shapes', shapes === '' ? '–' : shapes],
    ['max error rate', `${num(s.maxErrorRate * 100, 2)} %`],
  ];
  const machine: [string, string][] = [
    ['cpu', m.cpuModel],
    ['cores', String(m.cpus)],
    ['memory', `${num(m.totalMemoryBytes / 2 ** 30, 1)} GiB`],
    ['platform', m.platform],
    ['node', m.node],
    ['wharf', m.wharfVersion],
    ['started at', report.startedAt],
  ];
  return [
    '<header>',
    `<h1>wharf bench: ${escapeHtml(model)}</h1>`,
    `<p class="subtitle">${escapeHtml(`${s.protocol} · ${s.mode} · ${report.levels.length} level${report.levels.length === 1 ? '' : 's'} · ${report.startedAt}`)}</p>`,
    '<div class="meta">',
    `<section><h2>Settings</h2>${definitionList(settings)}</section>`,
    `<section><h2>Machine</h2>${definitionList(machine)}</section>`,
    '</div>',
    '</header>',
  ].join('\n');
}

function renderThroughputChart(report: BenchReport): string {
  const series = (name: string, color: string, pick: (l: LevelResult) => number): ChartSeries => ({
    name,
    color,
    points: report.levels.map((l) => ({
      x: l.inferencesPerSecond,
      y: pick(l),
      label: String(l.level),
      title: `${levelName(report, l.level)}: ${num(l.inferencesPerSecond, 1)} infer/s, ${name} ${num(pick(l), 2)} ms`,
    })),
  });
  return renderLineChart({
    id: 'throughput-latency',
    title: `Throughput vs latency (points labelled by ${report.settings.mode === 'concurrency' ? 'concurrency' : 'request rate'})`,
    xLabel: 'inferences / s',
    yLabel: 'latency (ms)',
    markers: true,
    series: [series('p50', PALETTE[0], (l) => l.latencyMs.p50), series('p99', PALETTE[1], (l) => l.latencyMs.p99)],
  });
}

/** Percentile on the "nines" scale: 0 → 0, 90 → 1, 99 → 2, 99.9 → 3. */
export function nines(percentile: number): number {
  return 0 - Math.log10(1 - percentile / 100); // not -log10: nines(0) would be -0
}

/**
 * The x axis of the percentile charts: 0, 50, 90, 99, … up to the largest finite percentile, plus one more decade for the
 * 100th percentile (the maximum), which the nines scale would put at infinity.
 */
function ninesAxis(levels: readonly LevelResult[]): { ticks: AxisTick[]; x: (p: number) => number } {
  const all = levels.flatMap((l) => l.percentiles.map(([p]) => p)).filter((p) => Number.isFinite(p) && p >= 0);
  const finiteNines = all.filter((p) => p < 100).map(nines);
  const top = Math.max(2, Math.ceil(Math.max(0, ...finiteNines) - 1e-9));
  const ticks: AxisTick[] = [{ value: 0, label: '0' }, { value: nines(50), label: '50' }];
  for (let k = 1; k <= top; k++) ticks.push({ value: k, label: (100 - 100 / 10 ** k).toFixed(Math.max(0, k - 2)) });
  const hasMax = all.some((p) => p >= 100);
  if (hasMax) ticks.push({ value: top + 1, label: '100' });
  return { ticks, x: (p) => (p >= 100 ? top + 1 : nines(p)) };
}

function renderPercentileCharts(report: BenchReport): string {
  const axis = ninesAxis(report.levels);
  // One y scale for all levels, so the small charts compare at a glance.
  const yMax = Math.max(0, ...report.levels.flatMap((l) => l.percentiles.map(([, ms]) => ms)).filter(Number.isFinite));
  const charts = report.levels.map((l, i) => renderLineChart({
    id: `percentiles-${i}`,
    title: levelName(report, l.level),
    xLabel: 'percentile',
    yLabel: 'latency (ms)',
    markers: false,
    xTicks: axis.ticks,
    yMax,
    width: 420,
    height: 260,
    series: [{
      name: levelName(report, l.level),
      color: PALETTE[i % PALETTE.length]!,
      points: l.percentiles.map(([p, ms]) => ({ x: axis.x(p), y: ms })),
    }],
  }));
  return charts.length === 0 ? '<p class="empty">No levels were measured.</p>' : `<div class="charts">\n${charts.join('\n')}\n</div>`;
}

function errorsText(errors: Readonly<Record<string, number>>): string {
  const entries = Object.entries(errors).filter(([, n]) => n !== 0);
  return entries.length === 0 ? '–' : entries.map(([code, n]) => `${code}: ${num(n)}`).join(', ');
}

const TABLE_HEAD = [
  'level', 'requests', 'requests/s', 'inferences/s', 'p50', 'p90', 'p95', 'p99', 'p99.9', 'max',
  'error rate', 'errors', 'queue', 'input', 'infer', 'output', 'client CPU',
] as const;

function renderTable(report: BenchReport): string {
  const rows = report.levels.map((l) => {
    const t = l.latencyMs;
    const server = l.server;
    const us = (v: number | undefined): string => (v === undefined ? '–' : num(v));
    const failed = l.errorRate > report.settings.maxErrorRate;
    const cells = [
      num(l.level), num(l.requests), num(l.requestsPerSecond, 1), num(l.inferencesPerSecond, 1),
      num(t.p50, 2), num(t.p90, 2), num(t.p95, 2), num(t.p99, 2), num(t.p999, 2), num(t.max, 2),
      `${num(l.errorRate * 100, 2)} %`, errorsText(l.errors),
      us(server?.queueUs), us(server?.computeInputUs), us(server?.computeInferUs), us(server?.computeOutputUs),
      `${num(l.clientCpuPercent, 0)} %`,
    ];
    return `<tr${failed ? ' class="failed"' : ''}>${cells.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`;
  });
  const body = rows.length === 0 ? `<tr><td colspan="${TABLE_HEAD.length}">No levels were measured.</td></tr>` : rows.join('\n');
  return [
    '<div class="scroll"><table>',
    '<thead>',
    '<tr><th rowspan="2">level</th><th colspan="3">throughput</th><th colspan="6">latency (ms)</th><th colspan="2">errors</th><th colspan="4">server, per request (µs)</th><th rowspan="2">client CPU</th></tr>',
    `<tr>${TABLE_HEAD.slice(1, -1).map((h) => `<th>${escapeHtml(h === 'errors' ? 'by code' : h)}</th>`).join('')}</tr>`,
    '</thead>',
    `<tbody>\n${body}\n</tbody>`,
    '</table></div>',
    '<p class="note">Latency is of successful requests; in request-rate mode it is measured from the intended send time. Server figures come from the statistics extension (– when the server has none). Client CPU is the load generator\'s own use, in percent of one core. Rows in red failed the max error rate.</p>',
  ].join('\n');
}

/**
 * The whole HTML page for a bench run. Every text from the report is escaped; the page loads nothing (a Content-Security-Policy
 * forbids it) and runs no script. The embedded JSON is what `--json` writes, so NaN reads back as null and undefined fields are absent.
 */
export function renderHtmlReport(report: BenchReport): string {
  const title = `wharf bench: ${report.settings.model}`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${REPORT_CSS}</style>`,
    '</head>',
    '<body>',
    renderHeader(report),
    '<main>',
    `<section id="throughput"><h2>Throughput vs latency</h2>\n${renderThroughputChart(report)}\n</section>`,
    `<section id="percentiles"><h2>Latency by percentile</h2>\n${renderPercentileCharts(report)}\n</section>`,
    `<section id="levels"><h2>Figures per level</h2>\n${renderTable(report)}\n</section>`,
    '</main>',
    `<script type="application/json" id="${BENCH_DATA_ELEMENT_ID}">${jsonForScript(report)}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
