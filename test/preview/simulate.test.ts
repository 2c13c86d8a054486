import { afterAll, afterEach, describe, expect, it } from "vitest";
import { ALL_STEPS, blockingViolations, PATCH_OP_SCHEMA, resolveAllowedDomains, simulateUser, withChanges, type AppPreviewer, type SimulateStep } from "../../src/preview";
import { simulateCommand } from "../../src/cli/simulate";
import { startScimServer, type ScimServer } from "../emulators/scim";
import { APPS, capture, previewer, sampleUsers, user } from "./helpers";

const TOKEN = "tok-" + "9f8e7d6c5b4a3210".repeat(3);
const servers: ScimServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function serverFor(p: AppPreviewer, dialect: "legacy" | "scim" = p.dialect === "legacy" ? "legacy" : "scim"): Promise<ScimServer> {
  const { domains } = resolveAllowedDomains(p.plan.target, { ipassRegisteredDomains: "contoso.example" });
  const s = await startScimServer({ token: TOKEN, rules: p.plan.target, appName: p.displayName, allowedDomains: domains, dialect });
  servers.push(s);
  return s;
}

const withoutServerFields = ({ id: _id, meta: _meta, ...rest }: Record<string, unknown>) => rest;
const withoutMeta = ({ meta: _meta, ...rest }: Record<string, unknown>) => rest;

async function simulateAll(p: AppPreviewer, server: ScimServer, steps: readonly SimulateStep[] = ALL_STEPS) {
  const outcomes = [];
  for (const u of sampleUsers()) outcomes.push(await simulateUser(p, u, { baseUrl: server.url, token: TOKEN, steps }));
  return outcomes;
}

describe("the SCIM emulator is scimmy behind a bearer token", () => {
  let server: ScimServer;
  afterEach(async () => server && (await server.close()));
  async function json(method: string, path: string, body?: unknown, token = TOKEN) {
    const r = await fetch(server.url + path, { method, headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/scim+json" }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.text();
    return { status: r.status, body: text ? (JSON.parse(text) as Record<string, any>) : undefined, type: r.headers.get("content-type") };
  }

  it("401 with a SCIM error when the token is wrong or missing; ListResponse filtering otherwise", async () => {
    server = await startScimServer({ token: TOKEN });
    const denied = await json("GET", "/Users", undefined, "wrong");
    expect(denied.status).toBe(401);
    expect(denied.body).toMatchObject({ schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"], status: "401" });
    const created = await json("POST", "/Users", { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "bjensen", active: true });
    expect(created.status).toBe(201);
    expect(created.type).toContain("application/scim+json");
    const found = await json("GET", `/Users?filter=${encodeURIComponent('userName eq "bjensen"')}`);
    expect(found.body).toMatchObject({ schemas: ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], totalResults: 1 });
    expect(found.body!.Resources[0].id).toBe(created.body!.id);
    const none = await json("GET", `/Users?filter=${encodeURIComponent('userName eq "nobody"')}`);
    expect(none.body).toMatchObject({ totalResults: 0, Resources: [] });
    expect((await json("POST", "/Users", { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "BJensen" })).body).toMatchObject({ status: "409", scimType: "uniqueness" });
    expect((await json("POST", "/Users", { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], displayName: "no user name" })).status).toBe(400);
    expect(server.requests[0]).toMatchObject({ method: "GET", status: 401, authorized: false });
    expect((await json("GET", "/Users/does-not-exist")).status).toBe(404);
  });

  it("legacy mode accepts Entra's capitalised ops and \"False\" strings; scim mode rejects them", async () => {
    for (const dialect of ["legacy", "scim"] as const) {
      server = await startScimServer({ token: TOKEN, dialect });
      const { body } = await json("POST", "/Users", { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "bjensen", active: true });
      const legacy = await json("PATCH", `/Users/${body!.id}`, { schemas: [PATCH_OP_SCHEMA], Operations: [{ op: "Replace", path: "active", value: "False" }] });
      const strict = await json("PATCH", `/Users/${body!.id}`, { schemas: [PATCH_OP_SCHEMA], Operations: [{ op: "replace", path: "active", value: "True" }] });
      if (dialect === "legacy") {
        expect(legacy.status).toBe(200);
        expect(legacy.body!.active).toBe(false);
        expect(strict.status).toBe(200);
        expect(strict.body!.active).toBe(true);
      } else {
        expect(legacy.body).toMatchObject({ status: "400", scimType: "invalidSyntax" });
        expect(strict.body).toMatchObject({ status: "400", scimType: "invalidValue" });
        const ok = await json("PATCH", `/Users/${body!.id}`, { schemas: [PATCH_OP_SCHEMA], Operations: [{ op: "replace", value: { "name.givenName": "Barbara", displayName: "Babs" } }] });
        expect(ok.status).toBe(200);
        expect(ok.body).toMatchObject({ name: { givenName: "Barbara" }, displayName: "Babs" });
      }
      await server.close();
    }
    server = undefined as never;
  });

  it("enforces one app's rules with SCIM errors (JumpCloud) and soft-deletes on DELETE (IronWifi)", async () => {
    const jc = previewer("jumpcloud");
    server = await startScimServer({ token: TOKEN, rules: jc.plan.target, appName: "JumpCloud", dialect: "scim" });
    const email = await json("POST", "/Users", { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "a@contoso.example", emails: [{ type: "work", value: "a@contoso.example" }] });
    expect(email).toMatchObject({ status: 400, body: { scimType: "invalidValue", detail: "JumpCloud: userName may not be an email address" } });
    const manager = await json("POST", "/Users", {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
      userName: "a.b",
      emails: [{ type: "work", value: "a@contoso.example" }],
      "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": { manager: { value: "x" } },
    });
    expect(manager.body).toMatchObject({ status: "400", detail: "JumpCloud: attribute urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager is not supported" });
    await server.close();
    const iw = previewer("ironwifi");
    server = await startScimServer({ token: TOKEN, rules: iw.plan.target, appName: "IronWifi" });
    const { body } = await json("POST", "/Users", { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "a@contoso.example", name: { givenName: "A", familyName: "B" }, active: true });
    expect((await json("DELETE", `/Users/${body!.id}`)).status).toBe(204);
    expect(server.users()).toMatchObject([{ userName: "a@contoso.example", active: false }]);
  });
});

describe("simulate agrees with the preview", () => {
  for (const app of APPS) {
    it(`${app}: stored users equal the preview's bodies; rejected users are exactly the flagged ones`, async () => {
      const p = previewer(app);
      const server = await serverFor(p);
      const outcomes = await simulateAll(p, server, ["match", "create"]);
      const previews = sampleUsers().map((u) => p.preview(u));
      const flagged = previews.filter((r) => r.inScope && blockingViolations(r).length).map((r) => r.userPrincipalName).sort();
      const notCreated = outcomes.filter((o) => o.inScope && o.result !== "created").map((o) => o.user).sort();
      expect(notCreated).toEqual(flagged);
      expect(outcomes.every((o) => o.agrees)).toBe(true);
      // Users Entra does not send (no matching value) never reach the server; the others are rejected by it.
      for (const o of outcomes.filter((x) => x.result === "rejected")) expect(o.steps.at(-1)).toMatchObject({ step: "create", status: 400 });
      const stored = new Map(server.users().map((u) => [u.userName as string, withoutServerFields(u)]));
      const created = previews.filter((r) => r.inScope && !blockingViolations(r).length);
      expect(stored.size).toBe(created.length);
      for (const r of created) expect(stored.get(r.body!.userName as string), r.userPrincipalName).toEqual(withoutMeta(r.body!));
      // What went over the wire is what the preview shows.
      const posts = server.requests.filter((q) => q.method === "POST");
      expect(posts.map((q) => q.body)).toEqual(previews.filter((r) => r.inScope && r.matchQuery && r.body).map((r) => r.body));
      expect(server.requests.every((q) => q.authorized)).toBe(true);
      const gets = server.requests.filter((q) => q.method === "GET").map((q) => decodeURIComponent(q.path.replace(/^.*\?filter=/, "")));
      // Users Entra does not query (disabled, unqueryable value) are skipped; the others' queries in precedence order.
      const queried = previews.filter((r) => r.matchQuery && !r.violations.some((v) => ["disabled-not-provisioned", "matching-value-characters"].includes(v.rule)));
      expect(gets).toEqual(queried.flatMap((r) => r.matchQueries.slice(0, 1).map((q) => (q.query as { filter: string }).filter)));
    });
  }

  for (const app of ["jumpcloud", "ipass-smartconnect", "ironwifi"]) {
    it(`${app}: after update and deactivation each stored user equals the preview of the changed, disabled user`, async () => {
      const p = previewer(app);
      const server = await serverFor(p);
      const outcomes = await simulateAll(p, server);
      expect(outcomes.filter((o) => !o.agrees)).toEqual([]);
      const stored = new Map(server.users().map((u) => [u.id as string, withoutServerFields(u)]));
      let checked = 0;
      for (const u of sampleUsers()) {
        const o = outcomes.find((x) => x.user === u.userPrincipalName)!;
        if (o.result !== "created") continue;
        const final = withChanges(withChanges(u, p.changeFor(u)), { accountEnabled: false });
        expect(stored.get(o.id!), u.userPrincipalName).toEqual(withoutMeta(p.bodyOf(p.evaluate(final))));
        expect(stored.get(o.id!)!.active).toBe(false);
        checked++;
      }
      expect(checked).toBe(outcomes.filter((o) => o.result === "created").length);
      expect(checked).toBeGreaterThanOrEqual(7);
      const patches = server.requests.filter((q) => q.method === "PATCH");
      expect(patches.length).toBeGreaterThan(0);
      const ops = patches.flatMap((q) => (q.body as { Operations: { op: string }[] }).Operations.map((x) => x.op));
      expect(ops.every((op) => (p.dialect === "legacy" ? /^[A-Z]/.test(op) : /^[a-z]/.test(op)))).toBe(true);
    });
  }

  it("JumpCloud without aadOptscim062020: users are created, but updates and deprovisioning fail", async () => {
    const legacy = previewer("jumpcloud", { dialect: "legacy" });
    const server = await serverFor(legacy, "scim");
    const adele = await simulateUser(legacy, user("adele.vance"), { baseUrl: server.url, token: TOKEN });
    expect(adele.result).toBe("created");
    expect(adele.agrees).toBe(false);
    expect(adele.steps.map((s) => [s.step, s.status])).toEqual([
      ["match", 200],
      ["create", 201],
      ["update", 400],
      ["deactivate", 400],
    ]);
    expect(adele.steps[2]!.detail).toContain("invalidSyntax");
  });
});

describe("scimops simulate", () => {
  it("replays every user, reports each request and agrees with the preview; the token never appears", async () => {
    const server = await serverFor(previewer("jumpcloud"));
    process.env.SCIMOPS_TEST_TOKEN = TOKEN;
    const { io, text, errText } = capture();
    const code = await simulateCommand(["--app", "jumpcloud", "--target", server.url, "--token-env", "SCIMOPS_TEST_TOKEN"], io);
    expect(errText()).toBe("");
    expect(code).toBe(0);
    const out = text();
    expect(out).toContain("JumpCloud → http://127.0.0.1:");
    expect(out).toMatch(/adele\.vance@contoso\.example: created\n {2}✓ match {6}GET \/Users\?filter=userName eq "adele\.vance" → 200 {2}no match\n {2}✓ create {5}POST \/Users → 201 {2}created [0-9a-f-]{36}\n {2}✓ update {5}PATCH \/Users\/[0-9a-f-]{36} → 200 {2}updated displayName\n {2}✓ deactivate PATCH \/Users\/[0-9a-f-]{36} → 200 {2}deactivated/);
    expect(out).toContain("sam.taylor@contoso.example: not-sent");
    expect(out).toContain("16 user(s): 7 created, 0 matched existing, 3 rejected by the target, 2 not sent by Entra, 4 out of scope, 0 failed");
    expect(out).toContain("simulate agrees with the preview");
    expect(out).not.toContain(TOKEN);
  });

  it("a second run matches the users the first created; the legacy flag on the target URL makes JumpCloud disagree", async () => {
    const server = await serverFor(previewer("jumpcloud"));
    process.env.SCIMOPS_TEST_TOKEN = TOKEN;
    await simulateCommand(["--app", "jumpcloud", "--target", server.url, "--token-env", "SCIMOPS_TEST_TOKEN"], capture().io);
    const again = capture();
    expect(await simulateCommand(["--app", "jumpcloud", "--target", server.url, "--token-env", "SCIMOPS_TEST_TOKEN", "--format", "json"], again.io)).toBe(0);
    const doc = JSON.parse(again.text()) as { dialect: string; users: { result: string }[]; summary: { matched: number; agreesWithPreview: boolean } };
    expect(doc.dialect).toBe("aadOptscim062020");
    expect(doc.summary).toMatchObject({ matched: 7, agreesWithPreview: true });
    const rolledBack = capture();
    expect(await simulateCommand(["--app", "jumpcloud", "--target", `${server.url}?AzureAdScimPatch2017`, "--token-env", "SCIMOPS_TEST_TOKEN"], rolledBack.io)).toBe(1);
    expect(rolledBack.text()).toContain("(Entra legacy dialect)");
    expect(rolledBack.text()).toMatch(/✗ update {5}PATCH \/Users\/\S+ → 400 {2}invalidSyntax: Invalid operation 'Replace'/);
    expect(rolledBack.text()).toContain("simulate disagrees with the preview for: adele.vance@contoso.example");
  });

  it("replays the groups after the users: the assigned group is created with its members, renamed, emptied and deleted", async () => {
    const server = await serverFor(previewer("airstack"));
    process.env.SCIMOPS_TEST_TOKEN = TOKEN;
    const { io, text } = capture();
    expect(await simulateCommand(["--app", "airstack", "--target", server.url, "--token-env", "SCIMOPS_TEST_TOKEN"], io)).toBe(0);
    const out = text();
    expect(out).toMatch(/group SCIM Pilot: created\n {2}✓ match {10}GET \/Groups\?excludedAttributes=members&filter=displayName eq "SCIM Pilot" → 200 {2}no match\n {2}✓ create {9}POST \/Groups → 201 {2}created [0-9a-f-]{36}\n {2}✓ members {8}PATCH \/Groups\/[0-9a-f-]{36} → 200 {2}added 11 member\(s\)/);
    expect(out).toContain("group Corporate-WiFi: out-of-scope");
    expect(out).toMatch(/✓ delete {9}DELETE \/Groups\/[0-9a-f-]{36} → 204 {2}deleted/);
    expect(out).toContain("simulate agrees with the preview");
    expect(server.groups()).toEqual([]);
  });

  it("a wrong token fails every request with 401 and is not printed", async () => {
    const server = await serverFor(previewer("airstack"));
    process.env.SCIMOPS_TEST_TOKEN = "wrong-token-value-123";
    const { io, text } = capture();
    expect(await simulateCommand(["--app", "airstack", "--target", server.url, "--token-env", "SCIMOPS_TEST_TOKEN"], io)).toBe(1);
    expect(text()).toMatch(/✗ match {6}GET \/Users\?filter=userName eq "adele\.vance@contoso\.example" → 401 {2}the target refused the secret token: Bearer token is missing or invalid/);
    expect(text()).not.toContain("wrong-token-value-123");
  });

  it("usage errors exit 2", async () => {
    delete process.env.SCIMOPS_UNSET_TOKEN;
    const a = capture();
    expect(await simulateCommand(["--app", "jumpcloud", "--target", "http://127.0.0.1:9/scim", "--token-env", "SCIMOPS_UNSET_TOKEN"], a.io)).toBe(2);
    expect(a.errText()).toContain("no secret token: set the environment variable SCIMOPS_UNSET_TOKEN");
    const b = capture();
    expect(await simulateCommand(["--app", "jumpcloud"], b.io)).toBe(2);
    expect(b.errText()).toContain("--target URL is required");
    const c = capture();
    expect(await simulateCommand(["--app", "nope", "--target", "http://127.0.0.1:9/scim"], c.io)).toBe(2);
    expect(c.errText()).toContain("unknown app `nope`");
  });
});
