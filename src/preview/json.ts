/**
 * JSON text without JSON.stringify's walk: the preview's JSON writer assembles each user's line from
 * fragments prepared once per app and the user's own strings, escaped here. Every function returns
 * exactly what JSON.stringify returns for the same value.
 */

/** Characters JSON.stringify escapes (surrogates: only lone ones, so any surrogate takes the slow path). */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** `JSON.stringify(s)` for a string. */
export function jsonString(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`;
}

/**
 * What goes between the quotes of `JSON.stringify(s)`: `s` itself unless it has characters to escape.
 * Writing `"${jsonInner(s)}"` inside a larger template keeps the quotes in the template's own text, so the
 * line is built from fewer pieces (cheaper to flatten when it is written out).
 */
export function jsonInner(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s).slice(1, -1) : s;
}

/** `JSON.stringify(list)` (lists of strings without a walk; anything else through JSON.stringify). */
export function jsonStrings(list: readonly unknown[]): string {
  const n = list.length;
  if (n === 0) return "[]";
  let out = "[";
  for (let i = 0; i < n; i++) {
    const s = list[i];
    if (typeof s !== "string") return JSON.stringify(list);
    out += i ? `,${jsonString(s)}` : jsonString(s);
  }
  return `${out}]`;
}

/** Property keys that JavaScript objects do not keep in insertion order or store as plain data: array indices and `__proto__`. */
export function isOrderSafeKey(key: string): boolean {
  if (key === "__proto__") return false;
  if (/^(?:0|[1-9][0-9]*)$/.test(key) && Number(key) < 4294967295) return false;
  return true;
}
