// RepositoryModelLoad / RepositoryModelUnload parameter maps through their converters and the
// real protobuf wire format: round trips, Triton's forms, and every refusal.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  grpcToModelLoadParameters, grpcToModelUnloadParameters, modelLoadParametersToGrpc, modelUnloadParametersToGrpc,
  type ModelRepositoryParameterMap, type RepositoryModelControlRequestMessage,
} from '../../../src/protocol/index.js';
import { grpcMethod } from './grpc-wire.js';

const SERVICE = 'inference.GRPCInferenceService';

/** A request as the server receives it after a client serialized it. */
function overTheWire(method: 'RepositoryModelLoad' | 'RepositoryModelUnload', parameters: ModelRepositoryParameterMap): ModelRepositoryParameterMap | undefined {
  const definition = grpcMethod<RepositoryModelControlRequestMessage, object>(SERVICE, method);
  return definition.requestDeserialize(definition.requestSerialize({ model_name: 'm', parameters })).parameters;
}

const load = (parameters: ModelRepositoryParameterMap) => grpcToModelLoadParameters(overTheWire('RepositoryModelLoad', parameters));
const unload = (parameters: ModelRepositoryParameterMap) => grpcToModelUnloadParameters(overTheWire('RepositoryModelUnload', parameters));

describe('RepositoryModelLoad parameters', () => {
  it('round-trip any config text, and no config', () => {
    fc.assert(fc.property(fc.option(fc.string({ unit: 'grapheme' }), { nil: undefined }), (config) => {
      const parameters = config === undefined ? {} : { config };
      assert.deepEqual(load(modelLoadParametersToGrpc(parameters)), parameters);
    }));
  });

  it('write config as string_param, as Triton does', () => {
    assert.deepEqual(modelLoadParametersToGrpc({ config: '{"max_batch_size":2}' }), { config: { string_param: '{"max_batch_size":2}' } });
    assert.deepEqual(modelLoadParametersToGrpc({}), {});
  });

  it('read config from bytes_param holding UTF-8 JSON', () => {
    assert.deepEqual(load({ config: { bytes_param: Buffer.from('{"name":"é"}') } }), { config: '{"name":"é"}' });
  });

  it('read an absent or empty map as no parameters', () => {
    assert.deepEqual(grpcToModelLoadParameters(undefined), {});
    assert.deepEqual(load({}), {});
  });

  it('refuse file overrides, naming them', () => {
    assert.throws(() => load({ config: { string_param: '{}' }, 'file:1/model.onnx': { bytes_param: Buffer.from([1, 2]) } }), {
      code: 'ERR_REQUEST_PARAMETER',
      message: /^file overrides are not supported \(load parameter "file:1\/model\.onnx"\): Wharf loads model files only from the model repository/,
    });
  });

  it('refuse unknown names, naming all of them', () => {
    assert.throws(() => load({ cfg: { string_param: '{}' }, version: { int64_param: '2' } }), {
      code: 'ERR_REQUEST_PARAMETER', message: 'unknown load parameters "cfg", "version"; load takes "config"',
    });
  });

  it('refuse a config that is not text, or not UTF-8, or has no value', () => {
    assert.throws(() => load({ config: { bool_param: true } }), { code: 'ERR_REQUEST_PARAMETER', message: /^parameter "config" must be the model configuration as JSON text .*, got a boolean \(true\)$/ });
    assert.throws(() => load({ config: { int64_param: '7' } }), { code: 'ERR_REQUEST_PARAMETER', message: /got a number \(7\)$/ });
    assert.throws(() => load({ config: { bytes_param: Buffer.from([0xff, 0xfe]) } }), { code: 'ERR_REQUEST_PARAMETER', message: 'load parameter "config" is not valid UTF-8; send the model configuration as JSON text' });
    assert.throws(() => load({ config: {} }), { code: 'ERR_REQUEST_PARAMETER', message: /^parameter "config" has no value/ });
  });

  it('cut long and many unknown names short in the message', () => {
    const names = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`${'x'.repeat(60)}${i}`, { bool_param: true }]));
    const error = (() => {
      try {
        load(names);
      } catch (caught) {
        return caught as Error;
      }
      throw new Error('expected a refusal');
    })();
    assert.match(error.message, /^unknown load parameters "x{40}\.\.\.", /);
    assert.match(error.message, / and 2 more; load takes "config"$/);
  });
});

describe('RepositoryModelUnload parameters', () => {
  it('round-trip unload_dependents true, false and absent', () => {
    for (const parameters of [{ unloadDependents: true }, { unloadDependents: false }, {}]) {
      assert.deepEqual(unload(modelUnloadParametersToGrpc(parameters)), parameters);
    }
    assert.deepEqual(modelUnloadParametersToGrpc({ unloadDependents: true }), { unload_dependents: { bool_param: true } });
  });

  it('refuse unknown names and values that are not bool_param', () => {
    assert.throws(() => unload({ unload_dependent: { bool_param: true } }), { code: 'ERR_REQUEST_PARAMETER', message: 'unknown unload parameter "unload_dependent"; unload takes "unload_dependents"' });
    assert.throws(() => unload({ unload_dependents: { string_param: 'true' } }), { code: 'ERR_REQUEST_PARAMETER', message: 'parameter "unload_dependents" must be a boolean, got a string' });
    assert.throws(() => unload({ 'file:1/model.onnx': { bytes_param: Buffer.from([1]) } }), { code: 'ERR_REQUEST_PARAMETER', message: /^unknown unload parameter "file:1\/model\.onnx"/ });
  });
});
