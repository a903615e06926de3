// Entry point of one handler worker thread: one instance of a js model's handler, one execute()
// at a time. Handler code runs here, never on the server's main thread, so a slow or crashing
// handler cannot stall or take down the server; the pool replaces a worker that dies.
import { parentPort, workerData } from 'node:worker_threads';
import type { ModelHandler, HandlerRequest } from './handler-api.js';
import { errorMessage, loadHandler } from './handler-loader.js';
import { checkResponses } from './output-validation.js';
import { fromWire, toWire } from './tensor-wire.js';
import type { HandlerWorkerData, WireResult, WorkerCommand, WorkerReply } from './worker-messages.js';

const port = parentPort;
if (!port) throw new Error('handler-worker must run in a worker thread');
const { modelFile, context, outputs } = workerData as HandlerWorkerData;
const model = `model '${context.modelName}'`;

function post(reply: WorkerReply, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(reply, transfer);
}

async function main(): Promise<void> {
  const ready: { handler?: ModelHandler } = {};
  // Listening from the start keeps the thread alive while initialize() awaits something that never
  // settles, so the pool's initialize timeout reports it instead of the thread quietly ending.
  port!.on('message', (command: WorkerCommand) => {
    const { handler } = ready;
    if (!handler) return;
    if (command.kind === 'execute') void execute(handler, command);
    else void finalize(handler);
  });
  let loaded: ModelHandler;
  try {
    loaded = await loadHandler(modelFile);
  } catch (error) {
    post({ kind: 'init-failed', message: errorMessage(error) });
    return;
  }
  try {
    await loaded.initialize?.(context);
  } catch (error) {
    post({ kind: 'init-failed', message: `initialize() of instance ${context.instanceIndex} threw: ${errorMessage(error)}` });
    return;
  }
  ready.handler = loaded;
  post({ kind: 'ready' });
}

async function execute(handler: ModelHandler, command: Extract<WorkerCommand, { kind: 'execute' }>): Promise<void> {
  const requests: HandlerRequest[] = command.requests.map((request) => ({
    inputs: Object.fromEntries(request.inputs.map((wire) => [wire.name, fromWire(wire)])),
    requestedOutputs: request.outputNames,
  }));
  const started = process.hrtime.bigint();
  let responses: unknown;
  try {
    responses = await handler.execute(requests);
  } catch (error) {
    post({ kind: 'execute-failed', id: command.id, code: 'ERR_BACKEND_RUNTIME', message: `${model}: ${errorMessage(error)}` });
    return;
  }
  const computeInferNs = Number(process.hrtime.bigint() - started);
  try {
    const checked = checkResponses(responses, command.requests, outputs, context.modelName);
    if ('failure' in checked) {
      post({ kind: 'execute-failed', id: command.id, code: 'ERR_HANDLER_OUTPUT_INVALID', message: checked.failure });
      return;
    }
    const wire = toWire(checked.results.map((r) => ('outputs' in r ? r.outputs : [])));
    const results = checked.results.map((r, i): WireResult => ('outputs' in r ? { outputs: wire.groups[i]! } : r));
    post({ kind: 'executed', id: command.id, results, computeInferNs }, wire.transfer);
  } catch (error) {
    // A response that cannot be posted (a getter that throws, a value that cannot be cloned).
    post({ kind: 'execute-failed', id: command.id, code: 'ERR_HANDLER_OUTPUT_INVALID', message: `${model}: the responses could not be passed back: ${errorMessage(error)}` });
  }
}

async function finalize(handler: ModelHandler): Promise<void> {
  try {
    await handler.finalize?.();
    post({ kind: 'finalized' });
  } catch (error) {
    post({ kind: 'finalized', message: errorMessage(error) });
  }
}

void main();
