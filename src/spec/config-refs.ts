/** The Pulumi config keys an app file refers to. */
import type { AppSpec } from "./schema";

export function secretConfigKeys(spec: AppSpec, idps: readonly ("entra" | "okta")[] = ["entra", "okta"]): string[] {
  const keys = new Set<string>();
  if (idps.includes("entra") && spec.entra) keys.add(bareKey(spec.entra.provisioning.secretToken.config));
  if (idps.includes("okta") && spec.okta) keys.add(bareKey(spec.okta.provisioning.token.config));
  return [...keys];
}

export function plainConfigKeys(spec: AppSpec): string[] {
  const keys = new Set<string>();
  const email = spec.entra?.provisioning.notifications?.email;
  if (email && typeof email === "object") keys.add(bareKey(email.config));
  const domains = spec.target.userName?.allowedDomains;
  if (domains && typeof domains === "object") keys.add(bareKey(domains.config));
  return [...keys];
}

/** `scimops:foo` and `foo` name the same key of this project. */
export function bareKey(key: string): string {
  return key.startsWith("scimops:") ? key.slice("scimops:".length) : key;
}
