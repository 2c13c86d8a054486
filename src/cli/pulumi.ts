/**
 * `scimops up` and `scimops drift`: thin wrappers over the Pulumi CLI.
 *
 * - up: `pulumi up`, then prints what no API can do (e.g. Okta's SCIM connection of a custom app) from
 *   the stack's `apps` output, so the person running it sees the remaining clicks with exact values.
 * - drift: the read-only check CI runs on a schedule: `pulumi preview --refresh --expect-no-changes`;
 *   exit status non-zero when Entra no longer matches the files, and Graph sees no writes either way.
 */
import { spawn } from "node:child_process";
import type { CliIO } from "./io";
import { join } from "node:path";
import { existsSync } from "node:fs";
import { formatDiagnostic, type Diagnostic } from "../spec/diagnostics";
import { listAppFiles, loadProject, projectRoot } from "../spec/project";
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

export type Spawn = (args: string[], capture: boolean) => Promise<{ code: number; stdout: string }>;

const runPulumi: Spawn = (args, capture) =>
  new Promise((resolve, reject) => {
    const child = spawn("pulumi", args, { stdio: ["inherit", capture ? "pipe" : "inherit", "inherit"] });
    let stdout = "";
    child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.on("error", (err) => reject(new Error(`cannot run pulumi (${err.message}); install it, or run \`bash scripts/ensure-pulumi.sh\` and put the directory it prints on PATH`)));
    child.on("close", (code) => resolve({ code: code ?? 1, stdout }));
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

export async function upCommand(args: string[], io: CliIO, run: Spawn = runPulumi, preflight: Preflight = secretPreflight): Promise<number> {
  const { stack, rest } = stackArgs(args);
  const target = stack ? ["--stack", stack] : [];
  // A token of the wrong shape is refused before `pulumi up` sends it to Graph (and the target) at all.
  if (stack) {
    const problems = await preflight(stack);
    for (const p of problems) io.stderr(formatDiagnostic(p));
    if (problems.some((p) => p.severity === "error")) return 1;
  }
  const up = await run(["up", ...target, ...rest], false);
  if (up.code !== 0) return up.code;
  const outputs = await run(["stack", "output", "--json", ...target], true);
  if (outputs.code !== 0) return outputs.code;
  const text = manualStepsText({ apps: (JSON.parse(outputs.stdout || "{}") as { apps?: unknown }).apps });
  if (text) io.stdout(`\nManual steps left:\n\n${text}`);
  return 0;
}

export async function driftCommand(args: string[], io: CliIO, run: Spawn = runPulumi): Promise<number> {
  const { stack, rest } = stackArgs(args);
  const result = await run(["preview", "--refresh", "--expect-no-changes", "--diff", "--non-interactive", ...(stack ? ["--stack", stack] : []), ...rest], false);
  io.stderr(result.code === 0 ? "no drift: Entra matches the mapping files" : "drift (or an error): Entra differs from the mapping files — the preview above names each resource and field");
  return result.code;
}
