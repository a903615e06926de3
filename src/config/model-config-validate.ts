/**
 * @module
 * Reading a model configuration: config.pbtxt (protobuf text format) or config.json
 * -> one normalized, validated, frozen ModelConfig. Both forms end in the same structural and
 * semantic checks, and every problem found is reported in one ERR_CONFIG_INVALID.
 */
import { InferenceError } from '../errors/index.js';
import { ProblemList, configInvalid } from './config-problems.js';
import { deepFreeze } from './deep-freeze.js';
import type { ModelConfig } from './model-config.js';
import { modelConfigSchema } from './model-config-schema.js';
import { checkModelConfigSemantics } from './model-config-semantics.js';
import { normalizeMessage } from './model-config-structure.js';
import { TextFormatSyntaxError, parseTextFormat } from './text-format-parser.js';
import { textToJson } from './text-to-json.js';

/**
 * Checks a config in its JSON form (already parsed) and returns its normalized copy. Not completed:
 * fields the config leaves out stay out; see completeModelConfig().
 * @param file - the config file named in error messages.
 * @param modelName - the model folder name; when given, a `name` field must equal it.
 * @throws InferenceError ERR_CONFIG_INVALID listing every problem, each with its field path.
 */
export function validateModelConfig(raw: unknown, file: string, modelName?: string): ModelConfig {
  return finish(raw, file, modelName, new ProblemList());
}

/**
 * Parses and checks a config.pbtxt.
 * @throws InferenceError ERR_CONFIG_INVALID; syntax errors carry the line and column.
 */
export function parseModelConfigText(text: string, file: string, modelName?: string): ModelConfig {
  let document;
  try {
    document = parseTextFormat(text);
  } catch (error) {
    if (!(error instanceof TextFormatSyntaxError)) throw error;
    const where = `line ${error.line}, column ${error.column}`;
    throw new InferenceError('ERR_CONFIG_INVALID', `${file}:${error.line}:${error.column}: syntax error: ${error.message}`, {
      cause: error,
      details: [{ path: '', problem: `syntax error at ${where}: ${error.message}` }],
    });
  }
  const problems = new ProblemList();
  const json = textToJson(document, modelConfigSchema(), problems);
  return finish(json, file, modelName, problems);
}

/**
 * Parses and checks a config.json (Triton's JSON form; 64-bit integers may be numbers or strings).
 * @throws InferenceError ERR_CONFIG_INVALID; JSON syntax errors carry the line and column.
 */
export function parseModelConfigJson(text: string, file: string, modelName?: string): ModelConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /position (\d+)/.exec(message);
    const where = position?.[1] === undefined ? undefined : lineAndColumn(text, Number(position[1]));
    const prefix = where === undefined ? file : `${file}:${where.line}:${where.column}`;
    throw new InferenceError('ERR_CONFIG_INVALID', `${prefix}: invalid JSON: ${message}`, {
      cause: error,
      details: [{ path: '', problem: `invalid JSON${where === undefined ? '' : ` at line ${where.line}, column ${where.column}`}: ${message}` }],
    });
  }
  return validateModelConfig(raw, file, modelName);
}

function finish(raw: unknown, file: string, modelName: string | undefined, problems: ProblemList): ModelConfig {
  // The normalized object has the shape of ModelConfig: every field it kept is known and well typed.
  const normalized: ModelConfig | undefined = normalizeMessage(raw, modelConfigSchema(), '', problems);
  if (normalized !== undefined) {
    const semantic = new ProblemList();
    checkModelConfigSemantics(normalized, { modelName }, semantic);
    // A value already reported as malformed was dropped; do not report it again as missing.
    problems.addAll(semantic.items.filter((p) => !problems.covers(p.path)));
  }
  if (problems.size > 0 || normalized === undefined) throw configInvalid(file, problems.items);
  return deepFreeze(normalized);
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lines = before.split('\n');
  return { line: lines.length, column: (lines[lines.length - 1]?.length ?? 0) + 1 };
}
