/**
 * App roles as Entra sends them (customize-application-attributes.md, "Provisioning a role to a SCIM
 * app"): a mapping whose source is AppRoleAssignmentsComplex / AssertiveAppRoleAssignmentsComplex sends
 * `roles` as objects `{primary: false, type: "WindowsAzureActiveDirectoryRole", display, value}`;
 * SingleAppRoleAssignment fills `roles[primary eq "True"].value|display|type` with one primary role.
 * PATCH: without aadOptscim062020 the *Complex and Single functions send `Add roles` with each role as a
 * JSON string `{"id","value","displayName"}`; with the flag "POST and PATCH are sent in the same format"
 * (the objects); the Assertive function replaces the whole list.
 */
import type { ScimDialect } from "../catalog/tenant-url";
import type { PlannedAttribute } from "../plan/types";
import { type AttributeChange, type AttributeValue, parseTargetPath, type PatchOperation, ROLE_TYPE } from "./scim";

export type RoleMode = "complex" | "assertive" | "single";

const MODES: Readonly<Record<string, RoleMode>> = {
  AppRoleAssignmentsComplex: "complex",
  AssertiveAppRoleAssignmentsComplex: "assertive",
  SingleAppRoleAssignment: "single",
};

/** How Entra exports the attribute's roles (null: not a role mapping). */
export function roleModeOf(a: PlannedAttribute): RoleMode | null {
  if (a.source?.kind !== "call") return null;
  const mode = MODES[a.source.name];
  if (!mode) return null;
  const p = parseTargetPath(a.target);
  if (p.schema || p.attribute !== "roles") return null;
  if (mode === "single") return p.filter?.attribute === "primary" ? mode : null;
  return p.filter || p.sub ? null : mode;
}

function names(v: AttributeValue | null): string[] {
  return v === null ? [] : typeof v === "string" ? [v] : [...v];
}

/** The role object of the POST body (RFC 7643 `display`; see docs/preview.md for the docs' `displayName`). */
export function roleObject(name: string, primary: boolean): Record<string, unknown> {
  return { primary, type: ROLE_TYPE, display: name, value: name };
}

/** `{"id","value","displayName"}` as the legacy PATCH's string value; the app role's id is a placeholder. */
function legacyRoleValue(name: string): { value: string } {
  return { value: JSON.stringify({ id: `{appRoleId:${name}}`, value: name, displayName: name }) };
}

/** The body's roles from the role attributes' create values (`roles: []` when a *Complex mapping yields none). */
export function applyRoles(body: Record<string, unknown>, roles: readonly { mode: RoleMode; target: string; value: AttributeValue | null }[]): void {
  for (const r of roles) {
    if (r.mode !== "single") {
      body.roles = names(r.value).map((n) => roleObject(n, false));
      continue;
    }
    const list = body.roles;
    if (!Array.isArray(list)) continue;
    for (const entry of list as Record<string, unknown>[]) {
      if (entry.primary === "True" || entry.primary === true) {
        entry.primary = true;
        if ("type" in entry) entry.type = ROLE_TYPE;
      }
    }
  }
}

/** The PATCH operation for a change of a role attribute (null: Entra sends none, e.g. a role removed under AppRoleAssignmentsComplex). */
export function roleOperation(change: AttributeChange, mode: RoleMode, dialect: ScimDialect): PatchOperation | null {
  const legacy = dialect === "legacy";
  const after = names(change.after);
  if (mode === "assertive") return { op: legacy ? "Replace" : "replace", path: "roles", value: after.map((n) => roleObject(n, false)) };
  if (mode === "single") {
    if (parseTargetPath(change.target).sub !== "value" || !after.length) return null;
    return { op: legacy ? "Add" : "add", path: "roles", value: [legacy ? legacyRoleValue(after[0]!) : roleObject(after[0]!, true)] };
  }
  // AppRoleAssignmentsComplex adds only: the roles not held before.
  const before = new Set(names(change.before));
  const added = after.filter((n) => !before.has(n));
  if (!added.length) return null;
  return { op: legacy ? "Add" : "add", path: "roles", value: added.map((n) => (legacy ? legacyRoleValue(n) : roleObject(n, false))) };
}
