/**
 * Typed wrappers for the Graph calls scimops makes (graph-sync.md §1, §2, §3, §7, §8). Each wrapper
 * is one HTTP request through `GraphSession.request`, so retries and error wording are uniform, and
 * each names its call (`GET schema`, `PUT secrets`, ...) for errors and request statistics.
 */
import type { GraphSession } from "./graph";
import { sleep } from "./helpers";
import type {
  AppRoleAssignment,
  Application,
  ApplicationServicePrincipal,
  ApplicationTemplate,
  ProvisioningObjectSummary,
  ServicePrincipal,
  StringKeyStringValuePair,
  SynchronizationJob,
  SynchronizationJobApplicationParameters,
  SynchronizationSchema,
  SynchronizationSecretKeyStringValuePair,
  SynchronizationTemplate,
} from "../graph/wire";

export interface CallContext {
  /** App display name (or id) used in error messages. */
  app?: string;
  /** Retry 404/403/409 for this long (set right after the app was created). */
  replicationLagMs?: number;
  /** Strings that must never appear in errors. */
  sensitive?: readonly string[];
}

const seg = (s: string): string => encodeURIComponent(s);
const syncBase = (sp: string): string => `/servicePrincipals/${seg(sp)}/synchronization`;
const jobBase = (sp: string, job: string): string => `${syncBase(sp)}/jobs/${seg(job)}`;

function ctxFields(ctx: CallContext = {}) {
  return {
    ...(ctx.app !== undefined ? { app: ctx.app } : {}),
    ...(ctx.replicationLagMs !== undefined ? { replicationLagMs: ctx.replicationLagMs } : {}),
    ...(ctx.sensitive !== undefined ? { sensitive: ctx.sensitive } : {}),
  };
}

/** Escapes a string for an OData single-quoted literal. */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

export async function listApplicationTemplates(s: GraphSession, filter: { displayName?: string } = {}, ctx?: CallContext): Promise<ApplicationTemplate[]> {
  const query = filter.displayName !== undefined ? { $filter: `displayName eq ${odataString(filter.displayName)}` } : undefined;
  const res = await s.request<{ value: ApplicationTemplate[] }>({ method: "GET", path: "/applicationTemplates", ...(query ? { query } : {}), call: "GET applicationTemplates", ...ctxFields(ctx) });
  return res.value;
}

/**
 * Finds exactly one template by display name (eq filter, then a case-insensitive re-check, as the
 * Terraform data source does), failing clearly on 0 or several matches.
 */
export async function findApplicationTemplate(s: GraphSession, displayName: string, ctx?: CallContext): Promise<ApplicationTemplate> {
  const all = await listApplicationTemplates(s, { displayName }, ctx);
  const hits = all.filter((t) => t.displayName.toLowerCase() === displayName.toLowerCase());
  if (hits.length !== 1) {
    throw new Error(`Expected exactly one application template named "${displayName}", found ${hits.length}.`);
  }
  return hits[0]!;
}

/**
 * `POST /applicationTemplates/{id}/instantiate` (applicationtemplate-instantiate.md). Not idempotent: every call
 * makes a new app. When the answer is lost (reset, timeout, 5xx), the app it may have made is looked for before
 * instantiating again: an application of that name and template registered since just before the call
 * (`createdDateTime`, application resource type), and its service principal.
 */
export async function instantiateApplicationTemplate(s: GraphSession, templateId: string, displayName: string, ctx?: CallContext): Promise<ApplicationServicePrincipal> {
  // Tolerates a clock difference between this machine and Graph.
  const since = Date.now() - CREATED_SKEW_MS;
  return s.request<ApplicationServicePrincipal>({
    method: "POST",
    path: `/applicationTemplates/${seg(templateId)}/instantiate`,
    body: { displayName },
    call: "POST instantiate",
    ...ctxFields({ app: displayName, ...ctx }),
    recover: () => lookAgain(s, () => findInstantiated(s, templateId, displayName, since, ctx)),
  });
}

const CREATED_SKEW_MS = 60_000;

/** Looks a few times, one back-off step apart: what a write made can take a moment to show in a list (replication). */
async function lookAgain<T>(s: GraphSession, find: () => Promise<T | undefined>, looks = 3): Promise<T | undefined> {
  const pauseMs = s.retry.baseDelayMs;
  for (let n = 1; ; n++) {
    const found = await find();
    if (found !== undefined || n >= looks) return found;
    await sleep(pauseMs);
  }
}

async function findInstantiated(s: GraphSession, templateId: string, displayName: string, since: number, ctx?: CallContext): Promise<ApplicationServicePrincipal | undefined> {
  const fields = ctxFields({ app: displayName, ...ctx, replicationLagMs: 0 });
  const res = await s.request<{ value: Application[] }>({
    method: "GET",
    path: "/applications",
    query: { $filter: `displayName eq ${odataString(displayName)}` },
    call: "GET applications",
    ...fields,
  });
  const fresh = res.value.filter((a) => a.applicationTemplateId === templateId && Date.parse(a.createdDateTime ?? "") >= since);
  if (fresh.length === 0) return undefined;
  if (fresh.length > 1) {
    throw new Error(`app "${displayName}": instantiate got no answer and ${fresh.length} apps of that name and template were registered just now (${fresh.map((a) => a.id).join(", ")}); delete the extra ones and run up again`);
  }
  const application = fresh[0]!;
  // The app exists, so instantiating again would make a second one: wait for its service principal instead.
  const deadline = Date.now() + s.retry.replicationLagSeconds * 1000;
  for (;;) {
    const sps = await s.request<{ value: ServicePrincipal[] }>({ method: "GET", path: "/servicePrincipals", query: { $filter: `appId eq ${odataString(application.appId)}` }, call: "GET servicePrincipals", ...fields });
    if (sps.value[0]) return { application, servicePrincipal: sps.value[0] };
    if (Date.now() >= deadline) {
      throw new Error(
        `app "${displayName}": instantiate got no answer; application ${application.id} (appId ${application.appId}) was registered, but its service principal did not appear within ${s.retry.replicationLagSeconds} s — adopt it (scimops import) or delete it before the next up`,
      );
    }
    await sleep(Math.max(s.retry.baseDelayMs, 100));
  }
}

export async function getServicePrincipal(s: GraphSession, sp: string, ctx?: CallContext): Promise<ServicePrincipal> {
  return s.request<ServicePrincipal>({ method: "GET", path: `/servicePrincipals/${seg(sp)}`, call: "GET servicePrincipal", ...ctxFields(ctx) });
}

/** `PATCH /applications/{id}` (application-update.md): renames the app registration behind an enterprise app. */
export async function updateApplicationDisplayName(s: GraphSession, applicationObjectId: string, displayName: string, ctx?: CallContext): Promise<void> {
  await s.request({ method: "PATCH", path: `/applications/${seg(applicationObjectId)}`, body: { displayName }, call: "PATCH application", ...ctxFields(ctx) });
}

/** `DELETE /applications/{id}` (application-delete.md); its service principal goes with it (Terraform deletes only the application, too). */
export async function deleteApplication(s: GraphSession, applicationObjectId: string, ctx?: CallContext): Promise<void> {
  await s.request({ method: "DELETE", path: `/applications/${seg(applicationObjectId)}`, call: "DELETE application", ...ctxFields(ctx) });
}

/** A user or group as the directory lookups return it (`$select=id,displayName[,userPrincipalName]`). */
export interface DirectoryPrincipal {
  id: string;
  displayName?: string | null;
  userPrincipalName?: string | null;
}

/**
 * `GET /groups?$filter=displayName eq '…'` (group-list.md) or `GET /users?$filter=userPrincipalName eq '…'`
 * (user-list.md). `eq` on these properties is a default query (no ConsistencyLevel header); the value is an
 * OData string literal with apostrophes doubled (learn.microsoft.com/graph/query-parameters, "Escaping single quotes").
 */
export async function findPrincipals(s: GraphSession, kind: "group" | "user", name: string, ctx?: CallContext): Promise<DirectoryPrincipal[]> {
  const property = kind === "group" ? "displayName" : "userPrincipalName";
  const res = await s.request<{ value: DirectoryPrincipal[] }>({
    method: "GET",
    path: kind === "group" ? "/groups" : "/users",
    query: { $filter: `${property} eq ${odataString(name)}`, $select: kind === "group" ? "id,displayName" : "id,displayName,userPrincipalName" },
    call: kind === "group" ? "GET groups" : "GET users",
    ...ctxFields(ctx),
  });
  return res.value;
}

/** `DELETE /servicePrincipals/{id}/appRoleAssignedTo/{appRoleAssignment-id}` (serviceprincipal-delete-approleassignedto.md) → 204. */
export async function deleteAppRoleAssignment(s: GraphSession, sp: string, assignmentId: string, ctx?: CallContext): Promise<void> {
  await s.request({ method: "DELETE", path: `/servicePrincipals/${seg(sp)}/appRoleAssignedTo/${seg(assignmentId)}`, call: "DELETE appRoleAssignedTo", ...ctxFields(ctx) });
}

/**
 * `POST /servicePrincipals/{id}/appRoleAssignedTo` (serviceprincipal-post-approleassignedto.md). Not idempotent (a
 * repeat answers 400 "Permission being assigned already exists"): after a lost answer the live assignments are
 * read, and an assignment of that principal and role is taken as this one.
 */
export async function assignAppRole(s: GraphSession, sp: string, assignment: { principalId: string; appRoleId: string }, ctx?: CallContext): Promise<AppRoleAssignment> {
  return s.request<AppRoleAssignment>({
    method: "POST",
    path: `/servicePrincipals/${seg(sp)}/appRoleAssignedTo`,
    body: { principalId: assignment.principalId, resourceId: sp, appRoleId: assignment.appRoleId },
    call: "POST appRoleAssignedTo",
    ...ctxFields(ctx),
    recover: () => lookAgain(s, async () => (await listAppRoleAssignments(s, sp, ctx)).find((a) => a.principalId === assignment.principalId && a.appRoleId === assignment.appRoleId)),
  });
}

/**
 * `GET /servicePrincipals/{id}/appRoleAssignedTo` (serviceprincipal-list-approleassignedto.md), every page:
 * the collection is paged, so `@odata.nextLink` is followed (its path and query, on our own Graph root).
 */
export async function listAppRoleAssignments(s: GraphSession, sp: string, ctx?: CallContext): Promise<AppRoleAssignment[]> {
  const all: AppRoleAssignment[] = [];
  let path = `/servicePrincipals/${seg(sp)}/appRoleAssignedTo`;
  let query: Record<string, string> | undefined;
  for (;;) {
    const res = await s.request<{ value: AppRoleAssignment[]; "@odata.nextLink"?: string }>({ method: "GET", path, ...(query ? { query } : {}), call: "GET appRoleAssignedTo", ...ctxFields(ctx) });
    all.push(...res.value);
    const next = res["@odata.nextLink"];
    if (!next) return all;
    const u = new URL(next);
    path = u.pathname.replace(/^\/(v1\.0|beta)/, "");
    query = Object.fromEntries(u.searchParams.entries());
  }
}

export async function listSynchronizationTemplates(s: GraphSession, sp: string, ctx?: CallContext): Promise<SynchronizationTemplate[]> {
  const res = await s.request<{ value: SynchronizationTemplate[] }>({ method: "GET", path: `${syncBase(sp)}/templates`, call: "GET synchronization templates", ...ctxFields(ctx) });
  return res.value;
}

/**
 * `POST …/synchronization/jobs` (synchronization-synchronization-post-jobs.md). Not idempotent; one job per template,
 * so after a lost answer a job of that template is taken as this one.
 */
export async function createSynchronizationJob(s: GraphSession, sp: string, templateId: string, ctx?: CallContext): Promise<SynchronizationJob> {
  return s.request<SynchronizationJob>({
    method: "POST",
    path: `${syncBase(sp)}/jobs`,
    body: { templateId },
    call: "POST job",
    ...ctxFields(ctx),
    recover: () => lookAgain(s, async () => (await listSynchronizationJobs(s, sp, ctx)).find((j) => j.templateId === templateId)),
  });
}

export async function listSynchronizationJobs(s: GraphSession, sp: string, ctx?: CallContext): Promise<SynchronizationJob[]> {
  const res = await s.request<{ value: SynchronizationJob[] }>({ method: "GET", path: `${syncBase(sp)}/jobs`, call: "GET jobs", ...ctxFields(ctx) });
  return res.value;
}

export async function getSynchronizationJob(s: GraphSession, sp: string, job: string, ctx?: CallContext): Promise<SynchronizationJob> {
  return s.request<SynchronizationJob>({ method: "GET", path: jobBase(sp, job), call: "GET job", ...ctxFields(ctx) });
}

export async function deleteSynchronizationJob(s: GraphSession, sp: string, job: string, ctx?: CallContext): Promise<void> {
  await s.request({ method: "DELETE", path: jobBase(sp, job), call: "DELETE job", ...ctxFields(ctx) });
}

export async function startSynchronizationJob(s: GraphSession, sp: string, job: string, ctx?: CallContext): Promise<void> {
  await s.request({ method: "POST", path: `${jobBase(sp, job)}/start`, call: "POST job start", idempotent: true, ...ctxFields(ctx) });
}

export async function pauseSynchronizationJob(s: GraphSession, sp: string, job: string, ctx?: CallContext): Promise<void> {
  await s.request({ method: "POST", path: `${jobBase(sp, job)}/pause`, call: "POST job pause", idempotent: true, ...ctxFields(ctx) });
}

/**
 * `POST …/jobs/{id}/restart` → 204 (synchronization-synchronizationjob-restart.md). `resetScope` is a comma-separated
 * flag string (§2.6); omit for the portal's "Restart provisioning". `recover` (see GraphRequestSpec) tells after a
 * lost answer whether the restart was applied (`null`) or not (`undefined`).
 */
export async function restartSynchronizationJob(s: GraphSession, sp: string, job: string, resetScope?: string, ctx?: CallContext, recover?: () => Promise<null | undefined>): Promise<void> {
  await s.request<null>({
    method: "POST",
    path: `${jobBase(sp, job)}/restart`,
    body: { criteria: resetScope !== undefined ? { resetScope } : {} },
    call: "POST job restart",
    ...ctxFields(ctx),
    ...(recover ? { recover } : {}),
  });
}

/**
 * Asks the service to test credentials against the target (portal "Test Connection"). Resolves on
 * 204; a rejection surfaces as the GraphCallError of the call. The credential values are scrubbed
 * from any error text.
 */
export async function validateCredentials(
  s: GraphSession,
  sp: string,
  job: string,
  credentials: SynchronizationSecretKeyStringValuePair[] | "saved",
  ctx?: CallContext,
): Promise<void> {
  const body = credentials === "saved" ? { useSavedCredentials: true } : { useSavedCredentials: false, credentials };
  const sensitive = credentials === "saved" ? [] : credentials.filter((c) => c.key !== "BaseAddress").map((c) => c.value);
  await s.request({
    method: "POST",
    path: `${jobBase(sp, job)}/validateCredentials`,
    body,
    call: "POST validateCredentials",
    idempotent: true,
    ...ctxFields({ ...ctx, sensitive: [...(ctx?.sensitive ?? []), ...sensitive] }),
  });
}

export interface ProvisionOnDemandResult {
  key: unknown;
  value: unknown;
  raw: StringKeyStringValuePair;
}

/** provisionOnDemand; `key` and `value` are JSON strings (sometimes an array), parsed defensively (§7). */
export async function provisionOnDemand(s: GraphSession, sp: string, job: string, parameters: SynchronizationJobApplicationParameters[], ctx?: CallContext): Promise<ProvisionOnDemandResult> {
  const raw = await s.request<StringKeyStringValuePair>({ method: "POST", path: `${jobBase(sp, job)}/provisionOnDemand`, body: { parameters }, call: "POST provisionOnDemand", ...ctxFields(ctx) });
  const parse = (t: unknown): unknown => {
    if (typeof t !== "string") return t;
    try {
      return JSON.parse(t);
    } catch {
      return t;
    }
  };
  return { key: parse(raw.key), value: parse(raw.value), raw };
}

export async function getSecrets(s: GraphSession, sp: string, ctx?: CallContext): Promise<SynchronizationSecretKeyStringValuePair[]> {
  const res = await s.request<{ value: SynchronizationSecretKeyStringValuePair[] }>({ method: "GET", path: `${syncBase(sp)}/secrets`, call: "GET secrets", ...ctxFields(ctx) });
  return res.value ?? [];
}

/** Replaces the secrets collection with `secrets` (one PUT). */
export async function putSecrets(s: GraphSession, sp: string, secrets: SynchronizationSecretKeyStringValuePair[], ctx?: CallContext): Promise<void> {
  const sensitive = secrets.filter((x) => x.key !== "BaseAddress" && x.key !== "SyncAll" && x.key !== "SyncNotificationSettings" && x.key !== "SkipOutOfScopeDeletions").map((x) => x.value);
  await s.request({
    method: "PUT",
    path: `${syncBase(sp)}/secrets`,
    body: { value: secrets },
    call: "PUT secrets",
    ...ctxFields({ ...ctx, sensitive: [...(ctx?.sensitive ?? []), ...sensitive] }),
  });
}

export async function getJobSchema(s: GraphSession, sp: string, job: string, ctx?: CallContext): Promise<SynchronizationSchema> {
  return s.request<SynchronizationSchema>({ method: "GET", path: `${jobBase(sp, job)}/schema`, call: "GET schema", ...ctxFields(ctx) });
}

/** Replaces the whole job schema (one PUT; the service restarts a full cycle). */
export async function putJobSchema(s: GraphSession, sp: string, job: string, schema: SynchronizationSchema, ctx?: CallContext): Promise<void> {
  await s.request({ method: "PUT", path: `${jobBase(sp, job)}/schema`, body: schema, call: "PUT schema", ...ctxFields(ctx) });
}

/** Restores the template's default schema. */
export async function deleteJobSchema(s: GraphSession, sp: string, job: string, ctx?: CallContext): Promise<void> {
  await s.request({ method: "DELETE", path: `${jobBase(sp, job)}/schema`, call: "DELETE schema", ...ctxFields(ctx) });
}

/**
 * `GET /servicePrincipals?$filter=displayName eq '…'` (serviceprincipal-list.md; `eq` on displayName is a
 * default query): the enterprise apps of that name, for `scimops import --display-name`.
 */
export async function findServicePrincipals(s: GraphSession, displayName: string, ctx?: CallContext): Promise<ServicePrincipal[]> {
  const res = await s.request<{ value: ServicePrincipal[] }>({ method: "GET", path: "/servicePrincipals", query: { $filter: `displayName eq ${odataString(displayName)}` }, call: "GET servicePrincipals", ...ctxFields(ctx) });
  return res.value;
}

/** `GET /applicationTemplates/{id}` (applicationtemplate-get.md). */
export async function getApplicationTemplate(s: GraphSession, templateId: string, ctx?: CallContext): Promise<ApplicationTemplate> {
  return s.request<ApplicationTemplate>({ method: "GET", path: `/applicationTemplates/${seg(templateId)}`, call: "GET applicationTemplate", ...ctxFields(ctx) });
}

/** `GET /servicePrincipals/{id}/synchronization/templates/{templateId}/schema` (synchronization-synchronizationschema-get.md): a template's default schema. */
export async function getTemplateSchema(s: GraphSession, sp: string, templateId: string, ctx?: CallContext): Promise<SynchronizationSchema> {
  return s.request<SynchronizationSchema>({ method: "GET", path: `${syncBase(sp)}/templates/${seg(templateId)}/schema`, call: "GET template schema", ...ctxFields(ctx) });
}

/** `GET /users/{id}?$select=…` / `GET /groups/{id}?$select=…` (user-get.md, group-get.md): names an assignment's principal. */
export async function getPrincipal(s: GraphSession, kind: "group" | "user", id: string, ctx?: CallContext): Promise<DirectoryPrincipal> {
  return s.request<DirectoryPrincipal>({
    method: "GET",
    path: `/${kind === "group" ? "groups" : "users"}/${seg(id)}`,
    query: { $select: kind === "group" ? "id,displayName" : "id,displayName,userPrincipalName" },
    call: kind === "group" ? "GET group" : "GET user",
    ...ctxFields(ctx),
  });
}

/**
 * The latest provisioning log entries of one service principal: `GET /auditLogs/provisioning?$filter=servicePrincipal/id eq '…'&$top=N`
 * (provisioningobjectsummary-list.md, microsoftgraph/microsoft-graph-docs-contrib api-reference/v1.0/api/, commit 028b8e35).
 */
export async function listProvisioningObjects(s: GraphSession, sp: string, top: number, ctx?: CallContext): Promise<ProvisioningObjectSummary[]> {
  const r = await s.request<{ value: ProvisioningObjectSummary[] }>({
    method: "GET",
    path: "/auditLogs/provisioning",
    query: { $filter: `servicePrincipal/id eq ${odataString(sp)}`, $top: String(top) },
    call: "GET auditLogs/provisioning",
    ...ctxFields(ctx),
  });
  return r.value;
}
