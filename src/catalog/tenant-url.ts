/**
 * Tenant URLs: templates with `{parameter}` placeholders (e.g. IronWifi's region), and the feature flags
 * Entra reads from the query string (`aadOptscim062020` selects SCIM-compliant PATCH requests).
 */
import type { TenantUrlSpec } from "../spec/schema";

/** The URL as written: the template when the file gives parameters. */
export function urlTemplate(url: TenantUrlSpec): string {
  return typeof url === "string" ? url : url.template;
}

export function tenantUrlPlaceholders(template: string): string[] {
  return [...template.matchAll(/\{([A-Za-z][A-Za-z0-9]*)\}/g)].map((m) => m[1]!);
}

export class TenantUrlError extends Error {}

/** Fills the template's placeholders from `values`, checking each value against its declared rule. */
export function resolveTenantUrl(spec: TenantUrlSpec, values: Readonly<Record<string, string>>): string {
  if (typeof spec === "string") return spec;
  return spec.template.replace(/\{([A-Za-z][A-Za-z0-9]*)\}/g, (_, name: string) => {
    const parameter = spec.parameters[name]!;
    const value = values[name];
    if (value === undefined || value === "") {
      throw new TenantUrlError(`tenant URL parameter \`${name}\` is not set (${parameter.description})`);
    }
    if (parameter.values && !(value in parameter.values)) {
      throw new TenantUrlError(`tenant URL parameter \`${name}\` is \`${value}\`; allowed: ${Object.keys(parameter.values).join(", ")}`);
    }
    if (parameter.pattern && !new RegExp(parameter.pattern).test(value)) {
      throw new TenantUrlError(`tenant URL parameter \`${name}\` is \`${value}\`, which does not match ${parameter.pattern}`);
    }
    return value;
  });
}

/** Entra's SCIM request dialect, chosen by flags in the tenant URL's query string. */
export type ScimDialect = "aadOptscim062020" | "legacy";

export function scimDialect(tenantUrl: string): ScimDialect {
  const query = tenantUrl.includes("?") ? tenantUrl.slice(tenantUrl.indexOf("?") + 1) : "";
  const flags = new Set(query.split("&").map((p) => p.split("=")[0]));
  // AzureAdScimPatch2017 rolls the compliant behaviour back.
  return flags.has("aadOptscim062020") && !flags.has("AzureAdScimPatch2017") ? "aadOptscim062020" : "legacy";
}

/** The SCIM endpoint base: the tenant URL without Entra's flags. */
export function scimBaseUrl(tenantUrl: string): string {
  const [base, query] = tenantUrl.split("?", 2) as [string, string | undefined];
  const rest = (query ?? "").split("&").filter((p) => p && !/^(aadOptscim062020|AzureAdScimPatch2017)(=|$)/.test(p));
  return (rest.length ? `${base}?${rest.join("&")}` : base).replace(/\/+$/, "");
}

/** Whether a URL has a user name or password before its host (`https://user:secret@host/…`). */
export function hasCredentials(url: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(url);
}
