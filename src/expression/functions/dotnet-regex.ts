// .NET regular expressions on the JavaScript engine.
//
// Patterns in expressions are .NET regexes (named groups `(?<name>…)`, `${name}` in replacements).
// The translation keeps .NET meaning where JavaScript differs: `\d`/`\w` are Unicode, `.` excludes
// only `\n`, `$` also matches before a final `\n`, `\A` `\z` `\Z`, `(?'name'…)`, `(?#comment)`, a
// leading `(?imsx)` option group, literal `{`/`}`/`]` outside quantifiers and classes, escaped
// punctuation. Constructs JavaScript cannot express (`\G`, class subtraction, balancing groups,
// conditionals, RegexOptions.RightToLeft) are rejected with a clear message rather than run with
// other semantics. Atomic groups `(?>…)` run as plain non-capturing groups (same matches on
// everything but pathological backtracking).

export interface TranslatedRegex {
  readonly source: string;
  readonly flags: string;
  /** Names of the named groups, in order. */
  readonly groupNames: readonly string[];
  /** Number of capturing groups (named ones included). */
  readonly groupCount: number;
}

export class RegexTranslationError extends Error {}

const WORD_CLASS_BODY = String.raw`\p{L}\p{Mn}\p{Nd}\p{Pc}`;
const SYNTAX_CHARS = new Set([..."^$\\.*+?()[]{}|/"]);

/** Translates a .NET pattern into a JavaScript `u`-mode pattern. Throws RegexTranslationError. */
export function translateDotNetRegex(pattern: string): TranslatedRegex {
  let i = 0;
  let out = "";
  let flags = "";
  let ignoreWhitespace = false;
  let singleLine = false;
  let multiLine = false;
  const groupNames: string[] = [];
  let groupCount = 0;
  const n = pattern.length;
  const fail = (message: string): never => {
    throw new RegexTranslationError(message);
  };

  // A leading option group such as (?i) or (?im) applies to the whole pattern.
  const leading = /^\(\?([imnsx]+)\)/.exec(pattern);
  if (leading) {
    for (const o of leading[1] as string) {
      if (o === "i") flags += flags.includes("i") ? "" : "i";
      else if (o === "m") multiLine = true;
      else if (o === "s") singleLine = true;
      else if (o === "x") ignoreWhitespace = true;
      else fail("the explicit-capture option (?n) is not supported");
    }
    i = leading[0].length;
  }

  const escapeLiteral = (ch: string, inClass: boolean): string =>
    SYNTAX_CHARS.has(ch) || (inClass && ch === "-") ? `\\${ch}` : ch;

  /** Translates the escape at pattern[i] (a backslash); `inClass` changes a few meanings. */
  const translateEscape = (inClass: boolean): string => {
    const c = pattern[i + 1];
    if (c === undefined) return fail("the pattern ends with a lone backslash");
    i += 2;
    switch (c) {
      case "d":
        return String.raw`\p{Nd}`;
      case "D":
        return String.raw`\P{Nd}`;
      case "w":
        return inClass ? WORD_CLASS_BODY : `[${WORD_CLASS_BODY}]`;
      case "W":
        return inClass ? fail(String.raw`\W inside a character class is not supported; use [^…] instead`) : `[^${WORD_CLASS_BODY}]`;
      case "s":
      case "S":
      case "t":
      case "n":
      case "r":
      case "f":
      case "v":
        return `\\${c}`;
      case "b":
        return inClass ? String.raw`\x08` : String.raw`\b`;
      case "B":
        return inClass ? fail(String.raw`\B inside a character class`) : String.raw`\B`;
      case "e":
        return String.raw`\x1B`;
      case "a":
        return String.raw`\x07`;
      case "A":
        return inClass ? fail(String.raw`\A inside a character class`) : String.raw`(?<![\s\S])`;
      case "z":
        return inClass ? fail(String.raw`\z inside a character class`) : String.raw`(?![\s\S])`;
      case "Z":
        return inClass ? fail(String.raw`\Z inside a character class`) : String.raw`(?=\n?(?![\s\S]))`;
      case "G":
        return fail(String.raw`\G (contiguous match) is not supported`);
      case "x": {
        const hex = /^[0-9A-Fa-f]{2}/.exec(pattern.slice(i));
        if (!hex) return fail(String.raw`\x must be followed by two hex digits`);
        i += 2;
        return `\\x${hex[0]}`;
      }
      case "u": {
        const hex = /^[0-9A-Fa-f]{4}/.exec(pattern.slice(i));
        if (!hex) return fail(String.raw`\u must be followed by four hex digits`);
        i += 4;
        return `\\u${hex[0]}`;
      }
      case "c": {
        const letter = pattern[i];
        if (letter === undefined || !/[A-Za-z]/.test(letter)) return fail(String.raw`\c must be followed by a letter`);
        i += 1;
        return `\\c${letter}`;
      }
      case "p":
      case "P": {
        const m = /^\{([A-Za-z]+)\}/.exec(pattern.slice(i));
        if (!m) return fail(`\\${c} must be followed by a {category}`);
        const category = m[1] as string;
        if (category.startsWith("Is")) return fail(`Unicode block \\${c}{${category}} is not supported; use a character range`);
        i += m[0].length;
        return `\\${c}{${category}}`;
      }
      case "k": {
        const m = /^(?:<([A-Za-z_][A-Za-z0-9_]*)>|'([A-Za-z_][A-Za-z0-9_]*)')/.exec(pattern.slice(i));
        if (!m) return fail(String.raw`\k must be followed by <name>`);
        i += m[0].length;
        return `\\k<${m[1] ?? m[2]}>`;
      }
      case "0": {
        const oct = /^[0-7]{0,2}/.exec(pattern.slice(i))?.[0] ?? "";
        i += oct.length;
        return `\\x${parseInt(`0${oct}`, 8).toString(16).padStart(2, "0")}`;
      }
      default:
        if (c >= "1" && c <= "9") {
          if (inClass) return fail("a back-reference inside a character class");
          let digits = c;
          while (i < n && /[0-9]/.test(pattern[i] as string)) digits += pattern[i++];
          return `\\${digits}`;
        }
        if (/[A-Za-z]/.test(c)) return fail(`unrecognized escape \\${c}`);
        if (/[0-9]/.test(c)) return fail(`unrecognized escape \\${c}`);
        return escapeLiteral(c, inClass);
    }
  };

  const translateClass = (): string => {
    // pattern[i] === "["
    let j = i + 1;
    let body = "";
    let negate = false;
    if (pattern[j] === "^") {
      negate = true;
      j++;
    }
    let first = true;
    for (;;) {
      if (j >= n) return fail("unterminated character class '['");
      const ch = pattern[j] as string;
      if (ch === "]" && !first) break;
      first = false;
      if (ch === "\\") {
        i = j;
        body += translateEscape(true);
        j = i;
        continue;
      }
      if (ch === "-" && pattern[j + 1] === "[") return fail("character class subtraction [a-z-[…]] is not supported");
      if (ch === "[" && pattern[j + 1] === ":") {
        // .NET has no POSIX classes: "[:" is literal.
        body += "\\[";
        j++;
        continue;
      }
      body += ch === "[" || ch === "]" || ch === "/" ? `\\${ch}` : ch;
      j++;
    }
    i = j + 1;
    return `[${negate ? "^" : ""}${body}]`;
  };

  while (i < n) {
    const ch = pattern[i] as string;
    if (ignoreWhitespace) {
      if (/\s/.test(ch)) {
        i++;
        continue;
      }
      if (ch === "#") {
        while (i < n && pattern[i] !== "\n") i++;
        continue;
      }
    }
    switch (ch) {
      case "\\":
        out += translateEscape(false);
        continue;
      case "[":
        out += translateClass();
        continue;
      case ".":
        out += singleLine ? String.raw`[\s\S]` : String.raw`[^\n]`;
        i++;
        continue;
      case "$":
        out += multiLine ? String.raw`(?=\n|(?![\s\S]))` : String.raw`(?=\n?(?![\s\S]))`;
        i++;
        continue;
      case "^":
        out += multiLine ? String.raw`(?<=\n|^)` : "^";
        i++;
        continue;
      case "(": {
        const rest = pattern.slice(i);
        if (!rest.startsWith("(?")) {
          groupCount++;
          out += "(";
          i++;
          continue;
        }
        const comment = /^\(\?#[^)]*\)/.exec(rest);
        if (comment) {
          i += comment[0].length;
          continue;
        }
        const named = /^\(\?(?:<([A-Za-z_][A-Za-z0-9_]*)>|'([A-Za-z_][A-Za-z0-9_]*)')/.exec(rest);
        if (named) {
          const name = (named[1] ?? named[2]) as string;
          if (groupNames.includes(name)) return fail(`group name '${name}' is defined twice`);
          groupNames.push(name);
          groupCount++;
          out += `(?<${name}>`;
          i += named[0].length;
          continue;
        }
        if (/^\(\?(?:<|')[^=!]/.test(rest)) return fail("group names must start with a letter or '_' (numbered and balancing groups are not supported)");
        const simple = /^\(\?(?::|=|!|<=|<!)/.exec(rest);
        if (simple) {
          out += simple[0];
          i += simple[0].length;
          continue;
        }
        if (rest.startsWith("(?>")) {
          out += "(?:";
          i += 3;
          continue;
        }
        const scoped = /^\(\?([imsx]*)(?:-([imsx]*))?:/.exec(rest);
        if (scoped && (scoped[1] || scoped[2])) {
          if (`${scoped[1]}${scoped[2] ?? ""}`.replace(/[i]/g, "") !== "") return fail("only the i option may be scoped: (?i:…)");
          out += scoped[0];
          i += scoped[0].length;
          continue;
        }
        if (rest.startsWith("(?(")) return fail("conditional groups (?(…)…) are not supported");
        return fail(`unsupported group construct '${rest.slice(0, 4)}…'`);
      }
      case "{": {
        const q = /^\{\d+(?:,\d*)?\}/.exec(pattern.slice(i));
        if (q && out.length > 0) {
          out += q[0];
          i += q[0].length;
          continue;
        }
        out += "\\{";
        i++;
        continue;
      }
      case "}":
        out += "\\}";
        i++;
        continue;
      case "]":
        out += "\\]";
        i++;
        continue;
      case "/":
        out += "\\/";
        i++;
        continue;
      default:
        out += ch;
        i++;
    }
  }
  return { source: out, flags, groupNames, groupCount };
}

/** Compiles a .NET pattern to a global, Unicode JS RegExp (with match indices). Throws RegexTranslationError. */
export function compileDotNetRegex(pattern: string): { regex: RegExp; translated: TranslatedRegex } {
  const translated = translateDotNetRegex(pattern);
  try {
    return { regex: new RegExp(translated.source, `${translated.flags}gud`), translated };
  } catch (e) {
    throw new RegexTranslationError((e as Error).message.replace(/^Invalid regular expression: /, ""));
  }
}

// ---------------------------------------------------------------------------------------------
// .NET replacement patterns: $1 ${1} ${name} $$ $& $0 $` $' $+ $_

type ReplacementPart =
  | { readonly type: "text"; readonly text: string }
  | { readonly type: "group"; readonly group: number | string }
  | { readonly type: "whole" }
  | { readonly type: "before" }
  | { readonly type: "after" }
  | { readonly type: "last" }
  | { readonly type: "input" };

export type Replacer = (match: RegExpExecArray, input: string) => string;

/** Compiles a .NET replacement pattern; references to groups that do not exist stay literal, as in .NET. */
export function compileReplacement(replacement: string, translated: TranslatedRegex): Replacer {
  const parts: ReplacementPart[] = [];
  const text = (t: string): void => {
    const last = parts[parts.length - 1];
    if (last && last.type === "text") parts[parts.length - 1] = { type: "text", text: last.text + t };
    else parts.push({ type: "text", text: t });
  };
  let i = 0;
  while (i < replacement.length) {
    const ch = replacement[i] as string;
    if (ch !== "$") {
      text(ch);
      i++;
      continue;
    }
    const next = replacement[i + 1];
    const braced = /^\$\{([A-Za-z_][A-Za-z0-9_]*|\d+)\}/.exec(replacement.slice(i));
    if (braced) {
      const ref = braced[1] as string;
      if (/^\d+$/.test(ref)) {
        const num = Number(ref);
        if (num <= translated.groupCount) parts.push(num === 0 ? { type: "whole" } : { type: "group", group: num });
        else text(braced[0]);
      } else if (translated.groupNames.includes(ref)) parts.push({ type: "group", group: ref });
      else text(braced[0]);
      i += braced[0].length;
      continue;
    }
    if (next !== undefined && /[0-9]/.test(next)) {
      // .NET takes the longest digit run that names an existing group.
      let digits = "";
      let j = i + 1;
      let best = -1;
      let bestEnd = i + 1;
      while (j < replacement.length && /[0-9]/.test(replacement[j] as string)) {
        digits += replacement[j];
        j++;
        if (Number(digits) <= translated.groupCount) {
          best = Number(digits);
          bestEnd = j;
        }
      }
      if (best >= 0) {
        parts.push(best === 0 ? { type: "whole" } : { type: "group", group: best });
        i = bestEnd;
      } else {
        text("$");
        i++;
      }
      continue;
    }
    switch (next) {
      case "$":
        text("$");
        break;
      case "&":
        parts.push({ type: "whole" });
        break;
      case "`":
        parts.push({ type: "before" });
        break;
      case "'":
        parts.push({ type: "after" });
        break;
      case "+":
        parts.push({ type: "last" });
        break;
      case "_":
        parts.push({ type: "input" });
        break;
      default:
        text("$");
        i++;
        continue;
    }
    i += 2;
  }
  if (parts.length === 0) return () => "";
  if (parts.length === 1 && parts[0]?.type === "text") {
    const constant = parts[0].text;
    return () => constant;
  }
  return (m, input) => {
    let out = "";
    for (const part of parts) {
      switch (part.type) {
        case "text":
          out += part.text;
          break;
        case "group": {
          const v = typeof part.group === "number" ? m[part.group] : m.groups?.[part.group];
          out += v ?? "";
          break;
        }
        case "whole":
          out += m[0];
          break;
        case "before":
          out += input.slice(0, m.index);
          break;
        case "after":
          out += input.slice(m.index + m[0].length);
          break;
        case "last": {
          // .NET $+ is the last group by number.
          const last = translated.groupCount;
          out += last > 0 ? (m[last] ?? "") : m[0];
          break;
        }
        case "input":
          out += input;
          break;
      }
    }
    return out;
  };
}
