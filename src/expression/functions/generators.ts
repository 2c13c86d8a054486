// Functions that produce values rather than transform them: Guid, RandomString, Redact,
// SelectUniqueValue, DefaultDomain. Randomness comes from the injectable `random` source.

import { isNullOrEmpty, scalar, type Value } from "../values";
import { given, int, str } from "./args";
import { type CompileContext, type Evaluator, evaluationError, type FunctionImplementation } from "./types";
import type { CallExpr } from "../ast";

const HEX = "0123456789abcdef";

export function randomGuid(random: () => number): string {
  let out = "";
  for (let i = 0; i < 32; i++) {
    let nibble = Math.floor(random() * 16) & 15;
    if (i === 12) nibble = 4; // version 4
    if (i === 16) nibble = 8 | (nibble & 3); // RFC 4122 variant
    out += HEX[nibble];
    if (i === 7 || i === 11 || i === 15 || i === 19) out += "-";
  }
  return out;
}

const Guid: FunctionImplementation = {
  foldable: false,
  compile(_call, _args, ctx) {
    return () => randomGuid(ctx.random);
  },
};

export const RANDOM_STRING_POOLS = {
  numbers: "0123456789",
  special: "!@#$%^&*()-_=+[]{};:,.<>?/~",
  capital: "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
  lower: "abcdefghijklmnopqrstuvwxyz",
} as const;
export const RANDOM_STRING_MAX_LENGTH = 256;

interface RandomStringSpec {
  length: number;
  numbers: number;
  special: number;
  capital: number;
  lower: number;
  avoid: string;
}

/** Checks a RandomString request; returns an error message or undefined. */
function checkRandomString(spec: RandomStringSpec): string | undefined {
  const { length, numbers, special, capital, lower } = spec;
  if ([length, numbers, special, capital, lower].some((n) => n < 0)) return "lengths and minimums must not be negative";
  if (length > RANDOM_STRING_MAX_LENGTH) return `Length is at most ${RANDOM_STRING_MAX_LENGTH}, got ${length}`;
  const sum = numbers + special + capital + lower;
  if (sum > length) return `Length ${length} is less than the sum of the minimums (${sum})`;
  const pools = poolsWithout(spec.avoid);
  if (numbers > 0 && pools.numbers === "") return "CharactersToAvoid removes every digit";
  if (special > 0 && pools.special === "") return "CharactersToAvoid removes every special character";
  if (capital > 0 && pools.capital === "") return "CharactersToAvoid removes every capital letter";
  if (lower > 0 && pools.lower === "") return "CharactersToAvoid removes every lower-case letter";
  if (length > sum && pools.numbers + pools.special + pools.capital + pools.lower === "") return "CharactersToAvoid removes every character";
  return undefined;
}

function poolsWithout(avoid: string): Record<keyof typeof RANDOM_STRING_POOLS, string> {
  const strip = (pool: string): string => [...pool].filter((c) => !avoid.includes(c)).join("");
  return {
    numbers: strip(RANDOM_STRING_POOLS.numbers),
    special: strip(RANDOM_STRING_POOLS.special),
    capital: strip(RANDOM_STRING_POOLS.capital),
    lower: strip(RANDOM_STRING_POOLS.lower),
  };
}

export function randomString(spec: RandomStringSpec, random: () => number): string {
  const pools = poolsWithout(spec.avoid);
  const pick = (pool: string): string => pool[Math.min(pool.length - 1, Math.floor(random() * pool.length))] as string;
  const chars: string[] = [];
  for (let i = 0; i < spec.numbers; i++) chars.push(pick(pools.numbers));
  for (let i = 0; i < spec.special; i++) chars.push(pick(pools.special));
  for (let i = 0; i < spec.capital; i++) chars.push(pick(pools.capital));
  for (let i = 0; i < spec.lower; i++) chars.push(pick(pools.lower));
  const all = pools.numbers + pools.special + pools.capital + pools.lower;
  while (chars.length < spec.length) chars.push(pick(all));
  for (let i = chars.length - 1; i > 0; i--) {
    const j = Math.min(i, Math.floor(random() * (i + 1)));
    [chars[i], chars[j]] = [chars[j] as string, chars[i] as string];
  }
  return chars.join("");
}

const RandomString: FunctionImplementation = {
  foldable: false,
  compile(call, args, ctx) {
    const names = ["Length", "MinimumNumbers", "MinimumSpecialCharacters", "MinimumCapital", "MinimumLowerCase"];
    const evaluators = args.map((a) => a.evaluate);
    const allConstant = args.every((a) => !given(a) || a.isConstant);
    const read = (values: readonly (Value | undefined)[], fail: (m: string) => never): RandomStringSpec => {
      const n = names.map((name, i) => int(values[i], name, fail) ?? 0) as [number, number, number, number, number];
      return { length: n[0], numbers: n[1], special: n[2], capital: n[3], lower: n[4], avoid: str(values[5]) ?? "" };
    };
    if (allConstant) {
      const fail = (m: string): never => {
        throw ctx.error(call, `RandomString: ${m}`);
      };
      const spec = read(args.map((a) => (given(a) ? a.constant : undefined)), fail);
      const problem = checkRandomString(spec);
      if (problem) fail(problem);
      return () => randomString(spec, ctx.random);
    }
    return (r) => {
      const fail = (m: string): never => {
        throw evaluationError(ctx, call, `RandomString: ${m}`);
      };
      const spec = read(evaluators.map((e) => (e ? e(r) : undefined)), fail);
      const problem = checkRandomString(spec);
      if (problem) fail(problem);
      return randomString(spec, ctx.random);
    };
  },
};

const Redact: FunctionImplementation = {
  foldable: true,
  compile(call, args, ctx) {
    const inner = args[0]?.evaluate;
    if (!inner) throw ctx.error(call, "Redact: missing value");
    return inner;
  },
};

const SelectUniqueValue: FunctionImplementation = {
  foldable: false,
  compile(_call: CallExpr, args, ctx: CompileContext) {
    const rules = args.map((a) => a.evaluate).filter((e): e is Evaluator => e !== null);
    return (r) => {
      for (const rule of rules) {
        const v = rule(r);
        if (isNullOrEmpty(v)) continue;
        const s = scalar(v) as string;
        if (!ctx.isValueUnique || ctx.isValueUnique(s)) return s;
      }
      return null;
    };
  },
};

const DefaultDomain: FunctionImplementation = {
  foldable: false,
  compile(_call, _args, ctx) {
    const domain = ctx.defaultDomain;
    return () => domain;
  },
};

export const GENERATOR_FUNCTIONS: Readonly<Record<string, FunctionImplementation>> = {
  DefaultDomain,
  Guid,
  RandomString,
  Redact,
  SelectUniqueValue,
};


