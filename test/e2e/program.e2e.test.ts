/**
 * The real program (src/index.ts, Pulumi.yaml's `main`) through the real engine against the Graph
 * emulator: the dev stack's Entra apps are created, configured, assigned and started by our own
 * Graph-backed resources (no azuread plugin), with type-checking on for the first run as users run it.
 * The Okta side of IronWifi is left out through stack config (`idps: [entra]`), so the missing okta
 * plugin cannot stop the run. The closing log prints the request counts per step.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Stack } from "@pulumi/pulumi/automation";
import { backendText, isolatedPulumiEnv, openStack, pulumiCli, transpileOnlyFromNow } from "./workspace";
import { startGraphEmulator, type GraphEmulator, type RequestLogEntry } from "../emulators/graph";

const root = join(__dirname, "..", "..");
const STACK = "e2eprogram";
const stackFile = join(root, "stacks", `Pulumi.${STACK}.yaml`);
const work = mkdtempSync(join(tmpdir(), "scimops-program-"));
const TOKENS: Record<string, string> = {
  ipassSmartConnectToken: "ipass-e2e-token-5e1a77",
  ironwifiScimToken: `scim_${"ab12".repeat(16)}`,
  jumpcloudApiKey: "jc-e2e-api-key-77f0aa",
  airstackSecretToken: "airstack-e2e-token-9c3d",
  spaceiqScimToken: "spaceiq-e2e-token-41b8",
};
const CONTRACTORS = "O'Brien's Contractors";
/** Per test: each runs up to three engine operations, and the machine may be shared. */
const SLOW = 900_000;
const DISPLAY_NAMES = ["iPass SmartConnect", "IronWifi SCIM", "Real-time JumpCloud Import", "Airstack", "SpaceIQ"];

type StackAppEntry = { name: string; idps?: string[]; assignments?: { group: string; role: string }[]; [k: string]: unknown };

let emulator: GraphEmulator;
let stack: Stack;
let env: Record<string, string>;
const engineOutput: string[] = [];
const collect = (s: string) => void engineOutput.push(s);
const counts: Record<string, ReturnType<typeof countRequests>> = {};

/** Requests of the emulator's log for one step: totals, lag and throttling answers, and per call. */
function countRequests(log: readonly RequestLogEntry[]) {
  const byCall: Record<string, number> = {};
  for (const r of log) {
    const key = `${r.method} ${r.path.replace(/^\/servicePrincipals\/[^/]+/, "/servicePrincipals/{sp}").replace(/\/jobs\/[^/]+/, "/jobs/{job}").replace(/\/(applicationTemplates|applications|appRoleAssignedTo)\/[^/]+/, "/$1/{id}")}`;
    byCall[key] = (byCall[key] ?? 0) + 1;
  }
  return {
    requests: log.length,
    writes: log.filter((r) => r.method !== "GET").length,
    lag: log.filter((r) => r.fault?.startsWith("lag")).length,
    throttled: log.filter((r) => r.status === 429).length,
    byCall,
  };
}
const step = (name: string) => (counts[name] = countRequests(emulator.requests));
const writes = () => emulator.writes().filter((w) => w.status < 400);

/** Edits the e2e stack file's `config:` block (keeps the encrypted tokens and the salt). */
function editStack(edit: (config: Record<string, unknown>) => void) {
  const doc = parse(readFileSync(stackFile, "utf8")) as { config: Record<string, unknown> };
  edit(doc.config);
  writeFileSync(stackFile, stringify(doc));
}
const editApps = (edit: (apps: StackAppEntry[]) => StackAppEntry[]) => editStack((c) => void (c["scimops:apps"] = edit(c["scimops:apps"] as StackAppEntry[])));

const spOf = (displayName: string) => emulator.servicePrincipals().find((s) => s.displayName === displayName);

const pulumi = (args: string[]) => pulumiCli(args, STACK, root, env);

beforeAll(async () => {
  // Every instantiated app's service principal answers 404 for a while, as Graph does (replication lag).
  emulator = await startGraphEmulator({ replicationLagMs: 1500 });
  emulator.faults.replicationLagStatuses = [404];
  // The directory holds what the dev stack names: its on-demand users, members of every group it assigns.
  const devApps = (parse(readFileSync(join(root, "stacks", "Pulumi.dev.yaml"), "utf8")) as { config: Record<string, StackAppEntry[]> }).config["scimops:apps"]!;
  const upns = [...new Set(devApps.flatMap((a) => ((a.provisionOnDemand as { user: string }[] | undefined) ?? []).map((p) => p.user)))];
  const users = upns.map((upn) => emulator.seedUser({ displayName: upn.split("@")[0]!, userPrincipalName: upn, mail: upn, mailNickname: upn.split("@")[0]! }));
  for (const group of new Set(devApps.flatMap((a) => (a.assignments ?? []).map((x) => x.group)))) emulator.seedGroup({ displayName: group, members: users });
  emulator.seedGroup({ displayName: CONTRACTORS });
  env = {
    ...isolatedPulumiEnv(work, "program-e2e"),
    SCIMOPS_GRAPH_ACCESS_TOKEN: emulator.token,
  };
  process.env.PATH = env.PATH;
  copyFileSync(join(root, "stacks", "Pulumi.dev.yaml"), stackFile);
  editStack((c) => {
    c["scimops:graphBaseUrl"] = emulator.url;
    c["scimops:apps"] = (c["scimops:apps"] as StackAppEntry[]).map((a) => ({
      ...a,
      // The Okta part is not under test here: it needs the okta plugin.
      idps: ["entra"],
      ...(a.name === "jumpcloud" ? { assignments: [...(a.assignments ?? []), { group: CONTRACTORS, role: "User" }] } : {}),
    }));
  });
  stack = await openStack(STACK, root, env);
  for (const [key, value] of Object.entries(TOKENS)) await stack.setConfig(`scimops:${key}`, { value, secret: true });
}, 1_800_000);

afterAll(async () => {
  if (Object.keys(counts).length) console.log(`graph requests per step: ${JSON.stringify(counts, null, 1)}`);
  await stack?.workspace.removeStack(STACK, { force: true }).catch(() => undefined);
  rmSync(stackFile, { force: true });
  await emulator?.close();
  rmSync(work, { recursive: true, force: true });
});

describe("the real program under the real engine against the Graph emulator", () => {
  it("up creates every app, job, setting, schema and assignment, waits out replication lag and throttling, and starts provisioning", async () => {
    // One throttled instantiate: the client must wait the Retry-After and go on.
    emulator.faults.inject({ method: "POST", path: "/instantiate", status: 429, retryAfter: 1 });
    emulator.clearRequests();
    const up = await stack.up({ onOutput: collect });
    step("first up");
    const output = engineOutput.join("");
    expect(output).not.toMatch(/TSError|Unable to compile TypeScript|no resource plugin/);
    expect(up.summary.result).toBe("succeeded");

    const sps = emulator.servicePrincipals();
    expect(sps.map((s) => s.displayName).sort()).toEqual([...DISPLAY_NAMES].sort());
    const outputs = up.outputs.apps!.value as Record<string, { entra: { servicePrincipalId: string; jobId: string } }>;
    for (const [name, out] of Object.entries(outputs)) {
      const sp = sps.find((s) => s.id === out.entra.servicePrincipalId);
      expect(sp, name).toBeDefined();
      // One job per app, Graph's own id, running after settings and schema were written.
      expect(sp!.jobIds).toEqual([out.entra.jobId]);
      expect(emulator.getJob(sp!.id, out.entra.jobId).schedule.state).toBe("Active");
      const secrets = Object.fromEntries(emulator.getSecrets(sp!.id).map((s) => [s.key, s.value]));
      expect(secrets.BaseAddress, name).toMatch(/^https:\/\//);
      expect(Object.values(TOKENS)).toContain(secrets.SecretToken);
      const users = emulator.getSchema(sp!.id, out.entra.jobId).synchronizationRules[0]!.objectMappings.find((m) => m.sourceObjectName === "User")!;
      expect(users.attributeMappings.length, name).toBeGreaterThan(3);
    }
    const jumpcloud = spOf("Real-time JumpCloud Import")!;
    const contractors = emulator.requests.find((r) => r.path === "/groups" && decodeURIComponent(r.query).includes("O''Brien''s Contractors"));
    expect(contractors?.status).toBe(200);
    expect(emulator.getAssignments(jumpcloud.id).map((a) => a.principalDisplayName).sort()).toEqual([CONTRACTORS, "SCIM Pilot"]);
    for (const sp of sps) expect(emulator.getAssignments(sp.id).some((a) => a.principalDisplayName === "SCIM Pilot"), sp.displayName).toBe(true);
    // Provision on demand of the pilot user (assigned through SCIM Pilot) succeeded; replication lag and 429 were waited out.
    expect(emulator.requests.filter((r) => r.path.endsWith("/provisionOnDemand")).map((r) => r.status)).toEqual([200]);
    expect(counts["first up"]!.lag).toBeGreaterThan(0);
    expect(counts["first up"]!.throttled).toBe(1);
  }, SLOW);

  it("a second up makes zero writes", async () => {
    // Type-checked once (first up); the later runs transpile only, to keep the suite short.
    transpileOnlyFromNow(stack, env);
    emulator.clearRequests();
    const up = await stack.up({ onOutput: collect });
    step("second up");
    expect(emulator.writes()).toEqual([]);
    expect(Object.keys(up.summary.resourceChanges ?? {})).toEqual(["same"]);
  }, SLOW);

  it("removing an assignment deletes exactly that one", async () => {
    const jumpcloud = spOf("Real-time JumpCloud Import")!;
    const contractors = emulator.getAssignments(jumpcloud.id).find((a) => a.principalDisplayName === CONTRACTORS)!;
    editApps((apps) => apps.map((a) => (a.name === "jumpcloud" ? { ...a, assignments: a.assignments!.filter((x) => x.group !== CONTRACTORS) } : a)));
    emulator.clearRequests();
    await stack.up({ onOutput: collect });
    step("remove an assignment");
    expect(writes().map((w) => `${w.method} ${w.path}`)).toEqual([`DELETE /servicePrincipals/${jumpcloud.id}/appRoleAssignedTo/${contractors.id}`]);
    expect(emulator.getAssignments(jumpcloud.id).map((a) => a.principalDisplayName)).toEqual(["SCIM Pilot"]);
  }, SLOW);

  it("removing an app without allowDeletion forgets it and writes nothing", async () => {
    editStack((c) => void (c["scimops:allowDeletion"] = false));
    emulator.clearRequests();
    await stack.up({ onOutput: collect });
    expect(emulator.writes()).toEqual([]);
    editApps((apps) => apps.filter((a) => a.name !== "airstack"));
    emulator.clearRequests();
    const kept = await stack.up({ onOutput: collect });
    step("remove an app, guarded");
    expect(kept.summary.resourceChanges?.delete).toBeGreaterThan(0);
    expect(emulator.writes()).toEqual([]);
    expect(spOf("Airstack")).toBeDefined();
  }, SLOW);

  it("removing an app with allowDeletion deletes it with one write", async () => {
    editStack((c) => void (c["scimops:allowDeletion"] = true));
    await stack.up({ onOutput: collect });
    const spaceiq = spOf("SpaceIQ")!;
    editApps((apps) => apps.filter((a) => a.name !== "spaceiq"));
    emulator.clearRequests();
    await stack.up({ onOutput: collect });
    step("remove an app, allowed");
    // One write: the app's job, settings, schema and assignments go with it (deletedWith).
    expect(writes().map((w) => `${w.method} ${w.path}`)).toEqual([`DELETE /applications/${spaceiq.applicationId}`]);
    expect(spOf("SpaceIQ")).toBeUndefined();
    expect(spOf("Airstack")).toBeDefined();
  }, SLOW);

  it("preview --refresh --expect-no-changes passes, then fails after a portal-style edit, writing nothing; up --refresh heals it", async () => {
    emulator.clearRequests();
    const clean = await pulumi(["preview", "--refresh", "--expect-no-changes"]);
    step("drift check, clean");
    expect(clean.status, clean.output).toBe(0);
    expect(emulator.writes()).toEqual([]);

    const jumpcloud = spOf("Real-time JumpCloud Import")!;
    const ironwifi = spOf("IronWifi SCIM")!;
    emulator.editSchema(jumpcloud.id, jumpcloud.jobIds[0]!, (schema) => {
      const users = schema.synchronizationRules[0]!.objectMappings.find((m) => m.sourceObjectName === "User")!;
      users.attributeMappings.find((a) => a.targetAttributeName === "displayName")!.source = { type: "Attribute", name: "mail", expression: "[mail]", parameters: [] };
    });
    const ironwifiAssignments = emulator.getAssignments(ironwifi.id).length;
    expect(ironwifiAssignments).toBeGreaterThan(0);
    emulator.editAssignments(ironwifi.id, () => []);
    emulator.clearRequests();
    const drift = await pulumi(["preview", "--refresh", "--expect-no-changes", "--diff"]);
    step("drift check, after portal edits");
    engineOutput.push(drift.output);
    expect(drift.status, drift.output).not.toBe(0);
    expect(drift.output).toContain("displayName");
    expect(drift.output).toMatch(/ironwifi-entra-assignments/);
    expect(emulator.writes()).toEqual([]);

    emulator.clearRequests();
    await stack.up({ refresh: true, onOutput: collect });
    step("up --refresh, healing");
    // Exactly the repairs: one schema PUT, and each assignment the portal edit removed added back.
    expect(writes().map((w) => `${w.method} ${w.path.replace(/\/jobs\/[^/]+/, "/jobs/{job}")}`).sort()).toEqual(
      [...Array<string>(ironwifiAssignments).fill(`POST /servicePrincipals/${ironwifi.id}/appRoleAssignedTo`), `PUT /servicePrincipals/${jumpcloud.id}/synchronization/jobs/{job}/schema`].sort(),
    );
    expect(emulator.getAssignments(ironwifi.id)).toHaveLength(ironwifiAssignments);
  }, SLOW);

  it("never shows a token in plain text: state, engine output", () => {
    const everything = `${backendText(work)}\n${engineOutput.join("\n")}`;
    for (const token of Object.values(TOKENS)) expect(everything).not.toContain(token);
    expect(everything).not.toContain(emulator.token);
  });
});
