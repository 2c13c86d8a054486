/**
 * `scimops runbook --app NAME --idp okta|onelogin|jumpcloud|google [--stack ENV] [--format text|json]`: setup
 * steps from the app's spec. `--format json` prints `{"app", "idp", "method", "steps": [...]}`.
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { compileApp } from "../plan/compile";
import { formatRunbook, runbookSteps, type RunbookIdp } from "../plan/runbook";
import { loadProject, listAppFiles } from "../spec/project";
import { projectRoot } from "../spec/root";
import { formatDiagnostic } from "../spec/diagnostics";
import type { CliIO } from "./io";

const IDPS: readonly RunbookIdp[] = ["okta", "onelogin", "jumpcloud", "google"];

export async function runbookCommand(args: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({ args, options: { app: { type: "string" }, idp: { type: "string" }, stack: { type: "string", default: "dev" }, format: { type: "string", default: "text" } }, strict: true });
  if (!values.app || !values.idp || !IDPS.includes(values.idp as RunbookIdp) || (values.format !== "text" && values.format !== "json")) {
    io.stderr(`usage: scimops runbook --app NAME --idp ${IDPS.join("|")} [--stack ENV] [--format text|json]`);
    return 2;
  }
  const root = projectRoot();
  const stackFile = join(root, "stacks", `Pulumi.${values.stack}.yaml`);
  const { apps, stacks, diagnostics } = loadProject(listAppFiles(root).filter((f) => f.endsWith(`/${values.app}.yaml`)), [stackFile], listAppFiles(root));
  const errors = diagnostics.filter((d) => d.severity === "error");
  const app = apps.get(values.app);
  if (errors.length || !app) {
    for (const d of errors) io.stderr(formatDiagnostic(d));
    if (!app) io.stderr(`scimops: no valid app \`${values.app}\` in mappings/`);
    return 1;
  }
  // The stack supplies the tenant-URL parameters (e.g. IronWifi's region), so the steps carry real values.
  const stackApp = stacks[0]?.settings.apps.find((a) => a.name === values.app);
  const plan = compileApp(app, { stackApp: stackApp ? { ...stackApp, idps: ["entra", "okta"] } : undefined });
  try {
    const idp = values.idp as RunbookIdp;
    io.stdout(values.format === "json" ? JSON.stringify({ app: plan.name, idp, ...runbookSteps(plan, idp, values.stack) }) : formatRunbook(plan, idp, values.stack));
    return 0;
  } catch (err) {
    io.stderr(`scimops: ${(err as Error).message}`);
    return 1;
  }
}
