/**
 * End-to-end test program: scimops' own Graph-backed resources for one real mapping file, against a
 * service principal and job that already exist (the tests seed them in the Graph emulator). The full
 * program (src/index.ts) also needs @pulumi/azuread, whose provider plugin cannot be had offline.
 */
import * as pulumi from "@pulumi/pulumi";
import { loadAppFile } from "../../../src/spec/load";
import { compileApp } from "../../../src/plan/compile";
import { formatDiagnostic } from "../../../src/spec/diagnostics";
import { SynchronizationSchema } from "../../../src/entra/synchronization-schema";
import { SynchronizationSettings } from "../../../src/entra/synchronization-settings";
import type { GraphConnection } from "../../../src/entra/graph";

const config = new pulumi.Config("e2e");
const appFile = config.require("appFile");
const loaded = loadAppFile(appFile);
if (!loaded.ok) throw new Error(loaded.diagnostics.map(formatDiagnostic).join("\n"));
const plan = compileApp(loaded.app, { stackApp: { name: loaded.app.spec.name, idps: ["entra"], parameters: config.getObject<Record<string, string>>("parameters") ?? {} } });
const entra = plan.entra!;

const graph: GraphConnection = { baseUrl: config.require("graphBaseUrl"), auth: "accessToken", retry: { maxAttempts: 4, baseDelayMs: 50 } };
const servicePrincipalId = config.require("servicePrincipalId");
const jobId = config.require("jobId");
const allowDelete = config.getBoolean("allowDeletion") ?? false;

const settings = new SynchronizationSettings("settings", {
  graph,
  servicePrincipalId,
  jobId,
  appName: plan.displayName,
  baseAddress: entra.tenantUrl!,
  secretToken: config.requireSecret("secretToken"),
  syncAll: entra.syncAll,
  notifications: {
    enabled: entra.notifications.enabled,
    recipients: "identity-e2e@contoso.example",
    deleteThresholdEnabled: entra.deleteThreshold.enabled,
    deleteThresholdValue: entra.deleteThreshold.value,
  },
  skipOutOfScopeDeletions: entra.skipOutOfScopeDeletions,
  allowDelete,
});

const schema = new SynchronizationSchema("schema", {
  graph,
  servicePrincipalId,
  jobId,
  appName: plan.displayName,
  objectMappings: entra.mappings.map((m) => m.graph),
  allowDelete,
});

export const ruleId = schema.effectiveRuleId;
export const baseAddress = settings.baseAddress;
