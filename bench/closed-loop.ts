/** Keeps `concurrency` calls in flight for `durationMs` after a warm-up, and reports latency percentiles. */
export interface LoopResult {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly count: number;
}

export async function closedLoop(call: () => Promise<unknown>, options: { concurrency: number; durationMs: number; warmupCalls?: number }): Promise<LoopResult> {
  for (let i = 0; i < (options.warmupCalls ?? 20); i += 1) await call();
  const latencies: number[] = [];
  const start = performance.now();
  const end = start + options.durationMs;
  await Promise.all(Array.from({ length: options.concurrency }, async () => {
    while (performance.now() < end) {
      const t = performance.now();
      await call();
      latencies.push(performance.now() - t);
    }
  }));
  const elapsedSeconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return { requestsPerSecond: latencies.length / elapsedSeconds, p50Ms: at(0.5), p99Ms: at(0.99), count: latencies.length };
}

export function formatRow(name: string, concurrency: number, result: LoopResult, baseline: LoopResult): string {
  return `${name.padEnd(22)}${String(concurrency).padStart(9)} ${result.requestsPerSecond.toFixed(0).padStart(8)} ${result.p50Ms.toFixed(3).padStart(9)} ${result.p99Ms.toFixed(3).padStart(9)}   ${(result.requestsPerSecond / baseline.requestsPerSecond).toFixed(2)}x`;
}

export const TABLE_HEADER = 'path                  in flight    req/s    p50 ms    p99 ms   ratio';
