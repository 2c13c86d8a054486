// Unit tests of the building blocks: .NET regex translation, .NET dates, the lint.
import { describe, expect, it } from "vitest";
import { lintExpression, parseExpression } from "../../src/expression";
import { compileDotNetRegex, compileReplacement, translateDotNetRegex } from "../../src/expression/functions/dotnet-regex";
import {
  dateDiff,
  formatDate,
  formatEntraDate,
  parseDateExact,
  parseDateStyles,
  parseDateTime,
  tokenizeDateFormat,
  DEFAULT_DATE_STYLES,
} from "../../src/expression/functions/datetime";

describe(".NET regex translation", () => {
  const matches = (pattern: string, input: string): string[] => {
    const { regex } = compileDotNetRegex(pattern);
    return [...input.matchAll(regex)].map((m) => m[0]);
  };
  it("keeps .NET meanings", () => {
    expect(matches("\\d+", "a12٣4")).toEqual(["12٣4"]);
    expect(matches("\\w+", "héllo_wörld!")).toEqual(["héllo_wörld"]);
    expect(matches(".", "a\r\n")).toEqual(["a", "\r"]);
    expect(matches("a$", "a\n")).toEqual(["a"]);
    expect(matches("\\Aa", "aa")).toEqual(["a"]);
    expect(matches("a\\z", "a\n")).toEqual([]);
    expect(matches("a\\Z", "a\n")).toEqual(["a"]);
    expect(matches("(?i)abc", "ABC")).toEqual(["ABC"]);
    expect(matches("(?s)a.b", "a\nb")).toEqual(["a\nb"]);
    expect(matches("(?x) a b # comment", "ab")).toEqual(["ab"]);
    expect(matches("a{2}", "aaa")).toEqual(["aa"]);
    expect(matches("{x}", "{x}")).toEqual(["{x}"]);
    expect(matches("x]", "x]")).toEqual(["x]"]);
    expect(matches("\\#\\@\\-", "#@-")).toEqual(["#@-"]);
    expect(matches("[\\d-]+", "1-2")).toEqual(["1-2"]);
    expect(matches("(?#note)b", "ab")).toEqual(["b"]);
    expect(matches("(?>a+)b", "aab")).toEqual(["aab"]);
    expect(matches("\\x41\\u0042\\0", "AB\0")).toEqual(["AB\0"]);
    expect(matches("(?'n'a)\\k<n>", "aa")).toEqual(["aa"]);
  });
  it("records named groups", () => {
    expect(translateDotNetRegex("\\+(?<isdCode>\\d* )(?<phoneNumber>\\d{10})")).toMatchObject({ groupNames: ["isdCode", "phoneNumber"], groupCount: 2 });
  });
  it.each([
    ["\\G", /\\G/],
    ["[a-z-[aeiou]]", /subtraction/],
    ["(?(x)a|b)", /conditional/],
    ["\\p{IsGreek}", /block/],
    ["(?<1>a)", /group names/],
    ["(?n)a", /explicit-capture/],
    ["\\q", /unrecognized escape/],
    ["(", /./],
    ["[abc", /unterminated character class/],
    ["a\\", /lone backslash/],
  ])("rejects %s", (pattern, message) => {
    expect(() => compileDotNetRegex(pattern)).toThrow(message);
  });
  it("replacement patterns", () => {
    const { regex, translated } = compileDotNetRegex("(?<a>x)(y)");
    const apply = (template: string): string => "-xy-".replace(regex, (...args) => {
      const m = Object.assign([...args.slice(0, 3)], { index: args[3] as number, input: "-xy-", groups: args[5] }) as unknown as RegExpExecArray;
      return compileReplacement(template, translated)(m, "-xy-");
    });
    expect(apply("${a}|$1|$2|$0|$&|$$|$`|$'|$+|$_|${zz}|$9")).toBe("-x|x|y|xy|xy|$|-|-|y|-xy-|${zz}|$9-");
  });
});

describe(".NET dates", () => {
  it("renders M/d/yyyy h:mm:ss tt", () => {
    const d = parseDateTime("2021-01-01T00:05:09Z");
    expect(d && formatEntraDate(d)).toBe("1/1/2021 12:05:09 AM");
    const n = parseDateTime("2021-01-01T12:00:00Z");
    expect(n && formatEntraDate(n)).toBe("1/1/2021 12:00:00 PM");
  });
  it("rejects what is not a date", () => {
    for (const s of ["", "2021-13-01", "2021-02-29", "24:00", "1/1/21", "tomorrow", "2021-01-01T25:00", "2021-01-01+15:00", "13/1/2021 1:00 PM"]) {
      expect(parseDateTime(s), s).toBeUndefined();
    }
    expect(parseDateTime("2020-02-29")).toBeDefined();
  });
  it("custom formats round trip", () => {
    const tokens = tokenizeDateFormat("yyyy-MM-ddTHH:mm:ss.fffffffK");
    const d = parseDateExact("2021-03-04T05:06:07.1234567Z", tokens, DEFAULT_DATE_STYLES, () => ({ ticks: 0n, kind: "Utc" }));
    expect(d && formatDate(d, tokens)).toBe("2021-03-04T05:06:07.1234567Z");
    expect(d && formatDate(d, tokenizeDateFormat("ddd dd MMM yy h tt F FF"))).toBe("Thu 04 Mar 21 5 AM 1 12");
    expect(d && formatDate(d, tokenizeDateFormat("s.FFF"))).toBe("7.123");
    expect(() => tokenizeDateFormat("x")).toThrow(/standard date format/);
    expect(() => tokenizeDateFormat("'open")).toThrow(/unterminated/);
    expect(() => parseDateStyles("Nope")).toThrow(/unknown DateTimeStyles/);
  });
  it("DateDiff weeks count Sunday boundaries", () => {
    const a = parseDateTime("2021-08-25 17:41:18");
    const b = parseDateTime("2012-03-16-07:00");
    if (!a || !b) throw new Error();
    expect(dateDiff("ww", a, b)).toBe(-493n);
    expect(dateDiff("d", a, b)).toBe(-3449n);
  });
});

describe("lintExpression", () => {
  const codes = (text: string): string[] => lintExpression(parseExpression(text)).map((d) => d.code);
  it("flags what the documentation calls unsupported", () => {
    expect(codes('IIF(IsPresent([country]),[country],"Other")')).toEqual(["iif-presence-condition"]);
    expect(codes('IIF([country]="","Other",[country])')).toEqual(["iif-empty-comparison"]);
    expect(codes('Switch(IsPresent([a]), [a], "True", "x")')).toEqual(["switch-presence-source"]);
    expect(codes('Join(",", SelectUniqueValue([a], [b]))')).toEqual(["select-unique-nested", "select-unique-scim"]);
    expect(codes('Replace([a], "x", , , "y", , "t")')).toEqual(["replace-ignored-argument"]);
    expect(codes("Prepend(\"x\", [a])")).toEqual(["engine-only-function"]);
    expect(codes('Switch([IsSoftDeleted], , "False", "True", "True", "False")')).toEqual([]);
  });
  it("positions point at the offending node", () => {
    const [d] = lintExpression(parseExpression('IIF(IsPresent([country]),[country],"Other")'));
    expect(d).toMatchObject({ severity: "warning", offset: 4, end: 24 });
  });
});
