// String functions: Append, Prepend, ConvertToBase64, ConvertToUTF8Hex, CStr, InStr, Join, Left, Mid,
// NormalizeDiacritics, PCase, Split, StripSpaces, ToLower, ToUpper, Trim, Word.

import { scalar, type Value } from "../values";
import { constantString, given, int, str } from "./args";
import { normalizeDiacritics } from "./diacritics";
import { canonicalCulture, titleCaseDotNet, titleCaseWithSeparators, toLower, toUpper } from "./text-case";
import { eager, type Evaluator, evaluationError, type FunctionImplementation, scalarToScalar } from "./types";

/** Concatenation where NULL counts as "" unless both sides are NULL. */
const concat = (a: string | null, b: string | null): string | null => (a === null && b === null ? null : (a ?? "") + (b ?? ""));

const Append = eager(([source, suffix]) => concat(str(source), str(suffix)));
const Prepend = eager(([prefix, source]) => concat(str(prefix), str(source)));

const ConvertToBase64 = scalarToScalar((s) => Buffer.from(s, "utf16le").toString("base64"));
const ConvertToUTF8Hex = scalarToScalar((s) => Buffer.from(s, "utf8").toString("hex").toUpperCase());
const CStr = eager(([v]) => str(v));
const NormalizeDiacritics = scalarToScalar((s) => normalizeDiacritics(s));
const StripSpaces = scalarToScalar((s) => (s.includes(" ") ? s.replaceAll(" ", "") : s));

/**
 * Leading and trailing white space removed; each value of a multi-valued attribute on its own
 * (MicrosoftDocs/entra-docs cloud-sync reference-expressions.md, Trim: `Trim(" Test ")` → "Test";
 * `Trim([proxyAddresses])` trims every value). .NET String.Trim and JS trim agree on Unicode white space.
 */
const Trim: FunctionImplementation = {
  foldable: true,
  compile(call, args, ctx) {
    const a = args[0]?.evaluate;
    if (!a) throw ctx.error(call, `${call.name}: missing argument`);
    return (r) => {
      const v = a(r);
      if (v === null) return null;
      return typeof v === "string" ? v.trim() : v.map((x) => x.trim());
    };
  },
};

type CompareMode = "binary" | "text";
function compareModeOf(s: string | null): CompareMode | undefined {
  if (s === null) return "binary";
  const t = s.trim();
  if (t === "vbBinaryCompare" || t === "0") return "binary";
  if (t === "vbTextCompare" || t === "1") return "text";
  return undefined;
}

const InStr: FunctionImplementation = {
  foldable: true,
  compile(call, args, ctx) {
    const compareArg = args[3];
    const constantMode = constantString(compareArg);
    if (compareArg && constantMode !== undefined && compareModeOf(constantMode) === undefined) {
      throw ctx.error(compareArg.node, `InStr: compareType must be vbBinaryCompare or vbTextCompare, got "${constantMode}"`);
    }
    return eager(([value1, value2, start, compareType], fail) => {
      const s1 = str(value1);
      const s2 = str(value2);
      const from = int(start, "start", fail) ?? 1;
      if (from < 1) fail(`start must be 1 or more, got ${from}`);
      const mode = compareModeOf(str(compareType));
      if (mode === undefined) fail(`compareType must be vbBinaryCompare or vbTextCompare, got "${str(compareType)}"`);
      if (s1 === null || s1.length === 0 || from > s1.length) return "0";
      if (s2 === null || s2.length === 0) return String(from);
      const index = mode === "text" ? toLower(s1).indexOf(toLower(s2), from - 1) : s1.indexOf(s2, from - 1);
      return String(index + 1);
    }).compile(call, args, ctx);
  },
};

const Left = eager(([source, numChars], fail) => {
  const s = str(source);
  const n = int(numChars, "NumChars", fail);
  if (s === null) return "";
  if (n === null || n < 0) return s;
  return s.slice(0, n);
});

const Mid = eager(([source, start, length], fail) => {
  const s = str(source);
  const from = int(start, "start", fail);
  const len = int(length, "length", fail);
  if (from !== null && from < 1) fail(`start is 1-based and must be 1 or more, got ${from}`);
  if (len !== null && len < 0) fail(`length must not be negative, got ${len}`);
  if (s === null || from === null || len === null) return null;
  if (from > s.length) return "";
  return s.slice(from - 1, from - 1 + len);
});

const PCase = eager(([source, wordSeparators]) => {
  const s = str(source);
  if (s === null) return null;
  const seps = str(wordSeparators);
  return seps === null ? titleCaseDotNet(s) : titleCaseWithSeparators(s, seps);
});

function caseFunction(convert: (s: string, culture?: string) => string): FunctionImplementation {
  return {
    foldable: true,
    compile(call, args, ctx) {
      const source = args[0]?.evaluate;
      if (!source) throw ctx.error(call, `${call.name}: missing source`);
      const cultureArg = args[1];
      if (!given(cultureArg)) {
        return (r) => {
          const s = scalar(source(r));
          return s === null ? null : convert(s);
        };
      }
      const constant = constantString(cultureArg);
      if (constant !== undefined) {
        const culture = constant === null || constant === "" ? undefined : canonicalCulture(constant);
        if (constant !== null && constant !== "" && culture === undefined) {
          throw ctx.error(cultureArg.node, `${call.name}: "${constant}" is not an RFC 4646 culture name`, 'write a culture like "en-US" or "tr-TR"');
        }
        return (r) => {
          const s = scalar(source(r));
          return s === null ? null : convert(s, culture);
        };
      }
      const cultureEval = cultureArg.evaluate;
      return (r) => {
        const s = scalar(source(r));
        if (s === null) return null;
        const c = scalar(cultureEval(r));
        if (c === null || c === "") return convert(s);
        const culture = canonicalCulture(c);
        if (culture === undefined) throw evaluationError(ctx, call, `${call.name}: "${c}" is not an RFC 4646 culture name`);
        return convert(s, culture);
      };
    },
  };
}

const Word = eager(([source, wordNumber, delimiters], fail) => {
  const s = str(source);
  const n = int(wordNumber, "WordNumber", fail);
  if (s === null || n === null || n < 1) return "";
  const delims = str(delimiters) ?? "";
  if (delims.length === 0) return n === 1 && s.length > 0 ? s : "";
  const set = new Set(Array.from(delims));
  let count = 0;
  let word = "";
  const flush = (): boolean => {
    if (word.length === 0) return false;
    count++;
    return count === n;
  };
  for (const ch of s) {
    if (set.has(ch)) {
      if (flush()) return word;
      word = "";
    } else word += ch;
  }
  return flush() ? word : "";
});

/** Pushes the non-empty values of `v` (every value of a multi-valued value). */
function pushValues(out: string[], v: Value): void {
  if (v === null) return;
  if (typeof v === "string") {
    if (v.length > 0) out.push(v);
    return;
  }
  for (const item of v) if (item.length > 0) out.push(item);
}

const Join: FunctionImplementation = {
  foldable: true,
  compile(call, args, ctx) {
    const separatorArg = args[0];
    const sources = args.slice(1).map((a) => a.evaluate).filter((e): e is Evaluator => e !== null);
    if (!separatorArg?.evaluate) throw ctx.error(call, "Join: missing separator");
    const constantSeparator = constantString(separatorArg);
    if (constantSeparator !== undefined) {
      const sep = constantSeparator ?? "";
      if (sources.length === 2) {
        const [a, b] = sources as [Evaluator, Evaluator];
        return (r) => {
          const x = a(r);
          const y = b(r);
          if (typeof x === "string" && typeof y === "string") {
            return x.length === 0 ? y : y.length === 0 ? x : x + sep + y;
          }
          const parts: string[] = [];
          pushValues(parts, x);
          pushValues(parts, y);
          return parts.join(sep);
        };
      }
      return (r) => {
        const parts: string[] = [];
        for (const s of sources) pushValues(parts, s(r));
        return parts.join(sep);
      };
    }
    const separator = separatorArg.evaluate;
    return (r) => {
      const sep = scalar(separator(r)) ?? "";
      const parts: string[] = [];
      for (const s of sources) pushValues(parts, s(r));
      return parts.join(sep);
    };
  },
};

const Split = eager(([source, delimiter]) => {
  const s = str(source);
  if (s === null) return null;
  const d = delimiter === undefined ? "," : (str(delimiter) ?? ",");
  const parts = d.length === 0 ? [s] : s.split(d);
  return parts.map((part) => part.trim());
});

export const STRING_FUNCTIONS: Readonly<Record<string, FunctionImplementation>> = {
  Append,
  ConvertToBase64,
  ConvertToUTF8Hex,
  CStr,
  InStr,
  Join,
  Left,
  Mid,
  NormalizeDiacritics,
  PCase,
  Prepend,
  Split,
  StripSpaces,
  ToLower: caseFunction(toLower),
  ToUpper: caseFunction(toUpper),
  Trim,
  Word,
};
