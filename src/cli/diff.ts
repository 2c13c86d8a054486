/**
 * `scimops diff [--base REV] [--users FILE] [--stack ENV] [--format markdown|json]`: what a change to the
 * mapping files does, for a pull request — the mapping rows and settings that change in Entra, and every
 * sample user whose provisioning changes (scope, the POST body, violations), base revision vs the working tree.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadAppText, type LoadedApp } from "../spec/load";
import { checkApp } from "../spec/check";
import { formatDiagnostic } from "../spec/diagnostics";
import { projectRoot } from "../spec/root";
import { diffApps, type AppDiff } from "../plan/diff";
import type { AppPlan } from "../plan/types";
import { AppPreviewer, type GroupChange, groupChanges, loadPreviewProject, policyChanges, readUsersFile, sampleUsers, type PreviewProject, type SampleUser, type UserPreview } from "../preview";
import type { CliIO } from "./io";

export interface UserChange {
  userPrincipalName: string;
  changes: string[];
}

export async function diffCommand(args: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { base: { type: "string", default: "origin/main" }, users: { type: "string" }, stack: { type: "string", default: "dev" }, format: { type: "string", default: "markdown" } },
    strict: true,
  });
  if (values.format !== "markdown" && values.format !== "json") {
    io.stderr("usage: scimops diff [--base REV] [--users FILE] [--stack ENV] [--format markdown|json]");
    return 2;
  }
  const root = projectRoot();
  let project: PreviewProject;
  let baseApps: Map<string, LoadedApp>;
  try {
    project = loadPreviewProject(root, { stack: values.stack });
    baseApps = loadAppsAtRevision(root, values.base!);
  } catch (err) {
    io.stderr(`scimops: ${(err as Error).message}`);
    return 1;
  }
  const errors = project.diagnostics.filter((d) => d.severity === "error");
  if (errors.length) {
    for (const d of errors) io.stderr(formatDiagnostic(d));
    return 1;
  }
  const headPlans = new Map(project.plans.map((plan) => [plan.name, plan]));
  const basePlans = new Map([...baseApps].map(([name, app]) => [name, project.compile(app)]));
  const appDiffs = diffApps(basePlans, headPlans);
  const users = await collectUsers(values.users ?? join(root, "examples", "users.json"));
  const report = appDiffs.map((d) => ({
    ...d,
    users: d.status === "changed" ? userChanges(basePlans.get(d.app)!, headPlans.get(d.app)!, users, project.config) : [],
    groups: d.status === "changed" ? groupChanges(basePlans.get(d.app)!, headPlans.get(d.app)!, users, { config: project.config }) : [],
  }));
  io.stdout(values.format === "json" ? JSON.stringify({ base: values.base, apps: report }) : renderMarkdown(values.base!, report));
  return 0;
}

/** The app files as they were at `rev` (git), loaded and checked the same way as the working tree's. */
function loadAppsAtRevision(root: string, rev: string): Map<string, LoadedApp> {
  const git = (...args: string[]) => execFileSync("git", args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  try {
    git("rev-parse", "--verify", `${rev}^{commit}`);
  } catch {
    throw new Error(`unknown revision \`${rev}\` (give --base a branch, tag or commit)`);
  }
  const files = git("ls-tree", "--name-only", rev, "mappings/").split("\n").filter((f) => /\.ya?ml$/.test(f));
  const apps = new Map<string, LoadedApp>();
  for (const file of files) {
    const result = loadAppText(join(root, file), git("show", `${rev}:${file}`));
    // A base file that no longer validates is compared as absent: the head side is what gets applied.
    if (result.ok && !checkApp(result.app).some((d) => d.severity === "error")) apps.set(result.app.spec.name, result.app);
  }
  return apps;
}

async function collectUsers(file: string): Promise<SampleUser[]> {
  const users: SampleUser[] = [];
  for await (const user of sampleUsers(readUsersFile(file))) users.push(user);
  return users;
}

export function userChanges(base: AppPlan, head: AppPlan, users: readonly SampleUser[], config: Record<string, string>): UserChange[] {
  if (!base.entra || !head.entra) return [];
  const fixed = { now: () => new Date("2026-01-01T00:00:00Z"), random: () => 0.5, config };
  const before = new AppPreviewer(base, fixed);
  const after = new AppPreviewer(head, fixed);
  const out: UserChange[] = [];
  for (const user of users) {
    const changes = compareUser(before.preview(user), after.preview(user));
    if (changes.length) out.push({ userPrincipalName: user.userPrincipalName, changes });
  }
  return out;
}

function compareUser(x: UserPreview, y: UserPreview): string[] {
  const changes: string[] = [];
  if (x.inScope !== y.inScope) changes.push(y.inScope ? "now provisioned" : "no longer provisioned (deprovisioned)");
  const a = flatten(x.body ?? {});
  const b = flatten(y.body ?? {});
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    if (key.startsWith("meta") || key.startsWith("schemas")) continue;
    const v1 = a.get(key);
    const v2 = b.get(key);
    if (v1 !== v2) changes.push(`${key}: ${v1 ?? "(not sent)"} → ${v2 ?? "(not sent)"}`);
  }
  const rules = (p: UserPreview) => new Set(p.violations.map((v) => `${v.rule}: ${v.message}`));
  const r1 = rules(x);
  const r2 = rules(y);
  for (const v of r2) if (!r1.has(v)) changes.push(`new violation ✗ ${v}`);
  for (const v of r1) if (!r2.has(v)) changes.push(`fixed ✓ ${v}`);
  changes.push(...policyChanges(x, y));
  return changes;
}

function flatten(value: unknown, prefix = "", out = new Map<string, string>()): Map<string, string> {
  if (Array.isArray(value)) value.forEach((v, i) => flatten(v, `${prefix}[${describeItem(v, i)}]`, out));
  else if (value !== null && typeof value === "object") for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  else out.set(prefix, JSON.stringify(value));
  return out;
}

/** Multi-valued SCIM items are named by their type (`emails[work]`), as Entra addresses them. */
function describeItem(item: unknown, index: number): string {
  const type = item && typeof item === "object" ? (item as { type?: unknown }).type : undefined;
  return typeof type === "string" ? type : String(index);
}

function renderMarkdown(base: string, report: (AppDiff & { users: UserChange[]; groups?: GroupChange[] })[]): string {
  const lines = [`## scimops: mapping changes against \`${base}\``, ""];
  const changed = report.filter((r) => r.status !== "unchanged");
  if (!changed.length) return [...lines, "No app's provisioning changes."].join("\n");
  for (const app of changed) {
    lines.push(`### ${app.displayName} (${app.app}) — ${app.status}`, "");
    if (app.changes.length) {
      lines.push("| where | change | before | after |", "|---|---|---|---|");
      for (const c of app.changes) lines.push(`| ${cell(c.where)} | ${c.kind} | ${cell(c.before ?? "")} | ${cell(c.after ?? "")} |`);
      lines.push("");
    }
    if (app.users.length) {
      lines.push(`${app.users.length} sample user(s) change:`, "");
      for (const u of app.users) lines.push(`- **${u.userPrincipalName}**: ${u.changes.map(cell).join("; ")}`);
      lines.push("");
    } else if (app.status === "changed") {
      lines.push("No sample user's provisioning changes.", "");
    }
    if (app.groups?.length) {
      lines.push(`${app.groups.length} group(s) change:`, "");
      for (const g of app.groups) lines.push(`- **${g.group}**: ${g.changes.map(cell).join("; ")}`);
      lines.push("");
    }
  }
  return lines.join("\n");
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}
