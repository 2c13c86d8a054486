/**
 * The source side of an Entra outbound provisioning job: the objects (`sourceObject`) and attributes
 * (`[name]` in expressions, `attribute:` in scoping clauses) of the directory the provisioning service
 * reads — named "Azure Active Directory" (older templates) or "Microsoft Entra ID" in the job schema.
 *
 * The provisioning service uses its own attribute names, not Graph's user properties (`mobile`, not
 * `mobilePhone`; `objectId`, not `id`). Sources, cited per entry:
 *   [SAMPLE]  Microsoft's exported synchronization schema, directory "Azure Active Directory", object User:
 *             microsoftgraph/microsoft-graph-docs-contrib api-reference/beta/resources/synchronization_schema_sample.md
 *             (commit 67fcdc59279c4cbaf8a30169015ac60af7f43b6f) — names, types, multivalued.
 *   [DEFAULT] The default non-gallery SCIM mappings (reference/graph-sync.md §6.1 users, §6.2 groups), which
 *             read employeeId, members and the rest from the portal's default attribute list.
 *   [OBJDEF]  Graph docs synchronization-objectdefinition.md example (reference/graph-sync.md §4.2):
 *             object "User", anchor objectId, IsSoftDeleted Boolean, manager Reference → User, proxyAddresses multivalued.
 *   [ENTRAX]  MicrosoftDocs/entra-docs docs/identity/app-provisioning/entra-id-scim-api-schema-documentation.md:
 *             the Microsoft Entra attributes of users and groups (employeeType, employeeHireDate,
 *             employeeOrgData.costCenter/division, onPremises*, usageLocation, userType; groups' description,
 *             mailEnabled, mailNickname, securityEnabled, proxyAddresses, …).
 *   [KNOWN]   MicrosoftDocs/entra-docs docs/identity/app-provisioning/known-issues.md: "The appRoleAssignments,
 *             userType, and accountExpires attributes aren't supported as scoping filters"; "Multivalue directory
 *             extensions can't be used in attribute mappings or scoping filters".
 *   [EXT]     MicrosoftDocs/entra-docs docs/identity/app-provisioning/user-provisioning-sync-attributes-for-mapping.md:
 *             directory extensions appear in the source list as `extension_<appId without dashes>_<name>`.
 * Attributes not in this list can still be used after they are added to the source schema ("Edit attribute
 * list for Microsoft Entra ID"); the app file declares them under `entra.sourceAttributes`.
 */
import { nearest } from "../spec/diagnostics";

export type SourceAttributeType = "String" | "Integer" | "Boolean" | "DateTime" | "Reference" | "Binary";
export const SOURCE_ATTRIBUTE_TYPES: readonly SourceAttributeType[] = ["String", "Integer", "Boolean", "DateTime", "Reference", "Binary"];

export interface SourceAttribute {
  readonly name: string;
  readonly type: SourceAttributeType;
  readonly multivalued?: boolean;
  /** false: documented as unsupported in scoping filters [KNOWN]. */
  readonly scoping?: false;
}

export const SOURCE_OBJECTS = ["User", "Group"] as const;
export type SourceObject = (typeof SOURCE_OBJECTS)[number];

const s = (name: string, extra: Partial<SourceAttribute> = {}): SourceAttribute => ({ name, type: "String", ...extra });

const EXTENSION_ATTRIBUTES = Array.from({ length: 15 }, (_, i) => s(`extensionAttribute${i + 1}`)); // [SAMPLE] [ENTRAX]

const USER: readonly SourceAttribute[] = [
  // [SAMPLE] in schema order
  s("objectId"),
  s("IsSoftDeleted", { type: "Boolean" }),
  s("accountEnabled", { type: "Boolean" }),
  s("streetAddress"),
  s("city"),
  s("state"),
  s("postalCode"),
  s("country"),
  s("companyName"),
  s("department"),
  s("dirSyncEnabled", { type: "Boolean" }),
  s("displayName"),
  s("appRoleAssignments", { type: "Reference", scoping: false }),
  ...EXTENSION_ATTRIBUTES,
  s("facsimileTelephoneNumber"),
  s("givenName"),
  s("jobTitle"),
  s("mail"),
  s("mailNickname"),
  s("manager", { type: "Reference" }),
  s("mobile"),
  s("onPremisesSecurityIdentifier"),
  s("originalUserPrincipalName"),
  s("passwordProfile.password"),
  s("physicalDeliveryOfficeName"),
  s("preferredLanguage"),
  s("proxyAddresses", { multivalued: true }),
  s("surname"),
  s("telephoneNumber"),
  s("userPrincipalName"),
  // [DEFAULT]
  s("employeeId"),
  // [ENTRAX]
  s("employeeType"),
  s("employeeHireDate", { type: "DateTime" }),
  s("employeeLeaveDateTime", { type: "DateTime" }),
  s("employeeOrgData.costCenter"),
  s("employeeOrgData.division"),
  s("otherMails", { multivalued: true }),
  s("creationType"),
  s("onPremisesDistinguishedName"),
  s("onPremisesDomainName"),
  s("onPremisesImmutableId"),
  s("onPremisesSamAccountName"),
  s("onPremisesUserPrincipalName"),
  s("preferredDataLocation"),
  s("usageLocation"),
  // [ENTRAX] [KNOWN]
  s("userType", { scoping: false }),
  // [KNOWN]
  s("accountExpires", { type: "DateTime", scoping: false }),
];

const GROUP: readonly SourceAttribute[] = [
  // [DEFAULT] §6.2
  s("displayName"),
  s("objectId"),
  s("members", { type: "Reference", multivalued: true, scoping: false }),
  // [ENTRAX] group tables
  s("description"),
  s("mail"),
  s("mailEnabled", { type: "Boolean" }),
  s("mailNickname"),
  s("securityEnabled", { type: "Boolean" }),
  s("proxyAddresses", { multivalued: true }),
  s("onPremisesSamAccountName"),
  s("onPremisesSecurityIdentifier"),
  s("groupTypes", { multivalued: true }),
  s("IsSoftDeleted", { type: "Boolean" }),
];

export const SOURCE_ATTRIBUTES: Readonly<Record<SourceObject, readonly SourceAttribute[]>> = { User: USER, Group: GROUP };

/**
 * Graph user property → the provisioning service's name for it, where they differ; the previewer reads
 * Graph-shaped sample users with it (src/preview/users.ts).
 */
export const GRAPH_PROPERTY_TO_SOURCE: Readonly<Record<string, string>> = {
  id: "objectId",
  officeLocation: "physicalDeliveryOfficeName",
  mobilePhone: "mobile",
  faxNumber: "facsimileTelephoneNumber",
  businessPhones: "telephoneNumber",
  onPremisesSAMAccountName: "onPremisesSamAccountName",
};

/** `extension_<32 hex: the app id without dashes>_<name>` [EXT]. */
export const DIRECTORY_EXTENSION = /^extension_[0-9a-fA-F]{32}_[A-Za-z0-9_]+$/;

export interface DeclaredSourceAttribute {
  readonly name: string;
  readonly type: SourceAttributeType;
  readonly multivalued?: boolean;
  readonly object?: SourceObject;
}

export type SourceAttributeLookup =
  | { ok: true; attribute: SourceAttribute; via: "catalog" | "declared" | "extension" }
  | { ok: false; kind: "case"; expected: string; message: string; fix: string }
  | { ok: false; kind: "unknown" | "extension-shape"; message: string; fix: string };

/** Finds a source attribute of `object` by the name an expression or scoping clause uses. */
export function lookupSourceAttribute(object: string, name: string, declared: readonly DeclaredSourceAttribute[] = []): SourceAttributeLookup {
  const own = declared.filter((d) => (d.object ?? "User") === object);
  const known: readonly SourceAttribute[] = [...(SOURCE_ATTRIBUTES[object as SourceObject] ?? []), ...own];
  const hit = known.find((a) => a.name === name);
  if (hit) return { ok: true, attribute: hit, via: own.includes(hit as DeclaredSourceAttribute) ? "declared" : "catalog" };
  if (DIRECTORY_EXTENSION.test(name)) return { ok: true, attribute: { name, type: "String" }, via: "extension" };
  const folded = known.find((a) => a.name.toLowerCase() === name.toLowerCase());
  if (folded) {
    return { ok: false, kind: "case", expected: folded.name, message: `source attribute \`${name}\` is written \`${folded.name}\``, fix: `write \`${folded.name}\` (the previewer reads attributes by their exact name)` };
  }
  const declare = `declare it under \`entra.sourceAttributes\` (after adding it to the job's source schema)`;
  if (/^extension_/i.test(name)) {
    return { ok: false, kind: "extension-shape", message: `\`${name}\` is not a directory extension name`, fix: `directory extensions are named \`extension_<app id without dashes, 32 hex digits>_<name>\`; or ${declare}` };
  }
  const graphName = GRAPH_PROPERTY_TO_SOURCE[name];
  const guess = graphName ?? nearest(name, known.map((a) => a.name));
  const objectName = object === "Group" ? "group" : "user";
  return {
    ok: false,
    kind: "unknown",
    message: `\`${name}\` is not a Microsoft Entra ${objectName} attribute the provisioning service offers`,
    fix: graphName ? `the provisioning service calls Graph's \`${name}\` \`${graphName}\`` : guess ? `did you mean \`${guess}\`?` : `use an attribute of the source list, a directory extension, or ${declare}`,
  };
}
