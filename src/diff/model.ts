/**
 * The diff report: what `scimops diff` prints, as data. `--format json` writes it as it is; its shape is
 * documented by schema/diff.schema.json (schemaVersion 1: fields are only ever added).
 */
import type { PlanChange } from "../plan/diff";
import type { GroupChange } from "../preview";

export const DIFF_SCHEMA_VERSION = 1;

export type Status = "added" | "removed" | "changed" | "unchanged";

export interface DiffReport {
  schemaVersion: typeof DIFF_SCHEMA_VERSION;
  /** The base revision as given (`origin/main`). */
  base: string;
  /** What is compared with it: the working tree. */
  head: "working tree";
  /** false when the head has errors: then `stacks` is empty and `errors` says why. */
  ok: boolean;
  errors: ReportDiagnostic[];
  /** Things the reader should know about the comparison itself (a base file that had errors, …). */
  notes: string[];
  /** Sample users evaluated (the --users file). */
  sampleUsers: number;
  stacks: StackDiff[];
}

/** A problem in a head file, the path relative to the project root. */
export interface ReportDiagnostic {
  file: string;
  line: number;
  column: number;
  severity: "error" | "warning";
  message: string;
  fix?: string;
}

export interface ValueChange {
  name: string;
  kind: "added" | "removed" | "changed";
  before?: string;
  after?: string;
}

export interface StackDiff {
  stack: string;
  /** stacks/Pulumi.<stack>.yaml */
  file: string;
  status: Status;
  /** Stack settings (`scimops:allowDeletion`, `scimops:protect`, `scimops:cloud`, …). */
  settings: ValueChange[];
  /** Values the app files reference (`scimops:notificationEmail`, …); secrets only as "(secret)". */
  values: ValueChange[];
  apps: AppDiff[];
}

export interface AppDiff {
  app: string;
  displayName: string;
  /** In this stack: added to / removed from `scimops:apps`, changed, or unchanged. */
  status: Status;
  /** The stack entry's own fields (parameters, identity providers). */
  stackEntry: ValueChange[];
  changes: PlanChange[];
  usersInScope: { before: number; after: number };
  /** Sample users whose provisioning changes, in file order: the first MAX_LISTED_USER_CHANGES (1,000). */
  users: UserChange[];
  /** Changed users beyond those listed (counted in `summary.usersAffected`, not listed: the report stays bounded). */
  usersNotListed: number;
  /** The groups Entra provisions that change (created, no longer provisioned, members, create body, policy), as the preview compares them. */
  groups: GroupChange[];
  consequences: Consequence[];
  summary: AppSummary;
}

export interface AppSummary {
  /** Mapping rows, settings and assignments that change (everything in `changes` and `stackEntry`). */
  rowsChanged: number;
  /** Sample users whose scope, attributes, violations or group policies change. */
  usersAffected: number;
  /** Groups in `groups`: provisioned groups that change. */
  groupsChanged: number;
  /** A new initial cycle starts (schema change or newly provisioned app). */
  resync: boolean;
  /** Violations (by rule and attribute) that sample users have in the head and not in the base. */
  newViolations: number;
}

export type ConsequenceKind = "resync" | "settingsOnly" | "targetRulesOnly" | "matching" | "scopeExit" | "appRemoved" | "deletionGuard";

export interface Consequence {
  kind: ConsequenceKind;
  /** `caution`: likely to break the target (duplicates, deletions); `warning`: check it; `info`. */
  severity: "caution" | "warning" | "info";
  /** One Markdown sentence (inline code only). */
  message: string;
  /** resync: Microsoft's approximate initial-cycle range for the objects in scope. */
  estimate?: { objects: number; minMinutes: number; maxMinutes: number; syncAll: boolean };
  /**
   * scopeExit: sample users leaving scope, how many of them the target sees disabled, the accidental-deletion
   * threshold (null: prevention off) and whether it stops the cycle.
   */
  scopeExit?: { users: number; disabled: number; threshold: number | null; thresholdStops: boolean };
}

export type ScopeExitOutcome = "disabled" | "nothing";

export interface ViolationKey {
  rule: string;
  attribute?: string;
  severity: "error" | "warning";
  message: string;
}

export interface UserChange {
  userPrincipalName: string;
  /** entered: now provisioned; left: no longer; stayed: in scope on both sides (attributes or violations change). */
  scope: "entered" | "left" | "stayed";
  /** For `left`: what Entra does in the target. */
  outcome?: string;
  /** Target attribute values sent that change (null: not sent); only for `stayed`. */
  attributes: { target: string; before: string | string[] | null; after: string | string[] | null }[];
  newViolations: ViolationKey[];
  fixedViolations: ViolationKey[];
  /** The group policies the user receives in the target (IronWifi's), when they change: `(none)` for none. */
  policy?: { before: string; after: string };
}
