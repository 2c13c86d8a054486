/**
 * End-to-end program for the policy pack: what src/program.ts registers for each Entra app of the stack
 * (its `scimops:` config, the same loader and compiler) that runs offline — the Graph-backed settings,
 * schema and provisioning status, under one component per app — against service principals and jobs the
 * test seeded in the Graph emulator (`e2e:targets`). The enterprise app, job and assignments need
 * @pulumi/azuread, whose plugin cannot be had here.
 */
import { resolve } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { loadProject } from "../../../src/spec/project";
import { parseStackSettings, NAMESPACE } from "../../../src/spec/stack";
import { formatDiagnostic } from "../../../src/spec/diagnostics";
import { compileApp } from "../../../src/plan/compile";
import { SynchronizationSchema } from "../../../src/entra/synchronization-schema";
import { SynchronizationSettings } from "../../../src/entra/synchronization-settings";
import { ProvisioningStatus } from "../../../src/entra/provisioning-status";
import type { GraphConnection } from "../../../src/entra/graph";

// The engine's config read by the same parser as the real program and `scimops validate`.
const parsed = parseStackSettings(pulumi.runtime.allConfig());
if (!parsed.success) throw new pulumi.RunError(parsed.error.issues.map((i) => `${NAMESPACE}:${i.path.join(".")}: ${i.message}`).join("; "));
const settings = parsed.data;
const e2e = new pulumi.Config("e2e");
const targets = e2e.requireObject<Record<string, { servicePrincipalId: string; jobId: string }>>("targets");
// Test knob: a program that forgets the Provisioning Status (the policy must catch it).
const omitStatus = e2e.getBoolean("omitStatus") ?? false;
const graph: GraphConnection = { baseUrl: e2e.require("graphBaseUrl"), auth: "accessToken", retry: { maxAttempts: 4, baseDelayMs: 50 } };
const config = new pulumi.Config(NAMESPACE);

const files = settings.apps.map((a) => resolve(settings.mappingsDir, `${a.name}.yaml`));
const { apps, diagnostics } = loadProject(files, []);
const errors = diagnostics.filter((d) => d.severity === "error");
if (errors.length) throw new Error(errors.map(formatDiagnostic).join("\n"));

for (const entry of settings.apps) {
  const plan = compileApp(apps.get(entry.name)!, { cloud: settings.cloud, stackApp: entry });
  const entra = plan.entra;
  if (!entra?.tenantUrl) continue;
  const target = targets[entry.name];
  if (!target) throw new Error(`e2e:targets has no service principal for ${entry.name}`);
  const parent = new pulumi.ComponentResource("scimops:e2e:App", `${plan.name}-entra`);
  const child = { parent, retainOnDelete: !settings.allowDeletion };
  const recipients = entra.notifications.recipients;
  const common = { graph, servicePrincipalId: target.servicePrincipalId, jobId: target.jobId, appName: plan.displayName };
  const settingsResource = new SynchronizationSettings(
    `${plan.name}-entra-settings`,
    {
      ...common,
      baseAddress: entra.tenantUrl,
      secretToken: config.requireSecret(entra.secretTokenKey),
      syncAll: entra.syncAll,
      notifications: {
        enabled: entra.notifications.enabled,
        ...(recipients === undefined ? {} : { recipients: typeof recipients === "string" ? recipients : config.get(recipients.config) }),
        deleteThresholdEnabled: entra.deleteThreshold.enabled,
        deleteThresholdValue: entra.deleteThreshold.value,
      },
      skipOutOfScopeDeletions: entra.skipOutOfScopeDeletions,
      allowDelete: settings.allowDeletion,
    },
    child,
  );
  const schema = new SynchronizationSchema(`${plan.name}-entra-schema`, { ...common, objectMappings: entra.mappings.map((m) => m.graph), allowDelete: settings.allowDeletion }, child);
  if (!omitStatus) new ProvisioningStatus(`${plan.name}-entra-status`, { ...common, status: entra.status }, { ...child, dependsOn: [settingsResource, schema] });
}
