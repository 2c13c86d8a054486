// The contract between the compiler and the function implementations.

import type { Argument, CallExpr, Span } from "../ast";
import { ExpressionError, type ExpressionErrorCode } from "../errors";
import type { SourceRecord, Value } from "../values";

/** A compiled (sub-)expression: one closure per node, built once, run per record. */
export type Evaluator = (record: SourceRecord) => Value;

export interface CompiledArgument {
  readonly node: Argument;
  /** null when the position was left empty (parameter omitted) or left out at the end. */
  readonly evaluate: Evaluator | null;
  /** true when the value is known at compile time (a literal or a folded constant call). */
  readonly isConstant: boolean;
  /** The value when isConstant (null otherwise). */
  readonly constant: Value;
}

export interface CompileContext {
  readonly now: () => Date;
  readonly random: () => number;
  readonly defaultDomain: string | null;
  readonly isValueUnique: ((value: string) => boolean) | undefined;
  /** Set to false by IgnoreFlowIfNullOrEmpty while an evaluation runs. */
  readonly flow: { flows: boolean };
  /** An ExpressionError located at `node` (code "invalid-argument" at compile time by default). */
  error(node: Span, message: string, hint?: string, code?: ExpressionErrorCode): ExpressionError;
}

export interface FunctionImplementation {
  /**
   * Builds the evaluator of one call. `args` has one entry per parameter position the call wrote (omitted
   * positions have `evaluate: null`). Throws ExpressionError for constant arguments that can never work.
   */
  compile(call: CallExpr, args: readonly CompiledArgument[], ctx: CompileContext): Evaluator;
  /** false for functions that must not be folded into a constant at compile time (Now, Guid, …). */
  readonly foldable: boolean;
}

/** Raises an evaluation error (bad runtime input) at a call. */
export function evaluationError(ctx: CompileContext, call: CallExpr, message: string, hint?: string): ExpressionError {
  return ctx.error(call, message, hint, "evaluation");
}

export type Fail = (message: string, hint?: string) => never;

/**
 * A function whose arguments are all evaluated before it runs (most functions). `impl` receives the values
 * (undefined for omitted positions) and `fail` for evaluation errors located at the call.
 */
export function eager(impl: (values: readonly (Value | undefined)[], fail: Fail) => Value): FunctionImplementation {
  return {
    foldable: true,
    compile(call, args, ctx) {
      const fail: Fail = (message, hint) => {
        throw evaluationError(ctx, call, `${call.name}: ${message}`, hint);
      };
      const evaluators = args.map((a) => a.evaluate);
      switch (evaluators.length) {
        case 0:
          return () => impl([], fail);
        case 1: {
          const [a] = evaluators;
          return (r) => impl([a ? a(r) : undefined], fail);
        }
        case 2: {
          const [a, b] = evaluators;
          return (r) => impl([a ? a(r) : undefined, b ? b(r) : undefined], fail);
        }
        case 3: {
          const [a, b, c] = evaluators;
          return (r) => impl([a ? a(r) : undefined, b ? b(r) : undefined, c ? c(r) : undefined], fail);
        }
        default:
          return (r) => impl(evaluators.map((e) => (e ? e(r) : undefined)), fail);
      }
    },
  };
}

/** A one-argument function over a scalar string, NULL in → NULL out. */
export function scalarToScalar(fn: (s: string, fail: Fail) => Value): FunctionImplementation {
  return {
    foldable: true,
    compile(call, args, ctx) {
      const fail: Fail = (message, hint) => {
        throw evaluationError(ctx, call, `${call.name}: ${message}`, hint);
      };
      const a = args[0]?.evaluate;
      if (!a) throw ctx.error(call, `${call.name}: missing argument`);
      return (r) => {
        const v = a(r);
        const s = v === null || typeof v === "string" ? v : v.length > 0 ? (v[0] as string) : null;
        return s === null ? null : fn(s, fail);
      };
    },
  };
}
