import { InferenceError } from '../errors/index.js';

/**
 * Rejects names that could reach outside the repository when joined to its path, or that
 * the repository scan would never produce (hidden folders, control characters).
 */
export function assertSafeModelName(name: string): void {
  const problem =
    name.length === 0 ? 'is empty'
      : name.length > 255 ? 'is longer than 255 characters'
        : name === '.' || name === '..' ? 'is a relative path component'
          : /[/\\]/.test(name) ? 'contains a path separator'
            : name.startsWith('.') ? 'starts with a dot'
              // eslint-disable-next-line no-control-regex
              : /[\u0000-\u001f\u007f]/.test(name) ? 'contains a control character'
                : undefined;
  if (problem) throw new InferenceError('ERR_MODEL_NAME_INVALID', `model name ${JSON.stringify(name)} ${problem}; model names are plain folder names inside the repository`);
}
