// Diagnostics for the expression language: one error class for syntax, arity, compile-time and
// evaluation problems, carrying the exact position and an optional hint.

export type ExpressionErrorCode =
  | "syntax" // malformed text (unexpected character/token, unterminated string, …)
  | "unknown-function"
  | "arity" // wrong number of arguments, omitted required argument, Switch parity, Replace mode
  | "invalid-argument" // a constant argument that can never work (bad regex, bad number, bad culture, …)
  | "evaluation" // a runtime value the function cannot handle (e.g. CDate of garbage)
  | "graph"; // an attributeMappingSource that does not describe a valid expression

export interface ExpressionErrorInit {
  readonly code: ExpressionErrorCode;
  /** 0-based UTF-16 offset into the expression text. */
  readonly offset: number;
  /** Exclusive end offset of the offending span (defaults to offset + 1). */
  readonly end?: number;
  readonly hint?: string;
  /** The expression text the offsets refer to, when known. */
  readonly text?: string;
}

/** Where the expression itself sits in a larger file (e.g. a YAML mapping), for `format`. */
export interface SourceLocation {
  readonly file?: string;
  /** 1-based line of the file on which the expression text starts. */
  readonly line?: number;
  /** 1-based column of that line at which the expression text starts. */
  readonly column?: number;
}

export class ExpressionError extends Error {
  override readonly name = "ExpressionError";
  readonly code: ExpressionErrorCode;
  /** 0-based offset into the expression text. */
  readonly offset: number;
  readonly end: number;
  readonly hint: string | undefined;
  /** The expression text, when known (set by the parser; compile/eval attach it when they can). */
  text: string | undefined;

  /** The bare message, without position. */
  readonly reason: string;

  constructor(reason: string, init: ExpressionErrorInit) {
    super(reason);
    this.reason = reason;
    this.code = init.code;
    this.offset = Math.max(0, init.offset);
    this.end = Math.max(this.offset + 1, init.end ?? this.offset + 1);
    this.hint = init.hint;
    this.text = init.text;
    this.message = this.describe();
  }

  /** 1-based line within the expression text (1 when the text is unknown or single-line). */
  get line(): number {
    return lineAndColumn(this.text ?? "", this.offset).line;
  }

  /** 1-based column within its line of the expression text (= offset + 1 for one-line text). */
  get column(): number {
    if (this.text === undefined) return this.offset + 1;
    return lineAndColumn(this.text, this.offset).column;
  }

  /** Attaches the expression text (if not known yet) and refreshes `message`. Returns `this`. */
  withText(text: string): this {
    if (this.text === undefined) {
      this.text = text;
      this.message = this.describe();
    }
    return this;
  }

  private describe(): string {
    const where = this.text !== undefined && this.line > 1 ? `line ${this.line}, column ${this.column}` : `column ${this.column}`;
    return `${this.reason} (${where})${this.hint ? ` — ${this.hint}` : ""}`;
  }

  /**
   * A multi-line, human-readable report: position, message, the source line with a caret under the
   * spot, and the hint. `source` places the expression inside a file (e.g. `mappings/x.yaml:12:17`).
   */
  format(source: SourceLocation = {}): string {
    const text = this.text ?? "";
    const { line, column, lineStart, lineEnd } = lineAndColumn(text, this.offset);
    const fileLine = (source.line ?? 1) + line - 1;
    const fileColumn = line === 1 ? (source.column ?? 1) + column - 1 : column;
    const position =
      source.file !== undefined || source.line !== undefined
        ? `${source.file ?? "<expression>"}:${fileLine}:${fileColumn}`
        : line > 1
          ? `line ${line}, column ${column}`
          : `column ${column}`;
    const out = [`${position}: error: ${this.reason}`];
    if (this.text !== undefined) {
      const sourceLine = text.slice(lineStart, lineEnd).replace(/\t/g, " ");
      const width = Math.max(1, Math.min(this.end, lineEnd) - this.offset);
      out.push(`  ${sourceLine}`);
      out.push(`  ${" ".repeat(column - 1)}^${"~".repeat(Math.max(0, width - 1))}`);
    }
    if (this.hint) out.push(`  hint: ${this.hint}`);
    return out.join("\n");
  }
}

export function isExpressionError(e: unknown): e is ExpressionError {
  return e instanceof ExpressionError;
}

/** 1-based line/column of a 0-based offset, plus the bounds of that line. */
export function lineAndColumn(
  text: string,
  offset: number,
): { line: number; column: number; lineStart: number; lineEnd: number } {
  let line = 1;
  let lineStart = 0;
  const stop = Math.min(offset, text.length);
  for (let i = 0; i < stop; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 /* \n */ || (c === 13 /* \r */ && text.charCodeAt(i + 1) !== 10)) {
      line++;
      lineStart = i + 1;
    }
  }
  let lineEnd = text.length;
  for (let i = lineStart; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) {
      lineEnd = i;
      break;
    }
  }
  return { line, column: offset - lineStart + 1, lineStart, lineEnd };
}
