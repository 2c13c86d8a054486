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

/** What is wrong with assigning `role` in `appName` (undefined when nothing is, or the app declares no roles). */
export function assignedRoleProblem(appName: string, roles: RoleRules | undefined, role: string): RoleProblem | undefined {
  if (!roles) return undefined;
  if (roles.refused.includes(role)) {
    return { kind: "refused", message: `role \`${role}\` is skipped by provisioning (${SKIPPED_ROLE_REASON})`, fix: `assign an application-specific role: ${roles.assignable.join(", ")}` };
  }
  if (!roles.assignable.includes(role)) return { kind: "unknown", message: `role \`${role}\` is not a role of ${appName}`, fix: `use one of ${roles.assignable.join(", ")}` };
  return undefined;
}
