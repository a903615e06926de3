/**
 * Realistic Triton model configurations, in the forms Triton's documentation and users write them,
 * each with the JSON object Triton's own JSON printing would give (without defaulted fields).
 */

import { ENSEMBLE, SEQUENCE_AND_OPTIMIZATION } from './triton-configs-scheduling.js';

export interface ConfigCase {
  readonly title: string;
  readonly model: string;
  readonly pbtxt: string;
  readonly json: Record<string, unknown>;
}

export const MINIMAL_DOCS: ConfigCase = {
  title: 'the minimal example of model_configuration.md',
  model: 'minimal',
  pbtxt: `
platform: "tensorrt_plan"
max_batch_size: 8
input [
  {
    name: "input0"
    data_type: TYPE_FP32
    dims: [ 16 ]
  },
  {
    name: "input1"
    data_type: TYPE_FP32
    dims: [ 16 ]
  }
]
output [
  {
    name: "output0"
    data_type: TYPE_FP32
    dims: [ 16 ]
  }
]
`,
  json: {
    platform: 'tensorrt_plan',
    max_batch_size: 8,
    input: [
      { name: 'input0', data_type: 'TYPE_FP32', dims: [16] },
      { name: 'input1', data_type: 'TYPE_FP32', dims: [16] },
    ],
    output: [{ name: 'output0', data_type: 'TYPE_FP32', dims: [16] }],
  },
};

export const DYNAMIC_BATCHING: ConfigCase = {
  title: 'dynamic batching with priority levels and queue policies, instance groups, specific versions, parameters',
  model: 'resnet50',
  pbtxt: `
name: "resnet50"
platform: "onnxruntime_onnx"
max_batch_size: 32
version_policy: { specific: { versions: [ 1, 3 ] } }
input [
  {
    name: "data"
    data_type: TYPE_FP32
    format: FORMAT_NCHW
    dims: [ 3, 224, 224 ]
  }
]
output [
  {
    name: "resnetv24_dense0_fwd"
    data_type: TYPE_FP32
    dims: [ 1000 ]
    label_filename: "labels.txt"
  }
]
dynamic_batching {
  preferred_batch_size: [ 8, 16 ]
  max_queue_delay_microseconds: 100
  preserve_ordering: true
  priority_levels: 2
  default_priority_level: 2
  default_queue_policy {
    timeout_action: REJECT
    default_timeout_microseconds: 100000
    allow_timeout_override: true
    max_queue_size: 64
  }
  priority_queue_policy {
    key: 1
    value: {
      timeout_action: DELAY
      default_timeout_microseconds: 5000
      max_queue_size: 0
    }
  }
}
instance_group [
  { name: "cpu_pool" count: 2 kind: KIND_CPU },
  { count: 1 kind: KIND_GPU gpus: [ 0, 1 ] rate_limiter { resources [ { name: "R1" count: 4 }, { name: "R2" global: true count: 2 } ] priority: 2 } }
]
parameters { key: "intra_op_thread_count" value: { string_value: "1" } }
parameters { key: "execution_mode" value: { string_value: "0" } }
`,
  json: {
    name: 'resnet50',
    platform: 'onnxruntime_onnx',
    version_policy: { specific: { versions: [1, 3] } },
    max_batch_size: 32,
    input: [{ name: 'data', data_type: 'TYPE_FP32', format: 'FORMAT_NCHW', dims: [3, 224, 224] }],
    output: [{ name: 'resnetv24_dense0_fwd', data_type: 'TYPE_FP32', dims: [1000], label_filename: 'labels.txt' }],
    dynamic_batching: {
      preferred_batch_size: [8, 16],
      max_queue_delay_microseconds: 100,
      preserve_ordering: true,
      priority_levels: 2,
      default_priority_level: 2,
      default_queue_policy: { timeout_action: 'REJECT', default_timeout_microseconds: 100000, allow_timeout_override: true, max_queue_size: 64 },
      priority_queue_policy: { 1: { timeout_action: 'DELAY', default_timeout_microseconds: 5000, max_queue_size: 0 } },
    },
    instance_group: [
      { name: 'cpu_pool', kind: 'KIND_CPU', count: 2 },
      { kind: 'KIND_GPU', count: 1, rate_limiter: { resources: [{ name: 'R1', count: 4 }, { name: 'R2', global: true, count: 2 }], priority: 2 }, gpus: [0, 1] },
    ],
    parameters: { intra_op_thread_count: { string_value: '1' }, execution_mode: { string_value: '0' } },
  },
};

export const WARMUP: ConfigCase = {
  title: 'model warmup with zero_data, random_data and a data file',
  model: 'warm',
  pbtxt: `
backend: "onnxruntime"
max_batch_size: 4
input [ { name: "x" data_type: TYPE_FP32 dims: [ 4 ] }, { name: "text" data_type: TYPE_STRING dims: [ 1 ] } ]
output [ { name: "y" data_type: TYPE_FP32 dims: [ 2 ] } ]
model_warmup [
  {
    name: "zeros"
    batch_size: 4
    inputs { key: "x" value: { data_type: TYPE_FP32 dims: [ 4 ] zero_data: true } }
    inputs { key: "text" value: { data_type: TYPE_STRING dims: [ 1 ] input_data_file: "text_sample" } }
  },
  {
    name: "random"
    batch_size: 1
    count: 3
    inputs [
      { key: "x" value: { data_type: TYPE_FP32 dims: [ 4 ] random_data: true } },
      { key: "text" value: { data_type: TYPE_STRING dims: [ 1 ] zero_data: true } }
    ]
  }
]
`,
  json: {
    backend: 'onnxruntime',
    max_batch_size: 4,
    input: [{ name: 'x', data_type: 'TYPE_FP32', dims: [4] }, { name: 'text', data_type: 'TYPE_STRING', dims: [1] }],
    output: [{ name: 'y', data_type: 'TYPE_FP32', dims: [2] }],
    model_warmup: [
      {
        name: 'zeros',
        batch_size: 4,
        inputs: {
          x: { data_type: 'TYPE_FP32', dims: [4], zero_data: true },
          text: { data_type: 'TYPE_STRING', dims: [1], input_data_file: 'text_sample' },
        },
      },
      {
        name: 'random',
        batch_size: 1,
        inputs: { x: { data_type: 'TYPE_FP32', dims: [4], random_data: true }, text: { data_type: 'TYPE_STRING', dims: [1], zero_data: true } },
        count: 3,
      },
    ],
  },
};

export { ENSEMBLE, SEQUENCE_AND_OPTIMIZATION };

export const ALL_CASES: readonly ConfigCase[] = [MINIMAL_DOCS, DYNAMIC_BATCHING, WARMUP, ENSEMBLE, SEQUENCE_AND_OPTIMIZATION];
