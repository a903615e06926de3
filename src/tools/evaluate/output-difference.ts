/**
 * @module
 * How far a transformed model's outputs are from the original's, over a set of samples.
 */
import { floatValues, type Outputs } from './session.js';

export interface OutputDifference {
  readonly output: string;
  /** Largest |reference - candidate| over every element of every sample. */
  readonly maxAbs: number;
  readonly meanAbs: number;
  /** Cosine similarity of all reference values against all candidate values (1 when both are all zeros). */
  readonly cosine: number;
  /**
   * Fraction of rows whose argmax over the last axis agrees, for outputs shaped [..., classes]
   * with more than one class; absent otherwise.
   */
  readonly top1Agreement?: number;
  /** Rows compared for top-1 (samples × leading dims), or samples when there is no class axis. */
  readonly rows: number;
}

/**
 * Compares outputs sample by sample; both lists hold the same samples in the same order.
 * @throws Error when an output is missing from the candidate or changed shape.
 */
export function compareOutputs(reference: readonly Outputs[], candidate: readonly Outputs[]): OutputDifference[] {
  if (reference.length !== candidate.length) throw new Error(`compared ${reference.length} reference samples with ${candidate.length} candidate samples`);
  if (reference.length === 0) return [];
  return Object.keys(reference[0]!).map((output) => {
    let maxAbs = 0;
    let sumAbs = 0;
    let count = 0;
    let dot = 0;
    let normReference = 0;
    let normCandidate = 0;
    let rows = 0;
    let agreeing = 0;
    let classAxis = true;
    reference.forEach((sample, index) => {
      const expected = sample[output]!;
      const actual = candidate[index]![output];
      if (actual === undefined) throw new Error(`the transformed model has no output '${output}'`);
      if (expected.dims.join(',') !== actual.dims.join(',')) throw new Error(`output '${output}' changed shape from [${expected.dims.join(',')}] to [${actual.dims.join(',')}]`);
      const a = floatValues(expected);
      const b = floatValues(actual);
      for (let i = 0; i < a.length; i += 1) {
        const difference = Math.abs(a[i]! - b[i]!);
        if (difference > maxAbs || Number.isNaN(difference)) maxAbs = Number.isNaN(difference) ? Number.NaN : Math.max(maxAbs, difference);
        sumAbs += difference;
        dot += a[i]! * b[i]!;
        normReference += a[i]! * a[i]!;
        normCandidate += b[i]! * b[i]!;
      }
      count += a.length;
      const classes = expected.dims.at(-1) ?? 1;
      if (expected.dims.length < 2 || classes < 2) {
        classAxis = false;
        rows += 1;
        return;
      }
      for (let row = 0; row < a.length; row += classes) {
        rows += 1;
        if (argmax(a, row, classes) === argmax(b, row, classes)) agreeing += 1;
      }
    });
    const cosine = normReference === 0 && normCandidate === 0 ? 1 : dot / Math.sqrt(normReference * normCandidate);
    return {
      output,
      maxAbs,
      meanAbs: count === 0 ? 0 : sumAbs / count,
      cosine,
      ...(classAxis ? { top1Agreement: agreeing / rows } : {}),
      rows,
    };
  });
}

function argmax(values: Float64Array, start: number, length: number): number {
  let best = 0;
  for (let i = 1; i < length; i += 1) if (values[start + i]! > values[start + best]!) best = i;
  return best;
}
