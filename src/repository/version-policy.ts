import type { VersionPolicy } from '../config/index.js';

/** The versions a policy serves out of those on disk, ascending (Triton's version_policy semantics). */
export function selectVersions(policy: VersionPolicy | undefined, available: readonly number[]): number[] {
  const sorted = [...available].sort((a, b) => a - b);
  if (policy && 'all' in policy && policy.all) return sorted;
  if (policy && 'specific' in policy && policy.specific) {
    const wanted = new Set(policy.specific.versions ?? []);
    return sorted.filter((v) => wanted.has(v));
  }
  const count = policy && 'latest' in policy && policy.latest ? policy.latest.num_versions ?? 1 : 1;
  return sorted.slice(Math.max(0, sorted.length - Math.max(1, count)));
}
