/**
 * A strict, in-process emulator of the Microsoft Graph endpoints scimops uses (graph-sync.md §1–§4,
 * §7, §8), served by node:http on 127.0.0.1 at a random port.
 *
 *   const emu = await startGraphEmulator();
 *   const app = emu.seedApp({ template: "non-gallery", displayName: "Contoso", acceptedSecretToken: "t0k" });
 *   // point the client at emu.url with SCIMOPS_GRAPH_ACCESS_TOKEN = emu.token
 *   emu.faults.inject({ method: "PUT", path: /\/schema$/, status: 429, retryAfter: 1 });
 *   emu.requests // log of every request
 *   await emu.close();
 *
 * Strictness: bearer token required; unknown segments, methods, query options and body properties
 * are rejected; schema and secrets bodies are validated (validate.ts). Nothing is "absorbed".
 */
import * as http from "node:http";
import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import type {
  AppRoleAssignment,
  Application,
  ServicePrincipal,
  SynchronizationJob,
  SynchronizationSchema,
  SynchronizationSecretKeyStringValuePair,
} from "../../../src/graph/wire";
import { appTemplates, MASKED_SECRET_KEYS, NON_GALLERY_TEMPLATE_IDS } from "./catalog";
import type { AppTemplateDef, EmulatorCloud, SyncTemplateDef } from "./catalog";
import { emulatorThrottling, type EmulatorThrottlingOptions, type Throttler } from "./throttling";
import { actionParameterNames, badRequest, GraphHttpError, onlyKeys, validateRestartBody, validateSchemaPut, validateSecretsPut, validateSynchronizationStatus } from "./validate";

export * from "./catalog";
export { GraphHttpError } from "./validate";

export interface GraphEmulatorOptions {
  /** Which cloud's non-gallery template exists. Default global. */
  cloud?: EmulatorCloud;
  /** Accepted bearer token. Default: random. */
  token?: string;
  tenantId?: string;
  /** Latency added to every response. */
  latencyMs?: number;
  /** Replication-lag window applied to apps created by instantiate. */
  replicationLagMs?: number;
  /** provisionOnDemand limit per job per 10 s (§7: 5). */
  provisionOnDemandPer10s?: number;
  /** Page size of `appRoleAssignedTo` lists (Graph pages collections and links the next page). Default 100. */
  pageSize?: number;
  /** Port on 127.0.0.1 (`npm run emulator -- --port N`). Default: a free one. */
  port?: number;
  /** Enforce Graph's identity-and-access throttling (throttling.ts); also accepts one token per calling app. */
  throttling?: EmulatorThrottlingOptions;
}

export interface RequestLogEntry {
  seq: number;
  method: string;
  /** Path after the version, e.g. `/servicePrincipals/{id}/synchronization/secrets`. */
  path: string;
  version: string;
  /** Raw query string without `?`. */
  query: string;
  /** Parsed JSON body (or raw text when it is not JSON). */
  body: unknown;
  status: number;
  /** Graph error code of the response, if any. */
  errorCode?: string;
  /** Which injected fault or lag answered, if any: `429`, `503`, `latency`, `reset`, `lag-404`, …; `…-after-apply` when the change was applied first. */
  fault?: string;
  /** appId of the calling application (from the bearer token), once the token is accepted. */
  callerAppId?: string;
  startedAt: number;
  endedAt: number;
}

export interface FaultRule {
  method?: string;
  /** Substring or RegExp matched against the path after the version. */
  path?: string | RegExp;
  /** Status to answer with (default 503). */
  status?: number;
  code?: string;
  message?: string;
  /** Retry-After header value (seconds, or an HTTP date string). */
  retryAfter?: number | string;
  /** How many matching requests the rule answers (default 1, or Infinity with `forMs`; Infinity for all). */
  times?: number;
  /** Answer every matching request for this long from the first one it answers (a storm or burst), then stop. */
  forMs?: number;
  /** Run the real handler first (the change is applied), then answer with the fault (or reset). */
  afterApply?: boolean;
  /**
   * Destroy the connection instead of answering: the client sees a reset socket (ECONNRESET, no status).
   * With `afterApply` the change is applied first, so the client cannot tell whether it happened.
   */
  reset?: boolean;
  /** Extra latency for matching requests (with no status given, only delays). */
  latencyMs?: number;
  /** Put the request's Authorization header into the error message (to test client redaction). */
  echoAuthorization?: boolean;
}

export interface FaultHandle {
  readonly hits: number;
  readonly remaining: number;
  remove(): void;
}

export interface FaultControls {
  inject(rule: FaultRule): FaultHandle;
  /** Latency added to every request. */
  latencyMs: number;
  /** Window (ms) after instantiate during which the new app's calls fail with lag statuses. */
  replicationLagMs: number;
  /** Statuses used, in rotation, during a replication-lag window. */
  replicationLagStatuses: number[];
  /** Removes every injected rule. */
  clear(): void;
}

export interface SeedAppOptions {
  /** "non-gallery", a gallery app name ("iPass SmartConnect", "Airstack", "SpaceIQ") or a template id. */
  template: string;
  displayName: string;
  /** Token the emulated target accepts in validateCredentials; when omitted any non-empty token is accepted. */
  acceptedSecretToken?: string;
  /** Tenant URL the target accepts; defaults to the gallery app's fixed URL, else any https URL. */
  acceptedBaseAddress?: string;
  /** Synchronization template for the job (default: the template's default one). */
  syncTemplateId?: string;
  /** Create the job (default true). */
  createJob?: boolean;
  /** Start a replication-lag window of this length now. */
  replicationLagMs?: number;
}

export interface SeededApp {
  servicePrincipalId: string;
  applicationId: string;
  appId: string;
  jobId: string;
  templateId: string;
  ruleId: string;
}

interface JobState {
  job: SynchronizationJob;
  syncTemplate: SyncTemplateDef;
  schema: SynchronizationSchema;
  schemaPuts: number;
  fullCycleRestarts: number;
  podTimes: number[];
}

interface AppState {
  app: Application;
  sp: ServicePrincipal;
  template: AppTemplateDef;
  lagUntil: number;
  lagCounter: number;
  secrets: SynchronizationSecretKeyStringValuePair[];
  acceptedSecretToken?: string;
  acceptedBaseAddress?: string;
  jobs: Map<string, JobState>;
  assignments: AppRoleAssignment[];
}

interface Principal {
  id: string;
  type: "User" | "Group";
  displayName: string;
  properties: Record<string, string>;
  members: string[];
}

export interface GraphEmulator {
  /** Graph root, e.g. `http://127.0.0.1:41234` (clients append `/v1.0`). */
  readonly url: string;
  readonly token: string;
  readonly tenantId: string;
  readonly cloud: EmulatorCloud;
  /** Every request, in arrival order. */
  readonly requests: RequestLogEntry[];
  readonly faults: FaultControls;
  /** The throttling buckets, when `throttling` was given. */
  readonly throttling?: Throttler;
  clearRequests(): void;
  /** Requests other than GET. */
  writes(): RequestLogEntry[];
  seedApp(options: SeedAppOptions): SeededApp;
  seedUser(user: { displayName: string; userPrincipalName: string; [property: string]: string }): string;
  seedGroup(group: { displayName: string; members?: string[] }): string;
  /** Simulates a portal edit of a job schema (validated like a PUT, not logged). */
  editSchema(servicePrincipalId: string, jobId: string, edit: (schema: SynchronizationSchema) => SynchronizationSchema | void): void;
  /** Changes the stored application (registration) behind an app, e.g. its `createdDateTime` (not logged). */
  editApplication(applicationObjectId: string, edit: (application: Application) => void): void;
  /** Simulates a portal edit of the settings (unvalidated, not logged). */
  editSecrets(servicePrincipalId: string, edit: (secrets: SynchronizationSecretKeyStringValuePair[]) => SynchronizationSecretKeyStringValuePair[] | void): void;
  /** A copy of the stored job schema. */
  getSchema(servicePrincipalId: string, jobId: string): SynchronizationSchema;
  /** A copy of the stored template default schema for a job. */
  getTemplateSchema(servicePrincipalId: string, jobId: string): SynchronizationSchema;
  /** Unmasked stored secrets. */
  getSecrets(servicePrincipalId: string): SynchronizationSecretKeyStringValuePair[];
  getJob(servicePrincipalId: string, jobId: string): SynchronizationJob & { schemaPuts: number; fullCycleRestarts: number };
  /**
   * The token the emulated target accepts from now on. With `quarantine`, the target starts rejecting the saved
   * token the way Entra reports it: every running job whose saved SecretToken is no longer accepted goes into
   * quarantine (reason EncounteredQuarantineException, the last execution Failed with the credential error).
   */
  setAcceptedSecretToken(servicePrincipalId: string, token: string | undefined, options?: { quarantine?: boolean }): void;
  /** Copies of the app role assignments of a service principal. */
  getAssignments(servicePrincipalId: string): AppRoleAssignment[];
  /** Simulates a portal edit of an app's assignments (not logged). */
  editAssignments(servicePrincipalId: string, edit: (assignments: AppRoleAssignment[]) => AppRoleAssignment[]): void;
  /** The enterprise apps (service principals) that exist, with their display names and application template ids. */
  servicePrincipals(): { id: string; displayName: string; applicationTemplateId: string; applicationId: string; jobIds: string[] }[];
  /**
   * The service's view of a job's health (quarantine, last execution, escrow counts, progress): replaces the
   * job's synchronizationStatus, checked against the CSDL's property names and enums (not logged).
   */
  setJobStatus(servicePrincipalId: string, jobId: string, status: SynchronizationJob["status"] & Record<string, unknown>): void;
  /**
   * Adds a provisioningObjectSummary to `GET /auditLogs/provisioning` (shape: provisioningobjectsummary-list.md,
   * microsoftgraph/microsoft-graph-docs-contrib api-reference/v1.0/api/, commit 028b8e35). `servicePrincipal.id`
   * must name an existing service principal.
   */
  addProvisioningEntry(entry: ProvisioningEntry): void;
  close(): Promise<void>;
}

/** The provisioningObjectSummary properties the emulator serves (provisioningobjectsummary-list.md examples). */
export interface ProvisioningEntry {
  id: string;
  activityDateTime: string;
  jobId: string;
  cycleId: string;
  changeId: string;
  provisioningAction: "create" | "update" | "delete" | "disable" | "other" | "stagedDelete" | "unknownFutureValue";
  durationInMilliseconds: number;
  servicePrincipal: { id: string; displayName: string };
  sourceIdentity: { id: string; displayName: string; identityType: string; details: Record<string, string> };
  targetIdentity: { id: string; displayName: string; identityType: string; details: Record<string, string> };
  provisioningStatusInfo: {
    status: "success" | "warning" | "failure" | "skipped" | "unknownFutureValue";
    errorInformation: { errorCode: string; reason: string; additionalDetails: string | null; errorCategory: string; recommendedAction: string | null } | null;
  };
  provisioningSteps: { name: string; provisioningStepType: string; status: string; description: string; details: Record<string, string> }[];
  modifiedProperties: { displayName: string; oldValue: string | null; newValue: string | null }[];
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ZERO_ROLE = "00000000-0000-0000-0000-000000000000";
const NEVER = "0001-01-01T00:00:00Z";
const notFound = (what: string) => new GraphHttpError(404, "Request_ResourceNotFound", `Resource '${what}' does not exist or one of its queried reference-property objects are not present.`);
const syncNotFound = (what: string) => new GraphHttpError(404, "ResourceNotFound", `${what} was not found.`);

export async function startGraphEmulator(options: GraphEmulatorOptions = {}): Promise<GraphEmulator> {
  const cloud: EmulatorCloud = options.cloud ?? "global";
  const token = options.token ?? `emu-${randomUUID()}`;
  const tenantId = options.tenantId ?? randomUUID();
  const templates = appTemplates().filter((t) => t.clouds.includes(cloud));
  const apps = new Map<string, AppState>();
  const principals = new Map<string, Principal>();
  const provisioningLog: ProvisioningEntry[] = [];
  const requests: RequestLogEntry[] = [];
  let seq = 0;
  const podLimit = options.provisionOnDemandPer10s ?? 5;
  const pageSize = options.pageSize ?? 100;
  const throttling = emulatorThrottling(options.throttling, token, tenantId, randomUUID());

  interface ActiveRule extends FaultRule {
    hits: number;
    left: number;
    /** End of the `forMs` window (ms since epoch), set at the first hit; Infinity before it or without `forMs`. */
    until: number;
  }
  let rules: ActiveRule[] = [];
  const faults: FaultControls = {
    latencyMs: options.latencyMs ?? 0,
    replicationLagMs: options.replicationLagMs ?? 0,
    replicationLagStatuses: [404, 403, 409],
    inject(rule: FaultRule): FaultHandle {
      const active: ActiveRule = { ...rule, hits: 0, left: rule.times ?? (rule.forMs !== undefined ? Infinity : 1), until: Infinity };
      rules.push(active);
      return {
        get hits() {
          return active.hits;
        },
        get remaining() {
          return active.left;
        },
        remove() {
          rules = rules.filter((r) => r !== active);
        },
      };
    },
    clear() {
      rules = [];
    },
  };

  // -------------------------------------------------------------------------------------------
  // State helpers
  // -------------------------------------------------------------------------------------------

  function findTemplate(ref: string): AppTemplateDef {
    if (ref === "non-gallery") {
      const t = templates.find((x) => x.id === NON_GALLERY_TEMPLATE_IDS[cloud]);
      if (!t) throw new Error(`no non-gallery template for cloud ${cloud}`);
      return t;
    }
    const t = templates.find((x) => x.id === ref || x.displayName.toLowerCase() === ref.toLowerCase());
    if (!t) throw new Error(`emulator: unknown application template "${ref}" in cloud ${cloud}`);
    return t;
  }

  function createApp(template: AppTemplateDef, displayName: string, lagMs: number): AppState {
    const appId = randomUUID();
    const app: Application = { id: randomUUID(), appId, applicationTemplateId: template.id, displayName, appRoles: clone(template.appRoles), createdDateTime: new Date().toISOString().replace(/\.\d{3}Z$/, "Z") };
    const sp: ServicePrincipal = {
      id: randomUUID(),
      appId,
      applicationTemplateId: template.id,
      displayName,
      appRoleAssignmentRequired: true,
      servicePrincipalType: "Application",
      tags: [...template.tags],
      appRoles: clone(template.appRoles),
    };
    const state: AppState = {
      app,
      sp,
      template,
      lagUntil: lagMs > 0 ? Date.now() + lagMs : 0,
      lagCounter: 0,
      secrets: [],
      jobs: new Map(),
      assignments: [],
      ...(template.expectedBaseAddress ? { acceptedBaseAddress: template.expectedBaseAddress } : {}),
    };
    apps.set(sp.id, state);
    return state;
  }

  function createJob(state: AppState, templateId: string): JobState {
    const st = state.template.syncTemplates.find((t) => t.id === templateId);
    if (!st) throw badRequest("InvalidTemplateId", `Synchronization template '${templateId}' is not available for this application.`);
    for (const j of state.jobs.values()) {
      if (j.job.templateId === templateId) throw new GraphHttpError(409, "Conflict", `A synchronization job for template '${templateId}' already exists.`);
    }
    const id = `${templateId}.${tenantId.replace(/-/g, "")}.${state.sp.appId}`;
    const job: SynchronizationJob = {
      id,
      templateId,
      schedule: { expiration: null, interval: "PT40M", state: "Disabled" },
      status: {
        code: "NotConfigured",
        countSuccessiveCompleteFailures: 0,
        escrowsPruned: false,
        lastExecution: null,
        quarantine: null,
        steadyStateFirstAchievedTime: NEVER,
        steadyStateLastAchievedTime: NEVER,
        troubleshootingUrl: null,
      },
      synchronizationJobSettings: [
        { name: "AzureIngestionAttributeOptimization", value: "False" },
        { name: "LookaheadQueryEnabled", value: "False" },
        { name: "QuarantineTooManyDeletesThreshold", value: "500" },
      ],
    };
    const schema = st.schema();
    schema.id = id;
    const js: JobState = { job, syncTemplate: st, schema, schemaPuts: 0, fullCycleRestarts: 0, podTimes: [] };
    state.jobs.set(id, js);
    return js;
  }

  function appState(spId: string): AppState {
    const s = apps.get(spId);
    if (!s) throw new Error(`emulator: no service principal ${spId}`);
    return s;
  }

  function jobState(spId: string, jobId: string): JobState {
    const j = appState(spId).jobs.get(jobId);
    if (!j) throw new Error(`emulator: no job ${jobId} on ${spId}`);
    return j;
  }

  const maskSecrets = (list: SynchronizationSecretKeyStringValuePair[]) =>
    list.map((kv) => ({ key: kv.key, value: MASKED_SECRET_KEYS.includes(kv.key) && kv.value !== "" ? "*" : kv.value }));

  // -------------------------------------------------------------------------------------------
  // HTTP plumbing
  // -------------------------------------------------------------------------------------------

  interface Ctx {
    method: string;
    segments: string[];
    path: string;
    version: string;
    query: URLSearchParams;
    body: unknown;
    hasBody: boolean;
    authorization: string;
  }
  interface Reply {
    status: number;
    body?: unknown;
    headers?: Record<string, string>;
  }

  const ok = (body: unknown, status = 200): Reply => ({ status, body });
  const noContent = (): Reply => ({ status: 204 });

  function requireNoQuery(ctx: Ctx, allowed: string[] = []): void {
    for (const k of ctx.query.keys()) {
      if (!allowed.includes(k)) throw badRequest("InvalidQueryOption", `Query option '${k}' is not allowed on this resource.`);
    }
  }

  function requireNoBody(ctx: Ctx): void {
    if (!ctx.hasBody) return;
    if (ctx.body !== null && typeof ctx.body === "object" && !Array.isArray(ctx.body) && Object.keys(ctx.body).length === 0) return;
    throw badRequest("InvalidRequest", "This action does not take a request body.");
  }

  function requireBody(ctx: Ctx): Record<string, unknown> {
    if (!ctx.hasBody || ctx.body === null || typeof ctx.body !== "object" || Array.isArray(ctx.body)) {
      throw badRequest("InvalidRequest", "A JSON object request body is required.");
    }
    return ctx.body as Record<string, unknown>;
  }

  function methodNotAllowed(ctx: Ctx): never {
    throw new GraphHttpError(405, "Request_BadRequest", `The HTTP method '${ctx.method}' is not allowed on this resource.`);
  }

  /** Replication lag for calls on a freshly instantiated app. */
  function lagCheck(state: AppState): void {
    if (state.lagUntil && Date.now() < state.lagUntil) {
      const statuses = faults.replicationLagStatuses.length ? faults.replicationLagStatuses : [404];
      const status = statuses[state.lagCounter++ % statuses.length]!;
      const err =
        status === 404
          ? notFound(state.sp.id)
          : status === 403
            ? new GraphHttpError(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
            : new GraphHttpError(409, "Conflict", "The service principal is still being provisioned; retry later.");
      (err as GraphHttpError & { lag?: boolean }).lag = true;
      throw err;
    }
  }

  function spFor(ctx: Ctx, id: string): AppState {
    const s = apps.get(id);
    if (!s) throw notFound(id);
    lagCheck(s);
    return s;
  }

  function jobFor(state: AppState, jobId: string): JobState {
    const j = state.jobs.get(jobId);
    if (!j) throw syncNotFound(`Synchronization job '${jobId}'`);
    return j;
  }

  function templateJson(t: AppTemplateDef) {
    return {
      id: t.id,
      displayName: t.displayName,
      homePageUrl: null,
      supportedSingleSignOnModes: t.gallery ? ["saml", "password"] : ["saml", "password", "notSupported", "oidc"],
      supportedProvisioningTypes: ["sync"],
      logoUrl: null,
      categories: t.categories,
      publisher: t.publisher,
      description: t.description,
    };
  }

  function syncTemplateJson(state: AppState, st: SyncTemplateDef) {
    return {
      id: st.id,
      applicationId: state.app.appId,
      default: st.default,
      description: st.description,
      discoverable: true,
      factoryTag: st.factoryTag,
      // Keys are synchronizationMetadata members, PascalCase as in the CSDL (graph-sync.md §13.4).
      metadata: [
        { key: "GalleryApplicationIdentifier", value: state.template.id },
        { key: "GalleryApplicationKey", value: st.factoryTag },
        { key: "IsSynchronizationInPreview", value: "false" },
        { key: "ConfigurationFields", value: '[{"name":"baseaddress"},{"name":"secrettoken","secret":true}]' },
      ],
      schema: (() => {
        const s = st.schema();
        s.id = `${st.factoryTag}.00000000000000000000000000000000`;
        return s;
      })(),
    };
  }

  function parseTemplateFilter(filter: string): (t: AppTemplateDef) => boolean {
    const eq = /^displayName eq '((?:[^']|'')*)'$/.exec(filter.trim());
    if (eq) {
      const v = eq[1]!.replace(/''/g, "'").toLowerCase();
      return (t) => t.displayName.toLowerCase() === v;
    }
    const contains = /^contains\(displayName,\s*'((?:[^']|'')*)'\)$/.exec(filter.trim());
    if (contains) {
      const v = contains[1]!.replace(/''/g, "'").toLowerCase();
      return (t) => t.displayName.toLowerCase().includes(v);
    }
    const cat = /^categories\/any\(c:\s*contains\(c,\s*'((?:[^']|'')*)'\)\)$/.exec(filter.trim());
    if (cat) {
      const v = cat[1]!.replace(/''/g, "'").toLowerCase();
      return (t) => t.categories.some((c) => c.toLowerCase().includes(v));
    }
    throw badRequest("Request_UnsupportedQuery", `Invalid filter clause: '${filter}' is not supported on applicationTemplates.`);
  }

  // -------------------------------------------------------------------------------------------
  // Routes
  // -------------------------------------------------------------------------------------------

  function route(ctx: Ctx): Reply {
    const s = ctx.segments;
    const m = ctx.method;
    const ctxUrl = `${url}/${ctx.version}`;

    if (s[0] === "applicationTemplates") {
      if (s.length === 1) {
        if (m !== "GET") methodNotAllowed(ctx);
        requireNoQuery(ctx, ["$filter", "$top", "$select"]);
        let list = templates;
        const filter = ctx.query.get("$filter");
        if (filter !== null) list = list.filter(parseTemplateFilter(filter));
        const top = ctx.query.get("$top");
        if (top !== null) {
          if (!/^\d+$/.test(top)) throw badRequest("Request_BadRequest", "$top must be a non-negative integer.");
          list = list.slice(0, Number(top));
        }
        return ok({ "@odata.context": `${ctxUrl}/$metadata#applicationTemplates`, value: list.map(templateJson) });
      }
      const t = templates.find((x) => x.id === s[1]);
      if (!t) throw notFound(s[1]!);
      if (s.length === 2) {
        if (m !== "GET") methodNotAllowed(ctx);
        requireNoQuery(ctx);
        return ok({ "@odata.context": `${ctxUrl}/$metadata#applicationTemplates/$entity`, ...templateJson(t) });
      }
      if (s.length === 3 && s[2] === "instantiate") {
        if (m !== "POST") methodNotAllowed(ctx);
        requireNoQuery(ctx);
        const body = requireBody(ctx);
        // CSDL v1.0: displayName, and serviceManagementReference (Core.OptionalParameter).
        onlyKeys(body, actionParameterNames("instantiate"), "instantiateRequest");
        if (body.serviceManagementReference !== undefined && body.serviceManagementReference !== null && typeof body.serviceManagementReference !== "string") {
          throw badRequest("InvalidRequest", "serviceManagementReference must be a string.");
        }
        if (typeof body.displayName !== "string" || body.displayName.trim() === "") throw badRequest("InvalidRequest", "displayName is required.");
        const state = createApp(t, body.displayName, faults.replicationLagMs);
        return ok(
          {
            "@odata.context": `${ctxUrl}/$metadata#microsoft.graph.applicationServicePrincipal`,
            application: clone(state.app),
            servicePrincipal: clone(state.sp),
          },
          201,
        );
      }
      throw badRequest("Request_BadRequest", `Resource not found for the segment '${s[2]}'.`);
    }

    // application-list.md: `GET /applications?$filter=appId eq '…'` (eq on appId is supported), as the client
    // finds the app registration behind a service principal it did not get the instantiate answer for.
    if (s[0] === "applications" && s.length === 1) {
      if (m !== "GET") methodNotAllowed(ctx);
      requireNoQuery(ctx, ["$filter", "$select", "$top"]);
      const filter = ctx.query.get("$filter");
      let list = [...apps.values()];
      if (filter !== null) {
        const eq = /^(appId|displayName|id) eq '((?:[^']|'')*)'$/.exec(filter.trim());
        if (!eq) throw badRequest("Request_UnsupportedQuery", `Unsupported or invalid query filter clause specified for resource 'Application': '${filter}'.`);
        const v = eq[2]!.replace(/''/g, "'").toLowerCase();
        list = list.filter((a) => String(a.app[eq[1] as "appId" | "displayName" | "id"]).toLowerCase() === v);
      }
      return ok({ "@odata.context": `${ctxUrl}/$metadata#applications`, value: list.map((a) => clone(a.app)) });
    }

    if (s[0] === "applications" && s.length === 2) {
      requireNoQuery(ctx);
      const state = [...apps.values()].find((a) => a.app.id === s[1]);
      if (!state) throw notFound(s[1]!);
      lagCheck(state);
      if (m === "GET") return ok({ "@odata.context": `${ctxUrl}/$metadata#applications/$entity`, ...clone(state.app) });
      // application-update.md: PATCH → 204; only the property scimops writes is accepted.
      if (m === "PATCH") {
        const body = requireBody(ctx);
        onlyKeys(body, ["displayName"], "application");
        if (typeof body.displayName !== "string" || body.displayName.trim() === "") throw badRequest("Request_BadRequest", "Invalid value specified for property 'displayName' of resource 'Application'.");
        state.app.displayName = body.displayName;
        return noContent();
      }
      // application-delete.md: DELETE → 204. The app's service principal (and with it jobs, secrets and
      // assignments) goes too, as it does when an instantiated app is deleted.
      if (m === "DELETE") {
        apps.delete(state.sp.id);
        return noContent();
      }
      methodNotAllowed(ctx);
    }

    if ((s[0] === "groups" || s[0] === "users") && s.length <= 2) {
      if (m !== "GET") methodNotAllowed(ctx);
      return directory(ctx, s[0] === "groups" ? "Group" : "User", s[1], ctxUrl);
    }

    // serviceprincipal-list.md: `GET /servicePrincipals?$filter=displayName eq '…'` (eq on displayName is a
    // default query), as `scimops import --display-name` finds an enterprise app.
    if (s[0] === "servicePrincipals" && s.length === 1) {
      if (m !== "GET") methodNotAllowed(ctx);
      requireNoQuery(ctx, ["$filter", "$select", "$top"]);
      let list = [...apps.values()];
      const filter = ctx.query.get("$filter");
      if (filter !== null) {
        const eq = /^(displayName|appId|id) eq '((?:[^']|'')*)'$/.exec(filter.trim());
        if (!eq) throw badRequest("Request_UnsupportedQuery", `Unsupported or invalid query filter clause specified for resource 'ServicePrincipal': '${filter}'.`);
        const v = eq[2]!.replace(/''/g, "'").toLowerCase();
        list = list.filter((a) => String(a.sp[eq[1] as "displayName" | "appId" | "id"]).toLowerCase() === v);
      }
      return ok({ "@odata.context": `${ctxUrl}/$metadata#servicePrincipals`, value: list.map((a) => clone(a.sp)) });
    }

    if (s[0] === "auditLogs" && s[1] === "provisioning" && s.length === 2) {
      // provisioningobjectsummary-list.md: GET only; `$filter` (eq …), `$top`; "the filters are all case sensitive".
      if (m !== "GET") methodNotAllowed(ctx);
      requireNoQuery(ctx, ["$filter", "$top"]);
      const filter = ctx.query.get("$filter");
      const bySp = filter === null ? undefined : /^servicePrincipal\/id eq '([^']*)'$/.exec(filter.trim());
      if (filter !== null && !bySp) throw badRequest("Request_UnsupportedQuery", `Invalid filter clause: '${filter}'.`);
      const topText = ctx.query.get("$top");
      const top = topText === null ? undefined : Number(topText);
      if (top !== undefined && (!Number.isInteger(top) || top < 1)) throw badRequest("Request_BadRequest", `Invalid value '${topText}' for query option '$top'.`);
      const value = provisioningLog.filter((e) => !bySp || e.servicePrincipal.id === bySp[1]).slice(0, top).map(clone);
      return ok({ "@odata.context": `${ctxUrl}/$metadata#auditLogs/provisioning`, value });
    }

    if (s[0] === "servicePrincipals" && s.length >= 2) {
      const spId = s[1]!;
      const state = spFor(ctx, spId);
      if (s.length === 2) {
        if (m !== "GET") methodNotAllowed(ctx);
        requireNoQuery(ctx);
        return ok({ "@odata.context": `${ctxUrl}/$metadata#servicePrincipals/$entity`, ...clone(state.sp) });
      }
      if (s[2] === "appRoleAssignedTo") return appRoleAssignedTo(ctx, state, s.slice(3), ctxUrl);
      if (s[2] === "synchronization") return synchronization(ctx, state, s.slice(3), ctxUrl);
      throw badRequest("Request_BadRequest", `Resource not found for the segment '${s[2]}'.`);
    }

    throw badRequest("Request_BadRequest", `Resource not found for the segment '${s[0] ?? ""}'.`);
  }

  /**
   * `GET /groups`, `/users` (group-list.md, user-list.md) with `$filter=<property> eq '<literal>'` (a default
   * query: `eq` on displayName / userPrincipalName needs no ConsistencyLevel header) and `$select`, or
   * `GET /groups/{id}`, `/users/{id}`. A literal with a lone apostrophe is a syntax error (400), as in Graph.
   */
  function directory(ctx: Ctx, type: "Group" | "User", id: string | undefined, ctxUrl: string): Reply {
    const collection = type === "Group" ? "groups" : "users";
    requireNoQuery(ctx, id === undefined ? ["$filter", "$select", "$top"] : ["$select"]);
    const select = ctx.query.get("$select");
    const fields = select === null ? undefined : select.split(",").map((f) => f.trim());
    const known = type === "Group" ? ["id", "displayName", "securityEnabled", "mailEnabled"] : ["id", "displayName", "userPrincipalName", "mail", "accountEnabled"];
    for (const f of fields ?? []) if (!known.includes(f)) throw badRequest("Request_BadRequest", `Could not find a property named '${f}' on type 'microsoft.graph.${type === "Group" ? "group" : "user"}'.`);
    const shape = (p: Principal) => {
      const full: Record<string, unknown> =
        type === "Group"
          ? { id: p.id, displayName: p.displayName, securityEnabled: true, mailEnabled: false }
          : { id: p.id, displayName: p.displayName, userPrincipalName: p.properties.userPrincipalName ?? null, mail: p.properties.mail ?? null, accountEnabled: true };
      return fields ? Object.fromEntries(fields.map((f) => [f, full[f]])) : full;
    };
    if (id !== undefined) {
      const p = principals.get(id);
      if (!p || p.type !== type) throw notFound(id);
      return ok({ "@odata.context": `${ctxUrl}/$metadata#${collection}/$entity`, ...shape(p) });
    }
    let list = [...principals.values()].filter((p) => p.type === type);
    const filter = ctx.query.get("$filter");
    if (filter !== null) {
      const property = type === "Group" ? "displayName" : "userPrincipalName";
      const m = /^(\w+) eq '((?:[^']|'')*)'$/.exec(filter.trim());
      if (!m) throw badRequest("BadRequest", `Invalid filter clause: syntax error in '${filter}'.`);
      if (m[1] !== property && m[1] !== "id" && !(type === "User" && m[1] === "mail")) throw badRequest("Request_UnsupportedQuery", `Unsupported or invalid query filter clause specified for property '${m[1]}' of resource '${type}'.`);
      const value = m[2]!.replace(/''/g, "'");
      // Directory string comparisons are case-insensitive.
      list = list.filter((p) => String(m[1] === "id" ? p.id : m[1] === "displayName" ? p.displayName : p.properties[m[1]!] ?? "").toLowerCase() === value.toLowerCase());
    }
    return ok({ "@odata.context": `${ctxUrl}/$metadata#${collection}`, value: list.map(shape) });
  }

  function appRoleAssignedTo(ctx: Ctx, state: AppState, rest: string[], ctxUrl: string): Reply {
    if (rest.length === 0) {
      if (ctx.method === "GET") {
        // Paged like Graph: at most pageSize entries, then an @odata.nextLink carrying $skiptoken.
        requireNoQuery(ctx, ["$top", "$skiptoken"]);
        const top = ctx.query.get("$top");
        if (top !== null && !/^[1-9]\d*$/.test(top)) throw badRequest("Request_BadRequest", "$top must be a positive integer.");
        const size = Math.min(top === null ? pageSize : Number(top), 999);
        const token = ctx.query.get("$skiptoken");
        const offset = token === null ? 0 : Number.parseInt(Buffer.from(token, "base64url").toString("utf8"), 10);
        if (!Number.isInteger(offset) || offset < 0) throw badRequest("Request_BadRequest", "Invalid $skiptoken.");
        const page = state.assignments.slice(offset, offset + size);
        const more = offset + size < state.assignments.length;
        const next = more ? { "@odata.nextLink": `${ctxUrl}/servicePrincipals/${state.sp.id}/appRoleAssignedTo?$top=${size}&$skiptoken=${Buffer.from(String(offset + size)).toString("base64url")}` } : {};
        return ok({ "@odata.context": `${ctxUrl}/$metadata#servicePrincipals('${state.sp.id}')/appRoleAssignedTo`, value: clone(page), ...next });
      }
      if (ctx.method !== "POST") methodNotAllowed(ctx);
      requireNoQuery(ctx);
      const body = requireBody(ctx);
      onlyKeys(body, ["principalId", "resourceId", "appRoleId"], "appRoleAssignment");
      for (const k of ["principalId", "resourceId", "appRoleId"]) {
        if (typeof body[k] !== "string" || !GUID.test(body[k] as string)) throw badRequest("Request_BadRequest", `Invalid value specified for property '${k}' of resource 'AppRoleAssignment'.`);
      }
      if (body.resourceId !== state.sp.id) throw badRequest("Request_BadRequest", "resourceId must be the id of the service principal in the URL.");
      const roleId = body.appRoleId as string;
      const roles = state.sp.appRoles ?? [];
      if (!(roleId === ZERO_ROLE ? roles.length === 0 : roles.some((r) => r.id === roleId && r.isEnabled))) {
        throw badRequest("Request_BadRequest", "Permission being assigned was not found on application");
      }
      const principal = principals.get(body.principalId as string);
      if (!principal) throw notFound(body.principalId as string);
      if (state.assignments.some((a) => a.principalId === principal.id && a.appRoleId === roleId)) {
        throw badRequest("Request_BadRequest", "Permission being assigned already exists on the object");
      }
      const a: AppRoleAssignment = {
        id: randomUUID().replace(/-/g, "").slice(0, 43),
        appRoleId: roleId,
        createdDateTime: new Date().toISOString(),
        principalDisplayName: principal.displayName,
        principalId: principal.id,
        principalType: principal.type,
        resourceDisplayName: state.sp.displayName,
        resourceId: state.sp.id,
        deletedDateTime: null,
      };
      state.assignments.push(a);
      return ok({ "@odata.context": `${ctxUrl}/$metadata#servicePrincipals('${state.sp.id}')/appRoleAssignedTo/$entity`, ...clone(a) }, 201);
    }
    if (rest.length === 1) {
      if (ctx.method !== "DELETE") methodNotAllowed(ctx);
      requireNoQuery(ctx);
      const i = state.assignments.findIndex((a) => a.id === rest[0]);
      if (i < 0) throw notFound(rest[0]!);
      state.assignments.splice(i, 1);
      return noContent();
    }
    throw badRequest("Request_BadRequest", `Resource not found for the segment '${rest[1]}'.`);
  }

  function synchronization(ctx: Ctx, state: AppState, rest: string[], ctxUrl: string): Reply {
    const m = ctx.method;
    if (rest[0] === "templates") {
      if (rest.length === 1) {
        if (m !== "GET") methodNotAllowed(ctx);
        requireNoQuery(ctx);
        return ok({ value: state.template.syncTemplates.map((t) => syncTemplateJson(state, t)) });
      }
      const st = state.template.syncTemplates.find((t) => t.id === rest[1]);
      if (!st) throw syncNotFound(`Synchronization template '${rest[1]}'`);
      if (rest.length === 2) {
        if (m !== "GET") methodNotAllowed(ctx);
        requireNoQuery(ctx);
        return ok(syncTemplateJson(state, st));
      }
      if (rest.length === 3 && rest[2] === "schema") {
        if (m !== "GET") methodNotAllowed(ctx);
        requireNoQuery(ctx);
        return ok(syncTemplateJson(state, st).schema);
      }
      throw badRequest("Request_BadRequest", `Resource not found for the segment '${rest[2]}'.`);
    }

    if (rest[0] === "secrets" && rest.length === 1) {
      requireNoQuery(ctx);
      if (m === "GET") return ok({ "@odata.context": `${ctxUrl}/$metadata#servicePrincipals('${state.sp.id}')/synchronization/secrets`, value: maskSecrets(state.secrets) });
      if (m === "PUT") {
        state.secrets = validateSecretsPut(requireBody(ctx));
        return noContent();
      }
      methodNotAllowed(ctx);
    }

    if (rest[0] === "jobs") {
      if (rest.length === 1) {
        requireNoQuery(ctx);
        if (m === "GET") return ok({ "@odata.context": `${ctxUrl}/$metadata#servicePrincipals('${state.sp.id}')/synchronization/jobs`, value: [...state.jobs.values()].map((j) => clone(j.job)) });
        if (m === "POST") {
          const body = requireBody(ctx);
          onlyKeys(body, ["templateId", "schedule", "synchronizationJobSettings"], "synchronizationJob");
          if (typeof body.templateId !== "string" || body.templateId === "") throw badRequest("InvalidRequest", "templateId is required.");
          const js = createJob(state, body.templateId);
          return ok({ "@odata.context": `${ctxUrl}/$metadata#servicePrincipals('${state.sp.id}')/synchronization/jobs/$entity`, ...clone(js.job) }, 201);
        }
        methodNotAllowed(ctx);
      }
      if (rest.length === 2 && rest[1] === "validateCredentials") {
        if (m !== "POST") methodNotAllowed(ctx);
        requireNoQuery(ctx);
        const body = requireBody(ctx);
        onlyKeys(body, actionParameterNames("validateCredentials"), "validateCredentialsRequest");
        checkCredentials(state, body);
        return noContent();
      }
      const js = jobFor(state, rest[1]!);
      if (rest.length === 2) {
        requireNoQuery(ctx);
        if (m === "GET") return ok({ "@odata.context": `${ctxUrl}/$metadata#servicePrincipals('${state.sp.id}')/synchronization/jobs/$entity`, ...clone(js.job) });
        if (m === "DELETE") {
          state.jobs.delete(js.job.id);
          return noContent();
        }
        methodNotAllowed(ctx);
      }
      const action = rest[2];
      if (rest.length === 3 && action === "schema") {
        requireNoQuery(ctx);
        // Serialized right away, so the stored document itself can be sent (no defensive copy).
        if (m === "GET") return ok({ "@odata.context": `${ctxUrl}/$metadata#servicePrincipals('${state.sp.id}')/synchronization/jobs('${js.job.id}')/schema/$entity`, ...js.schema });
        if (m === "PUT") {
          const stored = validateSchemaPut(requireBody(ctx), js.syncTemplate.schema());
          stored.id = js.job.id;
          js.schema = stored;
          js.schemaPuts++;
          js.fullCycleRestarts++;
          return noContent();
        }
        if (m === "DELETE") {
          const s = js.syncTemplate.schema();
          s.id = js.job.id;
          js.schema = s;
          js.fullCycleRestarts++;
          return noContent();
        }
        // The real service answers PATCH on the schema with 404.
        if (m === "PATCH") throw new GraphHttpError(404, "UnknownError", "No HTTP resource was found that matches the request URI.");
        methodNotAllowed(ctx);
      }
      if (rest.length === 3 && (action === "start" || action === "pause")) {
        if (m !== "POST") methodNotAllowed(ctx);
        requireNoQuery(ctx);
        requireNoBody(ctx);
        if (action === "start") {
          // "if in quarantine, quarantine status is cleared" (synchronization-synchronizationjob-start.md).
          js.job.schedule.state = "Active";
          liftQuarantine(state, js);
          js.job.status.code = js.job.status.quarantine ? "Quarantine" : "Active";
        } else {
          js.job.schedule.state = "Paused";
          js.job.status.code = "Paused";
        }
        return noContent();
      }
      if (rest.length === 3 && action === "restart") {
        if (m !== "POST") methodNotAllowed(ctx);
        requireNoQuery(ctx);
        restartJob(state, js, validateRestartBody(requireBody(ctx)));
        return noContent();
      }
      if (rest.length === 3 && action === "validateCredentials") {
        if (m !== "POST") methodNotAllowed(ctx);
        requireNoQuery(ctx);
        const body = requireBody(ctx);
        // The job-bound action has the same CSDL parameters as the collection-bound one.
        onlyKeys(body, actionParameterNames("validateCredentials"), "validateCredentialsRequest");
        checkCredentials(state, body);
        return noContent();
      }
      if (rest.length === 3 && action === "provisionOnDemand") {
        if (m !== "POST") methodNotAllowed(ctx);
        requireNoQuery(ctx);
        return ok(provisionOnDemand(state, js, requireBody(ctx)));
      }
      throw badRequest("Request_BadRequest", `Resource not found for the segment '${rest[2]}'.`);
    }
    throw badRequest("Request_BadRequest", `Resource not found for the segment '${rest[0] ?? ""}'.`);
  }

  function checkCredentials(state: AppState, body: Record<string, unknown>): void {
    for (const k of ["applicationIdentifier", "templateId"]) {
      if (body[k] !== undefined && body[k] !== null && typeof body[k] !== "string") throw badRequest("InvalidRequest", `${k} must be a string.`);
    }
    if (body.useSavedCredentials !== undefined && typeof body.useSavedCredentials !== "boolean") throw badRequest("InvalidRequest", "useSavedCredentials must be a boolean.");
    let creds: SynchronizationSecretKeyStringValuePair[];
    if (body.useSavedCredentials === true) {
      creds = state.secrets;
    } else {
      if (!Array.isArray(body.credentials)) throw badRequest("InvalidRequest", "credentials must be a collection when useSavedCredentials is false.");
      creds = [];
      for (const c of body.credentials) {
        if (!c || typeof c !== "object") throw badRequest("InvalidRequest", "credentials entries must be objects.");
        onlyKeys(c as Record<string, unknown>, ["key", "value"], "synchronizationSecretKeyStringValuePair");
        const { key, value } = c as { key: unknown; value: unknown };
        if (typeof key !== "string" || typeof value !== "string") throw badRequest("InvalidRequest", "credential key and value must be strings.");
        creds.push({ key, value });
      }
    }
    const base = creds.find((c) => c.key === "BaseAddress")?.value ?? "";
    const secret = creds.find((c) => c.key === "SecretToken")?.value ?? "";
    let url: URL | undefined;
    try {
      url = new URL(base);
    } catch {
      url = undefined;
    }
    if (!url || url.protocol !== "https:") {
      throw badRequest("SystemForCrossDomainIdentityManagementInvalidCredentials", "Please provide a valid tenant URL for your application.");
    }
    if (state.acceptedBaseAddress && base.replace(/\/+$/, "") !== state.acceptedBaseAddress.replace(/\/+$/, "")) {
      throw badRequest(
        "SystemForCrossDomainIdentityManagementCredentialValidationUnavailable",
        "We could not reach the tenant URL. Please confirm the tenant URL; the target answered HTTP/404 Not Found.",
      );
    }
    const accepted = state.acceptedSecretToken;
    if (secret === "" || (accepted !== undefined && secret !== accepted)) {
      throw badRequest(
        "SystemForCrossDomainIdentityManagementCredentialValidationUnauthorized",
        "You appear to have entered invalid credentials. Please confirm you are using the correct information for an administrative account. The target answered HTTP/401 Unauthorized.",
      );
    }
  }

  /**
   * A job whose target rejects the saved token, as Entra reports it: "If most or all of the calls made against the
   * target system consistently fail because of an error, for example invalid admin credentials, the provisioning job
   * is marked as in quarantine" (MicrosoftDocs/azure-docs articles/active-directory/manage-apps/
   * application-provisioning-quarantine-status.md; entra-docs app-provisioning/application-provisioning-quarantine-status.md).
   * Shape after graph-sync.md §2 (a quarantined job: code Quarantine, lastExecution Failed with the error,
   * quarantine.reason EncounteredQuarantineException, nextAttempt 5 min on); the error is the one
   * validateCredentials answers for a rejected token.
   */
  function quarantineForCredentials(
    js: JobState,
    rejection: { code: string; message: string } = {
      code: "SystemForCrossDomainIdentityManagementCredentialValidationUnauthorized",
      message: "You appear to have entered invalid credentials. The target answered HTTP/401 Unauthorized.",
    },
  ): void {
    const now = new Date();
    const began = now.toISOString();
    const error = { ...rejection, tenantActionable: true };
    js.job.status = {
      ...js.job.status,
      code: "Quarantine",
      countSuccessiveCompleteFailures: (js.job.status.countSuccessiveCompleteFailures ?? 0) + 1,
      lastExecution: { activityIdentifier: randomUUID(), countEntitled: 0, countEntitledForProvisioning: 0, countEscrowed: 0, countEscrowedRaw: 0, countExported: 0, countExports: 0, countImported: 0, countImportedDeltas: 0, countImportedReferenceDeltas: 0, error, state: "Failed", timeBegan: began, timeEnded: began },
      quarantine: { currentBegan: began, nextAttempt: new Date(now.getTime() + 5 * 60_000).toISOString(), reason: "EncounteredQuarantineException", seriesBegan: began, seriesCount: 1, error },
    } as SynchronizationJob["status"];
    validateSynchronizationStatus(js.job.status as SynchronizationJob["status"] & Record<string, unknown>);
  }

  /** Why the target refuses the saved credentials (what validateCredentials with useSavedCredentials answers), or undefined. */
  function savedCredentialsRejection(state: AppState): { code: string; message: string } | undefined {
    try {
      checkCredentials(state, { useSavedCredentials: true });
      return undefined;
    } catch (e) {
      if (e instanceof GraphHttpError) return { code: e.innerCode ?? e.code, message: e.message };
      throw e;
    }
  }

  /**
   * `POST …/jobs/{id}/restart` (synchronization-synchronizationjob-restart.md: "Restart a stopped synchronization job…
   * Optionally clears existing the synchronization state and previous errors"), by its resetScope flags
   * (synchronization-synchronizationjobrestartcriteria.md): `QuarantineState` "Temporarily lifts the quarantine";
   * `Full` is every option; an empty scope is the portal's "Restart provisioning", "similar to setting the resetScope
   * to include QuarantineState, Watermark, and Escrows"; `None` "Starts a paused or quarantined provisioning job" (as
   * start does); `Watermark` makes the service "reevaluate all the users again", i.e. a full cycle. `Escrows` or
   * `Watermark` alone leave a quarantine in place.
   * Lifting is temporary: the job runs again at once, and a run whose saved credentials the target still refuses
   * puts it straight back into quarantine ("removed from quarantine after all errors are fixed and the next sync
   * cycle starts", entra-docs application-provisioning-quarantine-status.md) — so only a restart after the
   * credentials were fixed gets the job out.
   */
  function restartJob(state: AppState, js: JobState, flags: Set<string>): void {
    const everything = flags.size === 0 || flags.has("Full");
    if (everything || flags.has("Watermark")) js.fullCycleRestarts++;
    if (flags.has("None")) js.job.schedule.state = "Active";
    if (everything || flags.has("QuarantineState") || flags.has("None")) liftQuarantine(state, js);
  }

  /** Lifts a quarantine (restart, start); the job runs again at once, and is quarantined again if the target still refuses its saved credentials. */
  function liftQuarantine(state: AppState, js: JobState): void {
    if (js.job.status.code !== "Quarantine" && !js.job.status.quarantine) return;
    const schedule = js.job.schedule.state;
    js.job.status.quarantine = null;
    js.job.status.code = schedule === "Active" ? "Active" : schedule === "Paused" ? "Paused" : "NotRun";
    if (schedule !== "Active") return;
    const rejection = savedCredentialsRejection(state);
    if (rejection) quarantineForCredentials(js, rejection);
  }

  function provisionOnDemand(state: AppState, js: JobState, body: Record<string, unknown>) {
    onlyKeys(body, ["parameters"], "provisionOnDemandRequest");
    const now = Date.now();
    js.podTimes = js.podTimes.filter((t) => now - t < 10_000);
    if (js.podTimes.length >= podLimit) {
      const wait = Math.max(1, Math.ceil((10_000 - (now - js.podTimes[0]!)) / 1000));
      throw new GraphHttpError(429, "TooManyRequests", "provisionOnDemand is limited to 5 requests per 10 seconds.", undefined, { "Retry-After": String(wait) });
    }
    if (!Array.isArray(body.parameters) || body.parameters.length !== 1) throw badRequest("InvalidRequest", "parameters must hold exactly one synchronizationJobApplicationParameters.");
    const p = body.parameters[0] as Record<string, unknown>;
    if (!p || typeof p !== "object") throw badRequest("InvalidRequest", "parameters entries must be objects.");
    onlyKeys(p, ["ruleId", "subjects"], "synchronizationJobApplicationParameters");
    const rule = js.schema.synchronizationRules.find((r) => r.id === p.ruleId);
    if (!rule) throw badRequest("UnknownSynchronizationRule", `Synchronization rule '${String(p.ruleId)}' is not in the job schema.`);
    if (!(rule.metadata ?? []).some((kv) => kv.key === "supportsProvisionOnDemand" && kv.value === "true")) {
      throw badRequest("InvalidRequest", `Rule '${rule.id}' does not support provisioning on demand.`);
    }
    if (!Array.isArray(p.subjects) || p.subjects.length !== 1) throw badRequest("InvalidRequest", "Exactly one subject is supported per request.");
    const subj = p.subjects[0] as Record<string, unknown>;
    onlyKeys(subj, ["objectId", "objectTypeName", "links"], "synchronizationJobSubject");
    if (subj.objectTypeName !== "User" && subj.objectTypeName !== "Group") throw badRequest("InvalidRequest", "objectTypeName must be 'User' or 'Group' for outbound provisioning.");
    if (typeof subj.objectId !== "string" || !GUID.test(subj.objectId)) throw badRequest("InvalidRequest", "objectId must be an object id.");
    const links = subj.links as { members?: unknown[] } | undefined;
    if (links !== undefined) {
      if (subj.objectTypeName !== "Group") throw badRequest("InvalidRequest", "links are only supported for groups.");
      if (Array.isArray(links.members) && links.members.length > 5) throw badRequest("InvalidRequest", "At most 5 group members can be provisioned on demand.");
    }
    js.podTimes.push(now);
    const principal = principals.get(subj.objectId);
    if (!principal || principal.type !== subj.objectTypeName) throw notFound(subj.objectId);
    // Assigned directly, or as a direct member of an assigned group (nested groups do not count, §8).
    const assigned = state.assignments.some((a) => a.principalId === principal.id || principals.get(a.principalId)?.members.includes(principal.id));
    const result = !assigned ? "Skipped" : "Success";
    const mapping = rule.objectMappings.find((om) => om.sourceObjectName === principal.type);
    const modified = assigned && mapping
      ? mapping.attributeMappings
          .filter((am) => am.source?.type === "Attribute" && am.source.name && principal.properties[am.source.name] !== undefined)
          .map((am) => ({ displayName: am.targetAttributeName, oldValue: null, newValue: principal.properties[am.source!.name!]! }))
      : [];
    const key = JSON.stringify({
      result,
      details: assigned ? {} : { errorCode: "NotEffectivelyEntitled", errorMessage: "The user is not assigned to the application." },
    });
    const value = JSON.stringify({
      action: assigned ? "Create" : "Other",
      changeId: randomUUID(),
      startTime: new Date(now).toISOString(),
      endTime: new Date().toISOString(),
      modifiedProperties: modified,
      provisioningSteps: [
        { name: "EntryImport", type: "Import", status: "Success", description: `Retrieved ${principal.displayName} from Azure Active Directory`, timestamp: new Date().toISOString(), details: {} },
        {
          name: "EntrySynchronizationScoping",
          type: "Scoping",
          status: assigned ? "Success" : "Skipped",
          description: assigned ? "Determine if the object is in scope" : "The object is not assigned to the application",
          timestamp: new Date().toISOString(),
          details: { Assigned: String(assigned), IsEffectivelyEntitledForProvisioning: String(assigned) },
        },
      ],
      reportableIdentifier: principal.properties.userPrincipalName ?? principal.displayName,
      sourceIdentity: { id: principal.id, type: principal.type, displayName: principal.displayName, details: {} },
      sourceSystem: { name: "Azure Active Directory" },
      targetSystem: { name: rule.targetDirectoryName },
    });
    return { "@odata.type": "#microsoft.graph.stringKeyStringValuePair", key, value };
  }

  // -------------------------------------------------------------------------------------------
  // Server
  // -------------------------------------------------------------------------------------------

  function matchFault(ctx: Ctx): ActiveRule | undefined {
    for (const r of rules) {
      if (r.left <= 0 || Date.now() >= r.until) continue;
      if (r.method && r.method.toUpperCase() !== ctx.method) continue;
      if (r.path !== undefined && !(typeof r.path === "string" ? ctx.path.includes(r.path) : r.path.test(ctx.path))) continue;
      return r;
    }
    return undefined;
  }

  function errorReply(e: GraphHttpError, clientRequestId: string, requestId: string): Reply {
    const inner: Record<string, unknown> = { date: new Date().toISOString().replace(/\.\d{3}Z$/, ""), "request-id": requestId, "client-request-id": clientRequestId };
    if (e.innerCode) inner.code = e.innerCode;
    return { status: e.status, body: { error: { code: e.code, message: e.message, innerError: inner } }, headers: e.headers };
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void handle(req, res, Buffer.concat(chunks).toString("utf8"));
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, raw: string): Promise<void> {
    const startedAt = Date.now();
    const u = new URL(req.url ?? "/", "http://emulator");
    const parts = u.pathname.split("/").filter(Boolean).map(decodeURIComponent);
    const version = parts[0] ?? "";
    const segments = parts.slice(1);
    const path = "/" + segments.join("/");
    let body: unknown = undefined;
    let parseError = false;
    if (raw !== "") {
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
        parseError = true;
      }
    }
    const entry: RequestLogEntry = {
      seq: ++seq,
      method: req.method ?? "",
      path,
      version,
      query: u.search.replace(/^\?/, ""),
      body,
      status: 0,
      startedAt,
      endedAt: 0,
    };
    requests.push(entry);
    const clientRequestId = String(req.headers["client-request-id"] ?? randomUUID());
    const requestId = randomUUID();
    const ctx: Ctx = {
      method: entry.method,
      segments,
      path,
      version,
      query: u.searchParams,
      body,
      hasBody: raw !== "",
      authorization: String(req.headers.authorization ?? ""),
    };
    let reply: Reply;
    let throttleHeaders: Record<string, string> = {};
    try {
      const fault = matchFault(ctx);
      if (fault) {
        // Consume at arrival, so concurrent requests cannot both take a single-use fault.
        if (fault.hits === 0 && fault.forMs !== undefined) fault.until = Date.now() + fault.forMs;
        fault.hits++;
        fault.left--;
        // "reset", "503", "latency", and "-after-apply" when the change was applied before the fault answered.
        const kind = fault.reset ? "reset" : `${fault.status ?? (fault.latencyMs !== undefined ? "latency" : 503)}`;
        entry.fault = fault.afterApply && kind !== "latency" ? `${kind}-after-apply` : kind;
      }
      const delay = faults.latencyMs + (fault?.latencyMs ?? 0);
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      const callerAppId = throttling.appIdOf(ctx.authorization);
      if (callerAppId === undefined) {
        throw new GraphHttpError(401, "InvalidAuthenticationToken", ctx.authorization ? "Access token validation failure. Invalid audience." : "Access token is empty.");
      }
      entry.callerAppId = callerAppId;
      throttleHeaders = throttling.admit(callerAppId, ctx.method, path, ctx.query);
      if (version !== "v1.0" && version !== "beta") throw badRequest("Request_BadRequest", `Invalid version: '${version}'.`);
      if (ctx.hasBody) {
        const ct = String(req.headers["content-type"] ?? "");
        if (!/^application\/json/i.test(ct)) throw new GraphHttpError(415, "UnsupportedMediaType", `Content-Type '${ct}' is not supported; use application/json.`);
        if (parseError) throw badRequest("BadRequest", "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.");
      }
      if ((ctx.method === "GET" || ctx.method === "DELETE") && ctx.hasBody) throw badRequest("InvalidRequest", `${ctx.method} requests must not carry a body.`);
      const active = fault && (fault.status !== undefined || fault.reset || fault.latencyMs === undefined) ? fault : undefined;
      if (active) {
        if (active.afterApply) {
          try {
            route(ctx);
          } catch {
            // the fault answers regardless
          }
        }
        if (active.reset) {
          // No answer at all: the socket is destroyed, as when a connection drops mid-request.
          entry.endedAt = Date.now();
          req.socket.destroy();
          return;
        }
        const status = active.status ?? 503;
        const headers: Record<string, string> = {};
        if (active.retryAfter !== undefined) headers["Retry-After"] = String(active.retryAfter);
        let message = active.message ?? (status === 429 ? "Too many requests." : "The service is temporarily unavailable.");
        if (active.echoAuthorization) message += ` (received Authorization: ${ctx.authorization})`;
        const code = active.code ?? (status === 429 ? "TooManyRequests" : status === 503 ? "ServiceUnavailable" : status === 504 ? "GatewayTimeout" : "InternalServerError");
        throw new GraphHttpError(status, code, message, undefined, headers);
      }
      reply = route(ctx);
    } catch (e) {
      if (e instanceof GraphHttpError) {
        reply = errorReply(e, clientRequestId, requestId);
        entry.errorCode = e.innerCode ? `${e.code}/${e.innerCode}` : e.code;
        if ((e as GraphHttpError & { lag?: boolean }).lag) entry.fault = `lag-${e.status}`;
      } else {
        reply = errorReply(new GraphHttpError(500, "InternalServerError", `emulator bug: ${(e as Error).message}`), clientRequestId, requestId);
        entry.errorCode = "EmulatorBug";
      }
    }
    entry.status = reply.status;
    entry.endedAt = Date.now();
    const headers: Record<string, string> = { "request-id": requestId, "client-request-id": clientRequestId, ...throttleHeaders, ...(reply.headers ?? {}) };
    if (reply.status === 204 || reply.body === undefined) {
      res.writeHead(reply.status, headers);
      res.end();
    } else {
      const text = JSON.stringify(reply.body);
      res.writeHead(reply.status, { ...headers, "Content-Type": "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8", "Content-Length": Buffer.byteLength(text) });
      res.end(text);
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;

  const emulator: GraphEmulator = {
    url,
    token,
    tenantId,
    cloud,
    requests,
    faults,
    ...(throttling.throttler ? { throttling: throttling.throttler } : {}),
    clearRequests() {
      requests.length = 0;
    },
    writes() {
      return requests.filter((r) => r.method !== "GET");
    },
    seedApp(o: SeedAppOptions): SeededApp {
      const template = findTemplate(o.template);
      const state = createApp(template, o.displayName, o.replicationLagMs ?? 0);
      if (o.acceptedSecretToken !== undefined) state.acceptedSecretToken = o.acceptedSecretToken;
      if (o.acceptedBaseAddress !== undefined) state.acceptedBaseAddress = o.acceptedBaseAddress;
      const syncTemplateId = o.syncTemplateId ?? template.syncTemplates.find((t) => t.default)!.id;
      let jobId = "";
      let ruleId = "";
      if (o.createJob !== false) {
        const js = createJob(state, syncTemplateId);
        jobId = js.job.id;
        ruleId = js.schema.synchronizationRules[0]!.id;
      }
      return { servicePrincipalId: state.sp.id, applicationId: state.app.id, appId: state.app.appId, jobId, templateId: template.id, ruleId };
    },
    seedUser(user) {
      const id = randomUUID();
      const { displayName, ...props } = user;
      principals.set(id, { id, type: "User", displayName, properties: { displayName, ...props }, members: [] });
      return id;
    },
    seedGroup(group) {
      const id = randomUUID();
      principals.set(id, { id, type: "Group", displayName: group.displayName, properties: { displayName: group.displayName }, members: group.members ?? [] });
      return id;
    },
    editSchema(spId, jobId, edit) {
      const js = jobState(spId, jobId);
      const draft = clone(js.schema);
      const result = edit(draft) ?? draft;
      const stored = validateSchemaPut(clone(result), js.syncTemplate.schema());
      stored.id = js.job.id;
      js.schema = stored;
    },
    editApplication(applicationObjectId, edit) {
      const st = [...apps.values()].find((a) => a.app.id === applicationObjectId);
      if (!st) throw new Error(`emulator: no application ${applicationObjectId}`);
      edit(st.app);
    },
    editSecrets(spId, edit) {
      const st = appState(spId);
      const draft = clone(st.secrets);
      st.secrets = clone(edit(draft) ?? draft);
    },
    getSchema(spId, jobId) {
      return clone(jobState(spId, jobId).schema);
    },
    getTemplateSchema(spId, jobId) {
      const js = jobState(spId, jobId);
      const s = js.syncTemplate.schema();
      s.id = js.job.id;
      return s;
    },
    getSecrets(spId) {
      return clone(appState(spId).secrets);
    },
    getJob(spId, jobId) {
      const js = jobState(spId, jobId);
      return { ...clone(js.job), schemaPuts: js.schemaPuts, fullCycleRestarts: js.fullCycleRestarts };
    },
    setAcceptedSecretToken(spId, t, opts = {}) {
      const st = appState(spId);
      if (t === undefined) delete st.acceptedSecretToken;
      else st.acceptedSecretToken = t;
      const saved = st.secrets.find((kv) => kv.key === "SecretToken")?.value ?? "";
      if (opts.quarantine && t !== undefined && saved !== t) {
        for (const js of st.jobs.values()) if (js.job.schedule.state === "Active") quarantineForCredentials(js);
      }
    },
    getAssignments(spId) {
      return clone(appState(spId).assignments);
    },
    editAssignments(spId, edit) {
      const st = appState(spId);
      st.assignments = clone(edit(clone(st.assignments)));
    },
    servicePrincipals() {
      return [...apps.values()].map((a) => ({ id: a.sp.id, displayName: a.sp.displayName, applicationTemplateId: a.template.id, applicationId: a.app.id, jobIds: [...a.jobs.keys()] }));
    },
    setJobStatus(spId, jobId, status) {
      validateSynchronizationStatus(status);
      jobState(spId, jobId).job.status = clone(status);
    },
    addProvisioningEntry(entry) {
      appState(entry.servicePrincipal.id);
      provisioningLog.push(clone(entry));
    },
    close() {
      return new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
  return emulator;
}
