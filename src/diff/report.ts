/** Base snapshot + head snapshot + sample users → the diff report, stack by stack and app by app. */
import { relative } from "node:path";
import { compileApp } from "../plan/compile";
import { diffPlans } from "../plan/diff";
import type { AppPlan } from "../plan/types";
import { sampleUsers, type UserSource } from "../preview";
import type { Diagnostic } from "../spec/diagnostics";
import { StackApp, type LoadedStack, type StackSettings } from "../spec/stack";
import { appConsequences, scopeExitOutcome } from "./consequences";
import { DIFF_SCHEMA_VERSION, type AppDiff, type DiffReport, type ReportDiagnostic, type StackDiff, type Status, type ValueChange } from "./model";
import type { Snapshot } from "./snapshot";
import { tallySides } from "./users";

export interface ReportInput {
  base: Snapshot;
  head: Snapshot;
  baseRevision: string;
  /** Stack names to compare (empty: every stack on either side). */
  stacks: readonly string[];
  /** The sample users, re-read for each app (a users file is streamed, never held). */
  users: UserSource;
}

/** Used when a project has no stack files: every app, with the file's own assignments. */
const NO_STACK = "(no stack)";

export class UnknownStackError extends Error {}

export function selectedStacks(base: Snapshot, head: Snapshot, wanted: readonly string[]): string[] {
  const known = [...new Set([...base.stacks.keys(), ...base.brokenStacks, ...head.stacks.keys(), ...head.brokenStacks])].sort();
  for (const name of wanted) {
    if (!known.includes(name)) throw new UnknownStackError(`stack \`${name}\` not found in stacks/ (stacks: ${known.join(", ") || "none"})`);
  }
  if (wanted.length) return [...new Set(wanted)];
  return known.length ? known : [NO_STACK];
}

/** The head's errors that block a diff: every app file's, and the selected stacks' files'. */
export function blockingErrors(head: Snapshot, stacks: readonly string[]): ReportDiagnostic[] {
  const stackFiles = new Set(stacks.map((s) => `Pulumi.${s}.yaml`));
  return head.diagnostics
    .filter((d) => d.severity === "error")
    .filter((d) => !relative(head.root, d.file).startsWith("stacks/") || stackFiles.has(relative(head.root, d.file).slice("stacks/".length)))
    .map((d) => relativeDiagnostic(head.root, d));
}

export function relativeDiagnostic(root: string, d: Diagnostic): ReportDiagnostic {
  return { file: relative(root, d.file) || d.file, line: d.line, column: d.column, severity: d.severity, message: d.message, ...(d.fix ? { fix: d.fix } : {}) };
}

export async function buildReport(input: ReportInput): Promise<DiffReport> {
  const stacks = selectedStacks(input.base, input.head, input.stacks);
  const report: DiffReport = { schemaVersion: DIFF_SCHEMA_VERSION, base: input.baseRevision, head: "working tree", ok: true, errors: [], notes: [], sampleUsers: 0, stacks: [] };
  const errors = blockingErrors(input.head, stacks);
  if (errors.length) return { ...report, ok: false, errors, sampleUsers: await countUsers(input.users) };
  for (const name of [...input.base.brokenApps].sort()) report.notes.push(`\`mappings/${name}.yaml\` has errors in \`${input.baseRevision}\`: compared as absent there.`);
  for (const name of stacks.filter((s) => input.base.brokenStacks.has(s))) report.notes.push(`\`stacks/Pulumi.${name}.yaml\` has errors in \`${input.baseRevision}\`: compared as absent there.`);
  const counted = { users: -1 };
  for (const name of stacks) report.stacks.push(await stackDiff(name, input, counted));
  // No app to pass the users through: count them.
  report.sampleUsers = counted.users < 0 ? await countUsers(input.users) : counted.users;
  return report;
}

/** One pass over the users, counting (and checking) them. */
async function countUsers(users: UserSource): Promise<number> {
  let n = 0;
  for await (const _ of sampleUsers(users())) n++;
  return n;
}

interface StackSide {
  stack: LoadedStack | undefined;
  entries: Map<string, StackApp>;
  config: Record<string, string>;
}

function side(snapshot: Snapshot, name: string): StackSide {
  if (name === NO_STACK) return { stack: undefined, entries: new Map([...snapshot.apps.keys()].map((app) => [app, StackApp.parse({ name: app })])), config: {} };
  const stack = snapshot.stacks.get(name);
  const config: Record<string, string> = {};
  for (const [key, value] of Object.entries(stack?.values ?? {})) if (typeof value === "string") config[key] = value;
  return { stack, entries: new Map((stack?.settings.apps ?? []).map((a) => [a.name, a])), config };
}

async function stackDiff(name: string, input: ReportInput, counted: { users: number }): Promise<StackDiff> {
  const base = side(input.base, name);
  const head = side(input.head, name);
  const status: Status = name === NO_STACK ? "changed" : !base.stack ? "added" : !head.stack ? "removed" : "changed";
  const settings = compareRecords(stackSettingsOf(base.stack?.settings), stackSettingsOf(head.stack?.settings));
  const values = compareRecords(valuesOf(base.stack), valuesOf(head.stack));
  const names = [...new Set([...base.entries.keys(), ...head.entries.keys()])].sort();
  const apps: AppDiff[] = [];
  for (const app of names) apps.push(await appDiff(app, base, head, input, counted));
  const anything = settings.length || values.length || apps.some((a) => a.status !== "unchanged");
  return { stack: name, file: name === NO_STACK ? "" : `stacks/Pulumi.${name}.yaml`, status: status === "changed" && !anything ? "unchanged" : status, settings, values, apps };
}

function stackSettingsOf(s: StackSettings | undefined): Record<string, string> {
  if (!s) return {};
  const { apps: _apps, ...rest } = s;
  return Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)]));
}

function valuesOf(stack: LoadedStack | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(stack?.values ?? {}).map(([k, v]) => [k, typeof v === "string" ? v : "(secret)"]));
}

function compareRecords(before: Readonly<Record<string, string>>, after: Readonly<Record<string, string>>, prefix = ""): ValueChange[] {
  const out: ValueChange[] = [];
  for (const key of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
    const x = before[key];
    const y = after[key];
    if (x === y) continue;
    out.push({ name: `${prefix}${key}`, kind: x === undefined ? "added" : y === undefined ? "removed" : "changed", ...(x !== undefined ? { before: x } : {}), ...(y !== undefined ? { after: y } : {}) });
  }
  return out;
}

function compile(snapshot: Snapshot, s: StackSide, app: string): AppPlan | undefined {
  const entry = s.entries.get(app);
  const loaded = snapshot.apps.get(app);
  if (!entry || !loaded) return undefined;
  return compileApp(loaded, { cloud: s.stack?.settings.cloud, stackApp: entry });
}

async function appDiff(app: string, base: StackSide, head: StackSide, input: ReportInput, counted: { users: number }): Promise<AppDiff> {
  const before = compile(input.base, base, app);
  const after = compile(input.head, head, app);
  const baseEntry = base.entries.get(app);
  const headEntry = head.entries.get(app);
  const stackEntry = baseEntry && headEntry && before
    ? [...compareRecords(baseEntry.parameters, headEntry.parameters, "parameters."), ...compareRecords({ idps: baseEntry.idps.join(", ") }, { idps: headEntry.idps.join(", ") })]
    : [];
  const changes = before && after ? diffPlans(before, after, { before: base.config, after: head.config }) : [];
  let status: Status = !before ? "added" : !after ? "removed" : "changed";
  // A removed app's users and groups are the appRemoved consequence's business.
  const removed = status === "removed";
  const tally = await tallySides({ plan: before, config: base.config }, { plan: after, config: head.config }, input.users, { head: after, changes: !removed });
  counted.users = tally.users;
  const groups = removed ? [] : tally.groups;
  const users = tally.changes;
  if (status === "changed" && !changes.length && !stackEntry.length && !tally.changed && !groups.length) status = "unchanged";
  const consequences = status === "unchanged"
    ? []
    : appConsequences({ status, base: before, head: after, baseStack: base.stack?.settings, headStack: head.stack?.settings, changes, settingsChanged: stackEntry.length > 0, users: tally });
  return {
    app,
    displayName: (after ?? before)?.displayName ?? app,
    status,
    stackEntry,
    changes,
    usersInScope: { ...tally.inScope },
    users,
    usersNotListed: tally.changed - users.length,
    groups,
    consequences,
    summary: {
      rowsChanged: changes.length + stackEntry.length,
      usersAffected: removed ? tally.inScope.before : tally.changed,
      groupsChanged: groups.length,
      resync: consequences.some((c) => c.kind === "resync"),
      newViolations: tally.newViolations,
    },
  };
}
