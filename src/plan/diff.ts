/**
 * Plan comparison: what a change to the mapping or stack files changes in Entra, setting by setting and
 * mapping row by mapping row, named as the portal names them. Used by `scimops diff` (base vs head).
 *
 * Config references (`{ config: notificationEmail }`) are compared by the value each side's stack gives
 * them, so a changed stack value shows on the apps that read it.
 */
import { normalizeExpressionText } from "../expression";
import type { ScopingFilterSpec } from "../spec/schema";
import type { AppPlan, EntraPlan, PlannedAttribute, PlannedObjectMapping, StringOrConfigRef } from "./types";

export type ChangeArea = "app" | "settings" | "assignments" | "mapping" | "okta" | "target";

export interface PlanChange {
  area: ChangeArea;
  /** The object mapping a `mapping` change belongs to. */
  mapping?: "users" | "groups";
  /** What changed, in the portal's words (`Notification Email`, `Attribute Mapping › title`). */
  name: string;
  kind: "added" | "removed" | "changed";
  before?: string;
  after?: string;
  /**
   * Part of the synchronization schema (a mapping row, scoping filter, object mapping on/off, target
   * object actions): saving it starts a new initial cycle (how-provisioning-works.md, "A new initial cycle
   * is triggered because of a change in attribute mappings or scoping filters").
   */
  schema: boolean;
  /** Touches a matching attribute (Match objects using this attribute / Matching precedence). */
  matching: boolean;
}

/** The stack values each side resolves config references with. */
export interface ResolveContext {
  before: Readonly<Record<string, string>>;
  after: Readonly<Record<string, string>>;
}

const NO_CONFIG: ResolveContext = { before: {}, after: {} };

export function diffPlans(before: AppPlan, after: AppPlan, config: ResolveContext = NO_CONFIG): PlanChange[] {
  const out: PlanChange[] = [];
  if (before.entra || after.entra) diffEntra(before.entra, after.entra, config, out);
  if (!before.okta !== !after.okta) out.push(change("okta", "Okta app", before.okta ? "removed" : "added", before.okta?.label, after.okta?.label));
  else diffKeyed(out, "okta", "Okta", flattenValue(before.okta), flattenValue(after.okta));
  diffKeyed(out, "target", "Target rules", flattenValue(resolveTarget(before, config.before)), flattenValue(resolveTarget(after, config.after)));
  return out;
}

function diffEntra(before: EntraPlan | undefined, after: EntraPlan | undefined, config: ResolveContext, out: PlanChange[]): void {
  if (!before || !after) {
    out.push(change("app", "Entra provisioning", before ? "removed" : "added", before && enterpriseApp(before), after && enterpriseApp(after)));
    return;
  }
  const s1 = portalSettings(before, config.before);
  const s2 = portalSettings(after, config.after);
  for (const name of Object.keys(s1)) {
    const area: ChangeArea = name === "Enterprise application" ? "app" : "settings";
    if (s1[name] !== s2[name]) out.push(change(area, name, "changed", s1[name], s2[name]));
  }
  diffKeyed(out, "assignments", "Users and groups", assignmentsOf(before), assignmentsOf(after));
  diffKeyed(out, "settings", "Provision on demand", new Map(before.provisionOnDemand.map((p) => [p.user, "yes"])), new Map(after.provisionOnDemand.map((p) => [p.user, "yes"])));
  for (const key of [...new Set([...before.mappings, ...after.mappings].map((m) => m.key))]) {
    diffObjectMapping(key, before.mappings.find((m) => m.key === key), after.mappings.find((m) => m.key === key), out);
  }
}

/** The provisioning settings by their portal names (Provisioning → Admin Credentials, Settings, Mappings). */
function portalSettings(p: EntraPlan, config: Readonly<Record<string, string>>): Record<string, string> {
  return {
    "Enterprise application": enterpriseApp(p),
    "Tenant URL": p.tenantUrl ?? `${p.tenantUrlTemplate} (parameters not set)`,
    "Secret Token": `config \`${p.secretTokenKey}\``,
    Scope: p.syncAll ? "Sync all users and groups" : "Sync only assigned users and groups",
    "Send an email notification when a failure occurs": yesNo(p.notifications.enabled),
    "Notification Email": resolveRef(p.notifications.recipients, config) ?? "(none)",
    "Prevent accidental deletions": yesNo(p.deleteThreshold.enabled),
    "Accidental deletion threshold": String(p.deleteThreshold.value),
    // Not in the portal: the SkipOutOfScopeDeletions key of the synchronization secrets (skip-out-of-scope-deletions.md).
    SkipOutOfScopeDeletions: yesNo(p.skipOutOfScopeDeletions),
    "Provisioning Status": p.status === "on" ? "On" : "Off",
  };
}

function enterpriseApp(p: EntraPlan): string {
  return p.app.kind === "gallery" ? `${p.app.displayName} (gallery: ${p.app.galleryName})` : `${p.app.displayName} (non-gallery)`;
}

function assignmentsOf(p: EntraPlan): Map<string, string> {
  const out = new Map<string, string[]>();
  for (const a of p.assignments) {
    const key = "group" in a ? `group ${a.group}` : `user ${a.user}`;
    out.set(key, [...(out.get(key) ?? []), a.role]);
  }
  return new Map([...out].map(([k, roles]) => [k, `role ${roles.sort().join(", ")}`]));
}

function diffObjectMapping(key: "users" | "groups", before: PlannedObjectMapping | undefined, after: PlannedObjectMapping | undefined, out: PlanChange[]): void {
  const push = (name: string, kind: PlanChange["kind"], b?: string, a?: string, matching = false) => out.push({ ...change("mapping", name, kind, b, a), mapping: key, schema: true, matching });
  if (!before || !after) {
    const m = (before ?? after)!;
    push("Mapping", before ? "removed" : "added", before?.name, after?.name, m.attributes.some((a) => a.matchingPrecedence > 0));
    return;
  }
  if (before.name !== after.name) push("Name", "changed", before.name, after.name);
  if (before.enabled !== after.enabled) push("Enabled", "changed", yesNo(before.enabled), yesNo(after.enabled));
  const actions = (m: PlannedObjectMapping) => (["create", "update", "delete"] as const).filter((a) => m.actions.includes(a)).join(", ") || "(none)";
  if (actions(before) !== actions(after)) push("Target Object Actions", "changed", actions(before), actions(after));
  const filters = (m: PlannedObjectMapping) => new Map(m.scopingFilters.map((f) => [f.name, describeFilter(f)]));
  for (const c of keyedChanges(filters(before), filters(after))) push(`Source Object Scope › ${c.key}`, c.kind, c.before, c.after);
  const byTarget = (list: readonly PlannedAttribute[]) => new Map(list.map((a) => [a.target, a]));
  const b = byTarget(before.attributes);
  const a = byTarget(after.attributes);
  for (const target of new Set([...b.keys(), ...a.keys()])) {
    const x = b.get(target);
    const y = a.get(target);
    const dx = x && describeAttribute(x);
    const dy = y && describeAttribute(y);
    if (dx === dy) continue;
    const matching = isMatching(x) || isMatching(y) ? dx === undefined || dy === undefined || matchingKey(x!) !== matchingKey(y!) : false;
    push(`Attribute Mapping › ${target}`, !x ? "added" : !y ? "removed" : "changed", dx, dy, matching);
  }
}

const isMatching = (a: PlannedAttribute | undefined) => a !== undefined && a.matchingPrecedence > 0;
const matchingKey = (a: PlannedAttribute) => `${a.matchingPrecedence}\u0000${a.sourceText === undefined ? "" : normalizeExpressionText(a.sourceText)}`;

/** One line per mapping row, in the portal's terms; expression whitespace does not count as a change. */
export function describeAttribute(a: PlannedAttribute): string {
  const parts = [a.sourceText === undefined ? "(none)" : normalizeExpressionText(a.sourceText)];
  if (a.matchingPrecedence > 0) parts.push(`matching ${a.matchingPrecedence}`);
  if (a.apply === "onCreate") parts.push("only on create");
  if (a.default !== undefined) parts.push(`default ${JSON.stringify(a.default)}`);
  return parts.join(", ");
}

/** A scoping filter as the portal lists it: its clauses AND-ed (`department EQUALS "Sales" AND …`). */
export function describeFilter(filter: ScopingFilterSpec): string {
  return filter.clauses.map(describeClause).join(" AND ");
}

export function describeClause(clause: ScopingFilterSpec["clauses"][number]): string {
  const operand = clause.value === undefined ? "" : ` ${(Array.isArray(clause.value) ? clause.value : [clause.value]).map((v) => JSON.stringify(v)).join(", ")}`;
  return `${clause.attribute} ${clause.operator}${operand}`;
}

/** The matching attributes of every object mapping, in precedence order (`users: userName ← [mailNickname]`). */
export function matchingAttributes(plan: AppPlan | undefined): { mapping: "users" | "groups"; target: string; source: string; precedence: number }[] {
  return (plan?.entra?.mappings ?? []).flatMap((m) =>
    m.attributes
      .filter((a) => a.matchingPrecedence > 0)
      .sort((x, y) => x.matchingPrecedence - y.matchingPrecedence)
      .map((a) => ({ mapping: m.key, target: a.target, source: a.sourceText === undefined ? "(none)" : normalizeExpressionText(a.sourceText), precedence: a.matchingPrecedence })),
  );
}

export function resolveRef(value: StringOrConfigRef | undefined, config: Readonly<Record<string, string>>): string | undefined {
  if (value === undefined || typeof value === "string") return value;
  return config[value.config] ?? `(config \`${value.config}\` not set)`;
}

function resolveTarget(plan: AppPlan, config: Readonly<Record<string, string>>): unknown {
  const domains = plan.target.userName?.allowedDomains;
  if (!domains || typeof domains !== "object" || Array.isArray(domains)) return plan.target;
  const ref = domains as { config: string };
  return { ...plan.target, userName: { ...plan.target.userName, allowedDomains: resolveRef(ref, config) } };
}

function change(area: ChangeArea, name: string, kind: PlanChange["kind"], before?: string, after?: string): PlanChange {
  return { area, name, kind, ...(before !== undefined ? { before } : {}), ...(after !== undefined ? { after } : {}), schema: false, matching: false };
}

function keyedChanges(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): { key: string; kind: PlanChange["kind"]; before?: string; after?: string }[] {
  const out: { key: string; kind: PlanChange["kind"]; before?: string; after?: string }[] = [];
  for (const key of new Set([...before.keys(), ...after.keys()])) {
    const x = before.get(key);
    const y = after.get(key);
    if (x === y) continue;
    out.push({ key, kind: x === undefined ? "added" : y === undefined ? "removed" : "changed", ...(x !== undefined ? { before: x } : {}), ...(y !== undefined ? { after: y } : {}) });
  }
  return out;
}

function diffKeyed(out: PlanChange[], area: ChangeArea, prefix: string, before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): void {
  for (const c of keyedChanges(before, after)) out.push(change(area, `${prefix} › ${c.key}`, c.kind, c.before, c.after));
}

/** Leaf values by dotted path (`userName.allowedDomains`), for blocks compared field by field. */
function flattenValue(value: unknown, prefix = "", out = new Map<string, string>()): Map<string, string> {
  if (value === undefined) return out;
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flattenValue(v, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out.set(prefix || "(all)", typeof value === "string" ? value : JSON.stringify(value));
  }
  return out;
}

function yesNo(value: boolean): string {
  return value ? "yes" : "no";
}
