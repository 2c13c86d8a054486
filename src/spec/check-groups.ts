/**
 * A target without group provisioning (`target.groups.supported: false`, e.g. JumpCloud: "Real-time Group
 * import isn't currently supported") refuses every file that turns groups on. The Entra groups mapping is
 * checked with the mappings (check.ts); this covers Okta's group push.
 */
import type { AppSpec } from "./schema";
import type { Path } from "./yaml-source";

type Report = (path: Path, message: string, fix: string) => void;

export function checkGroupsSupported(spec: AppSpec, report: Report): void {
  const rules = spec.target.groups;
  if (rules.supported || !spec.okta) return;
  const why = rules.reason ? ` (${rules.reason})` : "";
  if (spec.okta.pushGroups.length) report(["okta", "pushGroups"], `${spec.displayName} does not support group provisioning${why}`, "remove `pushGroups`");
  const i = spec.okta.provisioning.supportedActions.indexOf("pushGroups");
  if (i >= 0) report(["okta", "provisioning", "supportedActions", i], `${spec.displayName} does not support group provisioning${why}`, "remove `pushGroups` from the supported actions");
}
