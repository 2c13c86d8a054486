/**
 * Stack configuration (stacks/Pulumi.<env>.yaml, `config:` block, namespace `scimops:`): which apps run in
 * this environment, with which identity provider, tenant and cloud, and whether deletion is allowed.
 *
 * Secrets (tokens) are only ever `secure:` values written by `pulumi config set --secret`.
 *
 * One parser (StackSettings) for both readers, `scimops validate` (the stack file's YAML) and the program
 * (the engine's config, every value a string), accepting each form Pulumi writes: `pulumi config set KEY true`
 * stores the string "true"; `--path` and `--type bool` store YAML booleans and numbers (`--path
 * 'scimops:apps[0].parameters.region' 1` stores the number 1); a list set without `--path` is stored as JSON
 * text, and the engine hands a program every object as JSON text.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import { Assignment, Cloud } from "./schema";
import type { Diagnostic } from "./diagnostics";
import { YamlSource } from "./yaml-source";
import { issuesToDiagnostics } from "./load";
import { allowedKeys } from "./schema-keys";

export const NAMESPACE = "scimops";

/** "true" / "false" as `pulumi config set` writes them, or a YAML boolean. */
const configBoolean = z.preprocess((v) => (v === "true" ? true : v === "false" ? false : v), z.boolean());

/** A string, or the number or boolean `config set --path` made of what was typed. */
const configString = z.preprocess((v) => (typeof v === "number" || typeof v === "boolean" ? String(v) : v), z.string());

/** A list or object, or the JSON text Pulumi stores for one (and hands the program). */
function configJson<T extends z.ZodType>(schema: T) {
  return z.preprocess((v) => {
    if (typeof v !== "string" || !/^\s*[[{]/.test(v)) return v;
    try {
      return JSON.parse(v) as unknown;
    } catch {
      return v; // not JSON after all: the schema reports the string
    }
  }, schema);
}

/** `<org>.<base URL>`: the okta provider's `orgName` and `baseUrl` (okta.com, oktapreview.com, okta-emea.com …). */
const OKTA_ORG_HOST = /^([a-z0-9][a-z0-9-]*)\.((?:(?:okta|oktapreview|okta-emea|okta-gov)\.com|okta\.mil))$/;

export function oktaOrgParts(host: string): { orgName: string; baseUrl: string } {
  const m = OKTA_ORG_HOST.exec(host);
  if (!m) throw new Error(`scimops:oktaOrg \`${host}\` is not an Okta org host name such as contoso.okta.com`);
  return { orgName: m[1]!, baseUrl: m[2]! };
}

export const StackApp = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9-]*$/).describe("file name under mappings/ without .yaml"),
  idps: z.array(z.enum(["entra", "okta"])).min(1).default(["entra"]),
  parameters: z.record(z.string(), configString).default({}).describe("tenant URL parameters, e.g. region"),
  assignments: z.array(Assignment).optional().describe("replaces the file's assignments in this environment"),
  provisionOnDemand: z.array(z.strictObject({ user: z.string().min(1) })).optional(),
  status: z.enum(["on", "off"]).optional().describe("overrides the file's provisioning status"),
  servicePrincipalId: z.string().uuid().optional().describe("adopt this existing enterprise app (service principal object id) instead of creating one"),
  jobId: z.string().min(1).optional().describe("adopt this existing synchronization job of the app"),
  okta: z
    .strictObject({
      provisioning: z
        .enum(["pending", "enabled"])
        .default("pending")
        .describe("pending: create the app and assignments, print the Admin Console steps; enabled (after those steps): add profile mappings and push groups"),
      assignments: z.array(z.string().min(1)).optional().describe("Okta groups assigned in this environment; replaces the file's okta.assignments.groups"),
    })
    .optional()
    .describe("Okta's two-phase apply around the manual SCIM step"),
});

export const StackSettings = z.strictObject({
  apps: configJson(z.array(StackApp)).default([]),
  cloud: Cloud.default("global"),
  graphBaseUrl: z.string().url().optional().describe("explicit Graph base URL (e.g. an emulator); overrides cloud"),
  tenantId: configString.pipe(z.string().min(1)).optional(),
  oktaOrg: configString
    .pipe(z.string().regex(OKTA_ORG_HOST, { message: "an Okta org is its host name, e.g. `contoso.okta.com` or `contoso.oktapreview.com`" }))
    .optional()
    .describe("the Okta org's host name; the explicit okta.Provider's orgName and baseUrl come from it"),
  allowDeletion: configBoolean.default(false),
  protect: configBoolean.default(false).describe("protect the enterprise apps (pulumi protect)"),
  mappingsDir: z.string().default("mappings"),
});
export type StackSettings = z.infer<typeof StackSettings>;
export type StackApp = z.infer<typeof StackApp>;
export type OktaPhase = NonNullable<StackApp["okta"]>["provisioning"];

/** Keys under `scimops:` that StackSettings reads; any other `scimops:` key is a value the mapping files reference. */
export const STACK_SETTING_KEYS: ReadonlySet<string> = new Set(Object.keys(StackSettings.shape));

export interface LoadedStack {
  file: string;
  settings: StackSettings;
  /** Other `scimops:` values (plain ones as strings, secure ones as the marker "secure"). */
  values: Record<string, string | { secure: true }>;
  source: YamlSource;
}

export type StackLoadResult = { ok: true; stack: LoadedStack; diagnostics: Diagnostic[] } | { ok: false; diagnostics: Diagnostic[] };

/** The stack's settings from its `scimops:` config, in any form Pulumi writes (see the top of this file). */
export function parseStackSettings(config: Record<string, unknown>) {
  return StackSettings.safeParse(splitStackConfig(config).settings);
}

/** Splits `scimops:`-namespaced config into settings and referenced values. */
export function splitStackConfig(config: Record<string, unknown>): { settings: Record<string, unknown>; values: Record<string, unknown> } {
  const settings: Record<string, unknown> = {};
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    const [ns, name] = key.includes(":") ? (key.split(":", 2) as [string, string]) : [NAMESPACE, key];
    if (ns !== NAMESPACE) continue;
    if (STACK_SETTING_KEYS.has(name)) settings[name] = value;
    else values[name] = value;
  }
  return { settings, values };
}

export function loadStackFile(file: string): StackLoadResult {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    return { ok: false, diagnostics: [{ file, line: 1, column: 1, severity: "error", message: String(err), fix: "check the path" }] };
  }
  const { source, diagnostics } = YamlSource.parse(file, text);
  if (diagnostics.some((d) => d.severity === "error")) return { ok: false, diagnostics };
  const raw = (source.toJS() ?? {}) as { config?: Record<string, unknown> };
  const config = raw.config ?? {};
  const { values } = splitStackConfig(config);
  const out: Diagnostic[] = [...diagnostics];
  const parsed = parseStackSettings(config);
  if (!parsed.success) {
    // Re-root the issue paths at the real YAML keys (`config` → `scimops:apps` …).
    const rooted = parsed.error.issues.map((i) => ({ ...i, path: ["config", `${NAMESPACE}:${String(i.path[0])}`, ...i.path.slice(1)] }));
    const keysAt = (path: readonly (string | number)[]) => allowedKeys(path.slice(1).map((p, i) => (i === 0 ? String(p).replace(`${NAMESPACE}:`, "") : p)), StackSettings);
    out.push(...issuesToDiagnostics(rooted, source, raw, keysAt));
    return { ok: false, diagnostics: out };
  }
  const plainValues: LoadedStack["values"] = {};
  for (const [name, value] of Object.entries(values)) {
    if (value && typeof value === "object" && "secure" in value) {
      plainValues[name] = { secure: true };
    } else if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
      plainValues[name] = String(value);
    } else {
      const pos = source.locate(["config", `${NAMESPACE}:${name}`]);
      out.push({ file, line: pos.line, column: pos.column, severity: "error", message: `\`${NAMESPACE}:${name}\` must be a string or a secure value`, fix: "set it with `pulumi config set` (add --secret for tokens)" });
    }
  }
  if (out.some((d) => d.severity === "error")) return { ok: false, diagnostics: out };
  return { ok: true, stack: { file, settings: parsed.data, values: plainValues, source }, diagnostics: out };
}
