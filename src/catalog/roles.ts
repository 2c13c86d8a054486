/** App roles an assignment may use. The seeds: "Users with the Default Access role are excluded from provisioning". */

export const SKIPPED_ROLE_REASON = "users with the Default Access role are excluded from provisioning";

export interface RoleRules {
  assignable: readonly string[];
  refused: readonly string[];
}

export interface RoleProblem {
  kind: "refused" | "unknown";
  message: string;
  fix: string;
}

/**
 * The roles of an app file without a `roles:` section: its enterprise app has the `User` role (the
 * non-gallery template's default role, clouds.ts NON_GALLERY_APP_ROLES) and Default Access is skipped.
 * The Plan, and so preview and the Pulumi program, use the same default.
 */
export const DEFAULT_ROLES: RoleRules = { assignable: ["User"], refused: ["Default Access"] };

export function effectiveRoles(roles: RoleRules | undefined): RoleRules {
  return roles ?? DEFAULT_ROLES;
}

/** What is wrong with assigning `role` in `appName` (undefined when nothing is); no `roles` means DEFAULT_ROLES. */
export function assignedRoleProblem(appName: string, declared: RoleRules | undefined, role: string): RoleProblem | undefined {
  const roles = effectiveRoles(declared);
  if (roles.refused.includes(role)) {
    return { kind: "refused", message: `role \`${role}\` is skipped by provisioning (${SKIPPED_ROLE_REASON})`, fix: `assign an application-specific role: ${roles.assignable.join(", ")}` };
  }
  if (!roles.assignable.includes(role)) return { kind: "unknown", message: `role \`${role}\` is not a role of ${appName}`, fix: `use one of ${roles.assignable.join(", ")}` };
  return undefined;
}
