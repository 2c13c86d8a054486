// Replace has five documented modes, chosen by which of its seven positions are given (§5.2 #35).

export type ReplaceMode =
  /** oldValue + replacementValue: replace every occurrence of oldValue in source. */
  | "literal"
  /** oldValue + template: replace every occurrence of oldValue in template with source. */
  | "template"
  /** regexPattern + replacementValue: regex replace, replacementValue may use ${group}. */
  | "regex"
  /** regexPattern + regexGroupName + replacementValue: replace only the named group of each match. */
  | "regexGroup"
  /** regexPattern + regexGroupName + replacementAttributeName: source if it has a value, else the group of the attribute. */
  | "regexGroupFromAttribute";

export const REPLACE_POSITIONS = {
  source: 0,
  oldValue: 1,
  regexPattern: 2,
  regexGroupName: 3,
  replacementValue: 4,
  replacementAttributeName: 5,
  template: 6,
} as const;

export type ReplaceModeResult = { ok: true; mode: ReplaceMode } | { ok: false; reason: string };

/** `present[i]` tells whether position i was given (not empty and not left out). */
export function replaceModeOf(present: readonly boolean[]): ReplaceModeResult {
  const has = (key: keyof typeof REPLACE_POSITIONS): boolean => present[REPLACE_POSITIONS[key]] === true;
  if (has("oldValue") && has("regexPattern")) {
    return { ok: false, reason: "Replace takes either oldValue or regexPattern, not both" };
  }
  if (has("regexPattern")) {
    if (has("regexGroupName") && has("replacementAttributeName")) return { ok: true, mode: "regexGroupFromAttribute" };
    if (has("regexGroupName") && has("replacementValue")) return { ok: true, mode: "regexGroup" };
    if (has("replacementValue")) return { ok: true, mode: "regex" };
    return {
      ok: false,
      reason: "Replace with regexPattern also needs replacementValue, or regexGroupName with replacementValue or replacementAttributeName",
    };
  }
  if (has("oldValue")) {
    if (has("replacementValue")) return { ok: true, mode: "literal" };
    if (has("template")) return { ok: true, mode: "template" };
    return { ok: false, reason: "Replace with oldValue also needs replacementValue or template" };
  }
  return { ok: false, reason: "Replace needs oldValue or regexPattern" };
}

export const REPLACE_MODES_HINT =
  "modes: Replace(source, oldValue, , , replacementValue, , ) | Replace(source, oldValue, , , , , template) | " +
  "Replace(source, , regexPattern, , replacementValue, , ) | Replace(source, , regexPattern, regexGroupName, replacementValue, , ) | " +
  "Replace(source, , regexPattern, regexGroupName, , [replacementAttribute], )";
