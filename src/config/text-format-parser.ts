/**
 * @module
 * Protobuf text format -> syntax tree, without any schema. Whether a field is repeated,
 * a map or a message is decided later by text-to-json.ts, which knows the descriptor;
 * this file only knows the grammar:
 *
 *   message := (field [',' | ';'])*
 *   field   := name ':' value | name message-value | name [':'] list
 *   value   := scalar | message-value | list
 *   list    := '[' [value (',' value)*] ']'        (no nested lists)
 *   message-value := '{' message '}' | '<' message '>'
 *   scalar  := string+ | ['-'] number | ['-'] identifier
 */
import { TextFormatSyntaxError, tokenize, type Token } from './text-format-lexer.js';

export interface Position {
  readonly line: number;
  readonly column: number;
}

export type TextScalar =
  | { readonly kind: 'string'; readonly value: string; readonly at: Position }
  | { readonly kind: 'number'; readonly literal: string; readonly negative: boolean; readonly at: Position }
  | { readonly kind: 'identifier'; readonly name: string; readonly negative: boolean; readonly at: Position };

export interface TextMessage {
  readonly kind: 'message';
  readonly fields: readonly TextField[];
  readonly at: Position;
}

export interface TextList {
  readonly kind: 'list';
  readonly items: readonly (TextScalar | TextMessage)[];
  readonly at: Position;
}

export type TextValue = TextScalar | TextMessage | TextList;

export interface TextField {
  readonly name: string;
  readonly value: TextValue;
  readonly at: Position;
}

export { TextFormatSyntaxError };

/**
 * Parses a whole text-format document (the body of the top-level message).
 * @throws TextFormatSyntaxError with the line and column of the first syntax error.
 */
export function parseTextFormat(text: string): TextMessage {
  const parser = new Parser(tokenize(text));
  return parser.document();
}

class Parser {
  #pos = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  document(): TextMessage {
    const first = this.#peek();
    const fields = this.#fields(undefined);
    return { kind: 'message', fields, at: { line: first.line, column: first.column } };
  }

  #peek(): Token {
    // tokenize() always ends with an eof token, and #next() never moves past it.
    return this.tokens[this.#pos] ?? this.tokens[this.tokens.length - 1]!;
  }

  #next(): Token {
    const token = this.#peek();
    if (token.type !== 'eof') this.#pos += 1;
    return token;
  }

  #isSymbol(text: string): boolean {
    const token = this.#peek();
    return token.type === 'symbol' && token.text === text;
  }

  #fail(message: string, token: Token = this.#peek()): never {
    throw new TextFormatSyntaxError(message, token.line, token.column);
  }

  #describe(token: Token): string {
    if (token.type === 'eof') return 'end of file';
    if (token.type === 'string') return `string ${JSON.stringify(token.text)}`;
    return `"${token.text}"`;
  }

  #expectSymbol(text: string, context: string): void {
    if (!this.#isSymbol(text)) this.#fail(`expected "${text}" ${context}, found ${this.#describe(this.#peek())}`);
    this.#next();
  }

  #fields(close: string | undefined): TextField[] {
    const fields: TextField[] = [];
    for (;;) {
      const token = this.#peek();
      if (close === undefined ? token.type === 'eof' : this.#isSymbol(close)) return fields;
      if (token.type === 'eof') this.#fail(`expected "${close}" to close the message, found end of file`);
      if (token.type === 'symbol' && token.text === '[') this.#fail('extension and Any fields ([...]) are not supported in a model configuration');
      if (token.type !== 'ident') this.#fail(`expected a field name, found ${this.#describe(token)}`);
      this.#next();
      fields.push({ name: token.text, value: this.#fieldValue(token.text), at: { line: token.line, column: token.column } });
      if (this.#isSymbol(',') || this.#isSymbol(';')) this.#next();
    }
  }

  #fieldValue(name: string): TextValue {
    if (this.#isSymbol(':')) {
      this.#next();
      return this.#value(name);
    }
    if (this.#isSymbol('{') || this.#isSymbol('<')) return this.#message();
    // protobuf only allows `name [ {..} ]` for message lists; scalar lists without ':' are accepted too.
    if (this.#isSymbol('[')) return this.#list(name);
    return this.#fail(`expected ":" or "{" after field name "${name}", found ${this.#describe(this.#peek())}`);
  }

  #value(name: string): TextValue {
    if (this.#isSymbol('[')) return this.#list(name);
    if (this.#isSymbol('{') || this.#isSymbol('<')) return this.#message();
    return this.#scalar(name);
  }

  #message(): TextMessage {
    const open = this.#next();
    const close = open.text === '{' ? '}' : '>';
    const fields = this.#fields(close);
    this.#next();
    return { kind: 'message', fields, at: { line: open.line, column: open.column } };
  }

  #list(name: string): TextList {
    const open = this.#next();
    const items: (TextScalar | TextMessage)[] = [];
    if (this.#isSymbol(']')) {
      this.#next();
      return { kind: 'list', items, at: { line: open.line, column: open.column } };
    }
    for (;;) {
      if (this.#isSymbol('[')) this.#fail(`lists of lists are not allowed (field "${name}")`);
      items.push(this.#isSymbol('{') || this.#isSymbol('<') ? this.#message() : this.#scalar(name));
      if (this.#isSymbol(']')) {
        this.#next();
        return { kind: 'list', items, at: { line: open.line, column: open.column } };
      }
      this.#expectSymbol(',', `between the values of "${name}"`);
    }
  }

  #scalar(name: string): TextScalar {
    const token = this.#next();
    const at = { line: token.line, column: token.column };
    if (token.type === 'string') {
      let value = token.text;
      // Adjacent string literals concatenate, as in C.
      while (this.#peek().type === 'string') value += this.#next().text;
      return { kind: 'string', value, at };
    }
    const negative = token.type === 'symbol' && token.text === '-';
    const body = negative ? this.#next() : token;
    if (body.type === 'number') return { kind: 'number', literal: body.text, negative, at };
    if (body.type === 'ident') return { kind: 'identifier', name: body.text, negative, at };
    return this.#fail(`expected a value for field "${name}", found ${this.#describe(body)}`, body);
  }
}
