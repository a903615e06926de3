/**
 * @module
 * The server-side breakdown of a load level: two snapshots of the statistics extension
 * (`GET /v2/models/{m}[/versions/{v}]/stats`, or gRPC ModelStatistics), one when the warm-up ends and one after the
 * last measured answer, and the average time per successful request between them.
 */
import type { InferenceClient } from '../../client/index.js';
import type { ModelStatisticsSnapshot } from '../../statistics/index.js';
import type { ServerBreakdown } from './bench-result.js';

/** The counters the breakdown needs, summed over the model's versions. */
export interface StatsTotals {
  readonly success: number;
  readonly queueNs: number;
  readonly computeInputNs: number;
  readonly computeInferNs: number;
  readonly computeOutputNs: number;
}

export type StatsSource = () => Promise<StatsTotals | undefined>;

/** Reads the model's statistics through the client (HTTP or gRPC); undefined when the server has none. */
export function statsSource(client: InferenceClient, model: string, version: string | undefined): StatsSource {
  return async () => totalsOf(await client.modelStatistics(model, version).catch(() => undefined));
}

/** Sums `model_stats[]` (or an array of snapshots); undefined for anything else. */
export function totalsOf(body: unknown): StatsTotals | undefined {
  const list = Array.isArray(body) ? body : (body as { model_stats?: unknown } | null)?.model_stats;
  if (!Array.isArray(list) || list.length === 0) return undefined;
  const totals = { success: 0, queueNs: 0, computeInputNs: 0, computeInferNs: 0, computeOutputNs: 0 };
  for (const entry of list as ModelStatisticsSnapshot[]) {
    const s = entry.inference_stats;
    if (s === undefined) return undefined;
    totals.success += Number(s.success.count);
    totals.queueNs += Number(s.queue.ns);
    totals.computeInputNs += Number(s.compute_input.ns);
    totals.computeInferNs += Number(s.compute_infer.ns);
    totals.computeOutputNs += Number(s.compute_output.ns);
  }
  return totals;
}

/** Average microseconds per successful request between two snapshots; undefined without both. */
export function breakdown(before: StatsTotals | undefined, after: StatsTotals | undefined): ServerBreakdown | undefined {
  if (before === undefined || after === undefined) return undefined;
  const requests = after.success - before.success;
  const perRequestUs = (a: number, b: number): number => (requests > 0 ? (a - b) / requests / 1000 : 0);
  return {
    requests,
    queueUs: perRequestUs(after.queueNs, before.queueNs),
    computeInputUs: perRequestUs(after.computeInputNs, before.computeInputNs),
    computeInferUs: perRequestUs(after.computeInferNs, before.computeInferNs),
    computeOutputUs: perRequestUs(after.computeOutputNs, before.computeOutputNs),
  };
}
