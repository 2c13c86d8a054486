/**
 * The app spec: one YAML file per target app under mappings/. This zod schema is the single
 * definition of the format; the JSON Schema in schema/app.schema.json is generated from it.
 *
 * Objects are strict: an unknown key is an error, because a typo must never be silently ignored.
 */
import { z } from "zod";

/** A Pulumi config key (`pulumi config set [--secret] KEY`), optionally namespaced (`ns:key`). */
const configKey = z
  .string()
  .regex(/^([A-Za-z][A-Za-z0-9_-]*:)?[A-Za-z][A-Za-z0-9_.-]*$/, {
    message: "a Pulumi config key looks like `ironwifiScimToken` or `scimops:ironwifiScimToken`",
  });

/**
 * A secret is never written in a file: the file names the Pulumi config key that holds it and
 * `pulumi config set --secret KEY` stores it encrypted in the stack.
 */
export const SecretRef = z
  .strictObject({
    config: configKey.describe("Pulumi config key holding the secret (set it with `pulumi config set --secret KEY`)"),
  })
  .describe("Reference to a Pulumi config secret. Never a literal value.");

/** A value that may be written inline or taken from stack config (e.g. a notification address). */
export const StringOrConfig = z.union([
  z.string().min(1),
  z.strictObject({ config: configKey.describe("Pulumi config key holding the value") }),
]);

export const Cloud = z.enum(["global", "usgovernment", "china"]);

const urlTemplate = z
  .string()
  .regex(/^https:\/\/[^\s]+$/, { message: "a tenant URL is an https:// URL" })
  .describe("URL; `{name}` placeholders are filled from `parameters` (values come from the stack)");

export const UrlParameter = z.strictObject({
  description: z.string().min(1),
  pattern: z.string().min(1).describe("regular expression every value must match").optional(),
  values: z
    .record(z.string(), z.string())
    .describe("allowed values, each with a human label (e.g. `us-east: US East`)")
    .optional(),
});

export const TenantUrl = z.union([
  urlTemplate,
  z.strictObject({
    template: urlTemplate,
    parameters: z.record(z.string().regex(/^[a-zA-Z][a-zA-Z0-9]*$/), UrlParameter),
  }),
]);

/**
 * Scoping-filter operators exactly as Graph's `GET …/schema/filterOperators` lists them, spaces
 * included (microsoft-graph-docs-contrib beta synchronization-synchronizationschema-filteroperators.md;
 * test/fixtures/microsoft/filterOperators-response.json). The file uses the same spellings, and they
 * are sent to Graph unchanged as `operatorName`.
 */
export const GRAPH_FILTER_OPERATORS = [
  "EQUALS",
  "IS FALSE",
  "IS NOT NULL",
  "IS NULL",
  "IS TRUE",
  "NOT EQUALS",
  "NOT REGEX MATCH",
  "REGEX MATCH",
] as const;
/**
 * Operators the portal documents (MicrosoftDocs/entra-docs define-conditional-rules-for-provisioning-user-accounts.md)
 * that `filterOperators` does not list: accepted, with a `validate` warning (graph-sync.md §13.1).
 */
export const PORTAL_ONLY_SCOPING_OPERATORS = ["&", "!&", "ENDS_WITH", "Greater_Than", "Greater_Than_OR_EQUALS", "Includes"] as const;
export const SCOPING_OPERATORS = [...GRAPH_FILTER_OPERATORS, ...PORTAL_ONLY_SCOPING_OPERATORS] as const;
/** `arity: Unary` in the filterOperators response. */
export const UNARY_SCOPING_OPERATORS: ReadonlySet<string> = new Set(["IS FALSE", "IS NOT NULL", "IS NULL", "IS TRUE"]);
export const ScopingOperator = z
  .enum(SCOPING_OPERATORS)
  .describe("as Graph's filterOperators lists it (IS TRUE, NOT REGEX MATCH…); &, !&, ENDS_WITH, Greater_Than, Greater_Than_OR_EQUALS, Includes are portal-only (validate warns)");

export const ScopingClause = z.strictObject({
  attribute: z.string().min(1).describe("source attribute (Entra name, e.g. department)"),
  operator: ScopingOperator,
  value: z
    .union([z.string(), z.array(z.string()).min(1)])
    .describe("operand; omitted for IS TRUE / IS FALSE / IS NULL / IS NOT NULL")
    .optional(),
});

export const ScopingFilter = z.strictObject({
  name: z.string().min(1).describe("Scoping Filter Title in the portal"),
  clauses: z.array(ScopingClause).min(1).describe("all clauses must hold (AND); filters are OR-ed"),
});

export const AttributeMapping = z.strictObject({
  target: z.string().min(1).describe("target attribute, e.g. userName or emails[type eq \"work\"].value"),
  source: z
    .string()
    .min(1)
    .describe("Entra expression as typed in the portal: [attribute], \"constant\" or Function(...)")
    .optional(),
  matchingPrecedence: z
    .number()
    .int()
    .min(1)
    .describe("match objects using this attribute; 1 is tried first")
    .optional(),
  apply: z.enum(["always", "onCreate"]).default("always").describe("Apply this mapping: always or only during object creation"),
  default: z.string().describe("Default value if null (only provisioned on create)").optional(),
});

export const ObjectAction = z.enum(["create", "update", "delete"]);

export const ObjectMapping = z.strictObject({
  name: z.string().min(1).describe("mapping name as shown in the portal"),
  enabled: z.boolean(),
  sourceObject: z.string().min(1).describe("source object name (User, Group)"),
  targetObject: z.string().min(1).describe("target object name in the target directory"),
  actions: z.array(ObjectAction).describe("Target Object Actions").default(["create", "update", "delete"]),
  scopingFilters: z.array(ScopingFilter).default([]),
  attributes: z.array(AttributeMapping).describe("the complete list: what the file says is what Entra holds").default([]),
});

export const Assignment = z.union([
  z.strictObject({ group: z.string().min(1).describe("group display name or object id"), role: z.string().min(1) }),
  z.strictObject({ user: z.string().min(1).describe("userPrincipalName or object id"), role: z.string().min(1) }),
]);

export const EntraApp = z.union([
  z.strictObject({
    gallery: z.string().min(1).describe("display name of the app in the Entra application gallery"),
    displayName: z.string().min(1).describe("name of the enterprise app in the tenant"),
    clouds: z.array(Cloud).min(1).default(["global"]).describe("clouds whose gallery offers this app"),
    preview: z.boolean().default(false).describe("the gallery connector is in public preview"),
    importedFrom: z
      .enum(["tenant", "template"])
      .describe("written by `scimops import`: the mapping lists were read from the tenant's app, or from the gallery template's default schema")
      .optional(),
  }),
  z.strictObject({
    nonGallery: z.literal(true).describe("Create your own application → Integrate any other application (Non-gallery)"),
    displayName: z.string().min(1),
    singleSignOn: z.enum(["disabled", "password", "saml"]).default("disabled"),
  }),
]);

/** A source attribute added to the job's source schema ("Edit attribute list for Microsoft Entra ID"). */
export const DeclaredSourceAttribute = z.strictObject({
  name: z.string().min(1).describe("attribute name as expressions write it, e.g. extension_<appId>_costCenter"),
  type: z.enum(["String", "Integer", "Boolean", "DateTime", "Reference", "Binary"]).default("String"),
  multivalued: z.boolean().default(false),
  object: z.enum(["User", "Group"]).default("User"),
});

export const EntraSpec = z.strictObject({
  app: EntraApp,
  sourceAttributes: z
    .array(DeclaredSourceAttribute)
    .default([])
    .describe("source attributes beyond Microsoft Entra's standard list that mappings and scoping filters may read"),
  roles: z
    .strictObject({
      assignable: z.array(z.string().min(1)).min(1).describe("application-specific roles a user or group may be assigned with"),
      refused: z.array(z.string().min(1)).default(["Default Access"]).describe("roles whose members are skipped by provisioning"),
    })
    .optional(),
  provisioning: z.strictObject({
    tenantUrl: TenantUrl,
    secretToken: SecretRef,
    scope: z.enum(["assignedUsersAndGroups", "allUsersAndGroups"]).default("assignedUsersAndGroups"),
    notifications: z
      .strictObject({
        email: StringOrConfig.optional(),
        sendOnFailure: z.boolean().default(true),
      })
      .optional(),
    accidentalDeletion: z
      .strictObject({ enabled: z.boolean(), threshold: z.number().int().min(1).default(500) })
      .optional(),
    skipOutOfScopeDeletions: z.boolean().default(false),
    status: z.enum(["on", "off"]).default("on").describe("Provisioning Status"),
  }),
  mappings: z.strictObject({
    users: ObjectMapping,
    groups: ObjectMapping.optional(),
  }),
  assignments: z.array(Assignment).default([]),
  provisionOnDemand: z
    .array(z.strictObject({ user: z.string().min(1).describe("userPrincipalName or object id") }))
    .default([])
    .describe("test subjects provisioned on demand after apply"),
});

/**
 * The app user's userName, set on the app itself (Okta: `credentials.userNameTemplate`), never by a profile
 * mapping row. BUILT_IN templates are Okta's named formats (`${source.login}` = Okta username); CUSTOM ones
 * are Okta expressions such as `user.email`. Okta's own default is BUILT_IN `${source.login}`
 * (terraform-provider-okta okta/services/idaas/app.go, baseAppSwaSchema).
 */
export const OktaUserNameTemplate = z.strictObject({
  template: z.string().min(1).describe("`${source.login}`, `${source.email}` … (BUILT_IN) or an Okta expression like `user.email` (CUSTOM)"),
  type: z.enum(["BUILT_IN", "CUSTOM"]),
  pushStatus: z.enum(["PUSH", "DONT_PUSH"]).optional().describe("push the userName again when it changes in Okta"),
});

/** A custom SAML 2.0 app's sign-on settings: what Okta requires of a SAML app that is not from the catalog. */
export const OktaSamlSettings = z.strictObject({
  ssoUrl: z.string().url().describe("Single sign-on URL (the app's ACS URL)"),
  audience: z.string().min(1).describe("Audience URI (SP Entity ID)"),
  recipient: z.string().url().optional().describe("defaults to ssoUrl"),
  destination: z.string().url().optional().describe("defaults to ssoUrl"),
  subjectNameIdTemplate: z.string().min(1).default("${user.userName}"),
  subjectNameIdFormat: z.string().min(1).default("urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"),
});

export const OktaSpec = z.strictObject({
  app: z.strictObject({
    label: z.string().min(1),
    // Okta adds SCIM only to App Integration Wizard apps made as SWA or SAML ("Adding SCIM provisioning
    // to an OpenID Connect (OIDC) integration isn't currently supported", help.okta.com Apps_App_Integration_Wizard_SCIM).
    signOnMode: z.enum(["SWA", "SAML_2_0"]).describe("App Integration Wizard custom app: SWA (Okta AUTO_LOGIN) or SAML_2_0; OIDC apps cannot have SCIM"),
    loginUrl: z.string().url().optional().describe("SWA: the app's sign-in page (Okta requires it for a custom AUTO_LOGIN app)"),
    saml: OktaSamlSettings.optional().describe("SAML_2_0: the custom SAML app's settings"),
    userNameTemplate: OktaUserNameTemplate.describe("how Okta forms the app user's userName (Sign On tab → Application username format)"),
  }),
  provisioning: z.strictObject({
    scimBaseUrl: TenantUrl,
    token: SecretRef,
    authenticationMode: z.enum(["header", "basic", "oauth2"]).default("header"),
    uniqueIdentifierField: z.string().min(1),
    supportedActions: z.array(z.enum(["pushNewUsers", "pushProfileUpdates", "pushGroups", "importNewUsers", "importProfileUpdates"])),
    toApp: z.strictObject({
      createUsers: z.boolean(),
      updateUserAttributes: z.boolean(),
      deactivateUsers: z.boolean(),
    }),
  }),
  profileMappings: z
    .array(z.strictObject({ target: z.string().min(1), source: z.string().min(1).describe("Okta expression, e.g. user.login") }))
    .default([]),
  pushGroups: z.array(z.string().min(1)).default([]).describe("Okta groups pushed to the app (Push Groups); never also assigned"),
  assignments: z
    .strictObject({ groups: z.array(z.string().min(1)).default([]).describe("Okta groups assigned to the app; members must be assigned before their groups are pushed") })
    .default({ groups: [] }),
});

/** What a target app enforces; checked by `validate` on the mappings and by `preview` per user. */
export const TargetRules = z.strictObject({
  userName: z
    .strictObject({
      forbidEmail: z.boolean().default(false).describe("an email address may not be used as the user name"),
      pattern: z.string().describe("regular expression a user name must match").optional(),
      patternDescription: z.string().optional(),
      maxLength: z.number().int().min(1).optional(),
      allowedDomains: StringOrConfig.describe(
        "domains registered with the target; user names must be in one of them (comma-separated when from config)",
      ).optional(),
    })
    .optional(),
  maxLength: z.record(z.string(), z.number().int().min(1)).default({}).describe("maximum length per target attribute"),
  requiredAttributes: z.array(z.string().min(1)).default([]),
  requiredSources: z
    .record(z.string(), z.strictObject({ source: z.string().min(1), reason: z.string().min(1) }))
    .default({})
    .describe("target attribute → the Entra source attribute its mapping must read"),
  supportedAttributes: z
    .array(z.string().min(1))
    .describe("when given, the only target attributes the target accepts")
    .optional(),
  unsupportedAttributes: z
    .array(z.strictObject({ target: z.string().min(1), reason: z.string().min(1) }))
    .default([])
    .describe("target attributes the target rejects; mapping them makes provisioning fail"),
  groups: z
    .strictObject({
      supported: z.boolean(),
      matchBy: z.string().default("displayName"),
      caseSensitive: z.boolean().default(false),
      known: z.array(z.string().min(1)).default([]).describe("group names that exist in the target"),
      policies: z
        .array(
          z.strictObject({
            group: z.string().min(1).describe("the group's name in the target (what Entra pushes as displayName)"),
            vlan: z.number().int().min(1).max(4094).optional(),
            downloadMbps: z.number().positive().optional(),
            uploadMbps: z.number().positive().optional(),
            sessionTimeoutHours: z.number().positive().optional(),
          }),
        )
        .default([])
        .describe("what membership of a target group gives (e.g. IronWifi's VLAN, bandwidth and session policies)"),
      reason: z.string().optional(),
    })
    .default({ supported: true, matchBy: "displayName", caseSensitive: false, known: [], policies: [] }),
  tenantUrl: z
    .strictObject({
      requiredFlags: z.array(z.string().min(1)).default([]),
      reason: z.string().optional(),
    })
    .optional(),
  token: z
    .strictObject({
      pattern: z.string().min(1),
      description: z.string().min(1),
      shownOnce: z.boolean().default(false),
      howToObtain: z.string().optional(),
    })
    .optional(),
  createsInactiveUsers: z.boolean().default(true).describe("false: users inactive in the source are not created"),
  deleteIsSoftDelete: z.boolean().default(false).describe("HTTP DELETE only deactivates the user"),
  filterOperators: z.array(z.string()).default([]).describe("SCIM filter operators the endpoint supports"),
  limitations: z.array(z.string().min(1)).default([]),
});

export const AppSpec = z.strictObject({
  $schema: z.string().optional(),
  name: z.string().regex(/^[a-z][a-z0-9-]*$/, { message: "an app name is lower-case letters, digits and dashes" }),
  displayName: z.string().min(1),
  vendorDocs: z.string().min(1).describe("where the facts in this file come from").optional(),
  entra: EntraSpec.optional(),
  okta: OktaSpec.optional(),
  otherIdps: z
    .array(
      z.strictObject({
        idp: z.enum(["onelogin", "jumpcloud", "google"]),
        method: z.string().min(1).describe("how this IdP reaches the target"),
        steps: z.array(z.string().min(1)).min(1),
      }),
    )
    .default([])
    .describe("identity providers without a Pulumi provider: scimops prints a runbook"),
  target: TargetRules.default({
    maxLength: {},
    requiredAttributes: [],
    requiredSources: {},
    unsupportedAttributes: [],
    groups: { supported: true, matchBy: "displayName", caseSensitive: false, known: [], policies: [] },
    createsInactiveUsers: true,
    deleteIsSoftDelete: false,
    filterOperators: [],
    limitations: [],
  }),
});

export type AppSpec = z.infer<typeof AppSpec>;
export type EntraSpec = z.infer<typeof EntraSpec>;
export type OktaSpec = z.infer<typeof OktaSpec>;
export type OktaUserNameTemplate = z.infer<typeof OktaUserNameTemplate>;
export type ObjectMappingSpec = z.infer<typeof ObjectMapping>;
export type AttributeMappingSpec = z.infer<typeof AttributeMapping>;
export type ScopingFilterSpec = z.infer<typeof ScopingFilter>;
export type TargetRulesSpec = z.infer<typeof TargetRules>;
export type TenantUrlSpec = z.infer<typeof TenantUrl>;
export type AssignmentSpec = z.infer<typeof Assignment>;
export type Cloud = z.infer<typeof Cloud>;
