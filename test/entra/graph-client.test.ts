/** The Graph client (graph.ts, sync-api.ts) against the emulator over real HTTP. */
import { describe, expect, it } from "vitest";
import {
  backoffDelay,
  createGraphSession,
  createTokenProvider,
  isGraphCallError,
  parseRetryAfter,
  resolveAuthMethod,
  resolveEndpoints,
  resolveRetryOptions,
  type GraphCallError,
  type GraphConnection,
} from "../../src/entra/graph";
import * as api from "../../src/entra/sync-api";
import { NON_GALLERY_APP_ROLES, NON_GALLERY_TEMPLATE_IDS, type GraphEmulator } from "../emulators/graph/index";
import { FAST_RETRY, useEmulator } from "./support";

let emu: GraphEmulator;
let graph: GraphConnection;
useEmulator((s) => ({ emu, graph } = s));

async function rejection(p: Promise<unknown>): Promise<GraphCallError> {
  try {
    await p;
  } catch (e) {
    if (!isGraphCallError(e)) throw e;
    return e;
  }
  throw new Error("expected a GraphCallError");
}

describe("endpoints and credentials", () => {
  it("resolves each cloud's Graph root, authority and scope", () => {
    expect(resolveEndpoints({})).toEqual({ graphRoot: "https://graph.microsoft.com", authorityHost: "https://login.microsoftonline.com", scope: "https://graph.microsoft.com/.default", apiVersion: "v1.0" });
    expect(resolveEndpoints({ cloud: "usgovernment" })).toMatchObject({ graphRoot: "https://graph.microsoft.us", authorityHost: "https://login.microsoftonline.us", scope: "https://graph.microsoft.us/.default" });
    expect(resolveEndpoints({ cloud: "usgovernment-dod" }).graphRoot).toBe("https://dod-graph.microsoft.us");
    expect(resolveEndpoints({ cloud: "china" })).toMatchObject({ graphRoot: "https://microsoftgraph.chinacloudapi.cn", authorityHost: "https://login.chinacloudapi.cn" });
    expect(resolveEndpoints({ baseUrl: "https://graph.contoso.test/v1.0/", apiVersion: "beta" })).toMatchObject({ graphRoot: "https://graph.contoso.test", scope: "https://graph.contoso.test/.default", apiVersion: "beta" });
    expect(resolveEndpoints({ baseUrl: "http://127.0.0.1:1234" }).graphRoot).toBe("http://127.0.0.1:1234");
    expect(() => resolveEndpoints({ baseUrl: "http://graph.contoso.test" })).toThrow(/https/);
    expect(() => resolveEndpoints({ cloud: "mars" as never })).toThrow(/Unknown Graph cloud/);
  });

  it("picks the credential kind from the environment for auth auto", () => {
    expect(resolveAuthMethod({}, { SCIMOPS_GRAPH_ACCESS_TOKEN: "t", AZURE_CLIENT_ID: "c", AZURE_CLIENT_SECRET: "s" })).toBe("accessToken");
    expect(resolveAuthMethod({}, { AZURE_FEDERATED_TOKEN_FILE: "/f", AZURE_CLIENT_ID: "c", AZURE_CLIENT_SECRET: "s" })).toBe("workloadIdentity");
    expect(resolveAuthMethod({}, { AZURE_CLIENT_ID: "c", AZURE_CLIENT_SECRET: "s" })).toBe("clientSecret");
    expect(resolveAuthMethod({}, {})).toBe("default");
    expect(resolveAuthMethod({ auth: "azureCli" }, { SCIMOPS_GRAPH_ACCESS_TOKEN: "t" })).toBe("azureCli");
  });

  it("names the missing variable, never a secret value, when a credential cannot be built", async () => {
    expect(() => createTokenProvider({ auth: "clientSecret", tenantId: "t" }, { env: { AZURE_CLIENT_SECRET: "hunter2-secret" } })).toThrow(/AZURE_CLIENT_ID/);
    expect(() => createTokenProvider({ auth: "workloadIdentity", tenantId: "t" }, { env: { AZURE_CLIENT_ID: "c" } })).toThrow(/AZURE_FEDERATED_TOKEN_FILE/);
    expect(() => createTokenProvider({ auth: "clientSecret", authorityHost: "http://login.test" }, { env: { AZURE_TENANT_ID: "t", AZURE_CLIENT_ID: "c", AZURE_CLIENT_SECRET: "hunter2-secret" } })).toThrow(
      /Could not configure the Microsoft Graph credential \(auth clientSecret\)/,
    );
    await expect(createTokenProvider({ auth: "accessToken" }, { env: {} })()).rejects.toThrow(/SCIMOPS_GRAPH_ACCESS_TOKEN/);
  });

  it("wraps token acquisition failures without leaking the client secret", async () => {
    // Authority on a closed local port: the identity library's first call fails without leaving the machine.
    const get = createTokenProvider(
      { auth: "clientSecret", tenantId: "00000000-0000-4000-8000-000000000001", authorityHost: "https://127.0.0.1:1", retry: FAST_RETRY },
      { env: { AZURE_CLIENT_ID: "11111111-1111-4111-8111-111111111111", AZURE_CLIENT_SECRET: "hunter2-client-secret" } },
    );
    const err = await get().then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(/Could not obtain a Microsoft Graph token \(auth clientSecret/);
    expect(err?.message).not.toContain("hunter2-client-secret");
  }, 20_000);

  it("fails a call at once, naming app and call, when no token can be obtained", async () => {
    const saved = process.env.SCIMOPS_GRAPH_ACCESS_TOKEN;
    delete process.env.SCIMOPS_GRAPH_ACCESS_TOKEN;
    try {
      const s = createGraphSession({ baseUrl: emu.url, auth: "accessToken", retry: FAST_RETRY });
      await expect(api.listApplicationTemplates(s, {}, { app: "NoToken" })).rejects.toThrow(
        /app "NoToken": Graph call "GET applicationTemplates" could not authenticate: .*SCIMOPS_GRAPH_ACCESS_TOKEN/,
      );
      expect(emu.requests).toHaveLength(0);
    } finally {
      process.env.SCIMOPS_GRAPH_ACCESS_TOKEN = saved;
    }
  });

  it("talks to the beta endpoint when asked", async () => {
    await api.listApplicationTemplates(createGraphSession({ ...graph, apiVersion: "beta" }));
    expect(emu.requests.map((r) => `${r.version} ${r.status}`)).toEqual(["beta 200"]);
  });

  it("uses an injected TokenCredential and caches its token", async () => {
    let calls = 0;
    const credential = { getToken: async () => (calls++, { token: emu.token, expiresOnTimestamp: Date.now() + 3600_000 }) };
    const s = createGraphSession({ baseUrl: emu.url, retry: FAST_RETRY }, { credential });
    await api.listApplicationTemplates(s);
    await api.listApplicationTemplates(s);
    expect(calls).toBe(1);
  });
});

describe("retry policy helpers", () => {
  it("parses Retry-After seconds and HTTP dates", () => {
    expect(parseRetryAfter("2")).toBe(2000);
    expect(parseRetryAfter("0.5")).toBe(500);
    expect(parseRetryAfter(new Date(10_000 + 3000).toUTCString(), 10_000)).toBe(3000);
    expect(parseRetryAfter("soon")).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
  it("backs off exponentially within bounds", () => {
    const r = resolveRetryOptions({ baseDelayMs: 100, maxDelayMs: 1000 });
    expect([1, 2, 3, 4, 5].map((a) => backoffDelay(a, r, () => 1))).toEqual([100, 200, 400, 800, 1000]);
    expect(backoffDelay(3, r, () => 0)).toBe(200);
  });
});

describe("calls over HTTP", () => {
  it("walks the happy path of §11 with the real client", async () => {
    const s = createGraphSession(graph);
    const tpl = await api.findApplicationTemplate(s, "custom");
    expect(tpl.id).toBe(NON_GALLERY_TEMPLATE_IDS.global);
    const created = await api.instantiateApplicationTemplate(s, tpl.id, "Happy Path");
    const sp = created.servicePrincipal.id;
    const templates = await api.listSynchronizationTemplates(s, sp);
    expect(templates.find((t) => t.default)?.id).toBe("scim");
    const job = await api.createSynchronizationJob(s, sp, "scim");
    expect(job.id.startsWith("scim.")).toBe(true);
    await api.validateCredentials(s, sp, job.id, [{ key: "BaseAddress", value: "https://scim.example.test" }, { key: "SecretToken", value: "tok" }]);
    await api.putSecrets(s, sp, [{ key: "BaseAddress", value: "https://scim.example.test" }, { key: "SecretToken", value: "tok" }, { key: "SyncAll", value: "false" }]);
    expect(await api.getSecrets(s, sp)).toContainEqual({ key: "SecretToken", value: "*" });
    const schema = await api.getJobSchema(s, sp, job.id);
    expect(schema.synchronizationRules).toHaveLength(1);
    const user = emu.seedUser({ displayName: "Ada", userPrincipalName: "ada@contoso.test" });
    await api.assignAppRole(s, sp, { principalId: user, appRoleId: NON_GALLERY_APP_ROLES[0]!.id });
    expect(await api.listAppRoleAssignments(s, sp)).toHaveLength(1);
    const pod = await api.provisionOnDemand(s, sp, job.id, [{ ruleId: schema.synchronizationRules[0]!.id, subjects: [{ objectId: user, objectTypeName: "User" }] }]);
    expect(pod.key).toMatchObject({ result: "Success" });
    await api.startSynchronizationJob(s, sp, job.id);
    expect((await api.getSynchronizationJob(s, sp, job.id)).schedule.state).toBe("Active");
    await api.pauseSynchronizationJob(s, sp, job.id);
    await api.restartSynchronizationJob(s, sp, job.id, "Watermark");
    await api.restartSynchronizationJob(s, sp, job.id);
    expect(await api.listSynchronizationJobs(s, sp)).toHaveLength(1);
    await api.deleteSynchronizationJob(s, sp, job.id);
    expect(await api.listSynchronizationJobs(s, sp)).toHaveLength(0);
    expect(emu.requests.every((r) => r.status < 400)).toBe(true);
  });

  it("escapes quotes in $filter values", async () => {
    const s = createGraphSession(graph);
    expect(await api.listApplicationTemplates(s, { displayName: "O'Brien & Co" })).toEqual([]);
    expect(emu.requests[0]!.status).toBe(200);
    await expect(api.findApplicationTemplate(s, "does not exist")).rejects.toThrow(/exactly one application template/);
  });

  it("honours Retry-After on 429", async () => {
    emu.faults.inject({ method: "GET", path: "/applicationTemplates", status: 429, retryAfter: 1 });
    const s = createGraphSession(graph);
    await api.listApplicationTemplates(s);
    expect(emu.requests.map((r) => r.status)).toEqual([429, 200]);
    expect(emu.requests[1]!.startedAt - emu.requests[0]!.endedAt).toBeGreaterThanOrEqual(950);
    expect(s.stats.retries).toBe(1);
  });

  it("backs off on 503 and 504 without Retry-After", async () => {
    emu.faults.inject({ method: "GET", status: 503, times: 2 });
    emu.faults.inject({ method: "GET", status: 504, times: 1 });
    const s = createGraphSession(graph);
    await api.listApplicationTemplates(s);
    expect(emu.requests.map((r) => r.status)).toEqual([503, 503, 504, 200]);
  });

  it("gives up after maxAttempts with a clear error", async () => {
    emu.faults.inject({ method: "GET", status: 503, times: Infinity });
    const s = createGraphSession(graph);
    const e = await rejection(api.listApplicationTemplates(s, {}, { app: "Contoso" }));
    expect(emu.requests).toHaveLength(FAST_RETRY.maxAttempts);
    expect(e.message).toMatch(/app "Contoso": Graph call "GET applicationTemplates" \(GET \/applicationTemplates\) failed: HTTP 503, code ServiceUnavailable/);
    expect(e.message).toMatch(/gave up after 5 attempts/);
    expect(e).toMatchObject({ statusCode: 503, graphCode: "ServiceUnavailable", call: "GET applicationTemplates", app: "Contoso", attempts: 5 });
  });

  it("fails at once when Retry-After exceeds the limit", async () => {
    emu.faults.inject({ method: "GET", status: 429, retryAfter: 3600 });
    const e = await rejection(api.listApplicationTemplates(createGraphSession(graph)));
    expect(emu.requests).toHaveLength(1);
    expect(e.message).toMatch(/Retry-After 3600 s exceeds the 5 s limit/);
  });

  it("does not retry 500, nor 504 on a non-idempotent POST it cannot check, and says the outcome is unknown", async () => {
    const app = emu.seedApp({ template: "non-gallery", displayName: "NoRetry" });
    emu.faults.inject({ method: "GET", status: 500 });
    const e1 = await rejection(api.getServicePrincipal(createGraphSession(graph), app.servicePrincipalId, { app: "NoRetry" }));
    expect(e1).toMatchObject({ statusCode: 500, graphCode: "InternalServerError" });
    emu.faults.inject({ method: "POST", path: "/restart", status: 504, afterApply: true });
    const e2 = await rejection(api.restartSynchronizationJob(createGraphSession(graph), app.servicePrincipalId, app.jobId));
    expect(e2.statusCode).toBe(504);
    expect(e2.message).toMatch(/the outcome is unknown/);
    expect(emu.requests.map((r) => r.status)).toEqual([500, 504]);
  });

  it("retries an idempotent PUT after a connection reset, before or after the change was applied", async () => {
    const app = emu.seedApp({ template: "non-gallery", displayName: "Reset PUT" });
    const s = createGraphSession(graph);
    const schema = await api.getJobSchema(s, app.servicePrincipalId, app.jobId);
    const users = schema.synchronizationRules[0]!.objectMappings.find((m) => m.sourceObjectName === "User")!;
    users.attributeMappings = users.attributeMappings.filter((a) => a.targetAttributeName !== "title");
    emu.faults.inject({ method: "PUT", path: "/schema", reset: true });
    emu.faults.inject({ method: "PUT", path: "/schema", reset: true, afterApply: true });
    emu.clearRequests();
    await api.putJobSchema(s, app.servicePrincipalId, app.jobId, schema);
    expect(emu.requests.map((r) => `${r.status} ${r.fault ?? ""}`)).toEqual(["0 reset", "0 reset-after-apply", "204 "]);
    const stored = emu.getSchema(app.servicePrincipalId, app.jobId).synchronizationRules[0]!.objectMappings.find((m) => m.sourceObjectName === "User")!;
    expect(stored.attributeMappings.map((a) => a.targetAttributeName)).toEqual(users.attributeMappings.map((a) => a.targetAttributeName));
    expect(s.stats.retries).toBe(2);
  });

  it("never repeats an instantiate, POST job or POST assignment whose answer was lost after it was applied", async () => {
    const s = createGraphSession(graph);
    emu.faults.inject({ method: "POST", path: "/instantiate", reset: true, afterApply: true });
    const created = await api.instantiateApplicationTemplate(s, NON_GALLERY_TEMPLATE_IDS.global, "Lost Answer");
    const named = emu.servicePrincipals().filter((x) => x.displayName === "Lost Answer");
    expect(named).toHaveLength(1);
    expect(created.servicePrincipal.id).toBe(named[0]!.id);
    expect(created.application.id).toBe(named[0]!.applicationId);
    const sp = created.servicePrincipal.id;
    emu.faults.inject({ method: "POST", path: "/jobs", reset: true, afterApply: true });
    const job = await api.createSynchronizationJob(s, sp, "scim");
    expect(emu.servicePrincipals().find((x) => x.id === sp)!.jobIds).toEqual([job.id]);
    const user = emu.seedUser({ displayName: "Lin", userPrincipalName: "lin@contoso.test" });
    emu.faults.inject({ method: "POST", path: "/appRoleAssignedTo", status: 503, afterApply: true });
    const a = await api.assignAppRole(s, sp, { principalId: user, appRoleId: NON_GALLERY_APP_ROLES[0]!.id });
    expect(emu.getAssignments(sp).map((x) => x.id)).toEqual([a.id]);
    // Each write went out once: the lost answers were recovered by reading, not by writing again.
    expect(emu.writes().map((r) => `${r.method} ${r.status}`)).toEqual(["POST 0", "POST 0", "POST 503"]);
    expect(s.stats.recovered).toBe(3);
  });

  it("writes again when the lost write was not applied, and once only", async () => {
    const s = createGraphSession(graph);
    emu.faults.inject({ method: "POST", path: "/instantiate", reset: true });
    await api.instantiateApplicationTemplate(s, NON_GALLERY_TEMPLATE_IDS.global, "Reset Before");
    expect(emu.servicePrincipals().filter((x) => x.displayName === "Reset Before")).toHaveLength(1);
    expect(emu.writes().map((r) => r.status)).toEqual([0, 201]);
    expect(s.stats.recovered).toBe(0);
  });

  it("retries 404/403/409 during the replication-lag window only when asked", async () => {
    const app = emu.seedApp({ template: "non-gallery", displayName: "Lag", replicationLagMs: 400 });
    const plain = await rejection(api.getJobSchema(createGraphSession(graph), app.servicePrincipalId, app.jobId, { app: "Lag" }));
    expect(plain.statusCode).toBe(404);
    expect(emu.requests).toHaveLength(1);
    emu.clearRequests();
    const schema = await api.getJobSchema(createGraphSession(graph), app.servicePrincipalId, app.jobId, { app: "Lag", replicationLagMs: 2000 });
    expect(schema.synchronizationRules).toHaveLength(1);
    const statuses = emu.requests.map((r) => r.status);
    expect(statuses.at(-1)).toBe(200);
    expect(new Set(statuses.slice(0, -1))).toEqual(new Set([403, 409, 404].slice(0, Math.min(3, statuses.length - 1))));
  });

  it("stops retrying replication lag after the window with a clear error", async () => {
    const app = emu.seedApp({ template: "non-gallery", displayName: "LongLag", replicationLagMs: 10_000 });
    const e = await rejection(api.getJobSchema(createGraphSession(graph), app.servicePrincipalId, app.jobId, { app: "LongLag", replicationLagMs: 300 }));
    expect(e.message).toMatch(/replication-lag window/);
    expect(e.message).toMatch(/app "LongLag"/);
  });

  it("times out slow responses and retries idempotent calls", async () => {
    const s = createGraphSession({ ...graph, retry: { ...FAST_RETRY, timeoutMs: 150 } });
    emu.faults.inject({ method: "GET", latencyMs: 600 });
    await api.listApplicationTemplates(s);
    expect(s.stats.retries).toBe(1);
    emu.faults.inject({ method: "GET", latencyMs: 600, times: Infinity });
    const e = await rejection(api.listApplicationTemplates(s));
    expect(e.statusCode).toBe(0);
    expect(e.graphCode).toBe("Timeout");
  });
});

describe("errors never contain a token", () => {
  it("redacts the bearer token even when the service echoes it", async () => {
    emu.faults.inject({ method: "GET", status: 400, code: "BadRequest", echoAuthorization: true });
    const e = await rejection(api.listApplicationTemplates(createGraphSession(graph)));
    expect(e.message).toContain("[REDACTED]");
    expect(e.message).not.toContain(emu.token);
    expect(JSON.stringify({ ...e, stack: e.stack })).not.toContain(emu.token);
  });

  it("reports a rejected token as 401 without printing it", async () => {
    const wrong = "wrong-token-value-123456";
    const e = await rejection(api.listApplicationTemplates(createGraphSession({ ...graph, auth: "accessToken" }, { accessToken: wrong })));
    expect(e).toMatchObject({ statusCode: 401, graphCode: "InvalidAuthenticationToken" });
    expect(e.message).not.toContain(wrong);
  });

  it("scrubs credential values sent to validateCredentials from errors", async () => {
    const app = emu.seedApp({ template: "non-gallery", displayName: "Scrub", acceptedSecretToken: "good" });
    emu.faults.inject({ path: "/validateCredentials", status: 400, code: "BadRequest", message: "target said: token very-secret-token is invalid" });
    const e = await rejection(
      api.validateCredentials(createGraphSession(graph), app.servicePrincipalId, app.jobId, [
        { key: "BaseAddress", value: "https://scim.example.test" },
        { key: "SecretToken", value: "very-secret-token" },
      ]),
    );
    expect(e.message).not.toContain("very-secret-token");
    expect(e.message).toMatch(/POST validateCredentials/);
  });
});
