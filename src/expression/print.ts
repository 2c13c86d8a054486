// Canonical text of an expression: `Name(arg1, arg2, , arg4)`, `[attr]`, `"text"`, `left = right`.
// Arguments are separated by ", " and an omitted argument prints as nothing, which reproduces the
// documented style exactly: `Replace([preferredLanguage], "-", , , "_", , )`.

import type { Argument, Expr } from "./ast";
import { quoteString } from "./literal";
import { parseExpression } from "./parser";

export { quoteString };

export function printArgument(node: Argument): string {
  switch (node.kind) {
    case "attribute":
      return `[${node.name}]`;
    case "string":
      return quoteString(node.value);
    case "number":
      return node.text;
    case "hex":
      return `&H${node.digits}`;
    case "enum":
      return node.name;
    case "empty":
      return "";
    case "comparison":
      return `${printArgument(node.left)} ${node.op} ${printArgument(node.right)}`;
    case "call":
      return `${node.name}(${node.args.map(printArgument).join(", ")})`;
  }
}

/** The canonical text; parseExpression(printExpression(e)) is structurally equal to e. */
export function printExpression(expr: Expr): string {
  return printArgument(expr);
}

/**
 * The canonical form used to compare a declared expression with one read from a tenant:
 * insensitive to white space outside string constants. Equals printExpression(parseExpression(text)).
 * Throws ExpressionError when the text does not parse.
 */
export function normalizeExpressionText(text: string): string {
  return printExpression(parseExpression(text));
}
