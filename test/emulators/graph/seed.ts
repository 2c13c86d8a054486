/**
 * Seeding the Graph emulator from a JSON file that describes apps as a person configured them in the
 * Entra portal (docs/emulator.md): users and groups, then per app its template, settings (secrets),
 * edited mappings, provisioning status and assignments. Sources may be written as the portal shows them
 * (`"Join(\" \", [givenName], [surname])"`); they are stored in Graph's attributeMappingSource form.
 * Seeding leaves the request log empty.
 */
import { readFileSync } from "node:fs";
import { parseExpression, toGraphSource } from "../../../src/expression";
import type { AppRole, AttributeMapping, AttributeMappingSource, Filter, SynchronizationSecretKeyStringValuePair } from "../../../src/graph/wire";
import type { GraphEmulator, SeededApp } from "./index";

export interface SeedAttributeMapping extends Omit<AttributeMapping, "source"> {
  /** Expression text as the portal shows it, Graph's attributeMappingSource, or null (default value only). */
  source?: string | AttributeMappingSource | null;
}

export interface SeedObjectMapping {
  /** Which mapping of the template's rule to edit. */
  sourceObjectName: "User" | "Group";
  name?: string;
  enabled?: boolean;
  flowTypes?: string;
  scope?: Filter | null;
  /** The complete list, replacing the template's. */
  attributeMappings?: SeedAttributeMapping[];
}

export interface SeedApp {
  /** "non-gallery", a gallery app's display name, or an application template id. */
  template: string;
  displayName: string;
  /** The token the emulated target accepts in validateCredentials (any non-empty one when omitted). */
  acceptedSecretToken?: string;
  /** Synchronization secrets as the portal saves them; SyncNotificationSettings may be an object. */
  secrets?: Record<string, string | Record<string, unknown>>;
  mappings?: SeedObjectMapping[];
  /** Provisioning Status. Default "off" (a job is created paused). */
  status?: "on" | "off";
  assignments?: ({ group: string; role: string } | { user: string; role: string })[];
}

export interface SeedFile {
  users?: { displayName: string; userPrincipalName: string; [property: string]: string }[];
  /** `members` are userPrincipalNames of the users above. */
  groups?: { displayName: string; members?: string[] }[];
  apps?: SeedApp[];
}

export function readSeedFile(file: string): SeedFile {
  return JSON.parse(readFileSync(file, "utf8")) as SeedFile;
}

const seedSource = (s: SeedAttributeMapping["source"]): AttributeMappingSource | null =>
  s === undefined || s === null ? null : typeof s === "string" ? (toGraphSource(parseExpression(s)) as AttributeMappingSource) : s;

/** Applies a seed file; returns each app's ids, in file order. */
export async function applySeed(emulator: GraphEmulator, seed: SeedFile): Promise<(SeededApp & { displayName: string })[]> {
  const ids = new Map<string, string>();
  for (const u of seed.users ?? []) ids.set(`user:${u.userPrincipalName.toLowerCase()}`, emulator.seedUser(u));
  for (const g of seed.groups ?? []) {
    const members = (g.members ?? []).map((upn) => {
      const id = ids.get(`user:${upn.toLowerCase()}`);
      if (!id) throw new Error(`seed: group ${g.displayName} lists ${upn}, which is not among the users`);
      return id;
    });
    ids.set(`group:${g.displayName.toLowerCase()}`, emulator.seedGroup({ displayName: g.displayName, members }));
  }
  const out: (SeededApp & { displayName: string })[] = [];
  const call = async (method: string, path: string): Promise<unknown> => {
    const res = await fetch(`${emulator.url}/v1.0${path}`, { method, headers: { Authorization: `Bearer ${emulator.token}` } });
    if (!res.ok) throw new Error(`seed: ${method} ${path} answered ${res.status}: ${await res.text()}`);
    return res.status === 204 ? undefined : res.json();
  };
  for (const app of seed.apps ?? []) {
    const seeded = emulator.seedApp({ template: app.template, displayName: app.displayName, ...(app.acceptedSecretToken !== undefined ? { acceptedSecretToken: app.acceptedSecretToken } : {}) });
    const { servicePrincipalId: sp, jobId } = seeded;
    if (app.secrets) {
      const list: SynchronizationSecretKeyStringValuePair[] = Object.entries(app.secrets).map(([key, value]) => ({ key, value: typeof value === "string" ? value : JSON.stringify(value) }));
      emulator.editSecrets(sp, () => list);
    }
    if (app.mappings?.length) {
      emulator.editSchema(sp, jobId, (schema) => {
        for (const edit of app.mappings!) {
          const rule = schema.synchronizationRules.find((r) => r.objectMappings.some((m) => m.sourceObjectName === edit.sourceObjectName));
          const mapping = rule?.objectMappings.find((m) => m.sourceObjectName === edit.sourceObjectName);
          if (!mapping) throw new Error(`seed: ${app.displayName}'s template has no mapping from ${edit.sourceObjectName}`);
          if (edit.name !== undefined) mapping.name = edit.name;
          if (edit.enabled !== undefined) mapping.enabled = edit.enabled;
          if (edit.flowTypes !== undefined) mapping.flowTypes = edit.flowTypes;
          if (edit.scope !== undefined) mapping.scope = edit.scope;
          if (edit.attributeMappings) {
            mapping.attributeMappings = edit.attributeMappings.map((a) => ({
              defaultValue: null,
              exportMissingReferences: false,
              flowBehavior: "FlowWhenChanged",
              flowType: "Always",
              matchingPriority: 0,
              ...a,
              source: seedSource(a.source),
            }));
          }
        }
      });
    }
    if (app.status === "on") await call("POST", `/servicePrincipals/${sp}/synchronization/jobs/${encodeURIComponent(jobId)}/start`);
    if (app.assignments?.length) {
      const roles = ((await call("GET", `/servicePrincipals/${sp}`)) as { appRoles: AppRole[] }).appRoles;
      emulator.editAssignments(sp, (list) => [
        ...list,
        ...app.assignments!.map((a, i) => {
          const kind = "group" in a ? "group" : "user";
          const name = "group" in a ? a.group : a.user;
          const principalId = ids.get(`${kind}:${name.toLowerCase()}`);
          if (!principalId) throw new Error(`seed: ${app.displayName} is assigned to ${kind} ${name}, which is not among the ${kind}s`);
          const role = roles.find((r) => r.displayName === a.role);
          if (!role) throw new Error(`seed: ${app.displayName} has no role ${a.role} (roles: ${roles.map((r) => r.displayName).join(", ")})`);
          return {
            id: `seed${i}${principalId.replace(/-/g, "")}`.slice(0, 43),
            appRoleId: role.id,
            createdDateTime: new Date().toISOString(),
            principalDisplayName: kind === "group" ? name : name,
            principalId,
            principalType: kind === "group" ? "Group" : "User",
            resourceDisplayName: app.displayName,
            resourceId: sp,
            deletedDateTime: null,
          };
        }),
      ]);
    }
    out.push({ ...seeded, displayName: app.displayName });
  }
  emulator.clearRequests();
  return out;
}
