// Argument coercions shared by the function implementations.

import { parseInteger, scalar, type Value } from "../values";
import type { CompiledArgument, Fail } from "./types";

/** A scalar string (first value of a multi-valued value); NULL and omitted → null. */
export function str(v: Value | undefined): string | null {
  return v === undefined ? null : scalar(v);
}

/** An integer argument; NULL/omitted → null; anything else that is not an integer fails. */
export function int(v: Value | undefined, name: string, fail: Fail): number | null {
  const s = str(v);
  if (s === null) return null;
  const n = parseInteger(s);
  if (n === undefined) return fail(`${name} must be an integer, got "${s}"`);
  return n;
}

/** The constant string of an argument known at compile time (undefined when it is not constant or omitted). */
export function constantString(arg: CompiledArgument | undefined): string | null | undefined {
  if (!arg || !arg.isConstant) return undefined;
  return scalar(arg.constant);
}

/** true when the position was written (not empty, not left out). */
export function given(arg: CompiledArgument | undefined): arg is CompiledArgument & { evaluate: NonNullable<CompiledArgument["evaluate"]> } {
  return arg !== undefined && arg.evaluate !== null;
}
