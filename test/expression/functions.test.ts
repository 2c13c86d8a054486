// Semantics of every function beyond the documented vectors, including each choice made where the
// documentation is silent (docs/expressions.md lists them).
import { describe, expect, it } from "vitest";
import {
  compileExpression,
  DOCUMENTED_FUNCTION_NAMES,
  ExpressionError,
  FUNCTIONS,
  nearestFunctionName,
  parseExpression,
} from "../../src/expression";
import { evaluate, fixedClock, seededRandom, valueOf } from "./helpers";

function compileError(text: string): ExpressionError {
  try {
    compileExpression(parseExpression(text));
  } catch (e) {
    if (e instanceof ExpressionError) return e;
    throw e;
  }
  throw new Error(`expected ${text} to fail`);
}

function evalError(text: string, user: Record<string, string | string[] | null>): ExpressionError {
  const compiled = compileExpression(parseExpression(text));
  try {
    compiled(user);
  } catch (e) {
    if (e instanceof ExpressionError) return e;
    throw e;
  }
  throw new Error(`expected ${text} to fail at evaluation`);
}

describe("the catalogue", () => {
  it("has the 43 reference functions plus AssertiveAppRoleAssignmentsComplex", () => {
    expect(DOCUMENTED_FUNCTION_NAMES).toHaveLength(44);
    expect(DOCUMENTED_FUNCTION_NAMES).toContain("AssertiveAppRoleAssignmentsComplex");
    for (const name of ["Append", "Word", "ToLower", "ToUpper", "SelectUniqueValue", "IgnoreFlowIfNullOrEmpty", "NumFromDate"]) {
      expect(DOCUMENTED_FUNCTION_NAMES).toContain(name);
    }
  });
  it("also knows the engine-only functions of §5.3", () => {
    for (const name of ["AppRoleAssignments", "DefaultDomain", "IsNothing", "Prepend"]) {
      expect(FUNCTIONS[name]?.documented).toBe(false);
    }
  });
  it("describes signatures with doc and engine names", () => {
    const replace = FUNCTIONS.Replace;
    expect(replace?.parameters.map((p) => [p.name, p.engineName])).toEqual([
      ["source", "source"],
      ["oldValue", "Find"],
      ["regexPattern", "RegularExpression"],
      ["regexGroupName", "RegularExpressionGroupName"],
      ["replacementValue", "Replacement"],
      ["replacementAttributeName", "ReplacementPropertyName"],
      ["template", "Template"],
    ]);
    expect(FUNCTIONS.Join).toMatchObject({ minArgs: 2, maxArgs: Infinity, repeat: { from: 1, group: 1 } });
    expect(FUNCTIONS.Switch).toMatchObject({ minArgs: 4, repeat: { from: 2, group: 2 } });
    expect(FUNCTIONS.Mid).toMatchObject({ minArgs: 3, maxArgs: 3, usage: "Mid(source, start, length)" });
    expect(FUNCTIONS.InStr).toMatchObject({ minArgs: 2, maxArgs: 4 });
    expect(FUNCTIONS.Now).toMatchObject({ minArgs: 0, maxArgs: 0, deterministic: false });
  });
  it("nearestFunctionName suggests the closest name", () => {
    expect(nearestFunctionName("Swich")).toBe("Switch");
    expect(nearestFunctionName("switch")).toBe("Switch");
    expect(nearestFunctionName("Tolower")).toBe("ToLower");
    expect(nearestFunctionName("Concat")).toBeUndefined();
    expect(nearestFunctionName("Normalize")).toBe("NormalizeDiacritics");
    expect(nearestFunctionName("IIf")).toBe("IIF");
    expect(nearestFunctionName("Substring")).toBeUndefined();
  });
});

describe("values: NULL, empty, multi-valued", () => {
  it("an absent attribute is NULL, distinct from an empty string", () => {
    expect(valueOf("[a]", {})).toBeNull();
    expect(valueOf("[a]", { a: "" })).toBe("");
    expect(valueOf("[a]", { a: null })).toBeNull();
  });
  it("multi-valued attributes are arrays (copied out)", () => {
    const user = { p: ["a", "b"] };
    const v = valueOf("[p]", user);
    expect(v).toEqual(["a", "b"]);
    (v as string[]).push("c");
    expect(user.p).toEqual(["a", "b"]);
  });
  it("single-valued functions read the first value of a multi-valued argument", () => {
    expect(valueOf("ToUpper([p])", { p: ["abc", "def"] })).toBe("ABC");
    expect(valueOf("ToUpper([p])", { p: [] })).toBeNull();
  });
  it("does not read inherited object properties as attributes", () => {
    expect(valueOf("[constructor]", {})).toBeNull();
    expect(valueOf("[toString]", {})).toBeNull();
    expect(valueOf("[__proto__]", {})).toBeNull();
  });
  it("literals evaluate to strings (numbers and hex in decimal)", () => {
    expect(valueOf("42")).toBe("42");
    expect(valueOf("-007")).toBe("-7");
    expect(valueOf("&HFF")).toBe("255");
    expect(valueOf("vbTextCompare")).toBe("vbTextCompare");
  });
  it("IsSoftDeleted is derived from accountEnabled when the record does not carry it", () => {
    const active = 'Switch([IsSoftDeleted], , "False", "True", "True", "False")';
    expect(valueOf(active, {})).toBe("True");
    expect(valueOf(active, { accountEnabled: "true" })).toBe("True");
    expect(valueOf(active, { accountEnabled: "False" })).toBe("False");
    expect(valueOf(active, { accountEnabled: "false", IsSoftDeleted: "False" })).toBe("True");
    expect(valueOf(active, { IsSoftDeleted: null })).toBeNull();
    expect(valueOf("[IsSoftDeleted]", { accountEnabled: "false" })).toBe("True");
  });
});

describe("conditions", () => {
  it("comparisons are numeric when both sides are numbers, ordinal otherwise", () => {
    expect(valueOf('CBool("10" > "9")')).toBe("True");
    expect(valueOf('CBool("b" > "a")')).toBe("True");
    expect(valueOf('CBool("B" = "b")')).toBe("False");
    expect(valueOf('CBool("01" = "1")')).toBe("True");
    expect(valueOf('CBool("abc" <> "abd")')).toBe("True");
    expect(valueOf('CBool(5 >= 5)')).toBe("True");
    expect(valueOf('CBool(-3 <= -4)')).toBe("False");
    expect(valueOf('CBool("a" < "b")')).toBe("True");
  });
  it("a comparison with a NULL side fails: IIF gives NULL (documented: the condition check fails)", () => {
    expect(valueOf('IIF([country]="USA","a","b")', {})).toBeNull();
    expect(valueOf('IIF([country]="","Other",[country])', {})).toBeNull();
    expect(valueOf('CBool([a] = [b])', { a: "x" })).toBeNull();
  });
  it("IIF takes True/False (any case) or numbers as conditions", () => {
    expect(valueOf('IIF("true", "y", "n")')).toBe("y");
    expect(valueOf('IIF("FALSE", "y", "n")')).toBe("n");
    expect(valueOf('IIF(1, "y", "n")')).toBe("y");
    expect(valueOf('IIF(0, "y", "n")')).toBe("n");
    expect(valueOf('IIF("maybe", "y", "n")')).toBeNull();
    expect(valueOf('IIF(IsPresent([c]), [c], "Other")', {})).toBe("Other");
  });
  it("IIF evaluates only the branch it returns", () => {
    // The false branch would fail at evaluation (CDate of garbage) if it ran.
    expect(valueOf('IIF("True", "ok", CDate([bad]))', { bad: "garbage" })).toBe("ok");
  });
  it("CBool: True for true/non-zero, False otherwise, NULL for NULL", () => {
    expect(valueOf('CBool("True")')).toBe("True");
    expect(valueOf('CBool("2")')).toBe("True");
    expect(valueOf('CBool("0")')).toBe("False");
    expect(valueOf('CBool("text")')).toBe("False");
    expect(valueOf("CBool([a])", {})).toBeNull();
  });
  it("Not: False only for True (any case)", () => {
    expect(valueOf('Not("true")')).toBe("False");
    expect(valueOf('Not("False")')).toBe("True");
    expect(valueOf('Not("anything")')).toBe("True");
    expect(valueOf("Not([a])", {})).toBe("True");
  });
  it("IsNull / IsNullOrEmpty / IsPresent / IsString / IsNothing", () => {
    expect(valueOf("IsNull([a])", { a: [] })).toBe("True");
    expect(valueOf("IsNullOrEmpty([a])", { a: "" })).toBe("True");
    expect(valueOf("IsPresent([a])", { a: "x" })).toBe("True");
    expect(valueOf("IsPresent([a])", { a: ["x"] })).toBe("True");
    expect(valueOf("IsString([a])", { a: ["x"] })).toBe("False");
    expect(valueOf("IsString([a])", {})).toBe("False");
    expect(valueOf("IsNothing([a])", {})).toBe("True");
  });
});

describe("Switch", () => {
  it("no match and no default gives NULL", () => {
    expect(valueOf('Switch([a], , "x", "1")', { a: "y" })).toBeNull();
  });
  it("an empty-string default is returned as such", () => {
    expect(valueOf('Switch([a], "", "x", "1")', { a: "y" })).toBe("");
  });
  it("compares case-sensitively; NULL matches the \"\" key; the first equal key wins", () => {
    expect(valueOf('Switch([a], "d", "X", "1")', { a: "x" })).toBe("d");
    expect(valueOf('Switch([a], "d", "", "empty")', {})).toBe("empty");
    expect(valueOf('Switch([a], "d", "k", "first", "k", "second")', { a: "k" })).toBe("first");
  });
  it("keys may be expressions", () => {
    expect(valueOf('Switch([a], "d", [b], "same")', { a: "v", b: "v" })).toBe("same");
    expect(valueOf('Switch([a], "d", [b], "same", "x", "y")', { a: "x", b: "v" })).toBe("y");
  });
  it("evaluates only the value it returns", () => {
    expect(valueOf('Switch([a], CDate([b]), "k", "v")', { a: "k", b: "bad" })).toBe("v");
  });
});

describe("Coalesce", () => {
  it('returns the first non-NULL value; "" counts as a value', () => {
    expect(valueOf("Coalesce([a], [b], \"d\")", { b: "B" })).toBe("B");
    expect(valueOf("Coalesce([a], [b], \"d\")", {})).toBe("d");
    expect(valueOf("Coalesce([a], [b])", {})).toBeNull();
    expect(valueOf("Coalesce([a], [b])", { a: "", b: "B" })).toBe("");
    expect(valueOf("Coalesce([a], [b])", { a: [], b: "B" })).toBe("B");
  });
});

describe("IgnoreFlowIfNullOrEmpty", () => {
  it("flows=false for NULL, empty string or no values; the value is reported as is", () => {
    expect(evaluate("IgnoreFlowIfNullOrEmpty([d])", {})).toEqual({ value: null, flows: false });
    expect(evaluate("IgnoreFlowIfNullOrEmpty([d])", { d: "" })).toEqual({ value: "", flows: false });
    expect(evaluate("IgnoreFlowIfNullOrEmpty([d])", { d: [] })).toEqual({ value: [], flows: false });
    expect(evaluate("IgnoreFlowIfNullOrEmpty([d])", { d: "x" })).toEqual({ value: "x", flows: true });
  });
  it("nested: the whole attribute does not flow", () => {
    expect(evaluate('Join(",", IgnoreFlowIfNullOrEmpty([a]), [b])', { b: "B" })).toEqual({ value: "B", flows: false });
  });
  it("resets between records", () => {
    const c = compileExpression(parseExpression("IgnoreFlowIfNullOrEmpty([d])"));
    expect(c({}).flows).toBe(false);
    expect(c({ d: "x" }).flows).toBe(true);
  });
});

describe("string functions", () => {
  it("Append: NULL counts as \"\" unless both sides are NULL", () => {
    expect(valueOf('Append([a], ".test")', {})).toBe(".test");
    expect(valueOf("Append([a], [b])", {})).toBeNull();
    expect(valueOf('Prepend("x-", [a])', { a: "y" })).toBe("x-y");
  });
  it("InStr: 1-based, 0 when not found, start, compare modes", () => {
    expect(valueOf('InStr("abc", "z")')).toBe("0");
    expect(valueOf('InStr("abcabc", "b", 3)')).toBe("5");
    expect(valueOf('InStr("abc", "b", 9)')).toBe("0");
    expect(valueOf('InStr("abc", "")')).toBe("1");
    expect(valueOf('InStr("", "a")')).toBe("0");
    expect(valueOf("InStr([a], \"a\")", {})).toBe("0");
    expect(valueOf('InStr("repEated", "E", 1, vbTextCompare)')).toBe("2");
    expect(valueOf('InStr("repEated", "E", 1, vbBinaryCompare)')).toBe("4");
    expect(valueOf('InStr("repEated", "E", 1, "1")')).toBe("2");
    expect(compileError('InStr("a", "b", 1, "vbWhatever")').column).toBe(20);
    expect(compileError('InStr("a", "b", 0)').reason).toMatch(/start must be 1 or more/);
  });
  it("Left: the documented edge cases", () => {
    expect(valueOf('Left("John", 0)')).toBe("");
    expect(valueOf('Left("John", -1)')).toBe("John");
    expect(valueOf("Left([a], 2)", {})).toBe("");
    expect(valueOf('Left("Jo", 5)')).toBe("Jo");
  });
  it("Mid: 1-based, runs to the end, start past the end gives \"\"", () => {
    expect(valueOf('Mid("John", 2, 10)')).toBe("ohn");
    expect(valueOf('Mid("John", 5, 1)')).toBe("");
    expect(valueOf('Mid("John", 1, 0)')).toBe("");
    expect(valueOf("Mid([a], 1, 2)", {})).toBeNull();
    const e = compileError('Mid("John", 0, 2)');
    expect(e.code).toBe("invalid-argument");
    expect(e.column).toBe(13);
    expect(compileError('Mid("John", 1, -1)').column).toBe(16);
    expect(evalError("Mid([a], [s], 1)", { a: "x", s: "0" }).code).toBe("evaluation");
    expect(evalError("Mid([a], [s], 1)", { a: "x", s: "one" }).reason).toMatch(/start must be an integer/);
  });
  it("Join: skips NULL and \"\" values, multi-valued sources contribute every value, all empty gives \"\"", () => {
    expect(valueOf('Join(",", [a], [b], [c])', { a: "1", c: "3" })).toBe("1,3");
    expect(valueOf('Join(",", [p], "x")', { p: ["a", "", "b"] })).toBe("a,b,x");
    expect(valueOf('Join(" ", [a], [b])', {})).toBe("");
    expect(valueOf('Join([sep], "a", "b")', { sep: "-" })).toBe("a-b");
    expect(valueOf('Join([sep], "a", "b")', {})).toBe("ab");
  });
  it("Split: default delimiter ',', elements trimmed, NULL stays NULL", () => {
    expect(valueOf("Split([a])", { a: "x, y ,z" })).toEqual(["x", "y", "z"]);
    expect(valueOf('Split([a], ";")', { a: "x;;y" })).toEqual(["x", "", "y"]);
    expect(valueOf('Split([a], "")', { a: "x,y" })).toEqual(["x,y"]);
    expect(valueOf("Split([a])", {})).toBeNull();
  });
  it("StripSpaces removes U+0020 only", () => {
    expect(valueOf("StripSpaces([a])", { a: " a b\tc\u00A0d " })).toBe("ab\tc\u00A0d");
  });
  it("Word: empty words are skipped, out of range gives \"\"", () => {
    expect(valueOf('Word("a,,b", 2, ",")')).toBe("b");
    expect(valueOf('Word("a b", 0, " ")')).toBe("");
    expect(valueOf('Word("a b", 3, " ")')).toBe("");
    expect(valueOf('Word([a], 1, " ")', {})).toBe("");
    expect(valueOf('Word("a b", 1, "")')).toBe("a b");
  });
  it("PCase: .NET title casing", () => {
    expect(valueOf('PCase("hello wORLD")')).toBe("Hello World");
    expect(valueOf("PCase(\"o'neil mcdonald-smith\")")).toBe("O'neil Mcdonald-Smith");
    expect(valueOf('PCase("1st place_winner")')).toBe("1St Place_Winner"); // .NET ToTitleCase quirk: a letter after digits starts a word
    expect(valueOf('PCase("élan vital")')).toBe("Élan Vital");
    expect(valueOf('PCase("a.b")')).toBe("A.B");
    expect(valueOf('PCase("JEAN-LUC", "")')).toBe("Jean-luc");
  });
  it("ToLower / ToUpper: invariant by default, with a culture when given", () => {
    expect(valueOf('ToUpper("straße")')).toBe("STRAßE");
    expect(valueOf('ToLower("İSTANBUL")')).toBe("istanbul");
    expect(valueOf('ToUpper("istanbul", "tr-TR")')).toBe("İSTANBUL");
    expect(valueOf('ToLower("ÉCOLE", "fr-FR")')).toBe("école");
    expect(valueOf('ToLower("X", "")')).toBe("x");
    expect(compileError('ToLower("X", "not a culture")').column).toBe(14);
    expect(evalError("ToLower([a], [c])", { a: "x", c: "!!" }).code).toBe("evaluation");
  });
  it("NormalizeDiacritics follows the documented table", () => {
    const cases: [string, string][] = [
      ["äàâãåáąăā", "aaaaaaaaa"],
      ["ÄÀÂÃÅÁĄĂĀ", "AAAAAAAAA"],
      ["æǣÆǢ", "aeaeAEAE"],
      ["çčć ďḏ", "ccc dd"],
      ["ëèéêęěėēḗ", "eeeeeeeee"],
      ["ğ ïîìíıī İ", "g iiiiii I"],
      ["ľł ŁĽ", "ll LL"],
      ["ñńň öòőõôóōȫ", "nnn oooooooo"],
      ["øØ œ̄ Œ̄ œ", "oeOE oe OE œ"],
      ["ř ß šśșş ťț", "r ss ssss tt"],
      ["üùûúůűūǖ ÿýȳ źžż", "uuuuuuuu yyy zzz"],
      ["Zoë Jéssica Ångström", "Zoe Jessica Angstrom"],
      ["ŵ ḱ ж 日本", "ŵ ḱ ж 日本"],
    ];
    for (const [input, expected] of cases) expect(valueOf("NormalizeDiacritics([a])", { a: input })).toBe(expected);
  });
  it("ConvertToBase64 / ConvertToUTF8Hex / CStr", () => {
    expect(valueOf('ConvertToBase64("é")')).toBe("6QA=");
    expect(valueOf('ConvertToUTF8Hex("é")')).toBe("C3A9");
    expect(valueOf("ConvertToBase64([a])", {})).toBeNull();
    expect(valueOf("CStr(5)")).toBe("5");
  });
});

describe("Replace", () => {
  it("literal mode replaces every occurrence, case-sensitively", () => {
    expect(valueOf('Replace([a], "a", , , "x", , )', { a: "aAaa" })).toBe("xAxx");
    expect(valueOf('Replace([a], "a", , , [r], , )', { a: "aa" })).toBe("");
    expect(valueOf('Replace([a], "a", , , "x", , )', {})).toBeNull();
    expect(compileError('Replace([a], "", , , "x", , )').column).toBe(14);
  });
  it("template mode", () => {
    expect(valueOf('Replace([u], "<u>", , , , , "<u>.<u>@x")', { u: "js" })).toBe("js.js@x");
    expect(valueOf('Replace([u], "<u>", , , , , "<u>@x")', {})).toBeNull();
  });
  it("regex mode uses .NET replacement syntax", () => {
    expect(valueOf('Replace([a], , "(\\\\w+)@(\\\\w+)", , "$2 at $1", , )', { a: "me@home" })).toBe("home at me");
    expect(valueOf('Replace([a], , "(?<u>\\\\w+)@", , "${u}-$$-$&", , )', { a: "me@home" })).toBe("me-$-me@home");
    expect(valueOf('Replace([a], , "x", , "${nope}", , )', { a: "axb" })).toBe("a${nope}b");
    expect(valueOf('Replace([a], , "\\\\d", , "#", , )', { a: "a1٣" })).toBe("a##");
    expect(valueOf('Replace([a], , "^.", , "", , )', { a: "\nab" })).toBe("\nab");
    expect(valueOf('Replace([a], , "b$", , "X", , )', { a: "ab\n" })).toBe("aX\n");
    expect(valueOf('Replace([a], , "(?i)ABC", , "x", , )', { a: "abc" })).toBe("x");
    expect(valueOf('Replace([a], , "a{", , "x", , )', { a: "a{" })).toBe("x");
  });
  it("rejects invalid constant patterns at compile time, at the pattern", () => {
    const e = compileError('Replace([a], , "(unclosed", , "", , )');
    expect(e.code).toBe("invalid-argument");
    expect(e.column).toBe(16);
    expect(e.reason).toMatch(/invalid regexPattern/);
    expect(compileError('Replace([a], , "\\\\G", , "", , )').reason).toMatch(/\\G/);
    expect(compileError('Replace([a], , "[a-z-[aeiou]]", , "", , )').reason).toMatch(/subtraction/);
  });
  it("checks the group name against a constant pattern", () => {
    const e = compileError('Replace([a], , "(?<x>a)", "y", "b", , )');
    expect(e.column).toBe(27);
    expect(e.hint).toBe("groups: x");
    expect(valueOf('Replace([a], , "(a)(b)", "2", "X", , )', { a: "abab" })).toBe("aXaX");
  });
  it("patterns from attributes are compiled at evaluation time", () => {
    expect(valueOf('Replace([a], , [p], , "", , )', { a: "a1b2", p: "\\d" })).toBe("ab");
    expect(evalError('Replace([a], , [p], , "", , )', { a: "x", p: "(" }).code).toBe("evaluation");
    expect(valueOf('Replace([a], , [p], , "", , )', { a: "x" })).toBe("x");
  });
  it("group mode leaves matches whose group did not participate", () => {
    expect(valueOf('Replace([a], , "(?<d>\\\\d)|x", "d", "#", , )', { a: "1x2" })).toBe("#x#");
  });
  it("group-from-attribute mode: NULL when the attribute has no match", () => {
    const e = 'Replace([t], , "(?<n>\\\\d+)", "n", , [m], )';
    expect(valueOf(e, { m: "none" })).toBeNull();
    expect(valueOf(e, { m: "tel 42" })).toBe("42");
    expect(valueOf(e, {})).toBeNull();
    expect(valueOf(e, { t: "kept" })).toBe("kept");
  });
  it("handles empty matches like .NET", () => {
    expect(valueOf('Replace([a], , "x*", , "-", , )', { a: "abc" })).toBe("-a-b-c-");
    expect(valueOf('Replace([a], , "x*", , "-", , )', { a: "😀" })).toBe("-😀-");
  });
});

describe("numbers and bits", () => {
  it("BitAnd on decimal and hex, NULL in NULL out", () => {
    expect(valueOf("BitAnd(12, 10)")).toBe("8");
    expect(valueOf('BitAnd([a], "&HFF")', { a: "4660" })).toBe("52");
    expect(valueOf("BitAnd([a], 1)", {})).toBeNull();
    expect(compileError('BitAnd("x", 1)').code).toBe("invalid-argument");
  });
  it("integer arguments given as constants are checked at compile time", () => {
    const e = compileError('Left("abc", "two")');
    expect(e.code).toBe("invalid-argument");
    expect(e.column).toBe(13);
    expect(compileError('Item([p], 0)').reason).toMatch(/index must be 1 or more/);
  });
});

describe("multi-valued functions", () => {
  it("Count, Item, RemoveDuplicates", () => {
    expect(valueOf("Count([p])", { p: ["a", "b"] })).toBe("2");
    expect(valueOf("Count([p])", { p: "a" })).toBe("1");
    expect(valueOf("Count([p])", {})).toBe("0");
    expect(valueOf("Item([p], 2)", { p: ["a", "b"] })).toBe("b");
    expect(valueOf("Item([p], 3)", { p: ["a", "b"] })).toBeNull();
    expect(valueOf("Item([p], 1)", { p: "a" })).toBe("a");
    expect(valueOf("RemoveDuplicates([p])", { p: "a" })).toBe("a");
    expect(valueOf("RemoveDuplicates([p])", {})).toBeNull();
  });
  it("app role functions evaluate to role names", () => {
    const user = { appRoleAssignments: ["Admin", "User"] };
    expect(valueOf("AppRoleAssignmentsComplex([appRoleAssignments])", user)).toEqual(["Admin", "User"]);
    expect(valueOf("AssertiveAppRoleAssignmentsComplex([appRoleAssignments])", user)).toEqual(["Admin", "User"]);
    expect(valueOf("AppRoleAssignments([appRoleAssignments])", user)).toEqual(["Admin", "User"]);
    expect(valueOf("SingleAppRoleAssignment([appRoleAssignments])", user)).toBe("Admin");
    expect(valueOf("SingleAppRoleAssignment([appRoleAssignments])", {})).toBeNull();
    expect(valueOf("AppRoleAssignmentsComplex([appRoleAssignments])", {})).toBeNull();
  });
});

describe("dates", () => {
  it("CDate accepts ISO 8601, US and month-name forms; no zone means UTC", () => {
    expect(valueOf('CDate("2021-08-24")')).toBe("8/24/2021 12:00:00 AM");
    expect(valueOf('CDate("2021-08-24T13:05:09.1234567Z")')).toBe("8/24/2021 1:05:09 PM");
    expect(valueOf('CDate("2021-08-24 23:59:59+0530")')).toBe("8/24/2021 6:29:59 PM");
    expect(valueOf('CDate("8/25/2021 5:41:18 PM")')).toBe("8/25/2021 5:41:18 PM");
    expect(valueOf('CDate("January 1, 2012 11:00 PM")')).toBe("1/1/2012 11:00:00 PM");
    expect(valueOf('CDate("Sun, 01 Jan 2012 23:00:00 GMT")')).toBe("1/1/2012 11:00:00 PM");
    expect(valueOf("CDate([a])", {})).toBeNull();
  });
  it("CDate of something that is not a date is an error (compile time for constants)", () => {
    expect(compileError('CDate("2021-02-30")').code).toBe("invalid-argument");
    expect(evalError("CDate([a])", { a: "soon" }).reason).toMatch(/is not a date/);
  });
  it("DateAdd clamps to the end of month and knows every VB interval", () => {
    expect(valueOf('DateAdd("m", 1, "2021-01-31")')).toBe("2/28/2021 12:00:00 AM");
    expect(valueOf('DateAdd("yyyy", 1, "2020-02-29")')).toBe("2/28/2021 12:00:00 AM");
    expect(valueOf('DateAdd("q", 1, "2021-01-15")')).toBe("4/15/2021 12:00:00 AM");
    expect(valueOf('DateAdd("h", 25, "2021-01-15")')).toBe("1/16/2021 1:00:00 AM");
    expect(valueOf('DateAdd("n", -1, "2021-01-15")')).toBe("1/14/2021 11:59:00 PM");
    expect(valueOf('DateAdd("s", 61, "2021-01-15")')).toBe("1/15/2021 12:01:01 AM");
    expect(valueOf('DateAdd("D", 1, "2021-01-15")')).toBe("1/16/2021 12:00:00 AM");
    const e = compileError('DateAdd("days", 1, CDate([x]))');
    expect(e.column).toBe(9);
    expect(e.reason).toMatch(/interval "days"/);
  });
  it("DateDiff counts like VB (truncated spans; calendar months/years; Sunday week boundaries)", () => {
    expect(valueOf('DateDiff("d", "2021-01-01T12:00:00Z", "2021-01-02T11:00:00Z")')).toBe("0");
    expect(valueOf('DateDiff("m", "2021-01-31", "2021-02-01")')).toBe("1");
    expect(valueOf('DateDiff("yyyy", "2021-12-31", "2022-01-01")')).toBe("1");
    expect(valueOf('DateDiff("ww", "2021-08-21", "2021-08-22")')).toBe("1"); // Saturday → Sunday
    expect(valueOf('DateDiff("w", "2021-08-21", "2021-08-22")')).toBe("0");
    expect(valueOf('DateDiff("q", "2021-03-31", "2021-04-01")')).toBe("1");
  });
  it("DateFromNum / NumFromDate are inverse on the AD epoch", () => {
    expect(valueOf('DateFromNum("0")')).toBe("1/1/1601 12:00:00 AM");
    expect(valueOf('NumFromDate("2012-01-01T23:00:00Z")')).toBe("129699324000000000");
    expect(valueOf('NumFromDate(CDate("1/1/2012 11:00:00 PM"))')).toBe("129699324000000000");
    expect(compileError('DateFromNum("9223372036854775807")').reason).toMatch(/outside the range/);
  });
  it("FormatDateTime: .NET custom and standard formats", () => {
    const f = (value: string, input: string, output: string, styles = ""): string | string[] | null =>
      valueOf(`FormatDateTime([d], ${styles ? `"${styles}"` : ""}, "${input}", "${output}")`, { d: value });
    expect(f("20150123105347.1Z", "yyyyMMddHHmmss.fZ", "yyyy-MM-ddTHH:mm:ss.fffK")).toBe("2015-01-23T10:53:47.100Z");
    expect(f("2021-12-31-08:00", "yyyy-MM-ddzzz", "yyyy-MM-dd HH:mm zzz")).toBe("2021-12-31 08:00 +00:00");
    expect(f("12/31/2021 11:30:00 PM", "M/d/yyyy hh:mm:ss tt", "dddd, MMMM d, yyyy")).toBe("Friday, December 31, 2021");
    expect(f("31.12.2021", "dd.MM.yyyy", "o")).toBe("2021-12-31T00:00:00.0000000");
    expect(f("31.12.2021", "dd.MM.yyyy", "d")).toBe("12/31/2021");
    expect(f("31.12.2021", "dd.MM.yyyy", "MMM yy 'Q'")).toBe("Dec 21 Q");
    expect(f("  31.12.2021 ", "dd.MM.yyyy", "yyyy")).toBe("2021");
    expect(f("5:07 PM", "h:mm tt", "HH\\\\hmm")).toBe("17h07");
    expect(valueOf('FormatDateTime([d], , "HH:mm", "yyyy-MM-dd HH:mm")', { d: "08:30" }, { now: fixedClock("2024-02-29T12:00:00Z") })).toBe("2024-02-29 08:30");
    expect(evalError('FormatDateTime([d], , "yyyy-MM-dd", "yyyy")', { d: "31.12.2021" }).reason).toMatch(/does not match inputFormat/);
    expect(compileError('FormatDateTime([d], , "yyyy-MM-dd", "x")').column).toBe(37);
    expect(compileError('FormatDateTime([d], "Sometimes", "yyyy-MM-dd", "yyyy")').reason).toMatch(/DateTimeStyles/);
    expect(valueOf('FormatDateTime([d], , "yyyy", "yyyy")', {})).toBeNull();
  });
  it("Now uses the injected clock", () => {
    expect(valueOf("Now()", {}, { now: fixedClock("2000-02-29T00:00:01.999Z") })).toBe("2/29/2000 12:00:01 AM");
  });
});

describe("generators", () => {
  it("Guid is a version-4 GUID from the injected random source", () => {
    const a = valueOf("Guid()", {}, { random: seededRandom(1) });
    const b = valueOf("Guid()", {}, { random: seededRandom(1) });
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a).toBe(b);
    expect(valueOf("Guid()", {}, { random: seededRandom(2) })).not.toBe(a);
  });
  it("RandomString honours the minimums and CharactersToAvoid", () => {
    for (let seed = 1; seed < 50; seed++) {
      const s = valueOf('RandomString(10,2,2,2,1,"?,")', {}, { random: seededRandom(seed) }) as string;
      expect(s).toHaveLength(10);
      expect(s.replace(/[^0-9]/g, "").length).toBeGreaterThanOrEqual(2);
      expect(s.replace(/[0-9A-Za-z]/g, "").length).toBeGreaterThanOrEqual(2);
      expect(s.replace(/[^A-Z]/g, "").length).toBeGreaterThanOrEqual(2);
      expect(s.replace(/[^a-z]/g, "").length).toBeGreaterThanOrEqual(1);
      expect(s).not.toMatch(/[?,]/);
      const t = valueOf("RandomString(6,3,0,0,3)", {}, { random: seededRandom(seed) }) as string;
      expect(t).toMatch(/^(?=(?:.*\d){3})(?=(?:.*[a-z]){3})[0-9a-z]{6}$/);
    }
  });
  it("RandomString requests that can never work are compile-time errors", () => {
    expect(compileError("RandomString(3,2,2,0,0)").reason).toMatch(/less than the sum/);
    expect(compileError("RandomString(300,0,0,0,0)").reason).toMatch(/at most 256/);
    expect(compileError('RandomString(4,2,0,0,0,"0123456789")').reason).toMatch(/removes every digit/);
  });
  it("Redact returns the value unchanged", () => {
    expect(valueOf("Redact(RandomString(6,3,0,0,3))", {}, { random: seededRandom(3) })).toHaveLength(6);
  });
  it("SelectUniqueValue: first non-empty free rule; all taken gives NULL", () => {
    const e = 'SelectUniqueValue([a], [b], "c")';
    expect(valueOf(e, { b: "B" })).toBe("B");
    expect(valueOf(e, { a: "A", b: "B" }, { isValueUnique: (v) => v === "c" })).toBe("c");
    expect(valueOf(e, { a: "A" }, { isValueUnique: () => false })).toBeNull();
  });
  it("DefaultDomain comes from the compile options", () => {
    expect(valueOf("DefaultDomain()")).toBeNull();
    expect(valueOf('Join("@", [u], DefaultDomain())', { u: "x" }, { defaultDomain: "contoso.com" })).toBe("x@contoso.com");
  });
});

describe("compilation", () => {
  it("folds constant sub-expressions once", () => {
    const c = compileExpression(parseExpression('ToUpper(Join("-", "a", "b"))'));
    expect(c({})).toEqual({ value: "A-B", flows: true });
  });
  it("does not fold clocks or randomness", () => {
    let t = Date.parse("2020-01-01T00:00:00Z");
    const c = compileExpression(parseExpression("Now()"), { now: () => new Date((t += 1000)) });
    expect(c({}).value).toBe("1/1/2020 12:00:01 AM");
    expect(c({}).value).toBe("1/1/2020 12:00:02 AM");
  });
  it("evaluation errors carry the position of the failing call and the text", () => {
    const e = evalError('Join(" ", CDate([a]))', { a: "nope" });
    expect(e.code).toBe("evaluation");
    expect(e.column).toBe(11);
    expect(e.format()).toContain('Join(" ", CDate([a]))');
  });
  it("checks hand-built trees like the parser does", () => {
    expect(() => compileExpression({ kind: "call", name: "Mid", args: [], start: 0, end: 0 })).toThrow(/Mid takes 3 arguments/);
    expect(() => compileExpression({ kind: "call", name: "Nope", args: [], start: 0, end: 0 })).toThrow(/unknown function/);
  });
});
