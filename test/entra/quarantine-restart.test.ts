/**
 * SynchronizationSettings and a quarantined job (src/entra/quarantine.ts), against the emulator over real HTTP:
 * after changed credentials are saved, a job quarantined for credentials is restarted once with resetScope
 * QuarantineState; no restart without changed credentials, for a job that is not quarantined, or for a quarantine
 * of another reason; a lost restart answer is recovered by reading the job; a failed restart says what was saved.
 */
import { describe, expect, it } from "vitest";
import type { GraphConnection } from "../../src/entra/graph";
import { createGraphSession } from "../../src/entra/graph";
import { isQuarantined, quarantinedForCredentials } from "../../src/entra/quarantine";
import { startSynchronizationJob } from "../../src/entra/sync-api";
import { synchronizationSettingsProvider as provider, type SynchronizationSettingsInputs, type SynchronizationSettingsOutputs } from "../../src/entra/synchronization-settings";
import { ENTRA_PROVIDER_VERSION } from "../../src/entra/version";
import type { SynchronizationJob } from "../../src/graph/wire";
import type { GraphEmulator, SeededApp } from "../emulators/graph/index";
import { useEmulator } from "./support";

let emu: GraphEmulator;
let graph: GraphConnection;
useEmulator((s) => ({ emu, graph } = s));
const OLD = "token-old-1111";
const NEW = "token-new-2222";

function inputs(app: SeededApp, extra: Partial<SynchronizationSettingsInputs> = {}): SynchronizationSettingsInputs {
  return {
    graph,
    servicePrincipalId: app.servicePrincipalId,
    jobId: app.jobId,
    appName: "Quarantined SCIM",
    baseAddress: "https://scim.contoso.test/scim",
    secretToken: OLD,
    providerVersion: ENTRA_PROVIDER_VERSION,
    ...extra,
  };
}

const calls = () => emu.requests.map((r) => `${r.method} ${r.path.replace(/.*\/synchronization\//, "").replace(/jobs\/[^/]+/, "jobs/{job}")} ${r.status}`);
const job = (app: SeededApp) => emu.getJob(app.servicePrincipalId, app.jobId);

/** An app whose settings (token OLD) were written and whose job runs. */
async function runningApp(): Promise<{ app: SeededApp; outs: SynchronizationSettingsOutputs }> {
  const app = emu.seedApp({ template: "non-gallery", displayName: "Quarantined SCIM", acceptedSecretToken: OLD });
  const { outs } = await provider.create(inputs(app));
  await startSynchronizationJob(createGraphSession(graph), app.servicePrincipalId, app.jobId);
  return { app, outs };
}

/** A running app (runningApp) whose target then starts accepting only NEW, so Entra quarantines the job. */
async function quarantinedApp(): Promise<{ app: SeededApp; outs: SynchronizationSettingsOutputs }> {
  const { app, outs } = await runningApp();
  emu.setAcceptedSecretToken(app.servicePrincipalId, NEW, { quarantine: true });
  expect(job(app).status.quarantine?.reason).toBe("EncounteredQuarantineException");
  emu.clearRequests();
  return { app, outs };
}

/** A synchronizationQuarantine of that reason (synchronization-synchronizationquarantine.md). */
const q = (reason: NonNullable<SynchronizationJob["status"]["quarantine"]>["reason"]) => ({ currentBegan: "2026-12-01T00:00:00Z", nextAttempt: "2026-12-01T00:05:00Z", reason, seriesBegan: "2026-12-01T00:00:00Z", seriesCount: 1 });

describe("the quarantine policy", () => {
  const status = (s: Partial<SynchronizationJob["status"]>) => ({ status: { code: "Active", ...s } as SynchronizationJob["status"] });

  it("a job is quarantined by its code or by quarantine details; only EncounteredQuarantineException is for credentials", () => {
    expect(isQuarantined(status({}))).toBe(false);
    expect(isQuarantined(status({ quarantine: null }))).toBe(false);
    expect(isQuarantined(status({ code: "Quarantine", quarantine: null }))).toBe(true);
    expect(isQuarantined(status({ quarantine: q("TooManyDeletes") }))).toBe(true);
    expect(quarantinedForCredentials(status({ code: "Quarantine", quarantine: q("EncounteredQuarantineException") }))).toBe(true);
    for (const reason of ["EncounteredBaseEscrowThreshold", "EncounteredTotalEscrowThreshold", "EncounteredEscrowProportionThreshold", "Unknown", "QuarantinedOnDemand", "TooManyDeletes", "IngestionInterrupted"] as const) {
      expect(quarantinedForCredentials(status({ code: "Quarantine", quarantine: q(reason) })), reason).toBe(false);
    }
    // A Quarantine code without details names no reason: not known to be the credentials.
    expect(quarantinedForCredentials(status({ code: "Quarantine", quarantine: null }))).toBe(false);
  });
});

describe("a job quarantined because the target rejects the saved token", () => {
  it("the accepted token is validated, saved, and the job restarted once with resetScope QuarantineState: no longer quarantined", async () => {
    const { app, outs } = await quarantinedApp();
    const { outs: fixed } = await provider.update("x", outs, inputs(app, { secretToken: NEW }));
    expect(calls()).toEqual(["GET secrets 200", "POST jobs/{job}/validateCredentials 204", "PUT secrets 204", "GET jobs/{job} 200", "POST jobs/{job}/restart 204"]);
    expect(emu.requests.at(-1)!.body).toEqual({ criteria: { resetScope: "QuarantineState" } });
    expect(job(app).status.code).toBe("Active");
    expect(job(app).status.quarantine).toBeNull();
    // QuarantineState alone keeps the watermark: no full cycle.
    expect(job(app).fullCycleRestarts).toBe(0);
    // The next update with the same token writes nothing and restarts nothing.
    emu.clearRequests();
    await provider.update("x", fixed, inputs(app, { secretToken: NEW }));
    expect(calls()).toEqual(["GET secrets 200"]);
  });

  it("an up that does not change the credentials restarts nothing, even when it writes other settings", async () => {
    const { app, outs } = await quarantinedApp();
    await provider.update("x", outs, inputs(app));
    expect(calls()).toEqual(["GET secrets 200"]);
    emu.clearRequests();
    await provider.update("x", outs, inputs(app, { syncAll: true }));
    expect(calls()).toEqual(["GET secrets 200", "PUT secrets 204"]);
    expect(job(app).status.code).toBe("Quarantine");
  });

  it("a token the target also rejects is not saved, and the job is not restarted", async () => {
    const { app, outs } = await quarantinedApp();
    await expect(provider.update("x", outs, inputs(app, { secretToken: "token-wrong-3333" }))).rejects.toThrow(/rejected the credentials/);
    expect(calls()).toEqual(["GET secrets 200", "POST jobs/{job}/validateCredentials 400"]);
    expect(job(app).status.code).toBe("Quarantine");
  });

  it("a lost restart answer is recovered by reading the job: the restart is not sent twice", async () => {
    const { app, outs } = await quarantinedApp();
    emu.faults.inject({ method: "POST", path: "/restart", reset: true, afterApply: true });
    await provider.update("x", outs, inputs(app, { secretToken: NEW }));
    expect(calls()).toEqual(["GET secrets 200", "POST jobs/{job}/validateCredentials 204", "PUT secrets 204", "GET jobs/{job} 200", "POST jobs/{job}/restart 0", "GET jobs/{job} 200"]);
    expect(job(app).status.quarantine).toBeNull();
  });

  it("a restart Graph refuses fails the update saying the token was saved; the next update saves the same and restarts", async () => {
    const { app, outs } = await quarantinedApp();
    emu.faults.inject({ method: "POST", path: "/restart", status: 403 });
    const err = await provider.update("x", outs, inputs(app, { secretToken: NEW })).catch((e: Error) => e);
    expect((err as Error).message).toMatch(/app "Quarantined SCIM": the new credentials were saved, but restarting the quarantined provisioning job \(resetScope QuarantineState\) failed, so it stays quarantined until Entra's next cycle/);
    expect((err as Error).message).toMatch(/HTTP 403/);
    expect((err as Error).message).not.toContain(NEW);
    expect(emu.getSecrets(app.servicePrincipalId).find((kv) => kv.key === "SecretToken")?.value).toBe(NEW);
    expect(job(app).status.code).toBe("Quarantine");
    // Pulumi keeps the old state after a failed update, so the next up sees the token as changed again.
    emu.clearRequests();
    await provider.update("x", outs, inputs(app, { secretToken: NEW }));
    expect(calls()).toEqual(["GET secrets 200", "POST jobs/{job}/validateCredentials 204", "PUT secrets 204", "GET jobs/{job} 200", "POST jobs/{job}/restart 204"]);
    expect(job(app).status.quarantine).toBeNull();
  });
});

describe("a quarantine that is not the credentials'", () => {
  it("an escrow-threshold quarantine is not restarted by a token rotation (status reports it)", async () => {
    const { app, outs } = await runningApp();
    emu.setJobStatus(app.servicePrincipalId, app.jobId, { code: "Quarantine", quarantine: q("EncounteredEscrowProportionThreshold") });
    emu.setAcceptedSecretToken(app.servicePrincipalId, NEW);
    emu.clearRequests();
    await provider.update("x", outs, inputs(app, { secretToken: NEW }));
    expect(calls()).toEqual(["GET secrets 200", "POST jobs/{job}/validateCredentials 204", "PUT secrets 204", "GET jobs/{job} 200"]);
    expect(job(app).status.quarantine?.reason).toBe("EncounteredEscrowProportionThreshold");
  });

  it("a job that is not quarantined is read after a credential change and not restarted", async () => {
    const { app, outs } = await runningApp();
    emu.setAcceptedSecretToken(app.servicePrincipalId, NEW);
    emu.clearRequests();
    await provider.update("x", outs, inputs(app, { secretToken: NEW }));
    expect(emu.writes().map((w) => w.path.replace(/.*\//, ""))).toEqual(["validateCredentials", "secrets"]);
    expect(job(app).status.code).toBe("Active");
  });
});
