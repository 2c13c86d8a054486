/**
 * Request-body validation of the Graph emulator. Strict where Graph is: unknown properties, wrong
 * types, enum values and metadata keys outside the CSDL enums, unknown rule ids, unknown target
 * attributes and unlisted filter operators are rejected with Graph-style 400 errors, so that a client
 * bug shows up as a failure. Lenient where Graph is: Microsoft's own published schema (the Salesforce
 * sample, test/fixtures/microsoft/) has object mappings with `name: null` and `sourceObjectName: ""`
 * and rows with `source: null, defaultValue: null`, so those pass (graph-sync.md §13.4).
 *
 * Every property list and enum below is the Graph v1.0 CSDL's (../shared/reference/graph-csdl-synchronization.xml);
 * test/emulators/graph/csdl.test.ts fails when one drifts from it.
 */
import type {
  AttributeMapping,
  AttributeMappingSource,
  DirectoryDefinition,
  Filter,
  ObjectDefinition,
  SynchronizationRule,
  SynchronizationSchema,
} from "../../../src/graph/wire";
import { KNOWN_FILTER_OPERATORS, KNOWN_FUNCTIONS, SECRET_KEYS } from "./catalog";

/** An error the emulator answers with `{"error":{"code","message","innerError"}}`. */
export class GraphHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly innerCode?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const badRequest = (innerCode: string, message: string) => new GraphHttpError(400, "BadRequest", message, innerCode);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Rejects properties outside `allowed` (OData annotations `@odata.*` are accepted). */
export function onlyKeys(obj: Record<string, unknown>, allowed: readonly string[], typeName: string): void {
  for (const k of Object.keys(obj)) {
    if (k.startsWith("@odata.")) continue;
    if (!allowed.includes(k)) throw badRequest("InvalidProperty", `Property '${k}' does not exist on type 'microsoft.graph.${typeName}'.`);
  }
}

function expectString(v: unknown, what: string, innerCode = "MalformedSchema", allowEmpty = false): string {
  if (typeof v !== "string" || (!allowEmpty && v === "")) throw badRequest(innerCode, `${what} must be a ${allowEmpty ? "" : "non-empty "}string.`);
  return v;
}

function expectOptBool(v: unknown, what: string, innerCode: string): void {
  if (v !== undefined && v !== null && typeof v !== "boolean") throw badRequest(innerCode, `${what} must be a boolean.`);
}

function expectArray(v: unknown, what: string, innerCode: string): unknown[] {
  if (!Array.isArray(v)) throw badRequest(innerCode, `${what} must be an array.`);
  return v;
}

/**
 * Key/value collections. `keys` given: the key is enum-typed in the CSDL (e.g. objectMappingMetadataEntry.key
 * is graph.objectMappingMetadata) and must be one of its members; otherwise any string
 * (stringKeyStringValuePair). Values are Edm.String, nullable.
 */
function expectKeyValues(v: unknown, what: string, innerCode: string, entryType: string, keys?: readonly string[]): void {
  if (v === undefined || v === null) return;
  for (const kv of expectArray(v, what, innerCode)) {
    if (!isObject(kv)) throw badRequest(innerCode, `${what} entries must be objects.`);
    onlyKeys(kv, GRAPH_PROPERTIES[entryType] ?? ["key", "value"], entryType);
    const key = expectString(kv.key, `${what} key`, innerCode);
    if (keys && !keys.includes(key)) throw badRequest(innerCode, `${what}: '${key}' is not a valid ${entryType === "synchronizationMetadataEntry" ? "synchronizationMetadata" : entryType.replace(/Entry$/, "")} value.`);
    if (kv.value !== null && kv.value !== undefined && typeof kv.value !== "string") throw badRequest(innerCode, `${what} value must be a string.`);
  }
}

/** Structural properties per type, exactly the CSDL's (entity types also carry `id` from graph.entity). */
export const GRAPH_PROPERTIES: Readonly<Record<string, readonly string[]>> = {
  synchronizationSchema: ["id", "synchronizationRules", "version", "directories"],
  directoryDefinition: ["id", "discoverabilities", "discoveryDateTime", "name", "objects", "readOnly", "version"],
  objectDefinition: ["attributes", "metadata", "name", "supportedApis"],
  attributeDefinition: ["anchor", "apiExpressions", "caseExact", "defaultValue", "flowNullValues", "metadata", "multivalued", "mutability", "name", "referencedObjects", "required", "type"],
  synchronizationRule: ["containerFilter", "editable", "groupFilter", "id", "metadata", "name", "objectMappings", "priority", "sourceDirectoryName", "targetDirectoryName"],
  objectMapping: ["attributeMappings", "enabled", "flowTypes", "metadata", "name", "scope", "sourceObjectName", "targetObjectName"],
  attributeMapping: ["defaultValue", "exportMissingReferences", "flowBehavior", "flowType", "matchingPriority", "source", "targetAttributeName"],
  attributeMappingSource: ["expression", "name", "parameters", "type"],
  // Not in the CSDL extract; its {key, value} shape is the resource doc synchronization-stringkeyattributemappingsourcevaluepair.md.
  stringKeyAttributeMappingSourceValuePair: ["key", "value"],
  filter: ["categoryFilterGroups", "groups", "inputFilterGroups"],
  filterGroup: ["clauses", "name"],
  filterClause: ["operatorName", "sourceOperandName", "targetOperand"],
  filterOperand: ["values"],
  containerFilter: ["includedContainers"],
  groupFilter: ["includedGroups"],
  stringKeyStringValuePair: ["key", "value"],
  objectMappingMetadataEntry: ["key", "value"],
  objectDefinitionMetadataEntry: ["key", "value"],
  attributeDefinitionMetadataEntry: ["key", "value"],
  synchronizationMetadataEntry: ["key", "value"],
  synchronizationSecretKeyStringValuePair: ["key", "value"],
  synchronizationJobRestartCriteria: ["resetScope"],
  synchronizationJob: ["id", "schedule", "status", "synchronizationJobSettings", "templateId"],
  // The job's health, as the service reports it (CSDL synchronizationStatus and the types it holds).
  synchronizationStatus: [
    "code", "countSuccessiveCompleteFailures", "escrowsPruned", "lastExecution", "lastSuccessfulExecution", "lastSuccessfulExecutionWithExports",
    "progress", "quarantine", "steadyStateFirstAchievedTime", "steadyStateLastAchievedTime", "synchronizedEntryCountByType", "troubleshootingUrl",
  ],
  synchronizationQuarantine: ["currentBegan", "error", "nextAttempt", "reason", "seriesBegan", "seriesCount"],
  synchronizationTaskExecution: [
    "activityIdentifier", "countEntitled", "countEntitledForProvisioning", "countEscrowed", "countEscrowedRaw", "countExported", "countExports",
    "countImported", "countImportedDeltas", "countImportedReferenceDeltas", "error", "state", "timeBegan", "timeEnded",
  ],
  synchronizationProgress: ["completedUnits", "progressObservationDateTime", "totalUnits", "units"],
  synchronizationError: ["code", "message", "tenantActionable"],
};

/** Enum members the emulator checks, exactly the CSDL's. */
export const GRAPH_ENUMS: Readonly<Record<string, readonly string[]>> = {
  attributeType: ["String", "Integer", "Reference", "Binary", "Boolean", "DateTime"],
  mutability: ["ReadWrite", "ReadOnly", "Immutable", "WriteOnly"],
  attributeFlowType: ["Always", "ObjectAddOnly", "MultiValueAddOnly", "ValueAddOnly", "AttributeAddOnly"],
  attributeFlowBehavior: ["FlowWhenChanged", "FlowAlways"],
  attributeMappingSourceType: ["Attribute", "Constant", "Function"],
  objectFlowTypes: ["None", "Add", "Update", "Delete"],
  directoryDefinitionDiscoverabilities: ["None", "AttributeNames", "AttributeDataTypes", "AttributeReadOnly", "ReferenceAttributes", "UnknownFutureValue"],
  objectMappingMetadata: ["EscrowBehavior", "DisableMonitoringForChanges", "OriginalJoiningProperty", "Disposition", "IsCustomerDefined", "ExcludeFromReporting", "Unsynchronized"],
  objectDefinitionMetadata: ["PropertyNameAccountEnabled", "PropertyNameSoftDeleted", "IsSoftDeletionSupported", "IsSynchronizeAllSupported", "ConnectorDataStorageRequired", "Extensions", "BaseObjectName"],
  attributeDefinitionMetadata: ["BaseAttributeName", "ComplexObjectDefinition", "IsContainer", "IsCustomerDefined", "IsDomainQualified", "LinkPropertyNames", "LinkTypeName", "MaximumLength", "ReferencedProperty"],
  synchronizationMetadata: [
    "GalleryApplicationIdentifier", "GalleryApplicationKey", "IsOAuthEnabled", "IsSynchronizationAgentAssignmentRequired", "IsSynchronizationAgentRequired",
    "IsSynchronizationInPreview", "OAuthSettings", "SynchronizationLearnMoreIbizaFwLink", "ConfigurationFields",
  ],
  synchronizationJobRestartScope: ["None", "ConnectorDataStore", "Escrows", "Watermark", "QuarantineState", "Full", "ForceDeletes"],
  synchronizationStatusCode: ["NotConfigured", "NotRun", "Active", "Paused", "Quarantine"],
  quarantineReason: ["EncounteredBaseEscrowThreshold", "EncounteredTotalEscrowThreshold", "EncounteredEscrowProportionThreshold", "EncounteredQuarantineException", "Unknown", "QuarantinedOnDemand", "TooManyDeletes", "IngestionInterrupted"],
  synchronizationTaskExecutionResult: ["Succeeded", "Failed", "EntryLevelErrors"],
};

/**
 * Checks a synchronizationStatus the way the service shapes it (property names and enums of the CSDL), so a
 * test cannot seed a job health Graph never reports.
 */
export function validateSynchronizationStatus(status: Record<string, unknown>): void {
  onlyKeys(status, GRAPH_PROPERTIES.synchronizationStatus!, "synchronizationStatus");
  const member = (v: unknown, enumName: string, what: string) => {
    if (typeof v !== "string" || !GRAPH_ENUMS[enumName]!.includes(v)) throw badRequest("InvalidRequest", `${what}: '${String(v)}' is not a valid ${enumName} value.`);
  };
  member(status.code, "synchronizationStatusCode", "code");
  const error = (e: unknown, what: string) => {
    if (e === undefined || e === null) return;
    if (!isObject(e)) throw badRequest("InvalidRequest", `${what} must be an object.`);
    onlyKeys(e, GRAPH_PROPERTIES.synchronizationError!, "synchronizationError");
  };
  for (const k of ["lastExecution", "lastSuccessfulExecution", "lastSuccessfulExecutionWithExports"]) {
    const x = status[k];
    if (x === undefined || x === null) continue;
    if (!isObject(x)) throw badRequest("InvalidRequest", `${k} must be an object.`);
    onlyKeys(x, GRAPH_PROPERTIES.synchronizationTaskExecution!, "synchronizationTaskExecution");
    member(x.state, "synchronizationTaskExecutionResult", `${k}.state`);
    error(x.error, `${k}.error`);
  }
  const q = status.quarantine;
  if (q !== undefined && q !== null) {
    if (!isObject(q)) throw badRequest("InvalidRequest", "quarantine must be an object.");
    onlyKeys(q, GRAPH_PROPERTIES.synchronizationQuarantine!, "synchronizationQuarantine");
    member(q.reason, "quarantineReason", "quarantine.reason");
    error(q.error, "quarantine.error");
  }
  if (status.progress !== undefined && status.progress !== null) {
    for (const p of expectArray(status.progress, "progress", "InvalidRequest")) {
      if (!isObject(p)) throw badRequest("InvalidRequest", "progress entries must be objects.");
      onlyKeys(p, GRAPH_PROPERTIES.synchronizationProgress!, "synchronizationProgress");
    }
  }
}

/** Parameters of the actions the emulator serves, exactly the CSDL's (bindingParameter aside); `optional` = Core.OptionalParameter. */
export const GRAPH_ACTION_PARAMETERS: Readonly<Record<string, readonly { name: string; optional?: boolean }[]>> = {
  instantiate: [{ name: "displayName" }, { name: "serviceManagementReference", optional: true }],
  validateCredentials: [{ name: "applicationIdentifier" }, { name: "templateId" }, { name: "useSavedCredentials" }, { name: "credentials" }],
  restart: [{ name: "criteria" }],
  provisionOnDemand: [{ name: "parameters" }],
};

/** The parameter names of an action, for `onlyKeys`. */
export const actionParameterNames = (action: string): string[] => (GRAPH_ACTION_PARAMETERS[action] ?? []).map((p) => p.name);

const ATTRIBUTE_TYPES = GRAPH_ENUMS.attributeType!;
const MUTABILITIES = GRAPH_ENUMS.mutability!;

/** A flags enum serialized as comma-separated member names (`"AttributeNames, AttributeDataTypes"`). */
function expectFlags(v: unknown, enumName: string, what: string, innerCode: string): void {
  if (v === undefined || v === null) return;
  if (typeof v !== "string") throw badRequest(innerCode, `${what} must be a string.`);
  for (const part of v.split(",").map((p) => p.trim()).filter(Boolean)) {
    if (!GRAPH_ENUMS[enumName]!.includes(part)) throw badRequest(innerCode, `${what}: '${part}' is not a valid ${enumName} value.`);
  }
}

function validateDirectories(value: unknown): DirectoryDefinition[] {
  const dirs = expectArray(value, "directories", "MalformedSchema");
  const names = new Set<string>();
  for (const d of dirs) {
    if (!isObject(d)) throw badRequest("MalformedSchema", "A directory definition must be an object.");
    onlyKeys(d, GRAPH_PROPERTIES.directoryDefinition!, "directoryDefinition");
    const name = expectString(d.name, "directoryDefinition.name");
    expectFlags(d.discoverabilities, "directoryDefinitionDiscoverabilities", `directory '${name}' discoverabilities`, "MalformedSchema");
    if (names.has(name)) throw badRequest("MalformedSchema", `Directory '${name}' is defined twice.`);
    names.add(name);
    const objNames = new Set<string>();
    for (const o of expectArray(d.objects ?? [], `directory '${name}' objects`, "MalformedSchema")) {
      if (!isObject(o)) throw badRequest("MalformedSchema", "An object definition must be an object.");
      onlyKeys(o, GRAPH_PROPERTIES.objectDefinition!, "objectDefinition");
      const on = expectString(o.name, "objectDefinition.name");
      if (objNames.has(on)) throw badRequest("MalformedSchema", `Object '${on}' is defined twice in directory '${name}'.`);
      objNames.add(on);
      expectKeyValues(o.metadata, `object '${on}' metadata`, "MalformedSchema", "objectDefinitionMetadataEntry", GRAPH_ENUMS.objectDefinitionMetadata);
      const attrNames = new Set<string>();
      for (const a of expectArray(o.attributes ?? [], `object '${on}' attributes`, "MalformedSchema")) {
        if (!isObject(a)) throw badRequest("MalformedSchema", "An attribute definition must be an object.");
        onlyKeys(a, GRAPH_PROPERTIES.attributeDefinition!, "attributeDefinition");
        const an = expectString(a.name, "attributeDefinition.name");
        if (attrNames.has(an.toLowerCase())) throw badRequest("MalformedSchema", `Attribute '${an}' is defined twice on object '${on}' of directory '${name}'.`);
        attrNames.add(an.toLowerCase());
        if (a.type !== undefined && !ATTRIBUTE_TYPES.includes(String(a.type))) throw badRequest("MalformedSchema", `Attribute '${an}' has unknown type '${String(a.type)}'.`);
        if (a.mutability !== undefined && !MUTABILITIES.includes(String(a.mutability))) throw badRequest("MalformedSchema", `Attribute '${an}' has unknown mutability '${String(a.mutability)}'.`);
        for (const b of ["multivalued", "required", "anchor", "caseExact", "flowNullValues"]) expectOptBool(a[b], `attributeDefinition.${b}`, "MalformedSchema");
        expectKeyValues(a.metadata, `attribute '${an}' metadata`, "MalformedSchema", "attributeDefinitionMetadataEntry", GRAPH_ENUMS.attributeDefinitionMetadata);
        expectKeyValues(a.apiExpressions, `attribute '${an}' apiExpressions`, "MalformedSchema", "stringKeyStringValuePair");
      }
    }
  }
  return dirs as DirectoryDefinition[];
}

function findObject(dirs: DirectoryDefinition[], dir: string, obj: string): ObjectDefinition | undefined {
  return dirs.find((d) => d.name === dir)?.objects?.find((o) => o.name === obj);
}

function hasAttribute(o: ObjectDefinition, name: string): boolean {
  return (o.attributes ?? []).some((a) => a.name.toLowerCase() === name.toLowerCase());
}

function validateSource(src: unknown, where: string, sourceObject: ObjectDefinition | undefined, depth = 0): void {
  if (depth > 64) throw badRequest("MalformedAttributeMapping", `${where}: expression nested too deeply.`);
  if (!isObject(src)) throw badRequest("MalformedAttributeMapping", `${where}: source must be an attributeMappingSource object.`);
  onlyKeys(src, GRAPH_PROPERTIES.attributeMappingSource!, "attributeMappingSource");
  const type = src.type ?? "Attribute";
  if (type !== "Attribute" && type !== "Constant" && type !== "Function") {
    throw badRequest("MalformedAttributeMapping", `${where}: source type '${String(type)}' is not Attribute, Constant or Function.`);
  }
  if (src.expression !== undefined && src.expression !== null && typeof src.expression !== "string") {
    throw badRequest("MalformedAttributeMapping", `${where}: source expression must be a string.`);
  }
  const params = src.parameters === undefined || src.parameters === null ? [] : expectArray(src.parameters, `${where}: source parameters`, "MalformedAttributeMapping");
  if (type === "Constant") {
    if (typeof src.name !== "string") throw badRequest("MalformedAttributeMapping", `${where}: a Constant source needs its value in 'name'.`);
  } else {
    const name = typeof src.name === "string" ? src.name : "";
    if (!name) throw badRequest("MalformedAttributeMapping", `${where}: a ${type} source needs a name.`);
    if (type === "Attribute" && (!sourceObject || !hasAttribute(sourceObject, name))) {
      throw badRequest(
        "UnknownSourceAttribute",
        sourceObject ? `${where}: source attribute '${name}' does not exist on source object '${sourceObject.name}'.` : `${where}: source attribute '${name}' given, but the mapping has no source object.`,
      );
    }
    if (type === "Function" && !KNOWN_FUNCTIONS.includes(name)) {
      throw badRequest("MalformedAttributeMapping", `${where}: '${name}' is not a known function.`);
    }
  }
  if (type !== "Function" && params.length) throw badRequest("MalformedAttributeMapping", `${where}: only Function sources take parameters.`);
  for (const p of params) {
    if (!isObject(p)) throw badRequest("MalformedAttributeMapping", `${where}: a function parameter must be an object.`);
    onlyKeys(p, GRAPH_PROPERTIES.stringKeyAttributeMappingSourceValuePair!, "stringKeyAttributeMappingSourceValuePair");
    expectString(p.key, `${where}: parameter key`, "MalformedAttributeMapping");
    validateSource(p.value, `${where} → ${String(p.key)}`, sourceObject, depth + 1);
  }
}

function validateScope(scope: unknown, where: string, sourceObject: ObjectDefinition | undefined): void {
  if (scope === undefined || scope === null) return;
  if (!isObject(scope)) throw badRequest("MalformedObjectMapping", `${where}: scope must be a filter object.`);
  onlyKeys(scope, GRAPH_PROPERTIES.filter!, "filter");
  for (const key of ["groups", "inputFilterGroups", "categoryFilterGroups"] as const) {
    const groups = (scope as Filter)[key];
    if (groups === undefined || groups === null) continue;
    for (const g of expectArray(groups, `${where}: scope.${key}`, "MalformedObjectMapping")) {
      if (!isObject(g)) throw badRequest("MalformedObjectMapping", `${where}: filter groups must be objects.`);
      onlyKeys(g, GRAPH_PROPERTIES.filterGroup!, "filterGroup");
      expectString(g.name, `${where}: filterGroup.name`, "MalformedObjectMapping");
      for (const c of expectArray(g.clauses, `${where}: filterGroup.clauses`, "MalformedObjectMapping")) {
        if (!isObject(c)) throw badRequest("MalformedObjectMapping", `${where}: filter clauses must be objects.`);
        onlyKeys(c, GRAPH_PROPERTIES.filterClause!, "filterClause");
        const op = expectString(c.operatorName, `${where}: filterClause.operatorName`, "MalformedObjectMapping");
        if (!KNOWN_FILTER_OPERATORS.includes(op)) throw badRequest("MalformedObjectMapping", `${where}: '${op}' is not a known filter operator.`);
        const operand = expectString(c.sourceOperandName, `${where}: filterClause.sourceOperandName`, "MalformedObjectMapping");
        if (!sourceObject || !hasAttribute(sourceObject, operand)) {
          throw badRequest("UnknownSourceAttribute", `${where}: scoping filter attribute '${operand}' does not exist on '${sourceObject?.name ?? "(no source object)"}'.`);
        }
        if (c.targetOperand !== undefined && c.targetOperand !== null) {
          if (!isObject(c.targetOperand)) throw badRequest("MalformedObjectMapping", `${where}: targetOperand must be an object.`);
          onlyKeys(c.targetOperand, GRAPH_PROPERTIES.filterOperand!, "filterOperand");
          for (const val of expectArray(c.targetOperand.values, `${where}: targetOperand.values`, "MalformedObjectMapping")) {
            if (typeof val !== "string") throw badRequest("MalformedObjectMapping", `${where}: targetOperand values must be strings.`);
          }
        }
      }
    }
  }
}

const FLOW_TYPES = GRAPH_ENUMS.attributeFlowType!;
const FLOW_BEHAVIORS = GRAPH_ENUMS.attributeFlowBehavior!;

function validateAttributeMapping(m: unknown, where: string, sourceObject: ObjectDefinition | undefined, targetObject: ObjectDefinition, targetDir: string): AttributeMapping {
  if (!isObject(m)) throw badRequest("MalformedAttributeMapping", `${where}: an attribute mapping must be an object.`);
  onlyKeys(m, GRAPH_PROPERTIES.attributeMapping!, "attributeMapping");
  const target = expectString(m.targetAttributeName, `${where}: targetAttributeName`, "MalformedAttributeMapping");
  if (!hasAttribute(targetObject, target)) {
    throw badRequest("UnknownTargetAttribute", `${where}: target attribute '${target}' does not exist on object '${targetObject.name}' of directory '${targetDir}'.`);
  }
  if (m.flowType !== undefined && !FLOW_TYPES.includes(String(m.flowType))) throw badRequest("MalformedAttributeMapping", `${where}: '${String(m.flowType)}' is not a valid attributeFlowType.`);
  if (m.flowBehavior !== undefined && !FLOW_BEHAVIORS.includes(String(m.flowBehavior))) throw badRequest("MalformedAttributeMapping", `${where}: '${String(m.flowBehavior)}' is not a valid attributeFlowBehavior.`);
  if (m.matchingPriority !== undefined && !(Number.isInteger(m.matchingPriority) && (m.matchingPriority as number) >= 0)) {
    throw badRequest("MalformedAttributeMapping", `${where}: matchingPriority must be a non-negative integer.`);
  }
  expectOptBool(m.exportMissingReferences, `${where}: exportMissingReferences`, "MalformedAttributeMapping");
  if (m.defaultValue !== undefined && m.defaultValue !== null && typeof m.defaultValue !== "string") throw badRequest("MalformedAttributeMapping", `${where}: defaultValue must be a string.`);
  // `source: null` with `defaultValue: null` is in Microsoft's own Salesforce sample (§13.4): accepted.
  if (m.source !== undefined && m.source !== null) validateSource(m.source, `${where} (${target})`, sourceObject);
  return m as unknown as AttributeMapping;
}

/**
 * Validates a PUT schema body against the job's template and returns the document to store.
 * Rules must be exactly the template's rules (by id), directories must define every object the rules use.
 */
export function validateSchemaPut(body: unknown, template: SynchronizationSchema): SynchronizationSchema {
  if (!isObject(body)) throw badRequest("MalformedSchema", "The request body must be a synchronizationSchema object.");
  onlyKeys(body, GRAPH_PROPERTIES.synchronizationSchema!, "synchronizationSchema");
  const dirs = validateDirectories(body.directories);
  const rules = expectArray(body.synchronizationRules, "synchronizationRules", "MalformedSchema");
  const known = new Map(template.synchronizationRules.map((r) => [r.id, r]));
  const seen = new Set<string>();
  for (const r of rules) {
    if (!isObject(r)) throw badRequest("MalformedSchema", "A synchronization rule must be an object.");
    onlyKeys(r, GRAPH_PROPERTIES.synchronizationRule!, "synchronizationRule");
    const id = expectString(r.id, "synchronizationRule.id");
    const tr = known.get(id);
    if (!tr) throw badRequest("UnknownSynchronizationRule", `Synchronization rule '${id}' is not defined by template '${template.id ?? ""}'.`);
    if (seen.has(id)) throw badRequest("MalformedSchema", `Synchronization rule '${id}' appears twice.`);
    seen.add(id);
    const src = expectString(r.sourceDirectoryName, `rule '${id}' sourceDirectoryName`);
    const tgt = expectString(r.targetDirectoryName, `rule '${id}' targetDirectoryName`);
    if (src !== tr.sourceDirectoryName || tgt !== tr.targetDirectoryName) {
      throw badRequest("MalformedSchema", `Rule '${id}' must map '${tr.sourceDirectoryName}' to '${tr.targetDirectoryName}'.`);
    }
    expectKeyValues(r.metadata, `rule '${id}' metadata`, "MalformedSchema", "stringKeyStringValuePair");
    const names = new Set<string>();
    for (const om of expectArray(r.objectMappings, `rule '${id}' objectMappings`, "MalformedObjectMapping")) {
      if (!isObject(om)) throw badRequest("MalformedObjectMapping", `Object mappings of rule '${id}' must be objects.`);
      onlyKeys(om, GRAPH_PROPERTIES.objectMapping!, "objectMapping");
      // `name: null` appears in Microsoft's Salesforce sample (§13.4); named mappings must be unique.
      const name = om.name === null ? null : expectString(om.name, "objectMapping.name", "MalformedObjectMapping");
      if (name !== null && names.has(name)) throw badRequest("MalformedObjectMapping", `Object mapping '${name}' appears twice in rule '${id}'.`);
      if (name !== null) names.add(name);
      const where = name === null ? `Unnamed object mapping to '${String(om.targetObjectName)}'` : `Object mapping '${name}'`;
      expectOptBool(om.enabled, `${where}: enabled`, "MalformedObjectMapping");
      expectFlags(om.flowTypes, "objectFlowTypes", `${where}: flowTypes`, "MalformedObjectMapping");
      expectKeyValues(om.metadata, `${where}: metadata`, "MalformedObjectMapping", "objectMappingMetadataEntry", GRAPH_ENUMS.objectMappingMetadata);
      // `sourceObjectName: ""` (no source object) is in the same sample; any other name must exist.
      const sourceName = expectString(om.sourceObjectName, `${where}: sourceObjectName`, "MalformedObjectMapping", true);
      const so = sourceName === "" ? undefined : findObject(dirs, src, sourceName);
      if (sourceName !== "" && !so) throw badRequest("MalformedObjectMapping", `${where}: source object '${sourceName}' is not defined in directory '${src}'.`);
      const to = findObject(dirs, tgt, expectString(om.targetObjectName, `${where}: targetObjectName`, "MalformedObjectMapping"));
      if (!to) throw badRequest("MalformedObjectMapping", `${where}: target object '${String(om.targetObjectName)}' is not defined in directory '${tgt}'.`);
      validateScope(om.scope, where, so);
      const targets = new Set<string>();
      const priorities = new Set<number>();
      for (const am of expectArray(om.attributeMappings, `${where}: attributeMappings`, "MalformedObjectMapping")) {
        const m = validateAttributeMapping(am, where, so, to, tgt);
        const key = m.targetAttributeName.toLowerCase();
        if (targets.has(key)) throw badRequest("MalformedAttributeMapping", `${where}: target attribute '${m.targetAttributeName}' is mapped twice.`);
        targets.add(key);
        const p = m.matchingPriority ?? 0;
        if (p > 0) {
          if (priorities.has(p)) throw badRequest("MalformedAttributeMapping", `${where}: matching precedence ${p} is used twice.`);
          priorities.add(p);
        }
      }
      const flags = typeof om.flowTypes === "string" ? om.flowTypes.split(",").map((x) => x.trim()).filter((x) => x && x !== "None") : ["Add"];
      if (om.enabled !== false && flags.length > 0 && priorities.size === 0) {
        throw badRequest("MalformedObjectMapping", `${where}: at least one attribute must be used for matching objects.`);
      }
    }
  }
  for (const id of known.keys()) if (!seen.has(id)) throw badRequest("MalformedSchema", `Synchronization rule '${id}' is missing; the schema must contain every rule of the template.`);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) if (!k.startsWith("@odata.")) out[k] = v;
  return JSON.parse(JSON.stringify(out)) as SynchronizationSchema;
}

const NOTIFICATION_KEYS: Record<string, "boolean" | "string" | "integer"> = {
  Enabled: "boolean",
  Recipients: "string",
  DeleteThresholdEnabled: "boolean",
  DeleteThresholdValue: "integer",
  HumanResourcesLookaheadQueryEnabled: "boolean",
};

/** Validates a PUT secrets body and returns the new collection. */
export function validateSecretsPut(body: unknown): { key: string; value: string }[] {
  if (!isObject(body)) throw badRequest("InvalidRequest", "The request body must be an object with a 'value' collection.");
  onlyKeys(body, ["value"], "synchronizationSecretsRequest");
  const list = expectArray(body.value, "value", "InvalidRequest");
  const seen = new Set<string>();
  const out: { key: string; value: string }[] = [];
  for (const kv of list) {
    if (!isObject(kv)) throw badRequest("InvalidRequest", "Secrets must be key/value objects.");
    onlyKeys(kv, GRAPH_PROPERTIES.synchronizationSecretKeyStringValuePair!, "synchronizationSecretKeyStringValuePair");
    const key = expectString(kv.key, "secret key", "InvalidRequest");
    if (!SECRET_KEYS.includes(key)) throw badRequest("InvalidRequest", `'${key}' is not a valid synchronizationSecret value.`);
    if (seen.has(key)) throw badRequest("InvalidRequest", `Secret '${key}' appears twice.`);
    seen.add(key);
    if (typeof kv.value !== "string") throw badRequest("InvalidRequest", `The value of '${key}' must be a string.`);
    const value = kv.value;
    if (key === "SyncNotificationSettings") {
      let parsed: unknown;
      try {
        parsed = JSON.parse(value);
      } catch {
        parsed = undefined;
      }
      if (!isObject(parsed)) throw new GraphHttpError(400, "InvalidNotificationSettings", "SyncNotificationSettings must be a JSON object.");
      for (const [k, v] of Object.entries(parsed)) {
        const t = NOTIFICATION_KEYS[k];
        if (!t) throw new GraphHttpError(400, "InvalidNotificationSettings", `Unknown notification setting '${k}'.`);
        const ok = t === "boolean" ? typeof v === "boolean" : t === "string" ? typeof v === "string" : Number.isInteger(v) && (v as number) >= 0;
        if (!ok) throw new GraphHttpError(400, "InvalidNotificationSettings", `Notification setting '${k}' must be ${t === "integer" ? "a non-negative integer" : `a ${t}`}.`);
      }
    }
    if ((key === "SyncAll" || key === "SkipOutOfScopeDeletions") && !/^(true|false)$/i.test(value)) {
      throw badRequest("InvalidSecretValue", `'${key}' must be "true" or "false".`);
    }
    if (key === "BaseAddress" && value !== "") {
      try {
        new URL(value);
      } catch {
        throw badRequest("InvalidSecretValue", "BaseAddress must be an absolute URL.");
      }
    }
    out.push({ key, value });
  }
  return out;
}

/**
 * Checks a restart body and returns the synchronizationJobRestartScope flags it names (CSDL: IsFlags, sent as a
 * comma-separated string); empty when `criteria` or `resetScope` is absent or empty.
 */
export function validateRestartBody(body: unknown): Set<string> {
  if (!isObject(body)) throw badRequest("InvalidRequest", "The request body must be an object with 'criteria'.");
  onlyKeys(body, actionParameterNames("restart"), "restartRequest");
  if (body.criteria === undefined || body.criteria === null) return new Set();
  if (!isObject(body.criteria)) throw badRequest("InvalidRequest", "criteria must be an object.");
  onlyKeys(body.criteria, GRAPH_PROPERTIES.synchronizationJobRestartCriteria!, "synchronizationJobRestartCriteria");
  const scope = body.criteria.resetScope;
  if (scope === undefined || scope === null) return new Set();
  if (typeof scope !== "string") throw badRequest("InvalidRequest", "resetScope must be a string.");
  const flags = new Set<string>();
  for (const f of scope.split(",").map((s) => s.trim()).filter(Boolean)) {
    if (!GRAPH_ENUMS.synchronizationJobRestartScope!.includes(f)) throw badRequest("InvalidRequest", `'${f}' is not a valid synchronizationJobRestartScope value.`);
    flags.add(f);
  }
  return flags;
}

export type { SynchronizationRule };
