/**
 * Graph's failures through the real program (src/index.ts, Pulumi.yaml's `main`) and the real engine, against the
 * Graph emulator's fault injection (issue 20 item 1; docs/reliability.md says which Graph documentation each fault
 * stands for). Per fault: what `up` did (converged, or failed with which message), the writes it sent and how many
 * were applied, whether what was configured before is still there (the emulator's state — apps, jobs, secrets,
 * schemas, assignments, schedules — compared before and after), and whether the next `up` converges.
 *
 * Before each faulted `up`, a portal-style edit undoes one mapping row and removes the app's assignments, so the
 * `up` must write: one schema PUT (idempotent) and one assignment POST (not idempotent). The table is printed at
 * the end; with SCIMOPS_RELIABILITY_DOC=1 it is also written into docs/reliability.md.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Stack } from "@pulumi/pulumi/automation";
import { backendText, isolatedPulumiEnv, openStack, transpileOnlyFromNow } from "./workspace";
import { startGraphEmulator, type FaultRule, type GraphEmulator, type RequestLogEntry } from "../emulators/graph";

const root = join(__dirname, "..", "..");
const STACK = "e2efaults";
const stackFile = join(root, "stacks", `Pulumi.${STACK}.yaml`);
const work = mkdtempSync(join(tmpdir(), "scimops-faults-"));
const TOKENS = { jumpcloudApiKey: "jc-faults-token-0a11", airstackSecretToken: "airstack-faults-token-0b22", spaceiqScimToken: "spaceiq-faults-token-0c33" };
const ROTATED = "jc-faults-rotated-0d44";
const REJECTED = "jc-faults-rejected-0e55";
const SLOW = 900_000;
const JUMPCLOUD = "Real-time JumpCloud Import";

type StackAppEntry = { name: string; [k: string]: unknown };
interface Row {
  fault: string;
  outcome: string;
  writes: string;
  preserved: string;
  nextUp: string;
  seconds: number;
}

let emulator: GraphEmulator;
let stack: Stack;
let env: Record<string, string>;
const engineOutput: string[] = [];
const collect = (s: string) => void engineOutput.push(s);
const rows: Row[] = [];

function editStack(edit: (config: Record<string, unknown>) => void) {
  const doc = parse(readFileSync(stackFile, "utf8")) as { config: Record<string, unknown> };
  edit(doc.config);
  writeFileSync(stackFile, stringify(doc));
}
const addApp = (name: string) => editStack((c) => void (c["scimops:apps"] = [...(c["scimops:apps"] as StackAppEntry[]), { name, idps: ["entra"], assignments: [{ group: "SCIM Pilot", role: "User" }] }]));

const spOf = (displayName: string) => emulator.servicePrincipals().find((s) => s.displayName === displayName)!;

/** What the tenant holds, per enterprise app (by name): its jobs with schedule and schema, secrets, assignments. */
function snapshot() {
  return emulator
    .servicePrincipals()
    .map((sp) => ({
      displayName: sp.displayName,
      servicePrincipalId: sp.id,
      jobs: sp.jobIds.map((id) => ({ id, schedule: emulator.getJob(sp.id, id).schedule, schema: emulator.getSchema(sp.id, id) })),
      secrets: emulator.getSecrets(sp.id),
      // Ids change when an assignment is re-made; what is assigned is principal and role.
      assignments: emulator
        .getAssignments(sp.id)
        .map((a) => `${a.principalDisplayName}|${a.appRoleId}`)
        .sort(),
    }))
    .sort((a, b) => a.displayName.localeCompare(b.displayName));
}
type Snapshot = ReturnType<typeof snapshot>;

/** A portal edit the next `up` must repair: one mapping row changed, every assignment removed. */
function drift(displayName = JUMPCLOUD) {
  const sp = spOf(displayName);
  emulator.editSchema(sp.id, sp.jobIds[0]!, (schema) => {
    const users = schema.synchronizationRules[0]!.objectMappings.find((m) => m.sourceObjectName === "User")!;
    users.attributeMappings.find((a) => a.targetAttributeName === "displayName")!.source = { type: "Attribute", name: "mail", expression: "[mail]", parameters: [] };
  });
  emulator.editAssignments(sp.id, () => []);
}

/** Writes of one step: all sent, and those the emulator applied (2xx, or a reset after the change was applied). */
function writesOf(log: readonly RequestLogEntry[]) {
  const sent = log.filter((r) => r.method !== "GET");
  const applied = sent.filter((r) => (r.status >= 200 && r.status < 300) || r.fault?.endsWith("-after-apply"));
  return { sent: sent.length, applied: applied.length, list: sent.map((r) => `${r.method} ${r.path.replace(/^\/servicePrincipals\/[^/]+/, "/sp").replace(/\/jobs\/[^/]+/, "/jobs/{job}").replace(/\/applicationTemplates\/[^/]+/, "/applicationTemplates/{id}")} ${r.status}${r.fault ? ` (${r.fault})` : ""}`) };
}

/** One engine `up --refresh`; resolves to the error text when it fails. */
async function up(): Promise<{ ok: boolean; message: string; log: RequestLogEntry[]; seconds: number }> {
  emulator.clearRequests();
  const started = Date.now();
  try {
    await stack.up({ refresh: true, onOutput: collect });
    return { ok: true, message: "", log: [...emulator.requests], seconds: (Date.now() - started) / 1000 };
  } catch (e) {
    const text = String((e as Error).message ?? e);
    engineOutput.push(text);
    return { ok: false, message: text, log: [...emulator.requests], seconds: (Date.now() - started) / 1000 };
  }
}

/** The provider's error in the engine's failure, without the Graph error it wraps (the test asserts the full text). */
function causeOf(message: string): string {
  const line = message.split("\n").find((l) => / error: /.test(l) && !/error: update failed/.test(l)) ?? message;
  const text = line.slice(line.indexOf(" error: ") + 8).trim();
  const nested = text.indexOf(' app "', 1);
  const cause = nested > 0 ? text.slice(0, nested) : text;
  return cause.replace(/\/servicePrincipals\/[^/)\s]+/g, "/servicePrincipals/{sp}").replace(/\/jobs\/[^/)\s]+/g, "/jobs/{job}").replace(/ \[request-id [^\]]+\]/, "");
}

function expectNoDuplicates() {
  const names = emulator.servicePrincipals().map((s) => s.displayName);
  expect(names).toEqual([...new Set(names)]);
  for (const sp of emulator.servicePrincipals()) {
    expect(sp.jobIds, sp.displayName).toHaveLength(1);
    const keys = emulator.getAssignments(sp.id).map((a) => `${a.principalId}|${a.appRoleId}`);
    expect(keys, sp.displayName).toEqual([...new Set(keys)]);
  }
}

/** Checks that every part of every app after a failed `up` equals the part before it or the declared one; names those repaired. */
function partsBeforeOrDeclared(before: Snapshot, after: Snapshot, declared: Snapshot): string[] {
  expect(after.map((a) => a.servicePrincipalId)).toEqual(before.map((a) => a.servicePrincipalId));
  const repaired: string[] = [];
  for (const [i, app] of after.entries()) {
    for (const part of ["jobs", "secrets", "assignments"] as const) {
      const now = JSON.stringify(app[part]);
      const was = JSON.stringify(before[i]![part]);
      if (now === was) continue;
      expect(now, `${app.displayName} ${part}`).toBe(JSON.stringify(declared[i]![part]));
      repaired.push(`${part === "jobs" ? "schema" : part}`);
    }
  }
  return repaired;
}

/**
 * Drift, fault, `up`, then the next `up`: the faulted one converges back to `desired` (or, when `fails` is given,
 * fails with that message and loses nothing), the next converges, and the one after writes nothing.
 */
async function underFault(fault: string, inject: () => void, options: { desired: () => Snapshot; drift?: boolean; fails?: RegExp; beforeNextUp?: () => Promise<void>; nextUpNote?: string }) {
  if (options.drift !== false) drift();
  const before = snapshot();
  inject();
  const faulted = await up();
  emulator.faults.clear();
  emulator.faults.latencyMs = 0;
  emulator.faults.replicationLagMs = 0;
  const after = snapshot();
  expectNoDuplicates();
  const w = writesOf(faulted.log);
  const answeredByFault = faulted.log.filter((r) => r.fault !== undefined).length;
  let preserved: string;
  if (options.fails) {
    expect(faulted.ok, faulted.message).toBe(false);
    expect(faulted.message).toMatch(options.fails);
    // Nothing lost, nothing half-written: each part of each app is as it was, or as declared.
    const repaired = partsBeforeOrDeclared(before, after, options.desired());
    preserved = repaired.length ? `yes (unchanged, but repaired: ${repaired.join(", ")})` : "yes (state unchanged)";
  } else {
    expect(faulted.ok, `${fault}: ${faulted.message}`).toBe(true);
    expect(after).toEqual(options.desired());
    preserved = "yes (equal to the declared state)";
  }
  // The next up converges; when the faulted one converged, it writes nothing.
  await options.beforeNextUp?.();
  const next = await up();
  expect(next.ok, next.message).toBe(true);
  expectNoDuplicates();
  let nextUp: string;
  if (faulted.ok) {
    expect(writesOf(next.log).list).toEqual([]);
    nextUp = "0 writes";
  } else {
    const healed = writesOf(next.log).applied;
    const third = await up();
    expect(third.ok, third.message).toBe(true);
    expect(writesOf(third.log).list).toEqual([]);
    nextUp = `converges (${healed} ${healed === 1 ? "write" : "writes"}${options.nextUpNote ? `: ${options.nextUpNote}` : ""}), then 0 writes`;
  }
  expect(snapshot()).toEqual(options.desired());
  rows.push({
    fault,
    outcome: faulted.ok ? `converged (${answeredByFault} ${answeredByFault === 1 ? "answer was a fault" : "answers were faults"})` : `failed: ${causeOf(faulted.message)}`,
    writes: `${w.sent} sent, ${w.applied} applied`,
    preserved,
    nextUp,
    seconds: Math.round(faulted.seconds * 10) / 10,
  });
  return { faulted, w, next };
}

function tableText(): string {
  const head = "| Fault | Outcome of `up` | Writes (sent, applied) | State preserved | Next `up` | `up` time (s) |\n|---|---|---|---|---|---|";
  return [head, ...rows.map((r) => `| ${r.fault} | ${r.outcome.replace(/\|/g, "\\|")} | ${r.writes} | ${r.preserved} | ${r.nextUp} | ${r.seconds} |`)].join("\n");
}

let desired: Snapshot;

beforeAll(async () => {
  emulator = await startGraphEmulator();
  const pilot = emulator.seedUser({ displayName: "pilot.user", userPrincipalName: "pilot.user@contoso.example", mail: "pilot.user@contoso.example", mailNickname: "pilot.user" });
  emulator.seedGroup({ displayName: "SCIM Pilot", members: [pilot] });
  env = { ...isolatedPulumiEnv(work, "faults-e2e"), SCIMOPS_GRAPH_ACCESS_TOKEN: emulator.token };
  process.env.PATH = env.PATH;
  copyFileSync(join(root, "stacks", "Pulumi.dev.yaml"), stackFile);
  editStack((c) => {
    c["scimops:graphBaseUrl"] = emulator.url;
    // One Entra-only app to start with; two more are added under faults of their own.
    c["scimops:apps"] = [{ name: "jumpcloud", idps: ["entra"], assignments: [{ group: "SCIM Pilot", role: "User" }] }];
  });
  stack = await openStack(STACK, root, env);
  for (const [key, value] of Object.entries(TOKENS)) await stack.setConfig(`scimops:${key}`, { value, secret: true });
}, 1_800_000);

afterAll(async () => {
  if (rows.length) {
    const table = tableText();
    console.log(`fault table:\n${table}`);
    if (process.env.SCIMOPS_RELIABILITY_DOC === "1") {
      const doc = join(root, "docs", "reliability.md");
      const text = readFileSync(doc, "utf8");
      const start = "<!-- fault-table:start -->";
      const end = "<!-- fault-table:end -->";
      writeFileSync(doc, `${text.slice(0, text.indexOf(start) + start.length)}\n${table}\n${text.slice(text.indexOf(end))}`);
    }
  }
  await stack?.workspace.removeStack(STACK, { force: true }).catch(() => undefined);
  rmSync(stackFile, { force: true });
  await emulator?.close();
  rmSync(work, { recursive: true, force: true });
});

const storm = (rule: FaultRule) => () => void emulator.faults.inject(rule);

describe("Graph's failures through the real program and engine", () => {
  it("a first up creates the app; a second writes nothing", async () => {
    const first = await up();
    expect(first.ok, first.message).toBe(true);
    expectNoDuplicates();
    // Type-checked once; the later runs transpile only, to keep the suite short.
    transpileOnlyFromNow(stack, env);
    const second = await up();
    expect(writesOf(second.log).list).toEqual([]);
    desired = snapshot();
    expect(desired.map((a) => a.displayName)).toEqual([JUMPCLOUD]);
    expect(desired[0]!.assignments).toHaveLength(1);
    expect(desired[0]!.jobs[0]!.schedule.state).toBe("Active");
  }, SLOW);

  it("429 storm: every request answered 429 with Retry-After 1 s for 3 s", async () => {
    const { faulted } = await underFault("429 storm: every request 429, Retry-After 1 s, for 3 s", storm({ status: 429, retryAfter: 1, forMs: 3000 }), { desired: () => desired });
    expect(faulted.log.filter((r) => r.status === 429).length).toBeGreaterThan(1);
    // Each 429 was followed by a wait of at least the Retry-After before the same call came again.
    expect(writesOf(faulted.log).list.filter((l) => / 2\d\d$/.test(l)).sort()).toEqual(["POST /sp/appRoleAssignedTo 201", "PUT /sp/synchronization/jobs/{job}/schema 204"]);
  }, SLOW);

  it("5xx burst: 503 on every request for 3 s, and a 504 after the schema PUT was applied", async () => {
    await underFault(
      "5xx burst: every request 503 for 3 s; schema PUT applied, then 504",
      () => {
        emulator.faults.inject({ method: "PUT", path: "/schema", status: 504, afterApply: true });
        emulator.faults.inject({ status: 503, forMs: 3000 });
      },
      { desired: () => desired },
    );
  }, SLOW);

  it("a Retry-After beyond the client's limit: up stops at once and says why", async () => {
    await underFault("429 with Retry-After 600 s on the schema PUT (limit 120 s)", storm({ method: "PUT", path: "/schema", status: 429, retryAfter: 600 }), {
      desired: () => desired,
      fails: /Graph call "PUT schema" \(PUT \/servicePrincipals\/[^)]+\/schema\) failed: HTTP 429, code TooManyRequests: Too many requests\. \(Retry-After 600 s exceeds the 120 s limit\)/,
    });
  }, SLOW);

  it("a 503 that does not end: the schema PUT gives up after its attempts and says so", async () => {
    await underFault("503 on every schema PUT, without end", storm({ method: "PUT", path: "/schema", status: 503, times: Infinity }), {
      desired: () => desired,
      fails: /Graph call "PUT schema" .* failed: HTTP 503, code ServiceUnavailable: The service is temporarily unavailable\. \(gave up after 6 attempts\)/,
    });
  }, SLOW);

  it("latency spike: +2 s on every request for 8 s", async () => {
    const { faulted } = await underFault("latency spike: +2 s on every request for 8 s", storm({ latencyMs: 2000, forMs: 8000 }), { desired: () => desired });
    expect(faulted.log.filter((r) => r.endedAt - r.startedAt >= 1900).length).toBeGreaterThan(0);
  }, SLOW);

  it("connection reset mid schema PUT, before the change is applied", async () => {
    const { w } = await underFault("connection reset mid schema PUT, before apply", storm({ method: "PUT", path: "/schema", reset: true }), { desired: () => desired });
    expect(w.list.filter((l) => l.startsWith("PUT")).map((l) => l.replace(/^.* (\d+)( \(.*\))?$/, "$1$2"))).toEqual(["0 (reset)", "204"]);
  }, SLOW);

  it("connection reset mid schema PUT, after the change is applied", async () => {
    const { w } = await underFault("connection reset mid schema PUT, after apply", storm({ method: "PUT", path: "/schema", reset: true, afterApply: true }), { desired: () => desired });
    // The PUT is sent again with the same body: applied twice, with the same result.
    expect(w.list.filter((l) => l.startsWith("PUT")).map((l) => l.replace(/^.* (\d+)( \(.*\))?$/, "$1$2"))).toEqual(["0 (reset-after-apply)", "204"]);
  }, SLOW);

  it("connection reset after an assignment POST was applied: recovered by reading, not posted again", async () => {
    const { w } = await underFault("connection reset after an assignment POST was applied", storm({ method: "POST", path: "/appRoleAssignedTo", reset: true, afterApply: true }), { desired: () => desired });
    expect(w.list.filter((l) => l.startsWith("POST /sp/appRoleAssignedTo"))).toEqual(["POST /sp/appRoleAssignedTo 0 (reset-after-apply)"]);
  }, SLOW);

  it("connection reset after instantiate and after POST job were applied, adding an app: one app, one job", async () => {
    addApp("airstack");
    const { w } = await underFault(
      "connection reset after instantiate and after POST job were applied (new app)",
      () => {
        emulator.faults.inject({ method: "POST", path: "/instantiate", reset: true, afterApply: true });
        emulator.faults.inject({ method: "POST", path: /\/synchronization\/jobs$/, reset: true, afterApply: true });
      },
      { desired: () => snapshot(), drift: false },
    );
    expect(w.list.filter((l) => /instantiate|jobs \d|jobs 0/.test(l))).toEqual(["POST /applicationTemplates/{id}/instantiate 0 (reset-after-apply)", "POST /sp/synchronization/jobs 0 (reset-after-apply)"]);
    expect(emulator.servicePrincipals().filter((s) => s.displayName === "Airstack")).toHaveLength(1);
    desired = snapshot();
  }, SLOW);

  it("replication lag: a new app's service principal answers 404/403/409 for 6 s after it is created", async () => {
    addApp("spaceiq");
    const { faulted } = await underFault(
      "replication lag: new app answers 404/403/409 for 6 s",
      () => {
        emulator.faults.replicationLagMs = 6000;
        emulator.faults.replicationLagStatuses = [404, 403, 409];
      },
      { desired: () => snapshot(), drift: false },
    );
    expect(faulted.log.filter((r) => r.fault?.startsWith("lag")).length).toBeGreaterThan(0);
    expect(emulator.getAssignments(spOf("SpaceIQ").id)).toHaveLength(1);
    desired = snapshot();
  }, SLOW);

  it("the target starts rejecting the token: up with a token it rejects fails clearly and keeps the secrets; with the accepted one it converges", async () => {
    const jc = spOf(JUMPCLOUD);
    emulator.setAcceptedSecretToken(jc.id, ROTATED, { quarantine: true });
    // As Entra reports it: the running job is quarantined with the credential error.
    expect(emulator.getJob(jc.id, jc.jobIds[0]!).status.quarantine?.reason).toBe("EncounteredQuarantineException");
    // Nothing in the stack changed: up does not test credentials it did not change, and writes nothing.
    const unchanged = await up();
    expect(unchanged.ok, unchanged.message).toBe(true);
    expect(writesOf(unchanged.log).list).toEqual([]);
    await stack.setConfig("scimops:jumpcloudApiKey", { value: REJECTED, secret: true });
    const rotated = () => desired.map((a) => (a.displayName === JUMPCLOUD ? { ...a, secrets: a.secrets.map((kv) => (kv.key === "SecretToken" ? { ...kv, value: ROTATED } : kv)) } : a));
    const { faulted, next } = await underFault("target starts rejecting the token; the stack then sends one it also rejects, then the accepted one", () => undefined, {
      desired: rotated,
      drift: false,
      nextUpNote: "validateCredentials, PUT secrets, restart with resetScope QuarantineState",
      fails: /the provisioning target rejected the credentials \(tenant URL https:\/\/api\.jumpcloud\.com\/scim\/v2\/\?aadOptscim062020\); the synchronization secrets were NOT changed/,
      // The operator puts the token the target accepts now into the stack.
      beforeNextUp: async () => {
        // Neither the up that changed nothing nor the one whose token was rejected touched the quarantine.
        expect(emulator.getJob(jc.id, jc.jobIds[0]!).status.code).toBe("Quarantine");
        await stack.setConfig("scimops:jumpcloudApiKey", { value: ROTATED, secret: true });
      },
    });
    // The rejected token was tested, never saved.
    expect(writesOf(faulted.log).list).toEqual(["POST /sp/synchronization/jobs/{job}/validateCredentials 400"]);
    expect(faulted.message).not.toContain(REJECTED);
    // The up with the accepted token tested it, saved it, and restarted the quarantined job once, lifting the
    // quarantine only (resetScope QuarantineState): the job runs again instead of waiting for Entra's next cycle.
    expect(writesOf(next.log).list).toEqual(["POST /sp/synchronization/jobs/{job}/validateCredentials 204", "PUT /sp/synchronization/secrets 204", "POST /sp/synchronization/jobs/{job}/restart 204"]);
    expect(next.log.find((r) => r.path.endsWith("/restart"))!.body).toEqual({ criteria: { resetScope: "QuarantineState" } });
    const job = emulator.getJob(jc.id, jc.jobIds[0]!);
    expect(job.status.code).toBe("Active");
    expect(job.status.quarantine).toBeNull();
    expect(job.schedule.state).toBe("Active");
    desired = snapshot();
  }, SLOW);

  it("never shows a token in plain text: state, engine output", () => {
    const everything = `${backendText(work)}\n${engineOutput.join("\n")}`;
    for (const token of [...Object.values(TOKENS), ROTATED, REJECTED]) expect(everything).not.toContain(token);
    expect(everything).not.toContain(emulator.token);
  }, SLOW);
});
