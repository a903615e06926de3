/**
 * @module
 * Collecting configuration problems and reporting them all at once: a user fixing a
 * config.pbtxt should see every mistake in one run, each named by file and field path.
 */
import { InferenceError, type ErrorDetail } from '../errors/index.js';

/** Problems found so far, in the order they were found. */
export class ProblemList {
  readonly #items: ErrorDetail[] = [];

  add(path: string, problem: string): void {
    this.#items.push({ path, problem });
  }

  addAll(problems: Iterable<ErrorDetail>): void {
    for (const p of problems) this.#items.push(p);
  }

  get items(): readonly ErrorDetail[] {
    return this.#items;
  }

  get size(): number {
    return this.#items.length;
  }

  /** Whether a problem was already reported at `path` or inside it, or at one of its parents. */
  covers(path: string): boolean {
    return this.#items.some((p) => isWithin(path, p.path) || isWithin(p.path, path));
  }
}

function isWithin(path: string, parent: string): boolean {
  if (parent === '') return false;
  return path === parent || path.startsWith(`${parent}.`) || path.startsWith(`${parent}[`);
}

export function fieldPath(parent: string, field: string): string {
  return parent === '' ? field : `${parent}.${field}`;
}

export function indexPath(parent: string, index: number): string {
  return `${parent}[${index}]`;
}

export function keyPath(parent: string, key: string): string {
  return `${parent}[${JSON.stringify(key)}]`;
}

/** One line per problem, each starting with the file so that it reads well in a log on its own. */
export function formatProblems(file: string, problems: readonly ErrorDetail[]): string {
  return problems.map((p) => (p.path === '' ? `${file}: ${p.problem}` : `${file}: ${p.path}: ${p.problem}`)).join('\n');
}

export function configInvalid(file: string, problems: readonly ErrorDetail[], cause?: unknown): InferenceError {
  return new InferenceError('ERR_CONFIG_INVALID', formatProblems(file, problems), { details: [...problems], cause });
}

export function throwIfProblems(file: string, problems: ProblemList): void {
  if (problems.size > 0) throw configInvalid(file, problems.items);
}

// Names users reach for from other tools (KServe metadata, numpy) that Triton spells differently.
const SYNONYMS: Readonly<Record<string, readonly string[]>> = {
  shape: ['dims', 'shape'],
  datatype: ['data_type'],
  dtype: ['data_type'],
  type: ['data_type', 'kind'],
  instance_groups: ['instance_group'],
  inputs: ['input', 'inputs'],
  outputs: ['output'],
  batch_size: ['max_batch_size', 'batch_size'],
};

/** The closest candidate to a misspelt name, if one is close enough to be a likely typo. */
export function didYouMean(input: string, candidates: readonly string[]): string | undefined {
  const lower = input.toLowerCase();
  for (const synonym of SYNONYMS[lower] ?? []) {
    if (candidates.includes(synonym) && synonym !== input) return synonym;
  }
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (best === undefined) return undefined;
  const limit = Math.max(2, Math.floor(input.length / 4));
  const prefix = input.length >= 4 && (best.startsWith(input) || input.startsWith(best));
  return bestDistance <= limit || prefix ? best : undefined;
}

/** Levenshtein distance with transpositions counted as one edit. */
function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  const at = (i: number, j: number): number => d[i * cols + j] ?? 0;
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, at(i - 2, j - 2) + 1);
      d[i * cols + j] = value;
    }
  }
  return at(a.length, b.length);
}
