import type { ErrorKind } from './status-map.js';

interface CodeEntry {
  readonly kind: ErrorKind;
  /** What the error means, for docs/errors.md. */
  readonly meaning: string;
  /** What a user should do about it, for docs/errors.md. */
  readonly fix: string;
}

/**
 * The only registry of error codes. Codes are stable: never rename or reuse one;
 * a retired code stays here with a "retired in vX" comment.
 */
export const ERROR_CODES = {
  ERR_INVALID_REQUEST: { kind: 'INVALID_ARG', meaning: 'The request body or a request field is malformed.', fix: 'Read the message: it names the field. Compare the request with docs/protocol.md.' },
  ERR_INPUT_MISSING: { kind: 'INVALID_ARG', meaning: 'A required model input was not sent.', fix: 'Send every input listed by GET /v2/models/{model}.' },
  ERR_INPUT_UNKNOWN: { kind: 'INVALID_ARG', meaning: 'The request names an input the model does not have.', fix: 'Use the input names from GET /v2/models/{model}.' },
  ERR_INPUT_DUPLICATE: { kind: 'INVALID_ARG', meaning: 'The same input name appears twice in one request.', fix: 'Send each input once.' },
  ERR_INPUT_DATATYPE: { kind: 'INVALID_ARG', meaning: "An input's datatype differs from the model's.", fix: 'Use the datatype from GET /v2/models/{model}.' },
  ERR_INPUT_SHAPE: { kind: 'INVALID_ARG', meaning: "An input's shape does not match the model, or its element count does not match its shape.", fix: 'For models with max_batch_size > 0, prepend the batch dimension to the config dims.' },
  ERR_INPUT_DATA: { kind: 'INVALID_ARG', meaning: 'Tensor data does not fit its datatype (out of range, wrong JSON type, not valid UTF-8).', fix: 'Send values representable in the datatype; use the binary extension for exact 64-bit integers.' },
  ERR_OUTPUT_UNKNOWN: { kind: 'INVALID_ARG', meaning: 'A requested output does not exist.', fix: 'Use the output names from GET /v2/models/{model}.' },
  ERR_DATATYPE_UNSUPPORTED: { kind: 'UNSUPPORTED', meaning: 'The datatype is not supported by this backend or runtime.', fix: 'Convert the model to a supported datatype (e.g. BF16 to FP32 or FP16).' },
  ERR_TENSOR_TOO_LARGE: { kind: 'TOO_LARGE', meaning: 'A tensor is larger than the configured tensor size limit.', fix: 'Send smaller tensors or raise --max-tensor-bytes.' },
  ERR_BATCH_TOO_LARGE: { kind: 'INVALID_ARG', meaning: "A request's batch size is larger than the server-wide limit (--max-batch-size).", fix: 'Split the batch into several requests, or raise --max-batch-size.' },
  ERR_BODY_TOO_LARGE: { kind: 'TOO_LARGE', meaning: 'The request body is larger than the configured body limit.', fix: 'Send a smaller body or raise --max-body-bytes.' },
  ERR_MODEL_NOT_FOUND: { kind: 'NOT_FOUND', meaning: 'No model of that name is in the repository.', fix: 'List models with wharf models or POST /v2/repository/index.' },
  ERR_MODEL_VERSION_NOT_FOUND: { kind: 'NOT_FOUND', meaning: 'The model exists but not the requested version.', fix: 'Use a version listed in GET /v2/models/{model}.' },
  ERR_MODEL_NOT_READY: { kind: 'UNAVAILABLE', meaning: 'The model exists but is not ready (loading, failed or unloading).', fix: 'Check the reason in the repository index; fix the model and reload.' },
  ERR_MODEL_NAME_INVALID: { kind: 'INVALID_ARG', meaning: 'A model name could escape the repository or is otherwise not allowed.', fix: 'Use a plain folder name without slashes, "..", or a leading dot.' },
  ERR_CONFIG_INVALID: { kind: 'INVALID_ARG', meaning: 'A model configuration is malformed or disagrees with the model file.', fix: 'The message names the file and field; see docs/model-repository.md.' },
  ERR_CONFIG_UNSUPPORTED: { kind: 'UNSUPPORTED', meaning: 'A model configuration uses a Triton feature Wharf does not implement and cannot serve the model without.', fix: 'The message names the field; see docs/model-repository.md for the supported fields.' },
  ERR_MODEL_LOAD_FAILED: { kind: 'INTERNAL', meaning: 'A model could not be loaded.', fix: 'The reason names the file; check the model file and its config.' },
  ERR_REPOSITORY_INVALID: { kind: 'INVALID_ARG', meaning: 'The model repository path is missing or not a directory.', fix: 'Pass an existing directory to --model-repository.' },
  ERR_BACKEND_RUNTIME: { kind: 'INTERNAL', meaning: 'The backend failed while running the model.', fix: 'The message carries the runtime error; check the inputs against the model.' },
  ERR_BACKEND_UNAVAILABLE: { kind: 'UNAVAILABLE', meaning: 'The backend worker running the model stopped.', fix: 'Retry; the worker is replaced. Check the server log for the cause.' },
  ERR_HANDLER_TIMEOUT: { kind: 'DEADLINE_EXCEEDED', meaning: "A custom (js backend) model's handler ran longer than its execution timeout; its worker was stopped and is being replaced.", fix: "Make execute() faster, or raise the model's execution_timeout_ms parameter (docs/custom-models.md)." },
  ERR_HANDLER_CRASHED: { kind: 'UNAVAILABLE', meaning: "The worker running a custom (js backend) model's handler died (process.exit, an uncaught exception, out of memory) while running the request; it is being replaced.", fix: "Retry. The message gives the cause; for out of memory raise the model's max_heap_mb parameter (docs/custom-models.md)." },
  ERR_HANDLER_OUTPUT_INVALID: { kind: 'INTERNAL', meaning: "A custom (js backend) model's handler returned a response that does not match the request or the model config.", fix: 'The message names the model, the request index and the output; fix the handler (docs/custom-models.md).' },
  ERR_HANDLER_INPUT_REJECTED: { kind: 'INVALID_ARG', meaning: "A custom (js backend) model's handler refused the request's inputs.", fix: "Read the handler's message and fix the request." },
  ERR_QUEUE_FULL: { kind: 'UNAVAILABLE', meaning: "The model's request queue is full (max_queue_size).", fix: 'Retry later or against another replica; raise max_queue_size or add instances if this is steady load.' },
  ERR_QUEUE_TIMEOUT: { kind: 'DEADLINE_EXCEEDED', meaning: 'The request waited in the queue longer than its timeout.', fix: 'Raise the timeout (request parameter or default_timeout_microseconds), or add capacity.' },
  ERR_REQUEST_PARAMETER: { kind: 'INVALID_ARG', meaning: 'A request parameter such as priority or timeout has a value the model does not accept.', fix: 'Read the message: it names the parameter and the accepted range.' },
  ERR_MODEL_CONTROL_DISABLED: { kind: 'UNSUPPORTED', meaning: 'Models cannot be loaded or unloaded through the API in this model control mode.', fix: 'Start the server with --model-control-mode explicit to manage models through the repository API.' },
  ERR_UNAUTHENTICATED: { kind: 'UNAUTHENTICATED', meaning: 'The call needs a bearer token and none, or a wrong one, was sent.', fix: 'Send the header Authorization: Bearer <token> (gRPC metadata authorization) with the token the server was started with.' },
  ERR_WARMUP_FAILED: { kind: 'INTERNAL', meaning: "A model's warm-up (model_warmup in its config) failed, so the model was not loaded.", fix: 'The message names the warm-up and the cause; fix the warm-up inputs or the model.' },
  ERR_MEMORY_BUDGET: { kind: 'UNAVAILABLE', meaning: 'The model does not fit in --model-memory-budget, even with every other unloadable model unloaded.', fix: 'Raise --model-memory-budget, or unset keep_loaded on other models.' },
  ERR_SERVER_STOPPING: { kind: 'UNAVAILABLE', meaning: 'The server is shutting down and accepts no new requests.', fix: 'Retry against another replica.' },
  ERR_ROUTE_NOT_FOUND: { kind: 'NOT_FOUND', meaning: 'No endpoint at this path and method.', fix: 'See docs/protocol.md for the endpoints.' },
  ERR_SERVER_UNREACHABLE: { kind: 'UNAVAILABLE', meaning: 'The client could not connect to the server.', fix: 'Check the URL or host:port, and that the server is running and reachable.' },
  ERR_TIMEOUT: { kind: 'DEADLINE_EXCEEDED', meaning: 'The request did not complete within its timeout.', fix: 'Raise the timeout, or check the server for overload.' },
  ERR_RESPONSE_INVALID: { kind: 'INTERNAL', meaning: 'The client could not decode the server response.', fix: 'Check that the URL points at a KServe v2 server; report it if it is Wharf.' },
  ERR_INTERNAL: { kind: 'INTERNAL', meaning: 'An unexpected server error.', fix: 'Report it with the server log.' },
} as const satisfies Record<string, CodeEntry>;

export type ErrorCode = keyof typeof ERROR_CODES;
