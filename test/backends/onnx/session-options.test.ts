import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sessionSettingsFromParameters } from '../../../src/backends/onnx/index.js';
import { InferenceError } from '../../../src/errors/index.js';

describe('onnxruntime session settings from config parameters', () => {
  it('shares the cores among instances by default', () => {
    assert.equal(sessionSettingsFromParameters({}, 1, 2).intraOpNumThreads, 2);
    assert.equal(sessionSettingsFromParameters({}, 2, 2).intraOpNumThreads, 1);
    assert.equal(sessionSettingsFromParameters({}, 4, 2).intraOpNumThreads, 1, 'never below one thread');
    assert.deepEqual(sessionSettingsFromParameters({}, 1, 8), {
      intraOpNumThreads: 8, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all', enableCpuMemArena: true, enableMemPattern: true, allowSpinning: false,
    });
  });

  it("reads Triton's onnxruntime backend keys", () => {
    const settings = sessionSettingsFromParameters({
      intra_op_thread_count: '1', inter_op_thread_count: '2', execution_mode: '1', enable_mem_arena: '0', enable_mem_pattern: 'false', graph_optimization_level: 'basic', intra_op_allow_spinning: '1',
    }, 1, 2);
    assert.deepEqual(settings, { intraOpNumThreads: 1, interOpNumThreads: 2, executionMode: 'parallel', graphOptimizationLevel: 'basic', enableCpuMemArena: false, enableMemPattern: false, allowSpinning: true });
  });

  it('reports every bad value with its parameter', () => {
    assert.throws(
      () => sessionSettingsFromParameters({ intra_op_thread_count: '-1', execution_mode: 'fast', enable_mem_arena: 'yes', graph_optimization_level: 'max' }, 1, 2),
      (error: InferenceError) => error.code === 'ERR_CONFIG_INVALID'
        && error.details.map((d) => d.path).join() === 'parameters.intra_op_thread_count,parameters.enable_mem_arena,parameters.execution_mode,parameters.graph_optimization_level'
        && /"fast" is not 0 \(sequential\) or 1 \(parallel\)/.test(error.message),
    );
  });
});
