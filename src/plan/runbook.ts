/**
 * Step-by-step instructions rendered from the Plan, for what no API can do: Okta's SCIM connection of a
 * custom app (Admin UI only), and identity providers without a Pulumi provider (OneLogin, JumpCloud as
 * IdP, Google Workspace). The app file stays the single source of truth; tokens are named by their
 * config key, never printed.
 */
import type { AppPlan, OktaPlan } from "./types";

export type RunbookIdp = "okta" | "onelogin" | "jumpcloud" | "google";

const ACTION_LABELS: Record<string, string> = {
  pushNewUsers: "Push New Users",
  pushProfileUpdates: "Push Profile Updates",
  pushGroups: "Push Groups",
  importNewUsers: "Import New Users and Profile Updates",
  importProfileUpdates: "Import Profile Updates",
};
const AUTH_LABELS: Record<string, string> = { header: "HTTP Header", basic: "Basic Auth", oauth2: "OAuth 2" };

function baseUrlOf(plan: AppPlan): string {
  return plan.okta?.scimBaseUrl ?? plan.entra?.tenantUrl ?? plan.okta?.scimBaseUrlTemplate ?? plan.entra?.tenantUrlTemplate ?? "";
}

function tokenKeyOf(plan: AppPlan): string {
  return plan.okta?.tokenKey ?? plan.entra?.secretTokenKey ?? "";
}

/** `pulumi config get` line that prints the token for the person doing the step (it is never shown here). */
export function tokenInstruction(key: string): string {
  return `the token in Pulumi config \`scimops:${key}\` (show it with \`pulumi config get --show-secrets scimops:${key}\`)`;
}

/**
 * The Okta clicks for a custom app's SCIM connection, with the exact values, then the stack flag that starts
 * phase 2 (profile mappings and push groups, which need the app-user attributes and features SCIM adds).
 */
export function oktaManualSteps(plan: AppPlan, okta: OktaPlan, stack?: string): string[] {
  const url = okta.scimBaseUrl ?? okta.scimBaseUrlTemplate;
  const to = okta.toApp;
  const enabled = [to.createUsers && "Create Users", to.updateUserAttributes && "Update User Attributes", to.deactivateUsers && "Deactivate Users"].filter(Boolean);
  const later = ["the profile mappings", ...(okta.pushGroups.length ? ["push groups"] : [])].join(" and ");
  return [
    `Okta Admin Console → Applications → Applications → ${okta.label} → General → Edit → Provisioning: SCIM → Save.`,
    `Provisioning → Integration → Edit: SCIM connector base URL = ${url}; Unique identifier field for users = ${okta.uniqueIdentifierField}; Supported provisioning actions = ${okta.supportedActions.map((a) => ACTION_LABELS[a] ?? a).join(", ")}; Authentication Mode = ${AUTH_LABELS[okta.authenticationMode] ?? okta.authenticationMode}; Authorization = ${tokenInstruction(okta.tokenKey)}.`,
    `Select Test API Credentials (Okta must confirm the connection), then Save.`,
    `Provisioning → To App → Edit: enable ${enabled.join(", ")} → Save.`,
    ...(okta.pushGroups.length
      ? [`Do not push groups or edit attribute mappings by hand: scimops does both once provisioning is enabled, pushing ${okta.pushGroups.join(", ")}${plan.target.groups.caseSensitive ? ` by their exact (case-sensitive) ${plan.displayName} names` : ""}.`]
      : []),
    `Set \`okta: { provisioning: enabled }\` on ${plan.name}'s entry in stacks/Pulumi.${stack ?? "<env>"}.yaml and run \`scimops up${stack ? ` --stack ${stack}` : ""}\` again: it checks the app's provisioning features in Okta first, then adds ${later}.`,
  ];
}

export function runbook(plan: AppPlan, idp: RunbookIdp, stack?: string): string[] {
  if (idp === "okta") {
    if (!plan.okta) throw new Error(`${plan.displayName} has no okta section`);
    return oktaManualSteps(plan, plan.okta, stack);
  }
  const entry = plan.otherIdps.find((o) => o.idp === idp);
  if (!entry) {
    const known = ["okta", ...plan.otherIdps.map((o) => o.idp)].filter((i) => i !== "okta" || plan.okta);
    throw new Error(`${plan.displayName} has no runbook for ${idp} (available: ${known.join(", ")})`);
  }
  const values: Record<string, string> = {
    scimBaseUrl: baseUrlOf(plan),
    tokenConfig: `scimops:${tokenKeyOf(plan)}`,
    groups: plan.target.groups.known.join(", ") || "(none declared)",
    appName: plan.displayName,
  };
  return [entry.method, ...entry.steps.map((step) => step.replace(/\{(\w+)\}/g, (m, name: string) => values[name] ?? m))];
}

/** The runbook as data: how the IdP connects (method) and the numbered steps. */
export function runbookSteps(plan: AppPlan, idp: RunbookIdp, stack?: string): { method: string; steps: string[] } {
  const [method, ...steps] = idp === "okta" ? [oktaMethod(plan.okta), ...runbook(plan, idp, stack)] : runbook(plan, idp, stack);
  return { method: method!, steps };
}

export function formatRunbook(plan: AppPlan, idp: RunbookIdp, stack?: string): string {
  const { method, steps } = runbookSteps(plan, idp, stack);
  return [`# ${plan.displayName} — ${idp}`, method, "", ...steps.map((s, i) => `${i + 1}. ${s}`)].join("\n");
}

/** Okta's apply runs in two phases around the steps above; the runbook says which one the stack is in. */
function oktaMethod(okta: OktaPlan | undefined): string {
  if (!okta) return "Okta";
  const kind = okta.signOnMode === "SWA" ? "SWA (AUTO_LOGIN)" : "SAML 2.0";
  return [
    `Okta: ${okta.label}, an App Integration Wizard ${kind} app. \`scimops up\` runs in two phases around these steps:`,
    `phase 1 (okta.provisioning: pending, the default) creates the app with its username template and the group assignments;`,
    `phase 2 (okta.provisioning: enabled) checks the app's provisioning features, then adds the profile mappings and push groups.`,
    `This stack is in phase ${okta.provisioning === "enabled" ? "2 (enabled)" : "1 (pending)"}.`,
  ].join("\n");
}
