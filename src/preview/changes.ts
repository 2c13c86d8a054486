/**
 * What changes between two previews of the same users (a pull request's base and head): each user's
 * group policies, and the groups Entra provisions — scope, create body, members, policy, rule findings.
 * `scimops diff` renders these.
 */
import type { UserPreview } from "./engine";
import type { GroupPreview } from "./groups";
import { policyText } from "./output";

export interface GroupChange {
  group: string;
  changes: string[];
}

/** The policies a user receives, as one text (`Corporate-WiFi: VLAN 100, 100/100 Mbps, 12 h`; `(none)`). */
export function userPolicyText(p: Pick<UserPreview, "policies"> | null): string {
  return p?.policies.map(policyText).join("; ") || "(none)";
}

/** Group by group: what a reviewer needs to see change. */
export function compareGroups(before: readonly GroupPreview[], after: readonly GroupPreview[]): GroupChange[] {
  const byName = (list: readonly GroupPreview[]) => new Map(list.map((g) => [g.displayName, g]));
  const b = byName(before);
  const a = byName(after);
  const out: GroupChange[] = [];
  for (const name of new Set([...b.keys(), ...a.keys()])) {
    const x = b.get(name);
    const y = a.get(name);
    const changes: string[] = [];
    const provisioned = (g: GroupPreview | undefined) => !!g?.inScope;
    if (provisioned(x) !== provisioned(y)) changes.push(provisioned(y) ? "now provisioned (POST /Groups)" : "no longer provisioned");
    if (provisioned(x) && provisioned(y)) {
      if (JSON.stringify(x!.body) !== JSON.stringify(y!.body)) changes.push(`create body: ${JSON.stringify(x!.body)} → ${JSON.stringify(y!.body)}`);
      if (x!.memberCount !== y!.memberCount) changes.push(`members: ${x!.memberCount} → ${y!.memberCount}`);
    }
    const policy = (g: GroupPreview | undefined) => (g?.policy ? policyText(g.policy) : "(none)");
    if (policy(x) !== policy(y)) changes.push(`policy: ${policy(x)} → ${policy(y)}`);
    const rules = (g: GroupPreview | undefined) => new Set((g?.violations ?? []).map((v) => `${v.rule}: ${v.message}`));
    const r1 = rules(x);
    const r2 = rules(y);
    for (const v of r2) if (!r1.has(v)) changes.push(`new violation ${v}`);
    for (const v of r1) if (!r2.has(v)) changes.push(`fixed ${v}`);
    if (changes.length) out.push({ group: name, changes });
  }
  return out;
}
