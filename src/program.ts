/**
 * The Pulumi program: the stack's config + the mapping files → one component per app and identity
 * provider. src/index.ts runs it; tests import it after `setMocks`.
 */
import * as pulumi from "@pulumi/pulumi";
import { join } from "node:path";
import { formatDiagnostic } from "./spec/diagnostics";
import { loadProject, projectRoot } from "./spec/project";
import { parseStackSettings, NAMESPACE } from "./spec/stack";
import { compileApp } from "./plan/compile";
import type { AppPlan } from "./plan/types";
import { EntraProvisionedApp } from "./entra/component";
import type { GraphConnection } from "./entra/graph";
import { OktaProvisionedApp } from "./okta/component";

export interface AppOutputs {
  entra?: {
    servicePrincipalId: pulumi.Output<string>;
    jobId: pulumi.Output<string>;
    tenantUrl: pulumi.Output<string>;
    matchingAttribute: pulumi.Output<string>;
  };
  okta?: { appId: pulumi.Output<string>; manualSteps: pulumi.Output<string[]> };
}

export function run(root = projectRoot(join(__dirname, ".."))): Record<string, AppOutputs> {
  // The engine's config as it is (every value a string, objects as JSON text), read by the same parser
  // `scimops validate` uses for the stack file.
  const parsed = parseStackSettings(pulumi.runtime.allConfig());
  if (!parsed.success) {
    throw new pulumi.RunError(`stack config is invalid (run \`scimops validate\`): ${parsed.error.issues.map((i) => `${NAMESPACE}:${i.path.join(".")}: ${i.message}`).join("; ")}`);
  }
  const settings = parsed.data;
  const files = settings.apps.map((a) => join(root, settings.mappingsDir, `${a.name}.yaml`));
  // Bad input never reaches Graph: any error in the files stops the program before a resource is registered.
  const { apps, diagnostics } = loadProject(files, []);
  const errors = diagnostics.filter((d) => d.severity === "error");
  // RunError: Pulumi prints the message alone, without the stack trace of an unhandled exception.
  if (errors.length) throw new pulumi.RunError(errors.map(formatDiagnostic).join("\n"));

  const config = new pulumi.Config(NAMESPACE);
  // One connection for every Graph call of the stack: the cloud, or an explicit base URL (emulator).
  const graph: GraphConnection = {
    ...(settings.graphBaseUrl ? { baseUrl: settings.graphBaseUrl } : { cloud: settings.cloud }),
    ...(settings.tenantId ? { tenantId: settings.tenantId } : {}),
  };
  const outputs: Record<string, AppOutputs> = {};
  for (const entry of settings.apps) {
    const loaded = apps.get(entry.name);
    if (!loaded) throw new Error(`mappings/${entry.name}.yaml was not loaded: ${diagnostics.map(formatDiagnostic).join("; ")}`);
    const plan: AppPlan = compileApp(loaded, { cloud: settings.cloud, stackApp: entry });
    const guard = { retainOnDelete: !settings.allowDeletion, protect: settings.protect };
    const out: AppOutputs = {};
    if (plan.entra) {
      const app = new EntraProvisionedApp(`${plan.name}-entra`, {
        plan,
        entra: plan.entra,
        graph,
        ...(entry.servicePrincipalId ? { adoptServicePrincipalId: entry.servicePrincipalId } : {}),
        ...(entry.jobId ? { adoptJobId: entry.jobId } : {}),
        secretToken: config.requireSecret(plan.entra.secretTokenKey),
        notificationRecipients: resolveValue(config, plan.entra.notifications.recipients),
        allowDeletion: settings.allowDeletion,
        ...guard,
      });
      out.entra = {
        servicePrincipalId: app.servicePrincipalId,
        jobId: app.jobId,
        tenantUrl: app.tenantUrl,
        matchingAttribute: app.matchingAttribute,
      };
    }
    if (plan.okta) {
      const app = new OktaProvisionedApp(`${plan.name}-okta`, { plan, ...guard });
      out.okta = { appId: app.appId, manualSteps: app.manualSteps };
    }
    outputs[plan.name] = out;
  }
  return outputs;
}

function resolveValue(config: pulumi.Config, value: string | { config: string } | undefined): string | undefined {
  if (value === undefined || typeof value === "string") return value;
  return config.get(value.config);
}
