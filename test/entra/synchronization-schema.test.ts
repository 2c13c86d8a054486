/**
 * The SynchronizationSchema provider methods against the emulator over real HTTP with the real
 * Graph client: create, no-op, one changed mapping, portal drift, delete, every injected fault.
 */
import { describe, expect, it } from "vitest";
import type { GraphConnection } from "../../src/entra/graph";
import type { ObjectMapping, SynchronizationSchema } from "../../src/graph/wire";
import { objectMappingDifferences } from "../../src/entra/schema-merge";
import {
  synchronizationSchemaProvider as provider,
  type SynchronizationSchemaInputs,
  type SynchronizationSchemaOutputs,
} from "../../src/entra/synchronization-schema";
import { ENTRA_PROVIDER_VERSION } from "../../src/entra/version";
import { GROUPS_MAPPING, SCIM_RULE_ID, USERS_MAPPING, type GraphEmulator, type SeededApp } from "../emulators/graph/index";
import { attr, declaredGroups, declaredUsers, FAST_RETRY, useEmulator, withRow } from "./support";

let emu: GraphEmulator;
let graph: GraphConnection;
useEmulator((s) => ({ emu, graph } = s));

function seed(name = "Contoso SCIM", extra: Partial<Parameters<GraphEmulator["seedApp"]>[0]> = {}): SeededApp {
  return emu.seedApp({ template: "non-gallery", displayName: name, ...extra });
}

function inputs(app: SeededApp, objectMappings: ObjectMapping[], extra: Partial<SynchronizationSchemaInputs> = {}): SynchronizationSchemaInputs {
  return { graph, servicePrincipalId: app.servicePrincipalId, jobId: app.jobId, appName: "Contoso SCIM", objectMappings, providerVersion: ENTRA_PROVIDER_VERSION, ...extra };
}

const titleFromDepartment = () => withRow(declaredUsers(), "title", (r) => ({ ...r, source: attr("department") }));
const schemaPath = (app: SeededApp) => `/servicePrincipals/${app.servicePrincipalId}/synchronization/jobs/${app.jobId}/schema`;

/** The stored mapping equals the declaration exactly (no half-written state). */
function expectStored(app: SeededApp, declared: ObjectMapping[]): void {
  const rule = emu.getSchema(app.servicePrincipalId, app.jobId).synchronizationRules[0]!;
  for (const d of declared) {
    const live = rule.objectMappings.find((m) => m.name === d.name);
    expect(live, d.name).toBeDefined();
    expect(objectMappingDifferences(d, live!)).toEqual([]);
    expect(objectMappingDifferences({ ...live!, metadata: null }, d)).toEqual([]);
  }
}

async function created(app: SeededApp, mappings: ObjectMapping[], extra: Partial<SynchronizationSchemaInputs> = {}): Promise<SynchronizationSchemaOutputs> {
  const res = await provider.create(inputs(app, mappings, extra));
  return res.outs;
}

describe("create", () => {
  it("writes nothing when the declaration already matches the template default", async () => {
    const app = seed();
    emu.clearRequests();
    const res = await provider.create(inputs(app, [declaredUsers(), declaredGroups()]));
    expect(res.id).toBe(`${app.servicePrincipalId}/${app.jobId}/schema`);
    expect(res.outs.effectiveRuleId).toBe(SCIM_RULE_ID);
    expect(emu.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([`GET ${schemaPath(app)} 200`]);
    expect(emu.getJob(app.servicePrincipalId, app.jobId).fullCycleRestarts).toBe(0);
  });

  it("PUTs exactly once when a mapping differs, keeping the other mapping and the directories", async () => {
    const app = seed();
    const before = emu.getSchema(app.servicePrincipalId, app.jobId);
    emu.clearRequests();
    await provider.create(inputs(app, [titleFromDepartment()]));
    expect(emu.requests.map((r) => `${r.method} ${r.status}`)).toEqual(["GET 200", "PUT 204"]);
    const after = emu.getSchema(app.servicePrincipalId, app.jobId);
    expect(after.directories).toEqual(before.directories);
    expect(after.synchronizationRules[0]!.objectMappings[1]).toEqual(before.synchronizationRules[0]!.objectMappings[1]);
    expectStored(app, [titleFromDepartment()]);
    expect(emu.getJob(app.servicePrincipalId, app.jobId).schemaPuts).toBe(1);
  });

  it("adds custom target attributes in the same single PUT", async () => {
    const app = seed();
    const badge = "urn:ietf:params:scim:schemas:extension:acme:2.0:User:badge";
    const users = declaredUsers();
    users.attributeMappings.push({ targetAttributeName: badge, source: attr("employeeId") });
    emu.clearRequests();
    await provider.create(inputs(app, [users], { customTargetAttributes: { User: [{ name: badge, type: "String" }] } }));
    expect(emu.writes()).toHaveLength(1);
    expectStored(app, [users]);
  });

  it("surfaces Graph's rejection of an unknown target attribute with app, call and code, leaving the schema intact", async () => {
    const app = seed();
    const before = emu.getSchema(app.servicePrincipalId, app.jobId);
    const users = withRow(declaredUsers(), "title", (r) => ({ ...r, targetAttributeName: "timezone" }));
    await expect(provider.create(inputs(app, [users]))).rejects.toThrow(
      /app "Contoso SCIM": Graph call "PUT schema" .* HTTP 400, code BadRequest\/UnknownTargetAttribute: .*'timezone'/,
    );
    expect(emu.getSchema(app.servicePrincipalId, app.jobId)).toEqual(before);
  });

  it("explains a rule it cannot pick", async () => {
    const app = seed();
    await expect(provider.create(inputs(app, [declaredUsers()], { ruleId: "nope" }))).rejects.toThrow(/app "Contoso SCIM": cannot merge .*"nope" is not in the job schema/);
    expect(emu.writes().filter((w) => w.path === schemaPath(app))).toHaveLength(0);
  });
});

describe("no-op and one change (write economy)", () => {
  it("diff finds no change for an equivalent re-spelling and calls nothing; update writes nothing", async () => {
    const app = seed();
    const outs = await created(app, [titleFromDepartment(), declaredGroups()]);
    emu.clearRequests();
    const respelled = titleFromDepartment();
    respelled.flowTypes = "Delete,Add,Update";
    respelled.attributeMappings.reverse();
    const { inputs: checked, failures } = await provider.check(outs, { ...inputs(app, [declaredGroups(), respelled]) } as never);
    expect(failures).toEqual([]);
    const d = await provider.diff(outs.servicePrincipalId, outs, checked);
    expect(d).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
    expect(emu.requests).toHaveLength(0);
    await provider.update("id", outs, checked);
    expect(emu.writes()).toHaveLength(0);
    expect(emu.requests).toHaveLength(1);
  });

  it("one changed mapping of one app makes exactly one PUT for that job and nothing else", async () => {
    const a = seed("App A");
    const b = seed("App B");
    const outsA = await created(a, [declaredUsers(), declaredGroups()]);
    const outsB = await created(b, [declaredUsers(), declaredGroups()]);
    emu.clearRequests();
    const groupsNoDelete = { ...declaredGroups(), flowTypes: "Add, Update" };
    const newsA = inputs(a, [declaredUsers(), groupsNoDelete]);
    const newsB = inputs(b, [declaredUsers(), declaredGroups()]);
    const dA = await provider.diff("a", outsA, newsA);
    const dB = await provider.diff("b", outsB, newsB);
    expect([dA.changes, dB.changes]).toEqual([true, false]);
    await provider.update("a", outsA, newsA);
    expect(emu.writes().map((w) => `${w.method} ${w.path}`)).toEqual([`PUT ${schemaPath(a)}`]);
    expectStored(a, [declaredUsers(), groupsNoDelete]);
    expect(emu.getSchema(b.servicePrincipalId, b.jobId).synchronizationRules[0]!.objectMappings[1]!.flowTypes).toBe("Add, Update, Delete");
  });

  it("a providerVersion bump runs update, which writes nothing when Graph already matches", async () => {
    const app = seed();
    const outs = await created(app, [titleFromDepartment()]);
    const news = inputs(app, [titleFromDepartment()], { providerVersion: "next" });
    expect((await provider.diff("x", outs, news)).changes).toBe(true);
    emu.clearRequests();
    const upd = await provider.update("x", outs, news);
    expect(emu.writes()).toHaveLength(0);
    expect(upd.outs.providerVersion).toBe("next");
  });

  it("replaces on a new service principal or job, and treats preview unknowns as changes", async () => {
    const app = seed();
    const outs = await created(app, [declaredUsers()]);
    expect((await provider.diff("x", outs, { ...inputs(app, [declaredUsers()]), servicePrincipalId: "other" })).replaces).toEqual(["servicePrincipalId"]);
    expect((await provider.diff("x", outs, { ...inputs(app, [declaredUsers()]), jobId: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" })).replaces).toEqual(["jobId"]);
    const unknownMappings = { ...inputs(app, [declaredUsers()]), objectMappings: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" as never };
    expect((await provider.diff("x", outs, unknownMappings)).changes).toBe(true);
    expect((await provider.check(outs, unknownMappings as never)).failures).toEqual([]);
  });
});

describe("check", () => {
  it("fills the provider version and reports malformed inputs before any Graph call", async () => {
    emu.clearRequests();
    const ok = await provider.check({}, { graph, servicePrincipalId: "sp", jobId: "job", objectMappings: [declaredUsers()] });
    expect(ok.failures).toEqual([]);
    expect((ok.inputs as SynchronizationSchemaInputs).providerVersion).toBe(ENTRA_PROVIDER_VERSION);
    const bad = await provider.check({}, { graph: { baseUrl: "http://graph.contoso.test" }, servicePrincipalId: "", jobId: "job", objectMappings: [{ ...declaredUsers(), flowTypes: "Sometimes" }] });
    expect(bad.failures.map((f) => f.property)).toEqual(["servicePrincipalId", "graph", "objectMappings[0].flowTypes"]);
    expect(emu.requests).toHaveLength(0);
  });
});

describe("refresh (read) and drift", () => {
  it("returns the recorded state unchanged when there is no drift", async () => {
    const app = seed();
    const outs = await created(app, [titleFromDepartment(), declaredGroups()]);
    emu.clearRequests();
    const r = await provider.read(outs.servicePrincipalId, outs);
    expect(r.props).toEqual(outs);
    expect(emu.requests.map((x) => x.method)).toEqual(["GET"]);
  });

  it("shows a portal edit mapping by mapping, and the next apply repairs it with one PUT", async () => {
    const app = seed();
    const declared = [titleFromDepartment(), declaredGroups()];
    const outs = await created(app, declared);
    emu.editSchema(app.servicePrincipalId, app.jobId, (s: SynchronizationSchema) => {
      const groups = s.synchronizationRules[0]!.objectMappings.find((m) => m.name === GROUPS_MAPPING)!;
      groups.enabled = false;
      groups.attributeMappings = groups.attributeMappings.filter((m) => m.targetAttributeName !== "externalId");
    });
    const r = await provider.read(outs.servicePrincipalId, outs);
    const props = r.props as SynchronizationSchemaOutputs;
    expect(props.objectMappings[0]).toEqual(outs.objectMappings[0]);
    expect(props.objectMappings[1]).toMatchObject({ name: GROUPS_MAPPING, enabled: false });
    expect(props.objectMappings[1]!.attributeMappings.map((m) => m.targetAttributeName)).toEqual(["displayName", "members"]);
    const d = await provider.diff("x", props, inputs(app, declared));
    expect(d.changes).toBe(true);
    emu.clearRequests();
    await provider.update("x", props, inputs(app, declared));
    expect(emu.writes().map((w) => w.method)).toEqual(["PUT"]);
    expectStored(app, declared);
  });

  it("drops a mapping deleted in the portal from the state, and re-adds it on apply", async () => {
    const app = seed();
    const declared = [declaredUsers(), { ...declaredGroups(), flowTypes: "Add, Update" }];
    const outs = await created(app, declared);
    emu.editSchema(app.servicePrincipalId, app.jobId, (s: SynchronizationSchema) => {
      s.synchronizationRules[0]!.objectMappings = s.synchronizationRules[0]!.objectMappings.filter((m) => m.name !== GROUPS_MAPPING);
    });
    const props = (await provider.read("x", outs)).props as SynchronizationSchemaOutputs;
    expect(props.objectMappings.map((m) => m.name)).toEqual([USERS_MAPPING]);
    expect((await provider.diff("x", props, inputs(app, declared))).changes).toBe(true);
    await provider.update("x", props, inputs(app, declared));
    expectStored(app, declared);
  });

  it("reports the resource gone when the job no longer exists", async () => {
    const app = seed();
    const outs = await created(app, [declaredUsers()]);
    await fetch(`${emu.url}/v1.0/servicePrincipals/${app.servicePrincipalId}/synchronization/jobs/${app.jobId}`, { method: "DELETE", headers: { Authorization: `Bearer ${emu.token}` } });
    expect((await provider.read("x", outs)).id).toBe("");
  });
});

describe("delete", () => {
  it("leaves Entra alone unless deletion is allowed, then restores the template default", async () => {
    const app = seed();
    const outs = await created(app, [titleFromDepartment()]);
    emu.clearRequests();
    await provider.delete("x", outs);
    expect(emu.requests).toHaveLength(0);
    await provider.delete("x", { ...outs, allowDelete: true });
    expect(emu.requests.map((r) => `${r.method} ${r.status}`)).toEqual(["DELETE 204"]);
    expect(emu.getSchema(app.servicePrincipalId, app.jobId)).toEqual(emu.getTemplateSchema(app.servicePrincipalId, app.jobId));
  });
});

describe("injected faults converge or fail clearly, never half-written", () => {
  async function changeOnce(app: SeededApp) {
    const outs = await created(app, [declaredUsers(), declaredGroups()]);
    const news = inputs(app, [titleFromDepartment(), declaredGroups()]);
    return { outs, news };
  }

  it("429 with Retry-After on GET: waits and converges with one PUT", async () => {
    const app = seed();
    const { outs, news } = await changeOnce(app);
    emu.clearRequests();
    emu.faults.inject({ method: "GET", path: "/schema", status: 429, retryAfter: 1 });
    await provider.update("x", outs, news);
    expect(emu.requests.map((r) => `${r.method} ${r.status}`)).toEqual(["GET 429", "GET 200", "PUT 204"]);
    expect(emu.requests[1]!.startedAt - emu.requests[0]!.endedAt).toBeGreaterThanOrEqual(950);
    expectStored(app, news.objectMappings);
  });

  it("503 twice on PUT: backs off and converges", async () => {
    const app = seed();
    const { outs, news } = await changeOnce(app);
    emu.clearRequests();
    emu.faults.inject({ method: "PUT", path: "/schema", status: 503, times: 2 });
    await provider.update("x", outs, news);
    expect(emu.requests.map((r) => `${r.method} ${r.status}`)).toEqual(["GET 200", "PUT 503", "PUT 503", "PUT 204"]);
    expect(emu.getJob(app.servicePrincipalId, app.jobId).schemaPuts).toBe(1);
    expectStored(app, news.objectMappings);
  });

  it("504 after the service applied the PUT: the idempotent retry converges on the same document", async () => {
    const app = seed();
    const { outs, news } = await changeOnce(app);
    emu.faults.inject({ method: "PUT", path: "/schema", status: 504, afterApply: true });
    await provider.update("x", outs, news);
    expectStored(app, news.objectMappings);
    emu.clearRequests();
    await provider.update("x", outs, news);
    expect(emu.writes()).toHaveLength(0);
  });

  it("a PUT that times out on the client (and lands late on the server) converges on the same document", async () => {
    const app = seed();
    const { outs, news } = await changeOnce(app);
    emu.faults.inject({ method: "PUT", path: "/schema", latencyMs: 400 });
    emu.clearRequests();
    await provider.update("x", outs, { ...news, graph: { ...graph, retry: { ...FAST_RETRY, timeoutMs: 150 } } });
    await new Promise((r) => setTimeout(r, 450));
    expect(emu.requests.filter((r) => r.method === "PUT")).toHaveLength(2);
    expectStored(app, news.objectMappings);
  });

  it("500 on PUT: fails naming app, call and code; the stored schema is untouched", async () => {
    const app = seed();
    const { outs, news } = await changeOnce(app);
    const before = emu.getSchema(app.servicePrincipalId, app.jobId);
    emu.faults.inject({ method: "PUT", path: "/schema", status: 500, code: "InternalServerError", message: "boom" });
    await expect(provider.update("x", outs, news)).rejects.toThrow(/app "Contoso SCIM": Graph call "PUT schema" \(PUT \/servicePrincipals\/.*\/schema\) failed: HTTP 500, code InternalServerError: boom/);
    expect(emu.getSchema(app.servicePrincipalId, app.jobId)).toEqual(before);
  });

  it("persistent 503 on GET: gives up without writing", async () => {
    const app = seed();
    const { outs, news } = await changeOnce(app);
    emu.clearRequests();
    emu.faults.inject({ method: "GET", path: "/schema", status: 503, times: Infinity });
    await expect(provider.update("x", outs, news)).rejects.toThrow(/gave up after 5 attempts/);
    expect(emu.writes()).toHaveLength(0);
  });

  it("latency: converges, one GET and one PUT", async () => {
    const app = seed();
    const { outs, news } = await changeOnce(app);
    emu.faults.latencyMs = 60;
    emu.clearRequests();
    await provider.update("x", outs, news);
    expect(emu.requests.map((r) => r.method)).toEqual(["GET", "PUT"]);
    expect(emu.requests[0]!.endedAt - emu.requests[0]!.startedAt).toBeGreaterThanOrEqual(55);
  });

  it("replication lag right after app creation: create retries 404/403/409 and converges", async () => {
    const app = seed("Fresh", { replicationLagMs: 500 });
    emu.clearRequests();
    await provider.create(inputs(app, [titleFromDepartment()]));
    const statuses = emu.requests.map((r) => r.status);
    expect(statuses.filter((s) => s === 404 || s === 403 || s === 409).length).toBeGreaterThan(0);
    expect(statuses.slice(-2)).toEqual([200, 204]);
    expectStored(app, [titleFromDepartment()]);
  });

  it("replication lag beyond the bound: create fails clearly without writing", async () => {
    const app = seed("Stuck", { replicationLagMs: 60_000 });
    emu.clearRequests();
    await expect(provider.create(inputs(app, [titleFromDepartment()], { graph: { ...graph, retry: { ...FAST_RETRY, replicationLagSeconds: 0.4 } } }))).rejects.toThrow(
      /app "Contoso SCIM": Graph call "GET schema" .*replication-lag window/,
    );
    expect(emu.writes()).toHaveLength(0);
  });

  it("a wrong bearer token fails clearly and does not print it", async () => {
    const app = seed();
    const saved = process.env.SCIMOPS_GRAPH_ACCESS_TOKEN;
    process.env.SCIMOPS_GRAPH_ACCESS_TOKEN = "not-the-right-token-123";
    try {
      const err = await provider.create(inputs(app, [declaredUsers()])).catch((e: Error) => e);
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toMatch(/HTTP 401, code InvalidAuthenticationToken/);
      expect((err as Error).message).not.toContain("not-the-right-token-123");
    } finally {
      process.env.SCIMOPS_GRAPH_ACCESS_TOKEN = saved;
    }
  });
});
