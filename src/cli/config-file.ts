/**
 * @module
 * `--config <file>` for a commander command: every option of the command may also come from a
 * YAML (or JSON) file, keyed like its long flag (`http-port: 8000`; `httpPort` is accepted too).
 * Precedence is flag > environment variable > file > default: a file value fills an option only
 * when commander's value source is still `default` (or unset), and it is recorded with commander's
 * own `config` source. Each value goes through the option's own choices and argParser, so a bad
 * value reads as it would on the command line, plus the file, line and key.
 *
 * Nothing here knows the options of `wharf serve`: keys, parsers, list options and secrets are all
 * read from the command's declared options, so a new flag is configurable without a change here.
 */
import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { UsageError } from './bench/bench-options.js';

/** What the start-up log shows instead of a secret's value. */
export const REDACTED = '[redacted]';

/** Option names (kebab-case) whose values are secrets: masked in the log and in error messages. */
const SECRET_NAME = /token|password|passphrase|secret|credential|api-key/;

/** A bad config file: the CLI prints the message and exits with code 2, as for other usage errors. */
export class ConfigFileError extends UsageError {}

/**
 * Adds `--config <file>` (env WHARF_CONFIG) to `command` and applies the file before its action.
 * Call it once every other option is declared. Mandatory options are checked after the file is
 * applied (commander checks them before any hook runs), so a mandatory option may come from it.
 */
export function withConfigFile(command: Command): Command {
  const mandatory = command.options.filter((option) => option.mandatory);
  for (const option of mandatory) option.mandatory = false;
  command.addOption(new Option('--config <file>', 'YAML or JSON file of settings, keyed like the long flags (http-port: 8000); flags and environment variables win over it')
    .env('WHARF_CONFIG'));
  command.hook('preAction', (thisCommand) => {
    applyBooleanEnvironment(thisCommand);
    const path = thisCommand.getOptionValue(CONFIG_ATTRIBUTE) as string | undefined;
    if (path !== undefined) applyConfigFile(thisCommand, path);
    for (const option of mandatory) {
      if (thisCommand.getOptionValue(option.attributeName()) === undefined) {
        thisCommand.error(`error: required option '${option.flags}' not specified`);
      }
    }
  });
  return command;
}

const CONFIG_ATTRIBUTE = 'config';

const ENV_TRUE = new Set(['true', '1', 'yes', 'on']);
const ENV_FALSE = new Set(['false', '0', 'no', 'off', '']);

/**
 * Commander turns a boolean flag on whenever its variable is set, whatever the value, so that
 * `WHARF_STRICT_READINESS=false` would mean true. Reads the value instead.
 * @throws ConfigFileError for a value that is neither true nor false.
 */
function applyBooleanEnvironment(command: Command): void {
  for (const option of command.options) {
    if (option.envVar === undefined || !(option.isBoolean() && !option.negate)) continue;
    if (command.getOptionValueSource(option.attributeName()) !== 'env') continue;
    const text = (process.env[option.envVar] ?? '').trim().toLowerCase();
    if (ENV_FALSE.has(text)) command.setOptionValueWithSource(option.attributeName(), false, 'env');
    else if (!ENV_TRUE.has(text)) throw new ConfigFileError(`${option.envVar}=${JSON.stringify(process.env[option.envVar])} must be true or false (also 1/0, yes/no, on/off)`);
  }
}

/**
 * Reads `path` and sets each of its settings on `command` with source `config`, skipping options
 * given as flags or environment variables. Validates the whole file before it sets anything.
 * @throws ConfigFileError naming the file, the line and the key.
 */
export function applyConfigFile(command: Command, path: string): void {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigFileError(`config file ${path}: cannot read it: ${(error as Error).message}`);
  }
  for (const [name, value] of Object.entries(parseConfigFile(command, path, text))) {
    const source = command.getOptionValueSource(name);
    if (source === undefined || source === 'default') command.setOptionValueWithSource(name, value, 'config');
  }
}

/**
 * Parses the text of a config file into option values keyed by attribute name (`httpPort`).
 * @throws ConfigFileError on a YAML error, an unknown or repeated key, or a value its option refuses.
 */
export function parseConfigFile(command: Command, path: string, text: string): Record<string, unknown> {
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, prettyErrors: true });
  const at = (node: Node | null | undefined): string => {
    const offset = node?.range?.[0];
    return offset === undefined ? `config file ${path}` : `config file ${path}, line ${lines.linePos(offset).line}`;
  };
  const [syntax] = document.errors;
  if (syntax) throw new ConfigFileError(`config file ${path}: ${syntax.message.split('\n')[0]}`);
  const root = document.contents;
  if (root === null || (isScalar(root) && root.value === null)) return {};
  if (!isMap(root)) throw new ConfigFileError(`${at(root)}: expected a mapping of settings (http-port: 8000), got a ${isSeq(root) ? 'list' : 'single value'}`);

  const options = configurableOptions(command);
  const values: Record<string, unknown> = {};
  const seen = new Map<string, string>();
  for (const pair of root.items) {
    const keyNode = pair.key as Node | null;
    const key = isScalar(keyNode) ? String(keyNode.value) : '';
    const option = options.get(key);
    if (!option) throw new ConfigFileError(`${at(keyNode)}: ${unknownKey(key, options)}`);
    const name = option.attributeName();
    const earlier = seen.get(name);
    if (earlier !== undefined) throw new ConfigFileError(`${at(keyNode)}: '${key}' sets the same option as '${earlier}' above`);
    seen.set(name, key);
    values[name] = optionValue(option, key, pair.value, (node) => at(node ?? keyNode));
  }
  return values;
}

/** The options a file may set, under both their kebab-case and camelCase keys. */
function configurableOptions(command: Command): Map<string, Option> {
  const options = new Map<string, Option>();
  for (const option of command.options) {
    const name = option.attributeName();
    if (name === CONFIG_ATTRIBUTE || options.has(name)) continue;
    options.set(name, option);
    options.set(kebabCase(name), option);
  }
  return options;
}

/** `httpPort` -> `http-port`: the canonical key, as the long flag spells it. */
function kebabCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

export function isSecretOption(option: Option): boolean {
  return SECRET_NAME.test(kebabCase(option.attributeName()));
}

/** Converts one YAML value the way commander would convert the flag's text. */
function optionValue(option: Option, key: string, node: Node | null, at: (node: Node | null) => string): unknown {
  const secret = isSecretOption(option);
  const show = (text: string): string => (secret ? REDACTED : text);
  if (node === null || (isScalar(node) && node.value === null)) {
    throw new ConfigFileError(`${at(node)}: '${key}' has no value (remove the key to use the default)`);
  }
  if (option.isBoolean() || option.negate) {
    const value = isScalar(node) ? node.value : undefined;
    if (value === true || value === false) return value;
    throw new ConfigFileError(`${at(node)}: '${key}' must be true or false, got ${isScalar(node) ? `'${show(scalarText(node))}'` : 'a list or mapping'}`);
  }
  const parse = (item: Node, previous: unknown): unknown => {
    if (!isScalar(item) || item.value === null) throw new ConfigFileError(`${at(item)}: '${key}' takes ${repeatable(option) ? 'a value or a list of values' : 'a single value'}, got a ${isSeq(item) ? 'list' : isMap(item) ? 'mapping' : 'null'}`);
    const text = scalarText(item);
    const invalid = (problem: string): ConfigFileError =>
      new ConfigFileError(`${at(item)}: '${key}' value '${show(text)}' is invalid. ${secret ? problem.replaceAll(text, REDACTED) : problem}`);
    if (option.argChoices && !option.argChoices.includes(text)) throw invalid(`Allowed choices are ${option.argChoices.join(', ')}.`);
    if (option.parseArg) {
      try {
        return option.parseArg(text, previous);
      } catch (error) {
        throw invalid(error instanceof Error ? error.message : String(error));
      }
    }
    return option.variadic ? [...(Array.isArray(previous) ? previous as unknown[] : []), text] : text;
  };
  if (!isSeq(node)) return parse(node, option.defaultValue);
  if (!repeatable(option)) throw new ConfigFileError(`${at(node)}: '${key}' takes a single value, not a list`);
  let value: unknown = option.defaultValue;
  for (const item of node.items) value = parse(item as Node, value);
  return value;
}

/**
 * Whether an option takes several values, so that the file may give a list: variadic, or its
 * parser folds each value into the previous ones (`(value, previous)`, as listOption does).
 * choices() installs a two-argument parser of its own, which does not make an option repeatable.
 */
function repeatable(option: Option): boolean {
  return option.variadic || (option.parseArg !== undefined && option.parseArg.length >= 2 && option.argChoices === undefined);
}

/** The text the flag would have carried: a plain scalar as written (0x10, 1.50), a quoted one as read. */
function scalarText(node: Node): string {
  if (!isScalar(node)) return '';
  if (typeof node.value === 'string') return node.value;
  return node.source ?? String(node.value);
}

function unknownKey(key: string, options: Map<string, Option>): string {
  const wanted = key.replace(/([a-z0-9])([A-Z])/g, '$1-$2').replace(/_/g, '-').toLowerCase();
  const names = [...new Set([...options.values()].map((option) => kebabCase(option.attributeName())))];
  let best: { name: string; distance: number } | undefined;
  for (const name of names) {
    const distance = editDistance(wanted, name);
    if (!best || distance < best.distance) best = { name, distance };
  }
  const suggestion = best && best.distance <= Math.max(2, Math.floor(best.name.length / 3)) ? ` (did you mean '${best.name}'?)` : '';
  return `unknown key '${key}'${suggestion}; keys are the long flags of the command: ${names.join(', ')}`;
}

/** Levenshtein distance, for the "did you mean" of an unknown key. */
function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[b.length]!;
}

/** Commander's value sources in the operator's words; any other source is shown as commander names it. */
const SOURCE_NAMES: Readonly<Record<string, string>> = { cli: 'flag', env: 'env', config: 'file', default: 'default', implied: 'implied' };

/**
 * Every option that has a value, keyed like the config file (kebab-case), with secrets masked,
 * and where each value came from; for the start-up log line.
 */
export function startupSettings(command: Command): { settings: Record<string, unknown>; sources: Record<string, string> } {
  const settings: Record<string, unknown> = {};
  const sources: Record<string, string> = {};
  for (const option of command.options) {
    const name = option.attributeName();
    const key = kebabCase(name);
    const value: unknown = command.getOptionValue(name);
    if (value === undefined || key in settings) continue;
    settings[key] = isSecretOption(option) ? REDACTED : value;
    const source = command.getOptionValueSource(name);
    if (source !== undefined) sources[key] = SOURCE_NAMES[source] ?? source;
  }
  return { settings, sources };
}
