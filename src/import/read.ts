/**
 * Reading an enterprise app's provisioning as it is in the tenant, with GET calls only: the service
 * principal and its application template, its app roles, the synchronization job and its template, the
 * job schema (or, with `template`, the template's default schema), the secrets (masked by Graph) and the
 * app role assignments with their principals and role names. Nothing here writes.
 */
import type { GraphSession } from "../entra/graph";
import type { AppRole, ApplicationTemplate, ServicePrincipal, SynchronizationJob, SynchronizationSchema } from "../graph/wire";
import { parseSecrets, type LiveSettings } from "../entra/settings-model";
import {
  findServicePrincipals,
  getApplicationTemplate,
  getJobSchema,
  getPrincipal,
  getSecrets,
  getServicePrincipal,
  getTemplateSchema,
  listAppRoleAssignments,
  listSynchronizationJobs,
  listSynchronizationTemplates,
} from "../entra/sync-api";

export type AppSelector = { displayName: string } | { servicePrincipalId: string };

export interface LiveAssignment {
  principalType: "User" | "Group";
  principalId: string;
  /** userPrincipalName for users, displayName for groups: what a stack file names. */
  name: string;
  role: string;
}

export interface LiveApp {
  servicePrincipal: ServicePrincipal;
  /** The application template (gallery entry or the non-gallery template); undefined when the app has none. */
  applicationTemplate?: ApplicationTemplate;
  roles: AppRole[];
  job?: SynchronizationJob;
  /** Synchronization template the schema comes from (the job's, or the default one with `template`). */
  syncTemplateId?: string;
  schema?: SynchronizationSchema;
  /** Where `schema` came from. */
  schemaSource: "job" | "template" | "none";
  settings: LiveSettings;
  assignments: LiveAssignment[];
  /** Assignments that could not be named (service principals, unknown roles), as phrases for the report. */
  skippedAssignments: string[];
}

export class ImportError extends Error {}

async function findApp(session: GraphSession, selector: AppSelector): Promise<ServicePrincipal> {
  if ("servicePrincipalId" in selector) return getServicePrincipal(session, selector.servicePrincipalId, { app: selector.servicePrincipalId });
  const found = await findServicePrincipals(session, selector.displayName, { app: selector.displayName });
  if (found.length === 0) throw new ImportError(`no enterprise app named "${selector.displayName}" in the tenant — check the name in Entra → Enterprise applications, or pass --service-principal ID`);
  if (found.length > 1) {
    throw new ImportError(`${found.length} enterprise apps are named "${selector.displayName}" (${found.map((s) => s.id).join(", ")}) — pass --service-principal ID to choose one`);
  }
  // The list may carry fewer properties than the entity: read the service principal itself.
  return getServicePrincipal(session, found[0]!.id, { app: selector.displayName });
}

/** Reads everything `scimops import` needs. `template`: the default template's schema instead of the job's. */
export async function readLiveApp(session: GraphSession, selector: AppSelector, options: { template?: boolean } = {}): Promise<LiveApp> {
  const sp = await findApp(session, selector);
  const ctx = { app: sp.displayName };
  const applicationTemplate = sp.applicationTemplateId ? await getApplicationTemplate(session, sp.applicationTemplateId, ctx) : undefined;
  const roles = (sp.appRoles ?? []).filter((r) => r.isEnabled);
  const jobs = await listSynchronizationJobs(session, sp.id, ctx);
  if (jobs.length > 1 && !options.template) {
    throw new ImportError(`${sp.displayName} has ${jobs.length} synchronization jobs (${jobs.map((j) => j.id).join(", ")}); scimops manages one job per app`);
  }
  const job = jobs[0];
  let schema: SynchronizationSchema | undefined;
  let syncTemplateId = job?.templateId;
  let schemaSource: LiveApp["schemaSource"] = "none";
  if (options.template) {
    const templates = await listSynchronizationTemplates(session, sp.id, ctx);
    const chosen = templates.find((t) => t.default) ?? (templates.length === 1 ? templates[0] : undefined);
    if (!chosen) throw new ImportError(`${sp.displayName}: none of its ${templates.length} synchronization templates is marked default — this app may not support provisioning`);
    syncTemplateId = chosen.id;
    schema = await getTemplateSchema(session, sp.id, chosen.id, ctx);
    schemaSource = "template";
  } else if (job) {
    schema = await getJobSchema(session, sp.id, job.id, ctx);
    schemaSource = "job";
  }
  const settings = parseSecrets(await getSecrets(session, sp.id, ctx));
  const { assignments, skipped } = await readAssignments(session, sp);
  return {
    servicePrincipal: sp,
    ...(applicationTemplate ? { applicationTemplate } : {}),
    roles,
    ...(job ? { job } : {}),
    ...(syncTemplateId ? { syncTemplateId } : {}),
    ...(schema ? { schema } : {}),
    schemaSource,
    settings,
    assignments,
    skippedAssignments: skipped,
  };
}

/** Default Access is the all-zero role id (approleassignment resource: "the default app role"). */
const DEFAULT_ACCESS_ROLE_ID = "00000000-0000-0000-0000-000000000000";

async function readAssignments(session: GraphSession, sp: ServicePrincipal): Promise<{ assignments: LiveAssignment[]; skipped: string[] }> {
  const ctx = { app: sp.displayName };
  const assignments: LiveAssignment[] = [];
  const skipped: string[] = [];
  for (const a of await listAppRoleAssignments(session, sp.id, ctx)) {
    const who = a.principalDisplayName ?? a.principalId;
    if (a.principalType !== "User" && a.principalType !== "Group") {
      skipped.push(`${a.principalType ?? "principal"} ${who}: only users and groups are assigned from a stack file`);
      continue;
    }
    const role = a.appRoleId === DEFAULT_ACCESS_ROLE_ID ? "Default Access" : (sp.appRoles ?? []).find((r) => r.id === a.appRoleId)?.displayName;
    if (!role) {
      skipped.push(`${a.principalType} ${who}: its role ${a.appRoleId} is not a role of the app`);
      continue;
    }
    const kind = a.principalType === "User" ? "user" : "group";
    const principal = await getPrincipal(session, kind, a.principalId, ctx);
    const name = kind === "user" ? principal.userPrincipalName : principal.displayName;
    assignments.push({ principalType: a.principalType, principalId: a.principalId, name: name || a.principalId, role });
  }
  return { assignments, skipped };
}
