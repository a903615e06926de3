/**
 * Realistic Triton model configurations, in the forms Triton's documentation and users write them,
 * each with the JSON object Triton's own JSON printing would give (without defaulted fields).
 */

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

export const ENSEMBLE: ConfigCase = {
  title: 'the ensemble example of ensemble_models.md',
  model: 'ensemble_model',
  pbtxt: `
name: "ensemble_model"
platform: "ensemble"
max_batch_size: 1
input [
  {
    name: "IMAGE"
    data_type: TYPE_STRING
    dims: [ 1 ]
  }
]
output [
  {
    name: "CLASSIFICATION"
    data_type: TYPE_FP32
    dims: [ 1000 ]
  },
  {
    name: "SEGMENTATION"
    data_type: TYPE_FP32
    dims: [ 3, 224, 224 ]
  }
]
ensemble_scheduling {
  max_inflight_requests: 16
  step [
    {
      model_name: "image_preprocess_model"
      model_version: -1
      input_map {
        key: "RAW_IMAGE"
        value: "IMAGE"
      }
      output_map {
        key: "PREPROCESSED_OUTPUT"
        value: "preprocessed_image"
      }
    },
    {
      model_name: "classification_model"
      model_version: -1
      input_map {
        key: "FORMATTED_IMAGE"
        value: "preprocessed_image"
      }
      output_map {
        key: "CLASSIFICATION_OUTPUT"
        value: "CLASSIFICATION"
      }
    },
    {
      model_name: "segmentation_model"
      model_version: -1
      input_map { key: "FORMATTED_IMAGE", value: "preprocessed_image" }
      output_map { key: "SEGMENTATION_OUTPUT", value: "SEGMENTATION" }
    }
  ]
}
`,
  json: {
    name: 'ensemble_model',
    platform: 'ensemble',
    max_batch_size: 1,
    input: [{ name: 'IMAGE', data_type: 'TYPE_STRING', dims: [1] }],
    output: [{ name: 'CLASSIFICATION', data_type: 'TYPE_FP32', dims: [1000] }, { name: 'SEGMENTATION', data_type: 'TYPE_FP32', dims: [3, 224, 224] }],
    ensemble_scheduling: {
      step: [
        { model_name: 'image_preprocess_model', model_version: -1, input_map: { RAW_IMAGE: 'IMAGE' }, output_map: { PREPROCESSED_OUTPUT: 'preprocessed_image' } },
        { model_name: 'classification_model', model_version: -1, input_map: { FORMATTED_IMAGE: 'preprocessed_image' }, output_map: { CLASSIFICATION_OUTPUT: 'CLASSIFICATION' } },
        { model_name: 'segmentation_model', model_version: -1, input_map: { FORMATTED_IMAGE: 'preprocessed_image' }, output_map: { SEGMENTATION_OUTPUT: 'SEGMENTATION' } },
      ],
      max_inflight_requests: 16,
    },
  },
};

export const SEQUENCE_AND_OPTIMIZATION: ConfigCase = {
  title: 'sequence batching, optimization and the rarely used blocks Wharf only passes through',
  model: 'stateful',
  pbtxt: `
backend: "onnxruntime"
max_batch_size: 8
input [ { name: "INPUT" data_type: TYPE_FP32 dims: [ -1 ] allow_ragged_batch: true }, { name: "START" data_type: TYPE_FP32 dims: [ 1 ] optional: true } ]
output [ { name: "OUTPUT" data_type: TYPE_FP32 dims: [ -1 ] } ]
batch_input [ { kind: BATCH_ELEMENT_COUNT target_name: "LEN" data_type: TYPE_FP32 source_input: "INPUT" } ]
batch_output [ { target_name: "OUTPUT" kind: BATCH_SCATTER_WITH_INPUT_SHAPE source_input: "INPUT" } ]
sequence_batching {
  max_sequence_idle_microseconds: 5000000
  oldest { max_candidate_sequences: 4 preferred_batch_size: [ 2, 4 ] max_queue_delay_microseconds: 100 }
  control_input [
    { name: "START" control [ { kind: CONTROL_SEQUENCE_START fp32_false_true: [ 0, 1 ] } ] },
    { name: "CORRID" control [ { kind: CONTROL_SEQUENCE_CORRID data_type: TYPE_UINT64 } ] }
  ]
  state [
    {
      input_name: "INPUT_STATE"
      output_name: "OUTPUT_STATE"
      data_type: TYPE_FP32
      dims: [ -1 ]
      initial_state: { data_type: TYPE_FP32 dims: [ 1 ] zero_data: true name: "initial state" }
    }
  ]
}
optimization {
  graph: { level: -1 }
  priority: PRIORITY_MAX
  execution_accelerators {
    cpu_execution_accelerator : [ { name : "openvino" } ]
    gpu_execution_accelerator : [ {
      name : "tensorrt"
      parameters { key: "precision_mode" value: "FP16" }
      parameters { key: "max_workspace_size_bytes" value: "1073741824" }
    } ]
  }
  input_pinned_memory { enable: false }
  cuda { graphs: true graph_spec [ { batch_size: 4 input { key: "INPUT" value: { dim: [ 16 ] } } } ] }
}
model_operations { op_library_filename: "/opt/ops/libcustom.so" }
model_transaction_policy { decoupled: True }
response_cache { enable: true }
model_repository_agents { agents [ { name: "checksum", parameters { key: "MD5:1/model.onnx" value: "abc" } } ] }
model_metrics { metric_control: [ { metric_identifier: { family: "nv_inference_request_duration" } histogram_options: { buckets: [ 0.5, 1, 2.5 ] } } ] }
metric_tags { key: "team" value: "search" }
runtime: "libtriton_onnxruntime.so"
`,
  json: {
    backend: 'onnxruntime',
    runtime: 'libtriton_onnxruntime.so',
    max_batch_size: 8,
    input: [
      { name: 'INPUT', data_type: 'TYPE_FP32', dims: [-1], allow_ragged_batch: true },
      { name: 'START', data_type: 'TYPE_FP32', dims: [1], optional: true },
    ],
    output: [{ name: 'OUTPUT', data_type: 'TYPE_FP32', dims: [-1] }],
    batch_input: [{ kind: 'BATCH_ELEMENT_COUNT', target_name: ['LEN'], data_type: 'TYPE_FP32', source_input: ['INPUT'] }],
    batch_output: [{ target_name: ['OUTPUT'], kind: 'BATCH_SCATTER_WITH_INPUT_SHAPE', source_input: ['INPUT'] }],
    optimization: {
      graph: { level: -1 },
      priority: 'PRIORITY_MAX',
      cuda: { graphs: true, graph_spec: [{ batch_size: 4, input: { INPUT: { dim: [16] } } }] },
      execution_accelerators: {
        gpu_execution_accelerator: [{ name: 'tensorrt', parameters: { precision_mode: 'FP16', max_workspace_size_bytes: '1073741824' } }],
        cpu_execution_accelerator: [{ name: 'openvino' }],
      },
      input_pinned_memory: { enable: false },
    },
    sequence_batching: {
      oldest: { max_candidate_sequences: 4, preferred_batch_size: [2, 4], max_queue_delay_microseconds: 100 },
      max_sequence_idle_microseconds: 5000000,
      control_input: [
        { name: 'START', control: [{ kind: 'CONTROL_SEQUENCE_START', fp32_false_true: [0, 1] }] },
        { name: 'CORRID', control: [{ kind: 'CONTROL_SEQUENCE_CORRID', data_type: 'TYPE_UINT64' }] },
      ],
      state: [{
        input_name: 'INPUT_STATE',
        output_name: 'OUTPUT_STATE',
        data_type: 'TYPE_FP32',
        dims: [-1],
        initial_state: [{ data_type: 'TYPE_FP32', dims: [1], zero_data: true, name: 'initial state' }],
      }],
    },
    metric_tags: { team: 'search' },
    model_operations: { op_library_filename: ['/opt/ops/libcustom.so'] },
    model_transaction_policy: { decoupled: true },
    model_repository_agents: { agents: [{ name: 'checksum', parameters: { 'MD5:1/model.onnx': 'abc' } }] },
    response_cache: { enable: true },
    model_metrics: { metric_control: [{ metric_identifier: { family: 'nv_inference_request_duration' }, histogram_options: { buckets: [0.5, 1, 2.5] } }] },
  },
};

export const ALL_CASES: readonly ConfigCase[] = [MINIMAL_DOCS, DYNAMIC_BATCHING, WARMUP, ENSEMBLE, SEQUENCE_AND_OPTIMIZATION];
