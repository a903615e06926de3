// `wharf bench` end to end: the built CLI against a real server (HTTP and gRPC) on test models.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startGrpcServer, type RunningGrpcServer } from '../../src/server/grpc/index.js';
import type { BenchReport } from '../../src/cli/bench/bench-result.js';
import { makeTempDir, startTestServer, type TestServer } from '../support/server-harness.js';
import { writeAddSubModel, writeRuntimeErrorModel, writeSlowModel } from '../support/test-models.js';
import { runWharf, type CliRun } from '../support/cli-runner.js';


const wharf = (...args: string[]): Promise<CliRun> => runWharf(args);

let server: TestServer;
let grpc: RunningGrpcServer;
let tmp: { dir: string; cleanup: () => Promise<void> };

async function benchJson(...args: string[]): Promise<{ run: CliRun; report: BenchReport }> {
  const file = join(tmp.dir, `report-${Math.random().toString(36).slice(2)}.json`);
  const run = await wharf('bench', '-u', server.url, '--warmup', '0', '--json', file, ...args);
  assert.equal(run.code, 0, run.stderr);
  return { run, report: JSON.parse(await readFile(file, 'utf8')) as BenchReport };
}

before(async () => {
  tmp = await makeTempDir('wharf-bench-');
  const repo = join(tmp.dir, 'models');
  await writeAddSubModel(repo);
  await writeRuntimeErrorModel(repo);
  // About 20-60 ms per inference on one instance: slow enough to queue, quick enough for a test.
  await writeSlowModel(repo, 'slow', { size: 256, matmuls: 20 });
  server = await startTestServer(repo);
  grpc = await startGrpcServer(server.engine, { host: '127.0.0.1', port: 0 });
});

after(async () => {
  await grpc.close();
  await server.close();
  await tmp.cleanup();
});

describe('wharf bench', () => {
  it('runs closed-loop levels and writes JSON and CSV with a row per level', async () => {
    const csv = join(tmp.dir, 'levels.csv');
    const { run, report } = await benchJson('-m', 'add_sub', '--concurrency', '1,3', '--requests', '30', '--batch-size', '2', '--csv', csv);
    assert.match(run.stdout, /^concurrency\s+infer\/s/m);
    assert.deepEqual(report.levels.map((l) => [l.level, l.requests, l.inferences, l.errorRate]), [[1, 30, 60, 0], [3, 30, 60, 0]]);
    for (const level of report.levels) {
      assert.ok(level.latencyMs.min > 0 && level.latencyMs.min <= level.latencyMs.p50 && level.latencyMs.p50 <= level.latencyMs.max);
      assert.ok(level.inferencesPerSecond > 0 && level.clientCpuPercent > 0);
      assert.ok(level.server !== undefined && level.server.requests >= 30, JSON.stringify(level.server));
      assert.ok(level.percentiles.length > 5);
    }
    assert.equal(report.settings.mode, 'concurrency');
    assert.ok(report.machine.cpus >= 1);
    const rows = (await readFile(csv, 'utf8')).trimEnd().split('\n');
    assert.equal(rows.length, 3);
    assert.match(rows[1]!, /^concurrency,1,30,60,/);
  });

  it('open loop: above the model\'s capacity, latency counts the queueing from the intended send time', async () => {
    const closed = (await benchJson('-m', 'slow', '--concurrency', '1', '--requests', '5')).report.levels[0]!;
    const serviceMs = closed.latencyMs.p50;
    // Four times what one instance can serve: request i waits behind about 3i/4 others.
    const rate = (4 * 1000) / serviceMs;
    const open = (await benchJson('-m', 'slow', '--request-rate', rate.toFixed(2), '--requests', '20')).report.levels[0]!;
    assert.equal(open.requests, 20);
    assert.ok(open.latencyMs.p50 >= 3 * serviceMs, `open-loop p50 ${open.latencyMs.p50} ms vs service time ${serviceMs} ms`);
    assert.ok(open.server !== undefined && open.server.queueUs > 0);
  });

  it('counts failures by code and exits 1 above --max-error-rate', async () => {
    const input = join(tmp.dir, 'bad-input.json');
    await writeFile(input, JSON.stringify({ data: [1, 2, 3, 4], shape: [3, 3] }));
    const file = join(tmp.dir, 'errors.json');
    const run = await wharf('bench', '-u', server.url, '-m', 'runtime_error', '--input-data', input, '--concurrency', '2', '--requests', '10', '--warmup', '0', '--max-error-rate', '0.01', '--json', file);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /error rate above --max-error-rate 0\.01/);
    const level = (JSON.parse(await readFile(file, 'utf8')) as BenchReport).levels[0]!;
    assert.equal(level.errorRate, 1);
    const codes = Object.entries(level.errors);
    assert.equal(codes.length, 1);
    assert.match(codes[0]![0], /^ERR_/);
    assert.equal(codes[0]![1], 10);
  });

  it('benchmarks over gRPC too', async () => {
    const { report } = await benchJson('-m', 'add_sub', '--protocol', 'grpc', '-u', grpc.address, '--request-rate', '200', '--duration', '300ms');
    const level = report.levels[0]!;
    assert.equal(report.settings.protocol, 'grpc');
    assert.equal(level.errorRate, 0);
    assert.ok(level.requests >= 55 && level.requests <= 65, `${level.requests} requests at 200/s for 300 ms`);
    assert.ok(level.server !== undefined && level.server.requests >= level.requests, 'the server breakdown comes from gRPC ModelStatistics');
  });

  it('exits 2 with a clear message on bad arguments', async () => {
    const cases: [string[], RegExp][] = [
      [['-m', 'add_sub'], /--concurrency 1,4,16 \(closed loop\) or --request-rate/],
      [['-m', 'add_sub', '--concurrency', '0'], /--concurrency must be a comma-separated list of positive integers/],
      [['-m', 'add_sub', '--concurrency', '1', '--request-rate', '5'], /cannot be used with option '--request-rate/],
      [['-m', 'add_sub', '--concurrency', '1', '--batch-size', '9'], /max_batch_size 8/],
      [['-m', 'add_sub', '--concurrency', '1', '--shape', 'nope:1'], /no input 'nope'/],
      [['--concurrency', '1'], /required option '-m, --model <name>'/],
    ];
    for (const [args, message] of cases) {
      const run = await wharf('bench', '-u', server.url, ...args);
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, message);
    }
  });
});
