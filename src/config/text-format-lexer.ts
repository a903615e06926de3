/**
 * @module
 * Tokens of the protobuf text format (the syntax of Triton's config.pbtxt).
 * Follows the tokenizer of protobuf's text_format: `#` comments, single- or double-quoted
 * strings with C escapes, decimal/hex/octal integers, floats with an optional `f` suffix,
 * identifiers and one-character symbols.
 * @see {@link https://protobuf.dev/reference/protobuf/textformat-spec/}
 */

export type TokenType = 'ident' | 'number' | 'string' | 'symbol' | 'eof';

export interface Token {
  readonly type: TokenType;
  /** Identifier or symbol text, number literal as written, or the decoded string value. */
  readonly text: string;
  readonly line: number;
  readonly column: number;
}

/** A syntax error at a 1-based line and column; the parser turns it into ERR_CONFIG_INVALID. */
export class TextFormatSyntaxError extends Error {
  constructor(message: string, readonly line: number, readonly column: number) {
    super(message);
    this.name = 'TextFormatSyntaxError';
  }
}

const SYMBOLS = new Set(['{', '}', '<', '>', '[', ']', ':', ',', ';', '-', '/', '.']);
const SIMPLE_ESCAPES: Readonly<Record<string, number>> = {
  n: 0x0a, t: 0x09, r: 0x0d, a: 0x07, b: 0x08, f: 0x0c, v: 0x0b, '\\': 0x5c, "'": 0x27, '"': 0x22, '?': 0x3f,
};
// Strings are bytes in protobuf: \x and octal escapes give bytes, so the text is decoded as UTF-8 at the end.
const utf8 = new TextDecoder('utf-8', { fatal: true });

const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isIdentStart = (c: string): boolean => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
const isIdentPart = (c: string): boolean => isIdentStart(c) || isDigit(c);
const isHex = (c: string): boolean => /^[0-9a-fA-F]$/.test(c);

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  let line = 1;
  let lineStart = 0;
  const fail = (message: string, at = pos): never => {
    throw new TextFormatSyntaxError(message, line, at - lineStart + 1);
  };

  while (pos < text.length) {
    const c = text.charAt(pos);
    if (c === '\n') {
      pos += 1;
      line += 1;
      lineStart = pos;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') {
      pos += 1;
      continue;
    }
    if (c === '#') {
      while (pos < text.length && text.charAt(pos) !== '\n') pos += 1;
      continue;
    }
    const column = pos - lineStart + 1;
    if (isIdentStart(c)) {
      const start = pos;
      while (pos < text.length && isIdentPart(text.charAt(pos))) pos += 1;
      tokens.push({ type: 'ident', text: text.slice(start, pos), line, column });
      continue;
    }
    if (isDigit(c) || (c === '.' && isDigit(text.charAt(pos + 1)))) {
      const start = pos;
      while (pos < text.length) {
        const d = text.charAt(pos);
        const exponentSign = (d === '+' || d === '-') && /[eE]/.test(text.charAt(pos - 1)) && !/^0[xX]/.test(text.slice(start, pos));
        if (!isIdentPart(d) && d !== '.' && !exponentSign) break;
        pos += 1;
      }
      const literal = text.slice(start, pos);
      if (!NUMBER.test(literal)) fail(`invalid number "${literal}"`, start);
      tokens.push({ type: 'number', text: literal, line, column });
      continue;
    }
    if (c === '"' || c === "'") {
      const start = pos;
      pos += 1;
      const bytes: number[] = [];
      for (;;) {
        if (pos >= text.length || text.charAt(pos) === '\n') fail('unterminated string', start);
        const ch = text.charAt(pos);
        if (ch === c) {
          pos += 1;
          break;
        }
        if (ch !== '\\') {
          const cp = text.codePointAt(pos) ?? 0;
          bytes.push(...Buffer.from(String.fromCodePoint(cp), 'utf8'));
          pos += cp > 0xffff ? 2 : 1;
          continue;
        }
        pos = readEscape(text, pos, bytes, fail);
      }
      let value: string;
      try {
        value = utf8.decode(Uint8Array.from(bytes));
      } catch {
        return fail('string is not valid UTF-8', start);
      }
      tokens.push({ type: 'string', text: value, line, column });
      continue;
    }
    if (SYMBOLS.has(c)) {
      tokens.push({ type: 'symbol', text: c, line, column });
      pos += 1;
      continue;
    }
    fail(`unexpected character ${JSON.stringify(c)}`);
  }
  tokens.push({ type: 'eof', text: '', line, column: pos - lineStart + 1 });
  return tokens;
}

const NUMBER = /^(?:0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*|(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)(?:[eE][+-]?[0-9]+)?[fF]?)$/;

/** Reads the escape starting at the backslash at `pos`; returns the position after it. */
function readEscape(text: string, pos: number, bytes: number[], fail: (message: string, at?: number) => never): number {
  const e = text.charAt(pos + 1);
  const simple = SIMPLE_ESCAPES[e];
  if (simple !== undefined) {
    bytes.push(simple);
    return pos + 2;
  }
  if (e >= '0' && e <= '7') {
    let end = pos + 1;
    while (end < pos + 4 && text.charAt(end) >= '0' && text.charAt(end) <= '7') end += 1;
    const value = parseInt(text.slice(pos + 1, end), 8);
    if (value > 0xff) fail('octal escape out of range', pos);
    bytes.push(value);
    return end;
  }
  if (e === 'x' || e === 'X') {
    let end = pos + 2;
    while (end < pos + 4 && isHex(text.charAt(end))) end += 1;
    if (end === pos + 2) fail('\\x escape needs hex digits', pos);
    bytes.push(parseInt(text.slice(pos + 2, end), 16));
    return end;
  }
  if (e === 'u' || e === 'U') {
    const width = e === 'u' ? 4 : 8;
    const hex = text.slice(pos + 2, pos + 2 + width);
    if (hex.length !== width || ![...hex].every(isHex)) fail(`\\${e} escape needs ${width} hex digits`, pos);
    const cp = parseInt(hex, 16);
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) fail(`\\${e}${hex} is not a Unicode scalar value`, pos);
    bytes.push(...Buffer.from(String.fromCodePoint(cp), 'utf8'));
    return pos + 2 + width;
  }
  return fail(`unknown escape \\${e}`, pos);
}
