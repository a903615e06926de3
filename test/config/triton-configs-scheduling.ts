/** Realistic Triton configurations with ensemble and sequence scheduling (see triton-configs.ts). */
import type { ConfigCase } from './triton-configs.js';

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
