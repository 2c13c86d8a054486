/**
 * Groups previewed like users, IronWifi's group policies, simulate replaying the group requests against
 * the SCIM emulator, the groups' and policies' changes for `scimops diff`, and the documented behaviours
 * of issue 18 that are not a request shape (special characters, fallback and shared matching values, no
 * DELETE after unassignment, provision on demand, JumpCloud refusing groups).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  AppPreviewer,
  compareGroups,
  JsonWriter,
  PATCH_OP_SCHEMA,
  runPreview,
  SimulatedMembers,
  simulateGroups,
  simulateUser,
  type SampleUser,
} from "../../src/preview";
import { tallySides } from "../../src/diff/users";
import type { AppPlan } from "../../src/plan/types";
import { loadAppText } from "../../src/spec/load";
import { checkApp } from "../../src/spec/check";
import { startScimServer, type ScimServer } from "../emulators/scim";
import { plan, previewer, root, sampleUsers, user } from "./helpers";

const TOKEN = "tok-" + "0123456789abcdef".repeat(3);
const servers: ScimServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});
async function serverFor(p: AppPreviewer): Promise<ScimServer> {
  const s = await startScimServer({ token: TOKEN, rules: p.plan.target, appName: p.displayName, dialect: p.dialect === "legacy" ? "legacy" : "scim" });
  servers.push(s);
  return s;
}

/** Previews every sample user (one pass), then the groups. */
function pass(p: AppPreviewer, users: readonly SampleUser[] = sampleUsers()) {
  p.beginPass();
  const previews = users.map((u) => p.preview(u));
  return { previews, groups: p.groupPreviews() };
}

/** IronWifi with the test group and the Wi-Fi groups assigned (dev assigns SCIM Pilot only, prod the Wi-Fi groups). */
const WIFI = () => withAssignments(["SCIM Pilot", "Corporate-WiFi", "Guest-WiFi", "Contractors"]);

/** IronWifi with these groups assigned (the stack's assignments replaced). */
function withAssignments(groups: string[]): AppPreviewer {
  const p = plan("ironwifi");
  return new AppPreviewer({ ...p, entra: { ...p.entra!, assignments: groups.map((group) => ({ group, role: "User" })) } });
}

const CORPORATE = { group: "Corporate-WiFi", vlan: 100, downloadMbps: 100, uploadMbps: 100, sessionTimeoutHours: 12 };
const GUEST = { group: "Guest-WiFi", vlan: 200, downloadMbps: 10, uploadMbps: 10, sessionTimeoutHours: 2 };
const CONTRACTORS = { group: "Contractors", vlan: 150, downloadMbps: 25, uploadMbps: 25, sessionTimeoutHours: 8 };

describe("IronWifi: groups and their policies", () => {
  it("the file carries the seed's policy table", () => {
    expect(plan("ironwifi").target.groups.policies).toEqual([CORPORATE, GUEST, CONTRACTORS]);
  });

  it("each provisioned user receives the policies of its provisioned groups, matched by exact name", () => {
    const { previews } = pass(WIFI());
    const policies = Object.fromEntries(previews.map((p) => [p.userPrincipalName.split("@")[0], p.policies]));
    expect(policies["adele.vance"]).toEqual([CORPORATE]);
    expect(policies["jose.mueller-lukasiewicz"]).toEqual([CONTRACTORS]);
    expect(policies["alex.wilber"]).toEqual([CORPORATE]);
    // corporate-wifi differs in case: no policy, and the user is warned.
    expect(policies["liam.obrien"]).toEqual([]);
    expect(previews.find((p) => p.userPrincipalName.startsWith("liam."))!.violations.map((v) => v.rule)).toEqual(["group-name-case"]);
    // Disabled (not created) and refused (required attributes missing) users are no members.
    expect(policies["pradeep.gupta"]).toEqual([]);
    expect(policies["jane_fabrikam.example#EXT#"]).toEqual([]);
    expect(policies["megan.bowen"]).toEqual([]);
  });

  it("groups: create body, members, policy; an unknown group and a case-only difference warn", () => {
    const { groups } = pass(WIFI());
    const byName = new Map(groups.map((g) => [g.displayName, g]));
    const corporate = byName.get("Corporate-WiFi")!;
    expect(corporate).toMatchObject({ inScope: true, policy: CORPORATE, members: ["adele.vance@contoso.example", "alex.wilber@contoso.example"], memberCount: 2, membersNotProvisioned: 1 });
    expect(corporate.body).toEqual({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group", "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"], displayName: "Corporate-WiFi", externalId: corporate.id, meta: { resourceType: "Group" } });
    expect(corporate.matchQuery).toEqual({ method: "GET", path: '/Groups?excludedAttributes=members&filter=displayName eq "Corporate-WiFi"', query: { excludedAttributes: "members", filter: 'displayName eq "Corporate-WiFi"' } });
    expect(corporate.requests!.addMembers!.body).toEqual({
      schemas: [PATCH_OP_SCHEMA],
      Operations: [{ op: "Add", path: "members", value: [{ $ref: null, value: "{id:adele.vance@contoso.example}" }, { $ref: null, value: "{id:alex.wilber@contoso.example}" }] }],
    });
    expect(corporate.requests!.rename!.body).toEqual({ schemas: [PATCH_OP_SCHEMA], Operations: [{ op: "Replace", path: "displayName", value: "Corporate-WiFi (renamed)" }] });
    expect(corporate.requests!.delete).toEqual({ method: "DELETE", path: "/Groups/{id}" });
    expect(corporate.violations).toEqual([]);
    expect(byName.get("SCIM Pilot")!.violations.map((v) => v.rule)).toEqual(["group-unknown"]);
    expect(byName.get("SCIM Pilot")!.violations[0]!.message).toContain("does not exist in IronWifi");
    // Not assigned: not provisioned, its members get nothing from it.
    expect(byName.get("corporate-wifi")).toMatchObject({ inScope: false, body: null, requests: null });
    // Assigned with no sample member: still created, and it carries its policy.
    expect(byName.get("Guest-WiFi")).toMatchObject({ inScope: true, memberCount: 0, policy: GUEST });
    // Assigned, the lower-case group would be created as a second group: a case-only difference warns.
    const lower = withAssignments(["SCIM Pilot", "corporate-wifi"]);
    expect(lower.groups!.preview({ displayName: "corporate-wifi" }, []).violations.map((v) => v.rule)).toEqual(["group-name-case"]);
  });

  it("a policy group that is not assigned is not provisioned, and its members receive nothing", () => {
    const { previews, groups } = pass(withAssignments(["SCIM Pilot"]));
    expect(previews.find((x) => x.userPrincipalName.startsWith("adele."))!.policies).toEqual([]);
    const corporate = groups.find((g) => g.displayName === "Corporate-WiFi")!;
    expect(corporate.inScope).toBe(false);
    expect(corporate.notes.join()).toContain("carries a IronWifi policy, but Entra does not provision it (not assigned to the app)");
  });

  it("the JSON document carries the groups after the users, and each user's policies", async () => {
    const lines: string[] = [];
    await runPreview([WIFI()], () => sampleUsers(), new JsonWriter((l) => void lines.push(l), false));
    const doc = JSON.parse(lines.join("\n")) as { users: { userPrincipalName: string; policies: unknown[] }[]; groups: { displayName: string; policy: unknown }[] };
    expect(doc.users.find((u) => u.userPrincipalName.startsWith("adele."))!.policies).toEqual([CORPORATE]);
    expect(doc.groups.map((g) => g.displayName)).toEqual(["SCIM Pilot", "Corporate-WiFi", "Contractors", "Guest-Wifi", "corporate-wifi", "Guest-WiFi"]);
    expect(doc.groups.find((g) => g.displayName === "Contractors")!.policy).toEqual(CONTRACTORS);
  });
});

describe("group requests in the aadOptscim062020 dialect", () => {
  it("add members with lower-case add, remove each member by a value filter", () => {
    const p = previewer("airstack", { mutate: (s) => void (s.entra!.provisioning.tenantUrl = "https://api-as.lenovosoftware.com/0/as/common/scim?aadOptscim062020") });
    const { groups } = pass(p);
    const pilot = groups.find((g) => g.displayName === "SCIM Pilot")!;
    const ops = (r: { body?: unknown } | null) => (r!.body as { Operations: unknown[] }).Operations;
    expect(ops(pilot.requests!.addMembers)[0]).toMatchObject({ op: "add", path: "members" });
    expect(ops(pilot.requests!.removeMembers)[0]).toEqual({ op: "remove", path: 'members[value eq "{id:adele.vance@contoso.example}"]' });
    expect(ops(pilot.requests!.removeMembers)).toHaveLength(pilot.members.length);
    expect(ops(pilot.requests!.rename)).toEqual([{ op: "replace", path: "displayName", value: "SCIM Pilot (renamed)" }]);
  });

  it("lists at most 20 members and counts the rest", () => {
    const many = Array.from({ length: 45 }, (_, i): SampleUser => ({ userPrincipalName: `u${i}@contoso.example`, givenName: "U", surname: String(i), memberOf: ["SCIM Pilot"] }));
    const pilot = pass(previewer("airstack"), many).groups.find((g) => g.displayName === "SCIM Pilot")!;
    expect(pilot.members).toHaveLength(20);
    expect(pilot.memberCount).toBe(45);
    expect(pilot.notes).toContain("25 more member(s) are added and removed with requests of the same form");
  });
});

describe("simulate replays the group requests", () => {
  it("ironwifi: groups created with the members simulate created; each user's policy in the target is the preview's", async () => {
    const p = WIFI();
    const server = await serverFor(p);
    const members = new SimulatedMembers();
    p.beginPass();
    const outcomes = [];
    for (const u of sampleUsers()) {
      const o = await simulateUser(p, u, { baseUrl: server.url, token: TOKEN, steps: ["match", "create"] });
      members.add(u, o);
      outcomes.push(o);
    }
    const groups = await simulateGroups(p, members, { baseUrl: server.url, token: TOKEN, groupSteps: ["match", "create", "members"] });
    expect(groups.filter((g) => !g.agrees)).toEqual([]);
    const previews = p.groupPreviews();
    expect(groups.filter((g) => g.result === "created").map((g) => g.group)).toEqual(previews.filter((g) => g.inScope).map((g) => g.displayName));
    // Stored groups: the preview's bodies, with the members it listed.
    for (const g of previews.filter((x) => x.inScope)) {
      const stored = server.groups().find((s) => s.displayName === g.displayName)!;
      const { id: _id, meta: _meta, members: storedMembers, ...rest } = stored;
      const { meta: _m, ...body } = g.body!;
      expect(rest).toEqual(body);
      expect(((storedMembers as { value: string }[] | undefined) ?? []).length).toBe(g.memberCount);
    }
    // What IronWifi gives each user is what the preview predicted.
    let checked = 0;
    for (const u of sampleUsers()) {
      const o = outcomes.find((x) => x.user === u.userPrincipalName)!;
      if (o.result !== "created") continue;
      expect(server.policiesOf(o.id!), u.userPrincipalName).toEqual(p.preview(u).policies);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(9);
    // A second run matches the groups instead of creating them again (displayName is unique in the target).
    const again = await simulateGroups(p, new SimulatedMembers(), { baseUrl: server.url, token: TOKEN, groupSteps: ["match", "create"] });
    expect(again.filter((g) => g.inScope).every((g) => g.result === "matched")).toBe(true);
  });

  it("aadOptscim062020 against a strict SCIM server: members added, renamed, removed by filter, deleted", async () => {
    const p = previewer("airstack", { mutate: (s) => void (s.entra!.provisioning.tenantUrl = "https://api-as.lenovosoftware.com/0/as/common/scim?aadOptscim062020") });
    const server = await serverFor(p);
    const members = new SimulatedMembers();
    p.beginPass();
    for (const u of sampleUsers()) members.add(u, await simulateUser(p, u, { baseUrl: server.url, token: TOKEN, steps: ["match", "create"] }));
    const [pilot] = await simulateGroups(p, members, { baseUrl: server.url, token: TOKEN });
    expect(pilot!.steps.map((s) => [s.step, s.status])).toEqual([
      ["match", 200],
      ["create", 201],
      ["members", 200],
      ["rename", 200],
      ["remove-members", 200],
      ["delete", 204],
    ]);
    expect(pilot!.agrees).toBe(true);
    expect(server.groups()).toEqual([]);
    const patches = server.requests.filter((r) => r.method === "PATCH" && r.path.includes("/Groups/"));
    expect(patches.flatMap((r) => (r.body as { Operations: { op: string }[] }).Operations.map((o) => o.op))).toEqual(["add", "replace", ...Array(members.of("SCIM Pilot").length).fill("remove")]);
  });

  it("the emulator refuses a member that is not one of its users, and a second group with the same name", async () => {
    const server = await startScimServer({ token: TOKEN });
    servers.push(server);
    const post = (body: unknown) => fetch(`${server.url}/Groups`, { method: "POST", headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/scim+json" }, body: JSON.stringify(body) });
    const group = { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: "G" };
    expect((await post(group)).status).toBe(201);
    expect(((await (await post({ ...group, displayName: "g" })).json()) as { scimType: string }).scimType).toBe("uniqueness");
    const bad = (await (await post({ ...group, displayName: "H", members: [{ value: "nobody" }] })).json()) as { status: string; detail: string };
    expect(bad).toMatchObject({ status: "400", detail: "member nobody is not a user of this target" });
  });
});

describe("scimops diff: group and policy changes", () => {
  it("a changed policy and a group no longer assigned show up per group", async () => {
    const users = sampleUsers();
    // What `scimops diff` runs: the users through both sides, the groups compared after them.
    const groupChanges = async (base: AppPlan, head: AppPlan) => (await tallySides({ plan: base, config: {} }, { plan: head, config: {} }, () => users, { head, changes: true })).groups;
    const base = WIFI().plan;
    const changed = plan("ironwifi", (s) => void (s.target.groups.policies[0]!.vlan = 101));
    const head = { ...changed, entra: { ...changed.entra!, assignments: base.entra!.assignments } };
    const changes = await groupChanges(base, head);
    expect(changes).toEqual([{ group: "Corporate-WiFi", changes: ["policy: Corporate-WiFi: VLAN 100, 100/100 Mbps, 12 h → Corporate-WiFi: VLAN 101, 100/100 Mbps, 12 h"] }]);
    const fewer = { ...base, entra: { ...base.entra!, assignments: base.entra!.assignments.filter((a) => !("group" in a) || a.group !== "Contractors") } };
    expect((await groupChanges(base, fewer)).find((c) => c.group === "Contractors")!.changes[0]).toBe("no longer provisioned");
    expect(compareGroups([], [])).toEqual([]);
  });
});

describe("documented behaviours (issue 18)", () => {
  it("a matching value with characters Entra's filter query cannot carry is flagged, and simulate sends nothing", async () => {
    const jc = previewer("jumpcloud");
    const odd = { ...user("adele.vance"), mailNickname: 'adele"v' };
    const r = jc.preview(odd);
    expect(r.violations.find((v) => v.rule === "matching-value-characters")).toMatchObject({ severity: "error", attribute: "userName" });
    const server = await serverFor(jc);
    const o = await simulateUser(jc, odd, { baseUrl: server.url, token: TOKEN });
    expect(o).toMatchObject({ result: "not-sent", agrees: true });
    expect(server.requests).toEqual([]);
  });

  it("fallback matching: the next matching attribute is queried when the first finds nobody", async () => {
    const p = previewer("airstack", {
      mutate: (s) => void (s.entra!.mappings.users.attributes.find((a) => a.target === "externalId")!.matchingPrecedence = 2),
    });
    const adele = p.preview(user("adele.vance"));
    expect(adele.matchQueries.map((q) => q.path)).toEqual(['/Users?filter=userName eq "adele.vance@contoso.example"', '/Users?filter=externalId eq "adele.vance"']);
    const server = await serverFor(p);
    // The target already holds Adele under another user name, with her externalId.
    await fetch(`${server.url}/Users`, { method: "POST", headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/scim+json" }, body: JSON.stringify({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "avance", externalId: "adele.vance" }) });
    const o = await simulateUser(p, user("adele.vance"), { baseUrl: server.url, token: TOKEN, steps: ["match", "create"] });
    expect(o.steps.map((s) => [s.step, s.detail.replace(/[0-9a-f-]{36}/, "ID")])).toEqual([
      ["match", "no match"],
      ["match", "matched existing user ID"],
    ]);
    expect(o.result).toBe("matched");
  });

  it("two users computing the same matching value: the second is linked to the first one's target user", async () => {
    const jc = previewer("jumpcloud");
    const first = user("adele.vance");
    const second: SampleUser = { ...user("megan.bowen"), mailNickname: "adele.vance" };
    jc.beginPass();
    expect(jc.preview(first).violations).toEqual([]);
    const r = jc.preview(second);
    expect(r.violations).toEqual([
      expect.objectContaining({ rule: "matching-value-shared", severity: "warning", message: expect.stringContaining("adele.vance@contoso.example computes the same `userName`") }),
    ]);
    const server = await serverFor(jc);
    await simulateUser(jc, first, { baseUrl: server.url, token: TOKEN, steps: ["match", "create"] });
    const o = await simulateUser(jc, second, { baseUrl: server.url, token: TOKEN, steps: ["match", "create"] });
    expect(o).toMatchObject({ result: "matched", agrees: true });
    expect(server.users()).toHaveLength(1);
  });

  it("no DELETE after an unassignment: the note says the scope-exit update is the last request", () => {
    const r = previewer("airstack").preview(user("adele.vance"));
    expect(r.deprovision!.scopeExit).not.toBeNull();
    expect(r.notes).toContain("after the user is unassigned Entra sends only the scope-exit update and stops managing the user: no DELETE follows when the user is later deleted");
  });

  it("provision on demand ignores the aadOptscim062020 flag: legacy requests, and a note for the stack's on-demand users", () => {
    const onDemand = previewer("jumpcloud", { onDemand: true });
    expect(onDemand.dialect).toBe("legacy");
    expect(onDemand.preview(user("adele.vance")).deprovision!.scopeExit!.body).toEqual({ schemas: [PATCH_OP_SCHEMA], Operations: [{ op: "Replace", path: "active", value: "False" }] });
    const listed = previewer("jumpcloud", { mutate: (s) => void (s.entra!.provisionOnDemand = [{ user: "adele.vance@contoso.example" }]) });
    expect(listed.plan.entra!.provisionOnDemand).toEqual([{ user: "adele.vance@contoso.example" }]);
    expect(listed.preview(user("adele.vance")).notes.some((n) => n.includes("does not apply to on-demand provisioning"))).toBe(true);
    expect(listed.preview(user("megan.bowen")).notes.some((n) => n.includes("on-demand"))).toBe(false);
  });

  it("JumpCloud refuses any file that turns groups on: the Entra groups mapping and Okta's group push", () => {
    const text = readFileSync(join(root, "mappings", "jumpcloud.yaml"), "utf8");
    const errors = (yaml: string) => {
      const loaded = loadAppText(join(root, "mappings", "jumpcloud.yaml"), yaml);
      if (!loaded.ok) throw new Error(loaded.diagnostics.map((d) => d.message).join("; "));
      return checkApp(loaded.app).map((d) => `${d.line}: ${d.message}`);
    };
    expect(errors(text)).toEqual([]);
    const entra = errors(text.replace(/(groups:\n(?:.*\n)*?\s+enabled: )false/, "$1true"));
    expect(entra).toHaveLength(1);
    expect(entra[0]).toContain("JumpCloud does not support group provisioning");
    const okta = `${text}\nokta:\n  app: { label: JumpCloud, signOnMode: SWA, loginUrl: "https://console.jumpcloud.com/", userNameTemplate: { template: "\${source.login}", type: BUILT_IN } }\n  provisioning:\n    scimBaseUrl: https://api.jumpcloud.com/scim/v2\n    token: { config: jumpcloudApiKey }\n    uniqueIdentifierField: userName\n    supportedActions: [pushNewUsers, pushGroups]\n    toApp: { createUsers: true, updateUserAttributes: true, deactivateUsers: true }\n  profileMappings: [{ target: givenName, source: user.firstName }]\n  pushGroups: [Engineering]\n`;
    const refused = errors(okta);
    expect(refused.filter((m) => m.includes("does not support group provisioning"))).toHaveLength(2);
  });
});
