/**
 * Wire types of the Microsoft Graph `synchronization` API (v1.0) and the few directory objects
 * scimops touches. Shapes follow ../shared/reference/graph-sync.md §1–§4, §7, §8; every property is
 * optional where Graph documents a default, because GET responses omit them and PUT bodies may too.
 *
 * Types only: this module has no runtime code, so importing it from provider code never adds anything
 * to a serialized dynamic provider.
 */

// ---------------------------------------------------------------------------------------------
// Schema (§4)
// ---------------------------------------------------------------------------------------------

/** `attributeMappingSource` (§4.6): type defaults to `Attribute`; `name` is the attribute name,
 * the function name, or the constant's literal value. */
export interface AttributeMappingSource {
  type?: "Attribute" | "Constant" | "Function";
  name?: string | null;
  /** Text form. The service stores it next to the parsed tree. */
  expression?: string | null;
  parameters?: StringKeyAttributeMappingSourceValuePair[] | null;
}

export interface StringKeyAttributeMappingSourceValuePair {
  key: string;
  value: AttributeMappingSource | null;
}

export type AttributeFlowType = "Always" | "ObjectAddOnly" | "MultiValueAddOnly" | "ValueAddOnly" | "AttributeAddOnly";
export type AttributeFlowBehavior = "FlowWhenChanged" | "FlowAlways";

/** `attributeMapping` (§4.6): one row of the portal's attribute-mapping list. */
export interface AttributeMapping {
  targetAttributeName: string;
  source?: AttributeMappingSource | null;
  defaultValue?: string | null;
  exportMissingReferences?: boolean;
  flowBehavior?: AttributeFlowBehavior;
  flowType?: AttributeFlowType;
  /** 0 = not used for matching; >0 = matching precedence (lowest first). */
  matchingPriority?: number;
}

export interface FilterOperand {
  values: string[];
}

export interface FilterClause {
  operatorName: string;
  sourceOperandName: string;
  targetOperand?: FilterOperand | null;
}

export interface FilterGroup {
  name: string;
  clauses: FilterClause[];
}

/** `filter` (§4.5): clauses in a group are AND-ed, groups are OR-ed. */
export interface Filter {
  groups?: FilterGroup[] | null;
  inputFilterGroups?: FilterGroup[] | null;
  categoryFilterGroups?: FilterGroup[] | null;
}

export interface KeyValue {
  key: string;
  value: string;
}

/** `objectMapping` (§4.4): one entry of the portal "Mappings" list. */
export interface ObjectMapping {
  name: string;
  enabled?: boolean;
  /** Comma-separated flags `Add, Update, Delete` (portal "Target Object Actions"). */
  flowTypes?: string;
  sourceObjectName: string;
  targetObjectName: string;
  scope?: Filter | null;
  metadata?: KeyValue[] | null;
  attributeMappings: AttributeMapping[];
}

export interface ReferencedObject {
  referencedObjectName: string;
  referencedProperty?: string | null;
}

/** `attributeDefinition` (§4.2). */
export interface AttributeDefinition {
  name: string;
  type?: "String" | "Integer" | "Reference" | "Binary" | "Boolean" | "DateTime";
  multivalued?: boolean;
  required?: boolean;
  mutability?: "ReadWrite" | "ReadOnly" | "Immutable" | "WriteOnly";
  anchor?: boolean;
  caseExact?: boolean;
  flowNullValues?: boolean;
  defaultValue?: string | null;
  apiExpressions?: KeyValue[] | null;
  referencedObjects?: ReferencedObject[] | null;
  metadata?: KeyValue[] | null;
}

/** `objectDefinition` (§4.2). */
export interface ObjectDefinition {
  name: string;
  supportedApis?: string[] | null;
  metadata?: KeyValue[] | null;
  attributes: AttributeDefinition[];
}

/** `directoryDefinition` (§4.2). */
export interface DirectoryDefinition {
  id?: string;
  name: string;
  readOnly?: boolean;
  version?: string | null;
  discoveryDateTime?: string | null;
  discoverabilities?: string;
  objects: ObjectDefinition[];
}

/** `synchronizationRule` (§4.3). */
export interface SynchronizationRule {
  id: string;
  name?: string;
  editable?: boolean;
  priority?: number;
  sourceDirectoryName: string;
  targetDirectoryName: string;
  metadata?: KeyValue[] | null;
  containerFilter?: { includedContainers: string[] } | null;
  groupFilter?: { includedGroups: string[] } | null;
  objectMappings: ObjectMapping[];
}

/** `synchronizationSchema` (§4.1). PUT replaces the whole document. */
export interface SynchronizationSchema {
  id?: string;
  version?: string;
  directories: DirectoryDefinition[];
  synchronizationRules: SynchronizationRule[];
}

// ---------------------------------------------------------------------------------------------
// Jobs, templates, secrets (§2, §3)
// ---------------------------------------------------------------------------------------------

export interface SynchronizationSchedule {
  expiration?: string | null;
  interval: string;
  state: "Active" | "Disabled" | "Paused";
}

export interface SynchronizationStatus {
  code: "NotConfigured" | "NotRun" | "Active" | "Paused" | "Quarantine";
  countSuccessiveCompleteFailures?: number;
  escrowsPruned?: boolean;
  lastExecution?: SynchronizationTaskExecution | null;
  lastSuccessfulExecution?: SynchronizationTaskExecution | null;
  lastSuccessfulExecutionWithExports?: SynchronizationTaskExecution | null;
  progress?: SynchronizationProgress[] | null;
  quarantine?: SynchronizationQuarantine | null;
  steadyStateFirstAchievedTime?: string;
  steadyStateLastAchievedTime?: string;
  synchronizedEntryCountByType?: { key: string; value: number }[] | null;
  troubleshootingUrl?: string | null;
}

/** CSDL synchronizationError. */
export interface SynchronizationError {
  code?: string | null;
  message?: string | null;
  tenantActionable: boolean;
}

/** CSDL synchronizationTaskExecution (Edm.Int64 counts arrive as JSON numbers). */
export interface SynchronizationTaskExecution {
  activityIdentifier?: string | null;
  countEntitled: number;
  countEntitledForProvisioning: number;
  countEscrowed: number;
  countEscrowedRaw: number;
  countExported: number;
  countExports: number;
  countImported: number;
  countImportedDeltas: number;
  countImportedReferenceDeltas: number;
  error?: SynchronizationError | null;
  state: "Succeeded" | "Failed" | "EntryLevelErrors";
  timeBegan: string;
  timeEnded: string;
}

/** CSDL synchronizationQuarantine; reason is the quarantineReason enum. */
export interface SynchronizationQuarantine {
  currentBegan: string;
  error?: SynchronizationError | null;
  nextAttempt: string;
  reason:
    | "EncounteredBaseEscrowThreshold"
    | "EncounteredTotalEscrowThreshold"
    | "EncounteredEscrowProportionThreshold"
    | "EncounteredQuarantineException"
    | "Unknown"
    | "QuarantinedOnDemand"
    | "TooManyDeletes"
    | "IngestionInterrupted";
  seriesBegan: string;
  seriesCount: number;
}

/** CSDL synchronizationProgress. */
export interface SynchronizationProgress {
  completedUnits: number;
  progressObservationDateTime: string;
  totalUnits: number;
  units?: string | null;
}

/**
 * A provisioning log entry, the properties scimops reads (provisioningobjectsummary-list.md examples,
 * microsoftgraph/microsoft-graph-docs-contrib api-reference/v1.0/api/, commit 028b8e35).
 */
export interface ProvisioningObjectSummary {
  id: string;
  activityDateTime: string;
  jobId?: string;
  cycleId?: string;
  provisioningAction: string;
  servicePrincipal: { id: string; displayName: string };
  sourceIdentity?: { id: string; displayName: string; identityType: string } | null;
  targetIdentity?: { id: string; displayName: string; identityType: string } | null;
  provisioningStatusInfo: {
    status: "success" | "warning" | "failure" | "skipped" | "unknownFutureValue";
    errorInformation?: { errorCode?: string | null; reason?: string | null; additionalDetails?: string | null; errorCategory?: string | null; recommendedAction?: string | null } | null;
  };
}

export interface SynchronizationJob {
  id: string;
  templateId: string;
  schedule: SynchronizationSchedule;
  status: SynchronizationStatus;
  synchronizationJobSettings?: { name: string; value: string }[];
}

export interface SynchronizationTemplate {
  id: string;
  applicationId?: string;
  default?: boolean;
  description?: string | null;
  discoverable?: boolean;
  factoryTag?: string;
  metadata?: KeyValue[];
  schema?: SynchronizationSchema;
}

/** Keys of `synchronizationSecretKeyStringValuePair` that scimops manages (§3.2). */
export type ManagedSecretKey =
  | "BaseAddress"
  | "SecretToken"
  | "SyncAll"
  | "SyncNotificationSettings"
  | "SkipOutOfScopeDeletions";

export interface SynchronizationSecretKeyStringValuePair {
  key: string;
  value: string;
}

/** Decoded `SyncNotificationSettings` (JSON inside a string, §3.4). */
export interface SyncNotificationSettings {
  Enabled?: boolean;
  Recipients?: string;
  DeleteThresholdEnabled?: boolean;
  DeleteThresholdValue?: number;
  [other: string]: unknown;
}

export interface SynchronizationJobSubject {
  objectId: string;
  objectTypeName: string;
  links?: {
    manager?: SynchronizationJobSubject;
    members?: SynchronizationJobSubject[];
    owners?: SynchronizationJobSubject[];
  };
}

export interface SynchronizationJobApplicationParameters {
  ruleId: string;
  subjects: SynchronizationJobSubject[];
}

export interface StringKeyStringValuePair {
  key: string;
  value: string;
}

// ---------------------------------------------------------------------------------------------
// Applications (§1, §8)
// ---------------------------------------------------------------------------------------------

export interface AppRole {
  id: string;
  displayName: string;
  allowedMemberTypes: string[];
  description?: string | null;
  isEnabled: boolean;
  origin?: string;
  value: string | null;
}

export interface ApplicationTemplate {
  id: string;
  displayName: string;
  homePageUrl?: string | null;
  supportedSingleSignOnModes?: string[];
  supportedProvisioningTypes?: string[];
  logoUrl?: string | null;
  categories?: string[];
  publisher?: string;
  description?: string | null;
}

export interface Application {
  id: string;
  appId: string;
  applicationTemplateId?: string | null;
  displayName: string;
  appRoles?: AppRole[];
  /** application resource type (v1.0): "The date and time the application was registered", read-only. */
  createdDateTime?: string | null;
}

export interface ServicePrincipal {
  id: string;
  appId: string;
  applicationTemplateId?: string | null;
  displayName: string;
  appRoleAssignmentRequired?: boolean;
  servicePrincipalType?: string;
  tags?: string[];
  appRoles?: AppRole[];
}

export interface ApplicationServicePrincipal {
  application: Application;
  servicePrincipal: ServicePrincipal;
}

export interface AppRoleAssignment {
  id: string;
  appRoleId: string;
  createdDateTime?: string;
  principalDisplayName?: string | null;
  principalId: string;
  principalType?: string;
  resourceDisplayName?: string | null;
  resourceId: string;
  deletedDateTime?: string | null;
}

/** Standard Graph error body. */
export interface GraphErrorBody {
  error: {
    code: string;
    message: string;
    innerError?: { code?: string; date?: string; "request-id"?: string; "client-request-id"?: string; [k: string]: unknown };
  };
}
