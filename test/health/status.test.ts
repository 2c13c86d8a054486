// `scimops status` against the Graph emulator: a healthy job, a quarantined job with a failed user whose
// error names the userName attribute (attributed to that row of mappings/jumpcloud.yaml), and the exit codes.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { statusCommand } from "../../src/cli/status";
import { attributeFailure } from "../../src/health/status";
import type { SynchronizationStatus } from "../../src/graph/wire";
import { startGraphEmulator, type GraphEmulator, type ProvisioningEntry, type SeededApp } from "../emulators/graph";
import { capture } from "../preview/helpers";

const repo = join(__dirname, "..", "..");
let emulator: GraphEmulator;
let project: string;
let app: SeededApp;
const cwd = process.cwd();

beforeAll(async () => {
  emulator = await startGraphEmulator();
  project = mkdtempSync(join(tmpdir(), "scimops-status-"));
  copyFileSync(join(repo, "Pulumi.yaml"), join(project, "Pulumi.yaml"));
  mkdirSync(join(project, "mappings"));
  mkdirSync(join(project, "stacks"));
  copyFileSync(join(repo, "mappings", "jumpcloud.yaml"), join(project, "mappings", "jumpcloud.yaml"));
  writeFileSync(
    join(project, "stacks", "Pulumi.test.yaml"),
    [
      "config:",
      "  scimops:cloud: global",
      `  scimops:graphBaseUrl: ${emulator.url}`,
      "  scimops:notificationEmail: identity@contoso.example",
      "  scimops:jumpcloudApiKey: { secure: AAABAKeyNotReal }",
      "  scimops:apps:",
      "    - name: jumpcloud",
      "      assignments: [{ group: SCIM Pilot, role: User }]",
      "",
    ].join("\n"),
  );
  // One enterprise app of the stack's name (found by display name: the stack sets no servicePrincipalId).
  app = emulator.seedApp({ template: "non-gallery", displayName: "Real-time JumpCloud Import" });
  emulator.editSecrets(app.servicePrincipalId, () => [
    { key: "BaseAddress", value: "https://api.jumpcloud.com/scim/v2/?aadOptscim062020" },
    { key: "SecretToken", value: "jc-api-key" },
  ]);
});
afterAll(async () => {
  await emulator.close();
  rmSync(project, { recursive: true, force: true });
});
beforeEach(() => {
  process.env.SCIMOPS_GRAPH_ACCESS_TOKEN = emulator.token;
  process.chdir(project);
});
afterEach(() => {
  process.chdir(cwd);
  delete process.env.SCIMOPS_GRAPH_ACCESS_TOKEN;
});

const execution = (state: "Succeeded" | "Failed" | "EntryLevelErrors", escrowed: number) => ({
  activityIdentifier: "b6502552-018d-79bd-8869-a47194dc65c1",
  countEntitled: 12,
  countEntitledForProvisioning: 12,
  countEscrowed: escrowed,
  countEscrowedRaw: escrowed,
  countExported: 11,
  countExports: 11,
  countImported: 12,
  countImportedDeltas: 0,
  countImportedReferenceDeltas: 0,
  error: null,
  state,
  timeBegan: "2026-11-30T08:00:00Z",
  timeEnded: "2026-11-30T08:02:10Z",
});

const failedUser = (spId: string, jobId: string): ProvisioningEntry => ({
  id: "gc532ff9-e265-ec76-861e-42e2970a8218",
  activityDateTime: "2026-11-30T08:01:07Z",
  jobId,
  cycleId: "44576e58-b14b-70fa-8404-3d22ee46ed93",
  changeId: "eaad2f8b-e6e3-409b-83bd-e4e2e57177d5",
  provisioningAction: "create",
  durationInMilliseconds: 2785,
  servicePrincipal: { id: spId, displayName: "Real-time JumpCloud Import" },
  sourceIdentity: { id: "5e6c9eae-ab4d-5239-8ad0-174391d110eb", displayName: "Adele Vance", identityType: "User", details: {} },
  targetIdentity: { id: "", displayName: "", identityType: "User", details: {} },
  provisioningStatusInfo: {
    status: "failure",
    errorInformation: {
      errorCode: "SystemForCrossDomainIdentityManagementBadRequest",
      reason: "Message: JumpCloud returned an error response with the HTTP status code 400. userName: target rejected the value 'adele.vance@contoso.example' (user names may not be email addresses).",
      additionalDetails: null,
      errorCategory: "nonServiceFailure",
      recommendedAction: null,
    },
  },
  provisioningSteps: [{ name: "EntryExportAdd", provisioningStepType: "export", status: "failure", description: "Failed to create User 'Adele Vance' in JumpCloud", details: {} }],
  modifiedProperties: [],
});

/** A synchronizationStatus as the service reports it: "never" is 0001-01-01 for the non-nullable times. */
function setStatus(status: Partial<SynchronizationStatus> & Pick<SynchronizationStatus, "code">) {
  emulator.setJobStatus(app.servicePrincipalId, app.jobId, {
    countSuccessiveCompleteFailures: 0,
    escrowsPruned: false,
    lastExecution: null,
    quarantine: null,
    progress: [],
    steadyStateFirstAchievedTime: "0001-01-01T00:00:00Z",
    steadyStateLastAchievedTime: "0001-01-01T00:00:00Z",
    troubleshootingUrl: null,
    ...status,
  });
}

describe("scimops status", () => {
  it("a healthy job: exit 0; --format json carries the same facts", async () => {
    setStatus({ code: "Active", lastExecution: execution("Succeeded", 0), steadyStateFirstAchievedTime: "2026-11-29T09:00:00Z", steadyStateLastAchievedTime: "2026-11-30T08:02:10Z" });
    const c = capture();
    expect(await statusCommand(["--stack", "test", "--format", "json"], c.io)).toBe(0);
    const doc = JSON.parse(c.text()) as { apps: { app: string; verdict: string; servicePrincipalId: string; failures: unknown[]; steadyStateFirstAchieved: string }[] };
    expect(doc.apps).toHaveLength(1);
    expect(doc.apps[0]).toMatchObject({ app: "jumpcloud", verdict: "healthy", servicePrincipalId: app.servicePrincipalId, failures: [], steadyStateFirstAchieved: "2026-11-29T09:00:00Z" });
  });

  it("a quarantined job with a failed user: exit 1, the quarantine explained and the failure attributed to the userName row", async () => {
    setStatus({
      code: "Quarantine",
      countSuccessiveCompleteFailures: 3,
      lastExecution: execution("EntryLevelErrors", 1),
      quarantine: {
        currentBegan: "2026-11-30T08:02:10Z",
        error: { code: "SystemForCrossDomainIdentityManagementBadRequest", message: "Most calls to the target failed.", tenantActionable: true },
        nextAttempt: "2026-12-01T08:02:10Z",
        reason: "EncounteredEscrowProportionThreshold",
        seriesBegan: "2026-11-29T08:00:00Z",
        seriesCount: 3,
      },
      progress: [{ completedUnits: 9, totalUnits: 12, units: "users", progressObservationDateTime: "2026-11-30T08:02:10Z" }],
    });
    emulator.addProvisioningEntry(failedUser(app.servicePrincipalId, app.jobId));
    emulator.clearRequests();
    const c = capture();
    const code = await statusCommand(["--stack", "test"], c.io);
    expect(c.errText()).toBe("");
    expect(code).toBe(1);
    const out = c.text();
    expect(out).toContain("jumpcloud (Real-time JumpCloud Import): quarantined");
    expect(out).toContain("quarantine  EncounteredEscrowProportionThreshold since 2026-11-30T08:02:10Z (series of 3 since 2026-11-29T08:00:00Z; next attempt 2026-12-01T08:02:10Z): Most calls to the target failed.");
    expect(out).toContain("what to do: most entries failed (escrowed)");
    expect(out).toContain("initial     9/12 users (75%), 3 left");
    expect(out).toContain("escrows     1 (raw 1)");
    expect(out).toContain("credentials the saved credentials work");
    expect(out).toContain("✗ 2026-11-30T08:01:07Z create User Adele Vance: SystemForCrossDomainIdentityManagementBadRequest");
    const line = readFileSync(join(project, "mappings", "jumpcloud.yaml"), "utf8").split("\n").findIndex((l) => l.includes("target: userName")) + 1;
    expect(line).toBeGreaterThan(0);
    expect(out).toMatch(new RegExp(`→ the userName row of mappings/jumpcloud\\.yaml:${line}:\\d+`));
    // Read-only: the one POST is validateCredentials, with the saved credentials.
    const writes = emulator.writes().filter((w) => w.path.includes(app.servicePrincipalId));
    expect(writes.map((w) => `${w.method} ${w.path.replace(/^.*\/jobs\//, "jobs/")}`)).toEqual([`POST jobs/${app.jobId}/validateCredentials`]);
  });

  it("saved credentials the target refuses: failing, exit 1", async () => {
    emulator.setAcceptedSecretToken(app.servicePrincipalId, "another-key");
    const c = capture();
    expect(await statusCommand(["--stack", "test"], c.io)).toBe(1);
    expect(c.text()).toContain("credentials do not work:");
  });

  it("Graph refusing the token, or an unknown stack: exit 2", async () => {
    process.env.SCIMOPS_GRAPH_ACCESS_TOKEN = "not-the-emulator-token";
    const a = capture();
    expect(await statusCommand(["--stack", "test"], a.io)).toBe(2);
    expect(a.errText()).toMatch(/^jumpcloud: error: /);
    const b = capture();
    expect(await statusCommand(["--stack", "nope"], b.io)).toBe(2);
    expect(b.errText()).toContain("stack `nope` not found");
  });

  it("the emulator refuses a job status Graph never reports", () => {
    expect(() => emulator.setJobStatus(app.servicePrincipalId, app.jobId, { code: "Quarantine", quarantine: { reason: "Broken" } } as never)).toThrow(/not a valid quarantineReason/);
    expect(() => emulator.setJobStatus(app.servicePrincipalId, app.jobId, { code: "Active", health: "ok" } as never)).toThrow(/Property 'health' does not exist/);
  });
});

describe("attributing a failure to a mapping row", () => {
  const rows = [
    { mapping: "users" as const, target: "userName", location: "a:1:1" },
    { mapping: "users" as const, target: "name.givenName", location: "a:2:1" },
    { mapping: "users" as const, target: "displayName", location: "a:3:1" },
    { mapping: "groups" as const, target: "displayName", location: "a:9:1" },
  ];
  it("names the row whose target the error names, the longest when several do, none when ambiguous or absent", () => {
    expect(attributeFailure("userName: target rejected the value", rows, "users")?.location).toBe("a:1:1");
    expect(attributeFailure("the attribute name.givenName is required", rows, "users")?.location).toBe("a:2:1");
    expect(attributeFailure("displayName too long", rows, "groups")?.location).toBe("a:9:1");
    expect(attributeFailure("the target returned 500", rows, "users")).toBeUndefined();
    expect(attributeFailure("userNameX is odd", rows, "users")).toBeUndefined();
  });
});

describe("the emulator's provisioning log is strict where Graph is", () => {
  const get = (query: string, method = "GET") => fetch(`${emulator.url}/v1.0/auditLogs/provisioning${query}`, { method, headers: { Authorization: `Bearer ${emulator.token}` } });
  it("filters by service principal and $top; refuses other filters, a bad $top and writes", async () => {
    const mine = (await (await get(`?$filter=${encodeURIComponent(`servicePrincipal/id eq '${app.servicePrincipalId}'`)}&$top=5`)).json()) as { value: { servicePrincipal: { id: string } }[] };
    expect(mine.value.length).toBeGreaterThan(0);
    expect(mine.value.every((e) => e.servicePrincipal.id === app.servicePrincipalId)).toBe(true);
    const other = (await (await get(`?$filter=${encodeURIComponent("servicePrincipal/id eq '00000000-0000-0000-0000-000000000000'")}`)).json()) as { value: unknown[] };
    expect(other.value).toEqual([]);
    expect((await get(`?$filter=${encodeURIComponent("jobId eq 'x' or 1 eq 1")}`)).status).toBe(400);
    expect((await get("?$top=0")).status).toBe(400);
    expect((await get("?$select=id")).status).toBe(400);
    expect((await get("", "POST")).status).toBe(405);
    expect(() => emulator.addProvisioningEntry(failedUser("00000000-0000-0000-0000-000000000000", app.jobId))).toThrow(/no service principal/);
  });
});
