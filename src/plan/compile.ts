/** AppSpec (+ the environment's choices) → AppPlan. Expressions are parsed here, once. */
import { parseExpression, toGraphSource } from "../expression";
import type { AttributeMapping as GraphAttributeMapping, Filter, ObjectMapping as GraphObjectMapping } from "../graph/wire";
import { CLOUDS, NON_GALLERY_SYNC_TEMPLATE } from "../catalog/clouds";
import { resolveTenantUrl, scimDialect, tenantUrlPlaceholders, urlTemplate } from "../catalog/tenant-url";
import type { LoadedApp } from "../spec/load";
import { UNARY_SCOPING_OPERATORS, type AppSpec, type Cloud, type ObjectMappingSpec, type ScopingFilterSpec, type TenantUrlSpec } from "../spec/schema";
import type { StackApp } from "../spec/stack";
import { bareKey } from "../spec/config-refs";
import { effectiveRoles } from "../catalog/roles";
import { galleryAppFacts } from "../catalog/gallery-apps";
import type { AppPlan, EntraPlan, OktaPlan, PlannedAttribute, PlannedObjectMapping } from "./types";

export interface CompileOptions {
  cloud?: Cloud;
  /** The stack's entry for this app (parameters, per-environment assignments); absent for previews. */
  stackApp?: StackApp;
}

export function compileApp(app: LoadedApp, options: CompileOptions = {}): AppPlan {
  const { spec } = app;
  const idps = options.stackApp?.idps ?? (["entra", "okta"] as const);
  return {
    name: spec.name,
    displayName: spec.displayName,
    file: app.file,
    entra: spec.entra && idps.includes("entra") ? compileEntra(spec, options) : undefined,
    okta: spec.okta && idps.includes("okta") ? compileOkta(spec, options) : undefined,
    target: spec.target,
    otherIdps: spec.otherIdps,
  };
}

function compileEntra(spec: AppSpec, options: CompileOptions): EntraPlan {
  const entra = spec.entra!;
  const cloud = options.cloud ?? "global";
  const p = entra.provisioning;
  const template = urlTemplate(p.tenantUrl);
  const tenantUrl = tryResolve(p.tenantUrl, options.stackApp?.parameters ?? {});
  const email = p.notifications?.email;
  return {
    app:
      "gallery" in entra.app
        ? { kind: "gallery", galleryName: entra.app.gallery, displayName: entra.app.displayName, clouds: entra.app.clouds, publicPreview: entra.app.preview || galleryAppFacts(entra.app.gallery)?.publicPreview === true }
        : { kind: "nonGallery", templateId: CLOUDS[cloud].nonGalleryTemplateId, displayName: entra.app.displayName },
    syncTemplateId: "nonGallery" in entra.app ? NON_GALLERY_SYNC_TEMPLATE : undefined,
    tenantUrl,
    tenantUrlTemplate: template,
    // The flags sit in the query string, which parameters never touch, so the template decides the dialect.
    dialect: scimDialect(template),
    secretTokenKey: bareKey(p.secretToken.config),
    syncAll: p.scope === "allUsersAndGroups",
    notifications: {
      enabled: p.notifications?.sendOnFailure ?? false,
      recipients: email === undefined ? undefined : typeof email === "string" ? email : { config: bareKey(email.config) },
    },
    deleteThreshold: { enabled: p.accidentalDeletion?.enabled ?? false, value: p.accidentalDeletion?.threshold ?? 500 },
    skipOutOfScopeDeletions: p.skipOutOfScopeDeletions,
    status: options.stackApp?.status ?? p.status,
    roles: effectiveRoles(entra.roles),
    mappings: [compileObjectMapping("users", entra.mappings.users), ...(entra.mappings.groups ? [compileObjectMapping("groups", entra.mappings.groups)] : [])],
    assignments: options.stackApp?.assignments ?? entra.assignments,
    provisionOnDemand: options.stackApp?.provisionOnDemand ?? entra.provisionOnDemand,
  };
}

function compileObjectMapping(key: "users" | "groups", m: ObjectMappingSpec): PlannedObjectMapping {
  const attributes: PlannedAttribute[] = m.attributes.map((a) => ({
    target: a.target,
    sourceText: a.source,
    source: a.source === undefined ? undefined : parseExpression(a.source),
    matchingPrecedence: a.matchingPrecedence ?? 0,
    apply: a.apply,
    default: a.default,
  }));
  return {
    key,
    name: m.name,
    enabled: m.enabled,
    sourceObject: m.sourceObject,
    targetObject: m.targetObject,
    actions: m.actions,
    scopingFilters: m.scopingFilters,
    attributes,
    graph: toGraphObjectMapping(m, attributes),
  };
}

const FLOW_TYPE_OF_ACTION = { create: "Add", update: "Update", delete: "Delete" } as const;

export function flowTypesOf(actions: readonly ("create" | "update" | "delete")[]): string {
  const ordered = (["create", "update", "delete"] as const).filter((a) => actions.includes(a));
  return ordered.length ? ordered.map((a) => FLOW_TYPE_OF_ACTION[a]).join(", ") : "None";
}

function toGraphObjectMapping(m: ObjectMappingSpec, attributes: readonly PlannedAttribute[]): GraphObjectMapping {
  return {
    name: m.name,
    enabled: m.enabled,
    flowTypes: flowTypesOf(m.actions),
    sourceObjectName: m.sourceObject,
    targetObjectName: m.targetObject,
    scope: toGraphScope(m.scopingFilters),
    attributeMappings: attributes.map(toGraphAttributeMapping),
  };
}

function toGraphAttributeMapping(a: PlannedAttribute): GraphAttributeMapping {
  return {
    targetAttributeName: a.target,
    source: a.source ? toGraphSource(a.source) : null,
    defaultValue: a.default ?? null,
    exportMissingReferences: false,
    flowBehavior: "FlowWhenChanged",
    flowType: a.apply === "onCreate" ? "ObjectAddOnly" : "Always",
    matchingPriority: a.matchingPrecedence,
  };
}

function toGraphScope(filters: readonly ScopingFilterSpec[]): Filter | null {
  if (!filters.length) return null;
  return {
    groups: filters.map((f) => ({
      name: f.name,
      clauses: f.clauses.map((c) => ({
        // The file's spelling is Graph's (`IS TRUE`, spaces kept: filterOperators response, graph-sync.md §13.1).
        operatorName: c.operator,
        sourceOperandName: c.attribute,
        // Unary clauses are stored with `targetOperand: null` by the real engine (§13.1).
        targetOperand: UNARY_SCOPING_OPERATORS.has(c.operator) ? null : { values: c.value === undefined ? [] : Array.isArray(c.value) ? [...c.value] : [c.value] },
      })),
    })),
    inputFilterGroups: [],
    categoryFilterGroups: [],
  };
}

function compileOkta(spec: AppSpec, options: CompileOptions): OktaPlan {
  const okta = spec.okta!;
  const stackApp = options.stackApp;
  return {
    label: okta.app.label,
    signOnMode: okta.app.signOnMode,
    loginUrl: okta.app.loginUrl,
    saml: okta.app.saml,
    userNameTemplate: okta.app.userNameTemplate,
    provisioning: stackApp?.okta?.provisioning ?? "pending",
    scimBaseUrl: tryResolve(okta.provisioning.scimBaseUrl, options.stackApp?.parameters ?? {}),
    scimBaseUrlTemplate: urlTemplate(okta.provisioning.scimBaseUrl),
    tokenKey: bareKey(okta.provisioning.token.config),
    authenticationMode: okta.provisioning.authenticationMode,
    uniqueIdentifierField: okta.provisioning.uniqueIdentifierField,
    supportedActions: okta.provisioning.supportedActions,
    toApp: okta.provisioning.toApp,
    profileMappings: okta.profileMappings,
    pushGroups: okta.pushGroups,
    assignedGroups: stackApp?.okta?.assignments ?? stackApp?.assignments?.flatMap((a) => ("group" in a ? [a.group] : [])) ?? okta.assignments.groups,
  };
}

function tryResolve(url: TenantUrlSpec, parameters: Readonly<Record<string, string>>): string | undefined {
  const template = urlTemplate(url);
  const missing = tenantUrlPlaceholders(template).some((name) => parameters[name] === undefined);
  return missing ? undefined : resolveTenantUrl(url, parameters);
}
