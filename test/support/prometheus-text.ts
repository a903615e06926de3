/**
 * @module
 * A strict parser of the Prometheus text exposition format 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/), for tests that scrape
 * /metrics. It refuses what a Prometheus server would refuse and a little more: a sample
 * before its family's TYPE, a family split in two groups, a repeated series, a bad name or
 * escape, and histograms whose buckets are not cumulative or disagree with `_count`.
 * No npm parser is used: the maintained ones parse leniently, which is what a test must not do.
 */

export type MetricFamilyType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Sample {
  /** The sample's own name, e.g. `x_bucket` for a bucket of histogram `x`. */
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  readonly timestampMs?: number;
}

export interface MetricFamily {
  readonly name: string;
  help: string | undefined;
  type: MetricFamilyType;
  readonly samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES: ReadonlySet<string> = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const SUFFIXES: Readonly<Record<MetricFamilyType, readonly string[]>> = {
  counter: [''], gauge: [''], untyped: [''], histogram: ['_bucket', '_sum', '_count'], summary: ['', '_sum', '_count'],
};

/** Families by name, in exposition order. @throws Error naming the line of the first violation. */
export function parsePrometheusText(text: string): Map<string, MetricFamily> {
  const families = new Map<string, MetricFamily>();
  const closed = new Set<string>();
  const series = new Set<string>();
  let current: MetricFamily | undefined;
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  else if (text.length > 0) throw new Error('the exposition must end with a line feed');

  const familyFor = (name: string, lineNo: number): MetricFamily => {
    if (!METRIC_NAME.test(name)) throw new Error(`line ${lineNo}: bad metric name ${JSON.stringify(name)}`);
    if (current?.name === name) return current;
    if (closed.has(name) || families.has(name)) throw new Error(`line ${lineNo}: family ${name} appears in two groups`);
    if (current) closed.add(current.name);
    current = { name, help: undefined, type: 'untyped', samples: [] };
    families.set(name, current);
    return current;
  };

  lines.forEach((line, index) => {
    const lineNo = index + 1;
    if (line.trim() === '') return;
    if (line.startsWith('#')) {
      const match = /^#\s+(HELP|TYPE)\s+(\S+)(?:\s(.*))?$/.exec(line);
      if (!match) return; // a plain comment
      const [, keyword, name, rest = ''] = match as unknown as [string, 'HELP' | 'TYPE', string, string | undefined];
      const family = familyFor(name, lineNo);
      if (keyword === 'HELP') {
        if (family.help !== undefined) throw new Error(`line ${lineNo}: second HELP for ${name}`);
        family.help = unescape(rest, false, lineNo);
      } else {
        if (family.samples.length > 0) throw new Error(`line ${lineNo}: TYPE of ${name} after its samples`);
        if (!TYPES.has(rest)) throw new Error(`line ${lineNo}: unknown type ${JSON.stringify(rest)}`);
        family.type = rest as MetricFamilyType;
      }
      return;
    }
    const sample = parseSample(line, lineNo);
    const family = current && SUFFIXES[current.type].some((s) => sample.name === current!.name + s) ? current : familyFor(sample.name, lineNo);
    const id = `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort(([a], [b]) => (a < b ? -1 : 1)))}`;
    if (series.has(id)) throw new Error(`line ${lineNo}: series ${id} repeated`);
    series.add(id);
    family.samples.push(sample);
  });
  for (const family of families.values()) if (family.type === 'histogram') checkHistogram(family);
  return families;
}

function parseSample(line: string, lineNo: number): Sample {
  const nameMatch = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line);
  if (!nameMatch) throw new Error(`line ${lineNo}: expected a metric name: ${line}`);
  const name = nameMatch[1]!;
  let rest = line.slice(name.length);
  const labels: Record<string, string> = {};
  if (rest.startsWith('{')) {
    rest = rest.slice(1);
    while (!rest.startsWith('}')) {
      const label = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\.)*)"(,?)/.exec(rest);
      if (!label) throw new Error(`line ${lineNo}: bad label set at ${JSON.stringify(rest.slice(0, 30))}`);
      const [whole, labelName, raw, comma] = label as unknown as [string, string, string, string];
      if (!LABEL_NAME.test(labelName) || labelName.startsWith('__')) throw new Error(`line ${lineNo}: bad label name ${labelName}`);
      if (labelName in labels) throw new Error(`line ${lineNo}: label ${labelName} repeated`);
      labels[labelName] = unescape(raw, true, lineNo);
      rest = rest.slice(whole.length);
      if (comma === '' && !rest.startsWith('}')) throw new Error(`line ${lineNo}: expected , or } after label ${labelName}`);
    }
    rest = rest.slice(1);
  }
  const parts = /^ +(\S+)(?: +(-?\d+))?$/.exec(rest);
  if (!parts) throw new Error(`line ${lineNo}: expected " value [timestamp]", got ${JSON.stringify(rest)}`);
  const value = parseValue(parts[1]!, lineNo);
  return { name, labels, value, ...(parts[2] !== undefined ? { timestampMs: Number(parts[2]) } : {}) };
}

/**
 * As Prometheus reads values (Go's strconv.ParseFloat), which ignores case in NaN and Inf:
 * prom-client prints NaN as "Nan" (lib/util.js getValueAsString), and Prometheus takes it.
 */
function parseValue(text: string, lineNo: number): number {
  if (/^\+?inf(inity)?$/i.test(text)) return Infinity;
  if (/^-inf(inity)?$/i.test(text)) return -Infinity;
  if (/^nan$/i.test(text)) return NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new Error(`line ${lineNo}: bad value ${JSON.stringify(text)}`);
  return Number(text);
}

/** HELP text escapes \\ and \n; label values also \". Any other escape is an error. */
function unescape(raw: string, quotes: boolean, lineNo: number): string {
  return raw.replace(/\\(.?)/g, (_whole, next: string) => {
    if (next === '\\') return '\\';
    if (next === 'n') return '\n';
    if (next === '"' && quotes) return '"';
    throw new Error(`line ${lineNo}: bad escape \\${next}`);
  });
}

/** Per series: buckets cumulative in `le` order, a +Inf bucket equal to `_count`, and a `_sum`. */
function checkHistogram(family: MetricFamily): void {
  const groups = new Map<string, { buckets: [number, number][]; count?: number; sum?: number }>();
  for (const sample of family.samples) {
    const { le, ...rest } = sample.labels;
    const id = JSON.stringify(Object.entries(rest).sort(([a], [b]) => (a < b ? -1 : 1)));
    const group = groups.get(id) ?? { buckets: [] };
    groups.set(id, group);
    if (sample.name.endsWith('_bucket')) {
      if (le === undefined) throw new Error(`${family.name}: bucket without le in ${id}`);
      group.buckets.push([parseValue(le, 0), sample.value]);
    } else if (sample.name.endsWith('_count')) group.count = sample.value;
    else group.sum = sample.value;
  }
  for (const [id, group] of groups) {
    const sorted = [...group.buckets].sort(([a], [b]) => a - b);
    if (sorted.at(-1)?.[0] !== Infinity) throw new Error(`${family.name}${id}: no +Inf bucket`);
    sorted.forEach(([le, count], i) => {
      if (i > 0 && count < sorted[i - 1]![1]) throw new Error(`${family.name}${id}: bucket le=${le} is below the one before`);
    });
    if (group.count !== sorted.at(-1)![1]) throw new Error(`${family.name}${id}: _count ${group.count} differs from the +Inf bucket ${sorted.at(-1)![1]}`);
    if (group.sum === undefined) throw new Error(`${family.name}${id}: no _sum`);
  }
}

/**
 * The value of the one sample of `sampleName` whose labels include `labels`.
 * @throws Error when none or several match.
 */
export function sampleValue(families: Map<string, MetricFamily>, sampleName: string, labels: Record<string, string> = {}): number {
  const matches = [...families.values()].flatMap((f) => f.samples).filter((s) => s.name === sampleName && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (matches.length !== 1) throw new Error(`${matches.length} samples of ${sampleName} match ${JSON.stringify(labels)}`);
  return matches[0]!.value;
}
