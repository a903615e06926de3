import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { MetricsRegistry, startMetricsServer, type RunningMetricsServer } from '../../src/metrics/index.js';
import { parsePrometheusText, sampleValue } from '../support/prometheus-text.js';

describe('startMetricsServer', () => {
  const registry = new MetricsRegistry({ compat: 'triton' });
  let server: RunningMetricsServer;

  before(async () => {
    registry.setModelState('resnet', '1', 'READY');
    registry.eventsFor('resnet', '1').onRequestSuccess!(4, { queueNs: 1000, computeInputNs: 1000, computeInferNs: 1000, computeOutputNs: 1000 });
    server = await startMetricsServer(registry, { host: '127.0.0.1', port: 0 });
  });

  after(async () => {
    await server.close();
  });

  it('serves the exposition at GET /metrics with the registry\'s content type', async () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.notEqual(server.port, 0);
    const response = await fetch(`${server.url}/metrics`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    const families = parsePrometheusText(await response.text());
    assert.equal(sampleValue(families, 'wharf_inference_count_total', { model: 'resnet', version: '1' }), 4);
    assert.equal(sampleValue(families, 'nv_inference_request_duration_us', { model: 'resnet', version: '1' }), 4);
    assert.equal(sampleValue(families, 'wharf_model_state', { model: 'resnet', version: '1', state: 'READY' }), 1);
    assert.ok(families.has('nodejs_eventloop_lag_seconds'));
  });

  it('ignores a query string, as Prometheus may add one', async () => {
    assert.equal((await fetch(`${server.url}/metrics?name[]=up`)).status, 200);
  });

  it('answers HEAD with the headers only', async () => {
    const response = await fetch(`${server.url}/metrics`, { method: 'HEAD' });
    assert.equal(response.status, 200);
    assert.equal(await response.text(), '');
  });

  it('answers other paths and methods with the JSON 404 of the KServe endpoints', async () => {
    for (const [method, path] of [['GET', '/'], ['GET', '/v2/health/ready'], ['POST', '/metrics'], ['GET', '/metrics/extra']] as const) {
      const response = await fetch(`${server.url}${path}`, { method });
      assert.equal(response.status, 404, `${method} ${path}`);
      assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
      assert.deepEqual(await response.json(), { error: `no endpoint ${method} ${path}; metrics are at GET /metrics`, code: 'ERR_ROUTE_NOT_FOUND' });
    }
  });

  it('keeps working for a client that does not send a well-formed URL', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: server.port, path: '*', method: 'OPTIONS' }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(status, 404);
    assert.equal((await fetch(`${server.url}/metrics`)).status, 200);
  });
});

describe('startMetricsServer failures', () => {
  it('answers 500 with a JSON error when collecting fails, and stays up', async () => {
    let fail = true;
    const source = { contentType: 'text/plain; version=0.0.4; charset=utf-8', metrics: () => (fail ? Promise.reject(new Error('collector broke')) : Promise.resolve('up 1\n')) };
    const server = await startMetricsServer(source, { host: '127.0.0.1', port: 0 });
    try {
      const response = await fetch(`${server.url}/metrics`);
      assert.equal(response.status, 500);
      assert.deepEqual(await response.json(), { error: 'collecting metrics failed: collector broke', code: 'ERR_INTERNAL' });
      fail = false;
      assert.equal(await (await fetch(`${server.url}/metrics`)).text(), 'up 1\n');
    } finally {
      await server.close();
    }
  });

  it('rejects when the port is taken', async () => {
    const first = await startMetricsServer(new MetricsRegistry({ defaultMetrics: false }), { host: '127.0.0.1', port: 0 });
    try {
      await assert.rejects(startMetricsServer(new MetricsRegistry({ defaultMetrics: false }), { host: '127.0.0.1', port: first.port }), { code: 'EADDRINUSE' });
    } finally {
      await first.close();
    }
  });

  it('closes while Prometheus keeps its connection open', async () => {
    const server = await startMetricsServer(new MetricsRegistry({ defaultMetrics: false }), { host: '127.0.0.1', port: 0 });
    await (await fetch(`${server.url}/metrics`, { headers: { connection: 'keep-alive' } })).text();
    await server.close();
    await assert.rejects(fetch(`${server.url}/metrics`));
  });
});
