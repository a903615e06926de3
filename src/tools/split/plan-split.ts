/**
 * @module
 * Choosing where to split, as Neurosurgeon does (Kang et al., "Neurosurgeon: Collaborative
 * Intelligence Between the Cloud and Mobile Edge", ASPLOS 2017): for every candidate cut,
 * end-to-end latency = head on the device + transfer + tail on the server; pick the lowest.
 * Pure: the latencies come measured (profileCuts), the link and device are parameters.
 */

/** Where a plan puts the work. */
export type PlacementKind = 'server' | 'cut' | 'device';

/** One candidate, measured on this machine. */
export interface CutProfile {
  /** The cut tensor, or `all on server` / `all on device`. */
  readonly label: string;
  readonly kind: PlacementKind;
  /** Tensors sent to the server: the cut, the model's inputs (all on server), none (all on device). */
  readonly sent: readonly string[];
  /** Shapes of `sent`, at the profiled batch. */
  readonly sentShapes: readonly (readonly number[])[];
  /** Bytes of `sent`. */
  readonly sentBytes: number;
  /** Bytes of the model's outputs, which come back to the device when the server takes part. */
  readonly outputBytes: number;
  /** Median latency of the head on this machine; 0 when all runs on the server. */
  readonly headMs: number;
  /** Median latency of the tail on this machine; 0 when all runs on the device. */
  readonly tailMs: number;
}

export interface LinkSpec {
  readonly bandwidthBitsPerSecond: number;
  /** Round-trip time added once per request that uses the server. @defaultValue 0 */
  readonly rttMs?: number;
  /**
   * The device's speed relative to this machine: 0.1 means it is 10x slower, so the head takes
   * 10x the latency measured here. The server is taken to be this machine.
   */
  readonly deviceSpeed: number;
}

export interface SplitPlanRow extends CutProfile {
  readonly deviceMs: number;
  readonly transferMs: number;
  readonly serverMs: number;
  readonly totalMs: number;
}

export interface SplitPlan {
  /** In topological order: all on server, the cuts, all on device. */
  readonly rows: readonly SplitPlanRow[];
  /** Index in `rows` of the lowest end-to-end latency (the earliest one on a tie). */
  readonly best: number;
}

/**
 * Scores each profile on the link. Transfer = (sent bytes + output bytes) x 8 / bandwidth + rtt
 * for every plan that uses the server (the device wants the result back); 0 when all runs on
 * the device.
 * @throws RangeError for a bandwidth or device speed not above 0, or a negative rtt.
 */
export function planSplit(profiles: readonly CutProfile[], link: LinkSpec): SplitPlan {
  const rttMs = link.rttMs ?? 0;
  if (!(link.bandwidthBitsPerSecond > 0)) throw new RangeError(`bandwidth must be above 0 bits/s, got ${link.bandwidthBitsPerSecond}`);
  if (!(link.deviceSpeed > 0) || !Number.isFinite(link.deviceSpeed)) throw new RangeError(`device speed must be a positive number, got ${link.deviceSpeed}`);
  if (!(rttMs >= 0)) throw new RangeError(`rtt must be 0 or more milliseconds, got ${rttMs}`);
  if (profiles.length === 0) throw new RangeError('there is nothing to plan: no profiles');
  const rows = profiles.map((profile): SplitPlanRow => {
    const deviceMs = profile.headMs / link.deviceSpeed;
    const transferMs = profile.kind === 'device' ? 0 : ((profile.sentBytes + profile.outputBytes) * 8 * 1000) / link.bandwidthBitsPerSecond + rttMs;
    const serverMs = profile.tailMs;
    return { ...profile, deviceMs, transferMs, serverMs, totalMs: deviceMs + transferMs + serverMs };
  });
  let best = 0;
  rows.forEach((row, index) => {
    if (row.totalMs < rows[best]!.totalMs) best = index;
  });
  return { rows, best };
}
