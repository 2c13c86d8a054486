/**
 * Who is assigned, and with which role: directory lookups of users and groups, object ids from anywhere
 * (including `@pulumi/azuread` outputs), and app-role resolution by name. Provider code: follows the
 * serialization rule in helpers.ts.
 */
import type { GraphSession } from "./graph";
import type { AppRole } from "../graph/wire";
import { findPrincipals, type CallContext } from "./sync-api";

export type PrincipalType = "User" | "Group" | "ServicePrincipal";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The object id in `ref` when it is one: a bare GUID, or a Graph-style resource id such as
 * `/groups/{id}` or `/servicePrincipals/{id}` (the shape terraform-provider-azuread v3 uses for some `id`s).
 */
export function objectIdOf(ref: string): string | undefined {
  const m = /^(?:\/(?:groups|users|servicePrincipals)\/)?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i.exec(ref.trim());
  return m ? m[1]!.toLowerCase() : undefined;
}

export function isObjectId(value: string): boolean {
  return GUID.test(value);
}

/**
 * Resolves a principal reference to its object id: an object id as is (no call); else a group by display
 * name or a user by userPrincipalName, which must match exactly one object. `cache` avoids asking twice
 * for the same name within one operation.
 */
export async function resolvePrincipalId(
  session: GraphSession,
  type: PrincipalType,
  ref: string,
  ctx: CallContext,
  cache: Map<string, string> = new Map(),
): Promise<string> {
  const id = objectIdOf(ref);
  if (id) return id;
  if (type === "ServicePrincipal") throw new Error(`${ctx.app ?? "Graph"}: service principal "${ref}" must be given by object id`);
  const key = `${type}:${ref}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const kind = type === "Group" ? "group" : "user";
  const found = await findPrincipals(session, kind, ref, ctx);
  if (found.length !== 1) {
    const what = kind === "group" ? `group with display name "${ref}"` : `user with userPrincipalName "${ref}"`;
    const ids = found.length ? ` (${found.map((p) => p.id).join(", ")}; give the object id instead)` : "";
    throw new Error(`${ctx.app ?? "Graph"}: expected exactly one ${what}, found ${found.length}${ids}`);
  }
  cache.set(key, found[0]!.id);
  return found[0]!.id;
}

/**
 * The app role `name` (display name or value) among the enabled roles that may be assigned to `type`:
 * users and groups take roles allowing `User`, service principals roles allowing `Application`
 * (appRole.allowedMemberTypes: "['User']" = users and groups, "['Application']" = other applications; approle.md).
 */
export function resolveAppRoleId(roles: readonly AppRole[], name: string, type: PrincipalType, app: string): string {
  const memberType = type === "ServicePrincipal" ? "Application" : "User";
  const fits = roles.filter((r) => r.isEnabled && (r.allowedMemberTypes ?? []).includes(memberType));
  const byName = fits.filter((r) => r.displayName === name);
  const hits = byName.length ? byName : fits.filter((r) => r.value === name);
  if (hits.length === 1) return hits[0]!.id;
  const names = fits.map((r) => r.displayName).join(", ") || "none";
  if (hits.length > 1) throw new Error(`${app}: several enabled app roles are named "${name}" (${hits.map((r) => r.id).join(", ")})`);
  const who = type === "ServicePrincipal" ? "applications" : "users and groups";
  throw new Error(`${app}: the app has no enabled role "${name}" that ${who} can be assigned (roles that fit: ${names})`);
}
