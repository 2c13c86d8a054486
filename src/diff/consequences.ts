/**
 * What Entra will do because of a change, not only what changed: a new initial cycle and how long it takes,
 * a matching attribute that no longer finds existing target users, users leaving scope and what the
 * target sees of it, and apps removed from a stack. Every behaviour stated here is Microsoft's, cited.
 */
import { attributesReferenced } from "../expression";
import { matchingAttributes, type PlanChange } from "../plan/diff";
import type { AppPlan } from "../plan/types";
import type { StackSettings } from "../spec/stack";
import type { Consequence, ScopeExitOutcome } from "./model";
import type { SidesTally, UserPair } from "./users";

/**
 * Microsoft's approximate initial-cycle duration for "Sync assigned users and groups only": minimum
 * 0.01 × and maximum 0.08 × [number of assigned users, groups, and group members] minutes.
 * Source: MicrosoftDocs/entra-docs, docs/identity/app-provisioning/application-provisioning-when-will-provisioning-finish-specific-user.md
 * ("How long will it take to provision users?", commit 045eaeb4189d7f70fb046f2e877920cc87a91199).
 */
export const INITIAL_CYCLE_MINUTES_PER_OBJECT = { min: 0.01, max: 0.08 } as const;

export function estimateInitialCycle(objects: number): { minMinutes: number; maxMinutes: number } {
  return { minMinutes: objects * INITIAL_CYCLE_MINUTES_PER_OBJECT.min, maxMinutes: objects * INITIAL_CYCLE_MINUTES_PER_OBJECT.max };
}

export function formatMinutes(minutes: number): string {
  if (minutes < 1) return "under a minute";
  if (minutes < 90) return `${Math.round(minutes)} min`;
  const hours = minutes / 60;
  return `${hours < 10 ? hours.toFixed(1) : Math.round(hours)} h`;
}

export function formatRange(e: { minMinutes: number; maxMinutes: number }): string {
  const min = formatMinutes(e.minMinutes);
  const max = formatMinutes(e.maxMinutes);
  return min === max ? min : `${min} – ${max}`;
}

export interface AppContext {
  status: "added" | "removed" | "changed" | "unchanged";
  base: AppPlan | undefined;
  head: AppPlan | undefined;
  baseStack: StackSettings | undefined;
  headStack: StackSettings | undefined;
  changes: readonly PlanChange[];
  /** Stack-entry changes (parameters, identity providers) are settings too. */
  settingsChanged: boolean;
  /** The sample users through both sides (counts). */
  users: Pick<SidesTally, "inScope" | "leaving">;
}

export function appConsequences(c: AppContext): Consequence[] {
  const out: Consequence[] = [];
  if (c.status === "removed") {
    out.push(...removal(c));
    return out;
  }
  const entra = c.head?.entra;
  if (!entra) return out;
  const schemaChanged = c.changes.some((x) => x.schema);
  if (c.status === "added" || schemaChanged || !c.base?.entra) {
    out.push(resync(c, c.status === "added" || !c.base?.entra ? "new" : "schema"));
  } else if (c.changes.some((x) => x.area !== "target" && x.area !== "okta") || c.settingsChanged) {
    // Only attribute-mapping and scoping-filter changes start a new initial cycle (how-provisioning-works.md,
    // "Incremental cycles"); settings and assignments are picked up by the next incremental cycle.
    out.push({ kind: "settingsOnly", severity: "info", message: "Settings and assignments only: no new initial cycle; the next incremental cycle (about every 40 minutes) applies them." });
  }
  else if (c.changes.some((x) => x.area === "target")) {
    out.push({ kind: "targetRulesOnly", severity: "info", message: "Nothing changes in Entra: only the target rules change (scimops's own checks of what the target accepts)." });
  }
  if (c.status === "changed") out.push(...matching(c));
  const exit = scopeExit(c);
  if (exit) out.push(exit);
  return out;
}

function resync(c: AppContext, why: "new" | "schema"): Consequence {
  const entra = c.head!.entra!;
  const inScope = c.users.inScope.after;
  const groupsOn = entra.mappings.some((m) => m.key === "groups" && m.enabled);
  const groups = groupsOn ? entra.assignments.filter((a) => "group" in a).length : 0;
  const objects = inScope + groups;
  const estimate = { objects, ...estimateInitialCycle(objects), syncAll: entra.syncAll };
  const counted = `${inScope} sample user${inScope === 1 ? "" : "s"} in scope${groups ? ` and ${groups} assigned group${groups === 1 ? "" : "s"}` : ""}`;
  const start = why === "new" ? "Provisioning starts with an initial cycle" : "Schema change: Entra restarts a full initial cycle (every user in scope is evaluated again)";
  const all = entra.syncAll ? " The scope is all users and groups, so the cycle reads every user and group of the tenant and takes longer than this." : "";
  return {
    kind: "resync",
    severity: "warning",
    message: `${start}: ≈ ${formatRange(estimate)} for ${counted} (Microsoft's figure: 0.01–0.08 minutes per assigned user, group and group member; scale it to the real count).${all}`,
    estimate,
  };
}

function matching(c: AppContext): Consequence[] {
  const changed = c.changes.filter((x) => x.matching);
  if (!changed.length) return [];
  const describe = (plan: AppPlan | undefined, key: string) =>
    matchingAttributes(plan)
      .filter((m) => m.mapping === key)
      .map((m) => `\`${m.target}\` ← \`${m.source}\` (precedence ${m.precedence})`)
      .join(", ") || "none";
  return [...new Set(changed.map((x) => x.mapping ?? "users"))].map((key) => ({
    kind: "matching" as const,
    severity: "caution" as const,
    // how-provisioning-works.md, "Initial cycle" steps 3–5: the service queries the target with the matching
    // attribute and creates the user when no match is found.
    message: `Matching attribute of ${key} changes: ${describe(c.base, key)} → ${describe(c.head, key)}. Existing ${key} in the target are looked up by the new value and will not be found: Entra creates duplicates, or the target rejects them as conflicts.`,
  }));
}

/** What the target sees when a user leaves scope (unassigned or out of the scoping filter). */
export function scopeExitOutcome(head: AppPlan, before: UserPair["before"]): { outcome: ScopeExitOutcome; text: string } {
  const entra = head.entra!;
  const users = entra.mappings.find((m) => m.key === "users");
  // skip-out-of-scope-deletions.md: "If SkipOutOfScopeDeletions is set to 1 (true), accounts that go out of scope aren't disabled in the target."
  if (entra.skipOutOfScopeDeletions) return { outcome: "nothing", text: "left as is (SkipOutOfScopeDeletions)" };
  if (!users?.enabled) return { outcome: "nothing", text: "no longer managed (the users mapping is off)" };
  if (!users.actions.includes("update")) return { outcome: "nothing", text: "nothing sent (update is not a target object action)" };
  // how-provisioning-works.md, "Incremental cycles" step 7: "the service disables the user in the target system via an update".
  const readsSoftDeleted = users.attributes.some((a) => a.source !== undefined && attributesReferenced(a.source).includes("IsSoftDeleted"));
  if (!readsSoftDeleted) return { outcome: "nothing", text: "nothing sent (no mapping reads IsSoftDeleted)" };
  if (before?.isSoftDeleted) return { outcome: "nothing", text: "nothing sent (already soft-deleted or disabled in Entra)" };
  const patch = before?.deprovision?.scopeExit;
  if (!patch) return { outcome: "nothing", text: "nothing sent (no value Entra sends changes)" };
  const ops = (patch.body as { Operations?: { path?: string; value?: unknown }[] } | undefined)?.Operations ?? [];
  const what = ops.flatMap((o) => (o.path ? [`${o.path} = ${JSON.stringify(o.value)}`] : Object.entries((o.value ?? {}) as object).map(([k, v]) => `${k} = ${JSON.stringify(v)}`))).join(", ");
  return { outcome: "disabled", text: `disabled (PATCH ${what || "/Users/{id}"})` };
}

function scopeExit(c: AppContext): Consequence | null {
  const { users: n, disabled, outcomes } = c.users.leaving;
  if (!n || !c.head?.entra) return null;
  const t = c.head.entra.deleteThreshold;
  const what = [...outcomes].map(([text, count]) => (outcomes.size === 1 ? text : `${count} ${text}`)).join(", ");
  // accidental-deletions.md: disables count as well as deletes; evaluated per cycle; "When the deletion
  // threshold is met, the job goes into quarantine" until an admin allows or rejects the deletions.
  const thresholdStops = disabled > 0 && t.enabled && disabled >= t.value;
  const guard = !disabled
    ? ""
    : !t.enabled
      ? " Prevent accidental deletions is off: nothing stops it."
      : thresholdStops
        ? ` That reaches the accidental-deletion threshold (${t.value}): the job goes into quarantine until an admin selects Allow deletes.`
        : ` The accidental-deletion threshold (${t.value}) would not stop it (it counts disables too, per cycle).`;
  return {
    kind: "scopeExit",
    severity: disabled ? "warning" : "info",
    message: `${n} sample user${n === 1 ? " leaves" : "s leave"} scope; in the target: ${what}.${guard}`,
    scopeExit: { users: n, disabled, threshold: t.enabled ? t.value : null, thresholdStops },
  };
}

function removal(c: AppContext): Consequence[] {
  const stack = c.headStack;
  const inScope = c.users.inScope.before;
  const provisioned = inScope ? ` The ${inScope} sample user${inScope === 1 ? "" : "s"} provisioned so far stay in the target as they are.` : "";
  if (!stack) {
    return [{ kind: "deletionGuard", severity: "info", message: `No longer in this stack's files: nothing runs \`pulumi up\` for it, so the tenant keeps the app as it is.${provisioned}` }];
  }
  if (stack.protect) {
    return [{ kind: "deletionGuard", severity: "warning", message: `Removed from the stack, which sets \`protect\`: \`pulumi up\` stops at the protected enterprise application until it is unprotected.` }];
  }
  if (stack.allowDeletion) {
    // synchronization-synchronizationjob-delete.md: deleting the job stops sync; provisioned accounts are left as-is.
    return [{ kind: "appRemoved", severity: "caution", message: `Removed from a stack with \`allowDeletion: true\`: \`pulumi up\` deletes the enterprise application and its provisioning job from the tenant.${provisioned}` }];
  }
  return [{ kind: "deletionGuard", severity: "info", message: `Removed from the stack; \`allowDeletion\` is off, so Pulumi forgets the app and it keeps provisioning in the tenant until someone deletes it.${provisioned}` }];
}
