/**
 * The Pulumi program: the stack's config + the mapping files → one component per app and identity
 * provider. src/index.ts runs it; tests import it after `setMocks`.
 */
import * as pulumi from "@pulumi/pulumi";
import * as okta from "@pulumi/okta";
import { join } from "node:path";
import { formatDiagnostic } from "./spec/diagnostics";
import { loadProject, projectRoot } from "./spec/project";
import { parseStackSettings, NAMESPACE, oktaOrgParts, type StackSettings } from "./spec/stack";
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
  okta?: {
    appId: pulumi.Output<string>;
    provisioning: pulumi.Output<string>;
    manualSteps: pulumi.Output<string[]>;
    profileMappingId: pulumi.Output<string | undefined>;
    pushGroupIds: pulumi.Output<Record<string, string>>;
  };
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
  const plans = settings.apps.map((entry) => {
    const loaded = apps.get(entry.name);
    if (!loaded) throw new Error(`mappings/${entry.name}.yaml was not loaded: ${diagnostics.map(formatDiagnostic).join("; ")}`);
    return compileApp(loaded, { cloud: settings.cloud, stackApp: entry });
  });
  const oktaProvider = oktaProviderFor(settings, plans);
  const outputs: Record<string, AppOutputs> = {};
  for (const [i, plan] of plans.entries()) {
    const entry = settings.apps[i]!;
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
    outputs[plan.name] = out;
  }
  // Okta after Entra: the explicit provider is a resource of its own, registered with the first Okta app.
  for (const plan of plans) {
    if (!plan.okta || !oktaProvider) continue;
    const guard = { retainOnDelete: !settings.allowDeletion, protect: settings.protect };
    const app = new OktaProvisionedApp(`${plan.name}-okta`, { plan, provider: oktaProvider(), stack: pulumi.getStack(), ...guard });
    outputs[plan.name]!.okta = { appId: app.appId, provisioning: app.provisioning, manualSteps: app.manualSteps, profileMappingId: app.profileMappingId, pushGroupIds: app.pushGroupIds };
  }
  return outputs;
}

/**
 * One explicit okta.Provider for the stack's org (`scimops:oktaOrg`), so no Okta resource falls back to the
 * ambient default provider. The API token stays in the environment (OKTA_API_TOKEN), never in the program.
 */
function oktaProviderFor(settings: StackSettings, plans: readonly AppPlan[]): (() => okta.Provider) | undefined {
  const users = plans.filter((p) => p.okta).map((p) => p.name);
  if (!users.length) return undefined;
  const org = settings.oktaOrg;
  if (!org) throw new pulumi.RunError(`${users.join(", ")} deploy with Okta, but the stack sets no \`${NAMESPACE}:oktaOrg\` (e.g. contoso.okta.com) for the Okta provider (run \`scimops validate\`)`);
  // Registered with the first Okta app, once for all of them.
  let provider: okta.Provider | undefined;
  return () => (provider ??= new okta.Provider("okta", oktaOrgParts(org)));
}

function resolveValue(config: pulumi.Config, value: string | { config: string } | undefined): string | undefined {
  if (value === undefined || typeof value === "string") return value;
  return config.get(value.config);
}
