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

/** The Okta clicks for a custom app's SCIM connection, with the exact values. */
export function oktaManualSteps(plan: AppPlan, okta: OktaPlan): string[] {
  const url = okta.scimBaseUrl ?? okta.scimBaseUrlTemplate;
  const to = okta.toApp;
  const enabled = [to.createUsers && "Create Users", to.updateUserAttributes && "Update User Attributes", to.deactivateUsers && "Deactivate Users"].filter(Boolean);
  return [
    `Okta Admin Console → Applications → Applications → ${okta.label} → General → Edit → Provisioning: SCIM → Save.`,
    `Provisioning → Integration → Edit: SCIM connector base URL = ${url}; Unique identifier field for users = ${okta.uniqueIdentifierField}; Supported provisioning actions = ${okta.supportedActions.map((a) => ACTION_LABELS[a] ?? a).join(", ")}; Authentication Mode = ${AUTH_LABELS[okta.authenticationMode] ?? okta.authenticationMode}; Authorization = ${tokenInstruction(okta.tokenKey)}.`,
    `Select Test API Credentials (Okta must confirm the connection), then Save.`,
    `Provisioning → To App → Edit: enable ${enabled.join(", ")} → Save.`,
    ...(plan.target.groups.caseSensitive && okta.pushGroups.length
      ? [`Pushed group names must equal the ${plan.displayName} group names exactly (case-sensitive): ${okta.pushGroups.join(", ")}.`]
      : []),
  ];
}

export function runbook(plan: AppPlan, idp: RunbookIdp): string[] {
  if (idp === "okta") {
    if (!plan.okta) throw new Error(`${plan.displayName} has no okta section`);
    return oktaManualSteps(plan, plan.okta);
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
export function runbookSteps(plan: AppPlan, idp: RunbookIdp): { method: string; steps: string[] } {
  const [method, ...steps] = idp === "okta" ? [`Okta: ${plan.okta?.label}`, ...runbook(plan, idp)] : runbook(plan, idp);
  return { method: method!, steps };
}

export function formatRunbook(plan: AppPlan, idp: RunbookIdp): string {
  const { method, steps } = runbookSteps(plan, idp);
  return [`# ${plan.displayName} — ${idp}`, method, "", ...steps.map((s, i) => `${i + 1}. ${s}`)].join("\n");
}
