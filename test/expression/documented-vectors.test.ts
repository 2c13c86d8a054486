// Every documented input → output example of graph-sync.md §5.2 (test/fixtures/expressions/documented-vectors.json),
// through the compiled evaluator and through `scimops eval`.
import { describe, expect, it } from "vitest";
import vectors from "../fixtures/expressions/documented-vectors.json";
import { compileExpression, ExpressionError, parseExpression, type SourceRecord } from "../../src/expression";
import { fixedClock, runEval } from "./helpers";

interface Vector {
  ref: string;
  source: string;
  expression: string;
  user?: Record<string, string | string[] | null>;
  now?: string;
  taken?: string[];
  value?: string | string[] | null;
  flows?: boolean;
  error?: { code: string; column: number; hint?: string };
  note?: string;
}

const all = (vectors as { vectors: Vector[] }).vectors;
const name = (v: Vector, i: number): string => `${i + 1}. ${v.ref}: ${v.expression} ${JSON.stringify(v.user ?? {})}${v.taken ? ` taken=${v.taken.join(",")}` : ""}`;

describe("documented vectors (§5.2) through compileExpression", () => {
  it("covers every function of the reference that has a documented example", () => {
    const refs = new Set(all.map((v) => v.ref.replace(/ \(.*$/, "")));
    for (const n of [1, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 16, 17, 18, 19, 20, 21, 23, 24, 25, 26, 27, 28, 29, 30, 31, 33, 34, 35, 36, 38, 40, 41, 42]) {
      expect([...refs].some((r) => r.startsWith(`§5.2 #${n} `)), `vector for §5.2 #${n}`).toBe(true);
    }
  });

  all.forEach((v, i) => {
    it(name(v, i), () => {
      if (v.error) {
        let caught: unknown;
        try {
          compileExpression(parseExpression(v.expression));
        } catch (e) {
          caught = e;
        }
        expect(caught).toBeInstanceOf(ExpressionError);
        const err = caught as ExpressionError;
        expect(err.code).toBe(v.error.code);
        expect(err.column).toBe(v.error.column);
        if (v.error.hint) expect(err.hint).toBe(v.error.hint);
        return;
      }
      const taken = new Set(v.taken ?? []);
      const compiled = compileExpression(parseExpression(v.expression), {
        ...(v.now ? { now: fixedClock(v.now) } : {}),
        ...(v.taken ? { isValueUnique: (s: string) => !taken.has(s) } : {}),
      });
      expect(compiled((v.user ?? {}) as SourceRecord)).toEqual({ value: v.value ?? null, flows: v.flows ?? true });
    });
  });
});

describe("documented vectors (§5.2) through scimops eval", () => {
  all.forEach((v, i) => {
    if (v.taken) return; // needs a uniqueness oracle, which the CLI does not have
    it(name(v, i), async () => {
      const args = [v.expression, "--user", JSON.stringify(v.user ?? {}), ...(v.now ? ["--now", v.now] : [])];
      const run = await runEval(args);
      if (v.error) {
        expect(run.code).toBe(2);
        expect(run.stdout).toBe("");
        expect(run.stderr).toContain(`column ${v.error.column}: error:`);
        return;
      }
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      expect(run.stdout.endsWith("\n")).toBe(true);
      expect(run.stdout.trim().split("\n")).toHaveLength(1);
      expect(JSON.parse(run.stdout)).toEqual({ value: v.value ?? null, flows: v.flows ?? true });
    });
  });
});
