import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { levelsOption, parseDurationMs, rateOption, shapeOption } from '../../../src/cli/bench/bench-options.js';

describe('bench flag parsers', () => {
  it('reads durations in us, ms, s and m, a bare number as seconds', () => {
    assert.equal(parseDurationMs('10s', '--duration'), 10_000);
    assert.equal(parseDurationMs('500ms', '--duration'), 500);
    assert.equal(parseDurationMs('1.5', '--duration'), 1500);
    assert.equal(parseDurationMs('2m', '--duration'), 120_000);
    assert.equal(parseDurationMs('250us', '--duration'), 0.25);
    assert.equal(parseDurationMs('0s', '--warmup', true), 0);
    assert.throws(() => parseDurationMs('0s', '--duration'), /--duration must be a duration/);
    assert.throws(() => parseDurationMs('ten', '--duration'), (e: Error & { exitCode?: number }) => e.exitCode === 2);
  });

  it('reads level lists and refuses zero, negatives and fractions of a concurrency', () => {
    assert.deepEqual(levelsOption('--concurrency')('1, 4,16'), [1, 4, 16]);
    assert.deepEqual(levelsOption('--request-rate', true)('0.5,100'), [0.5, 100]);
    assert.throws(() => levelsOption('--concurrency')('1,0'), /positive integers/);
    assert.throws(() => levelsOption('--concurrency')('1.5'), /positive integers/);
  });

  it('collects --shape by input name and checks error rates', () => {
    assert.deepEqual(shapeOption('b:2', shapeOption('a:1,3,224,224', undefined)), { a: [1, 3, 224, 224], b: [2] });
    assert.throws(() => shapeOption('a:1,x', undefined), /--shape must be name:dims/);
    assert.equal(rateOption('--max-error-rate')('0.01'), 0.01);
    assert.throws(() => rateOption('--max-error-rate')('2'), /between 0 and 1/);
  });
});
