/**
 * AppRoleAssignments: who is assigned to one enterprise app, reconciled as a SET keyed by principal and
 * role. Adding or removing one entry writes exactly that one assignment; the others are not touched.
 * Assignments made outside this resource (portal) are left alone; ours that disappear are drift.
 *
 * Calls per operation (docs/design.md §1):
 * - create/update: `GET /servicePrincipals/{id}` (its appRoles), `GET …/appRoleAssignedTo` (the live set),
 *   `GET /groups?$filter=…` / `GET /users?$filter=…` for each principal given by name, then one
 *   `POST …/appRoleAssignedTo` per missing entry and, when `allowDelete`, one
 *   `DELETE …/appRoleAssignedTo/{id}` per entry removed from the declaration. Right after creation the
 *   calls are retried through the replication-lag window.
 * - diff: none (compares the declared sets).
 * - read: `GET …/appRoleAssignedTo`; entries whose assignment vanished are dropped (so the next `up` re-adds them).
 * - delete: one DELETE per assignment made here when `allowDelete`, else nothing.
 */
import type * as pulumi from "@pulumi/pulumi";
import { GraphDynamicResource, type GraphResourceArgs } from "./dynamic-resource";
import { createGraphSession } from "./graph";
import { canonicalJson, containsUnknown, UNKNOWN_VALUE } from "./helpers";
import type { CheckFailure, GraphResourceInputs } from "./provider-kit";
import { appLabel, callContext, checkResult, diffResult, graphFailures, outputsOf, readResult, requiredStringFailures, unlessGone } from "./provider-kit";
import { resolveAppRoleId, resolvePrincipalId, type PrincipalType } from "./principals";
import { assignAppRole, deleteAppRoleAssignment, getServicePrincipal, listAppRoleAssignments } from "./sync-api";

export interface AssignmentEntry {
  /** Object id, group display name or userPrincipalName. */
  principal: string;
  principalType: PrincipalType;
  /** App role display name (or value). */
  role: string;
}

export interface GrantedAssignment extends AssignmentEntry {
  principalId: string;
  appRoleId: string;
  /** Graph's appRoleAssignment id. */
  assignmentId: string;
}

export interface AppRoleAssignmentsInputs extends GraphResourceInputs {
  assignments: AssignmentEntry[];
  /** When true, an entry removed from `assignments` (or the whole resource) is unassigned in Entra. */
  allowDelete?: boolean;
}

export interface AppRoleAssignmentsOutputs extends AppRoleAssignmentsInputs {
  granted: GrantedAssignment[];
}

const PRINCIPAL_TYPES: readonly PrincipalType[] = ["User", "Group", "ServicePrincipal"];
const entryKey = (e: AssignmentEntry) => `${e.principalType}|${e.principal}|${e.role}`;
const sortedKeys = (list: readonly AssignmentEntry[] | undefined) => (list ?? []).map(entryKey).sort();

async function assignmentsCheck(_olds: unknown, news: Record<string, unknown>) {
  const inputs = { ...news } as unknown as AppRoleAssignmentsInputs;
  const failures: CheckFailure[] = [...requiredStringFailures(inputs, ["servicePrincipalId"]), ...graphFailures(inputs.graph)];
  if (inputs.assignments !== (UNKNOWN_VALUE as unknown) && !Array.isArray(inputs.assignments)) failures.push({ property: "assignments", reason: "must be a list" });
  else if (Array.isArray(inputs.assignments)) {
    const seen = new Set<string>();
    inputs.assignments.forEach((a, n) => {
      if (containsUnknown(a)) return;
      if (!PRINCIPAL_TYPES.includes(a?.principalType)) failures.push({ property: `assignments[${n}].principalType`, reason: `must be one of ${PRINCIPAL_TYPES.join(", ")}` });
      if (typeof a?.principal !== "string" || a.principal.trim() === "") failures.push({ property: `assignments[${n}].principal`, reason: "must be an object id or a name" });
      if (typeof a?.role !== "string" || a.role === "") failures.push({ property: `assignments[${n}].role`, reason: "must be an app role name" });
      const key = entryKey(a);
      if (seen.has(key)) failures.push({ property: `assignments[${n}]`, reason: `${a.principalType} ${a.principal} is assigned the role ${a.role} twice` });
      seen.add(key);
    });
  }
  return checkResult(inputs, failures);
}

async function assignmentsDiff(_id: string, olds: AppRoleAssignmentsOutputs, news: AppRoleAssignmentsInputs) {
  return diffResult(
    olds,
    news,
    ["servicePrincipalId"],
    () =>
      containsUnknown(news.assignments) ||
      canonicalJson(sortedKeys(olds.assignments)) !== canonicalJson(sortedKeys(news.assignments)) ||
      !!olds.allowDelete !== !!news.allowDelete ||
      (olds.appName ?? "") !== (news.appName ?? "") ||
      canonicalJson(olds.graph ?? null) !== canonicalJson(news.graph ?? null) ||
      olds.providerVersion !== news.providerVersion,
  );
}

/** Makes the live set hold every declared entry; removes the entries `previous` granted that are no longer declared (when allowed). */
async function reconcileAssignments(i: AppRoleAssignmentsInputs, previous: GrantedAssignment[], justCreated: boolean): Promise<GrantedAssignment[]> {
  const session = createGraphSession(i.graph);
  const ctx = callContext(i, session, justCreated);
  const sp = await getServicePrincipal(session, i.servicePrincipalId, ctx);
  const live = await listAppRoleAssignments(session, i.servicePrincipalId, ctx);
  const cache = new Map<string, string>();
  const granted: GrantedAssignment[] = [];
  for (const entry of i.assignments) {
    const principalId = await resolvePrincipalId(session, entry.principalType, entry.principal, ctx, cache);
    const appRoleId = resolveAppRoleId(sp.appRoles ?? [], entry.role, entry.principalType, ctx.app);
    const existing = live.find((a) => a.principalId === principalId && a.appRoleId === appRoleId);
    const assignment = existing ?? (await assignAppRole(session, i.servicePrincipalId, { principalId, appRoleId }, ctx));
    if (!existing) live.push(assignment);
    granted.push({ ...entry, principalId, appRoleId, assignmentId: assignment.id });
  }
  const kept = new Set(granted.map((g) => `${g.principalId}|${g.appRoleId}`));
  for (const old of previous) {
    if (kept.has(`${old.principalId}|${old.appRoleId}`) || !i.allowDelete) continue;
    const liveOne = live.find((a) => a.id === old.assignmentId || (a.principalId === old.principalId && a.appRoleId === old.appRoleId));
    if (liveOne) await unlessGone(() => deleteAppRoleAssignment(session, i.servicePrincipalId, liveOne.id, ctx));
  }
  return granted;
}

async function assignmentsCreate(i: AppRoleAssignmentsInputs) {
  const granted = await reconcileAssignments(i, [], true);
  return { id: `${i.servicePrincipalId}/appRoleAssignedTo`, outs: outputsOf<AppRoleAssignmentsOutputs>(i, { granted }) };
}

async function assignmentsUpdate(_id: string, olds: AppRoleAssignmentsOutputs, news: AppRoleAssignmentsInputs) {
  const granted = await reconcileAssignments(news, olds.granted ?? [], false);
  return { outs: outputsOf<AppRoleAssignmentsOutputs>(news, { granted }) };
}

async function assignmentsRead(id: string, props: AppRoleAssignmentsOutputs) {
  const session = createGraphSession(props.graph);
  const live = await unlessGone(() => listAppRoleAssignments(session, props.servicePrincipalId, { app: appLabel(props) }));
  if (!live) return { id: "", props: {} };
  const present = (g: GrantedAssignment) => live.some((a) => a.id === g.assignmentId || (a.principalId === g.principalId && a.appRoleId === g.appRoleId));
  const granted = (props.granted ?? []).filter(present);
  const stillKeys = new Set(granted.map(entryKey));
  return readResult(id, props, { granted, assignments: (props.assignments ?? []).filter((a) => stillKeys.has(entryKey(a))) });
}

async function assignmentsDelete(_id: string, props: AppRoleAssignmentsOutputs) {
  if (!props.allowDelete) return;
  const session = createGraphSession(props.graph);
  for (const g of props.granted ?? []) await unlessGone(() => deleteAppRoleAssignment(session, props.servicePrincipalId, g.assignmentId, { app: appLabel(props) }));
}

export const appRoleAssignmentsProvider = { check: assignmentsCheck, diff: assignmentsDiff, create: assignmentsCreate, read: assignmentsRead, update: assignmentsUpdate, delete: assignmentsDelete };

export interface AppRoleAssignmentsArgs extends GraphResourceArgs {
  assignments: pulumi.Input<pulumi.Input<{ principal: pulumi.Input<string>; principalType: PrincipalType; role: string }>[]>;
  allowDelete?: pulumi.Input<boolean>;
  providerVersion?: pulumi.Input<string>;
}

/** Type token: `pulumi-nodejs:dynamic/scimops:AppRoleAssignments`. */
export class AppRoleAssignments extends GraphDynamicResource {
  declare readonly assignments: pulumi.Output<AssignmentEntry[]>;
  declare readonly granted: pulumi.Output<GrantedAssignment[]>;

  constructor(name: string, args: AppRoleAssignmentsArgs, opts?: pulumi.CustomResourceOptions) {
    super(appRoleAssignmentsProvider, "AppRoleAssignments", name, { ...args, granted: undefined }, opts);
  }
}
