// Date functions: CDate, DateAdd, DateDiff, DateFromNum, FormatDateTime, Now, NumFromDate.
// Results render as `M/d/yyyy h:mm:ss tt` in UTC, like the engine.

import { parseBigInteger, type Value } from "../values";
import { constantString, given, int, str } from "./args";
import {
  dateAdd,
  dateDiff,
  type DateInterval,
  type DateParseStyles,
  type DateTimeValue,
  DATE_INTERVALS,
  DEFAULT_DATE_STYLES,
  FILETIME_EPOCH_TICKS,
  type FormatToken,
  formatDate,
  formatEntraDate,
  fromJsDate,
  inRange,
  parseDateExact,
  parseDateStyles,
  parseDateTime,
  parseInterval,
  tokenizeDateFormat,
} from "./datetime";
import { type CompiledArgument, type CompileContext, eager, type Fail, type FunctionImplementation } from "./types";
import type { CallExpr } from "../ast";

const DATE_HINT = "dates are ISO 8601 (2020-03-16, 2009-06-15T01:45:30-07:00) or M/d/yyyy h:mm:ss tt";

function toDate(v: Value | undefined, name: string, fail: Fail): DateTimeValue | null {
  const s = str(v);
  if (s === null) return null;
  const d = parseDateTime(s);
  if (d === undefined) return fail(`${name} "${s}" is not a date`, DATE_HINT);
  return d;
}

function toInterval(v: Value | undefined, fail: Fail): DateInterval | null {
  const s = str(v);
  if (s === null) return null;
  const interval = parseInterval(s);
  if (interval === undefined) return fail(`interval "${s}" is not one of ${DATE_INTERVALS.join(", ")}`);
  return interval;
}

/** Compile-time check of a constant interval argument, located at the argument. */
function checkInterval(arg: CompiledArgument | undefined, call: CallExpr, ctx: CompileContext): void {
  const constant = constantString(arg);
  if (arg && typeof constant === "string" && parseInterval(constant) === undefined) {
    throw ctx.error(arg.node, `${call.name}: interval "${constant}" is not one of ${DATE_INTERVALS.join(", ")}`, 'e.g. "d" for days, "m" for months, "yyyy" for years');
  }
}

const CDate = eager(([v], fail) => {
  const d = toDate(v, "expression", fail);
  return d === null ? null : formatEntraDate(d);
});

const DateAdd: FunctionImplementation = {
  foldable: true,
  compile(call, args, ctx) {
    checkInterval(args[0], call, ctx);
    return eager(([interval, value, dateTime], fail) => {
      const i = toInterval(interval, fail);
      const n = int(value, "value", fail);
      const d = toDate(dateTime, "dateTime", fail);
      if (i === null || n === null || d === null) return null;
      const result = dateAdd(i, n, d);
      if (result === undefined) return fail("the result is outside the range of dates (years 1 to 9999)");
      return formatEntraDate(result);
    }).compile(call, args, ctx);
  },
};

const DateDiff: FunctionImplementation = {
  foldable: true,
  compile(call, args, ctx) {
    checkInterval(args[0], call, ctx);
    return eager(([interval, date1, date2], fail) => {
      const i = toInterval(interval, fail);
      const d1 = toDate(date1, "date1", fail);
      const d2 = toDate(date2, "date2", fail);
      if (i === null || d1 === null || d2 === null) return null;
      return dateDiff(i, d1, d2).toString();
    }).compile(call, args, ctx);
  },
};

const DateFromNum = eager(([v], fail) => {
  const s = str(v);
  if (s === null) return null;
  const n = parseBigInteger(s);
  if (n === undefined) return fail(`value must be an integer (100-ns intervals since 1601-01-01), got "${s}"`);
  const ticks = FILETIME_EPOCH_TICKS + n;
  if (n < 0n || !inRange(ticks)) return fail(`value ${s} is outside the range of dates`);
  return formatEntraDate({ ticks, kind: "Utc" });
});

const NumFromDate = eager(([v], fail) => {
  const d = toDate(v, "value", fail);
  if (d === null) return null;
  if (d.ticks < FILETIME_EPOCH_TICKS) return fail("dates before 1601-01-01 have no AD integer form");
  return (d.ticks - FILETIME_EPOCH_TICKS).toString();
});

const Now: FunctionImplementation = {
  foldable: false,
  compile(_call, _args, ctx) {
    return () => formatEntraDate(fromJsDate(ctx.now()));
  },
};

type Prepared<T> = { constant: true; value: T } | { constant: false };

function prepare<T>(
  arg: CompiledArgument | undefined,
  call: CallExpr,
  ctx: CompileContext,
  what: string,
  parse: (s: string) => T,
): Prepared<T> {
  if (!given(arg)) return { constant: false };
  const s = constantString(arg);
  if (s === undefined || s === null) return { constant: false };
  try {
    return { constant: true, value: parse(s) };
  } catch (e) {
    throw ctx.error(arg.node, `${call.name}: invalid ${what}: ${(e as Error).message}`, "see .NET custom date and time format strings");
  }
}

/** Functions whose result is a DateTime (rendered M/d/yyyy h:mm:ss tt). */
const DATE_VALUED_FUNCTIONS: readonly string[] = ["CDate", "DateAdd", "DateFromNum", "Now"];

const FormatDateTime: FunctionImplementation = {
  foldable: true,
  compile(call, args, ctx) {
    // 3 arguments: (source, inputFormat, outputFormat); 4: (source, dateTimeStyles, inputFormat, outputFormat).
    const threeArguments = args.length === 3;
    const first = args[0]?.node;
    const sourceIsDateTime = first?.kind === "call" && DATE_VALUED_FUNCTIONS.includes(first.name);
    const at = (i4: number): number => (threeArguments ? i4 - 1 : i4);
    const styles = threeArguments ? ({ constant: false } as const) : prepare(args[1], call, ctx, "dateTimeStyles", parseDateStyles);
    const input = prepare(args[at(2)], call, ctx, "inputFormat", tokenizeDateFormat);
    const output = prepare(args[at(3)], call, ctx, "outputFormat", tokenizeDateFormat);
    const today = (): DateTimeValue => fromJsDate(ctx.now());
    return eager((values, fail) => {
      const [source, stylesValue, inputFormat, outputFormat] = threeArguments ? [values[0], undefined, values[1], values[2]] : values;
      const s = str(source);
      if (s === null) return null;
      const runtime = <T>(p: Prepared<T>, v: Value | undefined, what: string, parse: (x: string) => T, fallback?: T): T => {
        if (p.constant) return p.value;
        const text = str(v);
        if (text === null) {
          if (fallback !== undefined) return fallback;
          return fail(`${what} is NULL`);
        }
        try {
          return parse(text);
        } catch (e) {
          return fail(`invalid ${what}: ${(e as Error).message}`);
        }
      };
      const st: DateParseStyles = runtime(styles, stylesValue, "dateTimeStyles", parseDateStyles, DEFAULT_DATE_STYLES);
      const inTokens: FormatToken[] = runtime(input, inputFormat, "inputFormat", tokenizeDateFormat);
      const outTokens: FormatToken[] = runtime(output, outputFormat, "outputFormat", tokenizeDateFormat);
      // A DateTime from CDate/DateAdd/… is used as it is: "DateTime … can be used within date functions
      // such as FormatDateTime and DateAdd" (CDate entry, graph-sync.md §13.3); inputFormat only parses strings.
      const d = sourceIsDateTime ? parseDateTime(s) : parseDateExact(s, inTokens, st, today);
      if (d === undefined) return fail(`"${s}" does not match inputFormat "${str(inputFormat)}"`);
      return formatDate(d, outTokens);
    }).compile(call, args, ctx);
  },
};

export const DATE_FUNCTIONS: Readonly<Record<string, FunctionImplementation>> = {
  CDate,
  DateAdd,
  DateDiff,
  DateFromNum,
  FormatDateTime,
  Now,
  NumFromDate,
};
