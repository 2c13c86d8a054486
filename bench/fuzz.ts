// Fuzzing (issue 20 item 2): generated and mutated expressions through parse → print → parse → print →
// compile → evaluate, and mutated mapping and stack files through the validator. Bounded by count AND
// time; prints one JSON line with the counts actually reached. Nothing here is asserted: a crash (any
// throw other than an ExpressionError / a diagnostic list), a hang (an input slower than --hang-ms) or a
// round-trip mismatch is counted, and the first few inputs are printed on stderr.
// Run: npx tsx bench/fuzz.ts [--count N] [--yaml-count N] [--seconds S] [--hang-ms MS] [--seed N]

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import fc from "fast-check";
import { compileExpression, type Expr, exprEquals, isExpressionError, printExpression, type SourceRecord, tryParseExpression } from "../src/expression";
import { checkApp } from "../src/spec/check";
import { checkStack } from "../src/spec/check-stack";
import { loadAppText } from "../src/spec/load";
import { listAppFiles, listStackFiles, loadProject } from "../src/spec/project";
import { loadStackFile } from "../src/spec/stack";
import { expressionLikeText, expressionTree, user } from "../test/expression/arbitraries";
import { seededRandom } from "./users";

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${name} needs a non-negative number`);
  return v;
}

const MAX_EXPRESSIONS = flag("count", 1_000_000);
const MAX_YAML = flag("yaml-count", 20_000);
const SECONDS = flag("seconds", 50);
const HANG_MS = flag("hang-ms", 1000);
const SEED = flag("seed", 20);
/** Share of the time budget the expression phase may use; the YAML phase gets the rest. */
const EXPRESSION_SHARE = 0.75;
const BATCH = 1000;
const KEEP_FINDINGS = 5;

let random = seededRandom(SEED);
const below = (n: number): number => Math.floor(random() * n);
const pick = <T>(items: readonly T[]): T => items[below(items.length)] as T;

interface Finding {
  stage: string;
  input: string;
  error: string;
}
const findings: Record<"crashes" | "roundTrips" | "hangs" | "yamlCrashes" | "yamlHangs" | "yamlWarnings", Finding[]> = {
  crashes: [],
  roundTrips: [],
  hangs: [],
  yamlCrashes: [],
  yamlHangs: [],
  yamlWarnings: [],
};
function keep(list: Finding[], finding: Finding): void {
  if (list.length < KEEP_FINDINGS) list.push(finding);
}
const describe = (e: unknown): string => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));

// ---------------------------------------------------------------------------------------------
// Text mutations, shared by expressions (characters) and YAML files (characters and lines).

const EXPRESSION_FRAGMENTS = ["(", ")", ",", "[", "]", '"', "\\", "&H", "=", "<>", " ", "\n", "Join(", "IIF(", "Replace(", "[a]", '"x"', "-", "1", "\u{1F600}"];
const YAML_FRAGMENTS = ["\t", "{", "}", "[", "]", ":", ": ", "- ", "&a ", "*a", "<<: *a", "'", '"', "#", "|", ">", "? ", "!!str ", "%YAML 1.2\n", "---\n", "...\n", "\u00e9", "\0", "\r"];

function mutateChars(text: string, fragments: readonly string[]): string {
  const at = below(text.length + 1);
  const len = 1 + below(Math.min(8, Math.max(1, text.length - at)));
  switch (below(5)) {
    case 0:
      return text.slice(0, at) + text.slice(at + len); // delete
    case 1:
      return text.slice(0, at + len) + text.slice(at, at + len) + text.slice(at + len); // duplicate
    case 2:
      return text.slice(0, at) + pick(fragments) + text.slice(at); // insert
    case 3: {
      const other = below(text.length + 1); // swap two characters
      const chars = [...text];
      const x = chars[at];
      const y = chars[other];
      if (x === undefined || y === undefined) return text.slice(0, at);
      chars[at] = y;
      chars[other] = x;
      return chars.join("");
    }
    default:
      return text.slice(0, at); // truncate
  }
}

function mutateLines(text: string): string {
  const lines = text.split("\n");
  const at = below(lines.length);
  const line = lines[at] ?? "";
  switch (below(6)) {
    case 0:
      lines.splice(at, 1); // delete a line
      break;
    case 1:
      lines.splice(at, 0, line); // duplicate a line (duplicate keys, repeated list items)
      break;
    case 2: {
      const other = below(lines.length); // swap two lines
      lines[at] = lines[other] ?? "";
      lines[other] = line;
      break;
    }
    case 3:
      lines[at] = (random() < 0.5 ? "\t" : " ") + line; // re-indent
      break;
    case 4:
      lines[at] = line.replace(/: /, pick([": &a ", ": *a ", ": {", ": [", ":: ", ": !!int ", ": ~ ", ": null # "])); // break a value
      break;
    default:
      lines.length = at; // truncate at a line
  }
  return lines.join("\n");
}

// ---------------------------------------------------------------------------------------------
// Expressions.

const FIXED_NOW = new Date("2026-01-01T00:00:00Z");
const users: SourceRecord[] = fc.sample(user, { seed: SEED, numRuns: 64 }) as SourceRecord[];
const counts = { expressions: 0, parsed: 0, parseErrors: 0, crashes: 0, hangs: 0, roundTripMismatches: 0, compileErrors: 0, evaluated: 0, evaluateErrors: 0, yamlFiles: 0, yamlCrashes: 0, yamlHangs: 0, yamlWarnings: 0 };
let maxInputMs = 0;

/** Parse → print → parse → print must be a fixed point with the same tree; then compile and evaluate. */
function fuzzExpression(text: string): void {
  let stage = "parse";
  try {
    const first = tryParseExpression(text);
    if (!first.ok) {
      counts.parseErrors++;
      return;
    }
    counts.parsed++;
    stage = "print";
    const printed = printExpression(first.expr);
    stage = "reparse";
    const second = tryParseExpression(printed);
    if (!second.ok) {
      counts.roundTripMismatches++;
      keep(findings.roundTrips, { stage, input: text, error: `printed ${JSON.stringify(printed)} does not parse: ${second.error.message}` });
      return;
    }
    const reprinted = printExpression(second.expr);
    if (reprinted !== printed || !exprEquals(first.expr, second.expr)) {
      counts.roundTripMismatches++;
      keep(findings.roundTrips, { stage, input: text, error: `printed ${JSON.stringify(printed)}, reprinted ${JSON.stringify(reprinted)}, same tree: ${exprEquals(first.expr, second.expr)}` });
    }
    stage = "compile";
    let evaluate;
    try {
      evaluate = compileExpression(first.expr, { now: () => FIXED_NOW, random: seededRandom(counts.expressions) });
    } catch (e) {
      if (!isExpressionError(e)) throw e;
      counts.compileErrors++;
      return;
    }
    stage = "evaluate";
    try {
      evaluate(users[counts.expressions % users.length] as SourceRecord);
      counts.evaluated++;
    } catch (e) {
      if (!isExpressionError(e)) throw e;
      counts.evaluateErrors++;
    }
  } catch (e) {
    counts.crashes++;
    keep(findings.crashes, { stage, input: text, error: describe(e) });
  }
}

function expressionBatch(batch: number): string[] {
  const seed = SEED * 1_000_003 + batch;
  const valid = fc.sample(expressionTree, { seed, numRuns: BATCH * 0.8 }).map((e: Expr) => printExpression(e));
  const near = fc.sample(expressionLikeText, { seed, numRuns: BATCH * 0.2 });
  // Half of the valid trees are fed as they are, half after 1–3 character mutations.
  const mutated = valid.map((text, i) => {
    if (i % 2 === 0) return text;
    let out = text;
    for (let m = 1 + below(3); m > 0; m--) out = mutateChars(out, EXPRESSION_FRAGMENTS);
    return out;
  });
  return [...mutated, ...near];
}

const start = performance.now();
const elapsedSeconds = (): number => (performance.now() - start) / 1000;
const timed = (run: () => void): number => {
  const t = performance.now();
  run();
  return performance.now() - t;
};

for (let batch = 0; counts.expressions < MAX_EXPRESSIONS && elapsedSeconds() < SECONDS * EXPRESSION_SHARE; batch++) {
  for (const text of expressionBatch(batch)) {
    if (counts.expressions >= MAX_EXPRESSIONS) break;
    counts.expressions++;
    const ms = timed(() => fuzzExpression(text));
    if (ms > maxInputMs) maxInputMs = ms;
    if (ms > HANG_MS) {
      counts.hangs++;
      keep(findings.hangs, { stage: "expression", input: text, error: `${Math.round(ms)} ms` });
    }
  }
}
const expressionSeconds = elapsedSeconds();

// ---------------------------------------------------------------------------------------------
// Mapping and stack files: mutated YAML through loadAppText + checkApp, and loadStackFile + checkStack.

const root = join(__dirname, "..");
const appFiles = listAppFiles(root);
const stackFiles = listStackFiles(root);
const { apps } = loadProject(appFiles, []);
const originals = [...appFiles.map((file) => ({ file, kind: "app" as const })), ...stackFiles.map((file) => ({ file, kind: "stack" as const }))].map((f) => ({
  ...f,
  text: readFileSync(f.file, "utf8"),
}));
const dir = mkdtempSync(join(tmpdir(), "scimops-fuzz-"));
let yamlMaxMs = 0;
let currentYaml: Finding | undefined;
// The yaml library reports some oddities (e.g. a collection used as a key) through process.emitWarning,
// i.e. on stderr instead of as a diagnostic: counted (synchronously, with the input that caused it).
(process as { emitWarning: (warning: string | Error, ...rest: unknown[]) => void }).emitWarning = (warning) => {
  counts.yamlWarnings++;
  if (currentYaml) keep(findings.yamlWarnings, { ...currentYaml, error: describe(warning) });
};

/** Diagnostics are the only acceptable outcome of bad input; anything thrown is a crash. */
function fuzzYaml(kind: "app" | "stack", file: string, text: string): void {
  if (kind === "app") {
    const loaded = loadAppText(file, text);
    if (loaded.ok) checkApp(loaded.app);
    return;
  }
  // The stack loader reads its file (it is what `validate` runs), so the mutant goes to a temporary copy.
  const copy = join(dir, basename(file));
  writeFileSync(copy, text);
  const loaded = loadStackFile(copy);
  if (loaded.ok) checkStack(loaded.stack, apps);
}

// A fresh stream for the YAML phase: its mutants do not depend on how many expressions the budget allowed.
random = seededRandom(SEED + 1);
try {
  while (counts.yamlFiles < MAX_YAML && elapsedSeconds() < SECONDS && originals.length > 0) {
    const original = pick(originals);
    let text = original.text;
    for (let m = 1 + below(4); m > 0; m--) text = random() < 0.5 ? mutateLines(text) : mutateChars(text, YAML_FRAGMENTS);
    counts.yamlFiles++;
    currentYaml = { stage: original.kind, input: `${basename(original.file)}:\n${text}`, error: "" };
    let crashed: unknown;
    const ms = timed(() => {
      try {
        fuzzYaml(original.kind, original.file, text);
      } catch (e) {
        crashed = e;
      }
    });
    if (crashed !== undefined) {
      counts.yamlCrashes++;
      keep(findings.yamlCrashes, { stage: original.kind, input: `${basename(original.file)}:\n${text}`, error: describe(crashed) });
    }
    if (ms > yamlMaxMs) yamlMaxMs = ms;
    if (ms > HANG_MS) {
      counts.yamlHangs++;
      keep(findings.yamlHangs, { stage: original.kind, input: `${basename(original.file)}:\n${text}`, error: `${Math.round(ms)} ms` });
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

for (const [kind, list] of Object.entries(findings)) {
  for (const f of list) console.error(`fuzz ${kind} (${f.stage}): ${f.error}\n  input: ${JSON.stringify(f.input)}`);
}
console.log(
  JSON.stringify({
    bench: "fuzz",
    ...counts,
    maxInputMs: Math.round(maxInputMs * 100) / 100,
    yamlMaxInputMs: Math.round(yamlMaxMs * 100) / 100,
    expressionSeconds: Math.round(expressionSeconds * 10) / 10,
    seconds: Math.round(elapsedSeconds() * 10) / 10,
    seed: SEED,
  }),
);
