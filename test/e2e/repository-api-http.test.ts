// Triton's repository API over HTTP, as curl or Triton's HTTP client sends it (see repository-api-suite.ts).
import { request } from '../support/server-harness.js';
import { runRepositorySuite, type Outcome, type RepositoryTransport, type WireParameters } from './repository-api-suite.js';
import type { ModelVersionStatus } from '../../src/core/index.js';

function outcome<T>(response: { status: number; body: unknown }): Outcome<T> {
  if (response.status === 200) return { ok: true, value: response.body as T };
  const body = response.body as { error?: string; code?: string } | undefined;
  return { ok: false, status: response.status, code: body?.code, message: body?.error ?? JSON.stringify(response.body) };
}

/** Triton's HTTP form: bytes as base64 strings. */
function body(parameters: WireParameters | undefined): { parameters: Record<string, unknown> } | undefined {
  if (parameters === undefined) return undefined;
  return { parameters: Object.fromEntries(Object.entries(parameters).map(([k, v]) => [k, v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v])) };
}

const auth = (authorization: string | undefined): Record<string, string> => (authorization === undefined ? {} : { authorization });

function connect(url: string): RepositoryTransport {
  return {
    index: async (options = {}) => outcome<ModelVersionStatus[]>(await request(`${url}/v2/repository/index`, 'POST', options.ready === undefined ? undefined : { ready: options.ready }, auth(options.authorization))),
    load: async (model, parameters, authorization) => outcome(await request(`${url}/v2/repository/models/${model}/load`, 'POST', body(parameters), auth(authorization))),
    unload: async (model, parameters, authorization) => outcome(await request(`${url}/v2/repository/models/${model}/unload`, 'POST', body(parameters), auth(authorization))),
    infer: async (batch) => {
      const data = Array.from({ length: batch }, () => [1, 2, 3, 4]);
      const inputs = ['INPUT0', 'INPUT1'].map((name) => ({ name, datatype: 'FP32', shape: [batch, 4], data }));
      const result = outcome<{ outputs: { name: string; data: number[] }[] }>(await request(`${url}/v2/models/add_sub/infer`, 'POST', { inputs, outputs: [{ name: 'OUTPUT0' }] }));
      return result.ok ? { ok: true, value: result.value.outputs[0]!.data } : result;
    },
    maxBatchSize: async (model) => {
      const result = outcome<{ max_batch_size: number }>(await request(`${url}/v2/models/${model}/config`, 'GET'));
      return result.ok ? { ok: true, value: result.value.max_batch_size } : result;
    },
    serverReady: async () => {
      const response = await request(`${url}/v2/health/ready`, 'GET');
      return { ok: true, value: response.status === 200 };
    },
    close: () => undefined,
  };
}

runRepositorySuite({ name: 'HTTP', statusColumn: 'http', connect: (servers) => connect(servers.http) });
