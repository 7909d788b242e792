/**
 * Where a JSON text first goes wrong, as "line L, column C" with what was found there. Node's JSON.parse does not
 * always say (V8 drops the position for some errors), so this walks the text with a small strict parser.
 */
export function locateJsonError(text: string): string | undefined {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\r\n'.includes(text[i]!)) i++;
  };
  const fail = (what: string): never => {
    throw Object.assign(new Error(what), { at: i });
  };
  const literal = (word: string) => (text.startsWith(word, i) ? void (i += word.length) : fail(`expected ${word}`));
  const string = () => {
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') i++;
      else if (text.charCodeAt(i) < 0x20) fail('control character in string');
      i++;
    }
    if (i >= text.length) fail('unterminated string');
    i++;
  };
  const number = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m || m[0] === '' || m[0] === '-') fail('invalid number');
    i += m![0].length;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') return object();
    if (c === '[') return array();
    if (c === '"') return string();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return number();
    fail(c === undefined ? 'unexpected end of file' : `unexpected ${JSON.stringify(c)}`);
  };
  const object = () => {
    i++;
    ws();
    if (text[i] === '}') return void i++;
    for (;;) {
      ws();
      if (text[i] !== '"') fail(text[i] === '}' ? 'trailing comma' : 'expected a "quoted" key');
      string();
      ws();
      if (text[i] !== ':') fail('expected ":"');
      i++;
      value();
      ws();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === '}') return void i++;
      fail('expected "," or "}"');
    }
  };
  const array = () => {
    i++;
    ws();
    if (text[i] === ']') return void i++;
    for (;;) {
      value();
      ws();
      if (text[i] === ',') {
        i++;
        ws();
        if (text[i] === ']') fail('trailing comma');
        continue;
      }
      if (text[i] === ']') return void i++;
      fail('expected "," or "]"');
    }
  };
  try {
    value();
    ws();
    if (i < text.length) fail('unexpected text after the end');
    return undefined;
  } catch (error) {
    const at = (error as { at: number }).at;
    const before = text.slice(0, at);
    const line = before.split('\n').length;
    const column = at - before.lastIndexOf('\n');
    return `line ${line}, column ${column} (${(error as Error).message})`;
  }
}
