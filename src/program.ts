/**
 * The Pulumi program: the stack's config + the mapping files → one component per app and identity
 * provider. src/index.ts runs it; tests import it after `setMocks`.
 */
import * as pulumi from "@pulumi/pulumi";
import * as okta from "@pulumi/okta";
import { join } from "node:path";
import { formatDiagnostic, SpecError } from "./spec/diagnostics";
import { loadProject, projectRoot } from "./spec/project";
import { splitStackConfig, StackSettings, NAMESPACE, oktaOrgParts } from "./spec/stack";
import { compileApp } from "./plan/compile";
import type { AppPlan } from "./plan/types";
import { EntraProvisionedApp } from "./entra/component";
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

/** Reads every `scimops:` key of the stack, the way `pulumi config` holds them (objects as JSON). */
function stackConfig(): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  const all = pulumi.runtime.allConfig();
  for (const [key, value] of Object.entries(all)) {
    if (!key.startsWith(`${NAMESPACE}:`)) continue;
    try {
      raw[key] = JSON.parse(value);
    } catch {
      raw[key] = value;
    }
  }
  return raw;
}

export function run(root = projectRoot(join(__dirname, ".."))): Record<string, AppOutputs> {
  const { settings: rawSettings } = splitStackConfig(stackConfig());
  const parsed = StackSettings.safeParse(rawSettings);
  if (!parsed.success) {
    throw new Error(`stack config is invalid (run \`scimops validate\`): ${parsed.error.issues.map((i) => `scimops:${i.path.join(".")}: ${i.message}`).join("; ")}`);
  }
  const settings = parsed.data;
  const files = settings.apps.map((a) => join(root, settings.mappingsDir, `${a.name}.yaml`));
  // Bad input never reaches Graph: any error in the files stops the program before a resource is registered.
  const { apps, diagnostics } = loadProject(files, []);
  const errors = diagnostics.filter((d) => d.severity === "error");
  if (errors.length) throw new SpecError(errors);

  const config = new pulumi.Config(NAMESPACE);
  const plans = settings.apps.map((entry) => {
    const loaded = apps.get(entry.name);
    if (!loaded) throw new Error(`mappings/${entry.name}.yaml was not loaded: ${diagnostics.map(formatDiagnostic).join("; ")}`);
    return compileApp(loaded, { cloud: settings.cloud, stackApp: entry });
  });
  const oktaProvider = oktaProviderFor(settings, plans);
  const outputs: Record<string, AppOutputs> = {};
  for (const plan of plans) {
    const guard = { retainOnDelete: !settings.allowDeletion, protect: settings.protect };
    const out: AppOutputs = {};
    if (plan.entra) {
      const app = new EntraProvisionedApp(`${plan.name}-entra`, {
        plan,
        entra: plan.entra,
        cloud: settings.cloud,
        graphBaseUrl: settings.graphBaseUrl,
        tenantId: settings.tenantId,
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
  if (!org) throw new Error(`${users.join(", ")} deploy with Okta, but the stack sets no \`${NAMESPACE}:oktaOrg\` (e.g. contoso.okta.com) for the Okta provider (run \`scimops validate\`)`);
  // Registered with the first Okta app, once for all of them.
  let provider: okta.Provider | undefined;
  return () => (provider ??= new okta.Provider("okta", oktaOrgParts(org)));
}

function resolveValue(config: pulumi.Config, value: string | { config: string } | undefined): string | undefined {
  if (value === undefined || typeof value === "string") return value;
  return config.get(value.config);
}
