/**
 * Merging declared object mappings into a live synchronization schema, and the normalisation that
 * decides whether a PUT is needed at all.
 *
 * The declared mappings are ALREADY IN GRAPH FORM (objectMapping-like objects with complete
 * attributeMappings whose `source` is an attributeMappingSource tree), produced by the Plan compiler.
 * A declared mapping owns its whole entry: its attribute list is complete, so an attribute left out
 * of the declaration is removed live. Everything not declared stays as Entra has it: directories,
 * other rules, other object mappings of the rule, object-mapping metadata (unless declared).
 *
 * Equivalence ignores what Graph or the portal may spell differently without meaning anything else:
 * - attribute-mapping order and scope filter group/clause/value order;
 * - documented defaults (`enabled` true, `flowTypes` "Add, Update, Delete", `flowType` Always,
 *   `flowBehavior` FlowWhenChanged, `matchingPriority` 0, `exportMissingReferences` false,
 *   `defaultValue` null/"" , `source.type` Attribute, `parameters` [] / null, `scope` null vs empty);
 * - flag spelling: `"Add,Update"` equals `"Update, Add"`;
 * - expression text: sources are equal when their `expression` texts are, after removing white space
 *   outside string constants and writing constants canonically (`"\\d"` = `"\d"`). Parameter keys never
 *   count (graph-sync.md §13.2: Graph's keys are only partly published, and every PUT restarts a full
 *   cycle); only when a side has no text are the trees compared, by position.
 *
 * Pure functions on plain data; safe to serialize (see helpers.ts).
 */
import type {
  AttributeDefinition,
  AttributeMapping,
  AttributeMappingSource,
  Filter,
  FilterGroup,
  KeyValue,
  ObjectMapping,
  SynchronizationRule,
  SynchronizationSchema,
} from "../graph/wire";
import { comparableExpressionText } from "../expression/literal";
import { canonicalJson, cloneJson } from "./helpers";

/** What the SynchronizationSchema resource declares for one job. */
export interface SchemaDeclaration {
  /** Rule to edit; by default the rule that already holds mappings of the declared names. */
  ruleId?: string;
  /** Declared object mappings in Graph form; each is owned completely. */
  objectMappings: ObjectMapping[];
  /**
   * Attribute definitions to add to (or update in) the target directory, keyed by target object
   * name, e.g. custom SCIM extension attributes. Existing definitions not listed stay untouched.
   */
  customTargetAttributes?: Record<string, AttributeDefinition[]>;
}

export interface SchemaPlan {
  /** True when the merged document differs from the live one: exactly then one PUT is needed. */
  changed: boolean;
  /** The merged document to PUT (the live document itself when unchanged). */
  schema: SynchronizationSchema;
  ruleId: string;
  /** Human-readable differences, one per changed item. */
  changes: string[];
}

const FLOW_FLAGS = ["Add", "Update", "Delete"] as const;
export const DEFAULT_FLOW_TYPES = "Add, Update, Delete";
const ATTRIBUTE_FLOW_TYPES = ["Always", "ObjectAddOnly", "MultiValueAddOnly", "ValueAddOnly", "AttributeAddOnly"];
const ATTRIBUTE_FLOW_BEHAVIORS = ["FlowWhenChanged", "FlowAlways"];
const SOURCE_TYPES = ["Attribute", "Constant", "Function"];

/** Parses `flowTypes` flags; returns undefined for an invalid flag. */
export function parseFlowTypes(value: string | undefined | null): string[] | undefined {
  if (value === undefined || value === null) return [...FLOW_FLAGS];
  const parts = value
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "");
  const out = new Set<string>();
  for (const p of parts) {
    const flag = FLOW_FLAGS.find((f) => f.toLowerCase() === p.toLowerCase());
    if (flag) out.add(flag);
    else if (p.toLowerCase() !== "none") return undefined;
  }
  return FLOW_FLAGS.filter((f) => out.has(f));
}

/** Canonical `flowTypes` text: flags in Add, Update, Delete order joined by ", "; "None" when empty. */
export function normalizeFlowTypes(value: string | undefined | null): string {
  const flags = parseFlowTypes(value);
  if (!flags) return String(value);
  return flags.length === 0 ? "None" : flags.join(", ");
}

/** Removes whitespace outside string constants and writes each constant canonically (see comparableExpressionText). */
export function normalizeExpressionWhitespace(text: string): string {
  return comparableExpressionText(text);
}

function hasTree(src: AttributeMappingSource): boolean {
  // A Constant's name is its literal value, which may be the empty string.
  if (src.type === "Constant") return typeof src.name === "string";
  return (typeof src.name === "string" && src.name !== "") || (src.parameters?.length ?? 0) > 0;
}

function textOf(src: AttributeMappingSource): string | undefined {
  return typeof src.expression === "string" && src.expression.trim() !== "" ? comparableExpressionText(src.expression) : undefined;
}

/**
 * A tree's shape without its parameter keys: type, name and the parameter values in order. The keys
 * Graph uses are only partly published (IIF's first is `one`, IsPresent's `source`: graph-sync.md
 * §13.2), so comparing them could see a difference that is not there, and each one is a full-cycle PUT.
 */
function positionalSignature(src: AttributeMappingSource | null | undefined): string {
  if (src === null || src === undefined) return "null";
  if (typeof src !== "object") return `!${JSON.stringify(String(src))}`;
  let out = `${src.type ?? "Attribute"}:${JSON.stringify(src.name ?? null)}(`;
  const params = src.parameters ?? [];
  for (let i = 0; i < params.length; i++) out += `${i ? "," : ""}${positionalSignature(params[i]?.value)}`;
  return out + ")";
}

/**
 * Source equality: the normalised expression texts when both sides carry one (the declared side
 * always does); otherwise the trees by position, keys ignored.
 */
export function sourcesEquivalent(a: AttributeMappingSource | null | undefined, b: AttributeMappingSource | null | undefined): boolean {
  const isNull = (x: AttributeMappingSource | null | undefined) => x === null || x === undefined || (typeof x === "object" && !hasTree(x) && textOf(x) === undefined);
  if (isNull(a) || isNull(b)) return isNull(a) === isNull(b);
  const ta = textOf(a!);
  const tb = textOf(b!);
  if (ta !== undefined && tb !== undefined) return ta === tb;
  return hasTree(a!) && hasTree(b!) && positionalSignature(a) === positionalSignature(b);
}

/** An attribute mapping with every documented default filled in (the form we PUT). */
export function completeAttributeMapping(m: AttributeMapping): AttributeMapping {
  return {
    targetAttributeName: m.targetAttributeName,
    source: m.source ? completeSource(m.source) : null,
    defaultValue: m.defaultValue === undefined || m.defaultValue === "" ? null : m.defaultValue,
    exportMissingReferences: m.exportMissingReferences ?? false,
    flowBehavior: m.flowBehavior ?? "FlowWhenChanged",
    flowType: m.flowType ?? "Always",
    matchingPriority: m.matchingPriority ?? 0,
  };
}

function completeSource(src: AttributeMappingSource): AttributeMappingSource {
  const out: AttributeMappingSource = { type: src.type ?? "Attribute" };
  if (src.expression !== undefined && src.expression !== null) out.expression = src.expression;
  out.name = src.name ?? null;
  out.parameters = (src.parameters ?? []).map((p) => ({ key: p.key, value: p.value ? completeSource(p.value) : null }));
  return out;
}

function attributeDifferences(a: AttributeMapping, b: AttributeMapping): string[] {
  const out: string[] = [];
  const dv = (v: string | null | undefined) => (v === undefined || v === "" ? null : v);
  if (!sourcesEquivalent(a.source, b.source)) out.push("source");
  if (dv(a.defaultValue) !== dv(b.defaultValue)) out.push("defaultValue");
  if ((a.exportMissingReferences ?? false) !== (b.exportMissingReferences ?? false)) out.push("exportMissingReferences");
  if ((a.flowBehavior ?? "FlowWhenChanged") !== (b.flowBehavior ?? "FlowWhenChanged")) out.push("flowBehavior");
  if ((a.flowType ?? "Always") !== (b.flowType ?? "Always")) out.push("flowType");
  if ((a.matchingPriority ?? 0) !== (b.matchingPriority ?? 0)) out.push("matchingPriority");
  return out;
}

function canonicalGroups(groups: FilterGroup[] | null | undefined): unknown[] {
  return (groups ?? [])
    .map((g) => ({
      name: g?.name ?? "",
      clauses: (g?.clauses ?? [])
        .map((c) => canonicalJson({ op: c.operatorName, attr: c.sourceOperandName, values: [...(c.targetOperand?.values ?? [])].sort() }))
        .sort(),
    }))
    .map((g) => canonicalJson(g))
    .sort();
}

/** Canonical scope filter; null when there is no filter at all. */
export function canonicalScope(scope: Filter | null | undefined): unknown {
  if (!scope) return null;
  const c = {
    groups: canonicalGroups(scope.groups),
    inputFilterGroups: canonicalGroups(scope.inputFilterGroups),
    categoryFilterGroups: canonicalGroups(scope.categoryFilterGroups),
  };
  if (c.groups.length === 0 && c.inputFilterGroups.length === 0 && c.categoryFilterGroups.length === 0) return null;
  return c;
}

function metadataMap(md: KeyValue[] | null | undefined): Map<string, string> {
  return new Map((md ?? []).map((kv) => [kv.key, kv.value]));
}

/**
 * Differences between a declared mapping and a live one, as short phrases; empty when equivalent.
 * Live metadata keys that the declaration does not name are ignored.
 */
export function objectMappingDifferences(declared: ObjectMapping, live: ObjectMapping): string[] {
  const out: string[] = [];
  const p = `mapping "${declared.name}"`;
  if ((declared.enabled ?? true) !== (live.enabled ?? true)) out.push(`${p}: enabled`);
  if (normalizeFlowTypes(declared.flowTypes) !== normalizeFlowTypes(live.flowTypes)) out.push(`${p}: flowTypes`);
  if (declared.sourceObjectName !== live.sourceObjectName) out.push(`${p}: sourceObjectName`);
  if (declared.targetObjectName !== live.targetObjectName) out.push(`${p}: targetObjectName`);
  if (canonicalJson(canonicalScope(declared.scope)) !== canonicalJson(canonicalScope(live.scope))) out.push(`${p}: scope`);
  if (declared.metadata) {
    const lm = metadataMap(live.metadata);
    for (const kv of declared.metadata) if (lm.get(kv.key) !== kv.value) out.push(`${p}: metadata ${kv.key}`);
  }
  const liveByTarget = new Map((live.attributeMappings ?? []).map((m) => [m.targetAttributeName, m]));
  const declaredTargets = new Set<string>();
  for (const dm of declared.attributeMappings ?? []) {
    declaredTargets.add(dm.targetAttributeName);
    const lm = liveByTarget.get(dm.targetAttributeName);
    if (!lm) {
      out.push(`${p}: attribute "${dm.targetAttributeName}" added`);
      continue;
    }
    const diffs = attributeDifferences(dm, lm);
    if (diffs.length) out.push(`${p}: attribute "${dm.targetAttributeName}" ${diffs.join(", ")} changed`);
  }
  for (const lm of live.attributeMappings ?? []) {
    if (!declaredTargets.has(lm.targetAttributeName)) out.push(`${p}: attribute "${lm.targetAttributeName}" removed`);
  }
  return out;
}

export function objectMappingsEquivalent(a: ObjectMapping, b: ObjectMapping): boolean {
  return a.name === b.name && objectMappingDifferences(a, b).length === 0 && objectMappingDifferences(b, a).length === 0;
}

/** Equivalence of two declared lists (used by `diff`, which never calls Graph). */
export function declaredMappingListsEquivalent(a: ObjectMapping[] | undefined, b: ObjectMapping[] | undefined): boolean {
  const la = a ?? [];
  const lb = b ?? [];
  if (la.length !== lb.length) return false;
  const byName = new Map(lb.map((m) => [m.name, m]));
  return la.every((m) => {
    const o = byName.get(m.name);
    return o !== undefined && objectMappingsEquivalent(m, o);
  });
}

/** The mapping-level fields of `m` in normalised form: defaults filled in, flow types canonical, scope copied. */
function normalizedMappingFields(m: ObjectMapping): Pick<ObjectMapping, "name" | "enabled" | "flowTypes" | "sourceObjectName" | "targetObjectName" | "scope"> {
  return {
    name: m.name,
    enabled: m.enabled ?? true,
    flowTypes: normalizeFlowTypes(m.flowTypes),
    sourceObjectName: m.sourceObjectName,
    targetObjectName: m.targetObjectName,
    scope: m.scope ? cloneJson(m.scope) : null,
  };
}

function completeObjectMapping(declared: ObjectMapping, live: ObjectMapping | undefined): ObjectMapping {
  const metadata = live?.metadata ? cloneJson(live.metadata) : [];
  for (const kv of declared.metadata ?? []) {
    const i = metadata.findIndex((m) => m.key === kv.key);
    if (i >= 0) metadata[i] = { key: kv.key, value: kv.value };
    else metadata.push({ key: kv.key, value: kv.value });
  }
  return {
    ...(live ? cloneJson(live) : {}),
    ...normalizedMappingFields(declared),
    metadata,
    attributeMappings: declared.attributeMappings.map(completeAttributeMapping),
  };
}

/**
 * A declared mapping exactly as `planSchema` writes it into the PUT body when the job has no mapping
 * of that name yet; for an existing mapping the live entry's other properties (metadata keys scimops
 * does not declare) are kept beside it. Used by `scimops plan`.
 */
export function objectMappingAsPut(declared: ObjectMapping): ObjectMapping {
  return completeObjectMapping(declared, undefined);
}

/** Picks the rule the declaration edits; throws a clear error when that is ambiguous. */
export function selectRule(schema: SynchronizationSchema, decl: Pick<SchemaDeclaration, "ruleId" | "objectMappings">): SynchronizationRule {
  const rules = schema.synchronizationRules ?? [];
  if (decl.ruleId) {
    const r = rules.find((x) => x.id === decl.ruleId);
    if (!r) throw new Error(`Synchronization rule "${decl.ruleId}" is not in the job schema (rules: ${rules.map((x) => x.id).join(", ") || "none"}).`);
    return r;
  }
  const names = new Set(decl.objectMappings.map((m) => m.name));
  const candidates = rules.filter((r) => (r.objectMappings ?? []).some((m) => names.has(m.name)));
  if (candidates.length === 1) return candidates[0]!;
  if (candidates.length > 1) {
    throw new Error(`Declared object mappings appear in several synchronization rules (${candidates.map((r) => r.id).join(", ")}); set ruleId.`);
  }
  if (rules.length === 1) return rules[0]!;
  throw new Error(`The job schema has ${rules.length} synchronization rules and none holds mappings named ${[...names].map((n) => `"${n}"`).join(", ")}; set ruleId.`);
}

function attributeDefinitionDiffers(declared: AttributeDefinition, live: AttributeDefinition): boolean {
  for (const [k, v] of Object.entries(declared)) {
    if (v === undefined) continue;
    if (canonicalJson(v) !== canonicalJson((live as unknown as Record<string, unknown>)[k])) return true;
  }
  return false;
}

/**
 * Merges a declaration into the live schema. `changed` is false exactly when nothing declared differs
 * from the live document, in which case no PUT must be made.
 */
export function planSchema(live: SynchronizationSchema, decl: SchemaDeclaration): SchemaPlan {
  const rule = selectRule(live, decl);
  const changes: string[] = [];
  const newRule: SynchronizationRule = cloneJson(rule);
  newRule.objectMappings = newRule.objectMappings ?? [];
  const dirNames = new Set((live.directories ?? []).map((d) => d.name));
  for (const n of [rule.sourceDirectoryName, rule.targetDirectoryName]) {
    if (!dirNames.has(n)) throw new Error(`Rule "${rule.id}" refers to directory "${n}", which the job schema does not contain.`);
  }
  for (const dm of decl.objectMappings) {
    const idx = newRule.objectMappings.findIndex((m) => m.name === dm.name);
    if (idx < 0) {
      changes.push(`mapping "${dm.name}" added`);
      newRule.objectMappings.push(completeObjectMapping(dm, undefined));
      continue;
    }
    const liveMapping = newRule.objectMappings[idx]!;
    const diffs = objectMappingDifferences(dm, liveMapping);
    if (diffs.length) {
      changes.push(...diffs);
      newRule.objectMappings[idx] = completeObjectMapping(dm, liveMapping);
    }
  }

  let directories = live.directories;
  const custom = decl.customTargetAttributes ?? {};
  if (Object.keys(custom).length) {
    directories = cloneJson(live.directories);
    const target = directories.find((d) => d.name === rule.targetDirectoryName)!;
    for (const [objectName, attrs] of Object.entries(custom)) {
      const obj = (target.objects ?? []).find((o) => o.name === objectName);
      if (!obj) throw new Error(`Target directory "${target.name}" has no object "${objectName}" for custom attributes.`);
      obj.attributes = obj.attributes ?? [];
      for (const a of attrs) {
        const i = obj.attributes.findIndex((x) => x.name === a.name);
        const full: AttributeDefinition = {
          anchor: false,
          caseExact: false,
          flowNullValues: false,
          multivalued: false,
          mutability: "ReadWrite",
          required: false,
          type: "String",
          apiExpressions: [],
          metadata: [],
          referencedObjects: [],
          ...cloneJson(a),
        };
        if (i < 0) {
          changes.push(`target attribute "${objectName}.${a.name}" added`);
          obj.attributes.push(full);
        } else if (attributeDefinitionDiffers(a, obj.attributes[i]!)) {
          changes.push(`target attribute "${objectName}.${a.name}" changed`);
          obj.attributes[i] = { ...obj.attributes[i]!, ...cloneJson(a) };
        }
      }
    }
  }

  if (changes.length === 0) return { changed: false, schema: live, ruleId: rule.id, changes };
  const schema = {} as SynchronizationSchema;
  for (const [k, v] of Object.entries(live)) if (!k.startsWith("@odata.")) (schema as unknown as Record<string, unknown>)[k] = v;
  schema.directories = directories;
  schema.synchronizationRules = live.synchronizationRules.map((r) => (r.id === rule.id ? newRule : r));
  return { changed: true, schema: schema as SynchronizationSchema, ruleId: rule.id, changes };
}

/** A live object mapping in the declared shape (what `read` reports). */
export function projectObjectMapping(live: ObjectMapping, declaredMetadataKeys?: string[]): ObjectMapping {
  const out: ObjectMapping = {
    ...normalizedMappingFields(live),
    attributeMappings: (live.attributeMappings ?? []).map(completeAttributeMapping),
  };
  if (declaredMetadataKeys && declaredMetadataKeys.length) {
    const lm = metadataMap(live.metadata);
    out.metadata = declaredMetadataKeys.filter((k) => lm.has(k)).map((k) => ({ key: k, value: lm.get(k)! }));
  }
  return out;
}

/**
 * The live state of the declared mappings, in declared order and shape. When a live mapping is
 * equivalent to the previously recorded one, the recorded one is returned unchanged, so a refresh
 * without drift reports no difference at all; with drift, the live mapping is reported, mapping by
 * mapping. Mappings that no longer exist live are left out.
 */
export function projectLiveMappings(live: SynchronizationSchema, ruleId: string, previous: ObjectMapping[]): ObjectMapping[] {
  const rule = (live.synchronizationRules ?? []).find((r) => r.id === ruleId);
  if (!rule) return [];
  const out: ObjectMapping[] = [];
  for (const prev of previous) {
    const lm = (rule.objectMappings ?? []).find((m) => m.name === prev.name);
    if (!lm) continue;
    if (objectMappingDifferences(prev, lm).length === 0) out.push(prev);
    else out.push(projectObjectMapping(lm, prev.metadata?.map((kv) => kv.key)));
  }
  return out;
}

/** Live custom-attribute definitions in declared shape (only the declared keys). */
export function projectCustomTargetAttributes(
  live: SynchronizationSchema,
  ruleId: string,
  previous: Record<string, AttributeDefinition[]> | undefined,
): Record<string, AttributeDefinition[]> | undefined {
  if (!previous) return undefined;
  const rule = (live.synchronizationRules ?? []).find((r) => r.id === ruleId);
  const target = rule ? (live.directories ?? []).find((d) => d.name === rule.targetDirectoryName) : undefined;
  const out: Record<string, AttributeDefinition[]> = {};
  for (const [objectName, attrs] of Object.entries(previous)) {
    const obj = target?.objects?.find((o) => o.name === objectName);
    out[objectName] = [];
    for (const a of attrs) {
      const la = obj?.attributes?.find((x) => x.name === a.name);
      if (!la) continue;
      if (!attributeDefinitionDiffers(a, la)) out[objectName]!.push(a);
      else {
        const picked: Record<string, unknown> = {};
        for (const k of Object.keys(a)) picked[k] = (la as unknown as Record<string, unknown>)[k];
        out[objectName]!.push(picked as unknown as AttributeDefinition);
      }
    }
  }
  return out;
}

export interface DeclarationProblem {
  property: string;
  reason: string;
}

function validateSource(src: unknown, path: string, problems: DeclarationProblem[], depth = 0): void {
  if (src === null || src === undefined) return;
  if (typeof src !== "object" || Array.isArray(src)) {
    problems.push({ property: path, reason: "must be an attributeMappingSource object or null" });
    return;
  }
  if (depth > 64) {
    problems.push({ property: path, reason: "is nested too deeply" });
    return;
  }
  const s = src as AttributeMappingSource;
  if (s.type !== undefined && !SOURCE_TYPES.includes(s.type)) problems.push({ property: `${path}.type`, reason: `must be one of ${SOURCE_TYPES.join(", ")}` });
  const hasName = typeof s.name === "string" && s.name !== "";
  const hasText = typeof s.expression === "string" && s.expression.trim() !== "";
  if (!hasName && !hasText && !(s.type === "Constant" && s.name === "")) problems.push({ property: path, reason: "needs a name (attribute, constant or function) or an expression" });
  if (s.parameters !== undefined && s.parameters !== null) {
    if (!Array.isArray(s.parameters)) problems.push({ property: `${path}.parameters`, reason: "must be an array" });
    else
      s.parameters.forEach((p, i) => {
        if (!p || typeof p.key !== "string" || p.key === "") problems.push({ property: `${path}.parameters[${i}].key`, reason: "must be a non-empty string" });
        validateSource(p?.value, `${path}.parameters[${i}].value`, problems, depth + 1);
      });
    if ((s.type ?? "Attribute") !== "Function" && Array.isArray(s.parameters) && s.parameters.length) {
      problems.push({ property: `${path}.parameters`, reason: "only Function sources take parameters" });
    }
  }
}

/** Checks a declaration before any Graph call (used by the provider's `check`). */
export function validateDeclaration(decl: SchemaDeclaration): DeclarationProblem[] {
  const problems: DeclarationProblem[] = [];
  if (!Array.isArray(decl.objectMappings)) {
    problems.push({ property: "objectMappings", reason: "must be an array of object mappings" });
    return problems;
  }
  const names = new Set<string>();
  decl.objectMappings.forEach((m, i) => {
    const p = `objectMappings[${i}]`;
    if (!m || typeof m !== "object") {
      problems.push({ property: p, reason: "must be an object" });
      return;
    }
    if (typeof m.name !== "string" || m.name.trim() === "") problems.push({ property: `${p}.name`, reason: "must be a non-empty string" });
    else if (names.has(m.name)) problems.push({ property: `${p}.name`, reason: `duplicate mapping name "${m.name}"` });
    else names.add(m.name);
    if (typeof m.sourceObjectName !== "string" || !m.sourceObjectName) problems.push({ property: `${p}.sourceObjectName`, reason: "must be a non-empty string" });
    if (typeof m.targetObjectName !== "string" || !m.targetObjectName) problems.push({ property: `${p}.targetObjectName`, reason: "must be a non-empty string" });
    if (m.enabled !== undefined && typeof m.enabled !== "boolean") problems.push({ property: `${p}.enabled`, reason: "must be a boolean" });
    if (m.flowTypes !== undefined && !parseFlowTypes(m.flowTypes)) problems.push({ property: `${p}.flowTypes`, reason: `"${m.flowTypes}" is not a list of Add, Update, Delete` });
    if (!Array.isArray(m.attributeMappings)) {
      problems.push({ property: `${p}.attributeMappings`, reason: "must be the complete array of attribute mappings" });
      return;
    }
    const targets = new Set<string>();
    const priorities = new Set<number>();
    m.attributeMappings.forEach((a, j) => {
      const q = `${p}.attributeMappings[${j}]`;
      if (!a || typeof a !== "object") {
        problems.push({ property: q, reason: "must be an object" });
        return;
      }
      if (typeof a.targetAttributeName !== "string" || a.targetAttributeName === "") problems.push({ property: `${q}.targetAttributeName`, reason: "must be a non-empty string" });
      else if (targets.has(a.targetAttributeName)) problems.push({ property: `${q}.targetAttributeName`, reason: `duplicate target "${a.targetAttributeName}"` });
      else targets.add(a.targetAttributeName);
      if (a.flowType !== undefined && !ATTRIBUTE_FLOW_TYPES.includes(a.flowType)) problems.push({ property: `${q}.flowType`, reason: `must be one of ${ATTRIBUTE_FLOW_TYPES.join(", ")}` });
      if (a.flowBehavior !== undefined && !ATTRIBUTE_FLOW_BEHAVIORS.includes(a.flowBehavior)) problems.push({ property: `${q}.flowBehavior`, reason: `must be one of ${ATTRIBUTE_FLOW_BEHAVIORS.join(", ")}` });
      if (a.matchingPriority !== undefined && !(Number.isInteger(a.matchingPriority) && a.matchingPriority >= 0)) problems.push({ property: `${q}.matchingPriority`, reason: "must be an integer >= 0" });
      else if (a.matchingPriority) {
        if (priorities.has(a.matchingPriority)) problems.push({ property: `${q}.matchingPriority`, reason: `matching precedence ${a.matchingPriority} used twice` });
        priorities.add(a.matchingPriority);
      }
      if (a.defaultValue !== undefined && a.defaultValue !== null && typeof a.defaultValue !== "string") problems.push({ property: `${q}.defaultValue`, reason: "must be a string or null" });
      validateSource(a.source, `${q}.source`, problems);
      if ((a.source === null || a.source === undefined) && (a.defaultValue === null || a.defaultValue === undefined || a.defaultValue === "")) {
        problems.push({ property: `${q}.source`, reason: "a mapping without source needs a defaultValue" });
      }
    });
    const flags = parseFlowTypes(m.flowTypes) ?? [];
    if ((m.enabled ?? true) && flags.length > 0 && priorities.size === 0) {
      problems.push({ property: `${p}.attributeMappings`, reason: "an enabled mapping needs at least one matching attribute (matchingPriority > 0)" });
    }
  });
  if (decl.customTargetAttributes !== undefined) {
    if (typeof decl.customTargetAttributes !== "object" || decl.customTargetAttributes === null || Array.isArray(decl.customTargetAttributes)) {
      problems.push({ property: "customTargetAttributes", reason: "must map target object names to attribute definitions" });
    } else {
      for (const [obj, attrs] of Object.entries(decl.customTargetAttributes)) {
        if (!Array.isArray(attrs)) problems.push({ property: `customTargetAttributes.${obj}`, reason: "must be an array" });
        else attrs.forEach((a, i) => {
          if (!a || typeof a.name !== "string" || a.name === "") problems.push({ property: `customTargetAttributes.${obj}[${i}].name`, reason: "must be a non-empty string" });
        });
      }
    }
  }
  return problems;
}
