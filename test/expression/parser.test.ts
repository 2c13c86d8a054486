import { describe, expect, it } from "vitest";
import {
  build,
  exprEquals,
  ExpressionError,
  parseExpression,
  tryParseExpression,
  withoutPositions,
} from "../../src/expression";

const b = build;

function parseError(text: string): ExpressionError {
  const r = tryParseExpression(text);
  if (r.ok) throw new Error(`expected a parse error for ${text}`);
  return r.error;
}

describe("parseExpression: the documented syntax", () => {
  const cases: [string, ReturnType<typeof withoutPositions>][] = [
    ["[mailNickname]", b.attribute("mailNickname")],
    ['"constant"', b.string("constant")],
    ['"Company name: \\"Contoso\\""', b.string('Company name: "Contoso"')],
    ['"C:\\\\temp"', b.string("C:\\temp")],
    ['"\\\\+(?<isdCode>\\\\d* )"', b.string("\\+(?<isdCode>\\d* )")],
    ['""', b.string("")],
    ["42", b.number("42")],
    ["-10", b.number("-10")],
    ["&HF7", b.hex("F7")],
    ["&Hff", b.hex("FF")],
    ["vbTextCompare", b.enumName("vbTextCompare")],
    ["Now()", b.call("Now", [])],
    ["Guid( )", b.call("Guid", [])],
    [
      'Replace([x], , "re", , "", , )',
      b.call("Replace", [b.attribute("x"), b.empty(), b.string("re"), b.empty(), b.string(""), b.empty(), b.empty()]),
    ],
    [
      'Switch([IsSoftDeleted], , "False", "True", "True", "False")',
      b.call("Switch", [b.attribute("IsSoftDeleted"), b.empty(), b.string("False"), b.string("True"), b.string("True"), b.string("False")]),
    ],
    [
      'IIF([country]="USA",[country],[department])',
      b.call("IIF", [b.comparison("=", b.attribute("country"), b.string("USA")), b.attribute("country"), b.attribute("department")]),
    ],
    ['InStr("repEated","e",3,vbBinaryCompare)', b.call("InStr", [b.string("repEated"), b.string("e"), b.number(3), b.enumName("vbBinaryCompare")])],
    ["BitAnd(&HF, &HF7)", b.call("BitAnd", [b.hex("F"), b.hex("F7")])],
  ];
  it.each(cases)("%s", (text, expected) => {
    expect(withoutPositions(parseExpression(text))).toEqual(expected);
  });

  it.each(["=", "<>", ">", ">=", "<", "<="] as const)("comparison operator %s", (op) => {
    const e = parseExpression(`CBool([a] ${op} 5)`);
    expect(e.kind === "call" && e.args[0]?.kind === "comparison" && e.args[0].op).toBe(op);
  });

  it("accepts any white space and newlines between arguments", () => {
    const text = 'Switch([Active], , \n  "1", IIF(DateDiff("d", Now(), CDate([StatusHireDate])) > 5, "False", "True"), \r\n\t"0", "False")';
    const compact = 'Switch([Active],,"1",IIF(DateDiff("d",Now(),CDate([StatusHireDate]))>5,"False","True"),"0","False")';
    expect(exprEquals(parseExpression(text), parseExpression(compact))).toBe(true);
  });

  it("keeps white space and newlines inside strings", () => {
    expect(withoutPositions(parseExpression('" a \n b "'))).toEqual(b.string(" a \n b "));
  });

  it("records start/end offsets of every node", () => {
    const e = parseExpression('Join(" ", [givenName], [surname])');
    expect(e).toMatchObject({ kind: "call", start: 0, end: 33 });
    if (e.kind !== "call") throw new Error();
    expect(e.args.map((a) => [a.start, a.end])).toEqual([
      [5, 8],
      [10, 21],
      [23, 32],
    ]);
    const r = parseExpression('Replace([x], , "re", , "", , )');
    if (r.kind !== "call") throw new Error();
    expect(r.args[1]).toEqual({ kind: "empty", start: 13, end: 13 });
    expect(r.args[6]).toEqual({ kind: "empty", start: 29, end: 29 });
  });

  it("tryParseExpression returns the error instead of throwing", () => {
    const r = tryParseExpression("Mid([x], 1)");
    expect(r.ok).toBe(false);
    expect(tryParseExpression("[x]").ok).toBe(true);
  });
});

describe("parseExpression: errors carry the exact column and a hint", () => {
  const cases: [text: string, code: string, column: number, message: RegExp, hint?: RegExp][] = [
    ["", "syntax", 1, /empty expression/],
    ["   ", "syntax", 1, /empty expression/],
    ["Swich([x], , \"a\", \"b\")", "unknown-function", 1, /unknown function 'Swich'/, /did you mean 'Switch'\?/],
    ['switch([companyName], "External", "Company A", "A")', "unknown-function", 1, /unknown function 'switch'/, /Switch.*case-sensitive/],
    ["Join(\" \", Tolower([a]))", "unknown-function", 11, /'Tolower'/, /ToLower/],
    ["Frobnicate([a])", "unknown-function", 1, /'Frobnicate'/, /function list/],
    ["Mid([x], 1)", "arity", 11, /Mid takes 3 arguments, got 2/, /^Mid\(source, start, length\)$/],
    ["Mid([x], 1, 2, 3)", "arity", 16, /Mid takes 3 arguments, got 4/, /Mid\(source, start, length\)/],
    ["Now(1)", "arity", 5, /Now takes no arguments, got 1/, /Now\(\)/],
    ["Append([a])", "arity", 11, /Append takes 2 arguments, got 1/],
    ["Join(\",\")", "arity", 9, /Join takes at least 2 arguments, got 1/, /Join\(separator, source1, …, sourceN\)/],
    ["Switch([a], , \"k\")", "arity", 18, /Switch takes at least 4 arguments, got 3/],
    ["Switch([a], , \"k\", \"v\", \"k2\")", "arity", 29, /even number of arguments/],
    ["Mid([x], , 2)", "arity", 10, /argument 2 \(start\) cannot be left empty/],
    ["Replace([x], , , , , , )", "arity", 1, /Replace needs oldValue or regexPattern/],
    ["Replace([x], \"a\", \"b\", , \"c\", , )", "arity", 1, /either oldValue or regexPattern/],
    ['Replace([x], "a", , , , , )', "arity", 1, /also needs replacementValue or template/],
    ["Mid([x], 1, 2", "syntax", 14, /unterminated call to Mid: expected ',' or '\)'/],
    ["Mid([x] 1, 2)", "syntax", 9, /unexpected number 1: expected ',' or '\)'/],
    ["[mail", "syntax", 1, /unterminated attribute reference/],
    ["[]", "syntax", 1, /empty attribute name/],
    ["[ mail]", "syntax", 2, /white space/, /\[mail\]/],
    ['Join(" ", "abc)', "syntax", 11, /unterminated string constant/],
    ["Join(\" \", [a]) x", "syntax", 16, /unexpected 'x' after the end/],
    ["[a], [b]", "syntax", 4, /unexpected ','/],
    ["[a] = [b]", "syntax", 5, /comparison '=' is only allowed inside a function argument/, /CBool/],
    ["IIF([a] = [b] = [c], \"x\", \"y\")", "syntax", 15, /a condition has a single comparison/, /AND\/OR/],
    ["IIF([a] != [b], \"x\", \"y\")", "syntax", 9, /'!=' is not an operator/, /<>/],
    ["Join(\" \", mail)", "syntax", 11, /unknown identifier 'mail'/, /\[mail\]/],
    ["InStr(\"a\", \"b\", 1, vbtextcompare)", "syntax", 20, /unknown identifier 'vbtextcompare'/, /vbTextCompare/],
    ["IIF([a] = True, \"x\", \"y\")", "syntax", 11, /unknown identifier 'True'/, /"True"/],
    ["Join(\" \", Now)", "syntax", 11, /unknown identifier 'Now'/, /Now\(…\)/],
    ["Join(\" \", 1.5)", "syntax", 11, /only integer numbers/],
    ["Join(\" \", 12ab)", "syntax", 13, /invalid character 'a' in number/],
    ["BitAnd(&hF, 1)", "syntax", 8, /upper-case H/],
    ["BitAnd(&, 1)", "syntax", 8, /'&' must start a hex number/],
    ["Join(' ', [a])", "syntax", 6, /straight double quotes/],
    ["Join(\" \" # [a])", "syntax", 10, /unexpected character '#'/],
    ["Join(\" \", - 1)", "syntax", 11, /'-' must be followed by digits/],
    ["(\"a\")", "syntax", 1, /parentheses only follow a function name/],
    ["Join(\" \", [a]))", "syntax", 15, /unexpected '\)' after the end/],
  ];
  it.each(cases)("%j → %s at column %i", (text, code, column, message, hint) => {
    const err = parseError(text);
    expect(err).toBeInstanceOf(ExpressionError);
    expect(err.code).toBe(code);
    expect(err.column).toBe(column);
    expect(err.offset).toBe(column - 1);
    expect(err.reason).toMatch(message);
    if (hint) expect(err.hint ?? "").toMatch(hint);
  });

  it("reports line and column for multi-line expressions", () => {
    const err = parseError('Switch([Active], ,\n  "1", Frob([x]),\n  "0", "False")');
    expect(err.line).toBe(2);
    expect(err.column).toBe(8);
    expect(err.offset).toBe(26);
    expect(err.message).toContain("line 2, column 8");
  });

  it("format() shows the source line with a caret under the spot", () => {
    const err = parseError("Mid([userPrincipalName], 1)");
    expect(err.format()).toBe(
      [
        "column 27: error: Mid takes 3 arguments, got 2",
        "  Mid([userPrincipalName], 1)",
        "                            ^",
        "  hint: Mid(source, start, length)",
      ].join("\n"),
    );
    expect(parseError("Swich([a], , \"x\", \"y\")").format({ file: "mappings/app.yaml", line: 12, column: 17 })).toBe(
      [
        "mappings/app.yaml:12:17: error: unknown function 'Swich'",
        "  Swich([a], , \"x\", \"y\")",
        "  ^~~~~",
        "  hint: did you mean 'Switch'?",
      ].join("\n"),
    );
    // A later line of a multi-line expression keeps its own column.
    const multi = parseError('Join(" ",\n  [a] [b])');
    expect(multi.format({ file: "f.yaml", line: 3, column: 20 })).toMatch(/^f\.yaml:4:7: error: /);
  });

  it("rejects nesting deeper than MAX_NESTING without overflowing the stack", () => {
    const deep = `${"ToLower(".repeat(5000)}[a]${")".repeat(5000)}`;
    expect(parseError(deep).reason).toMatch(/nested deeper/);
  });
});
