// Replace(source, oldValue, regexPattern, regexGroupName, replacementValue, replacementAttributeName, template)
// with its five documented modes (see replace-mode.ts). Regexes are .NET regexes (dotnet-regex.ts);
// constant patterns and replacements are compiled once, at compile time.

import type { CallExpr } from "../ast";
import { isNullOrEmpty, scalar } from "../values";
import { constantString, given, str } from "./args";
import { compileDotNetRegex, compileReplacement, type Replacer, RegexTranslationError, type TranslatedRegex } from "./dotnet-regex";
import { REPLACE_MODES_HINT, REPLACE_POSITIONS as P, replaceModeOf } from "./replace-mode";
import { type CompiledArgument, type CompileContext, type Evaluator, evaluationError, type FunctionImplementation } from "./types";

interface CompiledRegex {
  readonly regex: RegExp;
  readonly translated: TranslatedRegex;
}

const REGEX_CACHE_LIMIT = 256;
const regexCache = new Map<string, CompiledRegex | string>();

/** Compiles (with a bounded cache) a .NET pattern; returns the error message when it is invalid. */
function regexFor(pattern: string): CompiledRegex | string {
  let hit = regexCache.get(pattern);
  if (hit === undefined) {
    try {
      hit = compileDotNetRegex(pattern);
    } catch (e) {
      if (!(e instanceof RegexTranslationError)) throw e;
      hit = e.message;
    }
    if (regexCache.size >= REGEX_CACHE_LIMIT) regexCache.clear();
    regexCache.set(pattern, hit);
  }
  return hit;
}

/** Resolves a group name (or number) to something `match.indices`/`match.groups` can be read with. */
function groupRef(name: string, translated: TranslatedRegex): string | number | undefined {
  if (/^[0-9]+$/.test(name)) {
    const n = Number(name);
    return n <= translated.groupCount ? n : undefined;
  }
  return translated.groupNames.includes(name) ? name : undefined;
}

/** Calls `onMatch` for every match (empty matches included, like .NET) and stitches the result. */
function replaceEach(input: string, regex: RegExp, onMatch: (m: RegExpExecArray) => string): string {
  regex.lastIndex = 0;
  let out = "";
  let last = 0;
  for (let m = regex.exec(input); m !== null; m = regex.exec(input)) {
    out += input.slice(last, m.index) + onMatch(m);
    last = m.index + m[0].length;
    if (m[0].length === 0) {
      if (regex.lastIndex >= input.length) break;
      const cp = input.codePointAt(regex.lastIndex) ?? 0;
      regex.lastIndex += cp > 0xffff ? 2 : 1;
    }
  }
  return out + input.slice(last);
}

function groupSpan(m: RegExpExecArray, ref: string | number): [number, number] | undefined {
  const indices = m.indices;
  if (!indices) return undefined;
  return typeof ref === "number" ? indices[ref] : indices.groups?.[ref];
}

function groupValue(m: RegExpExecArray, ref: string | number): string | undefined {
  return typeof ref === "number" ? m[ref] : m.groups?.[ref];
}

export const Replace: FunctionImplementation = {
  foldable: true,
  compile(call, args, ctx) {
    const at = (i: number): CompiledArgument | undefined => args[i];
    const mode = replaceModeOf(Array.from({ length: 7 }, (_, i) => given(at(i))));
    if (!mode.ok) throw ctx.error(call, mode.reason, REPLACE_MODES_HINT, "arity");
    const source = at(P.source)?.evaluate;
    if (!source) throw ctx.error(call, "Replace: missing source", undefined, "arity");
    const runtimeFail = (message: string): never => {
      throw evaluationError(ctx, call, `Replace: ${message}`);
    };
    const ev = (i: number): Evaluator => at(i)?.evaluate as Evaluator;

    switch (mode.mode) {
      case "literal": {
        const oldArg = at(P.oldValue) as CompiledArgument;
        if (constantString(oldArg) === "") throw ctx.error(oldArg.node, "Replace: oldValue must not be empty");
        const oldValue = ev(P.oldValue);
        const replacement = ev(P.replacementValue);
        return (r) => {
          const s = scalar(source(r));
          if (s === null) return null;
          const o = scalar(oldValue(r));
          if (o === null || o === "") return s;
          return s.split(o).join(scalar(replacement(r)) ?? "");
        };
      }
      case "template": {
        const oldArg = at(P.oldValue) as CompiledArgument;
        if (constantString(oldArg) === "") throw ctx.error(oldArg.node, "Replace: oldValue must not be empty");
        const oldValue = ev(P.oldValue);
        const template = ev(P.template);
        return (r) => {
          const s = scalar(source(r));
          if (s === null) return null;
          const t = scalar(template(r));
          if (t === null) return null;
          const o = scalar(oldValue(r));
          if (o === null || o === "") return t;
          return t.split(o).join(s);
        };
      }
      default:
        return compileRegexMode(call, mode.mode, args, ctx, source, runtimeFail);
    }
  },
};

function compileRegexMode(
  call: CallExpr,
  mode: "regex" | "regexGroup" | "regexGroupFromAttribute",
  args: readonly CompiledArgument[],
  ctx: CompileContext,
  source: Evaluator,
  runtimeFail: (message: string) => never,
): Evaluator {
  const patternArg = args[P.regexPattern] as CompiledArgument;
  const groupArg = args[P.regexGroupName];
  const replacementArg = args[P.replacementValue];

  // Constant pattern / group / replacement: compile and check now.
  let constantRegex: CompiledRegex | undefined;
  const constantPattern = constantString(patternArg);
  if (constantPattern !== undefined && constantPattern !== null) {
    const compiled = regexFor(constantPattern);
    if (typeof compiled === "string") {
      throw ctx.error(patternArg.node, `Replace: invalid regexPattern: ${compiled}`, "patterns are .NET regular expressions; inside a string \\\\ and a lone \\ are both one backslash (\"\\\\d\" = \"\\d\")");
    }
    constantRegex = compiled;
  }
  let constantGroup: string | number | undefined;
  if (mode !== "regex" && groupArg) {
    const name = constantString(groupArg);
    if (name !== undefined && name !== null && constantRegex) {
      constantGroup = groupRef(name, constantRegex.translated);
      if (constantGroup === undefined) {
        const known = constantRegex.translated.groupNames;
        throw ctx.error(
          groupArg.node,
          `Replace: regexPattern has no group named '${name}'`,
          known.length > 0 ? `groups: ${known.join(", ")}` : "name a group in the pattern with (?<name>…)",
        );
      }
    }
  }
  let constantReplacer: Replacer | undefined;
  if (mode !== "regexGroupFromAttribute" && replacementArg && constantRegex) {
    const text = constantString(replacementArg);
    if (text !== undefined) constantReplacer = compileReplacement(text ?? "", constantRegex.translated);
  }

  const patternEval = patternArg.evaluate as Evaluator;
  const groupEval = groupArg?.evaluate ?? null;
  const replacementEval = replacementArg?.evaluate ?? null;
  const attributeEval = args[P.replacementAttributeName]?.evaluate ?? null;

  const regexAt = (r: Parameters<Evaluator>[0]): CompiledRegex | null => {
    if (constantRegex) return constantRegex;
    const pattern = scalar(patternEval(r));
    if (pattern === null) return null;
    const compiled = regexFor(pattern);
    if (typeof compiled === "string") return runtimeFail(`invalid regexPattern "${pattern}": ${compiled}`);
    return compiled;
  };
  const groupAt = (r: Parameters<Evaluator>[0], re: CompiledRegex): string | number => {
    if (constantGroup !== undefined && re === constantRegex) return constantGroup;
    const name = str(groupEval ? groupEval(r) : null);
    if (name === null) return runtimeFail("regexGroupName is NULL");
    const ref = groupRef(name, re.translated);
    if (ref === undefined) return runtimeFail(`regexPattern has no group named '${name}'`);
    return ref;
  };
  const replacerAt = (r: Parameters<Evaluator>[0], re: CompiledRegex): Replacer => {
    if (constantReplacer && re === constantRegex) return constantReplacer;
    return compileReplacement(str(replacementEval ? replacementEval(r) : null) ?? "", re.translated);
  };

  switch (mode) {
    case "regex":
      return (r) => {
        const s = scalar(source(r));
        if (s === null) return null;
        const re = regexAt(r);
        if (re === null) return s;
        const replacer = replacerAt(r, re);
        return replaceEach(s, re.regex, (m) => replacer(m, s));
      };
    case "regexGroup":
      return (r) => {
        const s = scalar(source(r));
        if (s === null) return null;
        const re = regexAt(r);
        if (re === null) return s;
        const group = groupAt(r, re);
        const replacer = replacerAt(r, re);
        return replaceEach(s, re.regex, (m) => {
          const span = groupSpan(m, group);
          if (!span) return m[0];
          const [gs, ge] = span;
          return s.slice(m.index, gs) + replacer(m, s) + s.slice(ge, m.index + m[0].length);
        });
      };
    case "regexGroupFromAttribute":
      return (r) => {
        const v = source(r);
        if (!isNullOrEmpty(v)) return v;
        const re = regexAt(r);
        if (re === null) return null;
        const group = groupAt(r, re);
        const other = scalar(attributeEval ? attributeEval(r) : null);
        if (other === null) return null;
        re.regex.lastIndex = 0;
        const m = re.regex.exec(other);
        re.regex.lastIndex = 0;
        if (!m) return null;
        return groupValue(m, group) ?? null;
      };
  }
}
