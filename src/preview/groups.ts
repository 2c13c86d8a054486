/**
 * Groups, previewed like users through the same stages: scope (a group is in scope when it is assigned
 * to the app, or the app syncs all, and it passes the groups mapping's scoping filters), evaluation (the
 * groups mapping's expressions over the group), request building (the requests of Microsoft's "Group
 * Operations" samples, in the app's dialect) and the target's rules.
 *
 * The groups come from the users' `memberOf` and the plan's group assignments; a group's members in the
 * target are the users Entra provisions (an out-of-scope member is not provisioned, known-issues.md
 * "Member of group not provisioned"). Members are not part of the create ("Groups are created with an
 * empty members list"): they follow as PATCH requests, with the target ids of the users as
 * `{id:<userPrincipalName>}` placeholders.
 */
import type { ScimDialect } from "../catalog/tenant-url";
import type { AppPlan, PlannedObjectMapping } from "../plan/types";
import type { SourceRecord } from "../expression";
import { compileAttributes, type CompiledAttribute, evaluateAttribute, sameValue } from "./evaluation";
import { firstValue } from "./requests";
import { filterCharacterViolation, type Violation } from "./rules";
import {
  type AttributeChange,
  type AttributeValue,
  buildGroupBody,
  groupMatchRequest,
  idPlaceholder,
  patchOperations,
  type PatchOperation,
  patchRequest,
  type ScimRequest,
} from "./scim";
import { type Assignment, AssignmentResolver, type GroupRef } from "./scope";
import { evaluateScoping, type ScopingResult } from "./scoping";

export type GroupPolicy = AppPlan["target"]["groups"]["policies"][number];

export interface GroupPreview {
  displayName: string;
  id?: string;
  /** Entra provisions the group object: assigned (or sync-all), passes the groups mapping's scoping filters. */
  inScope: boolean;
  assignment: Assignment;
  scoping: ScopingResult;
  matchQuery: ScimRequest | null;
  /** POST /Groups; null when the group is not provisioned. */
  body: Record<string, unknown> | null;
  /** Members Entra adds (provisioned users; the first MAX_LISTED_MEMBERS), how many in all, and how many it leaves out. */
  members: string[];
  memberCount: number;
  membersNotProvisioned: number;
  requests: {
    /** GET /Groups/{id}?excludedAttributes=members. */
    retrieve: ScimRequest;
    /** PATCH adding the provisioned members. */
    addMembers: ScimRequest | null;
    /** PATCH removing them (as when they leave the group or the app's scope). */
    removeMembers: ScimRequest | null;
    /** PATCH for the sample rename (`<displayName> (renamed)`). */
    rename: ScimRequest | null;
    delete: ScimRequest | null;
  } | null;
  /** What membership gives in the target (IronWifi's VLAN, bandwidth, session timeout). */
  policy: GroupPolicy | null;
  violations: Violation[];
  notes: string[];
}

interface Observed {
  ref: GroupRef;
  /** The first MAX_LISTED_MEMBERS provisioned members, and how many there are in all. */
  members: Set<string>;
  memberCount: number;
  notProvisioned: number;
}

/** Members listed (and put in the sample PATCH requests) per group: memory and output stay bounded. */
export const MAX_LISTED_MEMBERS = 20;

export class GroupPreviewer {
  readonly enabled: boolean;
  private readonly table: CompiledAttribute[];
  private readonly matching: { target: string; index: number }[];
  private readonly observed = new Map<string, Observed>();
  private readonly scopeCache = new Map<string, { assignment: Assignment; scoping: ScopingResult; inScope: boolean }>();
  private readonly known: readonly string[];
  private readonly policies: ReadonlyMap<string, GroupPolicy>;

  constructor(
    private readonly plan: AppPlan,
    private readonly mapping: PlannedObjectMapping,
    private readonly scope: AssignmentResolver,
    private readonly dialect: ScimDialect,
    options: { now?: () => Date; random?: () => number },
  ) {
    this.enabled = mapping.enabled;
    const compiled = compileAttributes(mapping.attributes, options);
    this.table = compiled.table;
    this.matching = [...mapping.attributes]
      .filter((a) => a.matchingPrecedence > 0)
      .sort((a, b) => a.matchingPrecedence - b.matchingPrecedence)
      .map((a) => ({ target: a.target, index: compiled.lastIndex.get(a.target)! }));
    const rules = plan.target.groups;
    this.policies = new Map(rules.policies.map((p) => [p.group, p]));
    this.known = [...new Set([...rules.known, ...rules.policies.map((p) => p.group)])];
  }

  /** The group's own attributes, as the engine reads a Group (graph-sync.md: displayName, objectId, members). */
  private record(ref: GroupRef, members: readonly string[]): SourceRecord {
    return { displayName: ref.displayName, objectId: ref.id ?? null, members: [...members], IsSoftDeleted: "False", appRoleAssignments: [] };
  }

  /** Whether Entra provisions the group object (cached per group: there are few). */
  scopeOf(ref: GroupRef): { assignment: Assignment; scoping: ScopingResult; inScope: boolean } {
    const key = `${ref.displayName}\u0000${ref.id ?? ""}`;
    let s = this.scopeCache.get(key);
    if (!s) {
      const assignment = this.scope.assignmentFor({}, [ref]);
      const scoping = evaluateScoping(this.mapping.scopingFilters, { displayName: ref.displayName, objectId: ref.id ?? null });
      s = { assignment, scoping, inScope: this.enabled && assignment.assigned && scoping.passed };
      if (this.scopeCache.size < 10_000) this.scopeCache.set(key, s);
    }
    return s;
  }

  /** The policy a member of `ref` receives: the group is provisioned and its name is exactly a policy's. */
  policyFor(ref: GroupRef): GroupPolicy | null {
    const policy = this.policies.get(ref.displayName);
    return policy && this.scopeOf(ref).inScope ? policy : null;
  }

  /** Records a user's groups (`provisioned`: Entra creates the user, so it becomes a member). */
  observe(groups: readonly GroupRef[], userPrincipalName: string, provisioned: boolean): void {
    if (!this.enabled) return;
    for (const ref of groups) {
      const key = ref.id ?? ref.displayName;
      let o = this.observed.get(key);
      if (!o) this.observed.set(key, (o = { ref, members: new Set(), memberCount: 0, notProvisioned: 0 }));
      if (!provisioned) o.notProvisioned++;
      else if (!o.members.has(userPrincipalName)) {
        o.memberCount++;
        if (o.members.size < MAX_LISTED_MEMBERS) o.members.add(userPrincipalName);
      }
    }
  }

  /** Forgets the users seen (a new pass over the users file). */
  reset(): void {
    this.observed.clear();
  }

  /** Every group seen among the users, and the plan's assigned groups, previewed. */
  previews(): GroupPreview[] {
    if (!this.enabled) return [];
    const all = new Map(this.observed);
    for (const a of this.plan.entra?.assignments ?? []) {
      if (!("group" in a)) continue;
      const seen = [...all.values()].some((o) => o.ref.displayName === a.group || o.ref.id === a.group);
      if (!seen) all.set(a.group, { ref: { displayName: a.group }, members: new Set(), memberCount: 0, notProvisioned: 0 });
    }
    return [...all.values()].map((o) => this.preview(o.ref, [...o.members], o.memberCount, o.notProvisioned));
  }

  private evaluate(record: SourceRecord): { values: (AttributeValue | null)[]; flows: boolean[]; errors: Violation[] } {
    const values: (AttributeValue | null)[] = [];
    const flows: boolean[] = [];
    const errors: Violation[] = [];
    for (let i = 0; i < this.table.length; i++) evaluateAttribute(this.table[i]!, record, errors, values, flows, i);
    return { values, flows, errors };
  }

  preview(ref: GroupRef, members: readonly string[], memberCount = members.length, membersNotProvisioned = 0): GroupPreview {
    const { assignment, scoping, inScope } = this.scopeOf(ref);
    const policy = this.policies.get(ref.displayName) ?? null;
    const out: GroupPreview = {
      displayName: ref.displayName,
      id: ref.id,
      inScope,
      assignment,
      scoping,
      matchQuery: null,
      body: null,
      members: inScope ? [...members] : [],
      memberCount: inScope ? memberCount : 0,
      membersNotProvisioned: inScope ? membersNotProvisioned : membersNotProvisioned + memberCount,
      requests: null,
      policy: inScope ? policy : null,
      violations: [],
      notes: [],
    };
    if (!inScope) {
      if (policy) out.notes.push(`${ref.displayName} carries a ${this.plan.displayName} policy, but Entra does not provision it (${assignment.assigned ? "scoping filter" : "not assigned to the app"}): its members do not receive the policy`);
      return out;
    }
    const ev = this.evaluate(this.record(ref, members));
    out.violations.push(...ev.errors);
    const create = ev.values.map((v, i) => (ev.flows[i] ? (v ?? this.table[i]!.fallback) : null));
    for (const m of this.matching) {
      const value = firstValue(create[m.index]);
      if (value === null || value === "") continue;
      out.matchQuery = groupMatchRequest(m.target, value);
      const bad = filterCharacterViolation(m.target, value, "group");
      if (bad) out.violations.push(bad);
      break;
    }
    if (!out.matchQuery) out.violations.push({ rule: "matching-attribute-missing", severity: "error", message: `the group has no value for its matching attribute: Entra cannot match or create it` });
    const actions = this.mapping.actions;
    if (actions.includes("create")) {
      const values: [string, AttributeValue][] = [];
      this.table.forEach((a, i) => {
        const v = create[i];
        if (v !== null && v !== undefined) values.push([a.target, v]);
      });
      out.body = buildGroupBody(values);
    } else out.notes.push("create is not a target object action: Entra only updates groups that already exist in the target");
    out.violations.push(...this.nameViolations(ref.displayName));
    const canUpdate = actions.includes("update");
    const renamedTo = `${ref.displayName} (renamed)`;
    out.requests = {
      retrieve: { method: "GET", path: "/Groups/{id}?excludedAttributes=members", query: { excludedAttributes: "members" } },
      addMembers: canUpdate && members.length ? this.membersRequest("add", members) : null,
      removeMembers: canUpdate && members.length ? this.membersRequest("remove", members) : null,
      rename: canUpdate ? this.renameFrom(ev, { ...ref, displayName: renamedTo }, members) : null,
      delete: actions.includes("delete") ? { method: "DELETE", path: "/Groups/{id}" } : null,
    };
    if (memberCount > members.length) out.notes.push(`${memberCount - members.length} more member(s) are added and removed with requests of the same form`);
    if (membersNotProvisioned) out.notes.push(`${membersNotProvisioned} member(s) are not provisioned (out of scope or refused): Entra does not add them to the group`);
    return out;
  }

  /**
   * Members added or removed. Add (both dialects): `{op: Add, path: members, value: [{$ref: null, value}]}`
   * ("Update Group [Add Members]"). Remove: the same form without the flag ("Update Group [Remove Members]");
   * with aadOptscim062020 one `remove` per member with the path `members[value eq "<id>"]`
   * (application-provisioning-config-problem-scim-compatibility.md, "Requests made to remove a group member").
   */
  membersRequest(kind: "add" | "remove", members: readonly string[], ids: (upn: string) => string = idPlaceholder): ScimRequest {
    const legacy = this.dialect === "legacy";
    let ops: PatchOperation[];
    if (kind === "remove" && !legacy) ops = members.map((m) => ({ op: "remove", path: `members[value eq ${JSON.stringify(ids(m))}]` }));
    else ops = [{ op: legacy ? (kind === "add" ? "Add" : "Remove") : kind, path: "members", value: members.map((m) => ({ $ref: null, value: ids(m) })) }];
    return patchRequest(ops, "{id}", "/Groups");
  }

  /** PATCH for the group's attributes when it is renamed to `displayName` ("Update Group [Non-member attributes]"). */
  renameRequest(ref: GroupRef, displayName: string, members: readonly string[] = []): ScimRequest | null {
    return this.renameFrom(this.evaluate(this.record(ref, members)), { ...ref, displayName }, members);
  }

  private renameFrom(before: { values: (AttributeValue | null)[]; flows: boolean[] }, renamed: GroupRef, members: readonly string[]): ScimRequest | null {
    const after = this.evaluate(this.record(renamed, members));
    const changes: AttributeChange[] = [];
    this.table.forEach((a, i) => {
      if (a.target === "members" || !a.compared) return;
      const old = before.flows[i] ? before.values[i]! : null;
      const now = after.flows[i] ? after.values[i]! : null;
      if (now !== null && !sameValue(old, now)) changes.push({ target: a.target, before: old, after: now });
    });
    const ops = patchOperations(changes, this.dialect);
    return ops.length ? patchRequest(ops, "{id}", "/Groups") : null;
  }

  /** The target matches groups by name: one it does not know is created without what its groups carry. */
  private nameViolations(name: string): Violation[] {
    const rules = this.plan.target.groups;
    if (!this.known.length || this.known.includes(name)) return [];
    const app = this.plan.displayName;
    const folded = rules.caseSensitive ? this.known.find((k) => k.toLowerCase() === name.toLowerCase()) : undefined;
    if (folded) {
      return [{ rule: "group-name-case", severity: "warning", message: `group \`${name}\` differs in case from ${app} group \`${folded}\`; ${app} matches group ${rules.matchBy} case-sensitively, so Entra creates a second group and \`${folded}\`'s policies do not apply` }];
    }
    return [{ rule: "group-unknown", severity: "warning", message: `group \`${name}\` does not exist in ${app} (known: ${this.known.join(", ")}): Entra creates it (POST /Groups) without any policy; create it in ${app} first or stop assigning it` }];
  }
}
