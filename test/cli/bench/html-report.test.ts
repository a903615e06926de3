// The HTML bench report: a well-formed page that loads nothing, draws one point per level, and carries the report back as JSON.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import type { BenchReport, LevelResult } from '../../../src/cli/bench/bench-result.js';
import { BENCH_DATA_ELEMENT_ID, nines, renderHtmlReport } from '../../../src/cli/bench/html-report.js';
import { formatTick, niceTicks } from '../../../src/cli/bench/html-chart.js';

const PERCENTILES = [0, 50, 75, 90, 95, 99, 99.9, 100] as const;

function level(concurrency: number, overrides: Partial<LevelResult> = {}): LevelResult {
  const base = 1.5 + concurrency * 0.4;
  const percentiles = PERCENTILES.map((p) => [p, Number((base * (1 + nines(Math.min(p, 99.99)) * 0.6)).toFixed(3))] as const);
  return {
    level: concurrency,
    requests: 1000 * concurrency,
    inferences: 8000 * concurrency,
    durationMs: 5000,
    requestsPerSecond: 200 * concurrency,
    inferencesPerSecond: 1600 * concurrency,
    latencyMs: { min: base * 0.8, mean: base * 1.1, p50: base, p90: base * 1.6, p95: base * 1.8, p99: base * 2.2, p999: base * 2.8, max: base * 3.1 },
    percentiles,
    errors: concurrency === 8 ? { UNAVAILABLE: 3, DEADLINE_EXCEEDED: 1 } : {},
    errorRate: concurrency === 8 ? 4 / 8000 : 0,
    server: { requests: 1000 * concurrency, queueUs: 40 * concurrency, computeInputUs: 15, computeInferUs: 900, computeOutputUs: 12 },
    clientCpuPercent: 20 + concurrency * 5,
    ...overrides,
  };
}

function fixture(levels: readonly LevelResult[], model = 'resnet50_fp32'): BenchReport {
  return {
    settings: {
      url: 'http://127.0.0.1:8000',
      protocol: 'http',
      jsonTensors: false,
      model,
      modelVersion: '1',
      batchSize: 8,
      mode: 'concurrency',
      levels: levels.map((l) => l.level),
      durationMs: 5000,
      warmupMs: 1000,
      inputData: 'random',
      shapes: { input: [8, 3, 224, 224] },
      maxErrorRate: 0.0001,
    },
    machine: {
      cpuModel: 'AMD EPYC 7B13 64-Core Processor',
      cpus: 8,
      totalMemoryBytes: 32 * 2 ** 30,
      platform: 'linux x64',
      node: 'v20.19.0',
      wharfVersion: '0.1.0',
    },
    startedAt: '2026-11-25T00:30:00.000Z',
    levels,
  };
}

const VOID_ELEMENTS = new Set(['meta', 'link', 'br', 'hr', 'img', 'input']);
const RAW_TEXT_ELEMENTS = new Set(['script', 'style']);
const TAG = /<!DOCTYPE html>|<(\/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z][a-zA-Z0-9:-]*="[^"<]*")*)\s*(\/?)>/y;

/**
 * Fails unless every `<` in the page starts a tag with quoted attributes, every element is closed in order (void elements and
 * `/>` aside), and script/style bodies end at their own closing tag. Returns the tag names seen, for counting.
 */
function assertWellFormed(html: string): string[] {
  const stack: string[] = [];
  const seen: string[] = [];
  let at = html.indexOf('<');
  while (at !== -1) {
    TAG.lastIndex = at;
    const m = TAG.exec(html);
    assert.ok(m, `stray or malformed tag at ${at}: ${JSON.stringify(html.slice(at, at + 60))}`);
    let next = TAG.lastIndex;
    const [, closing, rawName, , selfClosing] = m;
    if (rawName !== undefined) {
      const name = rawName.toLowerCase();
      if (closing === '/') {
        assert.equal(stack.pop(), name, `</${name}> at ${at} closes the wrong element`);
      } else {
        seen.push(name);
        if (selfClosing !== '/' && !VOID_ELEMENTS.has(name)) stack.push(name);
        if (RAW_TEXT_ELEMENTS.has(name)) next = html.indexOf(`</${name}`, next);
      }
    }
    assert.ok(!html.slice(TAG.lastIndex, next === -1 ? undefined : next).includes('>') || RAW_TEXT_ELEMENTS.has(rawName ?? ''), `stray > after ${at}`);
    at = next === -1 ? -1 : html.indexOf('<', next);
  }
  assert.deepEqual(stack, [], 'unclosed elements');
  return seen;
}

function assertSelfContained(html: string): void {
  // The page shows the server's URL as text, so look at attributes and the stylesheet, not the whole text.
  assert.ok(!/\s(src|srcset|href|xlink:href|action|data)\s*=/i.test(html), 'no resource references at all');
  const css = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
  assert.ok(!/url\(|@import|@font-face/i.test(css), 'nothing fetched from CSS');
  assert.ok(!/<(link|img|iframe|object|embed|image|use)\b/i.test(html), 'no element that loads something');
  const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
  assert.deepEqual(scripts, [`<script type="application/json" id="${BENCH_DATA_ELEMENT_ID}">`], 'no executable script');
}

function embeddedData(html: string): unknown {
  const m = new RegExp(`<script type="application/json" id="${BENCH_DATA_ELEMENT_ID}">([\\s\\S]*?)</script>`).exec(html);
  assert.ok(m, 'data element present');
  return JSON.parse(m[1]!);
}

function chart(html: string, id: string): string {
  const m = new RegExp(`<svg class="chart" data-chart="${id}"[\\s\\S]*?</svg>`).exec(html);
  assert.ok(m, `chart ${id} present`);
  return m[0];
}

function series(svg: string, name: string): string {
  const m = new RegExp(`<g class="series" data-series="${name}"[\\s\\S]*?</g>`).exec(svg);
  assert.ok(m, `series ${name} present`);
  return m[0];
}

const count = (text: string, re: RegExp): number => [...text.matchAll(re)].length;

function polylineVertices(svg: string): string[][] {
  return [...svg.matchAll(/<polyline class="line" fill="none" points="([^"]*)"/g)].map((m) => m[1]!.split(' ').filter((v) => v !== ''));
}

describe('renderHtmlReport', () => {
  const threeLevels = fixture([level(1), level(4), level(8)]);

  it('writes a well-formed, self-contained page for three levels', () => {
    const html = renderHtmlReport(threeLevels);
    writeFileSync('/tmp/wharf-report-example.html', html);
    assert.ok(html.startsWith('<!DOCTYPE html>\n<html lang="en">'));
    const tags = assertWellFormed(html);
    assertSelfContained(html);
    assert.equal(tags.filter((t) => t === 'svg').length, 1 + 3, 'throughput chart + one percentile chart per level');
    assert.ok(!/NaN|Infinity/.test(html), 'no NaN or Infinity drawn');
  });

  it('shows the model, settings and machine in the header', () => {
    const html = renderHtmlReport(threeLevels);
    const header = /<header>[\s\S]*<\/header>/.exec(html)![0];
    for (const text of ['resnet50_fp32 (version 1)', 'http (binary tensors)', 'concurrency', '1, 4, 8', '5,000 ms per level',
      'input=8x3x224x224', 'AMD EPYC 7B13 64-Core Processor', '<dd>8</dd>', '32.0 GiB', 'v20.19.0', '0.1.0', '2026-11-25T00:30:00.000Z']) {
      assert.ok(header.includes(text), `header shows ${text}`);
    }
  });

  it('draws one labelled point per level for p50 and p99 on the throughput chart', () => {
    const svg = chart(renderHtmlReport(threeLevels), 'throughput-latency');
    for (const name of ['p50', 'p99']) {
      const g = series(svg, name);
      assert.equal(count(g, /<circle class="point"/g), 3);
      assert.equal(polylineVertices(g)[0]!.length, 3);
      assert.deepEqual([...g.matchAll(/<text class="point-label"[^>]*>([^<]*)</g)].map((m) => m[1]), ['1', '4', '8']);
    }
    // Nice tick labels: 0 to 15k inferences/s in round steps.
    const xTicks = [.../<g class="axis x-axis">[\s\S]*?<\/g>/.exec(svg)![0].matchAll(/<text class="tick"[^>]*>([^<]*)</g)].map((m) => m[1]);
    assert.deepEqual(xTicks, ['0', '5k', '10k', '15k']);
  });

  it('draws each level\'s percentiles on a nines axis, one vertex per percentile point', () => {
    const html = renderHtmlReport(threeLevels);
    for (let i = 0; i < 3; i++) {
      const svg = chart(html, `percentiles-${i}`);
      const lines = polylineVertices(svg);
      assert.equal(lines.length, 1);
      assert.equal(lines[0]!.length, PERCENTILES.length);
      const xs = lines[0]!.map((v) => Number(v.split(',')[0]));
      assert.deepEqual([...xs].sort((a, b) => a - b), xs, 'percentiles left to right');
      const ticks = [...svg.matchAll(/<text class="tick" [^>]*text-anchor="middle">([^<]*)</g)].map((m) => m[1]);
      assert.deepEqual(ticks, ['0', '50', '90', '99', '99.9', '100']);
    }
  });

  it('lists every figure per level in the table, failing levels marked', () => {
    const html = renderHtmlReport(threeLevels);
    const rows = [.../<tbody>([\s\S]*)<\/tbody>/.exec(html)![1]!.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)];
    assert.equal(rows.length, 3);
    const cells = (row: string): string[] => [...row.matchAll(/<td>([^<]*)<\/td>/g)].map((m) => m[1]!);
    assert.deepEqual(cells(rows[2]![1]!), [
      '8', '8,000', '1,600.0', '12,800.0', '4.70', '7.52', '8.46', '10.34', '13.16', '14.57',
      '0.05 %', 'UNAVAILABLE: 3, DEADLINE_EXCEEDED: 1', '320', '15', '900', '12', '60 %',
    ]);
    assert.ok(rows[2]![0].startsWith('<tr class="failed">'), 'over max error rate');
    assert.ok(rows[0]![0].startsWith('<tr>'));
    assert.equal(cells(rows[0]![1]!)[11], '–', 'no errors');
  });

  it('embeds the report as JSON that reads back equal to the input', () => {
    assert.deepEqual(embeddedData(renderHtmlReport(threeLevels)), threeLevels);
  });

  it('escapes every text from the report, and </script> inside the data', () => {
    const hostile = fixture([level(2, { errors: { '</script><script>alert(2)</script>': 5, 'A&B "quoted"': 1 } })], '<script>alert(1)</script>');
    const report: BenchReport = { ...hostile, settings: { ...hostile.settings, inputData: '</script>"x\'&', shapes: { '<b>in</b>': [1, 2] } } };
    const html = renderHtmlReport(report);
    assertWellFormed(html);
    assertSelfContained(html);
    assert.ok(!html.includes('<script>alert'), 'hostile script not in the page');
    assert.ok(html.includes('<h1>wharf bench: &lt;script&gt;alert(1)&lt;/script&gt; (version 1)</h1>'));
    assert.ok(html.includes('<title>wharf bench: &lt;script&gt;alert(1)&lt;/script&gt;</title>'));
    assert.ok(html.includes('&lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;: 5, A&amp;B &quot;quoted&quot;: 1'));
    assert.ok(html.includes('<dd>&lt;/script&gt;&quot;x&#39;&amp;</dd>'));
    assert.ok(html.includes('&lt;b&gt;in&lt;/b&gt;=1x2'));
    assert.equal(count(html, /<\/script/gi), 1, 'only the data element closes a script');
    assert.deepEqual(embeddedData(html), report);
  });

  it('handles one level with no errors, no server breakdown, and zero or NaN figures', () => {
    const one = level(1, {
      errors: {},
      server: undefined,
      requestsPerSecond: 0,
      inferencesPerSecond: 0,
      clientCpuPercent: Number.NaN,
      latencyMs: { min: 0, mean: 0, p50: 0, p90: Number.NaN, p95: 0, p99: 0, p999: 0, max: 0 },
      percentiles: [[0, 0], [50, 0], [99, Number.NaN], [100, 0]],
    });
    const report = fixture([one]);
    const html = renderHtmlReport(report);
    assertWellFormed(html);
    assertSelfContained(html);
    assert.ok(!/NaN|Infinity/.test(html), 'no NaN or Infinity drawn');
    const svg = chart(html, 'throughput-latency');
    assert.equal(count(series(svg, 'p50'), /<circle class="point"/g), 1);
    assert.equal(polylineVertices(chart(html, 'percentiles-0'))[0]!.length, 3, 'the NaN point is left out');
    const row = /<tbody>\n<tr>([\s\S]*?)<\/tr>/.exec(html)![1]!;
    const cells = [...row.matchAll(/<td>([^<]*)<\/td>/g)].map((m) => m[1]);
    assert.deepEqual(cells.slice(11), ['–', '–', '–', '–', '–', '– %']);
    // What --json would write: undefined fields dropped, NaN as null.
    assert.deepEqual(embeddedData(html), JSON.parse(JSON.stringify(report)));
  });

  it('handles no levels and many levels', () => {
    const empty = renderHtmlReport(fixture([]));
    assertWellFormed(empty);
    assert.match(chart(empty, 'throughput-latency'), /no data/);
    assert.ok(empty.includes('No levels were measured'));

    const many = fixture(Array.from({ length: 24 }, (_, i) => level(i + 1)));
    const html = renderHtmlReport(many);
    assertWellFormed(html);
    assert.equal(count(series(chart(html, 'throughput-latency'), 'p99'), /<circle class="point"/g), 24);
    assert.ok(html.includes('data-chart="percentiles-23"'));
  });
});

describe('the well-formedness check', () => {
  it('rejects what it is meant to catch', () => {
    assert.throws(() => assertWellFormed('<div><span></div></span>'), /closes the wrong element/);
    assert.throws(() => assertWellFormed('<div>'), /unclosed/);
    assert.throws(() => assertWellFormed('<p>1 < 2</p>'), /stray or malformed/);
    assert.throws(() => assertWellFormed('<p title=x>a</p>'), /stray or malformed/);
    assert.throws(() => assertWellFormed('<script type="application/json">{"a":"</script><b>"}</script>'), /stray|wrong|unclosed/);
    assert.deepEqual(assertWellFormed('<!DOCTYPE html><p>a<br><svg><line x1="0"/></svg></p>'), ['p', 'br', 'svg', 'line']);
  });
});

describe('chart axes', () => {
  it('use nice numbers from zero', () => {
    assert.deepEqual(niceTicks(0, 87), [0, 20, 40, 60, 80, 100]);
    assert.deepEqual(niceTicks(0, 0.37), [0, 0.1, 0.2, 0.3, 0.4]);
    assert.deepEqual(niceTicks(0, 12800), [0, 5000, 10000, 15000]);
    assert.deepEqual(niceTicks(0, 0), [0, 0.2, 0.4, 0.6, 0.8, 1]);
    assert.deepEqual(niceTicks(0, Number.NaN), [0, 0.2, 0.4, 0.6, 0.8, 1]);
    assert.equal(formatTick(0.2, 0.2), '0.2');
    assert.equal(formatTick(2.5, 0.5), '2.5');
    assert.equal(formatTick(20, 20), '20');
    assert.equal(formatTick(4000, 2000), '4k');
  });

  it('place percentiles on the nines scale', () => {
    assert.equal(nines(0), 0);
    for (const [p, x] of [[90, 1], [99, 2], [99.9, 3]] as const) assert.ok(Math.abs(nines(p) - x) < 1e-9, `${p} -> ${x}`);
  });
});
