/**
 * Preview: what one Entra user becomes in one target app — IsSoftDeleted and why, the scoping-filter
 * result, the mapped attribute values, the SCIM requests Entra sends (match, create, an update, the
 * deprovisioning requests) in the tenant URL's dialect, and the target's rules checked on the result.
 *
 * An AppPreviewer compiles the app once — each mapping's expression, which attributes read which source
 * attribute (so a change re-evaluates only its readers), the POST body's layout, the rule checker, the
 * JSON fragments that do not depend on the user — and then handles users one at a time. It keeps
 * nothing per user, so memory does not grow with the number of users. `previewJson` writes a user's
 * JSON line straight from the evaluated values, without building the UserPreview objects first; it is
 * exactly `JSON.stringify(userJson(preview(user)))`.
 */
import { publicPreviewNotice } from "../catalog/gallery-apps";
import { attributesReferenced, type SourceRecord } from "../expression";
import type { ScimDialect } from "../catalog/tenant-url";
import type { AppPlan, EntraPlan, PlannedAttribute, PlannedObjectMapping } from "../plan/types";
import { type BodyLayout, compileBodyLayout } from "./body";
import { compileAttributes, type CompiledAttribute, currentValue, EvalState, type Evaluation, evaluateAttribute, readersOf, sameValue } from "./evaluation";
import { jsonInner, jsonStrings } from "./json";
import type { AppSummary } from "./output";
import { compileRuleChecker, resolveAllowedDomains, type RuleChecker, type RuleContext, type Violation } from "./rules";
import {
  type AttributeChange,
  type AttributeValue,
  buildUserBody,
  diffValues,
  matchRequest,
  type PatchOperation,
  parseTargetPath,
  patchOperations,
  patchRequest,
  type ScimRequest,
} from "./scim";
import { evaluateScoping, scopingAttributes, type ScopingResult } from "./scoping";
import { compileMatching, firstValue, type MatchingAttribute, postActive, type ReferenceRequests, referenceRequests, RequestJson, violationsJson } from "./requests";
import { type Assignment, assignmentJson, AssignmentResolver, type GroupRef, softDeletedReasons } from "./scope";
import { type GroupPolicy, type GroupPreview, GroupPreviewer } from "./groups";
import { RepeatFilter, SharedValues } from "./shared-values";
import { applyRoles, roleModeOf, type RoleMode, roleOperation } from "./roles";
import { compileRecordBuilder, GRAPH_TO_SOURCE, groupsOf, isEnabled, isSoftDeletedInDirectory, type SampleUser, sourceAttributes, toSourceRecord, withChanges } from "./users";

export interface PreviewOptions {
  /** Stack config values the app file references (e.g. `ipassRegisteredDomains`). */
  config?: Readonly<Record<string, string>>;
  /** Clock and randomness for Now(), Guid(), RandomString() (defaults: system clock, Math.random). */
  now?: () => Date;
  random?: () => number;
  /** Overrides the dialect the tenant URL selects (simulate against a URL carrying its own flags). */
  dialect?: ScimDialect;
  /**
   * Provision on demand: the aadOptscim062020 flag "currently doesn't work with on-demand provisioning"
   * (application-provisioning-config-problem-scim-compatibility.md), so such a run sends the legacy dialect.
   */
  onDemand?: boolean;
}

export type { ReferenceRequests } from "./requests";

export type { Assignment } from "./scope";
export type { Evaluation } from "./evaluation";

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
  /** Every matching query in precedence order: Entra tries the next when one finds nobody. */
  matchQueries: ScimRequest[];
  /** GET /Users/{id}: how Entra reads the user's current state before an update. */
  retrieve: ScimRequest | null;
  /** Reference attributes (the manager), linked after the create. */
  references: ReferenceRequests[];
  /** What the user's provisioned groups give in the target (IronWifi's policies). */
  policies: GroupPolicy[];
}

export class PreviewError extends Error {}

/** The change `simulate` and the preview's update show when the user file names none. */
export function defaultChange(user: SampleUser): Record<string, unknown> {
  return { displayName: defaultDisplayName(user) };
}

function defaultDisplayName(user: SampleUser): string {
  const name = typeof user.displayName === "string" && user.displayName ? user.displayName : user.userPrincipalName.split("@")[0]!;
  return `${name} (renamed)`;
}

/** What a user's preview decided, before it is rendered as objects (`preview`) or JSON (`previewJson`). */
interface Outcome {
  ev: EvalState;
  inScope: boolean;
  /** The match query's attribute (null: no matching attribute has a value), its position in `matching`, and value. */
  matchTarget: string | null;
  matchIndex: number;
  matchValue: string;
  /** The POST body as an object, when it was needed to decide the rules (or rendering objects). */
  bodyObject: Record<string, unknown> | null;
  violations: Violation[];
  /** The sample change, and the default change's displayName when the user names none. */
  changes: Record<string, unknown> | null;
  renamedTo: string | null;
  update: PatchOperation[] | null;
  scopeExit: PatchOperation[] | null;
  notes: string[];
  policies: GroupPolicy[];
}

const EMPTY: readonly number[] = [];
type StateMode = 0 | 1 | 2;
const FRESH: StateMode = 0;
const SCRATCH: StateMode = 1;
const SHARED: StateMode = 2;
/** The scoping result without filters, shared by the JSON line's evaluations (never handed out). */
const PASSED: ScopingResult = { passed: true, failures: [] };
const NOTES = {
  noCreate: "create is not a target object action: Entra only updates users that already exist in the target",
  noUpdate: "update is not a target object action: Entra sends no update when the user leaves scope",
  noSoftDeleted: "no mapping reads IsSoftDeleted: Entra sends nothing when the user is unassigned or leaves scope",
  skipOutOfScope: "skipOutOfScopeDeletions: users leaving a scoping filter or assignment are not disabled",
  disabled: "the user is disabled: Entra does not create it (provisioning a user that is disabled in Microsoft Entra ID isn't supported); it is created once enabled",
  noDeleteAfterUnassign: "after the user is unassigned Entra sends only the scope-exit update and stops managing the user: no DELETE follows when the user is later deleted",
  cleared: "a value the change clears is not sent: Entra does not provision null values, the target keeps the old value",
  onDemand: "this user is provisioned on demand: the aadOptscim062020 flag does not apply to on-demand provisioning, which sends the legacy dialect (see the preview with onDemand)",
} as const;
const RETRIEVE: ScimRequest = { method: "GET", path: "/Users/{id}" };
const NO_POLICIES: GroupPolicy[] = [];
const OUT_OF_SCOPE_TAIL = ',"matchQueries":[],"retrieve":null,"references":[],"policies":[]}';
const DISPLAY_NAME: readonly string[] = ["displayName"];
const IS_SOFT_DELETED: readonly string[] = ["IsSoftDeleted"];
const SOFT_DELETED_DELTA: Readonly<Record<string, unknown>> = { IsSoftDeleted: "True" };

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
  private readonly checkRules: RuleChecker;
  private readonly readsSoftDeleted: boolean;
  private readonly scopingAttributes: ReadonlySet<string>;
  private readonly sources: ReadonlyMap<string, string | undefined>;
  private readonly canCreate: boolean;
  private readonly canUpdate: boolean;
  private readonly canDelete: boolean;
  private readonly noScoping: boolean;
  /** No target is mapped twice: the Maps of an Evaluation are its arrays in mapping order. */
  private readonly uniqueTargets: boolean;
  /** Source attribute → the attributes (indices, ascending) whose expression reads it. */
  private readonly readers: Map<string, number[]>;
  /** The matching attributes in precedence order, as the index of the value a Map would hold. */
  private readonly matching: MatchingAttribute[];
  /** The attributes the matching values come from (what the first pass evaluates). */
  private readonly matchingIndices: readonly number[];
  private readonly referenceNotes: { index: number; note: string }[];
  private readonly body: BodyLayout | null;
  private readonly scope: AssignmentResolver;
  private readonly sharedBecause: string[] = [];
  private readonly sharedErrors: Violation[] = [];
  /** The notes a preview can have (they do not depend on the user); the requests' JSON. */
  private readonly deleteNote: string;
  private readonly json: RequestJson;
  /**
   * The record builder for the attributes the app's expressions and scoping filters read (null: unusual
   * names, sourceAttributes is used). Its records lack every other attribute, so they serve only the
   * preview's own evaluations, which never leave the previewer; `evaluate()` uses sourceAttributes.
   */
  private readonly buildRecord: ((user: Readonly<Record<string, unknown>>) => Record<string, unknown>) | null;
  /** Scratch space for re-evaluating a few attributes (reused for every user). */
  private readonly scratchValues: (AttributeValue | null)[] = [];
  private readonly scratchFlows: boolean[] = [];
  private readonly scratchErrors: Violation[] = [];
  private readonly scratchSaved: unknown[] = [];
  private readonly scratchHad: boolean[] = [];
  /** The value arrays of the evaluation a preview starts from (reused for every user). */
  private readonly baseValues: (AttributeValue | null)[] = [];
  private readonly baseFlows: boolean[] = [];
  private readonly baseCreate: (AttributeValue | null)[] = [];
  /** How the POST body's `active` is found: no such key, one plain attribute (its index), or only in the object. */
  private readonly active: { kind: "none" } | { kind: "value"; index: number } | { kind: "object" };
  /** Per attribute: how Entra exports its roles (null: not a role mapping). */
  private readonly roleModes: (RoleMode | null)[];
  private readonly hasRoles: boolean;
  /** The groups mapping (null: none), fed with each user's groups. */
  readonly groups: GroupPreviewer | null;
  /**
   * Matching value → the first user that computed it (a second user matches the first one's target user):
   * every value, or after a first pass (`beginPrepass`) only those its filter names (shared-values.ts).
   */
  private shared = new SharedValues();
  /** The filter the first pass fills, for the next pass. */
  private prepass: RepeatFilter | null = null;
  /** The references' JSON per referenced id (few managers, many users), bounded. */
  private readonly referencesJson = new Map<string, string>();
  /** Users provisioned on demand (their note). */
  private readonly onDemandUsers: ReadonlySet<string>;
  /** Set by the last update built: a change cleared a value (not sent). */
  private cleared = false;

  constructor(plan: AppPlan, options: PreviewOptions = {}) {
    if (!plan.entra) throw new PreviewError(`${plan.name}: the app has no Entra ID configuration to preview`);
    const mapping = plan.entra.mappings.find((m) => m.key === "users");
    if (!mapping) throw new PreviewError(`${plan.name}: the app has no users mapping`);
    this.app = plan.name;
    this.displayName = plan.displayName;
    this.plan = plan;
    this.entra = plan.entra;
    this.mapping = mapping;
    this.dialect = options.onDemand ? "legacy" : (options.dialect ?? plan.entra.dialect);
    const compileOptions = { now: options.now, random: options.random };
    const compiled = compileAttributes(mapping.attributes, compileOptions);
    const lastIndex = compiled.lastIndex;
    this.attributes = compiled.table;
    this.uniqueTargets = compiled.uniqueTargets;
    this.readers = compiled.readers;
    this.roleModes = mapping.attributes.map(roleModeOf);
    this.hasRoles = this.roleModes.some((m) => m !== null);
    this.scopingAttributes = new Set(scopingAttributes(mapping.scopingFilters));
    this.buildRecord = compileRecordBuilder([...new Set([...this.attributes.flatMap((a) => [...a.refs]), ...this.scopingAttributes])]);
    this.noScoping = mapping.scopingFilters.length === 0;
    this.sources = new Map(mapping.attributes.map((a) => [a.target, a.sourceText]));
    this.readsSoftDeleted = mapping.attributes.some((a) => a.source && attributesReferenced(a.source).includes("IsSoftDeleted"));
    this.scope = new AssignmentResolver(plan.entra, plan.name);
    this.canCreate = mapping.actions.includes("create");
    this.canUpdate = mapping.actions.includes("update");
    this.canDelete = mapping.actions.includes("delete");
    const { domains, missingConfig } = resolveAllowedDomains(plan.target, options.config ?? {});
    if (plan.entra.app.kind === "gallery" && plan.entra.app.publicPreview) this.warnings.push(publicPreviewNotice(plan.displayName));
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
    this.checkRules = compileRuleChecker(
      this.rules,
      this.attributes.map((a) => a.target),
      this.sources,
    );
    this.matching = compileMatching(this.rules.matching, (target) => lastIndex.get(target)!);
    this.matchingIndices = [...new Set(this.matching.map((m) => m.index))];
    this.referenceNotes = this.attributes.flatMap((a) =>
      a.reference ? [{ index: a.last, note: `\`${a.target}\` is a reference: Entra sets it with a later update once the referenced user exists in ${this.displayName}` }] : [],
    );
    const inBody = this.attributes.filter((a) => !a.reference).map((a) => ({ index: a.last, target: a.target }));
    // Role objects are built on the body object (applyRoles): no compiled layout for them.
    this.body = this.hasRoles ? null : compileBodyLayout(inBody);
    const activeKeys = inBody.filter(({ target }) => {
      const p = parseTargetPath(target);
      return p.schema === undefined && p.attribute === "active";
    });
    const plain = activeKeys.filter(({ target }) => {
      const p = parseTargetPath(target);
      return !p.filter && !p.sub;
    });
    this.active = !activeKeys.length
      ? { kind: "none" }
      : this.body && activeKeys.length === 1 && plain.length === 1
        ? { kind: "value", index: plain[0]!.index }
        : { kind: "object" };
    if (!mapping.enabled) this.warnings.push(`${plan.displayName}: the users mapping is disabled; Entra provisions no users`);
    this.deleteNote = `${this.displayName} treats DELETE as a soft delete (the user is set to active=false)`;
    this.json = new RequestJson("/Users", [...Object.values(NOTES), this.deleteNote, ...this.referenceNotes.map((r) => r.note)]);
    this.groups = groups ? new GroupPreviewer(plan, groups, this.scope, this.dialect, compileOptions) : null;
    this.onDemandUsers = new Set(this.dialect === "legacy" ? [] : plan.entra.provisionOnDemand.map((p) => p.user));
  }

  /** The shared-matching-value rule applies (users are provisioned and matched): a first pass bounds its memory. */
  get checksSharedValues(): boolean {
    return this.mapping.enabled && this.matching.length > 0;
  }

  /**
   * Starts the first pass of a bounded-memory run: `observeMatching` each user of the file, then
   * `beginPass` and preview the same users in the same order.
   */
  beginPrepass(): void {
    this.prepass = this.checksSharedValues ? new RepeatFilter() : null;
  }

  /** The first pass: notes the matching value the user computes (when in scope). */
  observeMatching(user: SampleUser): void {
    if (!this.prepass) return;
    const groups = groupsOf(user);
    const ev = this.state(user, false, groups, SHARED, this.matchingIndices);
    if (!ev.inScope) return;
    const create = ev.createValues;
    for (let k = 0; k < this.matching.length; k++) {
      const s = firstValue(create[this.matching[k]!.index]);
      if (s !== null && s !== "") {
        this.prepass.add(k, s);
        return;
      }
    }
  }

  /** Starts a new pass over the users: forgets the matching values and group members seen. */
  beginPass(): void {
    this.shared = new SharedValues(this.prepass);
    this.prepass = null;
    this.groups?.reset();
  }

  /** Matching values this pass remembers (all of them without a first pass; else only those its filter names). */
  get sharedValuesRemembered(): number {
    return this.shared.remembered;
  }

  /** After a pass (and its groups' preview): lets go of what the pass remembered. */
  endPass(): void {
    this.shared = new SharedValues();
  }

  /** The groups seen in this pass (and the plan's assigned groups), previewed: call after the users. */
  groupPreviews(): GroupPreview[] {
    return this.groups?.previews() ?? [];
  }

  /** Which app-role assignments the user holds for this app (direct, through groups, or sync-all). */
  assignmentOf(user: SampleUser): Assignment {
    return this.scope.assignmentFor(user, groupsOf(user));
  }

  /** Evaluates the mapping for one state of a user (everything recomputed: the reference path). */
  evaluate(user: SampleUser, forceSoftDeleted = false): Evaluation {
    return this.state(user, forceSoftDeleted, groupsOf(user));
  }

  /**
   * The evaluation of one state of a user. FRESH: everything its own (it may be returned). SCRATCH: the
   * value arrays are the previewer's, reused for the next user (the evaluation does not outlive the user's
   * preview); the record holds only what the app reads. SHARED (the JSON line): also the assignment,
   * its roles, the reasons and errors lists and the scoping result are shared or reused — nothing of the
   * evaluation is handed out.
   */
  private state(user: SampleUser, forceSoftDeleted: boolean, groups: readonly GroupRef[], mode: StateMode = FRESH, only?: readonly number[]): EvalState {
    // The preview's own evaluations read a record with only the attributes the app reads.
    const proto = mode !== FRESH && this.buildRecord ? Object.getPrototypeOf(user) : undefined;
    const lean = proto === Object.prototype || proto === null;
    const attrs = lean ? (this.buildRecord!(user) as Record<string, string | string[] | null>) : sourceAttributes(user);
    let assignment: Assignment;
    let roles: string[];
    const mask = mode === SHARED ? this.scope.mask(user, groups) : -1;
    if (mask >= 0) {
      const shared = this.scope.sharedFor(mask, user, groups);
      assignment = shared.assignment;
      roles = shared.roles;
    } else {
      assignment = this.scope.assignmentFor(user, groups);
      roles = [...assignment.roles];
    }
    const scoping = this.noScoping ? (mode === SHARED ? PASSED : { passed: true, failures: [] }) : evaluateScoping(this.mapping.scopingFilters, attrs);
    const deleted = isSoftDeletedInDirectory(user);
    const because = softDeletedReasons(mode === SHARED ? this.sharedBecause : [], isEnabled(user), assignment, scoping, deleted ? (user.deletedDateTime as string) : null);
    const isSoftDeleted = forceSoftDeleted || because.length > 0;
    // The record is the attributes plus the two computed inputs: added in place (the attributes object is
    // rebuilt only if someone asks for it), unless the attributes already hold one of them or have an
    // unusual prototype (a `__proto__` attribute), where the copy keeps them apart.
    let record: SourceRecord;
    let attributes: typeof attrs | null = null;
    if (lean || (Object.getPrototypeOf(attrs) === Object.prototype && !("IsSoftDeleted" in attrs) && !("appRoleAssignments" in attrs))) {
      const writable = attrs as Record<string, string | string[] | null>;
      writable.IsSoftDeleted = isSoftDeleted ? "True" : "False";
      writable.appRoleAssignments = roles;
      record = writable;
    } else {
      record = toSourceRecord(attrs, isSoftDeleted, assignment.roles);
      attributes = attrs;
    }
    const table = this.attributes;
    const n = table.length;
    const values = mode !== FRESH ? this.baseValues : new Array<AttributeValue | null>(n);
    const flows = mode !== FRESH ? this.baseFlows : new Array<boolean>(n);
    const createValues = mode !== FRESH ? this.baseCreate : new Array<AttributeValue | null>(n);
    const errors: Violation[] = mode === SHARED ? this.sharedErrors : [];
    errors.length = 0;
    if (only) {
      // Only these attributes (the first pass's matching values): the others keep the last user's values.
      for (const i of only) {
        this.evaluateAt(i, record, errors, values, flows, i);
        createValues[i] = flows[i] ? (values[i] ?? table[i]!.fallback) : null;
      }
    } else {
      for (let i = 0; i < n; i++) this.evaluateAt(i, record, errors, values, flows, i);
      for (let i = 0; i < n; i++) createValues[i] = flows[i] ? (values[i] ?? table[i]!.fallback) : null;
    }
    const inScope = assignment.assigned && scoping.passed && !deleted;
    const state = new EvalState(table, assignment, scoping, isSoftDeleted, because, inScope, errors, attributes, record, values, flows, createValues);
    state.assignmentMask = mask;
    return state;
  }

  /** Evaluates attribute i against `record` into `values[k]` / `flows[k]`; a failure is an expression-error violation. */
  private evaluateAt(i: number, record: SourceRecord, errors: Violation[], values: (AttributeValue | null)[], flows: boolean[], k: number): void {
    evaluateAttribute(this.attributes[i]!, record, errors, values, flows, k);
  }

  /** The attributes (ascending) whose expression reads one of `changed`. */
  private readersOf(changed: readonly string[]): readonly number[] {
    return readersOf(this.readers, this.attributes.length, changed);
  }

  /** `base` with the attributes that read one of `changed` re-evaluated against `record`. */
  private variant(base: EvalState, record: SourceRecord, changed: readonly string[], attributes: Readonly<Record<string, string | string[] | null>>, isSoftDeleted: boolean): EvalState {
    const next = base.derive(record, attributes, isSoftDeleted);
    for (const i of this.readersOf(changed)) {
      this.evaluateAt(i, record, next.errors, next.values, next.flows, i);
      next.createValues[i] = next.flows[i] ? (next.values[i] ?? this.attributes[i]!.fallback) : null;
    }
    return next;
  }

  /** `ev` when this previewer made it (its arrays can be read directly), else null. */
  private asState(ev: Evaluation): EvalState | null {
    return ev instanceof EvalState && ev.table === this.attributes ? ev : null;
  }

  /** `ev` as arrays: itself when this previewer made it, else read from its `results`. */
  private stateOf(ev: Evaluation): EvalState {
    const own = this.asState(ev);
    if (own) return own;
    const values = ev.results.map((r) => r.value);
    const flows = ev.results.map((r) => r.flows);
    const createValues = values.map((v, i) => (flows[i] ? (v ?? this.attributes[i]!.fallback) : null));
    return new EvalState(this.attributes, ev.assignment, ev.scoping, ev.isSoftDeleted, ev.softDeletedBecause, ev.inScope, ev.errors, ev.attributes, ev.record, values, flows, createValues);
  }

  /** The evaluation Entra makes when the user leaves scope: IsSoftDeleted True, nothing else changed. */
  softDeletedVariant(base: Evaluation): Evaluation {
    if (base.isSoftDeleted) return base;
    return this.variant(this.stateOf(base), { ...base.record, IsSoftDeleted: "True" }, ["IsSoftDeleted"], base.attributes, true);
  }

  /** Fields of the sample format that decide assignment, scope or IsSoftDeleted. */
  private static readonly STATE_FIELDS = new Set(["memberOf", "accountEnabled", "deletedDateTime", "assignedRoles", "id", "userPrincipalName"]);

  /** The change needs a full evaluation: it touches what decides scope, or a Graph spelling the user also carries under the engine's name. */
  private static needsFullEvaluation(user: SampleUser, keys: readonly string[]): boolean {
    for (const k of keys) {
      const engineName = GRAPH_TO_SOURCE[k];
      if (engineName !== undefined && user[engineName] !== undefined) return true;
      if (AppPreviewer.STATE_FIELDS.has(k) || k === "onPremisesExtensionAttributes" || k === "manager") return true;
    }
    return false;
  }

  /**
   * The source attributes `delta` changes against `base` (possibly none). A change to a scoping-filter
   * attribute returns "full" (scope may change: everything is re-evaluated).
   */
  private changedAttributes(base: Evaluation, delta: Readonly<Record<string, string | string[] | null>>): string[] | "full" {
    const changed: string[] = [];
    const state = this.asState(base);
    const attributes = state ? null : base.attributes;
    for (const key in delta) {
      const a = delta[key] ?? null;
      const b = (attributes ? attributes[key] : state!.attribute(key)) ?? null;
      if (a === b) continue;
      if (Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => x === b[i])) continue;
      changed.push(key);
    }
    for (const k of changed) if (this.scopingAttributes.has(k)) return "full";
    return changed;
  }

  /**
   * The evaluation after `changes`. When they touch nothing that decides scope (assignment, scoping-filter
   * attributes, accountEnabled, deletion), only the attributes reading a changed value are re-evaluated;
   * otherwise everything is (the same result as `evaluate(withChanges(user, changes))`).
   */
  changedVariant(base: Evaluation, user: SampleUser, changes: Readonly<Record<string, unknown>>): Evaluation {
    if (AppPreviewer.needsFullEvaluation(user, Object.keys(changes))) return this.evaluate(withChanges(user, changes));
    const delta = sourceAttributes(changes);
    const changed = this.changedAttributes(base, delta);
    if (changed === "full") return this.evaluate(withChanges(user, changes));
    if (!changed.length) return base;
    return this.variant(this.stateOf(base), { ...base.record, ...delta }, changed, { ...base.attributes, ...delta }, base.isSoftDeleted);
  }

  /** The value a Map keyed by target holds for attribute i's target. */
  private createOf(ev: Evaluation, i: number): AttributeValue | null | undefined {
    const state = this.asState(ev);
    return state ? state.createValues[this.attributes[i]!.last] : ev.create.get(this.attributes[i]!.target);
  }

  /** The POST body for an evaluation (references left out: Entra links them once they exist in the target). */
  bodyOf(ev: Evaluation): Record<string, unknown> {
    const values: [string, AttributeValue][] = [];
    for (let i = 0; i < this.attributes.length; i++) {
      const a = this.attributes[i]!;
      if (a.reference) continue;
      const v = this.createOf(ev, i);
      if (v === null || v === undefined) continue;
      values.push([a.target, v]);
    }
    const body = buildUserBody(values);
    if (this.hasRoles) {
      const state = this.asState(ev);
      const roles = [];
      for (let i = 0; i < this.attributes.length; i++) {
        const mode = this.roleModes[i];
        if (!mode || !(state ? state.flows[i] : ev.results[i]!.flows)) continue;
        roles.push({ mode, target: this.attributes[i]!.target, value: this.createOf(ev, i) ?? null });
      }
      applyRoles(body, roles);
    }
    return body;
  }

  /** The attribute changes from `before` to `after`, as diffValues over their `current` Maps. */
  private changesBetween(before: Evaluation, after: Evaluation): AttributeChange[] {
    const b = this.asState(before);
    const a = this.asState(after);
    if (!b || !a || !this.uniqueTargets) return diffValues(before.current, after.current);
    return this.diffAt(b, a, null);
  }

  /**
   * diffValues(before.current, after.current) for states of this app without a target mapped twice,
   * looking only at `indices` (ascending; null: all attributes) — the others must be equal.
   */
  private diffAt(before: EvalState, after: EvalState, indices: readonly number[] | null): AttributeChange[] {
    const changes: AttributeChange[] = [];
    const n = indices ? indices.length : this.attributes.length;
    for (let k = 0; k < n; k++) {
      const i = indices ? indices[k]! : k;
      const a = this.attributes[i]!;
      const now = currentValue(after, a, i);
      if (now === null) continue;
      const old = currentValue(before, a, i);
      if (!sameValue(old, now)) changes.push({ target: a.target, before: old, after: now });
    }
    for (let k = 0; k < n; k++) {
      const i = indices ? indices[k]! : k;
      const a = this.attributes[i]!;
      const old = currentValue(before, a, i);
      if (old !== null && currentValue(after, a, i) === null) changes.push({ target: a.target, before: old, after: null });
    }
    return changes;
  }

  /** The PATCH Entra sends when the user changes from `before` to `after` (null: nothing to send). */
  updateRequest(before: Evaluation, after: Evaluation): ScimRequest | null {
    if (!this.canUpdate) return null;
    const ops = this.operations(this.changesBetween(before, after));
    return ops ? patchRequest(ops) : null;
  }

  matchQueryOf(ev: Evaluation): ScimRequest | null {
    for (const m of this.matching) {
      const s = firstValue(this.createOf(ev, m.index));
      if (s !== null && s !== "") return matchRequest(m.target, s);
    }
    return null;
  }

  /** The sample change for a user: its `update` field, else a renamed displayName. */
  changeFor(user: SampleUser): Record<string, unknown> {
    return user.update && Object.keys(user.update).length ? { ...user.update } : defaultChange(user);
  }

  // -------------------------------------------------------------------------------------------
  // One user, as the preview shows it.

  /**
   * The PATCH operations for the sample change (null: none), re-evaluating only the attributes that read a
   * changed value (in place on `base.record`, restored before returning) unless the change needs a full
   * evaluation. Evaluates exactly what `updateRequest(base, changedVariant(base, user, changes))` does.
   */
  private sampleUpdate(base: EvalState, user: SampleUser, changes: Readonly<Record<string, unknown>>, renamedTo: string | null): PatchOperation[] | null {
    if (renamedTo !== null && this.uniqueTargets && !this.scopingAttributes.has("displayName")) {
      // The default change, {displayName: renamedTo}: not a field that decides scope nor a Graph spelling,
      // so its delta is itself and only the readers of displayName are re-evaluated (when it differs).
      if (renamedTo === (base.attribute("displayName") ?? null)) return null;
      const list = this.inPlaceChanges(base, DISPLAY_NAME, { displayName: renamedTo }, this.readers.get("displayName") ?? EMPTY);
      return this.canUpdate ? this.operations(list) : null;
    }
    let changed: string[] | "full" = "full";
    let delta: Record<string, string | string[] | null> | undefined;
    if (!AppPreviewer.needsFullEvaluation(user, Object.keys(changes))) {
      delta = sourceAttributes(changes);
      changed = this.changedAttributes(base, delta);
    }
    let list: AttributeChange[];
    if (changed === "full") {
      const next = withChanges(user, changes);
      const after = this.state(next, false, groupsOf(next));
      list = this.uniqueTargets ? this.diffAt(base, after, null) : diffValues(base.current, after.current);
    } else if (!changed.length) {
      return null;
    } else if (!this.uniqueTargets || Object.getPrototypeOf(delta) !== Object.prototype) {
      list = this.changesBetween(base, this.variant(base, { ...base.record, ...delta }, changed, { ...base.attributes, ...delta }, base.isSoftDeleted));
    } else {
      list = this.inPlaceChanges(base, Object.keys(delta!), delta!, this.readersOf(changed));
    }
    return this.canUpdate ? this.operations(list) : null;
  }

  /**
   * The PATCH operations for attribute changes (null: none to send): role attributes in Entra's role forms,
   * the others in the dialect's; a value that became NULL is not sent (and `cleared` says so).
   */
  private operations(list: readonly AttributeChange[]): PatchOperation[] | null {
    this.cleared = false;
    if (!list.length) return null;
    let plain: AttributeChange[] | readonly AttributeChange[] = list;
    let roleOps: PatchOperation[] | null = null;
    if (this.hasRoles) {
      plain = [];
      for (const c of list) {
        const i = this.attributes.findIndex((a) => a.target === c.target);
        const mode = i >= 0 ? this.roleModes[i] : null;
        if (!mode) (plain as AttributeChange[]).push(c);
        else {
          const op = roleOperation(c, mode, this.dialect);
          if (op) (roleOps ??= []).push(op);
        }
      }
    }
    for (const c of plain) if (c.after === null) this.cleared = true;
    const ops = patchOperations(plain, this.dialect);
    if (roleOps) ops.push(...roleOps);
    return ops.length ? ops : null;
  }

  /** The PATCH operations when the user leaves scope (IsSoftDeleted True), for a user in scope. */
  private scopeExitUpdate(base: EvalState): PatchOperation[] | null {
    const list = this.uniqueTargets
      ? this.inPlaceChanges(base, IS_SOFT_DELETED, SOFT_DELETED_DELTA, this.readers.get("IsSoftDeleted") ?? EMPTY)
      : this.changesBetween(base, this.softDeletedVariant(base));
    return this.operations(list);
  }

  /**
   * The attribute changes when `delta` is applied to `base.record`: the `indices` (the attributes reading a
   * changed value) are re-evaluated with the record patched in place, which is then restored.
   */
  private inPlaceChanges(base: EvalState, keys: readonly string[], delta: Readonly<Record<string, unknown>>, indices: readonly number[]): AttributeChange[] {
    if (!indices.length) return [];
    const record = base.record as Record<string, unknown>;
    const saved = this.scratchSaved;
    const had = this.scratchHad;
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k]!;
      had[k] = Object.prototype.hasOwnProperty.call(record, key);
      saved[k] = record[key];
      record[key] = delta[key];
    }
    const values = this.scratchValues;
    const flows = this.scratchFlows;
    const errors = this.scratchErrors;
    try {
      for (let k = 0; k < indices.length; k++) this.evaluateAt(indices[k]!, base.record, errors, values, flows, k);
    } finally {
      errors.length = 0;
      for (let k = 0; k < keys.length; k++) {
        if (had[k]) record[keys[k]!] = saved[k];
        else delete record[keys[k]!];
        saved[k] = undefined;
      }
    }
    // diffValues(base.current, after.current): only these attributes can differ.
    const changes: AttributeChange[] = [];
    for (let k = 0; k < indices.length; k++) {
      const i = indices[k]!;
      const a = this.attributes[i]!;
      const now = a.compared && flows[k] ? values[k]! : null;
      if (now === null) continue;
      const old = currentValue(base, a, i);
      if (!sameValue(old, now)) changes.push({ target: a.target, before: old, after: now });
    }
    for (let k = 0; k < indices.length; k++) {
      const i = indices[k]!;
      const a = this.attributes[i]!;
      const old = currentValue(base, a, i);
      if (old !== null && !(a.compared && flows[k] && values[k] !== null)) changes.push({ target: a.target, before: old, after: null });
    }
    return changes;
  }

  private outcome(user: SampleUser, objects: boolean): Outcome {
    const groups = groupsOf(user);
    const ev = this.state(user, false, groups, objects ? SCRATCH : SHARED);
    const inScope = ev.inScope && this.mapping.enabled;
    const o: Outcome = { ev, inScope, matchTarget: null, matchIndex: -1, matchValue: "", bodyObject: null, violations: [], changes: null, renamedTo: null, update: null, scopeExit: null, notes: [], policies: NO_POLICIES };
    if (!inScope) {
      this.groups?.observe(groups, user.userPrincipalName, false);
      return o;
    }
    const create = ev.createValues;
    for (let k = 0; k < this.matching.length; k++) {
      const m = this.matching[k]!;
      const s = firstValue(create[m.index]);
      if (s !== null && s !== "") {
        o.matchTarget = m.target;
        o.matchIndex = k;
        o.matchValue = s;
        break;
      }
    }
    let active: unknown;
    // "Provisioning a user that is disabled in Microsoft Entra ID isn't supported" (how-provisioning-works.md).
    const disabled = !isEnabled(user);
    if (disabled) o.notes.push(NOTES.disabled);
    else if (this.canCreate) {
      if (objects || this.active.kind === "object" || !this.body) {
        o.bodyObject = this.bodyOf(ev);
        active = o.bodyObject.active;
      } else if (this.active.kind === "value") {
        const v = create[this.active.index];
        active = v === null || v === undefined ? undefined : postActive(v);
      }
    } else o.notes.push(NOTES.noCreate);
    for (const r of this.referenceNotes) if (create[r.index] != null) o.notes.push(r.note);
    const groupNames = new Array<string>(groups.length);
    for (let g = 0; g < groups.length; g++) groupNames[g] = groups[g]!.displayName;
    const ruleViolations = this.checkRules(create, active, groupNames);
    o.violations = ev.errors.length ? [...ev.errors, ...ruleViolations] : ruleViolations;
    if (disabled && this.canCreate) {
      o.violations = [...o.violations, { rule: "disabled-not-provisioned", severity: "error", attribute: "active", message: `the user is disabled (accountEnabled false): Entra does not provision a disabled user to ${this.displayName} until it is enabled` }];
    }
    if (o.matchTarget !== null) {
      const first = this.shared.firstOther(o.matchIndex, o.matchValue, user.userPrincipalName);
      if (first !== undefined) {
        o.violations = [
          ...o.violations,
          {
            rule: "matching-value-shared",
            severity: "warning",
            attribute: o.matchTarget,
            message: `${first} computes the same \`${o.matchTarget}\` (${JSON.stringify(o.matchValue)}): Entra's query finds the user it provisioned for ${first} and updates it, so both Entra users are linked to one ${this.displayName} user`,
          },
        ];
      }
    }
    let provisioned = !disabled && this.canCreate;
    for (const v of o.violations) if (v.severity === "error") provisioned = false;
    if (this.groups) {
      this.groups.observe(groups, user.userPrincipalName, provisioned);
      if (provisioned) {
        for (const g of groups) {
          const policy = this.groups.policyFor(g);
          if (policy) (o.policies === NO_POLICIES ? (o.policies = []) : o.policies).push(policy);
        }
      }
    }
    if (user.update && Object.keys(user.update).length) o.changes = { ...user.update };
    else {
      o.renamedTo = defaultDisplayName(user);
      o.changes = { displayName: o.renamedTo };
    }
    this.cleared = false;
    o.update = this.sampleUpdate(ev, user, o.changes, o.renamedTo);
    if (this.cleared) o.notes.push(NOTES.cleared);
    if (!this.canUpdate) o.notes.push(NOTES.noUpdate);
    else if (!this.readsSoftDeleted) o.notes.push(NOTES.noSoftDeleted);
    else if (!ev.isSoftDeleted) o.scopeExit = this.scopeExitUpdate(ev);
    if (this.entra.skipOutOfScopeDeletions) o.notes.push(NOTES.skipOutOfScope);
    if (this.plan.target.deleteIsSoftDelete && this.canDelete) o.notes.push(this.deleteNote);
    if (this.canDelete && this.canUpdate && this.readsSoftDeleted) o.notes.push(NOTES.noDeleteAfterUnassign);
    if (this.onDemandUsers.size && (this.onDemandUsers.has(user.userPrincipalName) || (typeof user.id === "string" && this.onDemandUsers.has(user.id)))) o.notes.push(NOTES.onDemand);
    return o;
  }

  /** Every matching query in precedence order (the attributes with a value). */
  private matchQueriesOf(create: readonly (AttributeValue | null)[]): ScimRequest[] {
    const out: ScimRequest[] = [];
    for (const m of this.matching) {
      const s = firstValue(create[m.index]);
      if (s !== null && s !== "") out.push(matchRequest(m.target, s));
    }
    return out;
  }

  /** JSON.stringify(referencesOf(create)), cached per referenced value when there is one reference. */
  private referencesJsonOf(create: readonly (AttributeValue | null)[]): string {
    if (this.referenceNotes.length !== 1 || !this.canUpdate) return JSON.stringify(this.referencesOf(create));
    const of = firstValue(create[this.referenceNotes[0]!.index]);
    if (of === null || of === "") return "[]";
    let json = this.referencesJson.get(of);
    if (json === undefined) {
      json = JSON.stringify(this.referencesOf(create));
      if (this.referencesJson.size < 1000) this.referencesJson.set(of, json);
    }
    return json;
  }

  /** The reference attributes' requests (the manager), for the create values. */
  private referencesOf(create: readonly (AttributeValue | null)[]): ReferenceRequests[] {
    const out: ReferenceRequests[] = [];
    if (!this.canUpdate) return out;
    for (const r of this.referenceNotes) {
      const of = firstValue(create[r.index]);
      if (of !== null && of !== "") out.push(referenceRequests(this.attributes[r.index]!.target, of, this.dialect));
    }
    return out;
  }

  preview(user: SampleUser): UserPreview {
    const o = this.outcome(user, true);
    const ev = o.ev;
    let matchQuery: ScimRequest | null = null;
    let update: UserPreview["update"] = null;
    let deprovision: UserPreview["deprovision"] = null;
    if (o.inScope) {
      if (o.matchTarget !== null) matchQuery = matchRequest(o.matchTarget, o.matchValue);
      update = { changes: o.changes!, request: o.update ? patchRequest(o.update) : null };
      deprovision = { scopeExit: o.scopeExit ? patchRequest(o.scopeExit) : null, hardDelete: this.canDelete ? { method: "DELETE", path: "/Users/{id}" } : null };
    }
    const attributes: Record<string, AttributeValue | null> = {};
    for (const a of this.attributes) attributes[a.target] = ev.createValues[a.last]!;
    return {
      app: this.app,
      userPrincipalName: user.userPrincipalName,
      id: typeof user.id === "string" ? user.id : undefined,
      inScope: o.inScope,
      isSoftDeleted: ev.isSoftDeleted,
      softDeletedBecause: ev.softDeletedBecause,
      assignment: ev.assignment,
      scoping: ev.scoping,
      attributes,
      matchQuery,
      body: o.bodyObject,
      update,
      deprovision,
      notes: o.notes,
      violations: o.violations,
      matchQueries: o.inScope ? this.matchQueriesOf(ev.createValues) : [],
      retrieve: o.inScope ? RETRIEVE : null,
      references: o.inScope ? this.referencesOf(ev.createValues) : [],
      policies: o.policies,
    };
  }

  /**
   * The user's JSON line — exactly `JSON.stringify(userJson(this.preview(user)))` — written from the
   * evaluated values; the user is counted in `summary`.
   */
  previewJson(user: SampleUser, summary: AppSummary): string {
    const o = this.outcome(user, false);
    const ev = o.ev;
    summary.users++;
    if (o.inScope) summary.inScope++;
    let errors = false;
    let warnings = false;
    for (const v of o.violations) {
      if (v.severity === "error") errors = true;
      else if (v.severity === "warning") warnings = true;
    }
    if (errors) summary.withErrors++;
    if (warnings) summary.withWarnings++;

    // The line is joined from as few pieces as possible (each piece costs when the line is written out):
    // the text between two values is one literal, chosen among the variants the values allow.
    let out = `{"userPrincipalName":"${jsonInner(user.userPrincipalName)}`;
    if (!o.inScope) out += '","inScope":false,"body":null';
    else if (!this.canCreate || !isEnabled(user)) out += '","inScope":true,"body":null';
    else out += `","inScope":true,"body":${o.bodyObject ? JSON.stringify(o.bodyObject) : this.body!.json(ev.createValues)}`;
    out += o.violations.length ? `,"violations":${violationsJson(o.violations)}` : ',"violations":[]';
    const id = typeof user.id === "string";
    if (id) out += `,"id":"${jsonInner(user.id as string)}`;
    const because = ev.softDeletedBecause;
    out += because.length
      ? `${id ? '","isSoftDeleted":' : ',"isSoftDeleted":'}${ev.isSoftDeleted},"softDeletedBecause":${jsonStrings(because)},"assignment":`
      : id
        ? ev.isSoftDeleted
          ? '","isSoftDeleted":true,"softDeletedBecause":[],"assignment":'
          : '","isSoftDeleted":false,"softDeletedBecause":[],"assignment":'
        : ev.isSoftDeleted
          ? ',"isSoftDeleted":true,"softDeletedBecause":[],"assignment":'
          : ',"isSoftDeleted":false,"softDeletedBecause":[],"assignment":';
    out += this.assignmentJsonOf(ev);
    const scoping = this.noScoping ? ',"scoping":{"passed":true,"failures":[]}' : `,"scoping":${JSON.stringify(ev.scoping)}`;
    if (!o.inScope) return `${out}${scoping},"matchQuery":null,"update":null,"deprovision":null,"notes":[]${OUT_OF_SCOPE_TAIL}`;
    // matchQuery, then the start of update: `…\""}},"update":{"changes":`.
    let matchJson = "null";
    if (o.matchTarget !== null) {
      const m = this.matching[o.matchIndex]!;
      const value = o.matchValue;
      matchJson =
        jsonInner(value) === value
          ? `{"method":"GET","path":"${m.pathJson}\\"${value}\\"","query":{"filter":"${m.filterJson}\\"${value}\\""}}`
          : JSON.stringify(matchRequest(m.target, value));
    }
    out += `${scoping},"matchQuery":${matchJson},"update":{"changes":`;
    out += o.renamedTo !== null ? `{"displayName":"${jsonInner(o.renamedTo)}"},"request":` : `${JSON.stringify(o.changes)},"request":`;
    out += o.update ? this.json.patch(o.update) : "null";
    out += o.scopeExit ? `},"deprovision":{"scopeExit":${this.json.patch(o.scopeExit)}` : '},"deprovision":{"scopeExit":null';
    out += `${this.canDelete ? ',"hardDelete":{"method":"DELETE","path":"/Users/{id}"}},"notes":' : ',"hardDelete":null},"notes":'}${this.json.notes(o.notes)}`;
    // The matching queries after the first, the references and policies are rare or short: serialized.
    const queries = this.matching.length === 1 ? (o.matchTarget === null ? "[]" : `[${matchJson}]`) : JSON.stringify(this.matchQueriesOf(ev.createValues));
    const references = this.referenceNotes.length ? this.referencesJsonOf(ev.createValues) : "[]";
    return `${out},"matchQueries":${queries},"retrieve":{"method":"GET","path":"/Users/{id}"},"references":${references},"policies":${o.policies.length ? JSON.stringify(o.policies) : "[]"}}`;
  }

  /** JSON of the evaluation's assignment (kept with the shared assignment when there is one). */
  private assignmentJsonOf(ev: EvalState): string {
    const shared = ev.assignmentMask >= 0 ? this.scope.shared.get(ev.assignmentMask) : undefined;
    return shared ? shared.json : assignmentJson(ev.assignment);
  }


}

/** The violations that make the target (or Entra) refuse the user. */
export function blockingViolations(p: UserPreview): Violation[] {
  return p.violations.filter((v) => v.severity === "error");
}
