/**
 * @module
 * Model statistics (Triton's statistics extension) <-> ModelStatisticsResponse. The snapshot
 * is Triton's JSON form with numbers; on the wire every count, duration and timestamp is a
 * uint64, written and read as a decimal string under GRPC_LOADER_OPTIONS (`longs: String`).
 */
import type { BatchStatsSnapshot, DurationStat, InferStatsSnapshot, ModelStatisticsSnapshot } from '../../statistics/index.js';
import { invalid } from './grpc-fields.js';
import type {
  InferBatchStatisticsMessage, ModelStatisticsMessage, ModelStatisticsResponseMessage, StatisticDurationMessage,
} from './messages.js';

const DURATION_FIELDS = ['success', 'fail', 'queue', 'compute_input', 'compute_infer', 'compute_output', 'cache_hit', 'cache_miss'] as const satisfies readonly (keyof InferStatsSnapshot)[];

export function modelStatisticsToGrpc(snapshots: readonly ModelStatisticsSnapshot[]): ModelStatisticsResponseMessage {
  return { model_stats: snapshots.map(statisticsToGrpc) };
}

function statisticsToGrpc(snapshot: ModelStatisticsSnapshot): ModelStatisticsMessage {
  const stats = snapshot.inference_stats;
  return {
    name: snapshot.name,
    version: snapshot.version,
    last_inference: uint64(snapshot.last_inference),
    inference_count: uint64(snapshot.inference_count),
    execution_count: uint64(snapshot.execution_count),
    inference_stats: Object.fromEntries(DURATION_FIELDS.map((field) => [field, durationToGrpc(stats[field])])),
    batch_stats: snapshot.batch_stats.map((batch): InferBatchStatisticsMessage => ({
      batch_size: uint64(batch.batch_size),
      compute_input: durationToGrpc(batch.compute_input),
      compute_infer: durationToGrpc(batch.compute_infer),
      compute_output: durationToGrpc(batch.compute_output),
    })),
  };
}

function durationToGrpc(stat: DurationStat): StatisticDurationMessage {
  return { count: uint64(stat.count), ns: uint64(stat.ns) };
}

/**
 * A non-negative integer as a decimal string. Through BigInt: String(1e21) is "1e+21", which
 * protobufjs would refuse; a sum of nanoseconds can pass 2^53 (it stays an integer-valued double).
 */
function uint64(value: number): string {
  return Number.isFinite(value) && value > 0 ? BigInt(Math.round(value)).toString() : '0';
}

/**
 * The snapshots of a ModelStatisticsResponse, for clients. Absent fields read as proto3's zero.
 * @throws InferenceError ERR_INVALID_REQUEST when a uint64 field is not a decimal integer.
 */
export function grpcToModelStatistics(message: ModelStatisticsResponseMessage): ModelStatisticsSnapshot[] {
  return (message.model_stats ?? []).map((model) => {
    const where = `model_stats '${model.name ?? ''}'`;
    const stats = model.inference_stats ?? {};
    return {
      name: model.name ?? '',
      version: model.version ?? '',
      last_inference: readUint64(model.last_inference, `${where} last_inference`),
      inference_count: readUint64(model.inference_count, `${where} inference_count`),
      execution_count: readUint64(model.execution_count, `${where} execution_count`),
      inference_stats: Object.fromEntries(DURATION_FIELDS.map((field) => [field, readDuration(stats[field], `${where} ${field}`)])) as unknown as InferStatsSnapshot,
      batch_stats: (model.batch_stats ?? []).map((batch): BatchStatsSnapshot => ({
        batch_size: readUint64(batch.batch_size, `${where} batch_size`),
        compute_input: readDuration(batch.compute_input, `${where} batch compute_input`),
        compute_infer: readDuration(batch.compute_infer, `${where} batch compute_infer`),
        compute_output: readDuration(batch.compute_output, `${where} batch compute_output`),
      })),
    };
  });
}

function readDuration(message: StatisticDurationMessage | undefined, where: string): DurationStat {
  return { count: readUint64(message?.count, `${where}.count`), ns: readUint64(message?.ns, `${where}.ns`) };
}

/** A uint64 as a number; values past 2^53 round to the nearest double, which statistics tolerate. */
function readUint64(value: string | number | undefined, where: string): number {
  if (value === undefined) return 0;
  const text = String(value);
  if (!/^\d+$/.test(text)) throw invalid(`${where}: expected an unsigned integer, got ${JSON.stringify(text).slice(0, 40)}`);
  return Number(text);
}
