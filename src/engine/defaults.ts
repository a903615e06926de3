/** Largest tensor a request may carry, in bytes. @defaultValue 256 MiB */
export const DEFAULT_MAX_TENSOR_BYTES = 256 * 1024 * 1024;
