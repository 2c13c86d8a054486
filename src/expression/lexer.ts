// Tokenizer for the Entra expression language.
//
// Tokens: ( ) , [attribute] "string" integer &Hhex identifier and the comparison operators.
// Whitespace (any Unicode white space, including newlines) separates tokens and is otherwise ignored.

import type { ComparisonOperator } from "./ast";
import { ExpressionError } from "./errors";
import { readStringConstant } from "./literal";

export type Token =
  | { readonly type: "("; readonly start: number; readonly end: number }
  | { readonly type: ")"; readonly start: number; readonly end: number }
  | { readonly type: ","; readonly start: number; readonly end: number }
  | { readonly type: "attribute"; readonly name: string; readonly start: number; readonly end: number }
  | { readonly type: "string"; readonly value: string; readonly start: number; readonly end: number }
  | { readonly type: "number"; readonly text: string; readonly start: number; readonly end: number }
  | { readonly type: "hex"; readonly digits: string; readonly start: number; readonly end: number }
  | { readonly type: "identifier"; readonly name: string; readonly start: number; readonly end: number }
  | { readonly type: "operator"; readonly op: ComparisonOperator; readonly start: number; readonly end: number }
  | { readonly type: "eof"; readonly start: number; readonly end: number };

export type TokenType = Token["type"];

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isHexDigit = (c: number): boolean => isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
const isIdentStart = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isIdentPart = (c: number): boolean => isIdentStart(c) || isDigit(c);
const WHITESPACE = /\s/;
const isWhitespace = (ch: string): boolean => WHITESPACE.test(ch);

/** Describes a token for error messages. */
export function describeToken(token: Token): string {
  switch (token.type) {
    case "eof":
      return "end of expression";
    case "attribute":
      return `attribute [${token.name}]`;
    case "string":
      return "string constant";
    case "number":
      return `number ${token.text}`;
    case "hex":
      return `hex number &H${token.digits}`;
    case "identifier":
      return `'${token.name}'`;
    case "operator":
      return `operator '${token.op}'`;
    default:
      return `'${token.type}'`;
  }
}

/** Splits `text` into tokens. Throws ExpressionError (code "syntax") at the first bad character. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const n = text.length;
  let i = 0;
  const fail = (message: string, offset: number, hint?: string, end?: number): never => {
    throw new ExpressionError(message, { code: "syntax", offset, end, hint, text });
  };

  while (i < n) {
    const ch = text[i] as string;
    const c = text.charCodeAt(i);
    if (isWhitespace(ch)) {
      i++;
      continue;
    }
    const start = i;
    switch (ch) {
      case "(":
      case ")":
      case ",":
        tokens.push({ type: ch, start, end: i + 1 });
        i++;
        continue;
      case "[": {
        let j = i + 1;
        while (j < n && text[j] !== "]") {
          const cj = text[j] as string;
          if (cj === "[") fail("'[' inside an attribute name", j, "attribute references look like [mail]");
          if (cj === "\n" || cj === "\r") fail("unterminated attribute reference: expected ']'", start, undefined, j);
          j++;
        }
        if (j >= n) fail("unterminated attribute reference: expected ']'", start, "attribute references look like [mail]", n);
        const name = text.slice(i + 1, j);
        if (name.length === 0) fail("empty attribute name", start, "attribute references look like [mail]", j + 1);
        if (name.trim() !== name) {
          fail(
            "attribute name starts or ends with white space",
            isWhitespace(name[0] as string) ? i + 1 : j - 1,
            `write [${name.trim()}]`,
          );
        }
        tokens.push({ type: "attribute", name, start, end: j + 1 });
        i = j + 1;
        continue;
      }
      case '"': {
        // Only \" and \\ are escapes; any other backslash stays as written (literal.ts).
        const constant =
          readStringConstant(text, i) ?? fail("unterminated string constant: expected a closing '\"'", start, 'a literal quote inside a string is written \\"', n);
        tokens.push({ type: "string", value: constant.value, start, end: constant.end });
        i = constant.end;
        continue;
      }
      case "&": {
        const h = text[i + 1];
        if (h === "H" && isHexDigit(text.charCodeAt(i + 2))) {
          let j = i + 2;
          while (j < n && isHexDigit(text.charCodeAt(j))) j++;
          if (j < n && isIdentPart(text.charCodeAt(j))) fail(`invalid character '${text[j]}' in hex number`, j);
          tokens.push({ type: "hex", digits: text.slice(i + 2, j).toUpperCase(), start, end: j });
          i = j;
          continue;
        }
        if (h === "h" && isHexDigit(text.charCodeAt(i + 2))) fail("hex numbers start with '&H' (upper-case H)", start, "write &H…", i + 2);
        fail("'&' must start a hex number such as &HFF", start, "to concatenate strings use Join or Append");
        break;
      }
      case "=":
        tokens.push({ type: "operator", op: "=", start, end: i + 1 });
        i++;
        continue;
      case "<":
        if (text[i + 1] === ">" || text[i + 1] === "=") {
          tokens.push({ type: "operator", op: text[i + 1] === ">" ? "<>" : "<=", start, end: i + 2 });
          i += 2;
        } else {
          tokens.push({ type: "operator", op: "<", start, end: i + 1 });
          i++;
        }
        continue;
      case ">":
        if (text[i + 1] === "=") {
          tokens.push({ type: "operator", op: ">=", start, end: i + 2 });
          i += 2;
        } else {
          tokens.push({ type: "operator", op: ">", start, end: i + 1 });
          i++;
        }
        continue;
      case "!":
        if (text[i + 1] === "=") fail("'!=' is not an operator", start, "use <> for 'not equal'", i + 2);
        break;
      case "'":
      case "\u201C":
      case "\u201D":
        fail(`string constants use straight double quotes, not ${ch}`, start, 'write "text"');
        break;
      default:
        break;
    }
    if (ch === "-" || isDigit(c)) {
      let j = ch === "-" ? i + 1 : i;
      if (!isDigit(text.charCodeAt(j))) fail("'-' must be followed by digits", start, "there are no arithmetic operators; negative numbers are written -10");
      while (j < n && isDigit(text.charCodeAt(j))) j++;
      if (text[j] === "." && isDigit(text.charCodeAt(j + 1))) {
        fail("only integer numbers are supported", start, 'write decimals as a string constant, e.g. "1.5"', j + 1);
      }
      if (j < n && isIdentPart(text.charCodeAt(j))) fail(`invalid character '${text[j]}' in number`, j);
      tokens.push({ type: "number", text: text.slice(i, j), start, end: j });
      i = j;
      continue;
    }
    if (isIdentStart(c)) {
      let j = i + 1;
      while (j < n && isIdentPart(text.charCodeAt(j))) j++;
      tokens.push({ type: "identifier", name: text.slice(i, j), start, end: j });
      i = j;
      continue;
    }
    const cp = text.codePointAt(i) ?? c;
    const shown = cp < 32 || cp === 127 ? `U+${cp.toString(16).toUpperCase().padStart(4, "0")}` : String.fromCodePoint(cp);
    fail(`unexpected character '${shown}'`, start, undefined, i + (cp > 0xffff ? 2 : 1));
  }
  tokens.push({ type: "eof", start: n, end: n });
  return tokens;
}
