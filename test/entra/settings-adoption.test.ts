/**
 * SynchronizationSettings adopting settings Entra already holds (`scimops import`): Graph masks the token, so
 * the stack's token is tested with validateCredentials and nothing is rewritten; anything else that differs
 * is written as usual.
 */
import { describe, expect, it } from "vitest";
import type { GraphConnection } from "../../src/entra/graph";
import { synchronizationSettingsProvider as provider, type SynchronizationSettingsInputs } from "../../src/entra/synchronization-settings";
import { ENTRA_PROVIDER_VERSION } from "../../src/entra/version";
import type { GraphEmulator, SeededApp } from "../emulators/graph/index";
import { useEmulator } from "./support";

let emu: GraphEmulator;
let graph: GraphConnection;
useEmulator((s) => ({ emu, graph } = s));
const BASE = "https://scim.contoso.test/scim";
const TOKEN = "portal-token-2222";
const NOTIFY = { Enabled: true, Recipients: "ops@contoso.test", DeleteThresholdEnabled: true, DeleteThresholdValue: 40 };

/** An app whose settings were saved in the portal. */
function portalApp(): SeededApp {
  const app = emu.seedApp({ template: "non-gallery", displayName: "Portal SCIM", acceptedSecretToken: TOKEN });
  emu.editSecrets(app.servicePrincipalId, () => [
    { key: "BaseAddress", value: BASE },
    { key: "SecretToken", value: TOKEN },
    { key: "SyncAll", value: "false" },
    { key: "SyncNotificationSettings", value: JSON.stringify(NOTIFY) },
    { key: "SkipOutOfScopeDeletions", value: "true" },
  ]);
  return app;
}

const inputs = (app: SeededApp, extra: Partial<SynchronizationSettingsInputs> = {}): SynchronizationSettingsInputs => ({
  graph,
  servicePrincipalId: app.servicePrincipalId,
  jobId: app.jobId,
  appName: "Portal SCIM",
  baseAddress: BASE,
  secretToken: TOKEN,
  syncAll: false,
  notifications: { enabled: true, recipients: "ops@contoso.test", deleteThresholdEnabled: true, deleteThresholdValue: 40 },
  skipOutOfScopeDeletions: true,
  providerVersion: ENTRA_PROVIDER_VERSION,
  ...extra,
});
const calls = () => emu.requests.map((r) => `${r.method} ${r.path.replace(/.*\/synchronization\//, "")} ${r.status}`);

describe("adopting portal-configured settings", () => {
  it("reads and validates the stack's token; no PUT", async () => {
    const app = portalApp();
    emu.clearRequests();
    const { outs } = await provider.create(inputs(app));
    expect(calls()).toEqual(["GET secrets 200", `POST jobs/${app.jobId}/validateCredentials 204`]);
    expect(outs.secretTokenHash).not.toBe("");
    // The next update sees the recorded hash: only a read.
    emu.clearRequests();
    await provider.update("id", outs, inputs(app));
    expect(calls()).toEqual(["GET secrets 200"]);
  });

  it("a token the target rejects fails the adoption, writing nothing", async () => {
    const app = portalApp();
    emu.clearRequests();
    await expect(provider.create(inputs(app, { secretToken: "wrong-token" }))).rejects.toThrow(/rejected the credentials/);
    expect(emu.writes().filter((w) => w.method === "PUT")).toEqual([]);
    expect(emu.getSecrets(app.servicePrincipalId).find((s) => s.key === "SecretToken")!.value).toBe(TOKEN);
  });

  it("a setting that differs from the portal's is still one PUT", async () => {
    const app = portalApp();
    emu.clearRequests();
    await provider.create(inputs(app, { skipOutOfScopeDeletions: false }));
    expect(calls()).toEqual(["GET secrets 200", `POST jobs/${app.jobId}/validateCredentials 204`, "PUT secrets 204", `GET jobs/${app.jobId} 200`]);
  });
});
