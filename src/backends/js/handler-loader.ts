/**
 * @module
 * Finds the handler in a model.js / model.mjs module. Runs in the handler's worker. A failure
 * is an Error whose message says what to change, reported as the model's load failure.
 */
import { execFile } from 'node:child_process';
import { basename } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ModelHandler } from './handler-api.js';

const EXPECTED = 'export default (or export as `handler`) an object with an execute(requests) method, or a class whose instances have one';

function isClass(value: unknown): value is new () => unknown {
  return typeof value === 'function' && /^class[\s{]/.test(Function.prototype.toString.call(value));
}

function hasExecute(value: unknown): boolean {
  return typeof value === 'object' && value !== null && typeof (value as { execute?: unknown }).execute === 'function';
}

/**
 * The handler a module's exports hold: named export `handler`, else the default export (for a
 * CommonJS module, `module.exports` or its `handler`). A class is instantiated, once per call.
 * @throws Error naming the file and what it exports instead
 */
export function handlerFromExports(exports: Readonly<Record<string, unknown>>, file: string): ModelHandler {
  const name = basename(file);
  const defaultExport = exports.default;
  const nested = typeof defaultExport === 'object' && defaultExport !== null && !hasExecute(defaultExport) ? (defaultExport as { handler?: unknown }).handler : undefined;
  const candidates: [string, unknown][] = [
    ['handler', exports.handler],
    nested === undefined ? ['default', defaultExport] : ['default.handler', nested],
  ];
  const [where, found] = candidates.find(([, value]) => value !== undefined) ?? [];
  if (where === undefined) {
    const names = Object.keys(exports);
    throw new Error(`${name} exports no handler (it exports ${names.length > 0 ? names.join(', ') : 'nothing'}); ${EXPECTED}`);
  }
  let handler: unknown = found;
  if (isClass(found)) {
    try {
      handler = new found();
    } catch (error) {
      throw new Error(`${name}: the constructor of the handler class (export ${where}) threw: ${errorMessage(error)}`, { cause: error });
    }
  } else if (typeof found === 'function') {
    throw new Error(`${name}: export ${where} is a function, not a handler; ${EXPECTED}`);
  }
  if (!hasExecute(handler)) {
    throw new Error(`${name}: export ${where} ${isClass(found) ? 'is a class whose instances have' : 'is an object with'} no execute() method; ${EXPECTED}`);
  }
  for (const hook of ['initialize', 'finalize'] as const) {
    const value = (handler as Record<string, unknown>)[hook];
    if (value !== undefined && typeof value !== 'function') throw new Error(`${name}: the handler's ${hook} is ${typeof value}, not a method`);
  }
  return handler as ModelHandler;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Imports the module and returns its handler (a new instance when it exports a class). */
export async function loadHandler(file: string): Promise<ModelHandler> {
  let exports: Record<string, unknown>;
  try {
    exports = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof SyntaxError) {
      const location = await syntaxErrorLocation(file);
      throw new Error(`${basename(file)} has a syntax error: ${error.message}${location ? ` at ${location}` : ''}`, { cause: error });
    }
    throw new Error(`${basename(file)} could not be imported: ${errorMessage(error)}`, { cause: error });
  }
  return handlerFromExports(exports, file);
}

/**
 * Where the syntax error is, `file:line`. V8 leaves the location out of the error an import()
 * rejects with (Node prints it only for errors that end the process), so ask `node --check`.
 */
function syntaxErrorLocation(file: string): Promise<string | undefined> {
  const args = ['--check', file];
  // A .js file without "type" in package.json is checked as CommonJS; the handler was imported as ESM.
  if (file.endsWith('.js')) args.unshift('--experimental-default-type=module');
  return new Promise((resolve) => {
    execFile(process.execPath, args, { timeout: 10_000 }, (_error, _stdout, stderr) => {
      const first = stderr.split('\n')[0] ?? '';
      resolve(/:\d+$/.test(first) ? first : undefined);
    });
  });
}
