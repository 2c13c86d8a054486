/**
 * The Graph-backed app, job, assignment and on-demand providers against the emulator over real HTTP with
 * the real Graph client: instantiate with replication lag, adoption without writes, the template resolved
 * once, assignments as a set, on-demand results read from the body, 429 with Retry-After.
 */
import { describe, expect, it } from "vitest";
import type { GraphConnection } from "../../src/entra/graph";
import { enterpriseAppProvider as apps, type EnterpriseAppInputs } from "../../src/entra/enterprise-app";
import { synchronizationJobProvider as jobs, type SynchronizationJobInputs } from "../../src/entra/synchronization-job";
import { appRoleAssignmentsProvider as assignments, type AppRoleAssignmentsInputs, type AssignmentEntry } from "../../src/entra/app-role-assignments";
import { onDemandOutcome, provisionOnDemandProvider as onDemand, type ProvisionOnDemandInputs } from "../../src/entra/provision-on-demand";
import { objectIdOf } from "../../src/entra/principals";
import { ENTRA_PROVIDER_VERSION } from "../../src/entra/version";
import { NON_GALLERY_APP_ROLES, NON_GALLERY_TEMPLATE_IDS, type GraphEmulator } from "../emulators/graph/index";
import { useEmulator } from "./support";

let emu: GraphEmulator;
let graph: GraphConnection;
useEmulator((s) => ({ emu, graph } = s), { pageSize: 2 });

const v = ENTRA_PROVIDER_VERSION;
const log = () => emu.requests.map((r) => `${r.method} ${r.path.replace(/\/jobs\/[^/]+/, "/jobs/{job}").replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, "{id}")}${r.query ? `?${decodeURIComponent(r.query)}` : ""} ${r.status}`);
const appInputs = (extra: Partial<EnterpriseAppInputs>): EnterpriseAppInputs => ({ graph, displayName: "Contoso", providerVersion: v, ...extra });

describe("EnterpriseApp", () => {
  it("instantiates a gallery app found by name and waits out the service principal's replication lag", async () => {
    emu.faults.replicationLagMs = 300;
    emu.faults.replicationLagStatuses = [404];
    try {
      const res = await apps.create(appInputs({ displayName: "Airstack", galleryName: "Airstack" }));
      const lines = log();
      expect(lines[0]).toBe("GET /applicationTemplates?$filter=displayName eq 'Airstack' 200");
      expect(lines[1]).toMatch(/^POST \/applicationTemplates\/\{id\}\/instantiate 201$/);
      expect(lines.filter((l) => l === "GET /servicePrincipals/{id} 404").length).toBeGreaterThan(0);
      expect(lines.at(-1)).toBe("GET /servicePrincipals/{id} 200");
      expect(res.id).toBe(res.outs.servicePrincipalId);
      expect(res.outs).toMatchObject({ adopted: false, applicationTemplateId: "fa1ce000-0000-4000-8000-00000000a002" });
      expect(emu.servicePrincipals().find((s) => s.id === res.id)!.applicationId).toBe(res.outs.applicationObjectId);
    } finally {
      emu.faults.replicationLagMs = 0;
      emu.faults.replicationLagStatuses = [404, 403, 409];
    }
  });

  it("instantiates the non-gallery template by id without a template lookup", async () => {
    const res = await apps.create(appInputs({ templateId: NON_GALLERY_TEMPLATE_IDS.global }));
    expect(log()).toEqual(["POST /applicationTemplates/{id}/instantiate 201", "GET /servicePrincipals/{id} 200"]);
    expect(res.outs.applicationTemplateId).toBe(NON_GALLERY_TEMPLATE_IDS.global);
  });

  it("takes the app a lost instantiate answer made instead of making a second one, with its outputs right", async () => {
    emu.faults.inject({ method: "POST", path: "/instantiate", reset: true, afterApply: true });
    const res = await apps.create(appInputs({ displayName: "Lost answer", templateId: NON_GALLERY_TEMPLATE_IDS.global }));
    const made = emu.servicePrincipals().filter((s) => s.displayName === "Lost answer");
    expect(made).toHaveLength(1);
    expect(res.outs).toMatchObject({ servicePrincipalId: made[0]!.id, applicationObjectId: made[0]!.applicationId, adopted: false });
    expect(log()).toEqual([
      "POST /applicationTemplates/{id}/instantiate 0",
      "GET /applications?$filter=displayName eq 'Lost answer' 200",
      `GET /servicePrincipals?$filter=appId eq '${res.outs.appId}' 200`,
      "GET /servicePrincipals/{id} 200",
    ]);
  });

  it("does not take an older app of the same name and template for the one a lost answer may have made", async () => {
    const older = emu.seedApp({ template: "non-gallery", displayName: "Same name" });
    emu.editApplication(older.applicationId, (a) => void (a.createdDateTime = "2020-01-01T00:00:00Z"));
    emu.clearRequests();
    emu.faults.inject({ method: "POST", path: "/instantiate", reset: true });
    const res = await apps.create(appInputs({ displayName: "Same name", templateId: NON_GALLERY_TEMPLATE_IDS.global }));
    expect(res.id).not.toBe(older.servicePrincipalId);
    expect(emu.servicePrincipals().filter((s) => s.displayName === "Same name")).toHaveLength(2);
    expect(emu.writes().map((w) => w.status)).toEqual([0, 201]);
  });

  it("fails clearly when no gallery template has the name", async () => {
    await expect(apps.create(appInputs({ galleryName: "No Such App" }))).rejects.toThrow(/exactly one application template named "No Such App", found 0/);
    expect(emu.writes()).toEqual([]);
  });

  it("adopts an existing app by service principal id with one GET and never deletes it", async () => {
    const seeded = emu.seedApp({ template: "non-gallery", displayName: "Existing" });
    emu.clearRequests();
    const res = await apps.create(appInputs({ displayName: "Existing", templateId: NON_GALLERY_TEMPLATE_IDS.global, adoptServicePrincipalId: seeded.servicePrincipalId, allowDelete: true }));
    expect(log()).toEqual(["GET /servicePrincipals/{id} 200"]);
    expect(res.outs).toMatchObject({ servicePrincipalId: seeded.servicePrincipalId, adopted: true, appId: seeded.appId });
    await apps.delete(res.id, res.outs);
    expect(emu.writes()).toEqual([]);
  });

  it("diff: same inputs no change; new template replaces; new name updates with one PATCH; delete honours allowDelete", async () => {
    const created = (await apps.create(appInputs({ templateId: NON_GALLERY_TEMPLATE_IDS.global }))).outs;
    expect(await apps.diff(created.servicePrincipalId, created, appInputs({ templateId: NON_GALLERY_TEMPLATE_IDS.global }))).toMatchObject({ changes: false, replaces: [] });
    expect((await apps.diff("x", created, appInputs({ galleryName: "Airstack" }))).replaces).toEqual(["galleryName", "templateId"]);
    const renamed = appInputs({ displayName: "Contoso 2", templateId: NON_GALLERY_TEMPLATE_IDS.global });
    expect(await apps.diff("x", created, renamed)).toMatchObject({ changes: true, replaces: [] });
    emu.clearRequests();
    const updated = (await apps.update("x", created, renamed)).outs;
    expect(log()).toEqual(["PATCH /applications/{id} 204"]);
    expect(updated.servicePrincipalId).toBe(created.servicePrincipalId);
    await apps.delete("x", updated);
    expect(emu.writes()).toHaveLength(1);
    await apps.delete("x", { ...updated, allowDelete: true });
    expect(log().at(-1)).toBe("DELETE /applications/{id} 204");
    expect(emu.servicePrincipals().some((s) => s.id === created.servicePrincipalId)).toBe(false);
    expect(await apps.read(created.servicePrincipalId, updated)).toEqual({ id: "", props: {} });
  });
});

describe("SynchronizationJob", () => {
  const jobInputs = (sp: string, extra: Partial<SynchronizationJobInputs> = {}): SynchronizationJobInputs => ({ graph, servicePrincipalId: sp, appName: "Job test", providerVersion: v, ...extra });

  it("resolves a gallery app's default template once, creates the job paused, and adopts it the second time", async () => {
    const app = emu.seedApp({ template: "SpaceIQ", displayName: "SpaceIQ", createJob: false });
    emu.clearRequests();
    const first = await jobs.create(jobInputs(app.servicePrincipalId));
    expect(log()).toEqual(["GET /servicePrincipals/{id}/synchronization/templates 200", "GET /servicePrincipals/{id}/synchronization/jobs 200", "POST /servicePrincipals/{id}/synchronization/jobs 201"]);
    expect(first.outs).toMatchObject({ effectiveTemplateId: "spaceIQFake", adopted: false });
    expect(first.id).toBe(first.outs.jobId);
    expect(emu.getJob(app.servicePrincipalId, first.id).schedule.state).toBe("Disabled");
    // Refresh and diff never look at the templates again, so a changed default cannot replace the job.
    emu.clearRequests();
    const read = await jobs.read(first.id, first.outs);
    expect(log()).toEqual(["GET /servicePrincipals/{id}/synchronization/jobs/{job} 200"]);
    expect(await jobs.diff(first.id, read.props as never, jobInputs(app.servicePrincipalId))).toMatchObject({ changes: false, replaces: [] });
    emu.clearRequests();
    const again = await jobs.create(jobInputs(app.servicePrincipalId));
    expect(emu.writes()).toEqual([]);
    expect(again.outs).toMatchObject({ jobId: first.id, adopted: true });
  });

  it("adopts a named job with one GET; a declared template change replaces; delete honours allowDelete and adoption", async () => {
    const app = emu.seedApp({ template: "non-gallery", displayName: "Adopt job" });
    emu.clearRequests();
    const adopted = await jobs.create(jobInputs(app.servicePrincipalId, { adoptJobId: app.jobId, allowDelete: true }));
    expect(log()).toEqual(["GET /servicePrincipals/{id}/synchronization/jobs/{job} 200"]);
    await jobs.delete(adopted.id, adopted.outs);
    expect(emu.writes()).toEqual([]);
    const other = emu.seedApp({ template: "non-gallery", displayName: "Own job", createJob: false });
    const made = await jobs.create(jobInputs(other.servicePrincipalId, { templateId: "scim", allowDelete: true }));
    expect(made.id).toMatch(/^scim\./);
    expect((await jobs.diff(made.id, made.outs, jobInputs(other.servicePrincipalId, { templateId: "customappsso", allowDelete: true }))).replaces).toEqual(["templateId"]);
    emu.clearRequests();
    await jobs.delete(made.id, made.outs);
    expect(log()).toEqual(["DELETE /servicePrincipals/{id}/synchronization/jobs/{job} 204"]);
  });
});

describe("AppRoleAssignments", () => {
  function world() {
    const app = emu.seedApp({ template: "non-gallery", displayName: "Assign" });
    const ada = emu.seedUser({ displayName: "Ada", userPrincipalName: "ada@contoso.test" });
    const team = emu.seedGroup({ displayName: `O'Brien's Team ${Math.random()}`, members: [ada] });
    const pilots = emu.seedGroup({ displayName: `Pilots ${Math.random()}` });
    return { app, ada, team, pilots };
  }
  const input = (sp: string, list: AssignmentEntry[], extra: Partial<AppRoleAssignmentsInputs> = {}): AppRoleAssignmentsInputs => ({ graph, servicePrincipalId: sp, appName: "Assign", assignments: list, providerVersion: v, ...extra });
  const groupName = async (id: string) => {
    const res = await fetch(`${emu.url}/v1.0/groups/${id}`, { headers: { Authorization: `Bearer ${emu.token}` } });
    return ((await res.json()) as { displayName: string }).displayName;
  };

  it("assigns a group by a name with apostrophes, a user by UPN and a group by id: one POST each, roles by name", async () => {
    const { app, ada, team, pilots } = world();
    const teamName = await groupName(team);
    emu.clearRequests();
    const res = await assignments.create(
      input(app.servicePrincipalId, [
        { principal: teamName, principalType: "Group", role: "User" },
        { principal: "ada@contoso.test", principalType: "User", role: "msiam_access" },
        { principal: `/groups/${pilots}`, principalType: "Group", role: "User" },
      ]),
    );
    const lookup = emu.requests.find((r) => r.path === "/groups")!;
    expect(decodeURIComponent(lookup.query)).toContain(`$filter=displayName eq '${teamName.replace(/'/g, "''")}'`);
    expect(emu.writes().map((w) => w.method)).toEqual(["POST", "POST", "POST"]);
    const live = emu.getAssignments(app.servicePrincipalId);
    expect(live.map((a) => [a.principalId, a.appRoleId])).toEqual([
      [team, NON_GALLERY_APP_ROLES[0]!.id],
      [ada, NON_GALLERY_APP_ROLES[1]!.id],
      [pilots, NON_GALLERY_APP_ROLES[0]!.id],
    ]);
    expect(res.outs.granted.map((g) => g.assignmentId)).toEqual(live.map((a) => a.id));
  });

  it("removing one entry deletes exactly that assignment (following the paged live list); without allowDelete it stays", async () => {
    const { app, ada, team, pilots } = world();
    const list: AssignmentEntry[] = [
      { principal: team, principalType: "Group", role: "User" },
      { principal: pilots, principalType: "Group", role: "User" },
      { principal: ada, principalType: "User", role: "User" },
    ];
    const created = (await assignments.create(input(app.servicePrincipalId, list, { allowDelete: true }))).outs;
    expect(await assignments.diff("x", created, input(app.servicePrincipalId, [...list].reverse(), { allowDelete: true }))).toMatchObject({ changes: false });
    const fewer = input(app.servicePrincipalId, list.slice(0, 2), { allowDelete: true });
    expect((await assignments.diff("x", created, fewer)).changes).toBe(true);
    emu.clearRequests();
    const after = (await assignments.update("x", created, fewer)).outs;
    // pageSize 2: the third assignment is on the second page, reached through @odata.nextLink.
    expect(emu.requests.filter((r) => r.path.endsWith("/appRoleAssignedTo")).length).toBe(2);
    expect(emu.writes().map((w) => `${w.method} ${w.path.split("/").at(-1)}`)).toEqual([`DELETE ${created.granted[2]!.assignmentId}`]);
    expect(emu.getAssignments(app.servicePrincipalId).map((a) => a.principalId)).toEqual([team, pilots]);

    emu.clearRequests();
    const kept = (await assignments.update("x", after, input(app.servicePrincipalId, list.slice(0, 1), { allowDelete: false }))).outs;
    expect(emu.writes()).toEqual([]);
    expect(kept.granted).toHaveLength(1);
    expect(emu.getAssignments(app.servicePrincipalId)).toHaveLength(2);
  });

  it("read drops an assignment removed in the portal, so the next up re-adds exactly it", async () => {
    const { app, team, pilots } = world();
    const list: AssignmentEntry[] = [
      { principal: team, principalType: "Group", role: "User" },
      { principal: pilots, principalType: "Group", role: "User" },
    ];
    const created = (await assignments.create(input(app.servicePrincipalId, list))).outs;
    emu.editAssignments(app.servicePrincipalId, (a) => a.filter((x) => x.principalId !== pilots));
    const read = (await assignments.read("x", created)).props as typeof created;
    expect(read.assignments).toEqual([list[0]]);
    expect((await assignments.diff("x", read, input(app.servicePrincipalId, list))).changes).toBe(true);
    emu.clearRequests();
    await assignments.update("x", read, input(app.servicePrincipalId, list));
    expect(emu.writes().map((w) => (w.body as { principalId: string }).principalId)).toEqual([pilots]);
  });

  it("fails clearly: unknown or disabled role, a name matching two groups or none, a duplicate entry", async () => {
    const { app, team } = world();
    const twin = `Twins ${Math.random()}`;
    emu.seedGroup({ displayName: twin });
    emu.seedGroup({ displayName: twin });
    await expect(assignments.create(input(app.servicePrincipalId, [{ principal: team, principalType: "Group", role: "Admin" }]))).rejects.toThrow(
      /Assign: the app has no enabled role "Admin" that users and groups can be assigned \(roles that fit: User, msiam_access\)/,
    );
    await expect(assignments.create(input(app.servicePrincipalId, [{ principal: team, principalType: "ServicePrincipal", role: "User" }]))).rejects.toThrow(/roles that fit: none/);
    await expect(assignments.create(input(app.servicePrincipalId, [{ principal: twin, principalType: "Group", role: "User" }]))).rejects.toThrow(/expected exactly one group with display name "Twins [^"]+", found 2/);
    await expect(assignments.create(input(app.servicePrincipalId, [{ principal: "nobody@contoso.test", principalType: "User", role: "User" }]))).rejects.toThrow(/found 0/);
    expect(emu.writes()).toEqual([]);
    const dup = await assignments.check({}, input(app.servicePrincipalId, [{ principal: team, principalType: "Group", role: "User" }, { principal: team, principalType: "Group", role: "User" }]) as never);
    expect(dup.failures).toEqual([{ property: "assignments[1]", reason: `Group ${team} is assigned the role User twice` }]);
  });

  it("honours 429 Retry-After on a POST and still writes once", async () => {
    const { app, team } = world();
    emu.faults.inject({ method: "POST", path: "/appRoleAssignedTo", status: 429, retryAfter: 1 });
    emu.clearRequests();
    await assignments.create(input(app.servicePrincipalId, [{ principal: team, principalType: "Group", role: "User" }]));
    expect(emu.requests.filter((r) => r.method === "POST").map((r) => r.status)).toEqual([429, 201]);
    expect(emu.getAssignments(app.servicePrincipalId)).toHaveLength(1);
  });

  it("object ids from anywhere: bare, /groups/{id}, /servicePrincipals/{id}; names are not ids", () => {
    const id = "5E6f7a8b-1c2d-4e3f-8a9b-0c1d2e3f4a5b";
    expect(objectIdOf(id)).toBe(id.toLowerCase());
    expect(objectIdOf(`/servicePrincipals/${id}`)).toBe(id.toLowerCase());
    expect(objectIdOf("SCIM Pilot")).toBeUndefined();
    expect(objectIdOf(`/applications/${id}`)).toBeUndefined();
  });
});

describe("ProvisionOnDemand", () => {
  const podInputs = (app: { servicePrincipalId: string; jobId: string; ruleId: string }, principal: string): ProvisionOnDemandInputs => ({
    graph,
    servicePrincipalId: app.servicePrincipalId,
    jobId: app.jobId,
    ruleId: app.ruleId,
    appName: "On demand",
    subjects: [{ principal, principalType: "User" }],
    providerVersion: v,
  });

  it("succeeds for a user assigned through a group, and fails naming Graph's reason for a skipped one", async () => {
    const app = emu.seedApp({ template: "non-gallery", displayName: "On demand" });
    const ada = emu.seedUser({ displayName: "Ada", userPrincipalName: `ada.${Math.random()}@contoso.test` });
    const bob = emu.seedUser({ displayName: "Bob", userPrincipalName: `bob.${Math.random()}@contoso.test` });
    const group = emu.seedGroup({ displayName: `Pilot ${Math.random()}`, members: [ada] });
    await assignments.create({ graph, servicePrincipalId: app.servicePrincipalId, assignments: [{ principal: group, principalType: "Group", role: "User" }], providerVersion: v });
    const ok = await onDemand.create(podInputs(app, ada));
    expect(ok.outs.results).toEqual([{ principal: ada, objectId: ada, result: "Success", action: "Create" }]);
    await expect(onDemand.create(podInputs(app, bob))).rejects.toThrow(/On demand: provision on demand of user .* ended Skipped: NotEffectivelyEntitled — The user is not assigned to the application/);
    expect(await onDemand.diff("x", ok.outs, { ...podInputs(app, ada), trigger: "mappings changed" })).toMatchObject({ changes: true, replaces: [] });
    expect(await onDemand.diff("x", ok.outs, podInputs(app, ada))).toMatchObject({ changes: false });
  });

  it("waits out the 5-per-10-seconds limit (429 + Retry-After) instead of failing", async () => {
    const app = emu.seedApp({ template: "non-gallery", displayName: "On demand" });
    const ada = emu.seedUser({ displayName: "Ada", userPrincipalName: `ada.${Math.random()}@contoso.test` });
    await assignments.create({ graph, servicePrincipalId: app.servicePrincipalId, assignments: [{ principal: ada, principalType: "User", role: "User" }], providerVersion: v });
    emu.faults.inject({ path: "/provisionOnDemand", status: 429, retryAfter: 1 });
    emu.clearRequests();
    await onDemand.create(podInputs(app, ada));
    expect(emu.requests.map((r) => r.status)).toEqual([429, 200]);
  });

  it("reads the cross-tenant response shape (plain key, array value) and failed steps", () => {
    const failed = onDemandOutcome({
      key: "Microsoft.Identity.Health.CPP.Common.DataContracts.SyncFabric.StatusInfo",
      value: [{ provisioningSteps: [{ name: "EntryImport", status: "Success" }, { name: "EntryExportAdd", status: "Failure", description: "The target returned 409" }] }],
      raw: { key: "", value: "" },
    });
    expect(failed).toMatchObject({ result: "Failure", reason: "EntryExportAdd: The target returned 409" });
    expect(onDemandOutcome({ key: { result: "Success", details: {} }, value: {}, raw: { key: "", value: "" } }).result).toBe("Success");
  });
});
