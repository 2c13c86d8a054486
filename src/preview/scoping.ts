/**
 * Scoping filters (graph-sync.md §4.5): clauses of a filter are AND-ed, filters are OR-ed; a user with no
 * filters is in scope. Operator semantics as the portal documentation states them; a clause on a NULL or
 * empty attribute is false (except IS NULL / IS NOT NULL), multi-valued attributes are not supported.
 */
import type { ScopingFilterSpec } from "../spec/schema";

type Attributes = Readonly<Record<string, string | readonly string[] | null | undefined>>;
type Clause = ScopingFilterSpec["clauses"][number];

export interface ClauseFailure {
  filter: string;
  attribute: string;
  operator: string;
  value?: string | string[];
  /** Why the clause is false, for people. */
  reason: string;
}

export interface ScopingResult {
  /** true when the mapping has no scoping filter or one filter's clauses all hold. */
  passed: boolean;
  /** The filter that let the user in. */
  matchedFilter?: string;
  /** When not passed: the first failing clause of each filter. */
  failures: ClauseFailure[];
}

const regexCache = new Map<string, RegExp | null>();
function regex(pattern: string): RegExp | null {
  let re = regexCache.get(pattern);
  if (re === undefined) {
    try {
      re = new RegExp(pattern);
    } catch {
      re = null;
    }
    regexCache.set(pattern, re);
  }
  return re;
}

const INTEGER = /^\s*[-+]?\d+\s*$/;

/** Evaluates one clause; returns null when it holds, else the reason it does not. */
export function clauseFailure(clause: Clause, attributes: Attributes): string | null {
  const raw = attributes[clause.attribute];
  if (Array.isArray(raw)) return `${clause.attribute} is multi-valued; scoping filters do not support multi-valued attributes`;
  const value = (raw ?? null) as string | null;
  const operands = clause.value === undefined ? [] : Array.isArray(clause.value) ? (clause.value as string[]) : [clause.value as string];
  const shown = operands.length === 1 ? JSON.stringify(operands[0]) : JSON.stringify(operands);
  const empty = value === null || value === "";
  const op = clause.operator;
  if (op === "IS NULL") return empty ? null : `${clause.attribute} is ${JSON.stringify(value)}, not empty`;
  if (op === "IS NOT NULL") return empty ? `${clause.attribute} is empty` : null;
  if (empty) return `${clause.attribute} is empty (a clause on an empty attribute is false)`;
  const v = value as string;
  switch (op) {
    case "EQUALS":
      return operands.includes(v) ? null : `${clause.attribute} is ${JSON.stringify(v)}, not ${shown} (case-sensitive)`;
    case "NOT EQUALS":
      return operands.includes(v) ? `${clause.attribute} equals ${JSON.stringify(v)}` : null;
    case "ENDS_WITH":
      return operands.some((o) => v.endsWith(o)) ? null : `${clause.attribute} ${JSON.stringify(v)} does not end with ${shown}`;
    case "Includes":
      return operands.some((o) => v.includes(o)) ? null : `${clause.attribute} ${JSON.stringify(v)} does not include ${shown}`;
    case "&":
      return operands.some((o) => o.includes(v)) ? null : `${clause.attribute} ${JSON.stringify(v)} is not contained in ${shown}`;
    case "!&":
      return operands.some((o) => o.includes(v)) ? `${clause.attribute} ${JSON.stringify(v)} is contained in ${shown}` : null;
    case "IS TRUE":
      return v.trim().toLowerCase() === "true" ? null : `${clause.attribute} is ${JSON.stringify(v)}, not True`;
    case "IS FALSE":
      return v.trim().toLowerCase() === "false" ? null : `${clause.attribute} is ${JSON.stringify(v)}, not False`;
    case "Greater_Than":
    case "Greater_Than_OR_EQUALS": {
      if (!INTEGER.test(v)) return `${clause.attribute} ${JSON.stringify(v)} is not an integer`;
      const n = BigInt(v.trim());
      const ok = operands.some((o) => INTEGER.test(o) && (op === "Greater_Than" ? n > BigInt(o.trim()) : n >= BigInt(o.trim())));
      return ok ? null : `${clause.attribute} ${v} is not ${op === "Greater_Than" ? ">" : "≥"} ${shown}`;
    }
    case "REGEX MATCH":
      return operands.some((o) => regex(o)?.test(v)) ? null : `${clause.attribute} ${JSON.stringify(v)} does not match ${shown}`;
    case "NOT REGEX MATCH":
      return operands.some((o) => regex(o)?.test(v)) ? `${clause.attribute} ${JSON.stringify(v)} matches ${shown}` : null;
    default:
      return `unknown operator ${op}`;
  }
}

export function evaluateScoping(filters: readonly ScopingFilterSpec[], attributes: Attributes): ScopingResult {
  if (!filters.length) return { passed: true, failures: [] };
  const failures: ClauseFailure[] = [];
  for (const filter of filters) {
    let failed: ClauseFailure | undefined;
    for (const clause of filter.clauses) {
      const reason = clauseFailure(clause, attributes);
      if (reason !== null) {
        failed = { filter: filter.name, attribute: clause.attribute, operator: clause.operator, value: clause.value as string | string[] | undefined, reason };
        break;
      }
    }
    if (!failed) return { passed: true, matchedFilter: filter.name, failures: [] };
    failures.push(failed);
  }
  return { passed: false, failures };
}

/** Source attributes the scoping filters read. */
export function scopingAttributes(filters: readonly ScopingFilterSpec[]): string[] {
  return [...new Set(filters.flatMap((f) => f.clauses.map((c) => c.attribute)))];
}
