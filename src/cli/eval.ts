/**
 * `scimops eval EXPR [--user JSON|@FILE] [--now ISO-8601]`
 *
 * Evaluates one attribute-mapping expression for one user and prints one line of JSON:
 * `{"value": <string | string[] | null>, "flows": <true|false>}` (exit 0). A parse, arity or evaluation
 * error prints the error with its column and a caret (exit 2); so does a usage error.
 */
import { readFileSync } from "node:fs";
import { compileExpression, ExpressionError, parseExpression, type SourceRecord } from "../expression";
import { parseDateTime, toJsDate } from "../expression/functions/datetime";

export interface EvalIO {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

const USAGE = [
  "usage: scimops eval EXPR [--user JSON|@FILE] [--now ISO-8601]",
  "",
  "  EXPR         an Entra attribute-mapping expression, e.g. 'Join(\" \", [givenName], [surname])'",
  "  --user       the user: a JSON object of Entra attribute names to values (strings, arrays of",
  "               strings; booleans and numbers become their Entra string form), or @FILE to read it",
  "  --now        the clock for Now(), e.g. 2024-05-01T12:00:00Z (default: the current time)",
  "",
  'prints {"value": <string | string[] | null>, "flows": <true|false>}',
].join("\n");

class UsageError extends Error {}

interface EvalArgs {
  expression: string;
  user: string | undefined;
  now: string | undefined;
}

function parseArgs(args: readonly string[]): EvalArgs | "help" {
  let expression: string | undefined;
  let user: string | undefined;
  let now: string | undefined;
  let onlyPositional = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const option = !onlyPositional && arg.startsWith("--") ? arg : undefined;
    if (!onlyPositional && (arg === "-h" || arg === "--help")) return "help";
    if (option === "--") {
      onlyPositional = true;
      continue;
    }
    if (option !== undefined) {
      const eq = option.indexOf("=");
      const name = eq >= 0 ? option.slice(0, eq) : option;
      if (name !== "--user" && name !== "--now") throw new UsageError(`unknown option ${name}`);
      let value: string | undefined;
      if (eq >= 0) value = option.slice(eq + 1);
      else {
        value = args[i + 1];
        if (value === undefined) throw new UsageError(`${name} needs a value`);
        i++;
      }
      if (name === "--user") {
        if (user !== undefined) throw new UsageError("--user given twice");
        user = value;
      } else {
        if (now !== undefined) throw new UsageError("--now given twice");
        now = value;
      }
      continue;
    }
    if (expression !== undefined) throw new UsageError("give exactly one expression (quote it as one argument)");
    expression = arg;
  }
  if (expression === undefined) throw new UsageError("missing EXPR");
  return { expression, user, now };
}

/** Converts a JSON value to what the evaluator reads for an attribute. */
function attributeValue(name: string, v: unknown): string | string[] | null {
  if (v === null) return null;
  if (typeof v === "string") return v;
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "number") return String(v);
  if (Array.isArray(v)) {
    return v.map((item, i) => {
      const converted = item === null ? null : Array.isArray(item) ? undefined : attributeValue(`${name}[${i}]`, item);
      if (typeof converted !== "string") throw new UsageError(`--user: ${name}[${i}] must be a string, boolean or number`);
      return converted;
    });
  }
  throw new UsageError(`--user: attribute ${name} must be a string, an array of strings, a boolean, a number or null`);
}

function readUser(spec: string | undefined): SourceRecord {
  if (spec === undefined) return {};
  let text = spec;
  if (spec.startsWith("@")) {
    const file = spec.slice(1);
    try {
      text = readFileSync(file, "utf8");
    } catch (e) {
      throw new UsageError(`--user: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--user: not valid JSON: ${(e as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new UsageError("--user must be a JSON object of attribute names to values");
  }
  const user: Record<string, string | string[] | null> = {};
  for (const [name, value] of Object.entries(parsed)) user[name] = attributeValue(name, value);
  return user;
}

function readNow(spec: string | undefined): (() => Date) | undefined {
  if (spec === undefined) return undefined;
  const parsed = parseDateTime(spec);
  if (parsed === undefined || !/^\d{4}-\d{2}-\d{2}/.test(spec.trim())) {
    throw new UsageError(`--now: "${spec}" is not an ISO 8601 date-time (e.g. 2024-05-01T12:00:00Z)`);
  }
  const date = toJsDate(parsed);
  return () => new Date(date.getTime());
}

export async function evalCommand(args: string[], io: EvalIO): Promise<number> {
  let parsedArgs: EvalArgs | "help";
  let user: SourceRecord;
  let now: (() => Date) | undefined;
  try {
    parsedArgs = parseArgs(args);
    if (parsedArgs === "help") {
      io.stdout(`${USAGE}\n`);
      return 0;
    }
    user = readUser(parsedArgs.user);
    now = readNow(parsedArgs.now);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`scimops eval: ${e.message}\n${USAGE}\n`);
      return 2;
    }
    throw e;
  }
  const text = parsedArgs.expression;
  try {
    const compiled = compileExpression(parseExpression(text), now ? { now } : {});
    const result = compiled(user);
    io.stdout(`${JSON.stringify({ value: result.value, flows: result.flows })}\n`);
    return 0;
  } catch (e) {
    if (e instanceof ExpressionError) {
      io.stderr(`${e.withText(text).format()}\n`);
      return 2;
    }
    throw e;
  }
}
