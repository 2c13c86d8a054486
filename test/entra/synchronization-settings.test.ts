/**
 * The SynchronizationSettings provider methods against the emulator over real HTTP: create with
 * validation, no-op, token rotation, rejected credentials, drift, unmanaged keys, delete, faults.
 */
import { describe, expect, it } from "vitest";
import type { GraphConnection } from "../../src/entra/graph";
import {
  synchronizationSettingsProvider as provider,
  type SynchronizationSettingsInputs,
  type SynchronizationSettingsOutputs,
} from "../../src/entra/synchronization-settings";
import { ENTRA_PROVIDER_VERSION } from "../../src/entra/version";
import type { GraphEmulator, SeededApp } from "../emulators/graph/index";
import { useEmulator } from "./support";

let emu: GraphEmulator;
let graph: GraphConnection;
useEmulator((s) => ({ emu, graph } = s));
const BASE = "https://scim.contoso.test/scim";

function seed(token = "token-one-1111", extra: Partial<Parameters<GraphEmulator["seedApp"]>[0]> = {}): SeededApp {
  return emu.seedApp({ template: "non-gallery", displayName: "Contoso SCIM", acceptedSecretToken: token, ...extra });
}

function inputs(app: SeededApp, extra: Partial<SynchronizationSettingsInputs> = {}): SynchronizationSettingsInputs {
  return {
    graph,
    servicePrincipalId: app.servicePrincipalId,
    jobId: app.jobId,
    appName: "Contoso SCIM",
    baseAddress: BASE,
    secretToken: "token-one-1111",
    syncAll: false,
    notifications: { enabled: true, recipients: "ops@contoso.test", deleteThresholdEnabled: true, deleteThresholdValue: 25 },
    skipOutOfScopeDeletions: false,
    providerVersion: ENTRA_PROVIDER_VERSION,
    ...extra,
  };
}

const secretsPath = (app: SeededApp) => `/servicePrincipals/${app.servicePrincipalId}/synchronization/secrets`;
const calls = () => emu.requests.map((r) => `${r.method} ${r.path.replace(/.*\/synchronization\//, "")} ${r.status}`);
const stored = (app: SeededApp) => Object.fromEntries(emu.getSecrets(app.servicePrincipalId).map((kv) => [kv.key, kv.value]));

async function created(app: SeededApp, extra: Partial<SynchronizationSettingsInputs> = {}): Promise<SynchronizationSettingsOutputs> {
  return (await provider.create(inputs(app, extra))).outs;
}

describe("create", () => {
  it("reads, validates the credentials, then writes the whole collection in one PUT", async () => {
    const app = seed();
    emu.clearRequests();
    const res = await provider.create(inputs(app));
    expect(calls()).toEqual(["GET secrets 200", `POST jobs/${app.jobId}/validateCredentials 204`, "PUT secrets 204", `GET jobs/${app.jobId} 200`]);
    expect(stored(app)).toEqual({
      BaseAddress: BASE,
      SecretToken: "token-one-1111",
      SyncAll: "false",
      SyncNotificationSettings: JSON.stringify({ Enabled: true, Recipients: "ops@contoso.test", DeleteThresholdEnabled: true, DeleteThresholdValue: 25 }),
      SkipOutOfScopeDeletions: "false",
    });
    expect(res.id).toBe(`${app.servicePrincipalId}/synchronization/secrets`);
    expect(res.outs).not.toHaveProperty("secretToken");
    expect(res.outs.secretTokenHash).toMatch(/^hmac-sha256:/);
    expect(res.outs.secretTokenSalt.length).toBeGreaterThan(10);
    expect(JSON.stringify(res.outs)).not.toContain("token-one-1111");
  });

  it("fails with a clear error and writes nothing when the target rejects the token", async () => {
    const app = seed("the-right-token");
    emu.clearRequests();
    const err = await provider.create(inputs(app, { secretToken: "a-wrong-token-xyz" })).catch((e: Error) => e);
    expect((err as Error).message).toMatch(/app "Contoso SCIM": the provisioning target rejected the credentials \(tenant URL https:\/\/scim\.contoso\.test\/scim\); the synchronization secrets were NOT changed/);
    expect((err as Error).message).toMatch(/SystemForCrossDomainIdentityManagementCredentialValidationUnauthorized/);
    expect((err as Error).message).not.toContain("a-wrong-token-xyz");
    expect(emu.writes().map((w) => w.path)).toEqual([`/servicePrincipals/${app.servicePrincipalId}/synchronization/jobs/${app.jobId}/validateCredentials`]);
    expect(emu.getSecrets(app.servicePrincipalId)).toEqual([]);
  });

  it("can skip validation when asked", async () => {
    const app = seed("the-right-token");
    emu.clearRequests();
    await provider.create(inputs(app, { secretToken: "anything", validateCredentials: false }));
    expect(calls()).toEqual(["GET secrets 200", "PUT secrets 204", `GET jobs/${app.jobId} 200`]);
  });

  it("leaves undeclared settings and unmanaged keys as they are", async () => {
    const app = seed();
    emu.editSecrets(app.servicePrincipalId, () => [
      { key: "SyncAll", value: "true" },
      { key: "SynchronizationSchedule", value: "PT40M" },
      { key: "SyncNotificationSettings", value: JSON.stringify({ Enabled: false, Recipients: "", DeleteThresholdEnabled: true, DeleteThresholdValue: 500, HumanResourcesLookaheadQueryEnabled: false }) },
    ]);
    const { syncAll: _s, skipOutOfScopeDeletions: _k, ...rest } = inputs(app, { notifications: { deleteThresholdValue: 40 } });
    await provider.create(rest);
    expect(stored(app)).toEqual({
      SynchronizationSchedule: "PT40M",
      BaseAddress: BASE,
      SecretToken: "token-one-1111",
      SyncAll: "true",
      SyncNotificationSettings: JSON.stringify({ Enabled: false, Recipients: "", DeleteThresholdEnabled: true, DeleteThresholdValue: 40, HumanResourcesLookaheadQueryEnabled: false }),
    });
  });

  it("refuses to erase masked keys it does not manage", async () => {
    const app = seed();
    emu.editSecrets(app.servicePrincipalId, () => [{ key: "Password", value: "p@ss" }]);
    await expect(provider.create(inputs(app))).rejects.toThrow(/masked keys scimops does not manage \(Password\)/);
    expect(stored(app)).toEqual({ Password: "p@ss" });
  });
});

describe("no-op, token rotation, other changes", () => {
  it("an unchanged token never re-PUTs: diff is false without calls, update only reads", async () => {
    const app = seed();
    const outs = await created(app);
    emu.clearRequests();
    const { inputs: checked, failures } = await provider.check(outs, inputs(app) as never);
    expect(failures).toEqual([]);
    expect(await provider.diff("x", outs, checked as SynchronizationSettingsInputs)).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
    expect(emu.requests).toHaveLength(0);
    const upd = await provider.update("x", outs, inputs(app));
    expect(calls()).toEqual(["GET secrets 200"]);
    expect(upd.outs.secretTokenHash).toBe(outs.secretTokenHash);
    expect(upd.outs.secretTokenSalt).toBe(outs.secretTokenSalt);
  });

  it("a rotated token is noticed from the hash, validated, and written in one PUT", async () => {
    const app = seed();
    const outs = await created(app);
    emu.setAcceptedSecretToken(app.servicePrincipalId, "token-two-2222");
    const news = inputs(app, { secretToken: "token-two-2222" });
    expect((await provider.diff("x", outs, news)).changes).toBe(true);
    emu.clearRequests();
    const upd = await provider.update("x", outs, news);
    expect(calls()).toEqual(["GET secrets 200", `POST jobs/${app.jobId}/validateCredentials 204`, "PUT secrets 204", `GET jobs/${app.jobId} 200`]);
    expect(stored(app).SecretToken).toBe("token-two-2222");
    expect(upd.outs.secretTokenHash).not.toBe(outs.secretTokenHash);
    expect((await provider.diff("x", upd.outs, news)).changes).toBe(false);
  });

  it("a rotation the target rejects changes nothing", async () => {
    const app = seed();
    const outs = await created(app);
    emu.clearRequests();
    await expect(provider.update("x", outs, inputs(app, { secretToken: "rejected-token-3333" }))).rejects.toThrow(/rejected the credentials/);
    expect(emu.writes().map((w) => w.method)).toEqual(["POST"]);
    expect(stored(app).SecretToken).toBe("token-one-1111");
  });

  it("a non-credential change is one PUT without validation, carrying the same token", async () => {
    const app = seed();
    const outs = await created(app);
    emu.clearRequests();
    const news = inputs(app, { syncAll: true });
    expect((await provider.diff("x", outs, news)).changes).toBe(true);
    const upd = await provider.update("x", outs, news);
    expect(calls()).toEqual(["GET secrets 200", "PUT secrets 204"]);
    expect(stored(app)).toMatchObject({ SyncAll: "true", SecretToken: "token-one-1111" });
    expect(upd.outs.secretTokenHash).toBe(outs.secretTokenHash);
  });

  it("a new tenant URL is validated (with the unchanged token) before it is saved", async () => {
    const app = seed();
    const outs = await created(app);
    emu.clearRequests();
    await provider.update("x", outs, inputs(app, { baseAddress: "https://scim2.contoso.test/scim" }));
    expect(calls()).toEqual(["GET secrets 200", `POST jobs/${app.jobId}/validateCredentials 204`, "PUT secrets 204", `GET jobs/${app.jobId} 200`]);
    expect(emu.requests[1]!.body).toEqual({ useSavedCredentials: false, credentials: [{ key: "BaseAddress", value: "https://scim2.contoso.test/scim" }, { key: "SecretToken", value: "token-one-1111" }] });
  });

  it("replaces on a new service principal", async () => {
    const app = seed();
    const outs = await created(app);
    expect((await provider.diff("x", outs, inputs(app, { servicePrincipalId: "other" }))).replaces).toEqual(["servicePrincipalId"]);
  });
});

describe("refresh (read) and drift", () => {
  it("reports nothing when nothing drifted", async () => {
    const app = seed();
    const outs = await created(app);
    expect((await provider.read("x", outs)).props).toEqual(outs);
  });

  it("reports portal edits of everything Graph returns unmasked, and the next apply restores them", async () => {
    const app = seed();
    const outs = await created(app);
    emu.editSecrets(app.servicePrincipalId, (list) =>
      list.map((kv) =>
        kv.key === "SyncAll"
          ? { key: "SyncAll", value: "True" }
          : kv.key === "SyncNotificationSettings"
            ? { key: kv.key, value: JSON.stringify({ Enabled: false, Recipients: "someone@else.test", DeleteThresholdEnabled: true, DeleteThresholdValue: 25 }) }
            : kv.key === "BaseAddress"
              ? { key: kv.key, value: "https://moved.contoso.test/scim" }
              : kv,
      ),
    );
    const props = (await provider.read("x", outs)).props as SynchronizationSettingsOutputs;
    expect(props).toMatchObject({
      baseAddress: "https://moved.contoso.test/scim",
      syncAll: true,
      notifications: { enabled: false, recipients: "someone@else.test", deleteThresholdEnabled: true, deleteThresholdValue: 25 },
      skipOutOfScopeDeletions: false,
      secretTokenHash: outs.secretTokenHash,
    });
    expect((await provider.diff("x", props, inputs(app))).changes).toBe(true);
    emu.clearRequests();
    await provider.update("x", props, inputs(app));
    expect(calls()).toEqual(["GET secrets 200", `POST jobs/${app.jobId}/validateCredentials 204`, "PUT secrets 204", `GET jobs/${app.jobId} 200`]);
    expect(stored(app)).toMatchObject({ BaseAddress: BASE, SyncAll: "false", SecretToken: "token-one-1111" });
  });

  it("notices a token cleared in the portal and writes it back", async () => {
    const app = seed();
    const outs = await created(app);
    emu.editSecrets(app.servicePrincipalId, (list) => list.map((kv) => (kv.key === "SecretToken" ? { key: kv.key, value: "" } : kv)));
    const props = (await provider.read("x", outs)).props as SynchronizationSettingsOutputs;
    expect(props.secretTokenHash).toBe("");
    expect((await provider.diff("x", props, inputs(app))).changes).toBe(true);
    await provider.update("x", props, inputs(app));
    expect(stored(app).SecretToken).toBe("token-one-1111");
  });

  it("cannot see a token changed in the portal (Graph masks it) — documented limit", async () => {
    const app = seed();
    const outs = await created(app);
    emu.editSecrets(app.servicePrincipalId, (list) => list.map((kv) => (kv.key === "SecretToken" ? { key: kv.key, value: "changed-in-portal" } : kv)));
    expect((await provider.read("x", outs)).props).toEqual(outs);
  });
});

describe("check and delete", () => {
  it("reports malformed settings", async () => {
    const r = await provider.check({}, { graph, servicePrincipalId: "sp", jobId: "j", baseAddress: "not a url", secretToken: 5, syncAll: "yes", notifications: { deleteThresholdValue: -1 } });
    expect(r.failures.map((f) => f.property)).toEqual(["baseAddress", "secretToken", "syncAll", "notifications.deleteThresholdValue"]);
    const unknown = await provider.check({}, { graph, servicePrincipalId: "sp", jobId: "j", baseAddress: "04da6b54-80e4-46f7-96ec-b56ff0331ba9", secretToken: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" });
    expect(unknown.failures).toEqual([]);
  });

  it("leaves Entra alone unless deletion is allowed, then clears the tenant URL and token", async () => {
    const app = seed();
    const outs = await created(app);
    emu.clearRequests();
    await provider.delete("x", outs);
    expect(emu.requests).toHaveLength(0);
    await provider.delete("x", { ...outs, allowDelete: true });
    expect(calls()).toEqual(["GET secrets 200", "PUT secrets 204"]);
    expect(stored(app)).toMatchObject({ BaseAddress: "", SecretToken: "", SyncAll: "false" });
  });
});

describe("faults", () => {
  it("429 on PUT secrets converges with the PUT written once", async () => {
    const app = seed();
    emu.faults.inject({ method: "PUT", path: "/secrets", status: 429, retryAfter: 1 });
    emu.clearRequests();
    await provider.create(inputs(app));
    expect(calls()).toEqual(["GET secrets 200", `POST jobs/${app.jobId}/validateCredentials 204`, "PUT secrets 429", "PUT secrets 204", `GET jobs/${app.jobId} 200`]);
    expect(stored(app).SecretToken).toBe("token-one-1111");
  });

  it("500 on validateCredentials fails without writing secrets", async () => {
    const app = seed();
    emu.faults.inject({ path: "/validateCredentials", status: 500, message: "target timed out" });
    await expect(provider.create(inputs(app))).rejects.toThrow(/Graph call "POST validateCredentials" .*HTTP 500/);
    expect(emu.getSecrets(app.servicePrincipalId)).toEqual([]);
  });

  it("replication lag after app creation: create converges", async () => {
    const app = seed("token-one-1111", { replicationLagMs: 400 });
    emu.clearRequests();
    await provider.create(inputs(app));
    expect(emu.requests.some((r) => r.fault?.startsWith("lag-"))).toBe(true);
    expect(stored(app).SecretToken).toBe("token-one-1111");
  });

  it("503 on GET during refresh is retried", async () => {
    const app = seed();
    const outs = await created(app);
    emu.faults.inject({ method: "GET", path: secretsPath(app), status: 503 });
    expect((await provider.read("x", outs)).props).toEqual(outs);
  });
});
