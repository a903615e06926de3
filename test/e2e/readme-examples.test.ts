import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { MetricsRegistry, startMetricsServer, type RunningMetricsServer } from '../../src/index.js';
import { startTestServer, type TestServer } from '../support/server-harness.js';

const run = promisify(execFile);
const root = new URL('../../../', import.meta.url);
const DOCUMENTS = ['README.md', 'examples/models/mlp_classifier/README.md', 'examples/models/simple_math/README.md', 'examples/models/text_normalizer/README.md', 'examples/models/image_pipeline/README.md', 'examples/models/image_postprocess/README.md', 'docs/protocol.md', 'docs/model-repository.md', 'docs/metrics.md'];
/** Documents whose examples manage models, run against a server in explicit model control mode. */
const EXPLICIT_MODE_DOCUMENTS = new Set(['docs/model-repository.md']);

interface Example {
  command: string;
  /** The ```json block printed after the command, when the document shows one. */
  expected: unknown;
}

/** Each `curl` command in a ```sh block, with the ```json block that follows it (if any). */
function examplesIn(markdown: string): Example[] {
  const blocks = [...markdown.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1]!, body: m[2]! }));
  const examples: Example[] = [];
  blocks.forEach((block, i) => {
    if (block.lang !== 'sh') return;
    const commands = block.body.replace(/\\\n\s*/g, ' ').split('\n').map((line) => line.trim()).filter((line) => line.startsWith('curl ') || line.includes('| curl '));
    const next = blocks[i + 1];
    commands.forEach((command, j) => {
      const last = j === commands.length - 1;
      examples.push({ command, expected: last && next?.lang === 'json' ? JSON.parse(next.body) : undefined });
    });
  });
  return examples;
}

/** Deep equality where numbers may differ by the rounding a document shows (4 decimals). */
function assertClose(actual: unknown, expected: unknown, path = '$'): void {
  if (typeof expected === 'number') {
    assert.equal(typeof actual, 'number', `${path}: expected a number, got ${JSON.stringify(actual)}`);
    assert.ok(Math.abs((actual as number) - expected) <= 1e-4 * Math.max(1, Math.abs(expected)) + 5e-5, `${path}: ${String(actual)} vs documented ${expected}`);
  } else if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual) && actual.length === expected.length, `${path}: ${JSON.stringify(actual)} vs documented ${JSON.stringify(expected)}`);
    expected.forEach((e, i) => assertClose((actual as unknown[])[i], e, `${path}[${i}]`));
  } else if (expected !== null && typeof expected === 'object') {
    assert.ok(actual !== null && typeof actual === 'object', `${path}: expected an object`);
    assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort(), `${path}: keys`);
    for (const [key, value] of Object.entries(expected)) assertClose((actual as Record<string, unknown>)[key], value, `${path}.${key}`);
  } else {
    assert.equal(actual, expected, path);
  }
}

let server: TestServer;
let explicitServer: TestServer;
let metricsServer: RunningMetricsServer;

before(async () => {
  const metrics = new MetricsRegistry({ compat: 'triton' });
  const examples = new URL('examples/models', root).pathname;
  server = await startTestServer(examples, { metrics });
  explicitServer = await startTestServer(examples, { modelControlMode: 'explicit', startupModels: ['*'] });
  metricsServer = await startMetricsServer(metrics, { host: '127.0.0.1', port: 0 });
});

after(async () => {
  await metricsServer?.close();
  await server?.close();
  await explicitServer?.close();
});

describe('curl examples in the documentation', () => {
  for (const document of DOCUMENTS) {
    const examples = examplesIn(readFileSync(new URL(document, root), 'utf8'));
    it(`${document} has examples`, () => assert.ok(examples.length > 0));
    examples.forEach((example, index) => {
      it(`${document} #${index + 1}: ${example.command.slice(0, 70)}`, async () => {
        const target = EXPLICIT_MODE_DOCUMENTS.has(document) ? explicitServer : server;
        const command = example.command
          .replaceAll('localhost:8000', target.url.replace('http://', ''))
          .replaceAll('localhost:8002', `127.0.0.1:${metricsServer.port}`);
        const { stdout } = await run('sh', ['-c', command]);
        // Piped into grep: the text is not JSON; it must simply have matched.
        if (command.includes('| grep')) return assert.ok(stdout.trim().length > 0, `no output from: ${command}`);
        const body = JSON.parse(stdout) as unknown;
        if (example.expected !== undefined) assertClose(body, example.expected);
        else assert.ok(!(body !== null && typeof body === 'object' && 'error' in body), `unexpected error: ${stdout}`);
      });
    });
  }
});
