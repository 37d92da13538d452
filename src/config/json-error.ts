/**
 * Where JSON text first goes wrong, as `line L, column C: reason`. Node's JSON.parse does not always say where
 * (e.g. "Unexpected token"), so a small syntax-only scanner finds the offset. Returns `undefined` when the text
 * is valid JSON.
 */
export function locateJsonError(text: string): { line: number; column: number; reason: string } | undefined {
  let at = 0;
  const fail = (reason: string): never => {
    throw new SyntaxError(reason);
  };
  const ws = () => {
    while (at < text.length && " \t\n\r".includes(text[at] as string)) at++;
  };
  const show = () => (at >= text.length ? "end of input" : JSON.stringify(text[at]));
  const expect = (c: string) => {
    if (text[at] !== c) fail(`expected '${c}', found ${show()}`);
    at++;
  };
  const string = () => {
    expect('"');
    while (at < text.length && text[at] !== '"') {
      const c = text.charCodeAt(at);
      if (c < 0x20) fail("control character in string (escape newlines as \\n)");
      if (text[at] === "\\") {
        at++;
        if (text[at] === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(at + 1, at + 5))) fail("invalid \\u escape");
          at += 4;
        } else if (!'"\\/bfnrt'.includes(text[at] ?? "x")) fail(`invalid escape \\${text[at] ?? ""}`);
      }
      at++;
    }
    if (at >= text.length) fail("unterminated string");
    at++;
  };
  const value = (): void => {
    ws();
    const c = text[at];
    if (c === "{") {
      at++;
      ws();
      if (text[at] === "}") return void at++;
      for (;;) {
        ws();
        if (text[at] !== '"') fail(`expected a double-quoted key, found ${show()}`);
        string();
        ws();
        expect(":");
        value();
        ws();
        if (text[at] === ",") {
          at++;
          ws();
          if (text[at] === "}") fail("trailing comma before '}'");
          continue;
        }
        if (text[at] === "}") return void at++;
        fail(`expected ',' or '}', found ${show()}`);
      }
    }
    if (c === "[") {
      at++;
      ws();
      if (text[at] === "]") return void at++;
      for (;;) {
        value();
        ws();
        if (text[at] === ",") {
          at++;
          ws();
          if (text[at] === "]") fail("trailing comma before ']'");
          continue;
        }
        if (text[at] === "]") return void at++;
        fail(`expected ',' or ']', found ${show()}`);
      }
    }
    if (c === '"') {
      string();
      return;
    }
    const m = /^(-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(text.slice(at, at + 400));
    if (m === null) fail(`unexpected ${show()}, expected a value`);
    at += (m as RegExpExecArray)[0].length;
  };
  try {
    value();
    ws();
    if (at < text.length) fail(`unexpected ${show()} after the end of the document`);
    return undefined;
  } catch (e) {
    const before = text.slice(0, at);
    const line = before.split("\n").length;
    const column = at - before.lastIndexOf("\n");
    return { line, column, reason: (e as Error).message };
  }
}
