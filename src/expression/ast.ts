// The abstract syntax tree of an Entra attribute-mapping expression.
//
// Every node carries `start`/`end`: 0-based UTF-16 offsets into the text it was parsed from
// (`end` exclusive). Nodes built by hand (tests, fromGraphSource fallbacks) may use 0/0.

export interface Span {
  readonly start: number;
  readonly end: number;
}

/** `[attributeName]` — a source attribute of the Entra object. */
export interface AttributeExpr extends Span {
  readonly kind: "attribute";
  readonly name: string;
}

/** `"text"` — a string constant (already unescaped). */
export interface StringExpr extends Span {
  readonly kind: "string";
  readonly value: string;
}

/** `42`, `-10` — a decimal integer literal, kept as written (`text` matches /^-?[0-9]+$/). */
export interface NumberExpr extends Span {
  readonly kind: "number";
  readonly text: string;
}

/** `&HF7` — a VB hexadecimal literal; `digits` are the hex digits, upper-case. */
export interface HexExpr extends Span {
  readonly kind: "hex";
  readonly digits: string;
}

export const ENUM_IDENTIFIERS = ["vbTextCompare", "vbBinaryCompare"] as const;
export type EnumName = (typeof ENUM_IDENTIFIERS)[number];

/** `vbTextCompare` / `vbBinaryCompare` — the bare VB compare-mode identifiers. */
export interface EnumExpr extends Span {
  readonly kind: "enum";
  readonly name: EnumName;
}

/** An empty positional argument (`Replace([x], , "re", , "", , )`): the parameter is omitted. */
export interface EmptyArg extends Span {
  readonly kind: "empty";
}

/** `Name(arg1, …, argN)`; `args` may be empty and may contain omitted positions. */
export interface CallExpr extends Span {
  readonly kind: "call";
  readonly name: string;
  readonly args: readonly Argument[];
}

export const COMPARISON_OPERATORS = ["=", "<>", ">", ">=", "<", "<="] as const;
export type ComparisonOperator = (typeof COMPARISON_OPERATORS)[number];

/** `left op right` — only valid as a function argument (IIF / CBool conditions). */
export interface ComparisonExpr extends Span {
  readonly kind: "comparison";
  readonly op: ComparisonOperator;
  readonly left: Operand;
  readonly right: Operand;
}

/** Anything that yields a value on its own. */
export type Operand = AttributeExpr | StringExpr | NumberExpr | HexExpr | EnumExpr | CallExpr;
/** A complete expression (the top level or a non-empty argument). */
export type Expr = Operand | ComparisonExpr;
/** What can stand in an argument position. */
export type Argument = Expr | EmptyArg;

export type Literal = StringExpr | NumberExpr | HexExpr | EnumExpr;

export function isLiteral(node: Argument): node is Literal {
  return node.kind === "string" || node.kind === "number" || node.kind === "hex" || node.kind === "enum";
}

/** Visits `expr` and all its descendants, parents first, arguments left to right. */
export function walk(expr: Argument, visit: (node: Argument, parent: CallExpr | ComparisonExpr | null) => void): void {
  const visitNode = (node: Argument, parent: CallExpr | ComparisonExpr | null): void => {
    visit(node, parent);
    if (node.kind === "call") for (const arg of node.args) visitNode(arg, node);
    else if (node.kind === "comparison") {
      visitNode(node.left, node);
      visitNode(node.right, node);
    }
  };
  visitNode(expr, null);
}

/** Every `[attribute]` the expression reads, in order of first appearance, without duplicates. */
export function attributesReferenced(expr: Expr): string[] {
  const seen = new Set<string>();
  walk(expr, (node) => {
    if (node.kind === "attribute") seen.add(node.name);
  });
  return [...seen];
}

/** Every function called, in order of first appearance, without duplicates. */
export function functionsCalled(expr: Expr): string[] {
  const seen = new Set<string>();
  walk(expr, (node) => {
    if (node.kind === "call") seen.add(node.name);
  });
  return [...seen];
}

/** Structural equality that ignores positions (start/end). */
export function exprEquals(a: Argument, b: Argument): boolean {
  switch (a.kind) {
    case "attribute":
      return b.kind === "attribute" && a.name === b.name;
    case "string":
      return b.kind === "string" && a.value === b.value;
    case "number":
      return b.kind === "number" && a.text === b.text;
    case "hex":
      return b.kind === "hex" && a.digits === b.digits;
    case "enum":
      return b.kind === "enum" && a.name === b.name;
    case "empty":
      return b.kind === "empty";
    case "comparison":
      return b.kind === "comparison" && a.op === b.op && exprEquals(a.left, b.left) && exprEquals(a.right, b.right);
    case "call":
      return (
        b.kind === "call" &&
        a.name === b.name &&
        a.args.length === b.args.length &&
        a.args.every((arg, i) => exprEquals(arg, b.args[i] as Argument))
      );
  }
}

/** A copy of the tree with every position set to 0 (handy for snapshots and comparisons). */
export function withoutPositions<T extends Argument>(node: T): T {
  const strip = (n: Argument): Argument => {
    switch (n.kind) {
      case "call":
        return { kind: "call", name: n.name, args: n.args.map(strip), start: 0, end: 0 };
      case "comparison":
        return {
          kind: "comparison",
          op: n.op,
          left: strip(n.left) as Operand,
          right: strip(n.right) as Operand,
          start: 0,
          end: 0,
        };
      default:
        return { ...n, start: 0, end: 0 };
    }
  };
  return strip(node) as T;
}

// Small constructors, used by fromGraphSource, tests and generators.
export const build = {
  attribute: (name: string): AttributeExpr => ({ kind: "attribute", name, start: 0, end: 0 }),
  string: (value: string): StringExpr => ({ kind: "string", value, start: 0, end: 0 }),
  number: (text: string | number): NumberExpr => ({ kind: "number", text: String(text), start: 0, end: 0 }),
  hex: (digits: string): HexExpr => ({ kind: "hex", digits: digits.toUpperCase(), start: 0, end: 0 }),
  enumName: (name: EnumName): EnumExpr => ({ kind: "enum", name, start: 0, end: 0 }),
  empty: (): EmptyArg => ({ kind: "empty", start: 0, end: 0 }),
  call: (name: string, args: readonly Argument[]): CallExpr => ({ kind: "call", name, args, start: 0, end: 0 }),
  comparison: (op: ComparisonOperator, left: Operand, right: Operand): ComparisonExpr => ({
    kind: "comparison",
    op,
    left,
    right,
    start: 0,
    end: 0,
  }),
};
