/**
 * Freezes an object graph in place, so a config shared by the repository, schedulers and
 * the /config endpoint cannot be changed by one of them behind the others' backs.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
