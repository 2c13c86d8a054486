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
import { loadStackFile, type LoadedStack } from "../spec/stack";
import type { CliIO } from "./io";
import { checkSecretFormats } from "../spec/check-secrets";
import { knownSecrets, stackSecretReveal } from "./secrets";
import { redact } from "../entra/helpers";
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
  /** Secrets to replace with [REDACTED] in everything pulumi prints (both streams are then piped, line by line). */
  redact?: readonly string[];
}
export type Spawn = (args: string[], options?: SpawnOptions) => Promise<{ code: number; stdout: string; stderr?: string }>;

/** The Pulumi CLI could not be started (not installed, not on PATH). */
export class PulumiMissing extends Error {}

/** A secret as it appears in text: itself, and JSON-escaped (Pulumi's JSON log lines). */
const secretForms = (secrets: readonly string[]) => secrets.flatMap((s) => [s, JSON.stringify(s).slice(1, -1)]);

export const runPulumi: Spawn = (args, options = {}) =>
  new Promise((resolve, reject) => {
    const filtered = options.redact !== undefined;
    const captured = (stream: "stdout" | "stderr") => options.capture === "both" || (stream === "stdout" && options.capture === "stdout");
    const piped = (stream: "stdout" | "stderr") => (filtered || captured(stream) ? "pipe" : "inherit");
    const child = spawn("pulumi", args, { stdio: ["inherit", piped("stdout"), piped("stderr")] });
    const forms = secretForms(options.redact ?? []);
    const collected = { stdout: "", stderr: "" };
    const pending = { stdout: "", stderr: "" };
    // Whole lines only, so a secret is never split between two writes.
    const emit = (stream: "stdout" | "stderr", text: string) => {
      const clean = filtered ? redact(text, forms) : text;
      if (captured(stream)) collected[stream] += clean;
      else process[stream].write(clean);
    };
    for (const stream of ["stdout", "stderr"] as const) {
      child[stream]?.on("data", (chunk: Buffer) => {
        const text = pending[stream] + chunk.toString("utf8");
        const cut = text.lastIndexOf("\n") + 1;
        pending[stream] = text.slice(cut);
        if (cut) emit(stream, text.slice(0, cut));
      });
    }
    child.on("error", (err) => reject(new PulumiMissing(`cannot run pulumi (${err.message}); install it, or run \`bash scripts/ensure-pulumi.sh\` and put the directory it prints on PATH`)));
    child.on("close", (code) => {
      for (const stream of ["stdout", "stderr"] as const) if (pending[stream]) emit(stream, pending[stream]);
      resolve({ code: code ?? 1, ...collected });
    });
  });

/** Pulumi's verbose-logging flags (`-v=9`, `--verbose 9`, `--logflow`, `--logtostderr`). */
export function verboseLogging(args: readonly string[]): boolean {
  return args.some((a) => /^(?:-v\d*|--verbose)(?:=.*)?$|^--log(?:flow|tostderr)$/.test(a));
}

/**
 * Pulumi's verbose log prints secret property values in plain text (3.259: its secret filter skips
 * values that are not strings, e.g. the token inside a resource's inputs). With a verbose flag, scimops
 * sends the log to stderr (no plain-text log files in TMPDIR) and redacts the stack's secrets from all
 * that pulumi prints.
 */
export async function verboseRun(args: string[], io: CliIO, stack: string | undefined, root: string, run: Spawn): Promise<{ args: string[]; options: SpawnOptions; stack?: string }> {
  if (!verboseLogging(args)) return { args, options: {}, ...(stack ? { stack } : {}) };
  const toStderr = args.includes("--logtostderr") ? [] : ["--logtostderr"];
  if (toStderr.length) io.stderr("scimops: Pulumi's verbose log goes to stderr, with the stack's secrets redacted (its log files would hold them in plain text)");
  // The stack whose secrets are redacted; handed back so the caller does not ask pulumi again.
  const name = stack ?? (await currentStack(run));
  const file = stackFileOf(root, name ?? "");
  const loaded = existsSync(file) ? loadStackFile(file) : undefined;
  return { args: [...args, ...toStderr], options: { redact: await knownSecrets(loaded?.ok ? loaded.stack : undefined, root) }, ...(name ? { stack: name } : {}) };
}

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
  const verbose = await verboseRun(["up", ...target, ...color, ...rest], io, stack, root, run);
  const result = await run(verbose.args, verbose.options);
  const name = verbose.stack ?? (await currentStack(run));
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
