import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { status } from '@grpc/grpc-js';
import {
  grpcToModelStatistics, modelStatisticsToGrpc,
  type ModelStatisticsRequestMessage, type ModelStatisticsResponseMessage,
} from '../../src/protocol/index.js';
import { startGrpcServer, type RunningGrpcServer } from '../../src/server/grpc/index.js';
import { ModelStatistics, type ModelStatisticsSnapshot } from '../../src/statistics/index.js';
import { isInferenceError } from '../../src/errors/index.js';
import { GrpcStub, failure } from '../server/grpc/grpc-harness.js';
import { grpcMethod } from '../protocol/grpc/grpc-wire.js';
import { statisticsStub, type StatisticsStub } from './statistics-stub.js';

const method = grpcMethod<ModelStatisticsRequestMessage, ModelStatisticsResponseMessage>('inference.GRPCInferenceService', 'ModelStatistics');

function busySnapshot(): ModelStatisticsSnapshot {
  const stats = new ModelStatistics('resnet', '3', { now: () => 1_700_000_000_123 });
  stats.recordExecution(8, { computeInputNs: 11, computeInferNs: 222, computeOutputNs: 3 });
  stats.recordExecution(1, { computeInputNs: 1, computeInferNs: 20, computeOutputNs: 1 });
  stats.recordSuccess(5, { queueNs: 40, computeInputNs: 11, computeInferNs: 222, computeOutputNs: 3 });
  stats.recordFailure('REJECTED', 7);
  return stats.snapshot();
}

describe('ModelStatistics converters', () => {
  it('write every uint64 as a decimal string', () => {
    const message = modelStatisticsToGrpc([busySnapshot()]);
    assert.deepEqual(message.model_stats![0], {
      name: 'resnet',
      version: '3',
      last_inference: '1700000000123',
      inference_count: '5',
      execution_count: '2',
      inference_stats: {
        success: { count: '1', ns: '276' },
        fail: { count: '1', ns: '7' },
        queue: { count: '1', ns: '40' },
        compute_input: { count: '1', ns: '11' },
        compute_infer: { count: '1', ns: '222' },
        compute_output: { count: '1', ns: '3' },
        cache_hit: { count: '0', ns: '0' },
        cache_miss: { count: '0', ns: '0' },
      },
      batch_stats: [
        { batch_size: '1', compute_input: { count: '1', ns: '1' }, compute_infer: { count: '1', ns: '20' }, compute_output: { count: '1', ns: '1' } },
        { batch_size: '8', compute_input: { count: '1', ns: '11' }, compute_infer: { count: '1', ns: '222' }, compute_output: { count: '1', ns: '3' } },
      ],
    });
  });

  it('round-trip through the protobuf wire format', () => {
    const snapshots = [busySnapshot(), new ModelStatistics('idle', '1').snapshot()];
    const wire = method.responseDeserialize(method.responseSerialize(modelStatisticsToGrpc(snapshots)));
    assert.deepEqual(grpcToModelStatistics(wire), snapshots);
  });

  it('write totals past 2^53 and past 1e21 without rounding to an exponent', () => {
    const snapshot = busySnapshot();
    snapshot.inference_stats.success.ns = 2 ** 60;
    snapshot.inference_stats.queue.ns = 1e21;
    const stats = modelStatisticsToGrpc([snapshot]).model_stats![0]!.inference_stats!;
    assert.equal(stats.success!.ns, '1152921504606846976');
    assert.equal(stats.queue!.ns, '1000000000000000000000');
    assert.equal(method.responseDeserialize(method.responseSerialize(modelStatisticsToGrpc([snapshot]))).model_stats![0]!.inference_stats!.success!.ns, '1152921504606846976');
  });

  it('read absent fields as proto3 zeros', () => {
    assert.deepEqual(grpcToModelStatistics({ model_stats: [{ name: 'm' }] }), [new ModelStatistics('m', '').snapshot()]);
    assert.deepEqual(grpcToModelStatistics({}), []);
  });

  it('refuse a uint64 that is not a decimal integer', () => {
    assert.throws(() => grpcToModelStatistics({ model_stats: [{ name: 'm', inference_count: '-1' }] }), (error) => isInferenceError(error) && error.code === 'ERR_INVALID_REQUEST' && /inference_count/.test(error.message));
  });
});

describe('gRPC ModelStatistics', () => {
  let stub: StatisticsStub;
  let grpc: RunningGrpcServer;
  let client: GrpcStub;

  before(async () => {
    stub = statisticsStub();
    grpc = await startGrpcServer(stub.engine, { host: '127.0.0.1', port: 0 });
    client = new GrpcStub(grpc.address);
  });

  after(async () => {
    client.close();
    await grpc.close();
  });

  it('an empty request (proto3 empty strings) asks for every model version', async () => {
    const response = await client.call<ModelStatisticsResponseMessage>('ModelStatistics', {});
    assert.deepEqual(response.model_stats!.map((s) => `${s.name}/${s.version}`), ['resnet/1', 'resnet/2', 'stats/1']);
    assert.deepEqual(stub.calls.at(-1), [undefined, undefined]);
  });

  it('name and version narrow it, and the numbers arrive as Triton\'s generated clients read them', async () => {
    const response = await client.call<ModelStatisticsResponseMessage>('ModelStatistics', { name: 'resnet', version: '1' });
    assert.deepEqual(stub.calls.at(-1), ['resnet', '1']);
    assert.equal(response.model_stats!.length, 1);
    const [stats] = grpcToModelStatistics(response);
    assert.deepEqual(stats, stub.all[0]);
    assert.equal(response.model_stats![0]!.last_inference, '1700000000123');
  });

  it('a name without a version gives every version of the model', async () => {
    const response = await client.call<ModelStatisticsResponseMessage>('ModelStatistics', { name: 'resnet' });
    assert.deepEqual(response.model_stats!.map((s) => s.version), ['1', '2']);
    assert.deepEqual(stub.calls.at(-1), ['resnet', undefined]);
  });

  it('an unknown model is NOT_FOUND with Wharf\'s error code', async () => {
    assert.deepEqual(await failure(client.call('ModelStatistics', { name: 'missing' })), {
      code: status.NOT_FOUND, details: 'model \'missing\' is not in the repository', wharfCode: 'ERR_MODEL_NOT_FOUND',
    });
  });
});
