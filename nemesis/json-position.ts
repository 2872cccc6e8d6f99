// Where a JSON text goes wrong, as line and column. JSON.parse's messages differ between Node versions
// and do not always give a position; a schedule file's author needs one, so this small recursive
// descent over the JSON grammar finds the first offending character itself.

export interface JsonSyntaxProblem {
  offset: number;
  line: number;
  column: number;
  problem: string;
}

class Stop {
  constructor(
    readonly offset: number,
    readonly problem: string,
  ) {}
}

function scan(text: string): void {
  let i = 0;
  const stop = (problem: string): never => {
    throw new Stop(i, problem);
  };
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const shown = (): string => (i >= text.length ? 'end of input' : JSON.stringify(text[i]));
  const literal = (word: string): void => {
    if (text.startsWith(word, i)) i += word.length;
    else stop(`unexpected ${shown()}`);
  };
  const string = (): void => {
    i++; // the opening quote
    for (;;) {
      if (i >= text.length) stop('unterminated string');
      const c = text[i];
      if (c === '"') {
        i++;
        return;
      }
      if (c < ' ') stop('control character in string');
      if (c === '\\') {
        i++;
        if (i < text.length && text[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) stop('bad \\u escape');
          i += 5;
        } else if (i < text.length && '"\\/bfnrt'.includes(text[i])) i++;
        else stop('bad escape in string');
      } else i++;
    }
  };
  const number = (): void => {
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i));
    if (m === null) return stop(`unexpected ${shown()}`);
    i += m[0].length;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') stop(`expected a property name in double quotes, found ${shown()}`);
        string();
        ws();
        if (text[i] !== ':') stop(`expected ':', found ${shown()}`);
        i++;
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') {
          i++;
          return;
        } else stop(`expected ',' or '}', found ${shown()}`);
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') {
          i++;
          return;
        } else stop(`expected ',' or ']', found ${shown()}`);
      }
    }
    if (c === '"') return string();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return number();
    stop(i >= text.length ? 'unexpected end of input' : `unexpected ${shown()}`);
  };
  value();
  ws();
  if (i < text.length) stop(`unexpected ${shown()} after the end of the value`);
}

/** The first syntax problem of `text`, or null if it is valid JSON. */
export function findJsonSyntaxProblem(text: string): JsonSyntaxProblem | null {
  try {
    scan(text);
    return null;
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
    const before = text.slice(0, e.offset);
    const line = before.split('\n').length;
    const column = e.offset - (before.lastIndexOf('\n') + 1) + 1;
    return { offset: e.offset, line, column, problem: e.problem };
  }
}
