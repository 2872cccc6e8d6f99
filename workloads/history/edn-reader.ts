// A small EDN reader that builds history Values directly (no intermediate EDN tree), because the
// Jepsen histories it reads can be megabytes and are read in tight test loops.
// Mapping: keywords, symbols, strings and characters → strings; maps → plain objects with string keys;
// vectors, lists and sets → arrays; tagged literals (#inst "...") → the tagged value; #_ drops a form.
import { MAX_DEPTH } from './depth.ts';
import { HistoryFormatError } from './errors.ts';
import type { Value } from './format.ts';

const CH_NEWLINE = 10;
const CH_QUOTE = 34;
const CH_HASH = 35;
const CH_LPAREN = 40;
const CH_RPAREN = 41;
const CH_COMMA = 44;
const CH_COLON = 58;
const CH_SEMICOLON = 59;
const CH_LBRACKET = 91;
const CH_BACKSLASH = 92;
const CH_RBRACKET = 93;
const CH_CARET = 94;
const CH_LBRACE = 123;
const CH_RBRACE = 125;

const CHARACTER_NAMES: Readonly<Record<string, string>> = {
  newline: '\n',
  space: ' ',
  tab: '\t',
  return: '\r',
  backspace: '\b',
  formfeed: '\f',
};

const STRING_ESCAPES: Readonly<Record<string, string>> = {
  n: '\n',
  t: '\t',
  r: '\r',
  b: '\b',
  f: '\f',
  '"': '"',
  '\\': '\\',
  '/': '/',
};

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Digits, after an optional sign: an integer (callers bound the length, so a double holds it exactly). */
function isPlainInteger(token: string): boolean {
  const signed = token.charCodeAt(0) === 43 || token.charCodeAt(0) === 45 ? 1 : 0;
  if (token.length === signed) return false;
  for (let i = signed; i < token.length; i++) if (!isDigit(token.charCodeAt(i))) return false;
  return true;
}

function isWhitespace(c: number): boolean {
  return c === 32 || c === CH_COMMA || (c >= 9 && c <= 13);
}

function isDelimiter(c: number): boolean {
  return (
    isWhitespace(c) ||
    c === CH_LPAREN ||
    c === CH_RPAREN ||
    c === CH_LBRACKET ||
    c === CH_RBRACKET ||
    c === CH_LBRACE ||
    c === CH_RBRACE ||
    c === CH_QUOTE ||
    c === CH_SEMICOLON
  );
}

function closerOf(opener: number): number {
  if (opener === CH_LBRACKET) return CH_RBRACKET;
  if (opener === CH_LPAREN) return CH_RPAREN;
  return CH_RBRACE;
}

/** Sets a key even when it is "__proto__", which plain assignment would treat as the prototype. */
function setKey(map: { [key: string]: Value }, key: string, value: Value): void {
  if (key === '__proto__') {
    Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    map[key] = value;
  }
}

/**
 * A cursor over EDN text. `readForm` reads one value; the history reader walks the top-level
 * collection itself (with `enterCollection` / `atCollectionEnd`) so it can name each op's line.
 */
export class EdnReader {
  private readonly text: string;
  offset = 0;
  /** Forms being read, one inside the other. */
  private depth = 0;

  constructor(text: string) {
    // A byte order mark is not EDN whitespace, but editors add it.
    this.text = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  }

  /** 1-based line number of a character offset (computed only when needed, for messages). */
  lineAt(offset: number): number {
    let line = 1;
    const end = Math.min(offset, this.text.length);
    for (let i = 0; i < end; i++) if (this.text.charCodeAt(i) === CH_NEWLINE) line++;
    return line;
  }

  fail(problem: string, offset = this.offset): never {
    throw new HistoryFormatError(problem, this.lineAt(offset));
  }

  /** Skips whitespace, commas, `;` comments and `#_` discarded forms. */
  skipSpace(): void {
    const text = this.text;
    for (;;) {
      let i = this.offset;
      while (i < text.length && isWhitespace(text.charCodeAt(i))) i++;
      this.offset = i;
      if (i >= text.length) return;
      const c = text.charCodeAt(i);
      if (c === CH_SEMICOLON) {
        const end = text.indexOf('\n', i);
        this.offset = end < 0 ? text.length : end + 1;
      } else if (c === CH_HASH && text.charCodeAt(i + 1) === 95 /* _ */) {
        this.offset = i + 2;
        this.readForm();
      } else {
        return;
      }
    }
  }

  atEnd(): boolean {
    this.skipSpace();
    return this.offset >= this.text.length;
  }

  /** If the next form opens a vector or list, consumes the opener and returns its closer's code. */
  enterSequence(): number | undefined {
    this.skipSpace();
    const c = this.text.charCodeAt(this.offset);
    if (c !== CH_LBRACKET && c !== CH_LPAREN) return undefined;
    this.offset++;
    return closerOf(c);
  }

  /** True (and consumes it) when the next character closes the current collection. */
  atCollectionEnd(closer: number, openedAt: number): boolean {
    this.skipSpace();
    if (this.offset >= this.text.length) this.fail('collection is never closed', openedAt);
    if (this.text.charCodeAt(this.offset) !== closer) return false;
    this.offset++;
    return true;
  }

  /**
   * Reads one value. The reader recurses once per level of nesting (and per tag or discard in a row), so
   * a hostile or broken file could exhaust the stack; past MAX_DEPTH levels it is refused as one line.
   */
  readForm(): Value {
    if (this.depth >= MAX_DEPTH) this.fail(`nested deeper than ${MAX_DEPTH} levels`);
    this.depth++;
    const value = this.readFormHere();
    this.depth--;
    return value;
  }

  private readFormHere(): Value {
    this.skipSpace();
    const text = this.text;
    const start = this.offset;
    if (start >= text.length) this.fail('unexpected end of input');
    const c = text.charCodeAt(start);
    switch (c) {
      case CH_LBRACKET:
      case CH_LPAREN:
        this.offset++;
        return this.readSequence(closerOf(c), start);
      case CH_LBRACE:
        this.offset++;
        return this.readMap(start);
      case CH_QUOTE:
        return this.readString();
      case CH_COLON:
        return this.readKeyword();
      case CH_BACKSLASH:
        return this.readCharacter();
      case CH_HASH:
        return this.readDispatch();
      case CH_RBRACKET:
      case CH_RPAREN:
      case CH_RBRACE:
        return this.fail(`unexpected '${text[start]}'`);
      case CH_CARET:
        return this.fail('metadata (^) is not supported');
      default:
        return this.readAtom();
    }
  }

  private readSequence(closer: number, openedAt: number): Value[] {
    const items: Value[] = [];
    while (!this.atCollectionEnd(closer, openedAt)) items.push(this.readForm());
    return items;
  }

  private readMap(openedAt: number): { [key: string]: Value } {
    const map: { [key: string]: Value } = {};
    while (!this.atCollectionEnd(CH_RBRACE, openedAt)) {
      const keyAt = this.offset;
      const key = this.readForm();
      if (this.atCollectionEnd(CH_RBRACE, openedAt)) this.fail('map has a key without a value', keyAt);
      setKey(map, mapKey(key), this.readForm());
    }
    return map;
  }

  private readString(): string {
    const text = this.text;
    const openedAt = this.offset;
    let i = openedAt + 1;
    let out = '';
    for (;;) {
      const quote = text.indexOf('"', i);
      const backslash = text.indexOf('\\', i);
      if (quote < 0) this.fail('string is never closed', openedAt);
      if (backslash < 0 || quote < backslash) {
        out += text.slice(i, quote);
        this.offset = quote + 1;
        return out;
      }
      out += text.slice(i, backslash);
      const escape = text[backslash + 1];
      if (escape === 'u') {
        const hex = text.slice(backslash + 2, backslash + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail(`bad unicode escape \\u${hex}`, backslash);
        out += String.fromCharCode(parseInt(hex, 16));
        i = backslash + 6;
      } else {
        const replacement = escape === undefined ? undefined : STRING_ESCAPES[escape];
        if (replacement === undefined) this.fail(`unknown string escape \\${escape ?? ''}`, backslash);
        out += replacement;
        i = backslash + 2;
      }
    }
  }

  /** The characters of a symbol-like token starting at the cursor (advances past it). */
  private readToken(): string {
    const text = this.text;
    const start = this.offset;
    let i = start;
    while (i < text.length && !isDelimiter(text.charCodeAt(i))) i++;
    this.offset = i;
    return text.slice(start, i);
  }

  private readKeyword(): string {
    const at = this.offset;
    const token = this.readToken();
    // `::name` (auto-resolved) reads as its bare name too: histories never depend on namespaces.
    const name = token.slice(token.charCodeAt(1) === CH_COLON ? 2 : 1);
    if (name === '') this.fail('empty keyword', at);
    return name;
  }

  private readCharacter(): string {
    const at = this.offset;
    this.offset++;
    const token = this.readToken();
    // A delimiter right after the backslash is the character itself, as in `\(`.
    if (token === '') {
      if (this.offset >= this.text.length) this.fail('character literal at end of input', at);
      return this.text[this.offset++];
    }
    if (token.length === 1) return token;
    const named = CHARACTER_NAMES[token];
    if (named !== undefined) return named;
    if (/^u[0-9a-fA-F]{4}$/.test(token)) return String.fromCharCode(parseInt(token.slice(1), 16));
    return this.fail(`unknown character literal \\${token}`, at);
  }

  private readDispatch(): Value {
    const text = this.text;
    const at = this.offset;
    const next = text.charCodeAt(at + 1);
    if (next === CH_LBRACE) {
      this.offset = at + 2;
      return this.readSequence(CH_RBRACE, at);
    }
    if (next === CH_HASH) {
      this.offset = at + 2;
      return this.fail(`##${this.readToken()} is not a JSON value`, at);
    }
    this.offset = at + 1;
    const tag = this.readToken();
    if (tag === '') this.fail("'#' must start a set, a discard or a tagged literal", at);
    // A tagged literal (#inst, #uuid, #jepsen.foo...) keeps its value and loses its tag.
    return this.readForm();
  }

  private readAtom(): Value {
    const at = this.offset;
    const token = this.readToken();
    if (token === '') this.fail(`unexpected character '${this.text[at]}'`, at);
    const first = token.charCodeAt(0);
    const second = token.charCodeAt(1);
    if (isDigit(first) || ((first === 43 || first === 45) && isDigit(second))) return this.readNumber(token, at);
    if (token === 'nil') return null;
    if (token === 'true') return true;
    if (token === 'false') return false;
    return token;
  }

  private readNumber(token: string, at: number): number {
    // The common case, a plain integer that a double holds exactly, without a regular expression.
    if (token.length <= 15 && isPlainInteger(token)) return Number(token);
    if (token.includes('/')) this.fail(`ratio ${token} is not supported`, at);
    // N marks an arbitrary-precision integer and M a big decimal; JSON numbers are doubles anyway.
    const digits = token.endsWith('N') || token.endsWith('M') ? token.slice(0, -1) : token;
    const ok = /^[+-]?\d+(\.\d*)?([eE][+-]?\d+)?$/.test(digits);
    const n = Number(digits);
    if (!ok || !Number.isFinite(n)) this.fail(`bad number ${token}`, at);
    return n;
  }
}

/** Map keys become strings: keywords and strings as they are, 3 as "3", anything else as JSON. */
function mapKey(key: Value): string {
  if (typeof key === 'string') return key;
  if (typeof key === 'number') return String(key);
  return JSON.stringify(key);
}

/** Reads one EDN value from text that holds exactly one form. */
export function parseEdn(text: string): Value {
  const reader = new EdnReader(text);
  const value = reader.readForm();
  if (!reader.atEnd()) reader.fail('unexpected text after the value');
  return value;
}
