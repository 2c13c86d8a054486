/**
 * What the portal's Test Connection does (graph-sync.md §3.5): "queries the SCIM endpoint for a user that
 * doesn't exist, using a random GUID as the matching property" — `GET /Users?filter=<matching attribute>
 * eq "<random GUID>"` — and, with group provisioning on, a random group ("Microsoft Entra ID makes
 * requests to fetch a random user and group", use-scim-to-provision-users-and-groups.md), each expecting
 * 200 and an empty ListResponse; plus the catalog's checks on the tenant URL (https, required flags such
 * as JumpCloud's aadOptscim062020) and on the token's format.
 */
import { randomUUID } from "node:crypto";
import { scimBaseUrl } from "../catalog/tenant-url";
import type { AppPlan } from "../plan/types";
import { errorDetail, NetworkError, scimRequest } from "./http";
import { groupMatchRequest, LIST_RESPONSE_SCHEMA, matchRequest, requestUrl, type ScimRequest } from "./scim";

export interface CheckItem {
  check: "tenant-url" | "token" | "connection";
  severity: "ok" | "error" | "warning";
  message: string;
}

export interface CheckOptions {
  /** The tenant URL to check (default: the plan's, resolved with the stack's parameters). */
  target?: string;
  token?: string;
  /** Name of the environment variable the token came from, for messages. */
  tokenVar: string;
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
  /** The GUID Test Connection queries for (default: random). */
  guid?: string;
}

/** The mapping's matching attribute of precedence 1 (the one Test Connection queries). */
function firstMatching(plan: AppPlan, key: "users" | "groups", fallback: string): string {
  const mapping = plan.entra?.mappings.find((m) => m.key === key);
  const first = [...(mapping?.attributes ?? [])].filter((a) => a.matchingPrecedence > 0).sort((a, b) => a.matchingPrecedence - b.matchingPrecedence)[0];
  return first?.target ?? fallback;
}

/** Test Connection's requests: a user that does not exist, and a group when groups are provisioned. */
export function connectionRequests(plan: AppPlan, userGuid: string, groupGuid: string): ScimRequest[] {
  const out = [matchRequest(firstMatching(plan, "users", "userName"), userGuid)];
  if (plan.entra?.mappings.find((m) => m.key === "groups")?.enabled) out.push(groupMatchRequest(firstMatching(plan, "groups", "displayName"), groupGuid));
  return out;
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

export function checkTenantUrl(plan: AppPlan, url: string | undefined): CheckItem[] {
  const out: CheckItem[] = [];
  const entra = plan.entra!;
  if (url === undefined) {
    out.push({ check: "tenant-url", severity: "error", message: `the tenant URL ${entra.tenantUrlTemplate} has parameters the stack does not set (add them under the app's \`parameters\` in the stack, or pass --target URL)` });
    return out;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    out.push({ check: "tenant-url", severity: "error", message: `\`${url}\` is not a URL` });
    return out;
  }
  if (parsed.protocol !== "https:") {
    if (parsed.protocol === "http:" && LOOPBACK.test(parsed.hostname)) {
      out.push({ check: "tenant-url", severity: "warning", message: `${url} is plain http: Entra only connects over https (accepted here for a local test target)` });
    } else {
      out.push({ check: "tenant-url", severity: "error", message: `${url} is not https: Entra only connects to https tenant URLs` });
    }
  }
  const flags = new Set(parsed.search.replace(/^\?/, "").split("&").filter(Boolean).map((p) => p.split("=")[0]));
  for (const flag of plan.target.tenantUrl?.requiredFlags ?? []) {
    if (!flags.has(flag)) {
      const why = plan.target.tenantUrl?.reason ? ` (${plan.target.tenantUrl.reason})` : "";
      out.push({ check: "tenant-url", severity: "error", message: `the tenant URL lacks the \`${flag}\` flag${why}; append ?${flag}` });
    }
  }
  if (!out.some((c) => c.severity === "error")) out.push({ check: "tenant-url", severity: "ok", message: `tenant URL ${url}` });
  return out;
}

export function checkToken(plan: AppPlan, token: string | undefined, tokenVar: string): CheckItem[] {
  const rules = plan.target.token;
  if (token === undefined || token === "") {
    return [{ check: "token", severity: "error", message: `no secret token: set the environment variable ${tokenVar} (or pass --token-env VAR)${rules?.howToObtain ? `. ${rules.howToObtain}` : ""}` }];
  }
  const out: CheckItem[] = [];
  if (token !== token.trim()) {
    out.push({ check: "token", severity: "error", message: `the token in ${tokenVar} has leading or trailing whitespace; copy it again without spaces or line breaks` });
  }
  if (rules) {
    let re: RegExp | undefined;
    try {
      re = new RegExp(rules.pattern);
    } catch {
      re = undefined;
    }
    if (re && !re.test(token.trim())) {
      out.push({ check: "token", severity: "error", message: `the token in ${tokenVar} does not look like ${rules.description} (it has ${token.trim().length} characters)${rules.howToObtain ? `. ${rules.howToObtain}` : ""}` });
    }
  }
  if (!out.length) out.push({ check: "token", severity: "ok", message: `token from ${tokenVar} has the expected format${rules ? ` (${rules.description})` : ""}` });
  return out;
}

/** Test Connection against `url` (the tenant URL; Entra's flags are removed before requests): the user query. */
export async function testConnection(plan: AppPlan, url: string, options: CheckOptions): Promise<CheckItem> {
  return probe(plan, url, connectionRequests(plan, options.guid ?? randomUUID(), randomUUID())[0]!, "users", options);
}

/** The random-group query of Test Connection (null when the app provisions no groups). */
export async function testGroupConnection(plan: AppPlan, url: string, options: CheckOptions): Promise<CheckItem | null> {
  const request = connectionRequests(plan, randomUUID(), options.guid ?? randomUUID())[1];
  return request ? probe(plan, url, request, "groups", options) : null;
}

async function probe(plan: AppPlan, url: string, request: ScimRequest, what: "users" | "groups", options: CheckOptions): Promise<CheckItem> {
  const base = scimBaseUrl(url);
  const full = requestUrl(base, request);
  const secrets = [options.token];
  const resource = what === "users" ? "Users" : "Groups";
  try {
    const result = await scimRequest(full, { method: "GET", token: options.token?.trim(), timeoutMs: options.timeoutMs, fetchImpl: options.fetchImpl });
    const where = `GET ${base}${request.path}`;
    if (result.status === 401 || result.status === 403) {
      const howTo = plan.target.token?.howToObtain ? ` ${plan.target.token.howToObtain}` : "";
      return {
        check: "connection",
        severity: "error",
        message: `${where} → ${result.status}: the target refused the secret token${options.token ? ` from ${options.tokenVar}` : " (none was sent)"} — check that it is complete and not revoked.${howTo}${result.text ? ` Server said: ${errorDetail(result, secrets)}` : ""}`,
      };
    }
    if (result.status === 404) {
      return { check: "connection", severity: "error", message: `${where} → 404: no SCIM ${resource} endpoint at ${base} — check the tenant URL's path (it is the SCIM base, e.g. …/scim/v2, without /${resource})` };
    }
    if (result.status >= 300 && result.status < 400) {
      return { check: "connection", severity: "error", message: `${where} → ${result.status} redirect: Entra does not follow redirects; use the final URL as the tenant URL` };
    }
    if (result.status !== 200) {
      return { check: "connection", severity: "error", message: `${where} → ${result.status}: expected 200 with an empty ListResponse. ${errorDetail(result, secrets)}`.trim() };
    }
    const b = result.body as { schemas?: unknown; totalResults?: unknown; Resources?: unknown } | undefined;
    if (!b || !Array.isArray(b.schemas) || !b.schemas.includes(LIST_RESPONSE_SCHEMA)) {
      return { check: "connection", severity: "error", message: `${where} → 200, but the body is not a SCIM ListResponse (schemas must include ${LIST_RESPONSE_SCHEMA})` };
    }
    const count = typeof b.totalResults === "number" ? b.totalResults : Array.isArray(b.Resources) ? b.Resources.length : 0;
    if (count !== 0) {
      return { check: "connection", severity: "warning", message: `${where} → 200 with ${count} result(s) for a random GUID: the endpoint seems to ignore the filter; Entra would match the wrong ${what}` };
    }
    return { check: "connection", severity: "ok", message: `Test Connection: ${where} → 200, empty ListResponse (the credentials are authorized)` };
  } catch (err) {
    const message = err instanceof NetworkError ? err.message : String(err);
    return { check: "connection", severity: "error", message: `Test Connection failed: ${message}` };
  }
}

export async function checkApp(plan: AppPlan, options: CheckOptions): Promise<CheckItem[]> {
  if (!plan.entra) return [{ check: "tenant-url", severity: "error", message: `${plan.name} has no Entra ID configuration` }];
  const url = options.target ?? plan.entra.tenantUrl;
  const items = [...checkTenantUrl(plan, url), ...checkToken(plan, options.token, options.tokenVar)];
  if (url !== undefined && !items.some((i) => i.check === "tenant-url" && i.severity === "error" && /not a URL/.test(i.message))) {
    items.push(await testConnection(plan, url, options));
    const groups = await testGroupConnection(plan, url, options);
    if (groups) items.push(groups);
  }
  return items;
}
