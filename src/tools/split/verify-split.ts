/**
 * @module
 * The check `wharf model split` prints: head then tail, in onnxruntime-node, against the whole
 * model on the same inputs.
 */
import type ort from 'onnxruntime-node';
import { compareOutputs, createSession, runSession, type Feeds, type OutputDifference, type Outputs } from '../evaluate/index.js';
import { encodeModel, type OnnxModel } from '../onnx/index.js';

export interface SplitCheck {
  readonly differences: OutputDifference[];
  /** The head's outputs: the cut tensors as they would travel. */
  readonly cutValues: Outputs;
}

/**
 * Runs the whole model and head -> tail on each sample and compares the outputs.
 * @throws Error when a part does not load or run (with onnxruntime's reason).
 */
export async function verifySplit(model: OnnxModel, parts: { head: OnnxModel; tail: OnnxModel }, samples: readonly Feeds[]): Promise<SplitCheck> {
  const sessions: ort.InferenceSession[] = [];
  try {
    for (const part of [model, parts.head, parts.tail]) sessions.push(await createSession(encodeModel(part)));
    const [whole, head, tail] = sessions;
    const reference: Outputs[] = [];
    const candidate: Outputs[] = [];
    let cutValues: Outputs = {};
    for (const feeds of samples) {
      reference.push(await runSession(whole!, feeds));
      cutValues = await runSession(head!, feeds);
      candidate.push(await runSession(tail!, cutValues));
    }
    return { differences: compareOutputs(reference, candidate), cutValues };
  } finally {
    await Promise.all(sessions.map((session) => session.release()));
  }
}
