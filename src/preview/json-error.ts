/**
 * Where JSON text stops being JSON, and why: called only after JSON.parse has refused a user (V8's
 * messages do not always carry a position), so it is written for clarity, not speed. The grammar is
 * RFC 8259's; the offset is a UTF-16 index into `text`.
 */
export interface JsonErrorAt {
  offset: number;
  what: string;
}

class Stop extends Error {
  constructor(
    readonly offset: number,
    readonly what: string,
  ) {
    super(what);
  }
}

const MAX_DEPTH = 512;

export function locateJsonError(text: string): JsonErrorAt | null {
  let i = 0;
  const describe = (at: number) => (at >= text.length ? "the end of the text" : `\`${text[at] === "\n" ? "\\n" : text[at]}\``);
  const space = () => {
    while (i < text.length && (text[i] === " " || text[i] === "\t" || text[i] === "\n" || text[i] === "\r")) i++;
  };
  const expect = (what: string): never => {
    throw new Stop(i, `expected ${what}, found ${describe(i)}`);
  };
  const string = () => {
    i++; // the opening quote
    for (;;) {
      if (i >= text.length) throw new Stop(i, "a string is not closed (missing `\"`)");
      const c = text.charCodeAt(i);
      if (c === 34) {
        i++;
        return;
      }
      if (c < 0x20) throw new Stop(i, "a control character (a line break or tab) inside a string: write it as an escape (`\\n`, `\\t`)");
      if (c === 92) {
        const e = text[i + 1];
        if (e === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) throw new Stop(i, "`\\u` is followed by four hexadecimal digits");
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else throw new Stop(i, `\`\\${e ?? ""}\` is not a JSON escape`);
        continue;
      }
      i++;
    }
  };
  const number = () => {
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i, i + 400));
    if (!m || m[0] === "" || m[0] === "-") expect("a value");
    i += m![0].length;
  };
  /** An object or a list at `i`: `member` for each member, separated by `,`, up to `close`. */
  const members = (close: "}" | "]", kind: "property" | "list", member: () => void): void => {
    i++;
    space();
    if (text[i] === close) {
      i++;
      return;
    }
    for (;;) {
      space();
      member();
      space();
      if (text[i] === ",") {
        i++;
        continue;
      }
      if (text[i] === close) {
        i++;
        return;
      }
      expect(`\`,\` or \`${close}\` after a ${kind} value`);
    }
  };
  const value = (depth: number): void => {
    if (depth > MAX_DEPTH) throw new Stop(i, `nested more than ${MAX_DEPTH} levels deep`);
    space();
    const c = text[i];
    if (c === "{") return members("}", "property", () => {
      if (text[i] !== '"') expect(text[i] === "}" ? "another property after `,` (a trailing comma is not JSON)" : "a property name in double quotes");
      string();
      space();
      if (text[i] !== ":") expect("`:` after the property name");
      i++;
      value(depth + 1);
    });
    if (c === "[") return members("]", "list", () => {
      if (text[i] === "]") expect("another value after `,` (a trailing comma is not JSON)");
      value(depth + 1);
    });
    if (c === '"') return string();
    for (const word of ["true", "false", "null"]) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return;
      }
    }
    if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) return number();
    if (c === "'") throw new Stop(i, "strings are in double quotes in JSON (found `'`)");
    expect("a value");
  };
  try {
    value(0);
    space();
    if (i < text.length) throw new Stop(i, `unexpected ${describe(i)} after the value`);
    return null;
  } catch (err) {
    if (err instanceof Stop) return { offset: err.offset, what: err.what };
    throw err;
  }
}

/** The line and column (1-based) `offset` is at in `text`, when `text` starts at `line`:`column`. */
export function positionIn(text: string, offset: number, line: number, column: number): { line: number; column: number } {
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      column = 1;
    } else column++;
  }
  return { line, column };
}
