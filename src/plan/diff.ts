/**
 * Plan comparison: what a change to the mapping files changes in Entra, mapping by mapping and setting
 * by setting. Used by `scimops diff` (a pull request's base vs head).
 */
import { normalizeExpressionText } from "../expression";
import type { AppPlan, EntraPlan, PlannedAttribute, PlannedObjectMapping } from "./types";

export interface PlanChange {
  /** Where: `settings`, `users`, `users › userName`, `groups › scoping`… */
  where: string;
  kind: "added" | "removed" | "changed";
  before?: string;
  after?: string;
}

export interface AppDiff {
  app: string;
  displayName: string;
  status: "added" | "removed" | "changed" | "unchanged";
  changes: PlanChange[];
}

export function diffApps(base: ReadonlyMap<string, AppPlan>, head: ReadonlyMap<string, AppPlan>): AppDiff[] {
  const names = [...new Set([...base.keys(), ...head.keys()])].sort();
  return names.map((name) => {
    const before = base.get(name);
    const after = head.get(name);
    if (!before) return { app: name, displayName: after!.displayName, status: "added", changes: [] };
    if (!after) return { app: name, displayName: before.displayName, status: "removed", changes: [] };
    const changes = diffPlans(before, after);
    return { app: name, displayName: after.displayName, status: changes.length ? "changed" : "unchanged", changes };
  });
}

export function diffPlans(before: AppPlan, after: AppPlan): PlanChange[] {
  const changes: PlanChange[] = [];
  if (before.entra || after.entra) diffEntra(before.entra, after.entra, changes);
  compareValue(changes, "okta", before.okta, after.okta);
  compareValue(changes, "target rules", before.target, after.target);
  return changes;
}

function diffEntra(before: EntraPlan | undefined, after: EntraPlan | undefined, out: PlanChange[]): void {
  if (!before || !after) {
    out.push({ where: "entra", kind: before ? "removed" : "added" });
    return;
  }
  const settings = (p: EntraPlan) => ({
    app: p.app,
    tenantUrl: p.tenantUrl ?? p.tenantUrlTemplate,
    secretTokenKey: p.secretTokenKey,
    scope: p.syncAll ? "allUsersAndGroups" : "assignedUsersAndGroups",
    notifications: p.notifications,
    accidentalDeletion: p.deleteThreshold,
    skipOutOfScopeDeletions: p.skipOutOfScopeDeletions,
    status: p.status,
    assignments: p.assignments,
    provisionOnDemand: p.provisionOnDemand,
  });
  const s1 = settings(before);
  const s2 = settings(after);
  for (const key of Object.keys(s1) as (keyof typeof s1)[]) compareValue(out, `settings › ${key}`, s1[key], s2[key]);
  const keys = [...new Set([...before.mappings, ...after.mappings].map((m) => m.key))];
  for (const key of keys) {
    diffObjectMapping(key, before.mappings.find((m) => m.key === key), after.mappings.find((m) => m.key === key), out);
  }
}

function diffObjectMapping(key: string, before: PlannedObjectMapping | undefined, after: PlannedObjectMapping | undefined, out: PlanChange[]): void {
  if (!before || !after) {
    out.push({ where: key, kind: before ? "removed" : "added" });
    return;
  }
  compareValue(out, `${key} › enabled`, before.enabled, after.enabled);
  compareValue(out, `${key} › name`, before.name, after.name);
  compareValue(out, `${key} › target object actions`, [...before.actions].sort(), [...after.actions].sort());
  compareValue(out, `${key} › scoping filters`, before.scopingFilters, after.scopingFilters);
  const byTarget = (list: readonly PlannedAttribute[]) => new Map(list.map((a) => [a.target, a]));
  const b = byTarget(before.attributes);
  const a = byTarget(after.attributes);
  for (const target of new Set([...b.keys(), ...a.keys()])) {
    const x = b.get(target);
    const y = a.get(target);
    const where = `${key} › ${target}`;
    if (!x) out.push({ where, kind: "added", after: describeAttribute(y!) });
    else if (!y) out.push({ where, kind: "removed", before: describeAttribute(x) });
    else if (describeAttribute(x) !== describeAttribute(y)) out.push({ where, kind: "changed", before: describeAttribute(x), after: describeAttribute(y) });
  }
}

/** One line per mapping row, in the portal's terms; expression whitespace does not count as a change. */
export function describeAttribute(a: PlannedAttribute): string {
  const parts = [a.sourceText === undefined ? "(none)" : normalizeExpressionText(a.sourceText)];
  if (a.matchingPrecedence > 0) parts.push(`matching ${a.matchingPrecedence}`);
  if (a.apply === "onCreate") parts.push("only on create");
  if (a.default !== undefined) parts.push(`default ${JSON.stringify(a.default)}`);
  return parts.join(", ");
}

function compareValue(out: PlanChange[], where: string, before: unknown, after: unknown): void {
  const x = JSON.stringify(before);
  const y = JSON.stringify(after);
  if (x === y) return;
  out.push({ where, kind: before === undefined ? "added" : after === undefined ? "removed" : "changed", before: x, after: y });
}
