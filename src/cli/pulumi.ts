/**
 * `scimops up` and `scimops drift`: thin wrappers over the Pulumi CLI.
 *
 * - up: `pulumi up`, then prints what no API can do (Okta's SCIM connection of a custom app), compiled from
 *   the files for the stack, for every Okta app still in `okta.provisioning: pending` — and for every Okta app
 *   when `pulumi up` failed, since the first run of phase 2 fails exactly when those steps were skipped.
 * - drift: the read-only check CI runs on a schedule: `pulumi preview --refresh --expect-no-changes`;
 *   exit status non-zero when Entra no longer matches the files, and Graph sees no writes either way.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { CliIO } from "./io";
import { compileApp } from "../plan/compile";
import { oktaManualSteps } from "../plan/runbook";
import { listAppFiles, loadProject, projectRoot } from "../spec/project";
import { formatDiagnostic } from "../spec/diagnostics";

export type Spawn = (args: string[], capture: boolean) => Promise<{ code: number; stdout: string }>;

const runPulumi: Spawn = (args, capture) =>
  new Promise((resolve, reject) => {
    const child = spawn("pulumi", args, { stdio: ["inherit", capture ? "pipe" : "inherit", "inherit"] });
    let stdout = "";
    child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.on("error", (err) => reject(new Error(`cannot run pulumi (${err.message}); install it, or run \`bash scripts/ensure-pulumi.sh\` and put the directory it prints on PATH`)));
    child.on("close", (code) => resolve({ code: code ?? 1, stdout }));
  });

/**
 * The Okta Admin Console steps for the stack, from its files: apps still pending, or every Okta app when
 * `pulumi up` failed (a failed first run never wrote outputs, so the plan is the only source).
 */
export function planManualSteps(root: string, stack: string, upFailed: boolean): { text: string; errors: string[] } {
  const stackFile = join(root, "stacks", `Pulumi.${stack}.yaml`);
  if (!existsSync(stackFile)) return { text: "", errors: [`no stacks/Pulumi.${stack}.yaml, so no manual steps to show`] };
  const all = listAppFiles(root);
  const { apps, stacks, diagnostics } = loadProject(all, [stackFile], all);
  const errors = diagnostics.filter((d) => d.severity === "error").map(formatDiagnostic);
  const sections: string[] = [];
  for (const entry of stacks[0]?.settings.apps ?? []) {
    const app = apps.get(entry.name);
    if (!app) continue;
    const plan = compileApp(app, { cloud: stacks[0]!.settings.cloud, stackApp: entry });
    const okta = plan.okta;
    if (!okta || (okta.provisioning === "enabled" && !upFailed)) continue;
    const why = okta.provisioning === "pending" ? "provisioning pending" : "provisioning enabled in the stack, but `pulumi up` failed: check these were done";
    const steps = oktaManualSteps(plan, okta, stack);
    sections.push([`${plan.name} (Okta, ${why}) — do these in the Okta Admin Console:`, ...steps.map((s, i) => `  ${i + 1}. ${s}`)].join("\n"));
  }
  return { text: sections.join("\n\n"), errors };
}

/** Takes `--stack ENV` (or `-s ENV`, `--stack=ENV`) out; everything else goes to pulumi unchanged. */
function stackArgs(args: string[]): { stack?: string; rest: string[] } {
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

export async function upCommand(args: string[], io: CliIO, run: Spawn = runPulumi, root = projectRoot()): Promise<number> {
  const { stack, rest } = stackArgs(args);
  const up = await run(["up", ...(stack ? ["--stack", stack] : []), ...rest], false);
  const name = stack ?? (await currentStack(run));
  if (name) {
    const { text, errors } = planManualSteps(root, name, up.code !== 0);
    for (const e of errors) io.stderr(e);
    if (text) io.stdout(`\nManual steps left:\n\n${text}`);
  } else {
    io.stderr("scimops: no stack selected (pass --stack ENV), so the Okta manual steps are not shown");
  }
  return up.code;
}

/** The selected stack's short name (`org/project/dev` → `dev`), as `pulumi stack --show-name` prints it. */
async function currentStack(run: Spawn): Promise<string | undefined> {
  const shown = await run(["stack", "--show-name"], true);
  const name = shown.stdout.trim().split("/").pop();
  return shown.code === 0 && name ? name : undefined;
}

export async function driftCommand(args: string[], io: CliIO, run: Spawn = runPulumi): Promise<number> {
  const { stack, rest } = stackArgs(args);
  const result = await run(["preview", "--refresh", "--expect-no-changes", "--diff", "--non-interactive", ...(stack ? ["--stack", stack] : []), ...rest], false);
  io.stderr(result.code === 0 ? "no drift: Entra matches the mapping files" : "drift (or an error): Entra differs from the mapping files — the preview above names each resource and field");
  return result.code;
}
