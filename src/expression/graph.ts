// The Graph form of an expression: the `attributeMappingSource` tree Entra stores (graph-sync.md §4.6,
// §4.7). Attributes and constants are leaves; a function keeps its full text in `expression` and its
// given arguments in `parameters`, keyed by the engine's parameter names (§5.3); empty positional
// arguments are dropped. Literals become constants named by their text with a quoted `expression`,
// numbers included (`{"name":"1","expression":"\"1\""}`).

import { type Argument, build, type ComparisonOperator, COMPARISON_OPERATORS, type Expr, type Operand } from "./ast";
import { ExpressionError } from "./errors";
import { type FunctionSignature, lookupFunction, parameterAt } from "./functions/catalog";
import { checkCall, parseExpression, tryParseExpression } from "./parser";
import { printExpression, quoteString } from "./print";

export interface AttributeMappingSource {
  type: "Attribute" | "Constant" | "Function";
  name: string;
  expression: string;
  parameters: AttributeMappingParameter[];
}

export interface AttributeMappingParameter {
  key: string;
  value: AttributeMappingSource;
}

/** Parameter keys of a comparison node (the engine's form is undocumented; see docs/expressions.md).
 * Reading takes a comparison's two parameters by position when these keys are absent. */
const COMPARISON_KEYS = ["left", "right"] as const;

/** AST → attributeMappingSource, exactly as Entra stores it. */
export function toGraphSource(expr: Expr): AttributeMappingSource {
  switch (expr.kind) {
    case "attribute":
      return { type: "Attribute", name: expr.name, expression: `[${expr.name}]`, parameters: [] };
    case "string":
      return constantSource(expr.value);
    case "number":
      return constantSource(expr.text);
    case "hex":
      return constantSource(`&H${expr.digits}`);
    case "enum":
      return constantSource(expr.name);
    case "comparison":
      return {
        type: "Function",
        name: expr.op,
        expression: printExpression(expr),
        parameters: [
          { key: COMPARISON_KEYS[0], value: toGraphSource(expr.left) },
          { key: COMPARISON_KEYS[1], value: toGraphSource(expr.right) },
        ],
      };
    case "call": {
      const sig = lookupFunction(expr.name);
      const parameters: AttributeMappingParameter[] = [];
      expr.args.forEach((arg, i) => {
        if (arg.kind === "empty") return;
        const key = (sig && parameterAt(sig, i, expr.args.length)?.engineName) ?? `arg${i + 1}`;
        parameters.push({ key, value: toGraphSource(arg) });
      });
      return { type: "Function", name: expr.name, expression: printExpression(expr), parameters };
    }
  }
}

function constantSource(literal: string): AttributeMappingSource {
  return { type: "Constant", name: literal, expression: quoteString(literal), parameters: [] };
}

/**
 * attributeMappingSource → AST, so that a schema read from a tenant turns back into the text a person
 * wrote: a Function's `expression` text is parsed when it is present and names the same function;
 * otherwise the call is rebuilt from `name` and `parameters` (engine keys mapped back to positions,
 * omitted positions restored as empty arguments). Throws ExpressionError (code "graph" for a malformed
 * source, or the parse/arity error of the text).
 */
export function fromGraphSource(src: AttributeMappingSource): Expr {
  const expr = fromGraph(src, "source");
  // Re-parse the canonical text so positions are meaningful and the tree carries its source text.
  return parseExpression(printExpression(expr));
}

function graphError(message: string, path: string): ExpressionError {
  return new ExpressionError(`${path}: ${message}`, { code: "graph", offset: 0 });
}

function fromGraph(src: unknown, path: string): Expr {
  if (typeof src !== "object" || src === null) throw graphError("expected an attributeMappingSource object", path);
  const s = src as Partial<AttributeMappingSource>;
  const type = s.type ?? "Attribute"; // Graph: type defaults to Attribute
  if (typeof s.name !== "string") throw graphError("'name' must be a string", path);
  const parameters = s.parameters ?? [];
  if (!Array.isArray(parameters)) throw graphError("'parameters' must be an array", path);
  switch (type) {
    case "Attribute":
      if (s.name.length === 0) throw graphError("an Attribute source needs a name", path);
      return build.attribute(s.name);
    case "Constant":
      return build.string(s.name);
    case "Function":
      return functionFromGraph(s.name, typeof s.expression === "string" ? s.expression : "", parameters, path);
    default:
      throw graphError(`unknown type '${String(type)}' (expected Attribute, Constant or Function)`, path);
  }
}

function functionFromGraph(name: string, expression: string, parameters: readonly unknown[], path: string): Expr {
  if (expression.trim().length > 0) {
    const parsed = tryParseExpression(expression);
    if (parsed.ok) {
      const e = parsed.expr;
      if ((e.kind === "call" && e.name === name) || (e.kind === "comparison" && e.op === name)) return e;
    }
  }
  const params = parameters.map((p, i) => {
    const where = `${path}.parameters[${i}]`;
    if (typeof p !== "object" || p === null || typeof (p as { key?: unknown }).key !== "string") {
      throw graphError("each parameter needs a string 'key' and a 'value'", where);
    }
    const { key, value } = p as AttributeMappingParameter;
    return { key, value: fromGraph(value, `${where}.value`), where };
  });

  if ((COMPARISON_OPERATORS as readonly string[]).includes(name)) {
    if (params.length !== 2) throw graphError(`comparison '${name}' needs exactly two parameters (left and right)`, path);
    // Keys left/right when present; otherwise by position (the engine's keys are undocumented).
    const byKey = (k: string) => params.find((p) => p.key === k);
    const left = byKey(COMPARISON_KEYS[0]) && byKey(COMPARISON_KEYS[1]) ? byKey(COMPARISON_KEYS[0])! : params[0]!;
    const right = left === params[0] ? params[1]! : byKey(COMPARISON_KEYS[1])!;
    if (left.value.kind === "comparison" || right.value.kind === "comparison") throw graphError("comparisons cannot be nested", path);
    return build.comparison(name as ComparisonOperator, left.value as Operand, right.value as Operand);
  }

  const sig = lookupFunction(name);
  if (!sig) {
    // Let the checker produce the unknown-function error with its "did you mean" hint.
    checkCall(build.call(name, []));
    throw graphError(`unknown function '${name}'`, path);
  }
  const form = formOf(sig, params.map((p) => p.key));
  const args: Argument[] = [];
  let nextRepeated = form.repeat?.from ?? Infinity;
  let last = -1;
  for (const p of params) {
    // A key we do not know (the engine's keys are only partly published, graph-sync.md §13.2) takes
    // the next position after the previous parameter.
    const position = positionOf(form, p.key, args, nextRepeated) ?? last + 1;
    if (position >= form.maxArgs) {
      throw graphError(`${name} takes ${form.maxArgs} argument${form.maxArgs === 1 ? "" : "s"}; parameter '${p.key}' is one too many`, p.where);
    }
    while (args.length <= position) args.push(build.empty());
    args[position] = p.value;
    last = position;
    if (form.repeat && position >= form.repeat.from) nextRepeated = position + 1;
  }
  const minimum = form.canonicalArgs ?? (form.repeat ? 0 : form.parameters.length === sig.parameters.length ? sig.minArgs : form.parameters.length);
  while (args.length < minimum) args.push(build.empty());
  const call = build.call(name, args);
  checkCall(call);
  return call;
}

/**
 * The signature a tree's parameter keys describe: an alternative form (FormatDateTime without
 * dateTimeStyles) when every key belongs to it, else the full signature.
 */
function formOf(sig: FunctionSignature, keys: readonly string[]): FunctionSignature {
  for (const f of sig.forms ?? []) {
    const names = f.map((x) => x.engineName.toLowerCase());
    if (keys.length <= f.length && keys.every((k) => names.includes(k.toLowerCase()))) {
      return { ...sig, parameters: f, forms: undefined, maxArgs: f.length, minArgs: f.length };
    }
  }
  return sig;
}

/** The argument position a parameter key goes to, in the order parameters are listed. */
function positionOf(sig: FunctionSignature, key: string, args: readonly Argument[], nextRepeated: number): number | undefined {
  const matches = (engineName: string): boolean => engineName === key || engineName.toLowerCase() === key.toLowerCase();
  const fixedCount = sig.repeat ? sig.repeat.from : sig.parameters.length;
  for (let i = 0; i < fixedCount; i++) {
    const param = sig.parameters[i];
    if (param && matches(param.engineName) && (args[i] === undefined || args[i]?.kind === "empty")) return i;
  }
  if (sig.repeat) {
    for (let i = Math.max(nextRepeated, sig.repeat.from); i < nextRepeated + sig.repeat.group * 2; i++) {
      const param = parameterAt(sig, i);
      if (param && matches(param.engineName)) return i;
    }
  }
  return undefined;
}
