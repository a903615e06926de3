// The strict exposition parser the metrics tests rely on: what it reads and what it refuses.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parsePrometheusText, sampleValue } from '../support/prometheus-text.js';

const GOOD = [
  '# HELP http_requests_total The total number of HTTP requests.',
  '# TYPE http_requests_total counter',
  'http_requests_total{method="post",code="200"} 1027 1395066363000',
  'http_requests_total{method="post",code="400"}    3 1395066363000',
  '# A plain comment',
  'msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9',
  '# HELP latency A histogram.',
  '# TYPE latency histogram',
  'latency_bucket{le="0.05"} 24054',
  'latency_bucket{le="0.1"} 33444',
  'latency_bucket{le="+Inf"} 144320',
  'latency_sum 53423',
  'latency_count 144320',
  'lag_mean Nan',
  'trailing_comma{a="1",} -Inf',
  '',
].join('\n');

describe('parsePrometheusText', () => {
  it('reads families, labels with escapes, timestamps, histograms and special values', () => {
    const families = parsePrometheusText(GOOD);
    assert.deepEqual([...families.keys()], ['http_requests_total', 'msdos_file_access_time_seconds', 'latency', 'lag_mean', 'trailing_comma']);
    assert.equal(families.get('http_requests_total')!.type, 'counter');
    assert.equal(families.get('http_requests_total')!.help, 'The total number of HTTP requests.');
    assert.deepEqual(families.get('http_requests_total')!.samples[1], { name: 'http_requests_total', labels: { method: 'post', code: '400' }, value: 3, timestampMs: 1395066363000 });
    assert.equal(sampleValue(families, 'msdos_file_access_time_seconds', { path: 'C:\\DIR\\FILE.TXT', error: 'Cannot find file:\n"FILE.TXT"' }), 1.458255915e9);
    assert.equal(sampleValue(families, 'latency_bucket', { le: '+Inf' }), 144320);
    assert.ok(Number.isNaN(sampleValue(families, 'lag_mean')));
    assert.equal(sampleValue(families, 'trailing_comma'), -Infinity);
  });

  const bad: [string, string, RegExp][] = [
    ['no final line feed', 'up 1', /must end with a line feed/],
    ['a bad value', 'up one\n', /bad value "one"/],
    ['a bad escape', 'up{a="\\t"} 1\n', /bad escape/],
    ['an unquoted label', 'up{a=1} 1\n', /bad label set/],
    ['a reserved label name', 'up{__name__="x"} 1\n', /bad label name/],
    ['a repeated label', 'up{a="1",a="2"} 1\n', /label a repeated/],
    ['a repeated series', 'up{a="1"} 1\nup{a="1"} 2\n', /repeated/],
    ['a family in two groups', 'a 1\nb 1\na{x="1"} 1\n', /two groups/],
    ['TYPE after samples', 'a 1\n# TYPE a counter\n', /TYPE of a after its samples/],
    ['an unknown type', '# TYPE a meter\n', /unknown type/],
    ['buckets that go down', '# TYPE h histogram\nh_bucket{le="1"} 5\nh_bucket{le="+Inf"} 4\nh_sum 1\nh_count 4\n', /below the one before/],
    ['no +Inf bucket', '# TYPE h histogram\nh_bucket{le="1"} 5\nh_sum 1\nh_count 5\n', /no \+Inf bucket/],
    ['a count off the +Inf bucket', '# TYPE h histogram\nh_bucket{le="+Inf"} 5\nh_sum 1\nh_count 6\n', /_count 6 differs/],
  ];
  for (const [what, text, error] of bad) {
    it(`refuses ${what}`, () => {
      assert.throws(() => parsePrometheusText(text), error);
    });
  }

  it('sampleValue insists on exactly one match', () => {
    const families = parsePrometheusText(GOOD);
    assert.throws(() => sampleValue(families, 'http_requests_total', { method: 'post' }), /2 samples/);
    assert.throws(() => sampleValue(families, 'nope'), /0 samples/);
  });
});
