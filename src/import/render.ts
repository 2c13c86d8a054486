/**
 * A live app (read.ts) → the app file (`mappings/NAME.yaml`) and the app's stack entry. Expressions go
 * through our own reader and printer (fromGraphSource → printExpression), so the file says what the
 * portal shows and compiles back to the same Graph form. Where the file format cannot say what Entra
 * holds, or the import had to choose, the file carries a comment and the report a note.
 */
import { Document, isMap, isScalar, isSeq, Scalar, type Node, type YAMLMap } from "yaml";
import { attributesReferenced, fromGraphSource, printExpression } from "../expression";
import type { AttributeMapping, AttributeMappingSource, FilterGroup, ObjectMapping, SynchronizationRule, SynchronizationSchema } from "../graph/wire";
import { parseFlowTypes } from "../entra/schema-merge";
import { CLOUDS, NON_GALLERY_SYNC_TEMPLATE } from "../catalog/clouds";
import { galleryAppFacts } from "../catalog/gallery-apps";
import { lookupSourceAttribute, type SourceAttributeType, SOURCE_ATTRIBUTE_TYPES } from "../catalog/entra-source-attributes";
import { DEFAULT_ROLES } from "../catalog/roles";
import { tenantUrlPlaceholders, urlTemplate } from "../catalog/tenant-url";
import { UNARY_SCOPING_OPERATORS, type AppSpec, type AssignmentSpec, type Cloud, type TenantUrlSpec } from "../spec/schema";
import type { LiveApp } from "./read";

export interface RenderOptions {
  /** The app file's name under mappings/ (and `name:`). */
  name: string;
  cloud: Cloud;
  /** `$schema` path relative to the app file. */
  schemaPath: string;
  /** The stack's `scimops:notificationEmail`, when it has one: referenced instead of written inline. */
  stackNotificationEmail?: string;
  /** The app file being replaced (--force): its tenant URL template, if parameterised, is kept. */
  previousTenantUrl?: TenantUrlSpec;
}

export interface StackEntry {
  name: string;
  parameters?: Record<string, string>;
  assignments: AssignmentSpec[];
  servicePrincipalId?: string;
  jobId?: string;
}

export interface Rendered {
  yaml: string;
  spec: AppSpec;
  stackEntry: StackEntry;
  /** `scimops:` keys the stack needs: the token (secret) and, when new, the notification email. */
  tokenKey: string;
  setNotificationEmail?: string;
  /** Everything the import chose or could not carry over, one phrase each. */
  notes: string[];
}

/** `acme-hr` → `acmeHrScimToken`. */
export function tokenKeyFor(name: string): string {
  const camel = name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
  return `${camel}ScimToken`;
}

/** The rule that provisions from Entra: it holds a named mapping from User; prefer the Entra directory's. */
export function outboundRule(schema: SynchronizationSchema): SynchronizationRule | undefined {
  const rules = (schema.synchronizationRules ?? []).filter((r) => (r.objectMappings ?? []).some((m) => m.name && m.sourceObjectName === "User"));
  return rules.find((r) => /azure active directory|entra/i.test(r.sourceDirectoryName)) ?? rules[0];
}

const ACTION_OF_FLOW = { Add: "create", Update: "update", Delete: "delete" } as const;

/** An attribute mapping in the file's shape, plus comments (why the row is what it is). */
interface RenderedAttribute {
  row: Record<string, unknown>;
  notes: string[];
}

function sourceText(src: AttributeMappingSource): string {
  return printExpression(fromGraphSource(src as Parameters<typeof fromGraphSource>[0]));
}

function renderAttribute(a: AttributeMapping, where: string): RenderedAttribute {
  const notes: string[] = [];
  const row: Record<string, unknown> = { target: a.targetAttributeName };
  if (a.source) {
    try {
      row.source = sourceText(a.source);
    } catch (e) {
      // Kept as Entra wrote it: validate names what the reader could not take.
      row.source = a.source.expression ?? a.source.name ?? "";
      notes.push(`${where} ${a.targetAttributeName}: the expression was kept as Entra wrote it (${(e as Error).message})`);
    }
  }
  if (a.matchingPriority && a.matchingPriority > 0) row.matchingPrecedence = a.matchingPriority;
  if (a.flowType === "ObjectAddOnly") row.apply = "onCreate";
  else if (a.flowType && a.flowType !== "Always") notes.push(`${where} ${a.targetAttributeName}: flowType ${a.flowType} has no spelling in app files; \`up\` would write Always`);
  if (a.defaultValue !== undefined && a.defaultValue !== null && a.defaultValue !== "") row.default = a.defaultValue;
  if (a.flowBehavior && a.flowBehavior !== "FlowWhenChanged") notes.push(`${where} ${a.targetAttributeName}: flowBehavior ${a.flowBehavior} has no spelling in app files; \`up\` would write FlowWhenChanged`);
  if (a.exportMissingReferences) notes.push(`${where} ${a.targetAttributeName}: exportMissingReferences is on in Entra; \`up\` would turn it off`);
  return { row, notes };
}

function renderFilters(groups: FilterGroup[] | null | undefined) {
  return (groups ?? []).map((g, i) => ({
    name: g.name || `Scoping filter ${i + 1}`,
    clauses: (g.clauses ?? []).map((c) => {
      const values = c.targetOperand?.values ?? [];
      return {
        attribute: c.sourceOperandName,
        operator: c.operatorName,
        ...(UNARY_SCOPING_OPERATORS.has(c.operatorName) || values.length === 0 ? {} : { value: values.length === 1 ? values[0] : [...values] }),
      };
    }),
  }));
}

interface RenderedMapping {
  mapping: Record<string, unknown>;
  attributeNotes: Map<number, string[]>;
  notes: string[];
  /** Source attributes the expressions and filters read. */
  reads: string[];
}

export function renderObjectMapping(m: ObjectMapping, key: "users" | "groups"): RenderedMapping {
  const notes: string[] = [];
  const where = `mappings.${key}`;
  const flags = parseFlowTypes(m.flowTypes) ?? ["Add", "Update", "Delete"];
  const attributeNotes = new Map<number, string[]>();
  const attributes = (m.attributeMappings ?? []).map((a, i) => {
    const r = renderAttribute(a, where);
    if (r.notes.length) attributeNotes.set(i, r.notes);
    notes.push(...r.notes);
    return r.row;
  });
  if ((m.scope?.inputFilterGroups?.length ?? 0) || (m.scope?.categoryFilterGroups?.length ?? 0)) {
    notes.push(`${where}: the scope's inputFilterGroups/categoryFilterGroups have no spelling in app files; \`up\` would clear them`);
  }
  const scopingFilters = renderFilters(m.scope?.groups);
  const reads = new Set<string>();
  for (const a of m.attributeMappings ?? []) {
    if (!a.source) continue;
    try {
      for (const n of attributesReferenced(fromGraphSource(a.source as Parameters<typeof fromGraphSource>[0]))) reads.add(n);
    } catch {
      // reported above
    }
  }
  for (const g of m.scope?.groups ?? []) for (const c of g.clauses ?? []) reads.add(c.sourceOperandName);
  return {
    mapping: {
      name: m.name,
      enabled: m.enabled ?? true,
      sourceObject: m.sourceObjectName,
      targetObject: m.targetObjectName,
      actions: flags.map((f) => ACTION_OF_FLOW[f as keyof typeof ACTION_OF_FLOW]),
      ...(scopingFilters.length ? { scopingFilters } : {}),
      attributes,
    },
    attributeNotes,
    notes,
    reads: [...reads],
  };
}

/** Extracts a parameterised template's values from a concrete URL; undefined when it does not fit. */
export function matchTenantUrl(template: string, url: string): Record<string, string> | undefined {
  const names = tenantUrlPlaceholders(template);
  if (!names.length) return template === url ? {} : undefined;
  const pattern = template.split(/\{[a-zA-Z][a-zA-Z0-9]*\}/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("([^/?#]+)");
  const m = new RegExp(`^${pattern}$`).exec(url);
  if (!m) return undefined;
  return Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1]!)]));
}

/** Attributes a mapping reads that are neither in the catalog nor directory extensions: declared from the job's source directory. */
function sourceAttributeDeclarations(schema: SynchronizationSchema | undefined, rule: SynchronizationRule | undefined, reads: Map<"User" | "Group", string[]>, notes: string[]) {
  const out: { name: string; type: SourceAttributeType; multivalued: boolean; object: "User" | "Group" }[] = [];
  const directory = schema?.directories?.find((d) => d.name === rule?.sourceDirectoryName);
  for (const [object, names] of reads) {
    for (const name of names) {
      if (lookupSourceAttribute(object, name).ok) continue;
      const def = directory?.objects?.find((o) => o.name === object)?.attributes?.find((a) => a.name === name);
      const type = SOURCE_ATTRIBUTE_TYPES.find((t) => t === def?.type);
      if (!def || !type) {
        notes.push(`source attribute ${name} is not in the job's ${object} source schema: validate will name it`);
        continue;
      }
      out.push({ name, type, multivalued: def.multivalued ?? false, object });
    }
  }
  return out;
}

/** The app file and stack entry for a live app. */
export function renderImport(live: LiveApp, options: RenderOptions): Rendered {
  const notes: string[] = [];
  const sp = live.servicePrincipal;
  const nonGalleryIds = new Set(Object.values(CLOUDS).map((c) => c.nonGalleryTemplateId));
  const gallery = live.applicationTemplate && !nonGalleryIds.has(live.applicationTemplate.id) ? live.applicationTemplate.displayName : undefined;
  if (!live.applicationTemplate) notes.push("the app has no application template; it is written as a non-gallery app");

  const rule = live.schema ? outboundRule(live.schema) : undefined;
  if (live.schema && !rule) notes.push("the schema has no rule provisioning users from Entra; the file's user mapping is empty");
  const named = (rule?.objectMappings ?? []).filter((m) => m.name);
  const users = named.find((m) => m.sourceObjectName === "User");
  const groups = named.find((m) => m.sourceObjectName === "Group");
  const leftAlone = (live.schema?.synchronizationRules ?? []).flatMap((r) => r.objectMappings ?? []).filter((m) => m !== users && m !== groups);
  if (leftAlone.length) {
    notes.push(`${leftAlone.length} other object mapping${leftAlone.length === 1 ? "" : "s"} of the schema (${leftAlone.map((m) => m.name || `${m.sourceObjectName || "?"} → ${m.targetObjectName}`).join("; ")}) stay as Entra has them: scimops manages only the users and groups mappings`);
  }
  const renderedUsers = users ? renderObjectMapping(users, "users") : undefined;
  const renderedGroups = groups ? renderObjectMapping(groups, "groups") : undefined;
  for (const r of [renderedUsers, renderedGroups]) if (r) notes.push(...r.notes);
  const reads = new Map<"User" | "Group", string[]>([
    ["User", renderedUsers?.reads ?? []],
    ["Group", renderedGroups?.reads ?? []],
  ]);
  const sourceAttributes = sourceAttributeDeclarations(live.schema, rule, reads, notes);

  // Settings (the token itself is masked by Graph: the file names a config key).
  const s = live.settings;
  const baseAddress = s.baseAddress ?? "";
  let tenantUrl: TenantUrlSpec = baseAddress;
  let parameters: Record<string, string> | undefined;
  const previousTemplate = options.previousTenantUrl ? urlTemplate(options.previousTenantUrl) : undefined;
  if (previousTemplate && tenantUrlPlaceholders(previousTemplate).length) {
    const found = matchTenantUrl(previousTemplate, baseAddress);
    if (found) {
      tenantUrl = options.previousTenantUrl!;
      parameters = found;
    } else notes.push(`the live tenant URL does not fit the previous file's template ${previousTemplate}; it is written as it is`);
  }
  if (!baseAddress) {
    // A fresh app has no tenant URL yet: a gallery app's documented one, else a placeholder the person must replace.
    const documented = gallery ? galleryAppFacts(gallery)?.tenantUrl : undefined;
    tenantUrl = documented ?? "https://tenant-url.invalid/scim";
    notes.push(documented ? `Entra holds no tenant URL yet: the file has the one ${gallery}'s tutorial documents` : "Entra holds no tenant URL: replace entra.provisioning.tenantUrl before `up`");
  }
  const tokenKey = tokenKeyFor(options.name);
  const n = s.notifications ?? {};
  const recipients = typeof n.Recipients === "string" && n.Recipients !== "" ? n.Recipients : undefined;
  let email: string | { config: string } | undefined;
  let setNotificationEmail: string | undefined;
  if (recipients !== undefined) {
    if (options.stackNotificationEmail === undefined) {
      setNotificationEmail = recipients;
      email = { config: "notificationEmail" };
    } else if (options.stackNotificationEmail === recipients) email = { config: "notificationEmail" };
    else {
      email = recipients;
      notes.push(`the notification email ${recipients} differs from the stack's scimops:notificationEmail; it is written in the file`);
    }
  }
  const status = live.job?.schedule?.state === "Active" ? "on" : "off";

  const assignments: AssignmentSpec[] = live.assignments.map((a) => (a.principalType === "Group" ? { group: a.name, role: a.role } : { user: a.name, role: a.role }));
  for (const skipped of live.skippedAssignments) notes.push(`assignment not carried over: ${skipped}`);
  const usedRoles = [...new Set(assignments.map((a) => a.role))];
  const roleNames = live.roles.filter((r) => r.allowedMemberTypes.includes("User")).map((r) => r.displayName);
  const assignable = roleNames.filter((r) => r !== "msiam_access" && r !== "Default Access");
  const declaredRoles = [...new Set([...assignable, ...usedRoles.filter((r) => r !== "Default Access")])];
  // The default (`User`) needs no section; an app without user roles keeps the default too.
  const rolesSection = (usedRoles.every((r) => DEFAULT_ROLES.assignable.includes(r)) && assignable.includes("User")) || declaredRoles.length === 0 ? undefined : { assignable: declaredRoles };
  if (usedRoles.includes("Default Access")) notes.push("some principals are assigned with Default Access, which provisioning skips: validate names them");

  const entraApp = gallery
    ? { gallery, displayName: sp.displayName, clouds: [options.cloud], ...(galleryAppFacts(gallery)?.publicPreview ? { preview: true } : {}), importedFrom: live.schemaSource === "template" ? ("template" as const) : ("tenant" as const) }
    : { nonGallery: true as const, displayName: sp.displayName };
  if (!gallery && live.syncTemplateId && live.syncTemplateId !== NON_GALLERY_SYNC_TEMPLATE) {
    notes.push(`the job was made from the synchronization template ${live.syncTemplateId}, not \`${NON_GALLERY_SYNC_TEMPLATE}\`; adopting the job keeps it`);
  }

  const emptyUsers = { name: `Provision Microsoft Entra ID Users`, enabled: false, sourceObject: "User", targetObject: "User", actions: ["create", "update", "delete"], attributes: [] };
  const spec = {
    $schema: undefined,
    name: options.name,
    displayName: sp.displayName,
    entra: {
      app: entraApp,
      ...(sourceAttributes.length ? { sourceAttributes } : {}),
      ...(rolesSection ? { roles: rolesSection } : {}),
      provisioning: {
        tenantUrl,
        secretToken: { config: tokenKey },
        scope: s.syncAll ? "allUsersAndGroups" : "assignedUsersAndGroups",
        notifications: { ...(email !== undefined ? { email } : {}), sendOnFailure: n.Enabled === true },
        accidentalDeletion: { enabled: n.DeleteThresholdEnabled === true, threshold: typeof n.DeleteThresholdValue === "number" && n.DeleteThresholdValue >= 1 ? n.DeleteThresholdValue : 500 },
        skipOutOfScopeDeletions: s.skipOutOfScopeDeletions === true,
        status,
      },
      mappings: {
        users: renderedUsers?.mapping ?? emptyUsers,
        ...(renderedGroups ? { groups: renderedGroups.mapping } : {}),
      },
    },
  };
  delete (spec as { $schema?: string }).$schema;

  const yaml = toYaml(spec, options, live, { users: renderedUsers, groups: renderedGroups }, notes);
  const stackEntry: StackEntry = {
    name: options.name,
    ...(parameters && Object.keys(parameters).length ? { parameters } : {}),
    assignments,
    ...(live.schemaSource !== "template" ? { servicePrincipalId: sp.id, ...(live.job ? { jobId: live.job.id } : {}) } : {}),
  };
  return { yaml, spec: spec as unknown as AppSpec, stackEntry, tokenKey, ...(setNotificationEmail ? { setNotificationEmail } : {}), notes };
}

/** The key node of `key` in a map, where a comment reads as being about the entry. */
function keyNode(map: YAMLMap, key: string): Node {
  const pair = map.items.find((p) => isScalar(p.key) && p.key.value === key);
  if (!pair || !isScalar(pair.key)) throw new Error(`render: no ${key}`);
  return pair.key;
}

function toYaml(spec: object, options: RenderOptions, live: LiveApp, mappings: Record<"users" | "groups", RenderedMapping | undefined>, notes: readonly string[]): string {
  const doc = new Document(spec);
  const from =
    live.schemaSource === "template"
      ? `the default schema of the gallery template (${live.syncTemplateId})`
      : `enterprise app ${live.servicePrincipal.id}${live.job ? `, job ${live.job.id}` : ""}`;
  doc.commentBefore = ` yaml-language-server: $schema=${options.schemaPath}\n Written by \`scimops import\` from ${from}.\n The attribute lists are complete: what this file says is what Entra holds after \`pulumi up\`.${
    notes.length ? `\n Where the import had to choose:\n${notes.map((n) => `   - ${n}`).join("\n")}` : ""
  }`;
  const provisioning = doc.getIn(["entra", "provisioning"], true) as YAMLMap;
  keyNode(provisioning, "secretToken").commentBefore = ` Graph masks the token: set it with \`pulumi config set --secret scimops:${tokenKeyFor(options.name)}\`.`;
  for (const path of [["secretToken"], ["notifications", "email"]]) {
    const ref = provisioning.getIn(path, true);
    if (isMap(ref)) ref.flow = true;
  }
  // "on"/"off" quoted, as YAML 1.1 tools would read them as booleans.
  (provisioning.get("status", true) as Scalar).type = Scalar.QUOTE_DOUBLE;
  const app = doc.getIn(["entra", "app"], true) as YAMLMap;
  if (app.has("importedFrom")) {
    keyNode(app, "importedFrom").commentBefore =
      live.schemaSource === "template" ? " The mapping lists are the gallery template's defaults (read from a freshly created app)." : " The mapping lists were read from the tenant, not the non-gallery default.";
  }
  for (const key of ["users", "groups"] as const) {
    const r = mappings[key];
    const attrs = doc.getIn(["entra", "mappings", key, "attributes"], true);
    if (!isSeq(attrs)) continue;
    attrs.items.forEach((item, i) => {
      if (!isMap(item)) return;
      item.flow = true;
      const why = r?.attributeNotes.get(i);
      if (why) item.commentBefore = why.map((w) => ` ${w}`).join("\n");
    });
    const filters = doc.getIn(["entra", "mappings", key, "scopingFilters"], true);
    if (isSeq(filters)) for (const f of filters.items) if (isMap(f)) for (const c of (f.get("clauses", true) as { items?: unknown[] })?.items ?? []) if (isMap(c)) c.flow = true;
  }
  for (const path of [["entra", "mappings", "users", "actions"], ["entra", "mappings", "groups", "actions"], ["entra", "app", "clouds"], ["entra", "roles", "assignable"]]) {
    const seq = doc.getIn(path, true);
    if (isSeq(seq)) seq.flow = true;
  }
  const sourceAttrs = doc.getIn(["entra", "sourceAttributes"], true);
  if (isSeq(sourceAttrs)) for (const a of sourceAttrs.items) if (isMap(a)) a.flow = true;
  return doc.toString({ lineWidth: 0 });
}
