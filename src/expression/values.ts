// Runtime values. Everything is a string; booleans are "True"/"False"; multi-valued attributes are
// arrays; NULL (attribute absent) is `null` and differs from "".

/** An Entra object as the evaluator sees it: attribute name → value. */
export type SourceRecord = Readonly<Record<string, string | readonly string[] | null | undefined>>;

/** What an expression (or sub-expression) evaluates to. */
export type Value = string | readonly string[] | null;

export interface EvalResult {
  /** The value sent to the target (null = NULL). */
  value: string | string[] | null;
  /** false when IgnoreFlowIfNullOrEmpty dropped the attribute from the flow. */
  flows: boolean;
}

export const TRUE = "True";
export const FALSE = "False";
export const bool = (b: boolean): string => (b ? TRUE : FALSE);

/** A single string from a value: multi-valued values give their first value (NULL when empty). */
export function scalar(v: Value): string | null {
  if (v === null || typeof v === "string") return v;
  return v.length > 0 ? (v[0] as string) : null;
}

/** NULL, or a multi-valued value without values. */
export function isNull(v: Value): boolean {
  return v === null || (typeof v !== "string" && v.length === 0);
}

/** NULL, "", or a multi-valued value without values. */
export function isNullOrEmpty(v: Value): boolean {
  return v === null || v.length === 0;
}

/** The values of a value as a list (NULL → [], a single string → [it]). */
export function valuesOf(v: Value): readonly string[] {
  if (v === null) return [];
  return typeof v === "string" ? [v] : v;
}

/** Normalizes what a SourceRecord holds for an attribute (undefined → NULL). */
export function fromRecord(v: string | readonly string[] | null | undefined): Value {
  return v === undefined ? null : v;
}

/** A Value as the public result shape (arrays copied so callers may keep or modify them). */
export function toResultValue(v: Value): string | string[] | null {
  if (v === null || typeof v === "string") return v;
  return v.slice();
}

const DECIMAL = /^\s*[-+]?[0-9]+\s*$/;
const HEX = /^\s*&H([0-9A-Fa-f]+)\s*$/;
const NUMBER = /^\s*[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?\s*$/;

/** Parses an integer written in decimal or VB hex (`&HFF`). undefined when it is not one. */
export function parseBigInteger(s: string): bigint | undefined {
  if (DECIMAL.test(s)) return BigInt(s.trim());
  const m = HEX.exec(s);
  if (m) {
    return BigInt(`0x${m[1] as string}`);
  }
  return undefined;
}

/** Parses an integer that fits a JS safe integer. undefined when it is not one. */
export function parseInteger(s: string): number | undefined {
  const b = parseBigInteger(s);
  if (b === undefined) return undefined;
  const n = Number(b);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Parses a number (integers, decimals, exponent, VB hex). undefined when it is not one. */
export function parseNumber(s: string): number | undefined {
  if (NUMBER.test(s)) return Number(s.trim());
  const b = parseBigInteger(s);
  return b === undefined ? undefined : Number(b);
}

/**
 * Boolean reading of a value: "True"/"False" (any case) or a number (non-zero = true).
 * undefined for NULL and anything else.
 */
export function toBoolean(v: Value): boolean | undefined {
  const s = scalar(v);
  if (s === null) return undefined;
  const t = s.trim();
  if (t.length === 4 && t.toLowerCase() === "true") return true;
  if (t.length === 5 && t.toLowerCase() === "false") return false;
  const n = parseNumber(t);
  return n === undefined || Number.isNaN(n) ? undefined : n !== 0;
}
