/**
 * Static content of the Graph emulator: application templates per cloud, app roles, and the
 * synchronization templates with their default schemas.
 *
 * Facts from ../shared/reference/graph-sync.md:
 * - non-gallery template ids per cloud (§1.3) and the ids of the non-gallery app roles User /
 *   msiam_access, both taken from the catalog (src/catalog/clouds.ts);
 * - the `scim` template's default mappings: 22 user rows (§6.1) and 3 group rows (§6.2), target
 *   directory `customappsso`, source directory `Azure Active Directory` (§4.2);
 * - target attributes: every §6.1 target plus the §6.3 extras. Nothing else is listed, on purpose:
 *   a mapping to an attribute not in this list must be rejected unless the PUT also defines it.
 * Emulator choices where the sources are silent (documented in docs/design.md): the non-gallery
 * template's display name ("Custom"), rule ids and names, template metadata, and the gallery seed
 * apps, which use CLEARLY FAKE template ids (`fa1ce...`), because their real ids were not found (§12).
 */
import type {
  AppRole,
  AttributeDefinition,
  AttributeMapping,
  AttributeMappingSource,
  DirectoryDefinition,
  ObjectMapping,
  SynchronizationSchema,
} from "../../../src/graph/wire";
import { CLOUDS, NON_GALLERY_APP_ROLES as NON_GALLERY_ROLE_IDS } from "../../../src/catalog/clouds";
import type { Cloud } from "../../../src/spec/schema";
import filterOperatorsResponse from "../../fixtures/microsoft/filteroperators-response.json";
import salesforceSample from "../../fixtures/microsoft/salesforce-schema-sample.json";

/** The emulator serves the catalog's clouds (src/catalog/clouds.ts). */
export type EmulatorCloud = Cloud;

/** The non-gallery application template id per cloud, as the catalog has it. */
export const NON_GALLERY_TEMPLATE_IDS = Object.fromEntries(
  Object.entries(CLOUDS).map(([cloud, facts]) => [cloud, facts.nonGalleryTemplateId]),
) as Record<EmulatorCloud, string>;

export const NON_GALLERY_APP_ROLES: AppRole[] = [
  {
    id: NON_GALLERY_ROLE_IDS.User,
    displayName: "User",
    allowedMemberTypes: ["User"],
    description: "User",
    isEnabled: true,
    origin: "Application",
    value: null,
  },
  {
    id: NON_GALLERY_ROLE_IDS.msiam_access,
    displayName: "msiam_access",
    allowedMemberTypes: ["User"],
    description: "msiam_access",
    isEnabled: true,
    origin: "Application",
    value: null,
  },
];

/**
 * Engine function names: the 43 documented ones, those the functions API lists (§5.2, §5.3;
 * test/fixtures/microsoft/functions-response.json), and Trim, which Microsoft's own cloud-sync schema
 * stores as a Function tree (test/fixtures/microsoft/trim-attributemapping.json, §13.3).
 */
export const KNOWN_FUNCTIONS = [
  "Append", "AppRoleAssignmentsComplex", "AssertiveAppRoleAssignmentsComplex", "BitAnd", "CBool", "CDate", "Coalesce",
  "ConvertToBase64", "ConvertToUTF8Hex", "Count", "CStr", "DateAdd", "DateDiff", "DateFromNum", "FormatDateTime", "Guid",
  "IgnoreFlowIfNullOrEmpty", "IIF", "InStr", "IsNull", "IsNullOrEmpty", "IsPresent", "IsString", "Item", "Join", "Left",
  "Mid", "NormalizeDiacritics", "Not", "Now", "NumFromDate", "PCase", "RandomString", "Redact", "RemoveDuplicates",
  "Replace", "SelectUniqueValue", "SingleAppRoleAssignment", "Split", "StripSpaces", "Switch", "ToLower", "ToUpper", "Word",
  "AppRoleAssignments", "DefaultDomain", "IsNothing", "Prepend", "Trim",
];

/**
 * Scoping-filter operator names: exactly the eight of Microsoft's published `filterOperators` response
 * (spaces kept; test/fixtures/microsoft/filteroperators-response.json, graph-sync.md §13.1), plus the
 * portal-documented spellings, which the portal itself writes through this API (accepted; scimops'
 * `validate` warns about them). Underscore forms such as `IS_TRUE` are rejected, as Graph lists none.
 */
export const LISTED_FILTER_OPERATORS: readonly string[] = filterOperatorsResponse.value.map((o) => o.name);
export const KNOWN_FILTER_OPERATORS: readonly string[] = [...LISTED_FILTER_OPERATORS, "&", "!&", "ENDS_WITH", "Greater_Than", "Greater_Than_OR_EQUALS", "Includes"];

const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

function attr(name: string, extra: Partial<AttributeDefinition> = {}): AttributeDefinition {
  return {
    anchor: false,
    apiExpressions: [],
    caseExact: false,
    defaultValue: null,
    flowNullValues: false,
    metadata: [],
    multivalued: false,
    mutability: "ReadWrite",
    name,
    referencedObjects: [],
    required: false,
    type: "String",
    ...extra,
  };
}

const ref = (...objects: string[]) => ({ type: "Reference" as const, referencedObjects: objects.map((o) => ({ referencedObjectName: o, referencedProperty: null })) });

/** Source directory "Azure Active Directory" (§4.2). */
export function entraDirectory(): DirectoryDefinition {
  const userAttrs = [
    attr("objectId", { anchor: true, mutability: "ReadOnly" }),
    attr("IsSoftDeleted", { type: "Boolean", required: true }),
    attr("accountEnabled", { type: "Boolean" }),
    attr("appRoleAssignments", { multivalued: true }),
    attr("city"),
    attr("companyName"),
    attr("country"),
    attr("department"),
    attr("dirSyncEnabled", { type: "Boolean" }),
    attr("displayName"),
    attr("employeeId"),
    attr("employeeType"),
    attr("facsimileTelephoneNumber"),
    attr("givenName"),
    attr("jobTitle"),
    attr("mail"),
    attr("mailNickname"),
    attr("manager", ref("User")),
    attr("mobile"),
    attr("physicalDeliveryOfficeName"),
    attr("postalCode"),
    attr("preferredLanguage"),
    attr("proxyAddresses", { multivalued: true }),
    attr("state"),
    attr("streetAddress"),
    attr("surname"),
    attr("telephoneNumber"),
    attr("usageLocation"),
    attr("userPrincipalName"),
    attr("userType"),
    ...Array.from({ length: 15 }, (_, i) => attr(`extensionAttribute${i + 1}`)),
  ];
  const groupAttrs = [
    attr("objectId", { anchor: true, mutability: "ReadOnly" }),
    attr("IsSoftDeleted", { type: "Boolean", required: true }),
    attr("appRoleAssignments", { multivalued: true }),
    attr("description"),
    attr("displayName"),
    attr("mail"),
    attr("mailEnabled", { type: "Boolean" }),
    attr("mailNickname"),
    attr("members", { ...ref("User", "Group"), multivalued: true }),
    attr("securityEnabled", { type: "Boolean" }),
  ];
  return {
    id: "66e4a8cc-1b7b-435e-95f8-f06cea133828",
    name: "Azure Active Directory",
    readOnly: true,
    version: "2.0",
    discoveryDateTime: null,
    discoverabilities: "AttributeNames, AttributeDataTypes",
    objects: [
      { name: "User", supportedApis: [], metadata: [{ key: "IsSoftDeletionSupported", value: "true" }], attributes: userAttrs },
      { name: "Group", supportedApis: [], metadata: [{ key: "IsSoftDeletionSupported", value: "true" }], attributes: groupAttrs },
    ],
  };
}

/** Target directory of SCIM apps: every §6.1/§6.2 target plus the §6.3 extras, nothing more. */
export function scimDirectory(name: string): DirectoryDefinition {
  const userAttrs = [
    attr("id", { anchor: true, mutability: "ReadOnly" }),
    attr("userName", { required: true, caseExact: false }),
    attr("active", { type: "Boolean" }),
    attr("displayName"),
    attr("title"),
    attr('emails[type eq "work"].value'),
    attr('emails[type eq "other"].Value'),
    attr("preferredLanguage"),
    attr("name.givenName"),
    attr("name.familyName"),
    attr("name.formatted"),
    attr('addresses[type eq "work"].formatted'),
    attr('addresses[type eq "work"].streetAddress'),
    attr('addresses[type eq "work"].locality'),
    attr('addresses[type eq "work"].region'),
    attr('addresses[type eq "work"].postalCode'),
    attr('addresses[type eq "work"].country'),
    attr('addresses[type eq "other"].Formatted'),
    attr('phoneNumbers[type eq "work"].value'),
    attr('phoneNumbers[type eq "mobile"].value'),
    attr('phoneNumbers[type eq "fax"].value'),
    attr("externalId"),
    attr("nickName"),
    attr('roles[primary eq "True"].display'),
    attr('roles[primary eq "True"].type'),
    attr('roles[primary eq "True"].value'),
    attr(`${ENTERPRISE}:employeeNumber`),
    attr(`${ENTERPRISE}:department`),
    attr(`${ENTERPRISE}:manager`, ref("User")),
  ];
  const groupAttrs = [
    attr("id", { anchor: true, mutability: "ReadOnly" }),
    attr("displayName", { required: true }),
    attr("externalId"),
    attr("members", { ...ref("User", "Group"), multivalued: true }),
  ];
  return {
    id: `${name}-target`,
    name,
    readOnly: false,
    version: null,
    discoveryDateTime: null,
    discoverabilities: "None",
    objects: [
      { name: "User", supportedApis: [], metadata: [], attributes: userAttrs },
      { name: "Group", supportedApis: [], metadata: [], attributes: groupAttrs },
    ],
  };
}

export function attrSource(name: string): AttributeMappingSource {
  return { expression: `[${name}]`, name, parameters: [], type: "Attribute" };
}

export function constSource(value: string): AttributeMappingSource {
  return { expression: JSON.stringify(value), name: value, parameters: [], type: "Constant" };
}

function row(source: AttributeMappingSource, target: string, matchingPriority = 0): AttributeMapping {
  return {
    defaultValue: null,
    exportMissingReferences: false,
    flowBehavior: "FlowWhenChanged",
    flowType: "Always",
    matchingPriority,
    source,
    targetAttributeName: target,
  };
}

const direct = (s: string, t: string, p = 0) => row(attrSource(s), t, p);

/** `Switch([IsSoftDeleted], , "False", "True", "True", "False")`; the empty default is dropped (§4.7). */
export function activeSwitchSource(): AttributeMappingSource {
  return {
    expression: 'Switch([IsSoftDeleted], , "False", "True", "True", "False")',
    name: "Switch",
    type: "Function",
    parameters: [
      { key: "source", value: attrSource("IsSoftDeleted") },
      { key: "switchValue", value: constSource("False") },
      { key: "switchValue", value: constSource("True") },
      { key: "switchValue", value: constSource("True") },
      { key: "switchValue", value: constSource("False") },
    ],
  };
}

/** `Join(" ", [givenName], [surname])`. */
export function formattedNameSource(): AttributeMappingSource {
  return {
    expression: 'Join(" ", [givenName], [surname])',
    name: "Join",
    type: "Function",
    parameters: [
      { key: "separator", value: constSource(" ") },
      { key: "source", value: attrSource("givenName") },
      { key: "source", value: attrSource("surname") },
    ],
  };
}

/** The 22 default user rows of §6.1, in portal order. */
export function defaultUserAttributeMappings(): AttributeMapping[] {
  return [
    direct("userPrincipalName", "userName", 1),
    row(activeSwitchSource(), "active"),
    direct("displayName", "displayName"),
    direct("jobTitle", "title"),
    direct("mail", 'emails[type eq "work"].value'),
    direct("preferredLanguage", "preferredLanguage"),
    direct("givenName", "name.givenName"),
    direct("surname", "name.familyName"),
    row(formattedNameSource(), "name.formatted"),
    direct("physicalDeliveryOfficeName", 'addresses[type eq "work"].formatted'),
    direct("streetAddress", 'addresses[type eq "work"].streetAddress'),
    direct("city", 'addresses[type eq "work"].locality'),
    direct("state", 'addresses[type eq "work"].region'),
    direct("postalCode", 'addresses[type eq "work"].postalCode'),
    direct("country", 'addresses[type eq "work"].country'),
    direct("telephoneNumber", 'phoneNumbers[type eq "work"].value'),
    direct("mobile", 'phoneNumbers[type eq "mobile"].value'),
    direct("facsimileTelephoneNumber", 'phoneNumbers[type eq "fax"].value'),
    direct("mailNickname", "externalId"),
    direct("employeeId", `${ENTERPRISE}:employeeNumber`),
    direct("department", `${ENTERPRISE}:department`),
    direct("manager", `${ENTERPRISE}:manager`),
  ];
}

/** The 3 default group rows of §6.2. */
export function defaultGroupAttributeMappings(): AttributeMapping[] {
  return [direct("displayName", "displayName", 1), direct("objectId", "externalId"), direct("members", "members")];
}

const MAPPING_METADATA = [
  { key: "IsCustomerDefined", value: "false" },
  { key: "DisableMonitoringForChanges", value: "false" },
  { key: "Disposition", value: '"Normal"' },
  { key: "EscrowBehavior", value: '"Default"' },
  { key: "ExcludeFromReporting", value: "false" },
  { key: "Unsynchronized", value: "false" },
];

function objectMapping(name: string, source: string, target: string, rows: AttributeMapping[], flowTypes = "Add, Update, Delete"): ObjectMapping {
  return {
    name,
    enabled: true,
    flowTypes,
    sourceObjectName: source,
    targetObjectName: target,
    scope: null,
    metadata: MAPPING_METADATA.map((m) => ({ ...m })),
    attributeMappings: rows,
  };
}

export const SCIM_RULE_ID = "03f7d90d-bf71-41b1-bda6-aaf0ddbee5d8";
export const USERS_MAPPING = "Provision Microsoft Entra ID Users";
export const GROUPS_MAPPING = "Provision Microsoft Entra ID Groups";

/** Default schema of the non-gallery `scim` template (§6.1, §6.2). */
export function scimTemplateSchema(): SynchronizationSchema {
  return {
    id: "scim",
    version: "1.0",
    directories: [entraDirectory(), scimDirectory("customappsso")],
    synchronizationRules: [
      {
        id: SCIM_RULE_ID,
        name: "USERGROUP_OUTBOUND_USERGROUP",
        editable: true,
        priority: 1,
        sourceDirectoryName: "Azure Active Directory",
        targetDirectoryName: "customappsso",
        metadata: [
          { key: "defaultSourceObjectMappings", value: "User, Group" },
          { key: "supportsProvisionOnDemand", value: "true" },
        ],
        containerFilter: { includedContainers: [] },
        groupFilter: { includedGroups: [] },
        objectMappings: [
          objectMapping(USERS_MAPPING, "User", "User", defaultUserAttributeMappings()),
          objectMapping(GROUPS_MAPPING, "Group", "Group", defaultGroupAttributeMappings()),
        ],
      },
    ],
  };
}

/** Legacy `customappsso` template (pre-Dec-2018 behaviour, §2.1). */
export function customappssoTemplateSchema(): SynchronizationSchema {
  const s = scimTemplateSchema();
  s.id = "customappsso";
  const rule = s.synchronizationRules[0]!;
  rule.id = "0c8b4d2a-6f7e-4a3b-9c1d-2e5f6a7b8c9d";
  rule.objectMappings[0]!.name = "Synchronize Azure Active Directory Users to customappsso";
  rule.objectMappings[1]!.name = "Synchronize Azure Active Directory Groups to customappsso";
  return s;
}

/** Users-only schema of a gallery app (mapping name as in the gallery tutorials, §1.4). */
export function gallerySchema(appName: string, templateTag: string, ruleId: string): SynchronizationSchema {
  const rows = [
    direct("userPrincipalName", "userName", 1),
    row(activeSwitchSource(), "active"),
    direct("displayName", "displayName"),
    direct("mail", 'emails[type eq "work"].value'),
    direct("givenName", "name.givenName"),
    direct("surname", "name.familyName"),
    direct("objectId", "externalId"),
  ];
  return {
    id: templateTag,
    version: "1.0",
    directories: [entraDirectory(), scimDirectory(appName)],
    synchronizationRules: [
      {
        id: ruleId,
        name: "USER_OUTBOUND_USER",
        editable: true,
        priority: 1,
        sourceDirectoryName: "Azure Active Directory",
        targetDirectoryName: appName,
        metadata: [
          { key: "defaultSourceObjectMappings", value: "User" },
          { key: "supportsProvisionOnDemand", value: "true" },
        ],
        containerFilter: { includedContainers: [] },
        groupFilter: { includedGroups: [] },
        objectMappings: [objectMapping(`Synchronize Microsoft Entra ID Users to ${appName}`, "User", "User", rows, "Add, Update")],
      },
    ],
  };
}

export interface SyncTemplateDef {
  id: string;
  factoryTag: string;
  default: boolean;
  description: string;
  schema: () => SynchronizationSchema;
}

export interface AppTemplateDef {
  id: string;
  displayName: string;
  gallery: boolean;
  clouds: EmulatorCloud[];
  publisher: string;
  description: string;
  categories: string[];
  appRoles: AppRole[];
  tags: string[];
  syncTemplates: SyncTemplateDef[];
  /** Fixed tenant URL the target expects (gallery tutorials, §1.4); undefined = any https URL. */
  expectedBaseAddress?: string;
}

const galleryRoles = (prefix: string): AppRole[] => [
  { id: `${prefix}-0000-4000-8000-000000000001`, displayName: "User", allowedMemberTypes: ["User"], description: "User", isEnabled: true, origin: "Application", value: "User" },
  { id: `${prefix}-0000-4000-8000-000000000002`, displayName: "msiam_access", allowedMemberTypes: ["User"], description: "msiam_access", isEnabled: true, origin: "Application", value: null },
];

const scimSyncTemplates: SyncTemplateDef[] = [
  { id: "scim", factoryTag: "scim", default: true, description: "SCIM 2.0 provisioning (non-gallery)", schema: scimTemplateSchema },
  { id: "customappsso", factoryTag: "customappsso", default: false, description: "Legacy non-gallery provisioning", schema: customappssoTemplateSchema },
];

function galleryTemplate(id: string, displayName: string, tag: string, ruleId: string, rolePrefix: string, expectedBaseAddress?: string): AppTemplateDef {
  return {
    id,
    displayName,
    gallery: true,
    clouds: ["global", "usgovernment", "china"],
    publisher: "scimops emulator",
    description: `FAKE emulator-only template standing in for the gallery app "${displayName}"; the real template id is not known.`,
    categories: ["Productivity"],
    appRoles: galleryRoles(rolePrefix),
    tags: ["WindowsAzureActiveDirectoryIntegratedApp", "WindowsAzureActiveDirectoryGalleryApplicationPrimaryV1"],
    syncTemplates: [{ id: tag, factoryTag: tag, default: true, description: `${displayName} provisioning (fake)`, schema: () => gallerySchema(displayName, tag, ruleId) }],
    ...(expectedBaseAddress ? { expectedBaseAddress } : {}),
  };
}

export function appTemplates(): AppTemplateDef[] {
  return [
    ...(Object.entries(NON_GALLERY_TEMPLATE_IDS) as [EmulatorCloud, string][]).map(([cloud, id]) => ({
      id,
      displayName: "Custom",
      gallery: false,
      clouds: [cloud],
      publisher: "Microsoft Corporation",
      description: "Integrate any other application you don't find in the gallery (non-gallery)",
      categories: [],
      appRoles: NON_GALLERY_APP_ROLES,
      tags: ["WindowsAzureActiveDirectoryIntegratedApp", "WindowsAzureActiveDirectoryCustomSingleSignOnApplication"],
      syncTemplates: scimSyncTemplates,
    })),
    galleryTemplate("fa1ce000-0000-4000-8000-00000000a001", "iPass SmartConnect", "iPassSmartConnectFake", "fa1ce000-0000-4000-8000-0000000000f1", "fa1ce001", "https://openmobile.ipass.com/moservices/scim/v1"),
    galleryTemplate("fa1ce000-0000-4000-8000-00000000a002", "Airstack", "airstackFake", "fa1ce000-0000-4000-8000-0000000000f2", "fa1ce002", "https://api-as.lenovosoftware.com/0/as/common/scim"),
    galleryTemplate("fa1ce000-0000-4000-8000-00000000a003", "SpaceIQ", "spaceIQFake", "fa1ce000-0000-4000-8000-0000000000f3", "fa1ce003"),
    salesforceSampleTemplate(),
  ];
}

/**
 * A gallery app whose job schema is Microsoft's complete published Salesforce sample
 * (test/fixtures/microsoft/salesforce-schema-sample.json, unchanged): 2 rules, 9 object mappings,
 * `name: null`, `sourceObjectName: ""`, `source: null` rows. The app template id is FAKE; the schema is real.
 */
function salesforceSampleTemplate(): AppTemplateDef {
  return {
    ...galleryTemplate("fa1ce000-0000-4000-8000-00000000a004", "Salesforce (Microsoft sample schema)", "salesforce", "", "fa1ce004"),
    syncTemplates: [
      {
        id: "salesforce",
        factoryTag: "salesforce",
        default: true,
        description: "Microsoft's published Salesforce sample schema (beta docs)",
        schema: () => JSON.parse(JSON.stringify(salesforceSample)) as SynchronizationSchema,
      },
    ],
  };
}

/** Secret keys of the synchronizationSecret enum (§3.2). */
export const SECRET_KEYS = [
  "None", "UserName", "Password", "SecretToken", "AppKey", "BaseAddress", "ClientIdentifier", "ClientSecret", "SingleSignOnType",
  "Sandbox", "Url", "Domain", "ConsumerKey", "ConsumerSecret", "TokenKey", "TokenExpiration", "Oauth2AccessToken",
  "Oauth2AccessTokenCreationTime", "Oauth2RefreshToken", "SyncAll", "InstanceName", "Oauth2ClientId", "Oauth2ClientSecret",
  "CompanyId", "UpdateKeyOnSoftDelete", "SynchronizationSchedule", "SystemOfRecord", "SandboxName", "EnforceDomain",
  "SyncNotificationSettings", "SkipOutOfScopeDeletions", "Oauth2AuthorizationCode", "Oauth2RedirectUri",
  "ApplicationTemplateIdentifier", "Oauth2TokenExchangeUri", "Oauth2AuthorizationUri", "AuthenticationType", "Server",
  "PerformInboundEntitlementGrants", "HardDeletesEnabled", "SyncAgentCompatibilityKey", "SyncAgentADContainer",
  "ValidateDomain", "TestReferences", "ConnectionString",
];

/** Keys whose values GET returns masked as "*". */
export const MASKED_SECRET_KEYS = [
  "Password", "SecretToken", "ClientSecret", "ConsumerSecret", "TokenKey", "Oauth2AccessToken", "Oauth2RefreshToken",
  "Oauth2ClientSecret", "Oauth2AuthorizationCode", "AppKey", "ConnectionString",
];
