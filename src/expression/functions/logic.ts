// Conditions and NULL handling: comparisons, IIF, Switch, Coalesce, CBool, Not, IsNull, IsNothing,
// IsNullOrEmpty, IsPresent, IsString, IgnoreFlowIfNullOrEmpty, BitAnd.

import type { ComparisonOperator } from "../ast";
import { bool, FALSE, isNull, isNullOrEmpty, parseBigInteger, parseNumber, scalar, toBoolean, TRUE, type Value } from "../values";
import { constantString, str } from "./args";
import { eager, type Evaluator, type FunctionImplementation } from "./types";

/**
 * `left op right`: numeric when both sides are numbers, otherwise ordinal (case-sensitive) string
 * comparison. A NULL operand makes the condition fail: the result is NULL (documented: "if a source
 * attribute in the condition is empty/null, the condition check fails").
 */
export function compileComparison(op: ComparisonOperator, left: Evaluator, right: Evaluator): Evaluator {
  const test = OPERATORS[op];
  return (r) => {
    const a = scalar(left(r));
    if (a === null) return null;
    const b = scalar(right(r));
    if (b === null) return null;
    return test(compareValues(a, b)) ? TRUE : FALSE;
  };
}

const OPERATORS: Record<ComparisonOperator, (c: number) => boolean> = {
  "=": (c) => c === 0,
  "<>": (c) => c !== 0,
  ">": (c) => c > 0,
  ">=": (c) => c >= 0,
  "<": (c) => c < 0,
  "<=": (c) => c <= 0,
};

export function compareValues(a: string, b: string): number {
  if (a === b) return 0;
  const x = parseNumber(a);
  if (x !== undefined) {
    const y = parseNumber(b);
    if (y !== undefined) return x < y ? -1 : x > y ? 1 : 0;
  }
  return a < b ? -1 : 1;
}

const IIF: FunctionImplementation = {
  foldable: true,
  compile(call, args, ctx) {
    const [condition, whenTrue, whenFalse] = args.map((a) => a.evaluate);
    if (!condition || !whenTrue || !whenFalse) throw ctx.error(call, "IIF: missing argument");
    return (r) => {
      const c = toBoolean(condition(r));
      if (c === undefined) return null;
      return c ? whenTrue(r) : whenFalse(r);
    };
  },
};

/** NULL compares like "" in Switch (documented: detect an empty source with a "" key). */
const switchKey = (v: Value): string => scalar(v) ?? "";

const Switch: FunctionImplementation = {
  foldable: true,
  compile(call, args, ctx) {
    const source = args[0]?.evaluate;
    if (!source) throw ctx.error(call, "Switch: missing source");
    const fallback = args[1]?.evaluate ?? null;
    const pairs: { key: (typeof args)[number]; value: Evaluator }[] = [];
    for (let i = 2; i + 1 < args.length; i += 2) {
      const key = args[i] as (typeof args)[number];
      const value = (args[i + 1] as (typeof args)[number]).evaluate;
      if (!key.evaluate || !value) throw ctx.error(call, "Switch: missing key or value");
      pairs.push({ key, value });
    }
    if (pairs.every((p) => constantString(p.key) !== undefined)) {
      // All keys known: one Map lookup per record; the first occurrence of a key wins.
      const table = new Map<string, Evaluator>();
      for (const p of pairs) {
        const k = constantString(p.key) ?? "";
        if (!table.has(k)) table.set(k, p.value);
      }
      if (table.size === 2 && pairs.length === 2) {
        const [[k1, v1], [k2, v2]] = [...table] as [[string, Evaluator], [string, Evaluator]];
        return (r) => {
          const s = switchKey(source(r));
          return s === k1 ? v1(r) : s === k2 ? v2(r) : fallback ? fallback(r) : null;
        };
      }
      return (r) => {
        const hit = table.get(switchKey(source(r)));
        return hit ? hit(r) : fallback ? fallback(r) : null;
      };
    }
    return (r) => {
      const s = switchKey(source(r));
      for (const p of pairs) {
        if (switchKey((p.key.evaluate as Evaluator)(r)) === s) return p.value(r);
      }
      return fallback ? fallback(r) : null;
    };
  },
};

const Coalesce: FunctionImplementation = {
  foldable: true,
  compile(_call, args) {
    const sources = args.map((a) => a.evaluate).filter((e): e is Evaluator => e !== null);
    return (r) => {
      for (const s of sources) {
        const v = s(r);
        if (!isNull(v)) return v;
      }
      return null;
    };
  },
};

const CBool = eager(([v]) => {
  if (v === undefined || isNull(v)) return null;
  return bool(toBoolean(v) === true);
});

const Not = eager(([v]) => {
  const s = str(v);
  return s !== null && s.trim().toLowerCase() === "true" ? FALSE : TRUE;
});

const IsNull = eager(([v]) => bool(v === undefined || isNull(v)));
const IsNullOrEmpty = eager(([v]) => bool(v === undefined || isNullOrEmpty(v)));
const IsPresent = eager(([v]) => bool(v !== undefined && !isNullOrEmpty(v)));
const IsString = eager(([v]) => bool(typeof v === "string"));

const IgnoreFlowIfNullOrEmpty: FunctionImplementation = {
  foldable: false,
  compile(call, args, ctx) {
    const inner = args[0]?.evaluate;
    if (!inner) throw ctx.error(call, "IgnoreFlowIfNullOrEmpty: missing expression");
    const flow = ctx.flow;
    return (r) => {
      const v = inner(r);
      if (isNullOrEmpty(v)) flow.flows = false;
      return v;
    };
  },
};

const BitAnd = eager(([value1, value2], fail) => {
  const a = str(value1);
  const b = str(value2);
  if (a === null || b === null) return null;
  const x = parseBigInteger(a);
  const y = parseBigInteger(b);
  if (x === undefined) return fail(`value1 must be an integer, got "${a}"`);
  if (y === undefined) return fail(`value2 must be an integer, got "${b}"`);
  return (x & y).toString();
});

export const LOGIC_FUNCTIONS: Readonly<Record<string, FunctionImplementation>> = {
  BitAnd,
  CBool,
  Coalesce,
  IgnoreFlowIfNullOrEmpty,
  IIF,
  IsNothing: IsNull,
  IsNull,
  IsNullOrEmpty,
  IsPresent,
  IsString,
  Not,
  Switch,
};
