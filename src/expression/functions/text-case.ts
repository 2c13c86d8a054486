// Case conversion with .NET semantics: simple (one character → one character) case mapping,
// invariant culture unless a culture is given, and TextInfo.ToTitleCase word rules for PCase.

const ASCII = /^[\x00-\x7F]*$/;

function mapCodePoints(s: string, map: (ch: string) => string): string {
  let out = "";
  for (const ch of s) {
    const mapped = map(ch);
    // .NET maps every UTF-16 unit to exactly one unit; keep characters whose JS mapping expands.
    out += mapped.length === ch.length ? mapped : ch === "\u0130" ? "i" : ch;
  }
  return out;
}

const lowerCache = new Map<string, string>();
const upperCache = new Map<string, string>();
function cached(cache: Map<string, string>, ch: string, compute: (c: string) => string): string {
  let v = cache.get(ch);
  if (v === undefined) {
    v = compute(ch);
    if (cache.size < 4096) cache.set(ch, v);
  }
  return v;
}

/** Canonical BCP 47 form of an RFC 4646 culture name, or undefined when it is not one. */
export function canonicalCulture(culture: string): string | undefined {
  if (!/^[A-Za-z]{2,8}(?:[-_][A-Za-z0-9]{1,8})*$/.test(culture)) return undefined;
  try {
    return Intl.getCanonicalLocales(culture.replace(/_/g, "-"))[0];
  } catch {
    return undefined;
  }
}

/** ToLower: invariant culture (culture undefined) or the given canonical culture. */
export function toLower(s: string, culture?: string): string {
  if (culture === undefined) {
    if (ASCII.test(s)) return s.toLowerCase();
    return mapCodePoints(s, (ch) => cached(lowerCache, ch, (c) => c.toLowerCase()));
  }
  return mapCodePoints(s, (ch) => ch.toLocaleLowerCase(culture));
}

/** ToUpper: invariant culture (culture undefined) or the given canonical culture. */
export function toUpper(s: string, culture?: string): string {
  if (culture === undefined) {
    if (ASCII.test(s)) return s.toUpperCase();
    return mapCodePoints(s, (ch) => cached(upperCache, ch, (c) => c.toUpperCase()));
  }
  return mapCodePoints(s, (ch) => ch.toLocaleUpperCase(culture));
}

// Title-case forms of the Latin digraph letters (the only letters whose title case differs from upper case
// in common use).
const TITLE_CASE: Record<string, string> = {
  "\u01C4": "\u01C5",
  "\u01C5": "\u01C5",
  "\u01C6": "\u01C5",
  "\u01C7": "\u01C8",
  "\u01C8": "\u01C8",
  "\u01C9": "\u01C8",
  "\u01CA": "\u01CB",
  "\u01CB": "\u01CB",
  "\u01CC": "\u01CB",
  "\u01F1": "\u01F2",
  "\u01F2": "\u01F2",
  "\u01F3": "\u01F2",
};
const toTitle = (ch: string): string => TITLE_CASE[ch] ?? toUpper(ch);

const LETTER = /\p{L}/u;
// .NET TextInfo word separators: separators, control/format, punctuation (except the apostrophe,
// which is handled separately) and symbols.
const WORD_SEPARATOR = /[\p{Zs}\p{Zl}\p{Zp}\p{Cc}\p{Cf}\p{Pc}\p{Pd}\p{Ps}\p{Pe}\p{Pi}\p{Pf}\p{Po}\p{Sm}\p{Sc}\p{Sk}\p{So}]/u;

/**
 * PCase without wordSeparators: the text is lower-cased, then .NET TextInfo.ToTitleCase rules upper-case
 * the first letter of each word. A word starts at a letter and runs over letters, digits, marks and
 * apostrophes until a separator (space, punctuation, symbol, control).
 */
export function titleCaseDotNet(s: string): string {
  const lower = toLower(s);
  let out = "";
  const chars = Array.from(lower);
  let i = 0;
  while (i < chars.length) {
    const ch = chars[i] as string;
    if (!LETTER.test(ch)) {
      out += ch;
      i++;
      continue;
    }
    out += toTitle(ch);
    i++;
    while (i < chars.length) {
      const c = chars[i] as string;
      if (LETTER.test(c) || c === "'" || !WORD_SEPARATOR.test(c)) {
        out += c;
        i++;
      } else break;
    }
  }
  return out;
}

/** PCase with wordSeparators: only those characters split words. */
export function titleCaseWithSeparators(s: string, separators: string): string {
  const seps = new Set(Array.from(separators));
  let out = "";
  let atWordStart = true;
  for (const ch of s) {
    if (seps.has(ch)) {
      out += ch;
      atWordStart = true;
    } else {
      out += atWordStart ? toTitle(ch) : toLower(ch);
      atWordStart = false;
    }
  }
  return out;
}
