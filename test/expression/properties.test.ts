// Property tests: random input never throws anything but an ExpressionError and never hangs;
// printing and re-parsing any generated tree gives the same tree; the Graph form round-trips.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  compileExpression,
  type Expr,
  ExpressionError,
  exprEquals,
  fromGraphSource,
  normalizeExpressionText,
  parseExpression,
  printExpression,
  quoteString,
  type SourceRecord,
  toGraphSource,
  tryParseExpression,
} from "../../src/expression";
import { expressionLikeText, expressionTree, user } from "./arbitraries";
import { seededRandom } from "./helpers";

const options = { now: () => new Date(Date.UTC(2024, 0, 1)), random: seededRandom(7) };

/** Runs `f`; anything thrown must be an ExpressionError (a hang is caught by the test timeout, never by a clock). */
function onlyDiagnostics(f: () => void): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof ExpressionError)) throw e;
    expect(e.offset).toBeGreaterThanOrEqual(0);
    expect(typeof e.format()).toBe("string");
  }
}

function parseCompileEvaluate(text: string, users: readonly SourceRecord[]): void {
  const parsed = tryParseExpression(text);
  if (!parsed.ok) {
    expect(parsed.error).toBeInstanceOf(ExpressionError);
    expect(parsed.error.offset).toBeLessThanOrEqual(text.length);
    return;
  }
  const compiled = compileExpression(parsed.expr, options);
  for (const u of users) {
    const r = compiled(u);
    expect(typeof r.flows).toBe("boolean");
    expect(r.value === null || typeof r.value === "string" || Array.isArray(r.value)).toBe(true);
  }
}

describe("robustness", () => {
  it("arbitrary strings: only ExpressionError, promptly", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 60 }), fc.string({ unit: "binary", maxLength: 60 })), fc.array(user, { maxLength: 2 }), (text, users) => {
        onlyDiagnostics(() => parseCompileEvaluate(text, users));
      }),
      { numRuns: 2000 },
    );
  });

  it("expression-like text: only ExpressionError, promptly", () => {
    fc.assert(
      fc.property(expressionLikeText, fc.array(user, { maxLength: 2 }), (text, users) => {
        onlyDiagnostics(() => parseCompileEvaluate(text, users));
      }),
      { numRuns: 3000 },
    );
  });

  it("valid trees evaluated over random users: only ExpressionError, promptly", () => {
    fc.assert(
      fc.property(expressionTree, fc.array(user, { minLength: 1, maxLength: 3 }), (tree, users) => {
        onlyDiagnostics(() => parseCompileEvaluate(printExpression(tree), users));
      }),
      { numRuns: 1500 },
    );
  });

  it("parse error offsets point inside the text (or just past its end)", () => {
    fc.assert(
      fc.property(expressionLikeText, (text) => {
        const r = tryParseExpression(text);
        if (!r.ok) {
          expect(r.error.offset).toBeGreaterThanOrEqual(0);
          expect(r.error.offset).toBeLessThanOrEqual(text.length);
          expect(r.error.column).toBeGreaterThanOrEqual(1);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe("round trips", () => {
  it("print → parse of any generated tree is the identity", () => {
    fc.assert(
      fc.property(expressionTree, (tree) => {
        const text = printExpression(tree);
        const reparsed = parseExpression(text);
        expect(exprEquals(reparsed, tree)).toBe(true);
        expect(printExpression(reparsed)).toBe(text);
        expect(normalizeExpressionText(text)).toBe(text);
      }),
      { numRuns: 2000 },
    );
  });

  it("normalizeExpressionText ignores white space between tokens", () => {
    fc.assert(
      fc.property(expressionTree, fc.constantFrom(" ", "\n", "\t", "  \r\n "), (tree, ws) => {
        const text = printExpression(tree);
        // Insert white space after every ',' and '(' that is outside a string.
        let spaced = "";
        let inString = false;
        for (let i = 0; i < text.length; i++) {
          const c = text[i] as string;
          spaced += c;
          if (c === "\\" && inString) {
            spaced += text[++i] ?? "";
            continue;
          }
          if (c === '"') inString = !inString;
          else if (!inString && (c === "," || c === "(")) spaced += ws;
        }
        expect(normalizeExpressionText(spaced)).toBe(text);
      }),
      { numRuns: 500 },
    );
  });

  it("text → Graph form → text is stable", () => {
    fc.assert(
      fc.property(expressionTree, (tree: Expr) => {
        const text = printExpression(tree);
        const back = fromGraphSource(toGraphSource(parseExpression(text)));
        if (tree.kind === "number" || tree.kind === "hex" || tree.kind === "enum") {
          // A bare literal at the top level is stored as a Constant, i.e. a string: one step, then stable.
          expect(printExpression(back)).toBe(quoteString(text));
          expect(printExpression(fromGraphSource(toGraphSource(back)))).toBe(quoteString(text));
          return;
        }
        expect(printExpression(back)).toBe(text);
        expect(toGraphSource(back)).toEqual(toGraphSource(tree));
      }),
      { numRuns: 1000 },
    );
  });

  it("Graph form rebuilt from parameters alone reaches a fixed point after one round", () => {
    const strip = (s: ReturnType<typeof toGraphSource>): ReturnType<typeof toGraphSource> => ({
      ...s,
      expression: s.type === "Function" ? "" : s.expression,
      parameters: s.parameters.map((p) => ({ key: p.key, value: strip(p.value) })),
    });
    fc.assert(
      fc.property(expressionTree, (tree) => {
        const once = printExpression(fromGraphSource(strip(toGraphSource(tree))));
        const twice = printExpression(fromGraphSource(strip(toGraphSource(parseExpression(once)))));
        expect(twice).toBe(once);
      }),
      { numRuns: 1000 },
    );
  });
});
