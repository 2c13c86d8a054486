/**
 * Entra ID / Microsoft Graph layer of scimops: the Graph client, wire types, schema merging, and the
 * Graph-backed dynamic resources (app, job, settings, schema, status, assignments, on-demand) that
 * component.ts composes.
 */
export type {
  AttributeMappingSource,
  StringKeyAttributeMappingSourceValuePair,
  AttributeFlowType,
  AttributeFlowBehavior,
  AttributeMapping,
  FilterOperand,
  FilterClause,
  FilterGroup,
  Filter,
  KeyValue,
  ObjectMapping,
  ReferencedObject,
  AttributeDefinition,
  ObjectDefinition,
  DirectoryDefinition,
  SynchronizationRule,
  SynchronizationSchedule,
  SynchronizationStatus,
  SynchronizationJob,
  SynchronizationTemplate,
  ManagedSecretKey,
  SynchronizationSecretKeyStringValuePair,
  SyncNotificationSettings,
  SynchronizationJobSubject,
  SynchronizationJobApplicationParameters,
  StringKeyStringValuePair,
  AppRole,
  ApplicationTemplate,
  Application,
  ServicePrincipal,
  ApplicationServicePrincipal,
  AppRoleAssignment,
  GraphErrorBody,
} from "../graph/wire";
/** The Graph wire type; `SynchronizationSchema` here names the resource. */
export type { SynchronizationSchema as GraphSynchronizationSchema } from "../graph/wire";
export * from "./graph";
export * from "./sync-api";
export * from "./schema-merge";
export * from "./settings-model";
export { hashSecret, secretMatchesHash, newSalt, redact, UNKNOWN_VALUE } from "./helpers";
export * from "./synchronization-schema";
export * from "./synchronization-settings";
export * from "./enterprise-app";
export * from "./synchronization-job";
export * from "./provisioning-status";
export * from "./app-role-assignments";
export * from "./provision-on-demand";
export * from "./principals";
export * from "./component";
export { ENTRA_PROVIDER_VERSION } from "./version";
