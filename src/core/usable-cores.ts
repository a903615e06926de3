/**
 * @module
 * How many cores this process may keep busy. `os.availableParallelism()` counts the CPUs the
 * process is allowed to run on, not a container's CPU quota: a pod limited to 2 CPUs on a
 * 64-core node would size thread pools for 64 and be throttled. The cgroup quota caps it.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/**
 * Cores allowed by a cgroup CPU quota, rounded up; undefined when there is no quota.
 * Takes cgroup v2's `cpu.max` ("200000 100000" or "max 100000"), or v1's quota and period.
 */
export function coresFromCpuQuota(cpuMax: string | undefined, v1Quota?: string, v1Period?: string): number | undefined {
  const [quota, period] = cpuMax === undefined ? [v1Quota, v1Period] : cpuMax.trim().split(/\s+/);
  const q = Number(quota);
  const p = Number(period);
  if (!(q > 0) || !(p > 0)) return undefined;
  return Math.max(1, Math.ceil(q / p));
}

function readOptional(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

let cached: number | undefined;

/** The CPUs this process may run on, capped by its cgroup's CPU quota (read once). */
export function usableCores(): number {
  cached ??= Math.min(
    availableParallelism(),
    coresFromCpuQuota(readOptional('/sys/fs/cgroup/cpu.max'), readOptional('/sys/fs/cgroup/cpu/cpu.cfs_quota_us'), readOptional('/sys/fs/cgroup/cpu/cpu.cfs_period_us')) ?? Number.POSITIVE_INFINITY,
  );
  return cached;
}
