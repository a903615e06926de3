// Entry point of one session worker thread: one onnxruntime session, one run at a time.
// onnxruntime-node's run() blocks its thread for the whole inference, so it must never
// run on the server's main thread.
import { parentPort, workerData } from 'node:worker_threads';
import ort from 'onnxruntime-node';
import { dataTypeFromOrt, dataTypeInfo, type ModelSignature, type SignatureTensor, type Tensor } from '../../core/index.js';
import type { ErrorCode } from '../../errors/index.js';
import type { RunMessage, SessionWorkerData, WorkerReply } from './worker-messages.js';
import { prepareForTransfer } from '../transfer.js';

const port = parentPort;
if (!port) throw new Error('session-worker must run in a worker thread');
const { modelPath, settings } = workerData as SessionWorkerData;

class WorkerFailure extends Error {
  constructor(readonly code: ErrorCode, message: string) {
    super(message);
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const utf8 = new TextEncoder();

function signatureTensors(metadata: readonly ort.InferenceSession.ValueMetadata[], role: 'input' | 'output'): SignatureTensor[] {
  return metadata.map((value) => {
    if (!value.isTensor) throw new WorkerFailure('ERR_MODEL_LOAD_FAILED', `${role} '${value.name}' is not a tensor (sequences and maps are not served)`);
    const datatype = dataTypeFromOrt(value.type);
    if (!datatype) throw new WorkerFailure('ERR_DATATYPE_UNSUPPORTED', `${role} '${value.name}' has element type ${value.type}, which Wharf cannot serve`);
    return { name: value.name, datatype, dims: value.shape.map((dim) => (typeof dim === 'number' && dim >= 0 ? dim : -1)) };
  });
}

function describeLoadError(error: unknown): WorkerFailure {
  if (error instanceof WorkerFailure) return error;
  const message = error instanceof Error ? error.message : String(error);
  // onnxruntime-node has no bfloat16 tensor type and refuses such models at session creation.
  if (/Unsupported data type: 16\b/.test(message)) {
    return new WorkerFailure('ERR_DATATYPE_UNSUPPORTED', `onnxruntime-node cannot exchange BF16 tensors (ONNX element type 16) as model inputs or outputs; convert them to FP32 or FP16 (runtime said: ${message})`);
  }
  return new WorkerFailure('ERR_MODEL_LOAD_FAILED', `onnxruntime could not load the model: ${message}`);
}

function toOrtTensor(tensor: Tensor): ort.Tensor {
  const info = dataTypeInfo(tensor.datatype);
  if (!info.ortType) throw new WorkerFailure('ERR_DATATYPE_UNSUPPORTED', `input '${tensor.name}': onnxruntime-node cannot take ${tensor.datatype} tensors`);
  if (tensor.datatype === 'BYTES') {
    const strings = tensor.data.map((element, index) => {
      try {
        return strictUtf8.decode(element);
      } catch {
        throw new WorkerFailure('ERR_INPUT_DATA', `input '${tensor.name}' (BYTES): element ${index} is not valid UTF-8; ONNX string tensors in onnxruntime-node carry UTF-8 text`);
      }
    });
    return new ort.Tensor('string', strings, tensor.shape);
  }
  return new ort.Tensor(info.ortType as 'float32', tensor.data as Float32Array, tensor.shape);
}

function fromOrtTensor(name: string, value: ort.Tensor): Tensor {
  const datatype = dataTypeFromOrt(value.type);
  if (!datatype) throw new WorkerFailure('ERR_DATATYPE_UNSUPPORTED', `output '${name}' has element type ${value.type}, which Wharf cannot return`);
  const shape = [...value.dims];
  if (datatype === 'BYTES') return { name, datatype, shape, data: (value.data as string[]).map((s) => utf8.encode(s)) };
  return { name, datatype, shape, data: value.data } as Tensor;
}

async function main(): Promise<void> {
  let session: ort.InferenceSession;
  let signature: ModelSignature;
  try {
    const { allowSpinning, ...options } = settings;
    session = await ort.InferenceSession.create(modelPath, { ...options, logSeverityLevel: 3, extra: { session: { intra_op: { allow_spinning: allowSpinning ? '1' : '0' } } } });
    signature = { inputs: signatureTensors(session.inputMetadata, 'input'), outputs: signatureTensors(session.outputMetadata, 'output') };
  } catch (error) {
    const failure = describeLoadError(error);
    post({ kind: 'load-failed', code: failure.code, message: failure.message });
    return;
  }
  post({ kind: 'ready', signature });

  port!.on('message', (message: RunMessage) => {
    void run(session, message);
  });
}

async function run(session: ort.InferenceSession, message: RunMessage): Promise<void> {
  try {
    const feeds: Record<string, ort.Tensor> = {};
    for (const input of message.inputs) feeds[input.name] = toOrtTensor(input);
    const started = process.hrtime.bigint();
    const results = await session.run(feeds, message.outputNames as string[]);
    const computeInferNs = Number(process.hrtime.bigint() - started);
    const { tensors: outputs, transfer } = prepareForTransfer(message.outputNames.map((name) => fromOrtTensor(name, results[name]!)));
    post({ kind: 'result', id: message.id, outputs, computeInferNs }, transfer);
  } catch (error) {
    const failure = error instanceof WorkerFailure ? error : new WorkerFailure('ERR_BACKEND_RUNTIME', `onnxruntime failed: ${error instanceof Error ? error.message : String(error)}`);
    post({ kind: 'run-failed', id: message.id, code: failure.code, message: failure.message });
  }
}

function post(reply: WorkerReply, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(reply, transfer);
}

await main();
