import { describe, expect, it } from "vitest";
import {
  attributesReferenced,
  type AttributeMappingSource,
  build as b,
  exprEquals,
  ExpressionError,
  fromGraphSource,
  normalizeExpressionText,
  parseExpression,
  printExpression,
  toGraphSource,
} from "../../src/expression";

describe("printExpression / normalizeExpressionText", () => {
  it.each([
    ['Replace([preferredLanguage], "-", , , "_", , )', 'Replace([preferredLanguage], "-", , , "_", , )'],
    ['Replace([mail], "@contoso.com", , ,"", ,)', 'Replace([mail], "@contoso.com", , , "", , )'],
    ['Switch([IsSoftDeleted], , "False", "True", "True", "False")', 'Switch([IsSoftDeleted], , "False", "True", "True", "False")'],
    ['IIF([country]="USA",[country],[department])', 'IIF([country] = "USA", [country], [department])'],
    ["  Join( \" \" ,\n [givenName],\t[surname] )  ", 'Join(" ", [givenName], [surname])'],
    ['"Company name: \\"Contoso\\""', '"Company name: \\"Contoso\\""'],
    // Only \" and \\ are escapes (graph-sync.md §13.3): a backslash is doubled only where it must be.
    ['"a\\\\b"', '"a\\b"'],
    ['"a\\b"', '"a\\b"'],
    ['"\\,"', '"\\,"'],
    ['"\\2C"', '"\\2C"'],
    ['"\\+(?<isdCode>49)"', '"\\+(?<isdCode>49)"'],
    ['"end\\\\"', '"end\\\\"'],
    ['"\\\\\\""', '"\\\\\\""'],
    ["BitAnd(&hF7 , &HF)".replace("&h", "&H"), "BitAnd(&HF7, &HF)"],
    ["InStr(\"repEated\",\"e\",3,vbBinaryCompare)", 'InStr("repEated", "e", 3, vbBinaryCompare)'],
    ["Guid( )", "Guid()"],
    ["DateAdd(\"d\", -10, CDate([x]))", 'DateAdd("d", -10, CDate([x]))'],
  ])("%j → %s", (text, canonical) => {
    expect(normalizeExpressionText(text)).toBe(canonical);
    expect(printExpression(parseExpression(text))).toBe(canonical);
    // stable: text → tree → text → tree
    expect(exprEquals(parseExpression(canonical), parseExpression(text))).toBe(true);
    expect(normalizeExpressionText(canonical)).toBe(canonical);
  });

  it("is insensitive to white space outside strings only", () => {
    expect(normalizeExpressionText('Join(" ",[a])')).toBe(normalizeExpressionText('Join( " " , [a] )'));
    expect(normalizeExpressionText('Join(" ",[a])')).not.toBe(normalizeExpressionText('Join("  ",[a])'));
  });

  it("throws ExpressionError for text that does not parse", () => {
    expect(() => normalizeExpressionText("Mid([x]")).toThrow(ExpressionError);
  });
});

describe("attributesReferenced", () => {
  it("lists every [attribute] once, in order of appearance", () => {
    expect(
      attributesReferenced(parseExpression('IIF([country]="USA", Join(" ", [givenName], [country]), Coalesce([mail], [userPrincipalName]))')),
    ).toEqual(["country", "givenName", "mail", "userPrincipalName"]);
    expect(attributesReferenced(parseExpression('"constant"'))).toEqual([]);
    expect(attributesReferenced(parseExpression("[IsSoftDeleted]"))).toEqual(["IsSoftDeleted"]);
  });
});

/** The parsedExpression of graph-sync.md §4.7, as Entra returns it. */
const PARSE_EXPRESSION_EXAMPLE: AttributeMappingSource = {
  expression: 'Replace([preferredLanguage], "-", , , "_", , )',
  name: "Replace",
  type: "Function",
  parameters: [
    { key: "source", value: { expression: "[preferredLanguage]", name: "preferredLanguage", parameters: [], type: "Attribute" } },
    { key: "Find", value: { expression: '"-"', name: "-", parameters: [], type: "Constant" } },
    { key: "Replacement", value: { expression: '"_"', name: "_", parameters: [], type: "Constant" } },
  ],
};

describe("toGraphSource: the attributeMappingSource Entra stores", () => {
  it("matches the §4.7 parseExpression example field for field", () => {
    const expected: AttributeMappingSource = PARSE_EXPRESSION_EXAMPLE;
    const actual = toGraphSource(parseExpression('Replace([preferredLanguage], "-", , , "_", , )'));
    expect(actual).toStrictEqual(expected);
    expect(JSON.parse(JSON.stringify(actual))).toStrictEqual(expected);
  });

  it("matches the §4.6 examples", () => {
    expect(toGraphSource(parseExpression("[mail]"))).toStrictEqual({ expression: "[mail]", name: "mail", type: "Attribute", parameters: [] });
    expect(toGraphSource(parseExpression('"1"'))).toStrictEqual({ expression: '"1"', name: "1", type: "Constant", parameters: [] });
    expect(toGraphSource(parseExpression("1"))).toStrictEqual({ expression: '"1"', name: "1", type: "Constant", parameters: [] });
    const mid = toGraphSource(parseExpression("Mid([userPrincipalName], 1, 8)"));
    expect(mid).toStrictEqual({
      type: "Function",
      name: "Mid",
      expression: "Mid([userPrincipalName], 1, 8)",
      parameters: [
        { key: "source", value: { type: "Attribute", name: "userPrincipalName", expression: "[userPrincipalName]", parameters: [] } },
        { key: "start", value: { type: "Constant", name: "1", expression: '"1"', parameters: [] } },
        { key: "length", value: { type: "Constant", name: "8", expression: '"8"', parameters: [] } },
      ],
    });
  });

  it("uses the engine's parameter names and drops empty arguments", () => {
    const keys = (text: string): string[] => toGraphSource(parseExpression(text)).parameters.map((p) => p.key);
    expect(keys('Replace([t], , "\\\\+(?<isd>\\\\d* )(?<phone>\\\\d{10})", "phone", , [mobile], )')).toEqual([
      "source",
      "RegularExpression",
      "RegularExpressionGroupName",
      "ReplacementPropertyName",
    ]);
    expect(keys('Replace([UserID],"<username>", , , , , "<username>@contoso.com")')).toEqual(["source", "Find", "Template"]);
    expect(keys('Switch([IsSoftDeleted], , "False", "True", "True", "False")')).toEqual([
      "source",
      "switchValue",
      "switchValue",
      "switchValue",
      "switchValue",
    ]);
    expect(keys('Switch([s], "d", "k", "v")')).toEqual(["source", "defaultValue", "switchValue", "switchValue"]);
    expect(keys('Join(" ", [givenName], [surname])')).toEqual(["separator", "source", "source"]);
    expect(keys('FormatDateTime([x], , "yyyyMMdd", "yyyy-MM-dd")')).toEqual(["source", "inputFormat", "outputFormat"]);
    expect(keys("Split([x])")).toEqual(["source"]);
    expect(keys("Not([IsSoftDeleted])")).toEqual(["source"]);
  });

  it("nests functions with their own full text", () => {
    const g = toGraphSource(parseExpression('ToLower(Join("@", [a], "contoso.com"))'));
    expect(g.parameters[0]?.value).toMatchObject({ type: "Function", name: "Join", expression: 'Join("@", [a], "contoso.com")' });
  });

  it("represents comparisons as operator functions with left/right", () => {
    const g = toGraphSource(parseExpression('IIF([country] = "USA", "a", "b")'));
    expect(g.parameters[0]).toStrictEqual({
      // IIF's first key in a real exported schema (graph-sync.md §13.2)
      key: "one",
      value: {
        type: "Function",
        name: "=",
        expression: '[country] = "USA"',
        parameters: [
          { key: "left", value: { type: "Attribute", name: "country", expression: "[country]", parameters: [] } },
          { key: "right", value: { type: "Constant", name: "USA", expression: '"USA"', parameters: [] } },
        ],
      },
    });
  });
});

describe("fromGraphSource: back to the text a person wrote", () => {
  const roundTrip = (text: string): string => printExpression(fromGraphSource(toGraphSource(parseExpression(text))));

  it.each([
    'Replace([preferredLanguage], "-", , , "_", , )',
    'Switch([IsSoftDeleted], , "False", "True", "True", "False")',
    "Mid([userPrincipalName], 1, 8)",
    "[mail]",
    '"constant"',
    'IIF([country] = "USA", [country], [department])',
    'InStr("repEated", "e", 3, vbBinaryCompare)',
    "BitAnd(&HF, &HF7)",
  ])("round trip %s", (text) => {
    expect(roundTrip(text)).toBe(text);
    // text → tree → text → tree is stable
    expect(exprEquals(parseExpression(roundTrip(text)), parseExpression(text))).toBe(true);
  });

  it("parses the §4.7 parsedExpression", () => {
    const e = fromGraphSource(PARSE_EXPRESSION_EXAMPLE);
    expect(printExpression(e)).toBe('Replace([preferredLanguage], "-", , , "_", , )');
  });

  const noText = (src: AttributeMappingSource): AttributeMappingSource => ({
    ...src,
    expression: "",
    parameters: src.parameters.map((p) => ({ key: p.key, value: p.value.type === "Function" ? noText(p.value) : p.value })),
  });

  it.each([
    ['Replace([preferredLanguage], "-", , , "_", , )', 'Replace([preferredLanguage], "-", , , "_", , )'],
    ['Replace([t], , "(?<p>\\\\d+)", "p", , [mobile], )', 'Replace([t], , "(?<p>\\d+)", "p", , [mobile], )'],
    ['FormatDateTime([x], "yyyyMMdd", "yyyy-MM-dd")', 'FormatDateTime([x], "yyyyMMdd", "yyyy-MM-dd")'],
    ['Switch([IsSoftDeleted], , "False", "True", "True", "False")', 'Switch([IsSoftDeleted], , "False", "True", "True", "False")'],
    ['Join(" ", [givenName], [surname])', 'Join(" ", [givenName], [surname])'],
    // Without its text and without a dateTimeStyles parameter, the tree is read as the 3-argument form.
    ['FormatDateTime([x], , "yyyyMMdd", "yyyy-MM-dd")', 'FormatDateTime([x], "yyyyMMdd", "yyyy-MM-dd")'],
    ["Mid([userPrincipalName], 1, 8)", 'Mid([userPrincipalName], "1", "8")'],
    ['IIF([c] = "USA", "a", "b")', 'IIF([c] = "USA", "a", "b")'],
    ['Coalesce([mail], [userPrincipalName], "none")', 'Coalesce([mail], [userPrincipalName], "none")'],
  ])("rebuilds %s from name and parameters alone", (text, expected) => {
    const rebuilt = fromGraphSource(noText(toGraphSource(parseExpression(text))));
    expect(printExpression(rebuilt)).toBe(expected);
    // and that form is a fixed point
    expect(printExpression(fromGraphSource(noText(toGraphSource(rebuilt))))).toBe(expected);
  });

  it("falls back to the parameters when the expression text names another function", () => {
    const src = toGraphSource(parseExpression("ToLower([a])"));
    expect(printExpression(fromGraphSource({ ...src, expression: "ToUpper([a])" }))).toBe("ToLower([a])");
  });

  it("rejects malformed sources with ExpressionError", () => {
    const bad = (src: unknown): ExpressionError => {
      try {
        fromGraphSource(src as AttributeMappingSource);
      } catch (e) {
        return e as ExpressionError;
      }
      throw new Error("expected an error");
    };
    expect(bad({ type: "Attribute", name: "", expression: "", parameters: [] }).code).toBe("graph");
    expect(bad({ type: "Weird", name: "x", expression: "", parameters: [] }).code).toBe("graph");
    const one = { type: "Constant", name: "1", expression: '"1"', parameters: [] };
    // an unknown key takes the next position: here Mid's first, which leaves Mid one argument short
    expect(bad({ type: "Function", name: "Mid", expression: "", parameters: [{ key: "nope", value: one }] }).code).toBe("arity");
    expect(bad({ type: "Function", name: "Not", expression: "", parameters: [{ key: "source", value: one }, { key: "extra", value: one }] }).reason).toMatch(
      /Not takes 1 argument; parameter 'extra' is one too many/,
    );
    expect(bad({ type: "Function", name: "Frob", expression: "", parameters: [] }).code).toBe("unknown-function");
    expect(bad({ type: "Function", name: "Mid", expression: "", parameters: [] }).code).toBe("arity");
    expect(bad(null).code).toBe("graph");
  });

  it("takes parameters by position when their keys are unknown (graph-sync.md §13.2)", () => {
    const attr = (n: string) => ({ type: "Attribute" as const, name: n, expression: `[${n}]`, parameters: [] });
    const c = (v: string) => ({ type: "Constant" as const, name: v, expression: `"${v}"`, parameters: [] });
    // IsNull's key is unconfirmed; a tree keyed `source` (like IsPresent's real one) still reads
    expect(printExpression(fromGraphSource({ type: "Function", name: "IsNull", expression: "", parameters: [{ key: "source", value: attr("mail") }] }))).toBe("IsNull([mail])");
    // IIF keyed one/two/three: the two unknown keys follow the first
    const iif = {
      type: "Function" as const,
      name: "IIF",
      expression: "",
      parameters: [
        { key: "one", value: { type: "Function" as const, name: "IsPresent", expression: "", parameters: [{ key: "source", value: attr("mail") }] } },
        { key: "two", value: attr("mail") },
        { key: "three", value: c("none") },
      ],
    };
    expect(printExpression(fromGraphSource(iif))).toBe('IIF(IsPresent([mail]), [mail], "none")');
    // a comparison keyed other than left/right is read by position
    const cmp = { type: "Function" as const, name: "=", expression: "", parameters: [{ key: "a", value: attr("c") }, { key: "b", value: c("US") }] };
    expect(printExpression(fromGraphSource({ ...iif, parameters: [{ key: "one", value: cmp }, iif.parameters[1]!, iif.parameters[2]!] }))).toBe('IIF([c] = "US", [mail], "none")');
  });

  it("prefers the expression text Graph returns over the tree", () => {
    const tree = { type: "Function" as const, name: "Trim", expression: "Trim( [displayName] )", parameters: [{ key: "whatever", value: { type: "Attribute" as const, name: "mail", expression: "[mail]", parameters: [] } }] };
    expect(printExpression(fromGraphSource(tree))).toBe("Trim([displayName])");
  });

  it("accepts a missing type as Attribute (the Graph default)", () => {
    expect(printExpression(fromGraphSource({ name: "mail" } as AttributeMappingSource))).toBe("[mail]");
  });

  it("builds trees with positions the printer and parser agree on", () => {
    const e = fromGraphSource(toGraphSource(b.call("Join", [b.string(" "), b.attribute("a")])));
    expect(e).toMatchObject({ start: 0, end: 'Join(" ", [a])'.length });
  });
});
