/**
 * The SCIM requests Entra sends for a user (graph-sync.md §6; Microsoft's "Build a SCIM endpoint" request
 * samples and the SCIM-compatibility page for the `aadOptscim062020` dialect):
 *
 * - match:  GET /Users?filter=<matching attribute> eq "<value>"   (value escaped as a SCIM/JSON string)
 * - create: POST /Users with `schemas`, the mapped attributes shaped by their target paths, `meta.resourceType`
 * - update: PATCH /Users/{id} with the changed attributes (a value that became NULL is not sent)
 *     legacy:          one op per attribute, "Add"/"Replace", booleans as "True"/"False" strings
 *     aadOptscim062020: lower-case ops, JSON booleans; attributes with a value filter keep their own op with
 *                      a path, the other changed attributes of one op kind share a single op whose `value`
 *                      is an object keyed by attribute path (one changed attribute keeps the path form)
 * - delete: DELETE /Users/{id}
 */
import type { ScimDialect } from "../catalog/tenant-url";

export const CORE_USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
export const ENTERPRISE_USER_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
export const PATCH_OP_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
export const LIST_RESPONSE_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
export const ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error";
export const CORE_GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
/** Listed in Entra's Create Group request (use-scim-to-provision-users-and-groups.md, "Create Group"). */
export const ADSCIM_GROUP_SCHEMA = "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group";
/** The `type` of the role objects Entra sends (customize-application-attributes.md, "Provisioning a role to a SCIM app"). */
export const ROLE_TYPE = "WindowsAzureActiveDirectoryRole";

export interface ScimRequest {
  method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
  /** Relative to the SCIM base URL, as people read it (the filter is not URL-encoded here). */
  path: string;
  /** Query parameters, unencoded (the part of `path` after `?`). */
  query?: Readonly<Record<string, string>>;
  body?: unknown;
}

export interface PatchOperation {
  op: string;
  path?: string;
  value?: unknown;
}

export interface TargetPath {
  /** Extension schema URN for `urn:…:User:attr` targets. */
  schema?: string;
  attribute: string;
  /** `emails[type eq "work"]` → {attribute: "type", value: "work"}. */
  filter?: { attribute: string; value: string };
  sub?: string;
}

const pathCache = new Map<string, TargetPath>();

/** Parses a target attribute name: `userName`, `name.givenName`, `emails[type eq "work"].value`, `urn:…:User:department`. */
export function parseTargetPath(target: string): TargetPath {
  const cached = pathCache.get(target);
  if (cached) return cached;
  let schema: string | undefined;
  let rest = target;
  if (/^urn:/i.test(target)) {
    const bracket = target.indexOf("[");
    const head = bracket >= 0 ? target.slice(0, bracket) : target;
    const colon = head.lastIndexOf(":");
    schema = target.slice(0, colon);
    rest = target.slice(colon + 1);
  }
  let parsed: TargetPath;
  const m = /^([^.[\]]+)\[\s*([A-Za-z0-9_$-]+)\s+eq\s+"((?:[^"\\]|\\.)*)"\s*\](?:\.(.+))?$/i.exec(rest);
  if (m) {
    parsed = { schema, attribute: m[1]!, filter: { attribute: m[2]!, value: JSON.parse(`"${m[3]!}"`) as string }, sub: m[4] };
  } else {
    const dot = rest.indexOf(".");
    parsed = dot >= 0 ? { schema, attribute: rest.slice(0, dot), sub: rest.slice(dot + 1) } : { schema, attribute: rest };
  }
  pathCache.set(target, parsed);
  return parsed;
}

/** Targets whose SCIM type is boolean. */
export function isBooleanTarget(target: string): boolean {
  const p = parseTargetPath(target);
  if (p.schema) return false;
  return (p.attribute.toLowerCase() === "active" && !p.sub && !p.filter) || p.sub?.toLowerCase() === "primary";
}

export type AttributeValue = string | string[];

/** A value as it goes on the wire in a POST body (and in aadOptscim062020 PATCH ops). */
export function wireValue(target: string, value: AttributeValue, dialect: ScimDialect | "post"): unknown {
  if (isBooleanTarget(target) && typeof value === "string") {
    const t = value.trim().toLowerCase();
    if (t === "true" || t === "false") {
      if (dialect === "legacy") return t === "true" ? "True" : "False";
      return t === "true";
    }
  }
  return value;
}

/** A single string for places that hold one value (sub-attributes of complex or filtered targets). */
function single(value: AttributeValue): string {
  return typeof value === "string" ? value : (value[0] ?? "");
}

/**
 * The POST /Users body for the attribute values that flow on create, in mapping order. `schemas` lists the
 * core and enterprise User schemas, as Entra's Create User request does even when no enterprise attribute
 * is sent, plus any other extension a target attribute names.
 */
export function buildUserBody(values: ReadonlyArray<readonly [string, AttributeValue]>): Record<string, unknown> {
  return buildResourceBody(values, [CORE_USER_SCHEMA, ENTERPRISE_USER_SCHEMA], "User");
}

/**
 * POST /Groups: `schemas` and `meta` as in Entra's Create Group request; members are not part of it
 * ("Groups are created with an empty members list"): they follow as PATCH requests.
 */
export function buildGroupBody(values: ReadonlyArray<readonly [string, AttributeValue]>): Record<string, unknown> {
  return buildResourceBody(
    values.filter(([target]) => target !== "members"),
    [CORE_GROUP_SCHEMA, ADSCIM_GROUP_SCHEMA],
    "Group",
  );
}

function buildResourceBody(values: ReadonlyArray<readonly [string, AttributeValue]>, baseSchemas: readonly string[], resourceType: string): Record<string, unknown> {
  const schemas = [...baseSchemas];
  const body: Record<string, unknown> = { schemas };
  const multi: Record<string, unknown>[][] = [];
  for (const [target, value] of values) {
    const p = parseTargetPath(target);
    let container = body;
    if (p.schema) {
      if (!schemas.includes(p.schema)) schemas.push(p.schema);
      container = (body[p.schema] ??= {}) as Record<string, unknown>;
    }
    const wire = wireValue(target, value, "post");
    if (p.filter) {
      let list = container[p.attribute] as Record<string, unknown>[] | undefined;
      if (!Array.isArray(list)) {
        list = [];
        container[p.attribute] = list;
        if (p.attribute === "emails" && p.filter.attribute === "type") multi.push(list);
      }
      let entry = list.find((e) => e[p.filter!.attribute] === p.filter!.value);
      if (!entry) {
        entry = { [p.filter.attribute]: p.filter.value };
        list.push(entry);
      }
      entry[p.sub ?? "value"] = typeof wire === "string" || typeof wire === "boolean" ? wire : single(value);
    } else if (p.sub) {
      const complex = (container[p.attribute] ??= {}) as Record<string, unknown>;
      complex[p.sub] = typeof wire === "string" || typeof wire === "boolean" ? wire : single(value);
    } else {
      container[p.attribute] = wire;
    }
  }
  // Entra's Create User request marks the work email primary; its multi-valued samples for other
  // attributes (phoneNumbers, customize-application-attributes.md) carry no primary.
  for (const list of multi) for (const entry of list) if (!("primary" in entry) && entry.type === "work") entry.primary = true;
  body.meta = { resourceType };
  return body;
}

/** SCIM filter for `attribute eq "value"`; the value is a SCIM compValue string (JSON escaping). */
export function eqFilter(attribute: string, value: string): string {
  return `${attribute} eq ${JSON.stringify(value)}`;
}

export function matchRequest(attribute: string, value: string): ScimRequest {
  const filter = eqFilter(attribute, value);
  return { method: "GET", path: `/Users?filter=${filter}`, query: { filter } };
}

/** Groups are queried without their members ("Get Group by displayName"). */
export function groupMatchRequest(attribute: string, value: string): ScimRequest {
  const filter = eqFilter(attribute, value);
  return { method: "GET", path: `/Groups?excludedAttributes=members&filter=${filter}`, query: { excludedAttributes: "members", filter } };
}

export interface AttributeChange {
  target: string;
  before: AttributeValue | null;
  after: AttributeValue | null;
}

function sameValue(a: AttributeValue | null, b: AttributeValue | null): boolean {
  if (a === null || b === null) return a === b;
  if (typeof a === "string" || typeof b === "string") return a === b;
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The attributes whose value differs, in the order of `after` (then removed ones). */
export function diffValues(before: ReadonlyMap<string, AttributeValue>, after: ReadonlyMap<string, AttributeValue>): AttributeChange[] {
  const changes: AttributeChange[] = [];
  for (const [target, value] of after) {
    const old = before.get(target) ?? null;
    if (!sameValue(old, value)) changes.push({ target, before: old, after: value });
  }
  for (const [target, value] of before) if (!after.has(target)) changes.push({ target, before: value, after: null });
  return changes;
}

function changeKind(c: AttributeChange): "add" | "replace" | "remove" {
  return c.after === null ? "remove" : c.before === null ? "add" : "replace";
}

const LEGACY_OPS = { add: "Add", replace: "Replace", remove: "Remove" } as const;

/** One op for the changes of one kind that share it (a single change keeps the path form). */
function groupedOperation(op: "add" | "replace", group: readonly AttributeChange[]): PatchOperation {
  if (group.length === 1) {
    const c = group[0]!;
    return { op, path: c.target, value: wireValue(c.target, c.after!, "aadOptscim062020") };
  }
  return { op, value: Object.fromEntries(group.map((c) => [c.target, wireValue(c.target, c.after!, "aadOptscim062020")])) };
}

/**
 * The PATCH operations Entra sends for `changes`, in the given dialect. A value that became NULL is not
 * sent: "Microsoft Entra ID currently can't provision null attributes. If an attribute is null on the
 * user object, it is skipped" (known-issues.md); clearing values is a preview limited to inbound
 * provisioning (clear-attribute-values.md).
 */
export function patchOperations(changes: readonly AttributeChange[], dialect: ScimDialect): PatchOperation[] {
  if (dialect === "legacy") {
    const ops: PatchOperation[] = [];
    for (let i = 0; i < changes.length; i++) {
      const c = changes[i]!;
      if (c.after !== null) ops.push({ op: LEGACY_OPS[changeKind(c)], path: c.target, value: wireValue(c.target, c.after, "legacy") });
    }
    return ops;
  }
  const ops: PatchOperation[] = [];
  // Changes without a value filter, grouped per op kind; the kinds in the order they first occur.
  let adds: AttributeChange[] | null = null;
  let replaces: AttributeChange[] | null = null;
  let addsFirst = false;
  for (const c of changes) {
    const k = changeKind(c);
    if (k === "remove") continue;
    if (parseTargetPath(c.target).filter) ops.push({ op: k, path: c.target, value: wireValue(c.target, c.after!, "aadOptscim062020") });
    else if (k === "add") {
      if (!adds && !replaces) addsFirst = true;
      (adds ??= []).push(c);
    } else (replaces ??= []).push(c);
  }
  if (addsFirst) {
    ops.push(groupedOperation("add", adds!));
    if (replaces) ops.push(groupedOperation("replace", replaces));
  } else if (replaces) {
    ops.push(groupedOperation("replace", replaces));
    if (adds) ops.push(groupedOperation("add", adds));
  }
  return ops;
}

export function patchRequest(operations: readonly PatchOperation[], id = "{id}", resource = "/Users"): ScimRequest {
  return { method: "PATCH", path: `${resource}/${id}`, body: { schemas: [PATCH_OP_SCHEMA], Operations: operations } };
}

/** How the preview names the target's id of an object it does not know yet: `{id:<Entra name or id>}`. */
export function idPlaceholder(of: string): string {
  return `{id:${of}}`;
}

/** The absolute URL for a request against a SCIM base URL (query values URL-encoded). */
export function requestUrl(baseUrl: string, request: ScimRequest, id?: string): string {
  const q = request.path.indexOf("?");
  let path = q >= 0 ? request.path.slice(0, q) : request.path;
  if (id !== undefined) path = path.replace("{id}", encodeURIComponent(id));
  // A base URL may carry query parameters of its own (Entra's flags are removed before this).
  const [base, baseQuery] = baseUrl.split("?", 2) as [string, string | undefined];
  const query = [
    ...(baseQuery ? [baseQuery] : []),
    ...Object.entries(request.query ?? {}).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`),
  ].join("&");
  return base.replace(/\/+$/, "") + path + (query ? `?${query}` : "");
}
