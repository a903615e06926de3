// `wharf serve` with its metrics flags: the metrics server starts after HTTP and gRPC, on
// --metrics-port, with Triton's names under --metrics-compat triton, and stops on SIGTERM.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parsePrometheusText } from '../support/prometheus-text.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));
const cli = join(root, 'dist/src/cli/main.js');
const children: ChildProcess[] = [];

interface Started {
  child: ChildProcess;
  lines: Record<string, unknown>[];
}

/** Starts `wharf serve` on free ports and resolves once the line `until` is logged. */
function serve(extra: string[], env: Record<string, string>, until: string): Promise<Started> {
  const child = spawn(process.execPath, [cli, 'serve', '--http-port', '0', '--grpc-port', '0', '--host', '127.0.0.1', ...extra], {
    env: { ...process.env, WHARF_MODEL_REPOSITORY: join(root, 'examples/models'), WHARF_LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const lines: Record<string, unknown>[] = [];
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`wharf serve exited with ${code}`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const entry = JSON.parse(line) as Record<string, unknown>;
      lines.push(entry);
      if (entry.msg === until) resolve({ child, lines });
    });
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise((resolve) => child.once('exit', resolve));
}

after(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

describe('wharf serve metrics flags', () => {
  it('serves /metrics on --metrics-port with Triton\'s names and stops it on SIGTERM', async () => {
    const { child, lines } = await serve(['--metrics-port', '0'], { WHARF_METRICS_COMPAT: 'triton' }, 'metrics server listening');
    const order = lines.map((l) => l.msg);
    assert.ok(order.indexOf('gRPC server listening') < order.indexOf('metrics server listening'), 'metrics start after HTTP and gRPC');
    const started = lines.find((l) => l.msg === 'metrics server listening')!;
    assert.equal(started.compat, 'triton');
    const url = started.url as string;
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);

    const response = await fetch(url);
    assert.equal(response.status, 200);
    const families = parsePrometheusText(await response.text());
    for (const name of ['wharf_inference_requests_total', 'wharf_model_state', 'nv_inference_request_success', 'nv_inference_queue_duration_us', 'process_cpu_user_seconds_total', 'nodejs_eventloop_lag_seconds']) {
      assert.ok(families.has(name), `${name} is exported`);
    }

    child.kill('SIGTERM');
    assert.equal(await exited(child), 0);
    await assert.rejects(fetch(url));
  });

  it('--allow-metrics false serves no metrics', async () => {
    const { child, lines } = await serve(['--allow-metrics', 'false', '--metrics-port', '0'], {}, 'gRPC server listening');
    // The metrics line would follow the gRPC one at once; give it a moment to show up.
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(lines.some((l) => l.msg === 'metrics server listening'), false);
    child.kill('SIGTERM');
    assert.equal(await exited(child), 0);
  });

  it('refuses bad metrics flags before loading anything', async () => {
    for (const [flags, message] of [
      [['--metrics-compat', 'prometheus'], /--metrics-compat <names>' argument 'prometheus' is invalid. Allowed choices are none, triton/],
      [['--allow-metrics', 'maybe'], /expected true or false, got "maybe"/],
      [['--metrics-port', '70000'], /--metrics-port must be an integer between 0 and 65535/],
    ] as const) {
      const failed = await run(process.execPath, [cli, 'serve', '-r', join(root, 'examples/models'), ...flags]).then(() => undefined, (error: { code: number; stderr: string }) => error);
      assert.ok(failed, `${flags.join(' ')} fails`);
      assert.notEqual(failed.code, 0);
      assert.match(failed.stderr, message);
    }
  });
});
