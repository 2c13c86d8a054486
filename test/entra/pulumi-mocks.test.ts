/**
 * Constructing the resources under Pulumi mocks, which serializes the dynamic providers exactly as a
 * real `pulumi up` does (captured clients or zod schemas would fail here), and then running the
 * serialized provider text in a separate plain-node process, the way pulumi-resource-pulumi-nodejs
 * loads it, against the emulator.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import type { GraphConnection } from "../../src/entra/graph";
import { SynchronizationSchema } from "../../src/entra/synchronization-schema";
import { SynchronizationSettings } from "../../src/entra/synchronization-settings";
import { ENTRA_PROVIDER_VERSION } from "../../src/entra/version";
import { EnterpriseApp } from "../../src/entra/enterprise-app";
import { SynchronizationJob } from "../../src/entra/synchronization-job";
import { AppRoleAssignments } from "../../src/entra/app-role-assignments";
import { ProvisionOnDemand } from "../../src/entra/provision-on-demand";
import { ProvisioningStatus } from "../../src/entra/provisioning-status";
import type { GraphEmulator } from "../emulators/graph/index";
import { attr, declaredGroups, declaredUsers, useEmulator, withRow } from "./support";

const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const seen: pulumi.runtime.MockResourceArgs[] = [];
let emu: GraphEmulator;
let graph: GraphConnection;
useEmulator((s) => ({ emu, graph } = s));

function value<T>(o: pulumi.Output<T>): Promise<T> {
  return new Promise((r) => o.apply((v) => (r(v), v)));
}

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource: (a) => {
        seen.push(a);
        const { __provider: _p, ...state } = a.inputs as Record<string, unknown>;
        return { id: `${a.name}-id`, state };
      },
      call: (a) => a.inputs,
    },
    "scimops",
    "test",
    false,
  );
});

describe("resources under Pulumi mocks", () => {
  it("serialize both providers and register with the expected type tokens and inputs", async () => {
    const app = emu.seedApp({ template: "non-gallery", displayName: "Mocked", acceptedSecretToken: "mock-token-123" });
    const schema = new SynchronizationSchema("schema", {
      graph,
      servicePrincipalId: pulumi.output(app.servicePrincipalId),
      jobId: app.jobId,
      appName: "Mocked",
      objectMappings: [declaredUsers(), declaredGroups()],
    });
    const settings = new SynchronizationSettings("settings", {
      graph,
      servicePrincipalId: app.servicePrincipalId,
      jobId: app.jobId,
      baseAddress: "https://scim.mocked.test/scim",
      secretToken: "mock-token-123",
      syncAll: false,
    });
    expect(await value(schema.id)).toBe("schema-id");
    expect(await value(settings.id)).toBe("settings-id");
    expect(await value(schema.providerVersion)).toBe(ENTRA_PROVIDER_VERSION);
    expect((await value(schema.objectMappings)).map((m) => m.name)).toEqual([declaredUsers().name, declaredGroups().name]);

    const s = seen.find((a) => a.name === "schema")!;
    const t = seen.find((a) => a.name === "settings")!;
    expect(s.type).toBe("pulumi-nodejs:dynamic/scimops:SynchronizationSchema");
    expect(t.type).toBe("pulumi-nodejs:dynamic/scimops:SynchronizationSettings");
    for (const a of [s, t]) {
      const code = (a.inputs as Record<string, unknown>).__provider as string;
      expect(typeof code).toBe("string");
      expect(code).toContain("exports.handler");
      // No SDK client or identity objects captured by value: they are required at run time.
      expect(code).toContain('require("@microsoft/microsoft-graph-client")');
      expect(code).not.toMatch(/class GraphRequest|MsalClient|ZodObject/);
      expect(code).not.toContain("mock-token-123");
      expect(code).not.toContain(emu.token);
    }
    // The token input reaches the engine as a secret, never in the clear.
    expect((t.inputs as Record<string, any>).secretToken).toMatchObject({ [SECRET_SIG]: expect.any(String), value: "mock-token-123" });
    // The hash outputs are pre-seeded, so they exist as Outputs on the resource.
    expect(pulumi.Output.isInstance(settings.secretTokenHash)).toBe(true);
    expect(pulumi.Output.isInstance(settings.secretTokenSalt)).toBe(true);
    expect(pulumi.Output.isInstance(schema.effectiveRuleId)).toBe(true);
    // Nothing credential-like in the connection description.
    const conn = (s.inputs as Record<string, Record<string, unknown>>).graph!;
    expect(JSON.stringify(conn)).not.toContain(emu.token);
    expect(Object.keys(conn).every((k) => ["cloud", "baseUrl", "authorityHost", "scope", "tenantId", "auth", "apiVersion", "retry"].includes(k))).toBe(true);
  });

  it("serialize the app, job, status, assignment and on-demand providers with their type tokens", async () => {
    const app = new EnterpriseApp("app3", { graph, displayName: "Serialized app", galleryName: "Airstack" });
    const job = new SynchronizationJob("job3", { graph, servicePrincipalId: app.servicePrincipalId });
    new ProvisioningStatus("status3", { graph, servicePrincipalId: app.servicePrincipalId, jobId: job.jobId, status: "on" });
    new AppRoleAssignments("assign3", { graph, servicePrincipalId: app.servicePrincipalId, assignments: [{ principal: "SCIM Pilot", principalType: "Group", role: "User" }] });
    new ProvisionOnDemand("pod3", { graph, servicePrincipalId: app.servicePrincipalId, jobId: job.jobId, ruleId: "r", subjects: [{ principal: "a@b.test", principalType: "User" }] });
    await new Promise((r) => setTimeout(r, 200));
    const types = Object.fromEntries(seen.filter((a) => a.name.endsWith("3")).map((a) => [a.name, a.type]));
    expect(types).toEqual({
      app3: "pulumi-nodejs:dynamic/scimops:EnterpriseApp",
      job3: "pulumi-nodejs:dynamic/scimops:SynchronizationJob",
      status3: "pulumi-nodejs:dynamic/scimops:ProvisioningStatus",
      assign3: "pulumi-nodejs:dynamic/scimops:AppRoleAssignments",
      pod3: "pulumi-nodejs:dynamic/scimops:ProvisionOnDemand",
    });
    for (const a of seen.filter((x) => x.name.endsWith("3"))) {
      const code = (a.inputs as Record<string, unknown>).__provider as string;
      expect(code).toContain("exports.handler");
      expect(code).toContain('require("@microsoft/microsoft-graph-client")');
      expect(code).not.toMatch(/class GraphRequest|MsalClient|ZodObject/);
      expect(code).not.toContain(emu.token);
    }
  });

  it("the serialized provider runs in a plain node process against the emulator", async () => {
    const app = emu.seedApp({ template: "non-gallery", displayName: "Serialized", acceptedSecretToken: "serial-token-456" });
    new SynchronizationSchema("schema2", { graph, servicePrincipalId: app.servicePrincipalId, jobId: app.jobId, objectMappings: [declaredUsers()] });
    new SynchronizationSettings("settings2", { graph, servicePrincipalId: app.servicePrincipalId, jobId: app.jobId, baseAddress: "https://scim.serial.test", secretToken: "x" });
    await new Promise((r) => setTimeout(r, 200));
    const schemaCode = (seen.find((a) => a.name === "schema2")!.inputs as Record<string, unknown>).__provider as string;
    const settingsCode = (seen.find((a) => a.name === "settings2")!.inputs as Record<string, unknown>).__provider as string;
    const dir = mkdtempSync(join(tmpdir(), "scimops-provider-"));
    writeFileSync(join(dir, "schema.js"), schemaCode);
    writeFileSync(join(dir, "settings.js"), settingsCode);
    const changed = withRow(declaredUsers(), "title", (r) => ({ ...r, source: attr("department") }));
    const job = {
      schema: join(dir, "schema.js"),
      settings: join(dir, "settings.js"),
      schemaInputs: { graph, servicePrincipalId: app.servicePrincipalId, jobId: app.jobId, appName: "Serialized", objectMappings: [changed], providerVersion: "v" },
      settingsInputs: { graph, servicePrincipalId: app.servicePrincipalId, jobId: app.jobId, appName: "Serialized", baseAddress: "https://scim.serial.test", secretToken: "serial-token-456", providerVersion: "v" },
      badSettingsInputs: { graph, servicePrincipalId: app.servicePrincipalId, jobId: app.jobId, appName: "Serialized", baseAddress: "https://scim.serial.test", secretToken: "wrong-token-789", providerVersion: "v" },
    };
    writeFileSync(join(dir, "job.json"), JSON.stringify(job));
    // Same loading as @pulumi/pulumi's cmd/dynamic-provider: require-from-string(text).handler().
    const script = `
      const fs = require("fs");
      const rfs = require("require-from-string");
      const job = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
      (async () => {
        const schema = rfs(fs.readFileSync(job.schema, "utf8")).handler();
        const settings = rfs(fs.readFileSync(job.settings, "utf8")).handler();
        const out = {};
        out.schemaCreate = await schema.create(job.schemaInputs);
        out.schemaDiff = await schema.diff("x", out.schemaCreate.outs, job.schemaInputs);
        out.settingsCreate = await settings.create(job.settingsInputs);
        try { await settings.update("x", out.settingsCreate.outs, job.badSettingsInputs); } catch (e) {
          out.error = { isError: e instanceof Error, message: e.message };
        }
        process.stdout.write(JSON.stringify(out));
      })().catch((e) => { process.stderr.write(String(e && e.stack || e)); process.exit(1); });
    `;
    const stdout = await new Promise<string>((res, rej) =>
      execFile(process.execPath, ["-e", script, join(dir, "job.json")], { cwd: resolve(__dirname, "../.."), env: { ...process.env, SCIMOPS_GRAPH_ACCESS_TOKEN: emu.token } }, (err, out, errOut) =>
        err ? rej(new Error(`${err.message}\n${errOut}`)) : res(out),
      ),
    );
    const out = JSON.parse(stdout);
    expect(out.schemaCreate.id).toBe(`${app.servicePrincipalId}/${app.jobId}/schema`);
    expect(out.schemaDiff.changes).toBe(false);
    expect(emu.getSchema(app.servicePrincipalId, app.jobId).synchronizationRules[0]!.objectMappings[0]!.attributeMappings.find((m) => m.targetAttributeName === "title")!.source!.name).toBe("department");
    expect(out.settingsCreate.outs.secretTokenHash).toMatch(/^hmac-sha256:/);
    expect(Object.fromEntries(emu.getSecrets(app.servicePrincipalId).map((kv) => [kv.key, kv.value])).SecretToken).toBe("serial-token-456");
    // Errors survive serialization as real Errors with their message.
    expect(out.error.isError).toBe(true);
    expect(out.error.message).toMatch(/app "Serialized": the provisioning target rejected the credentials/);
    expect(out.error.message).not.toContain("wrong-token-789");
  }, 30_000);
});
