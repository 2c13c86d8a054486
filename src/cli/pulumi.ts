/**
 * `scimops up`, and what it shares with `scimops drift` (./drift): running the Pulumi CLI.
 *
 * - up: validates the files (a mistake is printed once as `FILE:LINE:COL: error: … — fix` and Pulumi is
 *   not started), runs `pulumi up`, then prints what no API can do (e.g. Okta's SCIM connection of a custom
 *   app) from the stack's `apps` output, so the person running it sees the remaining clicks with exact values.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join, relative } from "node:path";
import { formatDiagnostic, type Diagnostic } from "../spec/diagnostics";
import { listAppFiles, listStackFiles, loadProject, projectRoot } from "../spec/project";
import type { CliIO } from "./io";
import { checkSecretFormats } from "../spec/check-secrets";
import { stackSecretReveal } from "./secrets";

/** Checks run on a stack before `pulumi up`. */
export type Preflight = (stack: string) => Promise<Diagnostic[]>;

/** The stack's secrets have their documented formats (see spec/check-secrets.ts). */
export const secretPreflight: Preflight = async (stack) => {
  const root = projectRoot();
  const stackFile = join(root, "stacks", `Pulumi.${stack}.yaml`);
  if (!existsSync(stackFile)) return [];
  const { apps, stacks } = loadProject([], [stackFile], listAppFiles(root));
  return stacks.length ? checkSecretFormats(stacks[0]!, apps, stackSecretReveal(stacks[0]!, root)) : [];
};

export interface SpawnOptions {
  /** Which output to collect instead of passing it through to the terminal. */
  capture?: "stdout" | "both";
}
export type Spawn = (args: string[], options?: SpawnOptions) => Promise<{ code: number; stdout: string; stderr?: string }>;

/** The Pulumi CLI could not be started (not installed, not on PATH). */
export class PulumiMissing extends Error {}

export const runPulumi: Spawn = (args, options = {}) =>
  new Promise((resolve, reject) => {
    const child = spawn("pulumi", args, { stdio: ["inherit", options.capture ? "pipe" : "inherit", options.capture === "both" ? "pipe" : "inherit"] });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", (err) => reject(new PulumiMissing(`cannot run pulumi (${err.message}); install it, or run \`bash scripts/ensure-pulumi.sh\` and put the directory it prints on PATH`)));
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });

/** The manual steps each app's components exported, as printable text (empty when there are none). */
export function manualStepsText(outputs: unknown): string {
  const apps = (outputs as { apps?: Record<string, { okta?: { manualSteps?: string[] } }> })?.apps ?? {};
  const sections: string[] = [];
  for (const [name, app] of Object.entries(apps)) {
    const steps = app?.okta?.manualSteps ?? [];
    if (steps.length) sections.push([`${name} (Okta) — do these in the Okta Admin Console:`, ...steps.map((s, i) => `  ${i + 1}. ${s}`)].join("\n"));
  }
  return sections.join("\n\n");
}

/** Takes `--stack ENV` (or `-s ENV`, `--stack=ENV`) out; everything else goes to pulumi unchanged. */
export function stackArgs(args: string[]): { stack?: string; rest: string[] } {
  const rest: string[] = [];
  let stack: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--stack" || arg === "-s") stack = args[++i];
    else if (arg.startsWith("--stack=")) stack = arg.slice("--stack=".length);
    else rest.push(arg);
  }
  return { stack, rest };
}

/** The errors in the app files and the stack's file (every stack file when none is named), as printed lines. */
export function specErrors(root: string, stack: string | undefined): string[] {
  const stackFiles = stack ? listStackFiles(root).filter((f) => f === join(root, "stacks", `Pulumi.${stack}.yaml`)) : listStackFiles(root);
  const { diagnostics } = loadProject(listAppFiles(root), stackFiles);
  // Paths as `scimops validate` shows them: relative to where the command runs.
  return diagnostics.filter((d) => d.severity === "error").map((d) => formatDiagnostic({ ...d, file: relative(process.cwd(), d.file) || d.file }));
}

export async function upCommand(args: string[], io: CliIO, run: Spawn = runPulumi, preflight: Preflight = secretPreflight, root = projectRoot()): Promise<number> {
  try {
    return await up(args, io, run, preflight, root);
  } catch (err) {
    if (!(err instanceof PulumiMissing)) throw err;
    io.stderr(`scimops up: ${err.message}`);
    return 2;
  }
}

async function up(args: string[], io: CliIO, run: Spawn, preflight: Preflight, root: string): Promise<number> {
  const { stack, rest } = stackArgs(args);
  const errors = specErrors(root, stack);
  if (errors.length) {
    for (const line of errors) io.stderr(line);
    io.stderr(`scimops up: ${errors.length} error(s) in the files; nothing was sent to Pulumi`);
    return 1;
  }
  const target = stack ? ["--stack", stack] : [];
  // A token of the wrong shape is refused before `pulumi up` sends it to Graph (and the target) at all.
  if (stack) {
    const problems = await preflight(stack);
    for (const p of problems) io.stderr(formatDiagnostic(p));
    if (problems.some((p) => p.severity === "error")) return 1;
  }
  // Pulumi colours its output on its own; where ours is plain (a pipe, NO_COLOR), so is Pulumi's.
  const color = io.color?.stdout === false && !rest.some((a) => a.startsWith("--color")) ? ["--color", "never"] : [];
  const up = await run(["up", ...target, ...color, ...rest]);
  if (up.code !== 0) return up.code;
  const outputs = await run(["stack", "output", "--json", ...target], { capture: "stdout" });
  if (outputs.code !== 0) return outputs.code;
  const text = manualStepsText({ apps: (JSON.parse(outputs.stdout || "{}") as { apps?: unknown }).apps });
  if (text) io.stdout(`\nManual steps left:\n\n${text}`);
  return 0;
}
