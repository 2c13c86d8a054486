/**
 * The Plan: an app spec compiled for one environment. Every consumer (the Pulumi program, preview,
 * simulate, runbooks, drift) reads this, never the raw spec, so they cannot disagree.
 */
import type { Expr } from "../expression";
import type { ObjectMapping as GraphObjectMapping } from "../graph/wire";
import type { AppSpec, AssignmentSpec, Cloud, OktaSpec, OktaUserNameTemplate, ScopingFilterSpec, TargetRulesSpec } from "../spec/schema";
import type { OktaPhase } from "../spec/stack";
import type { ScimDialect } from "../catalog/tenant-url";

export type ConfigRef = { config: string };
export type StringOrConfigRef = string | ConfigRef;

export interface PlannedAttribute {
  target: string;
  /** The expression as the author wrote it, and parsed once. */
  sourceText?: string;
  source?: Expr;
  matchingPrecedence: number;
  apply: "always" | "onCreate";
  default?: string;
}

export interface PlannedObjectMapping {
  key: "users" | "groups";
  name: string;
  enabled: boolean;
  sourceObject: string;
  targetObject: string;
  actions: readonly ("create" | "update" | "delete")[];
  scopingFilters: readonly ScopingFilterSpec[];
  attributes: readonly PlannedAttribute[];
  /** The same mapping in the shape Graph stores (`objectMapping`), sources as `attributeMappingSource` trees. */
  graph: GraphObjectMapping;
}

export interface EntraPlan {
  app:
    | { kind: "gallery"; galleryName: string; displayName: string; clouds: readonly Cloud[]; publicPreview: boolean }
    | { kind: "nonGallery"; templateId: string; displayName: string };
  /** Synchronization template for the job: `scim` for non-gallery apps; the gallery template's default otherwise. */
  syncTemplateId?: string;
  /** The tenant URL with parameters filled in; undefined when the environment has not set them. */
  tenantUrl?: string;
  tenantUrlTemplate: string;
  dialect: ScimDialect;
  secretTokenKey: string;
  syncAll: boolean;
  notifications: { enabled: boolean; recipients?: StringOrConfigRef };
  deleteThreshold: { enabled: boolean; value: number };
  skipOutOfScopeDeletions: boolean;
  status: "on" | "off";
  roles: { assignable: readonly string[]; refused: readonly string[] };
  mappings: readonly PlannedObjectMapping[];
  assignments: readonly AssignmentSpec[];
  provisionOnDemand: readonly { user: string }[];
}

export interface OktaPlan {
  label: string;
  /** App Integration Wizard app kind: SWA is Okta's AUTO_LOGIN sign-on mode. */
  signOnMode: OktaSpec["app"]["signOnMode"];
  loginUrl?: string;
  saml?: OktaSpec["app"]["saml"];
  userNameTemplate: OktaUserNameTemplate;
  /**
   * pending: the SCIM connection still needs the Admin Console (no API can enable it for a custom app);
   * enabled: the stack says it was done, so profile mappings and push groups are applied.
   */
  provisioning: OktaPhase;
  scimBaseUrl?: string;
  scimBaseUrlTemplate: string;
  tokenKey: string;
  authenticationMode: string;
  uniqueIdentifierField: string;
  supportedActions: readonly string[];
  toApp: { createUsers: boolean; updateUserAttributes: boolean; deactivateUsers: boolean };
  profileMappings: readonly { target: string; source: string }[];
  pushGroups: readonly string[];
  /** The stack's Okta assignments (or its `assignments`' groups), else the file's. */
  assignedGroups: readonly string[];
}

export interface AppPlan {
  name: string;
  displayName: string;
  file: string;
  entra?: EntraPlan;
  okta?: OktaPlan;
  target: TargetRulesSpec;
  otherIdps: AppSpec["otherIdps"];
}
