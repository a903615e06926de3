/**
 * @module
 * What `wharf bench` measures, as data: the settings of a run and each load level's figures.
 * `--json` writes a BenchReport as it is; the table, CSV and HTML report are views of it.
 */

/** Closed loop: N requests always in flight. Open loop: requests sent on a schedule at N per second. */
export type LoadMode = 'concurrency' | 'request-rate';

export interface BenchSettings {
  /** `http://host:port` or `host:port`, as `-u` takes it. */
  readonly url: string;
  readonly protocol: 'http' | 'grpc';
  /** HTTP only: JSON tensors instead of the binary extension. */
  readonly jsonTensors: boolean;
  readonly model: string;
  readonly modelVersion?: string;
  /** Rows per request for models with max_batch_size > 0. */
  readonly batchSize: number;
  readonly mode: LoadMode;
  /** Concurrency levels or request rates, run in order. */
  readonly levels: readonly number[];
  /** Measurement per level, after warm-up: a duration, or a request count. */
  readonly durationMs?: number;
  readonly requests?: number;
  readonly warmupMs: number;
  /** `zero`, `random`, or a JSON file of inputs. */
  readonly inputData: string;
  /** Shapes for inputs with dynamic dims, by input name (full shape, batch dim included). */
  readonly shapes: Readonly<Record<string, readonly number[]>>;
  /** Open loop: requests in flight at most (later ones wait in the generator, still timed from their due time). */
  readonly maxInFlight?: number;
  /** A level whose failed share of requests is above this fails the run (exit code 1). */
  readonly maxErrorRate: number;
}

export interface LatencySummary {
  readonly min: number;
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p95: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

/** Average time per request on the server, from the statistics extension over the level's interval. */
export interface ServerBreakdown {
  readonly requests: number;
  readonly queueUs: number;
  readonly computeInputUs: number;
  readonly computeInferUs: number;
  readonly computeOutputUs: number;
}

export interface LevelResult {
  /** The concurrency or the request rate. */
  readonly level: number;
  /** Requests answered in the measured interval, successful or not. */
  readonly requests: number;
  /** Successful requests × batch size. */
  readonly inferences: number;
  readonly durationMs: number;
  readonly requestsPerSecond: number;
  readonly inferencesPerSecond: number;
  /** Of successful requests, in milliseconds; open loop measures from the intended send time. */
  readonly latencyMs: LatencySummary;
  /** Points of the latency distribution for charts: [percentile 0-100, milliseconds]. */
  readonly percentiles: readonly (readonly [number, number])[];
  /** Failed requests by error code. */
  readonly errors: Readonly<Record<string, number>>;
  readonly errorRate: number;
  /** Undefined when the server has no statistics extension. */
  readonly server: ServerBreakdown | undefined;
  /**
   * CPU the load generator itself used, in percent of one core, so a saturated client shows.
   * Measured as the whole `wharf bench` process (process.cpuUsage) over the measured interval.
   */
  readonly clientCpuPercent: number;
  /**
   * Share of the measured interval (0-1) the generator thread's event loop was busy. Near 1,
   * the generator, not the server, may be what limits the figures.
   */
  readonly generatorLoopUtilization?: number;
  /** Open loop: the largest delay between a request's due time and its send; 0 for closed loop. */
  readonly maxSendLagMs?: number;
}

export interface MachineInfo {
  readonly cpuModel: string;
  readonly cpus: number;
  readonly totalMemoryBytes: number;
  readonly platform: string;
  readonly node: string;
  readonly wharfVersion: string;
}

export interface BenchReport {
  readonly settings: BenchSettings;
  readonly machine: MachineInfo;
  /** ISO 8601. */
  readonly startedAt: string;
  readonly levels: readonly LevelResult[];
}
