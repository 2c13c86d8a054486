/**
 * Sample users: Microsoft Graph user JSON (as `GET /users/{id}?$expand=memberOf,manager` returns it)
 * plus a few scimops fields, turned into the SourceRecord the expression evaluator reads.
 *
 * Graph property names differ from the synchronization engine's source attribute names for a handful
 * of attributes (officeLocation ↔ physicalDeliveryOfficeName, mobilePhone ↔ mobile, …); both spellings
 * are accepted and the engine's name wins when both are given. See docs/preview.md.
 */
import { GRAPH_PROPERTY_TO_SOURCE } from "../catalog/entra-source-attributes";
import type { SourceRecord } from "../expression";

/** A group the user is a member of: Graph `memberOf` entries, or just the display name. */
export type MemberOf = string | { id?: string; displayName?: string | null; "@odata.type"?: string };

export interface SampleUser {
  id?: string;
  userPrincipalName: string;
  displayName?: string | null;
  givenName?: string | null;
  surname?: string | null;
  mail?: string | null;
  mailNickname?: string | null;
  accountEnabled?: boolean | string | null;
  userType?: string | null;
  /** Set when the user is in the recycle bin (soft-deleted). */
  deletedDateTime?: string | null;
  memberOf?: readonly MemberOf[];
  manager?: { id?: string; userPrincipalName?: string; displayName?: string } | string | null;
  /**
   * scimops: direct app-role assignments, app name → role name(s); `"*"` applies to every app. Assignments
   * through groups come from the Plan (stack assignments) and the user's `memberOf`.
   */
  assignedRoles?: Readonly<Record<string, string | readonly string[]>>;
  /** scimops: the attribute changes `simulate` applies for its update step (Graph or engine names). */
  update?: Readonly<Record<string, unknown>>;
  [attribute: string]: unknown;
}

/** Graph property → synchronization-engine source attribute name, where they differ (the source-attribute catalog's table). */
export const GRAPH_TO_SOURCE: Readonly<Record<string, string>> = GRAPH_PROPERTY_TO_SOURCE;

/** Fields of the sample format that are not source attributes. */
const NOT_ATTRIBUTES = new Set(["memberOf", "manager", "assignedRoles", "update", "appRoleAssignments", "IsSoftDeleted", "@odata.context", "@odata.type", "onPremisesExtensionAttributes"]);

export class SampleUserError extends Error {
  constructor(
    message: string,
    /** How to fix it. */
    readonly fix = "correct the user in the users file",
  ) {
    super(message);
  }
}

/** Checks the minimum a sample user needs; returns it typed. */
export function asSampleUser(value: unknown, index: number): SampleUser {
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new SampleUserError(`user ${index}: not a JSON object`, "each user is one JSON object `{...}`");
  const u = value as Record<string, unknown>;
  if (typeof u.userPrincipalName !== "string" || u.userPrincipalName === "") {
    throw new SampleUserError(`user ${index}: \`userPrincipalName\` is required (a string)`, "give the user its userPrincipalName, as Graph returns it (`\"userPrincipalName\": \"adele.vance@contoso.example\"`)");
  }
  if (u.assignedRoles !== undefined && (u.assignedRoles === null || typeof u.assignedRoles !== "object" || Array.isArray(u.assignedRoles))) {
    throw new SampleUserError(`user ${index} (${u.userPrincipalName}): \`assignedRoles\` maps an app name (or "*") to a role name or a list of role names`, 'write it as `{"airstack": "User"}` or `{"*": ["User"]}`');
  }
  if (u.memberOf !== undefined && !Array.isArray(u.memberOf)) {
    throw new SampleUserError(`user ${index} (${u.userPrincipalName}): \`memberOf\` is a list of groups`, 'write it as a list: `["SCIM Pilot"]` or Graph\'s `[{"displayName": "SCIM Pilot"}]`');
  }
  return value as SampleUser;
}

/** Attribute value as the engine sees it: strings; booleans "True"/"False"; string lists; NULL. */
function toSourceValue(v: unknown): string | string[] | null | undefined {
  if (v === undefined) return undefined;
  if (v === null) return null;
  if (typeof v === "string") return v;
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "number" || typeof v === "bigint") return String(v);
  if (Array.isArray(v)) return v.filter((x) => x !== null && x !== undefined).map((x) => (typeof x === "string" ? x : typeof x === "boolean" ? (x ? "True" : "False") : JSON.stringify(x)));
  return undefined;
}

/** The user's attributes under their engine names (without IsSoftDeleted / appRoleAssignments). */
export function sourceAttributes(user: Readonly<Record<string, unknown>>): Record<string, string | string[] | null> {
  const out: Record<string, string | string[] | null> = {};
  for (const key in user) {
    if (NOT_ATTRIBUTES.has(key)) continue;
    let value = toSourceValue(user[key]);
    if (value === undefined) continue;
    const engineName = GRAPH_TO_SOURCE[key];
    if (engineName === undefined) {
      out[key] = value;
      continue;
    }
    // The engine's own spelling wins when the user carries both.
    if (user[engineName] !== undefined) continue;
    // businessPhones is a list in Graph; the engine's telephoneNumber is its first entry.
    if (key === "businessPhones") value = Array.isArray(value) ? (value[0] ?? null) : value;
    out[engineName] = value;
  }
  const ext = user.onPremisesExtensionAttributes;
  if (ext && typeof ext === "object") {
    for (const [key, raw] of Object.entries(ext as Record<string, unknown>)) {
      const value = toSourceValue(raw);
      if (value !== undefined && !(key in out)) out[key] = value;
    }
  }
  const manager = user.manager as SampleUser["manager"];
  if (manager !== undefined && manager !== null) out.manager = typeof manager === "string" ? manager : (manager.id ?? manager.userPrincipalName ?? null);
  else if (manager === null) out.manager = null;
  return out;
}

/** The value `sourceAttributes(user)[name]` has, found without building the whole object (see compileRecordBuilder). */
function extensionValue(user: Readonly<Record<string, unknown>>, name: string): string | string[] | null | undefined {
  const ext = user.onPremisesExtensionAttributes;
  if (!ext || typeof ext !== "object" || !Object.prototype.hasOwnProperty.call(ext, name)) return undefined;
  return toSourceValue((ext as Record<string, unknown>)[name]);
}

/** An attribute read under its own name (it is neither a Graph alias nor a scimops field). */
function plainValue(user: Readonly<Record<string, unknown>>, name: string): string | string[] | null | undefined {
  const v = user[name] === undefined ? undefined : toSourceValue(user[name]);
  return v !== undefined ? v : extensionValue(user, name);
}

/** An engine attribute with a Graph spelling (`mobile` / `mobilePhone`): the engine's spelling wins. */
function aliasedValue(user: Readonly<Record<string, unknown>>, name: string, graph: string): string | string[] | null | undefined {
  let v: string | string[] | null | undefined;
  if (user[name] !== undefined) v = toSourceValue(user[name]);
  else if (user[graph] !== undefined) {
    v = toSourceValue(user[graph]);
    if (v !== undefined && graph === "businessPhones") v = Array.isArray(v) ? (v[0] ?? null) : v;
  }
  return v !== undefined ? v : extensionValue(user, name);
}

function managerValue(user: Readonly<Record<string, unknown>>): string | string[] | null | undefined {
  const manager = user.manager as SampleUser["manager"];
  if (manager !== undefined && manager !== null) return typeof manager === "string" ? manager : (manager.id ?? manager.userPrincipalName ?? null);
  if (manager === null) return null;
  return extensionValue(user, "manager");
}

/**
 * A builder of the evaluator's input for an app whose expressions (and scoping filters) read `names`:
 * for a plain user object it returns a record whose `names` hold what `sourceAttributes(user)` holds for
 * them — the Graph spellings, extension attributes and manager resolved the same way — plus
 * `IsSoftDeleted` and `appRoleAssignments` (left for the caller to set). Every record has the same
 * keys in the same order (one object shape for all users), which is cheaper to build and to read than
 * the full attribute copy. Attributes no expression reads are left out. Null when a name is unusual
 * (a property of Object.prototype, or characters attribute names do not have): use sourceAttributes.
 */
export function compileRecordBuilder(names: readonly string[]): ((user: Readonly<Record<string, unknown>>) => Record<string, unknown>) | null {
  const wanted = names.filter((n) => n !== "IsSoftDeleted" && n !== "appRoleAssignments");
  if (wanted.some((n) => !/^[A-Za-z0-9_.$@#-]+$/.test(n) || n in Object.prototype)) return null;
  const aliasOf = new Map(Object.entries(GRAPH_TO_SOURCE).map(([graph, engine]) => [engine, graph]));
  const members = wanted.map((name) => {
    const key = JSON.stringify(name);
    if (name === "manager") return `${key}: M(u)`;
    if (NOT_ATTRIBUTES.has(name) || Object.prototype.hasOwnProperty.call(GRAPH_TO_SOURCE, name)) return `${key}: X(u, ${key})`;
    const graph = aliasOf.get(name);
    return graph === undefined ? `${key}: P(u, ${key})` : `${key}: A(u, ${key}, ${JSON.stringify(graph)})`;
  });
  members.push("IsSoftDeleted: undefined", "appRoleAssignments: undefined");
  const factory = new Function("P", "A", "X", "M", `return function record(u) {\n  return { ${members.join(",\n    ")} };\n};`);
  return factory(plainValue, aliasedValue, extensionValue, managerValue) as (user: Readonly<Record<string, unknown>>) => Record<string, unknown>;
}

/** Display names (and ids) of the groups the user is a member of. */
export function groupsOf(user: SampleUser): { displayName: string; id?: string }[] {
  const out: { displayName: string; id?: string }[] = [];
  for (const g of user.memberOf ?? []) {
    if (typeof g === "string") out.push({ displayName: g });
    else if (g && typeof g === "object" && typeof g.displayName === "string") {
      if (g["@odata.type"] && g["@odata.type"] !== "#microsoft.graph.group") continue;
      out.push({ displayName: g.displayName, id: g.id });
    }
  }
  return out;
}

/** accountEnabled as a boolean; a user without the property is enabled (Graph's default). */
export function isEnabled(user: SampleUser): boolean {
  const v = user.accountEnabled;
  if (v === undefined || v === null) return true;
  if (typeof v === "boolean") return v;
  return String(v).trim().toLowerCase() !== "false";
}

export function isSoftDeletedInDirectory(user: SampleUser): boolean {
  return typeof user.deletedDateTime === "string" && user.deletedDateTime !== "";
}

/** The user with `changes` applied (Graph or engine names; null removes the value). */
export function withChanges(user: SampleUser, changes: Readonly<Record<string, unknown>>): SampleUser {
  const next: SampleUser = { ...user };
  for (const [key, value] of Object.entries(changes)) {
    next[key] = value;
    // A change under the engine's name must win over the Graph spelling the file may also carry.
    for (const [graph, engine] of Object.entries(GRAPH_TO_SOURCE)) if (engine === key && graph in next) delete next[graph];
  }
  return next;
}

/** Builds the evaluator's input for one app. */
export function toSourceRecord(attributes: Readonly<Record<string, string | string[] | null>>, isSoftDeleted: boolean, appRoles: readonly string[]): SourceRecord {
  return { ...attributes, IsSoftDeleted: isSoftDeleted ? "True" : "False", appRoleAssignments: [...appRoles] };
}
