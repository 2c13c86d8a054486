// Compiles an expression tree once into a tree of closures; evaluating a record then runs only those
// closures — no parsing, no tree walking, no name lookups. Constant sub-expressions are folded at
// compile time, which is also where constant arguments that can never work (invalid regex, bad culture,
// bad interval, …) are reported as ExpressionError.

import type { Argument, AttributeExpr, CallExpr, Expr, Span } from "./ast";
import { ExpressionError, type ExpressionErrorCode } from "./errors";
import { lookupFunction, parameterAt } from "./functions/catalog";
import { implementationOf } from "./functions/library";
import { compileComparison } from "./functions/logic";
import type { CompiledArgument, CompileContext, Evaluator } from "./functions/types";
import { checkCall, sourceTextOf } from "./parser";
import { type EvalResult, FALSE, parseBigInteger, scalar, type SourceRecord, TRUE, type Value } from "./values";

export interface CompileOptions {
  /** The clock for Now() and for FormatDateTime formats without a date (default: the system clock). */
  now?: () => Date;
  /** Random numbers in [0, 1) for Guid() and RandomString() (default: Math.random). */
  random?: () => number;
  /** The tenant's default domain, for the engine-only DefaultDomain() (default: NULL). */
  defaultDomain?: string;
  /** SelectUniqueValue asks whether a candidate is free in the target (default: every value is free). */
  isValueUnique?: (value: string) => boolean;
}

/** A compiled expression: evaluates one source record. */
export type CompiledExpression = (user: SourceRecord) => EvalResult;

/** Compiles `expr` (see the module comment). Throws ExpressionError. */
export function compileExpression(expr: Expr, options: CompileOptions = {}): CompiledExpression {
  const text = sourceTextOf(expr);
  const flow = { flows: true };
  const ctx: CompileContext = {
    now: options.now ?? (() => new Date()),
    random: options.random ?? Math.random,
    defaultDomain: options.defaultDomain ?? null,
    isValueUnique: options.isValueUnique,
    flow,
    error(node: Span, message: string, hint?: string, code: ExpressionErrorCode = "invalid-argument"): ExpressionError {
      return new ExpressionError(message, { code, offset: node.start, end: Math.max(node.end, node.start + 1), hint, text });
    },
  };
  let root: CompiledArgument;
  try {
    root = compileNode(expr, ctx, text);
  } catch (e) {
    if (e instanceof ExpressionError && text !== undefined) e.withText(text);
    throw e;
  }

  if (root.isConstant) {
    const value = root.constant;
    return () => ({ value: resultValue(value), flows: true });
  }
  const evaluate = root.evaluate as Evaluator;
  if (expr.kind === "attribute" && expr.name !== SOFT_DELETED) {
    // The most common mapping ("Direct"): read the attribute, nothing else.
    const name = expr.name;
    return (user) => {
      const v = user[name];
      return { value: typeof v === "string" ? v : resultValue(normalizeAttributeValue(v)), flows: true };
    };
  }
  if (!usesFlowControl(expr)) {
    return (user) => {
      const v = evaluate(user);
      return { value: typeof v === "string" ? v : resultValue(v), flows: true };
    };
  }
  return (user) => {
    flow.flows = true;
    const v = evaluate(user);
    return { value: resultValue(v), flows: flow.flows };
  };
}

function resultValue(v: Value): string | string[] | null {
  if (v === null || typeof v === "string") return v;
  return v.slice();
}

function usesFlowControl(expr: Expr): boolean {
  if (expr.kind === "call") return expr.name === "IgnoreFlowIfNullOrEmpty" || expr.args.some((a) => a.kind !== "empty" && usesFlowControl(a));
  if (expr.kind === "comparison") return usesFlowControl(expr.left) || usesFlowControl(expr.right);
  return false;
}

// ---------------------------------------------------------------------------------------------

const OMITTED = (node: Argument): CompiledArgument => ({ node, evaluate: null, isConstant: false, constant: null });

function constant(node: Argument, value: Value): CompiledArgument {
  return { node, evaluate: () => value, isConstant: true, constant: value };
}

function dynamic(node: Argument, evaluate: Evaluator): CompiledArgument {
  return { node, evaluate, isConstant: false, constant: null };
}

function compileNode(node: Argument, ctx: CompileContext, text: string | undefined): CompiledArgument {
  switch (node.kind) {
    case "empty":
      return OMITTED(node);
    case "string":
      return constant(node, node.value);
    case "number":
      return constant(node, BigInt(node.text).toString());
    case "hex":
      return constant(node, BigInt(`0x${node.digits}`).toString());
    case "enum":
      return constant(node, node.name);
    case "attribute":
      return dynamic(node, attributeReader(node));
    case "comparison": {
      const left = compileNode(node.left, ctx, text);
      const right = compileNode(node.right, ctx, text);
      const evaluate = compileComparison(node.op, left.evaluate as Evaluator, right.evaluate as Evaluator);
      return left.isConstant && right.isConstant ? constant(node, evaluate({})) : dynamic(node, evaluate);
    }
    case "call":
      return compileCall(node, ctx, text);
  }
}

function compileCall(call: CallExpr, ctx: CompileContext, text: string | undefined): CompiledArgument {
  checkCall(call, text);
  const sig = lookupFunction(call.name);
  const impl = implementationOf(call.name);
  if (!sig || !impl) throw ctx.error(call, `unknown function '${call.name}'`, undefined, "unknown-function");
  const args = call.args.map((arg) => compileNode(arg, ctx, text));
  args.forEach((arg, i) => checkConstantInteger(arg, parameterAt(sig, i, args.length), call, ctx));
  const evaluate = impl.compile(call, args, ctx);
  const foldable = impl.foldable && args.every((a) => a.evaluate === null || a.isConstant);
  if (!foldable) return dynamic(call, evaluate);
  try {
    return constant(call, evaluate({}));
  } catch (e) {
    if (e instanceof ExpressionError && e.code === "evaluation") {
      throw new ExpressionError(e.reason, { code: "invalid-argument", offset: e.offset, end: e.end, hint: e.hint, text });
    }
    throw e;
  }
}

function checkConstantInteger(
  arg: CompiledArgument,
  param: ReturnType<typeof parameterAt>,
  call: CallExpr,
  ctx: CompileContext,
): void {
  if (!param || param.type !== "Integer" || !arg.isConstant) return;
  const s = scalar(arg.constant);
  if (s === null) return;
  const big = parseBigInteger(s);
  if (big === undefined) throw ctx.error(arg.node, `${call.name}: ${param.name} must be an integer, got "${s}"`);
  const n = Number(big);
  if (param.min !== undefined && n < param.min) {
    throw ctx.error(arg.node, `${call.name}: ${param.name} must be ${param.min} or more, got ${n}`, param.min === 1 ? "positions are 1-based" : undefined);
  }
  if (param.max !== undefined && n > param.max) throw ctx.error(arg.node, `${call.name}: ${param.name} must be at most ${param.max}, got ${n}`);
}

// ---------------------------------------------------------------------------------------------
// Attributes

const SOFT_DELETED = "IsSoftDeleted";

/** What a record holds, as a Value: strings and arrays pass; JSON-ish booleans/numbers become their Entra form. */
function normalizeAttributeValue(v: unknown): Value {
  if (typeof v === "string") return v;
  if (v === undefined || v === null) return null;
  if (Array.isArray(v)) return v as readonly string[];
  if (typeof v === "boolean") return v ? TRUE : FALSE;
  if (typeof v === "number" || typeof v === "bigint") return String(v);
  return null; // objects, functions, inherited properties such as [constructor]
}

function attributeReader(node: AttributeExpr): Evaluator {
  const name = node.name;
  if (name === SOFT_DELETED) return readSoftDeleted;
  return (r) => {
    const v = r[name];
    return typeof v === "string" ? v : normalizeAttributeValue(v);
  };
}

/**
 * IsSoftDeleted is computed by the engine, not stored on the user. A record that carries it is used
 * as is; otherwise it is derived from accountEnabled ("False" → "True"), the only one of its causes
 * visible on a user record (an evaluated user is assumed assigned and in scope).
 */
function readSoftDeleted(r: SourceRecord): Value {
  const v = r[SOFT_DELETED];
  if (v !== undefined) return normalizeAttributeValue(v);
  const enabled = normalizeAttributeValue(r.accountEnabled);
  const s = scalar(enabled);
  return s !== null && s.trim().toLowerCase() === "false" ? TRUE : FALSE;
}
