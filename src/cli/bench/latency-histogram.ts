/**
 * @module
 * Latency recording for `wharf bench`: an HDR histogram of microseconds (3 significant digits,
 * so any recorded value is read back within 0.1%), summarized in milliseconds.
 */
import { build, type Histogram } from 'hdr-histogram-js';
import type { LatencySummary } from './bench-result.js';

/** Percentiles written to LevelResult.percentiles, for latency-distribution charts. */
export const CHART_PERCENTILES: readonly number[] = [0, 10, 20, 30, 40, 50, 60, 70, 75, 80, 85, 90, 95, 97.5, 99, 99.5, 99.9, 99.99, 100];

/** Latencies of one load level. Values are recorded in whole microseconds. */
export class LatencyHistogram {
  readonly #histogram: Histogram = build({ lowestDiscernibleValue: 1, numberOfSignificantValueDigits: 3, autoResize: true });

  /** Records one latency in milliseconds; anything under 1 µs counts as 1 µs. */
  recordMs(ms: number): void {
    this.#histogram.recordValue(Math.max(1, Math.round(ms * 1000)));
  }

  get count(): number {
    return this.#histogram.totalCount;
  }

  /** min, mean, percentiles and max in ms; all 0 when nothing was recorded. */
  summary(): LatencySummary {
    const h = this.#histogram;
    if (h.totalCount === 0) return { min: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0, max: 0 };
    return { min: h.minNonZeroValue / 1000, mean: h.mean / 1000, p50: this.#at(50), p90: this.#at(90), p95: this.#at(95), p99: this.#at(99), p999: this.#at(99.9), max: h.maxValue / 1000 };
  }

  /**
   * A percentile in ms. HDR answers with the upper edge of the value's bucket, which can exceed
   * the largest value recorded; a percentile is never above the max, so it is clamped to it.
   */
  #at(percentile: number): number {
    return Math.min(this.#histogram.getValueAtPercentile(percentile), this.#histogram.maxValue) / 1000;
  }

  /** [percentile, ms] at CHART_PERCENTILES; empty when nothing was recorded. */
  percentilePoints(): [number, number][] {
    if (this.#histogram.totalCount === 0) return [];
    return CHART_PERCENTILES.map((p) => [p, p === 0 ? this.#histogram.minNonZeroValue / 1000 : this.#at(p)]);
  }
}
