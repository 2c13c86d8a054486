import { evalCommand } from "../../src/cli/eval";
import { compileExpression, type CompileOptions, type EvalResult, parseExpression, type SourceRecord } from "../../src/expression";

/** Parses, compiles and evaluates in one go. */
export function evaluate(text: string, user: SourceRecord = {}, options: CompileOptions = {}): EvalResult {
  return compileExpression(parseExpression(text), options)(user);
}

/** The value only. */
export function valueOf(text: string, user: SourceRecord = {}, options: CompileOptions = {}): EvalResult["value"] {
  return evaluate(text, user, options).value;
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `scimops eval` in-process. */
export async function runEval(args: string[]): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const code = await evalCommand(args, {
    stdout: (s) => {
      stdout += s;
    },
    stderr: (s) => {
      stderr += s;
    },
  });
  return { code, stdout, stderr };
}

/** A clock fixed at an ISO instant. */
export const fixedClock = (iso: string): (() => Date) => {
  const t = Date.parse(iso);
  return () => new Date(t);
};

/** Deterministic random numbers (mulberry32), shared with the benchmarks. */
export { seededRandom } from "../../bench/users";
