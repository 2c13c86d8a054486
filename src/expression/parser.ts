// Recursive-descent parser for the Entra attribute-mapping expression language (graph-sync.md §5.1).
//
//   expression := operand                      (a comparison is only allowed as an argument)
//   operand    := attribute | string | number | hex | enum | call
//   call       := Name "(" [ argument { "," argument } ] ")"
//   argument   := <empty> | operand [ compareOp operand ]
//   compareOp  := "=" | "<>" | ">" | ">=" | "<" | "<="
//
// Names are case-sensitive. Besides syntax, the parser checks what can be checked from the text
// alone: unknown functions (with a "did you mean" hint), argument counts (with the signature),
// omitted required arguments, Switch's even argument count and Replace's mode.

import {
  type Argument,
  type CallExpr,
  type EmptyArg,
  ENUM_IDENTIFIERS,
  type EnumName,
  type Expr,
  type Operand,
} from "./ast";
import { ExpressionError } from "./errors";
import { type FunctionSignature, lookupFunction, nearestFunctionName, parameterAt } from "./functions/catalog";
import { REPLACE_MODES_HINT, replaceModeOf } from "./functions/replace-mode";
import { describeToken, type Token, tokenize } from "./lexer";

const SOURCE_TEXT = new WeakMap<object, string>();

/** The text a tree was parsed from (only for roots returned by parseExpression). */
export function sourceTextOf(expr: Expr): string | undefined {
  return SOURCE_TEXT.get(expr);
}

/** Parses an expression. Throws ExpressionError with the exact column and a hint. */
export function parseExpression(text: string): Expr {
  const expr = new Parser(text).parseTop();
  SOURCE_TEXT.set(expr, text);
  return expr;
}

export type ParseResult = { ok: true; expr: Expr } | { ok: false; error: ExpressionError };

/** Like parseExpression, but returns the error instead of throwing it. */
export function tryParseExpression(text: string): ParseResult {
  try {
    return { ok: true, expr: parseExpression(text) };
  } catch (e) {
    if (e instanceof ExpressionError) return { ok: false, error: e };
    throw e;
  }
}

/** Nesting deeper than this is rejected (keeps the recursive parser, printer and compiler safe). */
export const MAX_NESTING = 200;

function unknownFunction(name: string, offset: number, text: string | undefined): ExpressionError {
  const near = nearestFunctionName(name);
  return new ExpressionError(`unknown function '${name}'`, {
    code: "unknown-function",
    offset,
    end: offset + name.length,
    text,
    hint: near
      ? `did you mean '${near}'?${near.toLowerCase() === name.toLowerCase() ? " (names are case-sensitive)" : ""}`
      : "see docs/expressions.md for the function list",
  });
}

/**
 * Checks a call against its signature: known function, argument count, no omitted required argument,
 * Switch's even count, a valid Replace mode. Used by the parser and by the compiler (for trees built
 * by hand or from the Graph form). Throws ExpressionError.
 */
export function checkCall(call: CallExpr, text?: string): void {
  const sig = lookupFunction(call.name);
  if (!sig) throw unknownFunction(call.name, call.start, text);
  const fail = (message: string, offset: number, end: number, hint?: string): never => {
    throw new ExpressionError(message, { code: "arity", offset, end, hint, text });
  };
  const closeStart = Math.max(call.start, call.end - 1);
  const count = call.args.length;
  if (count > sig.maxArgs) {
    const extra = call.args[sig.maxArgs] as Argument;
    fail(`${sig.name} takes ${arityText(sig)}, got ${count}`, extra.start, Math.max(extra.end, extra.start + 1), sig.usage);
  }
  if (count < sig.minArgs) fail(`${sig.name} takes ${arityText(sig)}, got ${count}`, closeStart, closeStart + 1, sig.usage);
  if (sig.name === "Switch" && count % 2 !== 0) {
    fail(
      `Switch takes an even number of arguments (source, defaultValue, then key/value pairs), got ${count}`,
      closeStart,
      closeStart + 1,
      'leave defaultValue empty if there is none: Switch([x], , "key", "value")',
    );
  }
  call.args.forEach((arg, i) => {
    const param = parameterAt(sig, i, count);
    if (arg.kind === "empty" && param?.required) {
      fail(`${sig.name}: argument ${i + 1} (${param.name}) cannot be left empty`, arg.start, arg.start + 1, sig.usage);
    }
  });
  if (sig.name === "Replace") {
    const mode = replaceModeOf(call.args.map((a) => a.kind !== "empty"));
    if (!mode.ok) fail(mode.reason, call.start, call.start + sig.name.length, REPLACE_MODES_HINT);
  }
}

/** Bare keywords that only inbound (HR → Entra / AD) mappings accept. */
export const INBOUND_FLOW_KEYWORDS = ["IgnoreAttributeFlow", "IgnoreObjectFlow"] as const;

class Parser {
  private readonly tokens: Token[];
  private pos = 0;
  private depth = 0;

  constructor(private readonly text: string) {
    this.tokens = tokenize(text);
  }

  private peek(): Token {
    return this.tokens[this.pos] as Token;
  }

  private next(): Token {
    const t = this.tokens[this.pos] as Token;
    if (t.type !== "eof") this.pos++;
    return t;
  }

  private fail(code: ExpressionError["code"], message: string, offset: number, end?: number, hint?: string): never {
    throw new ExpressionError(message, { code, offset, end, hint, text: this.text });
  }

  parseTop(): Expr {
    const first = this.peek();
    if (first.type === "eof") {
      this.fail("syntax", "empty expression", 0, 0, 'write an attribute [mail], a string "text" or a function call');
    }
    const expr = this.parseOperand();
    const after = this.peek();
    if (after.type === "operator") {
      this.fail(
        "syntax",
        `comparison '${after.op}' is only allowed inside a function argument`,
        after.start,
        after.end,
        `wrap the condition in a function, e.g. CBool(${this.text.slice(expr.start, expr.end)} ${after.op} …) or IIF(…)`,
      );
    }
    if (after.type !== "eof") {
      this.fail(
        "syntax",
        `unexpected ${describeToken(after)} after the end of the expression`,
        after.start,
        after.end,
        after.type === "," ? "arguments separated by ',' belong inside a function call" : undefined,
      );
    }
    return expr;
  }

  private parseOperand(): Operand {
    const t = this.next();
    switch (t.type) {
      case "attribute":
        return { kind: "attribute", name: t.name, start: t.start, end: t.end };
      case "string":
        return { kind: "string", value: t.value, start: t.start, end: t.end };
      case "number":
        return { kind: "number", text: t.text, start: t.start, end: t.end };
      case "hex":
        return { kind: "hex", digits: t.digits, start: t.start, end: t.end };
      case "identifier":
        return this.parseIdentifier(t);
      case "eof":
        return this.fail("syntax", "unexpected end of expression: expected a value", t.start, t.end);
      case ")":
        return this.fail("syntax", "unexpected ')': expected a value", t.start, t.end);
      case "(":
        return this.fail("syntax", "unexpected '(': parentheses only follow a function name", t.start, t.end);
      case ",":
        return this.fail("syntax", "unexpected ',': expected a value", t.start, t.end, "arguments only exist inside a function call");
      case "operator":
        return this.fail("syntax", `unexpected operator '${t.op}': expected a value`, t.start, t.end);
    }
  }

  private parseIdentifier(t: Extract<Token, { type: "identifier" }>): Operand {
    if (this.peek().type === "(") return this.parseCall(t);
    if ((ENUM_IDENTIFIERS as readonly string[]).includes(t.name)) {
      return { kind: "enum", name: t.name as EnumName, start: t.start, end: t.end };
    }
    // Keywords of inbound (HR-driven) mappings (graph-sync.md §13.3, Workday guide): valid there,
    // meaningless for the outbound SCIM apps scimops manages, so say exactly that.
    const inbound = INBOUND_FLOW_KEYWORDS.find((k) => k.toLowerCase() === t.name.toLowerCase());
    if (inbound) {
      return this.fail(
        "syntax",
        `'${inbound}' is a keyword of inbound (HR-driven) provisioning; outbound app provisioning mappings cannot use it`,
        t.start,
        t.end,
        "to send nothing when the value is empty, wrap the value: IgnoreFlowIfNullOrEmpty(…)",
      );
    }
    const enumNear = ENUM_IDENTIFIERS.find((e) => e.toLowerCase() === t.name.toLowerCase());
    let hint: string;
    if (enumNear) hint = `names are case-sensitive: ${enumNear}`;
    else if (lookupFunction(t.name)) hint = `${t.name} is a function: ${t.name}(…)`;
    else if (/^(true|false)$/i.test(t.name)) hint = `booleans are strings: "${t.name.charAt(0).toUpperCase()}${t.name.slice(1).toLowerCase()}"`;
    else hint = `an attribute is written [${t.name}], a string constant "${t.name}"`;
    return this.fail("syntax", `unknown identifier '${t.name}'`, t.start, t.end, hint);
  }

  private parseCall(nameToken: Extract<Token, { type: "identifier" }>): CallExpr {
    const name = nameToken.name;
    const sig = lookupFunction(name);
    if (!sig) throw unknownFunction(name, nameToken.start, this.text);
    if (++this.depth > MAX_NESTING) this.fail("syntax", `expression nested deeper than ${MAX_NESTING} calls`, nameToken.start, nameToken.end);
    this.next(); // (
    const args: Argument[] = [];
    let close: Token;
    if (this.peek().type === ")") {
      close = this.next();
    } else {
      for (;;) {
        args.push(this.parseArgument());
        const sep = this.next();
        if (sep.type === ",") continue;
        if (sep.type === ")") {
          close = sep;
          break;
        }
        if (sep.type === "eof") {
          this.fail("syntax", `unterminated call to ${name}: expected ',' or ')'`, sep.start, sep.end, `${name} was opened at column ${nameToken.start + 1}`);
        }
        if (sep.type === "operator") {
          this.fail("syntax", `unexpected operator '${sep.op}': a condition has a single comparison`, sep.start, sep.end, "there is no AND/OR; nest IIF calls instead");
        }
        this.fail("syntax", `unexpected ${describeToken(sep)}: expected ',' or ')'`, sep.start, sep.end, "arguments are separated by ','");
      }
    }
    this.depth--;
    const call: CallExpr = { kind: "call", name, args, start: nameToken.start, end: close.end };
    checkCall(call, this.text);
    return call;
  }

  private parseArgument(): Argument {
    const t = this.peek();
    if (t.type === "," || t.type === ")") {
      const empty: EmptyArg = { kind: "empty", start: t.start, end: t.start };
      return empty;
    }
    const left = this.parseOperand();
    const op = this.peek();
    if (op.type !== "operator") return left;
    this.next();
    const right = this.parseOperand();
    return { kind: "comparison", op: op.op, left, right, start: left.start, end: right.end };
  }
}

function arityText(sig: FunctionSignature): string {
  const n = (k: number): string => `${k} argument${k === 1 ? "" : "s"}`;
  if (sig.maxArgs === Infinity) return `at least ${n(sig.minArgs)}`;
  if (sig.minArgs === sig.maxArgs) return sig.minArgs === 0 ? "no arguments" : n(sig.minArgs);
  return `${sig.minArgs} to ${n(sig.maxArgs)}`;
}
