/**
 * Static checks of the expressions and scoping clauses of an app file, beyond "it parses": every source
 * attribute exists in Entra (or is a directory extension, or is declared in the file), constant arguments
 * have the kind their parameter needs, .NET regular expressions and date formats compile, and whatever the
 * expression compiler rejects up front. Each check reports one problem per mistake, at the offending
 * character, so a mapping row gets one message, not a cascade.
 *
 * This pass reads the expression module (parser, catalogue, compiler) and never changes it; it works on
 * operator names through `normalizedOperator` so that the spelling of scoping operators does not matter.
 */
import {
  type Argument,
  type CallExpr,
  compileExpression,
  type Expr,
  isExpressionError,
  lintExpression,
  lookupFunction,
  tryParseExpression,
  walk,
} from "../expression";
import { parameterAt } from "../expression/functions/catalog";
import { compileDotNetRegex, RegexTranslationError } from "../expression/functions/dotnet-regex";
import { REPLACE_POSITIONS } from "../expression/functions/replace-mode";
import { lookupSourceAttribute, type DeclaredSourceAttribute, type SourceAttribute } from "../catalog/entra-source-attributes";
import { dateFormatProblems } from "../catalog/date-formats";

export interface ExpressionProblem {
  /** 0-based offset into the expression text. */
  offset: number;
  end: number;
  severity: "error" | "warning";
  message: string;
  fix: string;
}

export interface ExpressionContext {
  /** The Entra object the mapping reads (User, Group). */
  object: string;
  declared: readonly DeclaredSourceAttribute[];
  /** Target attribute, for messages. */
  target: string;
}

/** All problems of one mapping expression; the first one of a parse failure only. */
export function checkExpressionText(text: string, context: ExpressionContext): ExpressionProblem[] {
  const parsed = tryParseExpression(text);
  if (!parsed.ok) {
    const e = parsed.error;
    return [{ offset: e.offset, end: e.end, severity: "error", message: `expression for \`${context.target}\` does not parse: ${e.reason}`, fix: e.hint ?? "fix the expression (see docs/expressions.md)" }];
  }
  return checkExpression(parsed.expr, context);
}

export function checkExpression(expr: Expr, context: ExpressionContext): ExpressionProblem[] {
  const out: ExpressionProblem[] = [];
  const at = (node: { start: number; end: number }, severity: ExpressionProblem["severity"], message: string, fix: string) =>
    out.push({ offset: node.start, end: Math.max(node.end, node.start + 1), severity, message, fix });

  walk(expr, (node) => {
    if (node.kind === "attribute") {
      const found = lookupSourceAttribute(context.object, node.name, context.declared);
      // The name starts after `[`.
      if (!found.ok) at({ start: node.start + 1, end: node.end - 1 }, found.kind === "case" ? "warning" : "error", found.message, found.fix);
    } else if (node.kind === "call") {
      checkCallArguments(node, context, at);
    }
  });

  const explained = [...out];
  try {
    compileExpression(expr);
  } catch (e) {
    if (!isExpressionError(e)) throw e;
    // The compiler stops at its first problem; when it is one this pass already explained, say nothing more.
    const overlaps = explained.some((p) => p.offset < e.end && e.offset < p.end);
    if (!overlaps) out.push({ offset: e.offset, end: e.end, severity: "error", message: `${e.reason}`, fix: e.hint ?? "fix the argument (see docs/expressions.md)" });
  }
  for (const lint of lintExpression(expr)) {
    if (lint.severity === "warning") out.push({ offset: lint.offset, end: lint.end, severity: "warning", message: lint.message, fix: lint.hint ?? "see docs/expressions.md" });
  }
  return out;
}

type At = (node: { start: number; end: number }, severity: ExpressionProblem["severity"], message: string, fix: string) => void;

function checkCallArguments(call: CallExpr, context: ExpressionContext, at: At): void {
  const sig = lookupFunction(call.name);
  if (!sig) return; // the parser has reported it
  call.args.forEach((arg, i) => {
    const param = parameterAt(sig, i);
    if (!param || arg.kind === "empty") return;
    if (param.type === "Integer") checkIntegerArgument(call, arg, param.name, context, at);
  });
  if (call.name === "Replace") {
    const pattern = call.args[REPLACE_POSITIONS.regexPattern];
    if (pattern?.kind === "string") {
      const problem = dotNetRegexProblem(pattern.value);
      if (problem) at(pattern, problem.severity, `Replace: regexPattern ${JSON.stringify(pattern.value)} ${problem.message}`, problem.fix);
    }
  }
  if (call.name === "FormatDateTime" && call.args.length >= 3) {
    // inputFormat and outputFormat are the last two arguments in both documented forms (3 and 4 arguments).
    const formats: [string, Argument | undefined][] = [
      ["inputFormat", call.args[call.args.length - 2]],
      ["outputFormat", call.args[call.args.length - 1]],
    ];
    for (const [name, arg] of formats) {
      if (arg?.kind !== "string") continue;
      const problem = dateFormatProblems(arg.value)[0];
      if (problem) at(arg, problem.severity, `FormatDateTime: ${name} ${JSON.stringify(arg.value)}: ${problem.message}`, problem.fix);
    }
  }
}

function checkIntegerArgument(call: CallExpr, arg: Argument, paramName: string, context: ExpressionContext, at: At): void {
  if (arg.kind === "string" && !/^\s*-?\d+\s*$/.test(arg.value)) {
    at(arg, "error", `${call.name}: ${paramName} must be a whole number, not the text ${JSON.stringify(arg.value)}`, `write a number without quotes, e.g. ${call.name}(…, 10)`);
    return;
  }
  if (arg.kind === "attribute") {
    const found = lookupSourceAttribute(context.object, arg.name, context.declared);
    const attribute: SourceAttribute | undefined = found.ok ? found.attribute : undefined;
    if (attribute && found.ok && found.via === "catalog" && attribute.type === "String" && !MAY_HOLD_NUMBERS.test(attribute.name)) {
      at(arg, "error", `${call.name}: ${paramName} must be a whole number, but [${arg.name}] holds text`, `pass a number, e.g. ${call.name}(…, 1, …)`);
    } else if (attribute && attribute.type !== "String" && attribute.type !== "Integer") {
      at(arg, "error", `${call.name}: ${paramName} must be a whole number, but [${arg.name}] is a ${attribute.type} attribute`, `pass a number or an attribute that holds one`);
    } else if (attribute?.multivalued) {
      at(arg, "error", `${call.name}: ${paramName} must be a whole number, but [${arg.name}] is multi-valued`, `pass a number or a single-valued attribute`);
    }
  }
}

/** Standard String attributes that organisations commonly fill with digits (ids, codes, free extension slots). */
const MAY_HOLD_NUMBERS = /^(employeeId|postalCode|extensionAttribute\d+|employeeOrgData\.costCenter)$/;

export const REGEX_FIX = "patterns are .NET regular expressions; check brackets, quantifiers and escapes (a literal backslash is written \\\\ inside a YAML double-quoted string)";

/**
 * Why `pattern` does not compile as a .NET regular expression (an error), or which valid .NET construct
 * the previewer's translator cannot run (a warning: Entra accepts it); undefined when it compiles.
 */
export function dotNetRegexProblem(pattern: string): { severity: "error" | "warning"; message: string; fix: string } | undefined {
  try {
    compileDotNetRegex(pattern);
    return undefined;
  } catch (e) {
    if (!(e instanceof RegexTranslationError)) throw e;
    // The JavaScript engine names the translated pattern ("/(abc/dgu: …"); the author wrote the .NET one.
    const reason = e.message.replace(/^\/.*\/[a-z]*: /s, "");
    if (/not supported/.test(reason)) {
      return { severity: "warning", message: `uses a .NET construct scimops cannot evaluate (${reason})`, fix: "Entra accepts it, but preview and diff cannot show what it does; rewrite it without the construct to have it previewed" };
    }
    return { severity: "error", message: `is not a valid .NET regular expression: ${reason}`, fix: REGEX_FIX };
  }
}

/** Scoping operators compared without their spelling (`IS TRUE`, `IS_TRUE`, `Greater_Than` …). */
export function normalizedOperator(operator: string): string {
  return operator.toUpperCase().replace(/[_\s]+/g, " ").trim();
}

export interface ClauseProblem {
  field: "attribute" | "operator" | "value";
  /** Index of the value in a list of values. */
  index?: number;
  severity: "error" | "warning";
  message: string;
  fix: string;
}

const BOOLEAN_ONLY = new Set(["IS TRUE", "IS FALSE"]); // graph-filteroperators-response.json: supportedAttributeTypes [Boolean]

/** Problems of one scoping clause: its attribute, its operator's attribute type, its regular expressions. */
export function checkScopingClause(clause: { attribute: string; operator: string; value?: string | readonly string[] }, object: string, declared: readonly DeclaredSourceAttribute[]): ClauseProblem[] {
  const out: ClauseProblem[] = [];
  const found = lookupSourceAttribute(object, clause.attribute, declared);
  const op = normalizedOperator(clause.operator);
  if (!found.ok) {
    out.push({ field: "attribute", severity: found.kind === "case" ? "warning" : "error", message: found.message, fix: found.fix });
  } else if (found.attribute.scoping === false) {
    out.push({ field: "attribute", severity: "error", message: `\`${clause.attribute}\` is not supported in scoping filters (Microsoft Entra known issues)`, fix: "filter on another attribute, or assign the users and groups that should be in scope" });
  } else if (found.attribute.multivalued) {
    out.push({ field: "attribute", severity: "error", message: `\`${clause.attribute}\` is multi-valued; scoping filters do not support multi-valued attributes`, fix: "filter on a single-valued attribute" });
  } else if (found.via !== "extension" && BOOLEAN_ONLY.has(op) && found.attribute.type !== "Boolean") {
    out.push({ field: "operator", severity: "error", message: `\`${clause.operator}\` applies to Boolean attributes; \`${clause.attribute}\` is a ${found.attribute.type}`, fix: "compare it with EQUALS, or filter on a Boolean attribute" });
  }
  if (op.includes("REGEX")) {
    const values = clause.value === undefined ? [] : typeof clause.value === "string" ? [clause.value] : clause.value;
    values.forEach((v, i) => {
      const problem = dotNetRegexProblem(v);
      if (problem) out.push({ field: "value", ...(typeof clause.value === "string" ? {} : { index: i }), severity: problem.severity, message: `${JSON.stringify(v)} ${problem.message}`, fix: problem.fix });
    });
  }
  return out;
}
