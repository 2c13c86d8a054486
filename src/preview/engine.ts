/**
 * Preview: what one Entra user becomes in one target app — IsSoftDeleted and why, the scoping-filter
 * result, the mapped attribute values, the SCIM requests Entra sends (match, create, an update, the
 * deprovisioning requests) in the tenant URL's dialect, and the target's rules checked on the result.
 *
 * An AppPreviewer compiles the app's expressions once and then handles users one at a time; it keeps
 * nothing per user, so memory does not grow with the number of users.
 */
import { attributesReferenced, compileExpression, type CompiledExpression, type SourceRecord } from "../expression";
import type { ScimDialect } from "../catalog/tenant-url";
import type { AppPlan, EntraPlan, PlannedAttribute, PlannedObjectMapping } from "../plan/types";
import { checkUserRules, resolveAllowedDomains, type RuleContext, type Violation } from "./rules";
import {
  type AttributeValue,
  buildUserBody,
  diffValues,
  matchRequest,
  patchOperations,
  patchRequest,
  type ScimRequest,
} from "./scim";
import { evaluateScoping, scopingAttributes, type ScopingResult } from "./scoping";
import { GRAPH_TO_SOURCE, groupsOf, isEnabled, isSoftDeletedInDirectory, type SampleUser, sourceAttributes, toSourceRecord, withChanges } from "./users";

export interface PreviewOptions {
  /** Stack config values the app file references (e.g. `ipassRegisteredDomains`). */
  config?: Readonly<Record<string, string>>;
  /** Clock and randomness for Now(), Guid(), RandomString() (defaults: system clock, Math.random). */
  now?: () => Date;
  random?: () => number;
  /** Overrides the dialect the tenant URL selects (simulate against a URL carrying its own flags). */
  dialect?: ScimDialect;
}

export interface Assignment {
  /** In scope of assignment: an effective role, or the app syncs all users. */
  assigned: boolean;
  /** Roles that count (app-specific roles), and refused ones (Default Access). */
  roles: string[];
  refusedRoles: string[];
  /** Where the assignments come from: `assignedRoles`, `user <upn>`, `group <name>`, `syncAll`. */
  via: string[];
}

export interface UserPreview {
  app: string;
  userPrincipalName: string;
  id?: string;
  /** Entra provisions the user (assigned with an effective role or sync-all, passes scoping, not deleted). */
  inScope: boolean;
  /** The computed IsSoftDeleted input, and why it is True. */
  isSoftDeleted: boolean;
  softDeletedBecause: string[];
  assignment: Assignment;
  scoping: ScopingResult;
  /** Target attribute → value sent on create (null: not sent), in mapping order. */
  attributes: Record<string, AttributeValue | null>;
  matchQuery: ScimRequest | null;
  /** The POST /Users body; null when the user is out of scope. */
  body: Record<string, unknown> | null;
  /** The PATCH for the sample change (`update` in the user, else a renamed displayName). */
  update: { changes: Record<string, unknown>; request: ScimRequest | null } | null;
  deprovision: {
    /** Unassigned / out of scope / disabled / soft-deleted: the update Entra sends (null: none). */
    scopeExit: ScimRequest | null;
    /** Hard delete (30 days after soft delete): DELETE when the mapping allows delete. */
    hardDelete: ScimRequest | null;
  } | null;
  notes: string[];
  violations: Violation[];
}

interface CompiledAttribute {
  spec: PlannedAttribute;
  evaluate: CompiledExpression | null;
  /** Source attributes the expression reads (IsSoftDeleted and appRoleAssignments included). */
  refs: ReadonlySet<string>;
  /** A reference attribute (`[manager]`): Entra exports it once the referenced user exists in the target. */
  reference: boolean;
}

/** One evaluation of the mapping for one state of a user. */
export interface Evaluation {
  assignment: Assignment;
  scoping: ScopingResult;
  isSoftDeleted: boolean;
  softDeletedBecause: string[];
  inScope: boolean;
  /** Values flowing on create (defaults applied), references included; null for attributes not sent. */
  create: Map<string, AttributeValue | null>;
  /** Values that updates compare (apply: always, no defaults, no references). */
  current: Map<string, AttributeValue>;
  errors: Violation[];
  /** What the expressions read (kept so a variant of this state re-evaluates only what it changes). */
  attributes: Readonly<Record<string, string | string[] | null>>;
  record: SourceRecord;
  /** Per mapped attribute (mapping order): the evaluated value and whether it flows. */
  results: readonly { value: AttributeValue | null; flows: boolean }[];
}

export class PreviewError extends Error {}

function normalize(value: string | string[] | null): AttributeValue | null {
  if (value === null) return null;
  if (Array.isArray(value)) return value.length ? value : null;
  return value;
}

/** The change `simulate` and the preview's update show when the user file names none. */
export function defaultChange(user: SampleUser): Record<string, unknown> {
  const name = typeof user.displayName === "string" && user.displayName ? user.displayName : user.userPrincipalName.split("@")[0]!;
  return { displayName: `${name} (renamed)` };
}

export class AppPreviewer {
  readonly app: string;
  readonly displayName: string;
  readonly plan: AppPlan;
  readonly entra: EntraPlan;
  readonly mapping: PlannedObjectMapping;
  readonly dialect: ScimDialect;
  /** App-level problems (e.g. config a rule needs is missing). */
  readonly warnings: string[] = [];
  private readonly attributes: CompiledAttribute[];
  private readonly rules: RuleContext;
  private readonly readsSoftDeleted: boolean;
  private readonly scopingAttributes: ReadonlySet<string>;
  private readonly sources: ReadonlyMap<string, string | undefined>;

  constructor(plan: AppPlan, options: PreviewOptions = {}) {
    if (!plan.entra) throw new PreviewError(`${plan.name}: the app has no Entra ID configuration to preview`);
    const mapping = plan.entra.mappings.find((m) => m.key === "users");
    if (!mapping) throw new PreviewError(`${plan.name}: the app has no users mapping`);
    this.app = plan.name;
    this.displayName = plan.displayName;
    this.plan = plan;
    this.entra = plan.entra;
    this.mapping = mapping;
    this.dialect = options.dialect ?? plan.entra.dialect;
    const compileOptions = { now: options.now, random: options.random };
    this.attributes = mapping.attributes.map((spec) => ({
      spec,
      evaluate: spec.source ? compileExpression(spec.source, compileOptions) : null,
      refs: new Set(spec.source ? attributesReferenced(spec.source) : []),
      reference: spec.source?.kind === "attribute" && spec.source.name === "manager",
    }));
    this.scopingAttributes = new Set(scopingAttributes(mapping.scopingFilters));
    this.sources = new Map(mapping.attributes.map((a) => [a.target, a.sourceText]));
    this.readsSoftDeleted = mapping.attributes.some((a) => a.source && attributesReferenced(a.source).includes("IsSoftDeleted"));
    const { domains, missingConfig } = resolveAllowedDomains(plan.target, options.config ?? {});
    if (missingConfig) this.warnings.push(`${plan.displayName}: stack config \`${missingConfig}\` is not set; the registered-domain rule is not checked`);
    const groups = plan.entra.mappings.find((m) => m.key === "groups");
    this.rules = {
      appName: plan.name,
      displayName: plan.displayName,
      target: plan.target,
      allowedDomains: domains,
      matching: [...mapping.attributes].filter((a) => a.matchingPrecedence > 0).sort((a, b) => a.matchingPrecedence - b.matchingPrecedence).map((a) => a.target),
      groupsEnabled: groups?.enabled ?? false,
    };
    if (!mapping.enabled) this.warnings.push(`${plan.displayName}: the users mapping is disabled; Entra provisions no users`);
  }

  /** Which app-role assignments the user holds for this app (direct, through groups, or sync-all). */
  assignmentOf(user: SampleUser): Assignment {
    const roles: string[] = [];
    const via: string[] = [];
    const direct = user.assignedRoles?.[this.app] ?? user.assignedRoles?.["*"];
    if (direct !== undefined) {
      roles.push(...(typeof direct === "string" ? [direct] : direct));
      via.push("assignedRoles");
    }
    const groups = groupsOf(user);
    for (const a of this.entra.assignments) {
      if ("user" in a) {
        if (a.user === user.userPrincipalName || a.user === user.id) {
          roles.push(a.role);
          via.push(`user ${a.user}`);
        }
      } else if (groups.some((g) => g.displayName === a.group || (g.id !== undefined && g.id === a.group))) {
        roles.push(a.role);
        via.push(`group ${a.group}`);
      }
    }
    const refused = new Set(this.entra.roles.refused);
    const effective = [...new Set(roles.filter((r) => !refused.has(r)))];
    const refusedRoles = [...new Set(roles.filter((r) => refused.has(r)))];
    if (this.entra.syncAll) via.push("syncAll");
    return { assigned: this.entra.syncAll || effective.length > 0, roles: effective, refusedRoles, via };
  }

  /** Evaluates the mapping for one state of a user (everything recomputed: the reference path). */
  evaluate(user: SampleUser, forceSoftDeleted = false): Evaluation {
    const attrs = sourceAttributes(user);
    const assignment = this.assignmentOf(user);
    const scoping = evaluateScoping(this.mapping.scopingFilters, attrs);
    const because: string[] = [];
    if (!isEnabled(user)) because.push("disabled (accountEnabled is false)");
    if (!assignment.assigned) {
      because.push(
        assignment.refusedRoles.length
          ? `not assigned: only the ${assignment.refusedRoles.join(", ")} role, which is excluded from provisioning`
          : "not assigned to the app",
      );
    }
    if (!scoping.passed) because.push(`out of scope: ${scoping.failures.map((f) => `${f.filter}: ${f.reason}`).join("; ")}`);
    const deleted = isSoftDeletedInDirectory(user);
    if (deleted) because.push(`soft-deleted (deletedDateTime ${user.deletedDateTime as string})`);
    const isSoftDeleted = forceSoftDeleted || because.length > 0;
    const record = toSourceRecord(attrs, isSoftDeleted, assignment.roles);
    const errors: Violation[] = [];
    const results = this.attributes.map((a) => this.evaluateOne(a, record, errors));
    return { assignment, scoping, isSoftDeleted, softDeletedBecause: because, inScope: assignment.assigned && scoping.passed && !deleted, errors, attributes: attrs, record, results, ...this.collect(results) };
  }

  private evaluateOne(a: CompiledAttribute, record: SourceRecord, errors: Violation[]): { value: AttributeValue | null; flows: boolean } {
    if (!a.evaluate) return { value: null, flows: true };
    try {
      const r = a.evaluate(record);
      return { value: normalize(r.value), flows: r.flows };
    } catch (err) {
      errors.push({ rule: "expression-error", severity: "error", attribute: a.spec.target, message: `\`${a.spec.target}\`: ${(err as Error).message}` });
      return { value: null, flows: true };
    }
  }

  private collect(results: readonly { value: AttributeValue | null; flows: boolean }[]): { create: Map<string, AttributeValue | null>; current: Map<string, AttributeValue> } {
    const create = new Map<string, AttributeValue | null>();
    const current = new Map<string, AttributeValue>();
    for (let i = 0; i < this.attributes.length; i++) {
      const a = this.attributes[i]!;
      const { value, flows } = results[i]!;
      if (!flows) {
        create.set(a.spec.target, null);
        continue;
      }
      if (value !== null && a.spec.apply === "always" && !a.reference) current.set(a.spec.target, value);
      // "Default value if null" is provisioned on create only.
      create.set(a.spec.target, value ?? a.spec.default ?? null);
    }
    return { create, current };
  }

  /** `base` with only the attributes that read one of `changed` re-evaluated against `record`. */
  private variant(base: Evaluation, record: SourceRecord, changed: ReadonlySet<string>, patch: Partial<Evaluation>): Evaluation {
    const errors = [...base.errors];
    const results = this.attributes.map((a, i) => ([...a.refs].some((r) => changed.has(r)) ? this.evaluateOne(a, record, errors) : base.results[i]!));
    return { ...base, ...patch, errors, record, results, ...this.collect(results) };
  }

  /** The evaluation Entra makes when the user leaves scope: IsSoftDeleted True, nothing else changed. */
  softDeletedVariant(base: Evaluation): Evaluation {
    if (base.isSoftDeleted) return base;
    return this.variant(base, { ...base.record, IsSoftDeleted: "True" }, new Set(["IsSoftDeleted"]), { isSoftDeleted: true });
  }

  /** Fields of the sample format that decide assignment, scope or IsSoftDeleted. */
  private static readonly STATE_FIELDS = new Set(["memberOf", "accountEnabled", "deletedDateTime", "assignedRoles", "id", "userPrincipalName"]);

  /**
   * The evaluation after `changes`. When they touch nothing that decides scope (assignment, scoping-filter
   * attributes, accountEnabled, deletion), only the attributes reading a changed value are re-evaluated;
   * otherwise everything is (the same result as `evaluate(withChanges(user, changes))`).
   */
  changedVariant(base: Evaluation, user: SampleUser, changes: Readonly<Record<string, unknown>>): Evaluation {
    const keys = Object.keys(changes);
    // A Graph spelling changed while the user also carries the engine's spelling: let the full path decide.
    const aliasShadowed = keys.some((k) => GRAPH_TO_SOURCE[k] !== undefined && user[GRAPH_TO_SOURCE[k]!] !== undefined);
    if (aliasShadowed || keys.some((k) => AppPreviewer.STATE_FIELDS.has(k) || k === "onPremisesExtensionAttributes" || k === "manager")) {
      return this.evaluate(withChanges(user, changes));
    }
    const delta = sourceAttributes(changes);
    const changed = new Set<string>();
    for (const key in delta) {
      const a = delta[key] ?? null;
      const b = base.attributes[key] ?? null;
      if (a === b) continue;
      if (Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => x === b[i])) continue;
      changed.add(key);
    }
    for (const k of changed) if (this.scopingAttributes.has(k)) return this.evaluate(withChanges(user, changes));
    if (!changed.size) return base;
    const attributes = { ...base.attributes, ...delta };
    return this.variant(base, { ...base.record, ...delta }, changed, { attributes });
  }

  /** The POST body for an evaluation (references left out: Entra links them once they exist in the target). */
  bodyOf(ev: Evaluation): Record<string, unknown> {
    const values: [string, AttributeValue][] = [];
    for (const a of this.attributes) {
      const v = ev.create.get(a.spec.target);
      if (v === null || v === undefined || a.reference) continue;
      values.push([a.spec.target, v]);
    }
    return buildUserBody(values);
  }

  /** The PATCH Entra sends when the user changes from `before` to `after` (null: nothing to send). */
  updateRequest(before: Evaluation, after: Evaluation): ScimRequest | null {
    if (!this.mapping.actions.includes("update")) return null;
    const changes = diffValues(before.current, after.current);
    return changes.length ? patchRequest(patchOperations(changes, this.dialect)) : null;
  }

  matchQueryOf(ev: Evaluation): ScimRequest | null {
    for (const target of this.rules.matching) {
      const v = ev.create.get(target);
      const s = v === null || v === undefined ? null : typeof v === "string" ? v : (v[0] ?? null);
      if (s !== null && s !== "") return matchRequest(target, s);
    }
    return null;
  }

  /** The sample change for a user: its `update` field, else a renamed displayName. */
  changeFor(user: SampleUser): Record<string, unknown> {
    return user.update && Object.keys(user.update).length ? { ...user.update } : defaultChange(user);
  }

  preview(user: SampleUser): UserPreview {
    const ev = this.evaluate(user);
    const notes: string[] = [];
    const inScope = ev.inScope && this.mapping.enabled;
    let body: Record<string, unknown> | null = null;
    let violations: Violation[] = [];
    let update: UserPreview["update"] = null;
    let deprovision: UserPreview["deprovision"] = null;
    let matchQuery: ScimRequest | null = null;
    if (inScope) {
      matchQuery = this.matchQueryOf(ev);
      if (this.mapping.actions.includes("create")) body = this.bodyOf(ev);
      else notes.push("create is not a target object action: Entra only updates users that already exist in the target");
      for (const a of this.attributes) {
        if (a.reference && ev.create.get(a.spec.target) != null) {
          notes.push(`\`${a.spec.target}\` is a reference: Entra sets it with a later update once the referenced user exists in ${this.displayName}`);
        }
      }
      violations = [
        ...ev.errors,
        ...checkUserRules(this.rules, {
          values: ev.create,
          sources: this.sources,
          active: body ? body.active : undefined,
          groups: groupsOf(user).map((g) => g.displayName),
        }),
      ];
      const changes = this.changeFor(user);
      update = { changes, request: this.updateRequest(ev, this.changedVariant(ev, user, changes)) };
      let scopeExit: ScimRequest | null = null;
      if (!this.mapping.actions.includes("update")) notes.push("update is not a target object action: Entra sends no update when the user leaves scope");
      else if (!this.readsSoftDeleted) notes.push("no mapping reads IsSoftDeleted: Entra sends nothing when the user is unassigned or leaves scope");
      else if (!ev.isSoftDeleted) scopeExit = this.updateRequest(ev, this.softDeletedVariant(ev));
      if (this.entra.skipOutOfScopeDeletions) notes.push("skipOutOfScopeDeletions: users leaving a scoping filter or assignment are not disabled");
      deprovision = { scopeExit, hardDelete: this.mapping.actions.includes("delete") ? { method: "DELETE", path: "/Users/{id}" } : null };
      if (this.plan.target.deleteIsSoftDelete && deprovision.hardDelete) notes.push(`${this.displayName} treats DELETE as a soft delete (the user is set to active=false)`);
    }
    const attributes: Record<string, AttributeValue | null> = {};
    for (const [target, value] of ev.create) attributes[target] = value;
    return {
      app: this.app,
      userPrincipalName: user.userPrincipalName,
      id: typeof user.id === "string" ? user.id : undefined,
      inScope,
      isSoftDeleted: ev.isSoftDeleted,
      softDeletedBecause: ev.softDeletedBecause,
      assignment: ev.assignment,
      scoping: ev.scoping,
      attributes,
      matchQuery,
      body,
      update,
      deprovision,
      notes,
      violations,
    };
  }
}

/** The violations that make the target (or Entra) refuse the user. */
export function blockingViolations(p: UserPreview): Violation[] {
  return p.violations.filter((v) => v.severity === "error");
}
