/**
 * @module
 * Measuring every way of splitting a model on this machine: the whole model (all on device, all
 * on server), and the head and tail of each candidate cut, in onnxruntime-node.
 */
import { dataTypeInfo, dataTypeFromOrt } from '../../core/index.js';
import {
  createSession, medianLatencyMs, randomFeeds, resolveInputSpecs, runSession, seededRandom, type Feeds, type InputSpecOptions, type Outputs,
} from '../evaluate/index.js';
import { encodeModel, type OnnxModel } from '../onnx/index.js';
import { candidateCuts } from './candidate-cuts.js';
import type { CutProfile } from './plan-split.js';
import { probeTensorTypes } from './probe-types.js';
import { splitModel, validateCut } from './split-model.js';

export interface ProfileOptions extends InputSpecOptions {
  /** Timed runs per part. @defaultValue 20 */
  readonly iterations?: number;
  /** Only these cuts; all candidates when absent. */
  readonly cuts?: readonly string[];
  /** Intra-op threads of every session; onnxruntime's default when absent. */
  readonly threads?: number;
  /** Called after each part is measured: `done` of `total` parts, and the cut. */
  readonly progress?: (done: number, total: number, label: string) => void;
}

export interface CutProfiles {
  readonly profiles: CutProfile[];
  /** The batch size the shapes and bytes are for (the first input's first dim). */
  readonly batch: number;
  /** Set when dynamic dims of the cut tensors could not be told apart (see probeTensorTypes). */
  readonly dynamicDimsUnknown?: string;
}

/**
 * Profiles all on server, every candidate cut (head and tail, the tail fed with the head's real
 * outputs) and all on device, in topological order. The whole model is timed once and counts for
 * both ends.
 * @throws Error when the model does not load or run in onnxruntime-node; CutError for a cut in
 * `options.cuts` the model does not allow.
 */
export async function profileCuts(model: OnnxModel, options: ProfileOptions = {}): Promise<CutProfiles> {
  const specs = resolveInputSpecs(model, options);
  const cuts = options.cuts ?? candidateCuts(model);
  for (const cut of cuts) validateCut(model, cut);
  const latency = { iterations: options.iterations ?? 20, warmup: 3 };
  const session = { ...(options.threads === undefined ? {} : { threads: options.threads }) };
  const total = 1 + 2 * cuts.length;
  let done = 0;
  const tick = (label: string): void => options.progress?.(++done, total, label);

  const feeds = randomFeeds(specs, seededRandom(1));
  const whole = await createSession(encodeModel(model), session);
  let wholeMs: number;
  let outputs: Outputs;
  try {
    outputs = await runSession(whole, feeds);
    wholeMs = await medianLatencyMs(whole, [feeds], latency);
  } finally {
    await whole.release();
  }
  tick('whole model');
  const outputBytes = tensorsBytes(Object.values(outputs));
  const inputs = Object.keys(feeds);
  const probed = cuts.length === 0 ? { valueInfo: [] } : await probeTensorTypes(model, cuts, options);

  const profiles: CutProfile[] = [{
    label: 'all on server', kind: 'server', sent: inputs, sentShapes: inputs.map((name) => feeds[name]!.dims), sentBytes: tensorsBytes(Object.values(feeds)),
    outputBytes, headMs: 0, tailMs: wholeMs,
  }];
  for (const cut of cuts) {
    const { head, tail } = splitModel(model, cut, { valueInfo: probed.valueInfo });
    const headRun = await timed(encodeModel(head), feeds, latency, session);
    tick(`${cut} (head)`);
    const tailRun = await timed(encodeModel(tail), headRun.outputs, latency, session);
    tick(`${cut} (tail)`);
    const sent = headRun.outputs[cut]!;
    profiles.push({ label: cut, kind: 'cut', sent: [cut], sentShapes: [sent.dims], sentBytes: tensorsBytes([sent]), outputBytes, headMs: headRun.ms, tailMs: tailRun.ms });
  }
  profiles.push({ label: 'all on device', kind: 'device', sent: [], sentShapes: [], sentBytes: 0, outputBytes, headMs: wholeMs, tailMs: 0 });
  const batch = specs[0]?.dims[0] ?? 1;
  return probed.dynamicDimsUnknown === undefined ? { profiles, batch } : { profiles, batch, dynamicDimsUnknown: probed.dynamicDimsUnknown };
}

async function timed(bytes: Uint8Array, feeds: Feeds, latency: { iterations: number; warmup: number }, options: { threads?: number }): Promise<{ ms: number; outputs: Outputs }> {
  const session = await createSession(bytes, options);
  try {
    const outputs = await runSession(session, feeds);
    return { ms: await medianLatencyMs(session, [feeds], latency), outputs };
  } finally {
    await session.release();
  }
}

/** Bytes the tensors take on the wire (strings: their UTF-8 bytes plus a 4-byte length each, as KServe sends them). */
export function tensorsBytes(tensors: readonly Outputs[string][]): number {
  let total = 0;
  for (const tensor of tensors) {
    const datatype = dataTypeFromOrt(tensor.type);
    if (datatype === 'BYTES') {
      for (const text of tensor.data as string[]) total += 4 + Buffer.byteLength(text);
    } else {
      total += tensor.size * (datatype === undefined ? 0 : dataTypeInfo(datatype).byteSize);
    }
  }
  return total;
}
