/**
 * @module
 * Inline SVG line charts for the HTML bench report, drawn by hand so the page needs no script or library.
 * Non-finite points (NaN, Infinity) are left out rather than drawn at a wrong place.
 */
import { escapeHtml } from './html-escape.js';

export interface ChartPoint {
  readonly x: number;
  readonly y: number;
  /** Drawn next to the marker. */
  readonly label?: string;
  /** Tooltip of the marker. */
  readonly title?: string;
}

export interface ChartSeries {
  readonly name: string;
  /** A CSS colour. */
  readonly color: string;
  readonly points: readonly ChartPoint[];
}

export interface AxisTick {
  readonly value: number;
  readonly label: string;
}

export interface ChartSpec {
  /** Goes into `data-chart` so tests and tools can find the chart. */
  readonly id: string;
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly ChartSeries[];
  /** Fixed x ticks, whose first and last give the x domain; otherwise nice numbers from 0 to the largest x. */
  readonly xTicks?: readonly AxisTick[];
  /** Top of the y domain before rounding to a nice number, e.g. shared by several charts; otherwise the largest y. */
  readonly yMax?: number;
  /** A circle per point; off for dense lines. */
  readonly markers: boolean;
  readonly width?: number;
  readonly height?: number;
}

const MARGIN = { left: 64, right: 24, top: 36, bottom: 48 } as const;

/** 1, 2, 5 or 10 times a power of ten near `x` (Heckbert, "Nice numbers for graph labels", Graphics Gems, 1990). */
function niceNumber(x: number, round: boolean): number {
  const exponent = Math.floor(Math.log10(x));
  const power = 10 ** exponent;
  const fraction = x / power;
  let nice: number;
  if (round) nice = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10;
  else nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
  return nice * power;
}

/** About `count` evenly spaced round values covering [lo, hi]; a degenerate or non-finite range becomes [lo, lo + 1]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  const low = Number.isFinite(lo) ? lo : 0;
  const high = Number.isFinite(hi) && hi > low ? hi : low + 1;
  const step = niceNumber(niceNumber(high - low, false) / Math.max(1, count - 1), true);
  const start = Math.floor(low / step) * step;
  const steps = Math.ceil(high / step - 1e-9) - Math.floor(low / step);
  const ticks: number[] = [];
  for (let i = 0; i <= steps; i++) ticks.push(Number.parseFloat((start + i * step).toPrecision(12)));
  return ticks;
}

/** A tick label with as many decimals as the step needs; thousands as `k` when the step is whole thousands. */
export function formatTick(value: number, step: number): string {
  if (step >= 1000 && value % 1000 === 0 && value !== 0) return `${value / 1000}k`;
  const decimals = step > 0 && Number.isFinite(step) ? Math.max(0, -Math.floor(Math.log10(step) + 1e-9)) : 0;
  return value.toFixed(Math.min(decimals, 6));
}

function numericTicks(values: readonly number[]): AxisTick[] {
  const step = values.length > 1 ? values[1]! - values[0]! : 1;
  return values.map((value) => ({ value, label: formatTick(value, step) }));
}

const fixed = (n: number): string => n.toFixed(1);

export function renderLineChart(spec: ChartSpec): string {
  const width = spec.width ?? 640;
  const height = spec.height ?? 360;
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const finite = spec.series.flatMap((s) => s.points).filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));

  const xTicks = spec.xTicks ?? numericTicks(niceTicks(0, Math.max(0, ...finite.map((p) => p.x))));
  const yTicks = numericTicks(niceTicks(0, Math.max(0, spec.yMax ?? 0, ...finite.map((p) => p.y))));
  const x0 = xTicks[0]?.value ?? 0;
  const x1 = xTicks.length > 1 ? xTicks[xTicks.length - 1]!.value : x0 + 1;
  const y0 = yTicks[0]!.value;
  const y1 = yTicks[yTicks.length - 1]!.value;
  const sx = (x: number): number => MARGIN.left + ((x - x0) / (x1 - x0)) * plotW;
  const sy = (y: number): number => MARGIN.top + plotH - ((y - y0) / (y1 - y0)) * plotH;
  const bottom = MARGIN.top + plotH;

  const out: string[] = [];
  out.push(`<svg class="chart" data-chart="${escapeHtml(spec.id)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(spec.title)}">`);
  out.push(`<title>${escapeHtml(spec.title)}</title>`);
  out.push(`<text class="chart-title" x="${MARGIN.left}" y="20">${escapeHtml(spec.title)}</text>`);
  out.push('<g class="axis y-axis">');
  for (const tick of yTicks) {
    const y = fixed(sy(tick.value));
    out.push(`<line class="gridline" x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${y}" y2="${y}"/>`);
    out.push(`<text class="tick" x="${MARGIN.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${escapeHtml(tick.label)}</text>`);
  }
  out.push(`<text class="axis-label" transform="translate(14 ${fixed(MARGIN.top + plotH / 2)}) rotate(-90)" text-anchor="middle">${escapeHtml(spec.yLabel)}</text>`);
  out.push('</g>');
  out.push('<g class="axis x-axis">');
  out.push(`<line class="axis-line" x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${bottom}" y2="${bottom}"/>`);
  for (const tick of xTicks) {
    const x = fixed(sx(tick.value));
    out.push(`<line class="tick-mark" x1="${x}" x2="${x}" y1="${bottom}" y2="${bottom + 5}"/>`);
    out.push(`<text class="tick" x="${x}" y="${bottom + 18}" text-anchor="middle">${escapeHtml(tick.label)}</text>`);
  }
  out.push(`<text class="axis-label" x="${fixed(MARGIN.left + plotW / 2)}" y="${height - 8}" text-anchor="middle">${escapeHtml(spec.xLabel)}</text>`);
  out.push('</g>');

  if (finite.length === 0) {
    out.push(`<text class="no-data" x="${fixed(MARGIN.left + plotW / 2)}" y="${fixed(MARGIN.top + plotH / 2)}" text-anchor="middle">no data</text>`);
  }
  for (const series of spec.series) {
    const points = series.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
    out.push(`<g class="series" data-series="${escapeHtml(series.name)}" stroke="${escapeHtml(series.color)}" fill="${escapeHtml(series.color)}">`);
    out.push(`<polyline class="line" fill="none" points="${points.map((p) => `${fixed(sx(p.x))},${fixed(sy(p.y))}`).join(' ')}"/>`);
    for (const p of points) {
      const cx = fixed(sx(p.x));
      const cy = fixed(sy(p.y));
      if (spec.markers) {
        const title = p.title === undefined ? '' : `<title>${escapeHtml(p.title)}</title>`;
        out.push(`<circle class="point" cx="${cx}" cy="${cy}" r="3.5">${title}</circle>`);
      }
      if (p.label !== undefined) {
        out.push(`<text class="point-label" x="${cx}" y="${fixed(sy(p.y) - 8)}" text-anchor="middle" stroke="none">${escapeHtml(p.label)}</text>`);
      }
    }
    out.push('</g>');
  }
  if (spec.series.length > 1) {
    out.push('<g class="legend">');
    spec.series.forEach((series, i) => {
      const x = MARGIN.left + plotW - 90;
      const y = MARGIN.top + 4 + i * 16;
      out.push(`<rect x="${x}" y="${y}" width="12" height="3" fill="${escapeHtml(series.color)}"/>`);
      out.push(`<text class="legend-label" x="${x + 18}" y="${y + 4}">${escapeHtml(series.name)}</text>`);
    });
    out.push('</g>');
  }
  out.push('</svg>');
  return out.join('\n');
}
