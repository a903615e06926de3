/** Largest tensor a request may carry, in bytes. @defaultValue 256 MiB */
export const DEFAULT_MAX_TENSOR_BYTES = 256 * 1024 * 1024;

/** Seconds between repository scans in poll mode (Triton's --repository-poll-secs default). */
export const DEFAULT_REPOSITORY_POLL_SECONDS = 15;

/** Seconds a drain waits for accepted requests before the process exits anyway (Triton's --exit-timeout-secs default). */
export const DEFAULT_SHUTDOWN_TIMEOUT_SECONDS = 30;
