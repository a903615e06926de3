// Metadata, repository index and model configuration through their converters and the real
// protobuf wire format.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  grpcToModelIndex, grpcToModelMetadata, grpcToServerMetadata, modelConfigToGrpc, modelIndexToGrpc, modelMetadataToGrpc, serverMetadataToGrpc,
  type ModelConfigResponseMessage, type ModelMetadataResponseMessage, type ModelRefMessage, type RepositoryIndexRequestMessage,
  type RepositoryIndexResponseMessage, type ServerMetadataResponseMessage,
} from '../../../src/protocol/index.js';
import type { ModelMetadata, ModelVersionStatus } from '../../../src/core/index.js';
import { grpcMethod } from './grpc-wire.js';

const SERVICE = 'inference.GRPCInferenceService';

/** `message` as the client decodes it after the server serialized it as a `method` response. */
function response<T extends object>(method: string, message: T): T {
  const definition = grpcMethod<object, T>(SERVICE, method);
  return definition.responseDeserialize(definition.responseSerialize(message));
}

describe('metadata converters', () => {
  it('server metadata round-trips', () => {
    const metadata = { name: 'wharf', version: '0.1.0', extensions: ['model_configuration', 'binary_tensor_data'] };
    assert.deepEqual(grpcToServerMetadata(response<ServerMetadataResponseMessage>('ServerMetadata', serverMetadataToGrpc(metadata))), metadata);
  });

  it('model metadata round-trips, -1 dims included, with int64 shapes as strings on the wire', () => {
    const metadata: ModelMetadata = {
      name: 'm', versions: ['1', '3'], platform: 'onnxruntime_onnx',
      inputs: [{ name: 'x', datatype: 'FP16', shape: [-1, 3, 224, 224] }], outputs: [{ name: 'y', datatype: 'BYTES', shape: [] }],
    };
    const wire = response<ModelMetadataResponseMessage>('ModelMetadata', modelMetadataToGrpc(metadata));
    assert.deepEqual(wire.inputs?.[0]?.shape, ['-1', '3', '224', '224']);
    assert.deepEqual(grpcToModelMetadata(wire), metadata);
  });

  it('model metadata with an unknown datatype or a bad dim is refused', () => {
    assert.throws(() => grpcToModelMetadata({ inputs: [{ name: 'x', datatype: 'FLOAT', shape: [] }] }), { code: 'ERR_INPUT_DATATYPE' });
    assert.throws(() => grpcToModelMetadata({ inputs: [{ name: 'x', datatype: 'FP32', shape: ['-2'] }] }), { code: 'ERR_INVALID_REQUEST', message: "input 'x': metadata shape [-2] must hold integers >= -1" });
  });

  it('the repository index round-trips; unknown states read as UNKNOWN', () => {
    const rows: ModelVersionStatus[] = [
      { name: 'a', version: '1', state: 'READY', reason: '' },
      { name: 'b', version: '2', state: 'UNAVAILABLE', reason: 'broken file' },
    ];
    assert.deepEqual(grpcToModelIndex(response<RepositoryIndexResponseMessage>('RepositoryIndex', modelIndexToGrpc(rows))), rows);
    assert.deepEqual(grpcToModelIndex({ models: [{ name: 'c', state: 'WARMING' }] }), [{ name: 'c', version: '', state: 'UNKNOWN', reason: '' }]);
  });

  it('request messages decode with proto3 defaults left out', () => {
    const ready = grpcMethod<ModelRefMessage, object>(SERVICE, 'ModelReady');
    assert.deepEqual(ready.requestDeserialize(ready.requestSerialize({ name: 'm' })), { name: 'm' });
    const index = grpcMethod<RepositoryIndexRequestMessage, object>(SERVICE, 'RepositoryIndex');
    assert.deepEqual(index.requestDeserialize(index.requestSerialize({})), {});
  });
});

describe('modelConfigToGrpc', () => {
  const config = {
    name: 'm',
    platform: 'onnxruntime_onnx',
    version_policy: { specific: { versions: [1, 3] } },
    max_batch_size: 8,
    input: [{ name: 'x', data_type: 'TYPE_FP32', format: 'FORMAT_NCHW', dims: [3, -1], reshape: undefined }],
    output: [{ name: 'y', data_type: 'TYPE_STRING', dims: [1], label_filename: '' }],
    dynamic_batching: {
      preferred_batch_size: [4, 8],
      max_queue_delay_microseconds: 9007199254740993n,
      priority_levels: 2,
      default_queue_policy: { timeout_action: 'DELAY', default_timeout_microseconds: 100, max_queue_size: 5 },
      priority_queue_policy: { 1: { max_queue_size: 3 } },
    },
    instance_group: [{ name: 'g', kind: 'KIND_CPU', count: 2, gpus: [] }],
    parameters: { intra_op_thread_count: { string_value: '1' }, ['__proto__']: { string_value: 'kept as a key' } },
    model_warmup: [{ name: 'w', batch_size: 1, inputs: { x: { data_type: 'TYPE_FP32', dims: [3, 2], zero_data: true } }, count: 0 }],
    cc_model_filenames: {},
  };

  it('is a deep copy: bigints become exact strings, undefined members are dropped, map keys stay keys', () => {
    const message = modelConfigToGrpc(config);
    assert.equal((message.dynamic_batching as Record<string, unknown>).max_queue_delay_microseconds, '9007199254740993');
    assert.equal('reshape' in (message.input as object[])[0]!, false);
    assert.deepEqual(Object.keys(message.parameters as object), ['intra_op_thread_count', '__proto__']);
    assert.notEqual(message.input, config.input);
  });

  it('serializes as inference.ModelConfig: enums by name, oneofs, maps, int64 read back as strings', () => {
    const { config: wire } = response<ModelConfigResponseMessage>('ModelConfig', { config: modelConfigToGrpc(config) });
    assert.ok(wire);
    assert.equal(wire.max_batch_size, 8);
    assert.deepEqual(wire.version_policy, { specific: { versions: ['1', '3'] }, policy_choice: 'specific' });
    assert.deepEqual(wire.input, [{ name: 'x', data_type: 'TYPE_FP32', format: 'FORMAT_NCHW', dims: ['3', '-1'] }]);
    assert.equal(wire.scheduling_choice, 'dynamic_batching');
    const batching = wire.dynamic_batching as Record<string, unknown>;
    assert.equal(batching.max_queue_delay_microseconds, '9007199254740993');
    assert.deepEqual(batching.default_queue_policy, { timeout_action: 'DELAY', default_timeout_microseconds: '100', max_queue_size: 5 });
    // The key goes on the wire as the varint 1; protobufjs decodes 64-bit map keys as their
    // 8-byte LongBits hash, which a client reading this map must turn back into a number.
    assert.deepEqual(Object.keys(batching.priority_queue_policy as object), ['\u0001\u0000\u0000\u0000\u0000\u0000\u0000\u0000']);
    assert.deepEqual(wire.parameters, { intra_op_thread_count: { string_value: '1' }, ['__proto__']: { string_value: 'kept as a key' } });
    assert.deepEqual((wire.model_warmup as object[])[0], { name: 'w', batch_size: 1, inputs: { x: { data_type: 'TYPE_FP32', dims: ['3', '2'], zero_data: true, input_data_type: 'zero_data' } }, count: 0 });
  });

  it('refuses a config that is not an object', () => {
    assert.throws(() => modelConfigToGrpc([] as unknown as Record<string, unknown>), { code: 'ERR_INVALID_REQUEST' });
  });
});
