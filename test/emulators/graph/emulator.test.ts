/**
 * The emulator itself, driven with plain fetch (not our client), so its strictness is checked
 * independently of the code it is meant to catch.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  GROUPS_MAPPING,
  NON_GALLERY_APP_ROLES,
  NON_GALLERY_TEMPLATE_IDS,
  SCIM_RULE_ID,
  startGraphEmulator,
  USERS_MAPPING,
  type GraphEmulator,
} from "./index";

let emu: GraphEmulator;

async function call(method: string, path: string, body?: unknown, opts: { token?: string | null; version?: string; contentType?: string } = {}) {
  const headers: Record<string, string> = {};
  const token = opts.token === undefined ? emu.token : opts.token;
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  let payload: string | undefined;
  if (body !== undefined) {
    payload = typeof body === "string" ? body : JSON.stringify(body);
    headers["Content-Type"] = opts.contentType ?? "application/json";
  }
  const res = await fetch(`${emu.url}/${opts.version ?? "v1.0"}${path}`, { method, headers, ...(payload !== undefined ? { body: payload } : {}) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? (JSON.parse(text) as any) : undefined };
}

beforeAll(async () => {
  emu = await startGraphEmulator();
});
afterAll(async () => {
  await emu.close();
});

describe("auth and strictness", () => {
  it("rejects missing and wrong bearer tokens with 401 InvalidAuthenticationToken", async () => {
    const a = await call("GET", "/applicationTemplates", undefined, { token: null });
    expect(a.status).toBe(401);
    expect(a.json.error.code).toBe("InvalidAuthenticationToken");
    const b = await call("GET", "/applicationTemplates", undefined, { token: "nope" });
    expect(b.status).toBe(401);
    expect(b.json.error.innerError["request-id"]).toMatch(/[0-9a-f-]{36}/);
  });

  it("rejects unknown versions, segments, query options, methods and non-JSON bodies", async () => {
    expect((await call("GET", "/applicationTemplates", undefined, { version: "v2.0" })).status).toBe(400);
    expect((await call("GET", "/bogus")).json.error.message).toMatch(/segment 'bogus'/);
    expect((await call("GET", "/applicationTemplates?$expand=x")).status).toBe(400);
    expect((await call("DELETE", "/applicationTemplates")).status).toBe(405);
    const t = NON_GALLERY_TEMPLATE_IDS.global;
    expect((await call("POST", `/applicationTemplates/${t}/instantiate`, "displayName=x", { contentType: "text/plain" })).status).toBe(415);
    expect((await call("POST", `/applicationTemplates/${t}/instantiate`, "{not json")).status).toBe(400);
    expect((await call("POST", `/applicationTemplates/${t}/instantiate`, { displayName: "x", extra: 1 })).json.error.message).toMatch(/Property 'extra'/);
  });

  it("logs every request with status and error code", async () => {
    emu.clearRequests();
    await call("GET", "/applicationTemplates", undefined, { token: "bad" });
    expect(emu.requests).toHaveLength(1);
    expect(emu.requests[0]).toMatchObject({ method: "GET", path: "/applicationTemplates", status: 401, errorCode: "InvalidAuthenticationToken" });
  });
});

describe("application templates and instantiate", () => {
  it("lists the cloud's non-gallery template and the fake gallery seeds, and filters with eq", async () => {
    const all = await call("GET", "/applicationTemplates");
    const names = all.json.value.map((t: any) => t.displayName);
    expect(names).toEqual(expect.arrayContaining(["Custom", "iPass SmartConnect", "Airstack", "SpaceIQ"]));
    expect(all.json.value.map((t: any) => t.id)).toContain(NON_GALLERY_TEMPLATE_IDS.global);
    expect(all.json.value.map((t: any) => t.id)).not.toContain(NON_GALLERY_TEMPLATE_IDS.usgovernment);
    const f = await call("GET", `/applicationTemplates?$filter=${encodeURIComponent("displayName eq 'airstack'")}`);
    expect(f.json.value).toHaveLength(1);
    expect(f.json.value[0].description).toMatch(/FAKE/);
    const bad = await call("GET", `/applicationTemplates?$filter=${encodeURIComponent("startswith(displayName,'a')")}`);
    expect(bad.status).toBe(400);
  });

  it("serves per-cloud non-gallery template ids", async () => {
    for (const cloud of ["usgovernment", "china"] as const) {
      const e = await startGraphEmulator({ cloud });
      try {
        const res = await fetch(`${e.url}/v1.0/applicationTemplates`, { headers: { Authorization: `Bearer ${e.token}` } });
        const ids = ((await res.json()) as any).value.map((t: any) => t.id);
        expect(ids).toContain(NON_GALLERY_TEMPLATE_IDS[cloud]);
        expect(ids).not.toContain(NON_GALLERY_TEMPLATE_IDS.global);
      } finally {
        await e.close();
      }
    }
  });

  it("instantiates with 201 and an SP carrying the non-gallery app roles; lag window answers 404/403/409", async () => {
    emu.faults.replicationLagMs = 300;
    try {
      const res = await call("POST", `/applicationTemplates/${NON_GALLERY_TEMPLATE_IDS.global}/instantiate`, { displayName: "Lagged" });
      expect(res.status).toBe(201);
      const sp = res.json.servicePrincipal;
      expect(sp.appRoles.map((r: any) => [r.displayName, r.id])).toEqual(NON_GALLERY_APP_ROLES.map((r) => [r.displayName, r.id]));
      expect(res.json.application.appId).toBe(sp.appId);
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await call("GET", `/servicePrincipals/${sp.id}/synchronization/templates`)).status);
      expect(statuses).toEqual([404, 403, 409]);
      await new Promise((r) => setTimeout(r, 320));
      const tpl = await call("GET", `/servicePrincipals/${sp.id}/synchronization/templates`);
      expect(tpl.status).toBe(200);
      expect(tpl.json.value.map((t: any) => t.id)).toEqual(["scim", "customappsso"]);
    } finally {
      emu.faults.replicationLagMs = 0;
    }
  });
});

describe("app role assignments", () => {
  it("validates roles and principals", async () => {
    const app = emu.seedApp({ template: "SpaceIQ", displayName: "SpaceIQ test" });
    const user = emu.seedUser({ displayName: "Ada", userPrincipalName: "ada@contoso.test" });
    const sp = (await call("GET", `/servicePrincipals/${app.servicePrincipalId}`)).json;
    const role = sp.appRoles.find((r: any) => r.displayName === "User").id;
    const ok = await call("POST", `/servicePrincipals/${sp.id}/appRoleAssignedTo`, { principalId: user, resourceId: sp.id, appRoleId: role });
    expect(ok.status).toBe(201);
    expect(ok.json).toMatchObject({ principalId: user, principalType: "User", resourceId: sp.id, appRoleId: role });
    const dup = await call("POST", `/servicePrincipals/${sp.id}/appRoleAssignedTo`, { principalId: user, resourceId: sp.id, appRoleId: role });
    expect(dup.status).toBe(400);
    const badRole = await call("POST", `/servicePrincipals/${sp.id}/appRoleAssignedTo`, { principalId: user, resourceId: sp.id, appRoleId: NON_GALLERY_APP_ROLES[0]!.id });
    expect(badRole.json.error.message).toMatch(/not found on application/);
    const badPrincipal = await call("POST", `/servicePrincipals/${sp.id}/appRoleAssignedTo`, { principalId: "11111111-1111-4111-8111-111111111111", resourceId: sp.id, appRoleId: role });
    expect(badPrincipal.status).toBe(404);
    const list = await call("GET", `/servicePrincipals/${sp.id}/appRoleAssignedTo`);
    expect(list.json.value).toHaveLength(1);
  });
});

describe("directory lookups, app deletion, paged assignments", () => {
  it("finds groups and users by eq filter with doubled apostrophes, and rejects a lone one like Graph", async () => {
    const g = emu.seedGroup({ displayName: "O'Brien's Team" });
    const u = emu.seedUser({ displayName: "Ann", userPrincipalName: "ann.o'neil@contoso.test" });
    const groups = await call("GET", `/groups?$filter=${encodeURIComponent("displayName eq 'o''brien''s team'")}&$select=id,displayName`);
    expect(groups.json.value).toEqual([{ id: g, displayName: "O'Brien's Team" }]);
    const users = await call("GET", `/users?$filter=${encodeURIComponent("userPrincipalName eq 'ann.o''neil@contoso.test'")}`);
    expect(users.json.value.map((x: any) => x.id)).toEqual([u]);
    expect((await call("GET", `/groups?$filter=${encodeURIComponent("displayName eq 'O'Brien's Team'")}`)).status).toBe(400);
    expect((await call("GET", `/groups?$filter=${encodeURIComponent("startswith(displayName,'O')")}`)).status).toBe(400);
    expect((await call("GET", `/groups?$select=bogus`)).status).toBe(400);
    expect((await call("GET", `/groups/${g}`)).json.displayName).toBe("O'Brien's Team");
    expect((await call("GET", `/users/${g}`)).status).toBe(404);
    expect((await call("POST", `/groups`, { displayName: "x" })).status).toBe(405);
  });

  it("PATCH renames an application; DELETE removes it with its service principal", async () => {
    const app = emu.seedApp({ template: "non-gallery", displayName: "Doomed" });
    expect((await call("PATCH", `/applications/${app.applicationId}`, { displayName: "Renamed" })).status).toBe(204);
    expect((await call("PATCH", `/applications/${app.applicationId}`, { notes: "x" })).status).toBe(400);
    expect((await call("GET", `/applications/${app.applicationId}`)).json.displayName).toBe("Renamed");
    expect((await call("DELETE", `/applications/${app.applicationId}`)).status).toBe(204);
    expect((await call("GET", `/servicePrincipals/${app.servicePrincipalId}`)).status).toBe(404);
    expect((await call("DELETE", `/applications/${app.applicationId}`)).status).toBe(404);
  });

  it("pages appRoleAssignedTo with @odata.nextLink and deletes one assignment by id", async () => {
    const app = emu.seedApp({ template: "non-gallery", displayName: "Paged" });
    const sp = app.servicePrincipalId;
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const user = emu.seedUser({ displayName: `U${i}`, userPrincipalName: `u${i}@contoso.test` });
      ids.push((await call("POST", `/servicePrincipals/${sp}/appRoleAssignedTo`, { principalId: user, resourceId: sp, appRoleId: NON_GALLERY_APP_ROLES[0]!.id })).json.id);
    }
    const first = await call("GET", `/servicePrincipals/${sp}/appRoleAssignedTo?$top=2`);
    expect(first.json.value).toHaveLength(2);
    const next = new URL(first.json["@odata.nextLink"]);
    const second = await call("GET", `${next.pathname.replace("/v1.0", "")}${next.search}`);
    expect(second.json.value.map((a: any) => a.id)).toEqual([ids[2]]);
    expect(second.json["@odata.nextLink"]).toBeUndefined();
    expect((await call("DELETE", `/servicePrincipals/${sp}/appRoleAssignedTo/${ids[1]}`)).status).toBe(204);
    expect(emu.getAssignments(sp).map((a) => a.id)).toEqual([ids[0], ids[2]]);
  });
});

describe("jobs", () => {
  it("creates (201, disabled, id prefixed by template), lists, gets, starts, pauses, restarts, deletes", async () => {
    const app = emu.seedApp({ template: "non-gallery", displayName: "Jobs", createJob: false });
    const base = `/servicePrincipals/${app.servicePrincipalId}/synchronization/jobs`;
    const created = await call("POST", base, { templateId: "scim" });
    expect(created.status).toBe(201);
    expect(created.json.id).toMatch(/^scim\./);
    expect(created.json.schedule.state).toBe("Disabled");
    expect((await call("POST", base, { templateId: "scim" })).status).toBe(409);
    expect((await call("POST", base, { templateId: "nope" })).status).toBe(400);
    const id = created.json.id;
    expect((await call("GET", base)).json.value).toHaveLength(1);
    expect((await call("POST", `${base}/${id}/start`, { unexpected: true })).status).toBe(400);
    expect((await call("POST", `${base}/${id}/start`)).status).toBe(204);
    expect((await call("GET", `${base}/${id}`)).json.schedule.state).toBe("Active");
    expect((await call("POST", `${base}/${id}/pause`)).status).toBe(204);
    expect((await call("GET", `${base}/${id}`)).json.status.code).toBe("Paused");
    expect((await call("POST", `${base}/${id}/restart`, { criteria: { resetScope: "Watermark, Escrows" } })).status).toBe(204);
    expect((await call("POST", `${base}/${id}/restart`, { criteria: { resetScope: "Everything" } })).status).toBe(400);
    expect((await call("DELETE", `${base}/${id}`)).status).toBe(204);
    expect((await call("GET", `${base}/${id}`)).status).toBe(404);
  });
});

describe("secrets", () => {
  it("masks SecretToken on GET, replaces the collection on PUT, validates values", async () => {
    const app = emu.seedApp({ template: "non-gallery", displayName: "Secrets" });
    const path = `/servicePrincipals/${app.servicePrincipalId}/synchronization/secrets`;
    const put = await call("PUT", path, {
      value: [
        { key: "BaseAddress", value: "https://scim.example.test/scim" },
        { key: "SecretToken", value: "s3cret-token" },
        { key: "SyncNotificationSettings", value: '{"Enabled":false,"DeleteThresholdEnabled":false}' },
        { key: "SyncAll", value: "false" },
      ],
    });
    expect(put.status).toBe(204);
    const got = await call("GET", path);
    expect(got.json.value).toEqual([
      { key: "BaseAddress", value: "https://scim.example.test/scim" },
      { key: "SecretToken", value: "*" },
      { key: "SyncNotificationSettings", value: '{"Enabled":false,"DeleteThresholdEnabled":false}' },
      { key: "SyncAll", value: "false" },
    ]);
    expect(JSON.stringify(got.json)).not.toContain("s3cret-token");
    await call("PUT", path, { value: [{ key: "BaseAddress", value: "https://other.test/scim" }] });
    expect(emu.getSecrets(app.servicePrincipalId)).toEqual([{ key: "BaseAddress", value: "https://other.test/scim" }]);
    const badNotif = await call("PUT", path, { value: [{ key: "SyncNotificationSettings", value: "" }] });
    expect(badNotif.json.error.code).toBe("InvalidNotificationSettings");
    expect((await call("PUT", path, { value: [{ key: "NotAKey", value: "x" }] })).status).toBe(400);
    expect((await call("PUT", path, { value: [{ key: "SyncAll", value: "yes" }] })).status).toBe(400);
    expect((await call("PUT", path, { value: [{ key: "SyncAll", value: true }] })).status).toBe(400);
    expect((await call("PUT", path, { credentials: [] })).status).toBe(400);
  });

  it("validateCredentials accepts the target's token only, and an https tenant URL", async () => {
    const app = emu.seedApp({ template: "non-gallery", displayName: "Validate", acceptedSecretToken: "good" });
    const path = `/servicePrincipals/${app.servicePrincipalId}/synchronization/jobs/${app.jobId}/validateCredentials`;
    const creds = (base: string, token: string) => ({ useSavedCredentials: false, credentials: [{ key: "BaseAddress", value: base }, { key: "SecretToken", value: token }] });
    expect((await call("POST", path, creds("https://scim.example.test", "good"))).status).toBe(204);
    const bad = await call("POST", path, creds("https://scim.example.test", "bad"));
    expect(bad.status).toBe(400);
    expect(bad.json.error.innerError.code).toBe("SystemForCrossDomainIdentityManagementCredentialValidationUnauthorized");
    expect((await call("POST", path, creds("http://scim.example.test", "good"))).json.error.innerError.code).toBe("SystemForCrossDomainIdentityManagementInvalidCredentials");
    const ipass = emu.seedApp({ template: "iPass SmartConnect", displayName: "iPass", acceptedSecretToken: "good" });
    const ipath = `/servicePrincipals/${ipass.servicePrincipalId}/synchronization/jobs/${ipass.jobId}/validateCredentials`;
    expect((await call("POST", ipath, creds("https://openmobile.ipass.com/moservices/scim/v1", "good"))).status).toBe(204);
    expect((await call("POST", ipath, creds("https://elsewhere.test/scim", "good"))).status).toBe(400);
  });
});

describe("schema", () => {
  it("serves the scim template default: 22 user rows, 3 group rows, customappsso target", async () => {
    const app = emu.seedApp({ template: "non-gallery", displayName: "Schema" });
    const s = (await call("GET", `/servicePrincipals/${app.servicePrincipalId}/synchronization/jobs/${app.jobId}/schema`)).json;
    expect(s.directories.map((d: any) => d.name)).toEqual(["Azure Active Directory", "customappsso"]);
    const rule = s.synchronizationRules[0];
    expect(rule.id).toBe(SCIM_RULE_ID);
    const users = rule.objectMappings.find((m: any) => m.name === USERS_MAPPING);
    const groups = rule.objectMappings.find((m: any) => m.name === GROUPS_MAPPING);
    expect(users.attributeMappings).toHaveLength(22);
    expect(groups.attributeMappings).toHaveLength(3);
    expect(users.attributeMappings[0]).toMatchObject({ targetAttributeName: "userName", matchingPriority: 1, source: { name: "userPrincipalName", type: "Attribute" } });
    const target = s.directories[1].objects.find((o: any) => o.name === "User").attributes.map((a: any) => a.name);
    for (const m of users.attributeMappings) expect(target).toContain(m.targetAttributeName);
    expect(target).toEqual(expect.arrayContaining(['emails[type eq "other"].Value', 'roles[primary eq "True"].display', "nickName"]));
  });

  it("PUT validates rule ids, target attributes and mapping shape; PATCH is 404; DELETE restores the default", async () => {
    const app = emu.seedApp({ template: "non-gallery", displayName: "SchemaPut" });
    const path = `/servicePrincipals/${app.servicePrincipalId}/synchronization/jobs/${app.jobId}/schema`;
    const get = async () => (await call("GET", path)).json;
    const original = await get();

    const unknownRule = structuredClone(original);
    unknownRule.synchronizationRules[0].id = "not-a-rule";
    const r1 = await call("PUT", path, unknownRule);
    expect(r1.status).toBe(400);
    expect(r1.json.error).toMatchObject({ code: "BadRequest", innerError: { code: "UnknownSynchronizationRule" } });

    const unknownTarget = structuredClone(original);
    unknownTarget.synchronizationRules[0].objectMappings[0].attributeMappings[2].targetAttributeName = "timezone";
    const r2 = await call("PUT", path, unknownTarget);
    expect(r2.json.error.innerError.code).toBe("UnknownTargetAttribute");

    const malformed = structuredClone(original);
    malformed.synchronizationRules[0].objectMappings[0].attributeMappings[2].flowType = "Sometimes";
    expect((await call("PUT", path, malformed)).json.error.innerError.code).toBe("MalformedAttributeMapping");
    const badFn = structuredClone(original);
    badFn.synchronizationRules[0].objectMappings[0].attributeMappings[1].source.name = "Swich";
    expect((await call("PUT", path, badFn)).json.error.innerError.code).toBe("MalformedAttributeMapping");
    const noMatching = structuredClone(original);
    noMatching.synchronizationRules[0].objectMappings[0].attributeMappings[0].matchingPriority = 0;
    expect((await call("PUT", path, noMatching)).status).toBe(400);
    const droppedRule = structuredClone(original);
    droppedRule.synchronizationRules = [];
    expect((await call("PUT", path, droppedRule)).status).toBe(400);
    expect(await get()).toEqual(original);

    // Custom attribute: accepted when the PUT also defines it on the target object.
    const custom = structuredClone(original);
    custom.directories[1].objects[0].attributes.push({ name: "urn:ietf:params:scim:schemas:extension:acme:2.0:User:badge", type: "String" });
    custom.synchronizationRules[0].objectMappings[0].attributeMappings.push({
      targetAttributeName: "urn:ietf:params:scim:schemas:extension:acme:2.0:User:badge",
      source: { type: "Attribute", name: "employeeId", expression: "[employeeId]", parameters: [] },
    });
    expect((await call("PUT", path, custom)).status).toBe(204);
    expect((await get()).synchronizationRules[0].objectMappings[0].attributeMappings).toHaveLength(23);
    expect(emu.getJob(app.servicePrincipalId, app.jobId).schemaPuts).toBe(1);

    expect((await call("PATCH", path, { synchronizationRules: [] })).status).toBe(404);
    expect((await call("DELETE", path)).status).toBe(204);
    expect(await get()).toEqual(original);
  });
});

describe("provisionOnDemand", () => {
  it("provisions an assigned user, skips an unassigned one, and rate-limits to 5 per 10 s", async () => {
    const e = await startGraphEmulator({ token: emu.token });
    try {
      const app = e.seedApp({ template: "non-gallery", displayName: "POD" });
      const ada = e.seedUser({ displayName: "Ada", userPrincipalName: "ada@contoso.test", mail: "ada@contoso.test" });
      const bob = e.seedUser({ displayName: "Bob", userPrincipalName: "bob@contoso.test" });
      const h = { Authorization: `Bearer ${e.token}`, "Content-Type": "application/json" };
      await fetch(`${e.url}/v1.0/servicePrincipals/${app.servicePrincipalId}/appRoleAssignedTo`, {
        method: "POST",
        headers: h,
        body: JSON.stringify({ principalId: ada, resourceId: app.servicePrincipalId, appRoleId: NON_GALLERY_APP_ROLES[0]!.id }),
      });
      const pod = (objectId: string, ruleId = app.ruleId) =>
        fetch(`${e.url}/v1.0/servicePrincipals/${app.servicePrincipalId}/synchronization/jobs/${app.jobId}/provisionOnDemand`, {
          method: "POST",
          headers: h,
          body: JSON.stringify({ parameters: [{ ruleId, subjects: [{ objectId, objectTypeName: "User" }] }] }),
        });
      const a = (await (await pod(ada)).json()) as any;
      expect(JSON.parse(a.key).result).toBe("Success");
      expect(JSON.parse(a.value).modifiedProperties).toEqual(expect.arrayContaining([{ displayName: "userName", oldValue: null, newValue: "ada@contoso.test" }]));
      const b = (await (await pod(bob)).json()) as any;
      expect(JSON.parse(b.key)).toMatchObject({ result: "Skipped", details: { errorCode: "NotEffectivelyEntitled" } });
      expect((await pod(ada, "nope")).status).toBe(400);
      for (let i = 0; i < 3; i++) expect((await pod(ada)).status).toBe(200);
      const limited = await pod(ada);
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    } finally {
      await e.close();
    }
  });
});

describe("fault injection", () => {
  it("answers injected 429 with Retry-After a set number of times, then normally", async () => {
    const h = emu.faults.inject({ method: "GET", path: "/applicationTemplates", status: 429, retryAfter: 3, times: 2 });
    const a = await call("GET", "/applicationTemplates");
    expect(a.status).toBe(429);
    expect(a.headers.get("retry-after")).toBe("3");
    expect((await call("GET", "/applicationTemplates")).status).toBe(429);
    expect((await call("GET", "/applicationTemplates")).status).toBe(200);
    expect(h.hits).toBe(2);
    expect(h.remaining).toBe(0);
  });

  it("afterApply applies the change and still fails; latency delays", async () => {
    const app = emu.seedApp({ template: "non-gallery", displayName: "AfterApply" });
    const path = `/servicePrincipals/${app.servicePrincipalId}/synchronization/secrets`;
    emu.faults.inject({ method: "PUT", path: "/secrets", status: 504, afterApply: true });
    const r = await call("PUT", path, { value: [{ key: "BaseAddress", value: "https://x.test" }] });
    expect(r.status).toBe(504);
    expect(emu.getSecrets(app.servicePrincipalId)).toEqual([{ key: "BaseAddress", value: "https://x.test" }]);
    emu.faults.latencyMs = 80;
    const t0 = Date.now();
    await call("GET", path);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(75);
    emu.faults.latencyMs = 0;
  });

  it("reset destroys the connection, before or after the change is applied, and logs it", async () => {
    const app = emu.seedApp({ template: "non-gallery", displayName: "Reset" });
    const path = `/servicePrincipals/${app.servicePrincipalId}/synchronization/secrets`;
    emu.faults.inject({ method: "PUT", path: "/secrets", reset: true });
    await expect(call("PUT", path, { value: [{ key: "BaseAddress", value: "https://before.test" }] })).rejects.toThrow();
    expect(emu.getSecrets(app.servicePrincipalId)).toEqual([]);
    emu.faults.inject({ method: "PUT", path: "/secrets", reset: true, afterApply: true });
    await expect(call("PUT", path, { value: [{ key: "BaseAddress", value: "https://after.test" }] })).rejects.toThrow();
    expect(emu.getSecrets(app.servicePrincipalId)).toEqual([{ key: "BaseAddress", value: "https://after.test" }]);
    expect(emu.requests.slice(-2).map((r) => [r.status, r.fault])).toEqual([
      [0, "reset"],
      [0, "reset-after-apply"],
    ]);
    expect((await call("GET", path)).status).toBe(200);
  });

  it("forMs answers every matching request during the window, then stops", async () => {
    // A window wide enough that two loopback calls fit in it on a busy machine.
    const h = emu.faults.inject({ method: "GET", path: "/applicationTemplates", status: 503, forMs: 1_000 });
    expect((await call("GET", "/applicationTemplates")).status).toBe(503);
    expect((await call("GET", "/applicationTemplates")).status).toBe(503);
    await new Promise((r) => setTimeout(r, 1_050));
    expect((await call("GET", "/applicationTemplates")).status).toBe(200);
    expect(h.hits).toBe(2);
  });
});

describe("a target that starts rejecting the token", () => {
  it("fails validateCredentials as Graph does and quarantines the running job with the credential error", async () => {
    const app = emu.seedApp({ template: "non-gallery", displayName: "Rejects", acceptedSecretToken: "old-token" });
    const sp = app.servicePrincipalId;
    expect((await call("PUT", `/servicePrincipals/${sp}/synchronization/secrets`, { value: [{ key: "BaseAddress", value: "https://scim.test" }, { key: "SecretToken", value: "old-token" }] })).status).toBe(204);
    expect((await call("POST", `/servicePrincipals/${sp}/synchronization/jobs/${app.jobId}/start`)).status).toBe(204);
    emu.setAcceptedSecretToken(sp, "new-token", { quarantine: true });
    const v = await call("POST", `/servicePrincipals/${sp}/synchronization/jobs/${app.jobId}/validateCredentials`, { useSavedCredentials: true });
    expect(v.status).toBe(400);
    expect(v.json.error.innerError.code).toBe("SystemForCrossDomainIdentityManagementCredentialValidationUnauthorized");
    const job = (await call("GET", `/servicePrincipals/${sp}/synchronization/jobs/${app.jobId}`)).json;
    expect(job.status.code).toBe("Quarantine");
    expect(job.status.quarantine.reason).toBe("EncounteredQuarantineException");
    expect(job.status.quarantine.error.code).toBe("SystemForCrossDomainIdentityManagementCredentialValidationUnauthorized");
    expect(job.status.lastExecution.state).toBe("Failed");
    // A paused job, or a token that is still the saved one, is not quarantined.
    const paused = emu.seedApp({ template: "non-gallery", displayName: "Paused" });
    emu.setAcceptedSecretToken(paused.servicePrincipalId, "x", { quarantine: true });
    expect(emu.getJob(paused.servicePrincipalId, paused.jobId).status.quarantine).toBeNull();
    const fresh = await call("POST", `/servicePrincipals/${sp}/synchronization/jobs/${app.jobId}/validateCredentials`, { useSavedCredentials: false, credentials: [{ key: "BaseAddress", value: "https://scim.test" }, { key: "SecretToken", value: "new-token" }] });
    expect(fresh.status).toBe(204);
  });
});

describe("restart and quarantine", () => {
  /** A running job quarantined because the target now accepts only "new-token"; the saved token is "old-token". */
  async function quarantined(name: string) {
    const app = emu.seedApp({ template: "non-gallery", displayName: name, acceptedSecretToken: "old-token" });
    const sp = app.servicePrincipalId;
    const jobPath = `/servicePrincipals/${sp}/synchronization/jobs/${app.jobId}`;
    const saveToken = async (token: string) =>
      expect((await call("PUT", `/servicePrincipals/${sp}/synchronization/secrets`, { value: [{ key: "BaseAddress", value: "https://scim.test" }, { key: "SecretToken", value: token }] })).status).toBe(204);
    await saveToken("old-token");
    expect((await call("POST", `${jobPath}/start`)).status).toBe(204);
    emu.setAcceptedSecretToken(sp, "new-token", { quarantine: true });
    const status = async () => (await call("GET", jobPath)).json.status;
    expect((await status()).code).toBe("Quarantine");
    return { app, jobPath, saveToken, status };
  }

  it("QuarantineState lifts the quarantine once the saved credentials work: the job runs again (Active)", async () => {
    const { app, jobPath, saveToken, status } = await quarantined("Restart lifts");
    // Saving the accepted token does not by itself take the job out of quarantine.
    await saveToken("new-token");
    expect((await status()).code).toBe("Quarantine");
    expect((await call("POST", `${jobPath}/restart`, { criteria: { resetScope: "QuarantineState" } })).status).toBe(204);
    const after = await status();
    expect(after.code).toBe("Active");
    expect(after.quarantine).toBeNull();
    expect(emu.getJob(app.servicePrincipalId, app.jobId).schedule.state).toBe("Active");
    // QuarantineState keeps the watermark: not a full cycle.
    expect(emu.getJob(app.servicePrincipalId, app.jobId).fullCycleRestarts).toBe(0);
  });

  it("the lift is temporary: with credentials the target still refuses, the job runs and is quarantined again", async () => {
    const { jobPath, status } = await quarantined("Restart relapses");
    const before = await status();
    await new Promise((r) => setTimeout(r, 5));
    expect((await call("POST", `${jobPath}/restart`, { criteria: { resetScope: "QuarantineState" } })).status).toBe(204);
    const after = await status();
    expect(after.code).toBe("Quarantine");
    expect(after.quarantine.reason).toBe("EncounteredQuarantineException");
    expect(after.quarantine.error.code).toBe("SystemForCrossDomainIdentityManagementCredentialValidationUnauthorized");
    // A new series: it began when the lifted quarantine was imposed again.
    expect(after.quarantine.seriesBegan > before.quarantine.seriesBegan).toBe(true);
  });

  it("Watermark or Escrows alone leave the quarantine; Full and the empty scope (portal Restart provisioning) lift it with a full cycle", async () => {
    const { app, jobPath, saveToken, status } = await quarantined("Restart scopes");
    await saveToken("new-token");
    expect((await call("POST", `${jobPath}/restart`, { criteria: { resetScope: "Watermark, Escrows" } })).status).toBe(204);
    expect((await status()).code).toBe("Quarantine");
    expect(emu.getJob(app.servicePrincipalId, app.jobId).fullCycleRestarts).toBe(1);
    expect((await call("POST", `${jobPath}/restart`, { criteria: {} })).status).toBe(204);
    expect((await status()).quarantine).toBeNull();
    expect(emu.getJob(app.servicePrincipalId, app.jobId).fullCycleRestarts).toBe(2);
    emu.setAcceptedSecretToken(app.servicePrincipalId, "newer-token", { quarantine: true });
    expect((await status()).code).toBe("Quarantine");
    await saveToken("newer-token");
    expect((await call("POST", `${jobPath}/restart`, { criteria: { resetScope: "Full" } })).status).toBe(204);
    expect((await status()).code).toBe("Active");
  });

  it("start clears a quarantine too (synchronization-synchronizationjob-start.md), with the same re-check", async () => {
    const { jobPath, saveToken, status } = await quarantined("Start lifts");
    expect((await call("POST", `${jobPath}/start`)).status).toBe(204);
    expect((await status()).code).toBe("Quarantine");
    await saveToken("new-token");
    expect((await call("POST", `${jobPath}/start`)).status).toBe(204);
    expect((await status()).code).toBe("Active");
    expect((await status()).quarantine).toBeNull();
  });
});

describe("applications list", () => {
  it("filters by appId with eq and carries createdDateTime", async () => {
    const app = emu.seedApp({ template: "non-gallery", displayName: "Listed" });
    const r = await call("GET", `/applications?$filter=${encodeURIComponent(`appId eq '${app.appId}'`)}`);
    expect(r.status).toBe(200);
    expect(r.json.value.map((a: { id: string }) => a.id)).toEqual([app.applicationId]);
    expect(r.json.value[0].createdDateTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect((await call("GET", `/applications?$filter=${encodeURIComponent("startswith(appId,'x')")}`)).status).toBe(400);
    expect((await call("POST", "/applications", { displayName: "x" })).status).toBe(405);
  });
});
