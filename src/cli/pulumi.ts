/**
 * `scimops up`, and what it shares with `scimops drift` (./drift): running the Pulumi CLI.
 *
 * - up: validates the files (a mistake is printed once as `FILE:LINE:COL: error: … — fix` and Pulumi is
 *   not started), checks the stack's token formats, runs `pulumi up`, then prints what no API can do
 *   (Okta's SCIM connection of a custom app), compiled from the files for the stack, for every Okta app still
 *   in `okta.provisioning: pending` — and for every Okta app when `pulumi up` failed, since the first run of
 *   phase 2 fails exactly when those steps were skipped.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join, relative } from "node:path";
import { formatDiagnostic, type Diagnostic } from "../spec/diagnostics";
import { listAppFiles, listStackFiles, loadProject, projectRoot } from "../spec/project";
import type { LoadedStack } from "../spec/stack";
import type { CliIO } from "./io";
import { checkSecretFormats } from "../spec/check-secrets";
import { stackSecretReveal } from "./secrets";
import { compileApp } from "../plan/compile";
import { oktaManualSteps } from "../plan/runbook";

/** The app files and stack files `up` works from, loaded once. */
type ProjectFiles = ReturnType<typeof loadProject>;

/** Checks run on a stack before `pulumi up`. */
export type Preflight = (stack: LoadedStack, apps: ProjectFiles["apps"], root: string) => Promise<Diagnostic[]>;

/** The stack's secrets have their documented formats (see spec/check-secrets.ts). */
export const secretPreflight: Preflight = (stack, apps, root) => checkSecretFormats(stack, apps, stackSecretReveal(stack, root));

const stackFileOf = (root: string, stack: string) => join(root, "stacks", `Pulumi.${stack}.yaml`);

/** Every app file, and the named stack's file (every stack file when none is named). */
function loadFiles(root: string, stack: string | undefined): ProjectFiles {
  const apps = listAppFiles(root);
  const stackFiles = stack ? [stackFileOf(root, stack)].filter((f) => existsSync(f)) : listStackFiles(root);
  return loadProject(apps, stackFiles, apps);
}

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

/**
 * The Okta Admin Console steps for the stack, from its files: apps still pending, or every Okta app when
 * `pulumi up` failed (a failed first run never wrote outputs, so the plan is the only source).
 */
export function planManualSteps(files: ProjectFiles, root: string, stack: string, upFailed: boolean): { text: string; errors: string[] } {
  const loaded = files.stacks.find((s) => s.file === stackFileOf(root, stack));
  if (!loaded) return { text: "", errors: [`no stacks/Pulumi.${stack}.yaml, so no manual steps to show`] };
  const sections: string[] = [];
  for (const entry of loaded.settings.apps) {
    const app = files.apps.get(entry.name);
    if (!app) continue;
    const plan = compileApp(app, { cloud: loaded.settings.cloud, stackApp: entry });
    const okta = plan.okta;
    if (!okta || (okta.provisioning === "enabled" && !upFailed)) continue;
    const why = okta.provisioning === "pending" ? "provisioning pending" : "provisioning enabled in the stack, but `pulumi up` failed: check these were done";
    const steps = oktaManualSteps(plan, okta, stack);
    sections.push([`${plan.name} (Okta, ${why}) — do these in the Okta Admin Console:`, ...steps.map((s, i) => `  ${i + 1}. ${s}`)].join("\n"));
  }
  return { text: sections.join("\n\n"), errors: [] };
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

/** The errors in the loaded files, as printed lines. */
function specErrors(files: ProjectFiles): string[] {
  // Paths as `scimops validate` shows them: relative to where the command runs.
  return files.diagnostics.filter((d) => d.severity === "error").map((d) => formatDiagnostic({ ...d, file: relative(process.cwd(), d.file) || d.file }));
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
  const files = loadFiles(root, stack);
  const errors = specErrors(files);
  if (errors.length) {
    for (const line of errors) io.stderr(line);
    io.stderr(`scimops up: ${errors.length} error(s) in the files; nothing was sent to Pulumi`);
    return 1;
  }
  const target = stack ? ["--stack", stack] : [];
  // A token of the wrong shape is refused before `pulumi up` sends it to Graph (and the target) at all.
  const named = stack ? files.stacks[0] : undefined;
  if (named) {
    const problems = await preflight(named, files.apps, root);
    for (const p of problems) io.stderr(formatDiagnostic(p));
    if (problems.some((p) => p.severity === "error")) return 1;
  }
  // Pulumi colours its output on its own; where ours is plain (a pipe, NO_COLOR), so is Pulumi's.
  const color = io.color?.stdout === false && !rest.some((a) => a.startsWith("--color")) ? ["--color", "never"] : [];
  const result = await run(["up", ...target, ...color, ...rest]);
  const name = stack ?? (await currentStack(run));
  if (name) {
    const { text, errors: planErrors } = planManualSteps(files, root, name, result.code !== 0);
    for (const e of planErrors) io.stderr(e);
    if (text) io.stdout(`\nManual steps left:\n\n${text}`);
  } else {
    io.stderr("scimops: no stack selected (pass --stack ENV), so the Okta manual steps are not shown");
  }
  return result.code;
}

/** The selected stack's short name (`org/project/dev` → `dev`), as `pulumi stack --show-name` prints it. */
async function currentStack(run: Spawn): Promise<string | undefined> {
  const shown = await run(["stack", "--show-name"], { capture: "stdout" });
  const name = shown.stdout.trim().split("/").pop();
  return shown.code === 0 && name ? name : undefined;
}
