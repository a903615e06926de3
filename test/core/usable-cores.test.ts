import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { coresFromCpuQuota, usableCores } from '../../src/core/index.js';

describe('usable cores', () => {
  it('reads a cgroup v2 cpu.max quota, rounding a fraction of a core up', () => {
    assert.equal(coresFromCpuQuota('200000 100000\n'), 2);
    assert.equal(coresFromCpuQuota('150000 100000'), 2);
    assert.equal(coresFromCpuQuota('50000 100000'), 1);
    assert.equal(coresFromCpuQuota('max 100000'), undefined);
  });

  it('reads cgroup v1 quota and period, where -1 means no quota', () => {
    assert.equal(coresFromCpuQuota(undefined, '400000\n', '100000\n'), 4);
    assert.equal(coresFromCpuQuota(undefined, '-1', '100000'), undefined);
    assert.equal(coresFromCpuQuota(undefined, undefined, undefined), undefined);
  });

  it('never exceeds the CPUs the process may run on', () => {
    assert.ok(usableCores() >= 1 && usableCores() <= availableParallelism());
  });
});
