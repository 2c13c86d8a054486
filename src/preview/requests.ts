/**
 * Request-building stage: the JSON text of the requests and lists a preview line carries — PATCH
 * requests (op/path fragments cached per app, the paths being its targets), notes (their JSON cached:
 * they do not depend on the object), violations — and the match query's fragments per matching attribute.
 */
import { jsonInner, jsonString } from "./json";
import type { Violation } from "./rules";
import type { ScimDialect } from "../catalog/tenant-url";
import { type AttributeValue, idPlaceholder, PATCH_OP_SCHEMA, type PatchOperation, patchRequest, type ScimRequest } from "./scim";

export class RequestJson {
  private readonly head: string;
  /** `{"op":…,"path":…` per op name and path. */
  private readonly opJson = new Map<string, Map<string, string>>();
  private readonly noteJson = new Map<string, string>();

  constructor(resourcePath: string, notes: readonly string[]) {
    this.head = `{"method":"PATCH","path":${jsonString(`${resourcePath}/{id}`)},"body":{"schemas":[${jsonString(PATCH_OP_SCHEMA)}],"Operations":[`;
    for (const note of notes) this.noteJson.set(note, jsonString(note));
  }

  notes(notes: readonly string[]): string {
    if (!notes.length) return "[]";
    let out = "[";
    for (let i = 0; i < notes.length; i++) out += (i ? "," : "") + (this.noteJson.get(notes[i]!) ?? jsonString(notes[i]!));
    return `${out}]`;
  }

  /** JSON of patchRequest(operations). */
  patch(operations: readonly PatchOperation[]): string {
    let out = this.head;
    for (let i = 0; i < operations.length; i++) {
      const op = operations[i]!;
      let text: string | undefined;
      if (op.path === undefined) text = `{"op":${jsonString(op.op)}`;
      else {
        let paths = this.opJson.get(op.op);
        if (paths === undefined) this.opJson.set(op.op, (paths = new Map()));
        text = paths.get(op.path);
        if (text === undefined) {
          text = `{"op":${jsonString(op.op)},"path":${jsonString(op.path)}`;
          if (paths.size < 1000) paths.set(op.path, text);
        }
      }
      const v = op.value;
      const item =
        v === undefined
          ? `${text}}`
          : typeof v === "string"
            ? `${text},"value":"${jsonInner(v)}"}`
            : `${text},"value":${typeof v === "boolean" ? String(v) : JSON.stringify(v)}}`;
      out += i ? `,${item}` : item;
    }
    return `${out}]}}`;
  }
}

export function violationsJson(violations: readonly Violation[]): string {
  if (!violations.length) return "[]";
  let out = "[";
  for (let i = 0; i < violations.length; i++) {
    const v = violations[i]!;
    out += `${i ? "," : ""}{"rule":${jsonString(v.rule)},"message":${jsonString(v.message)},"severity":${jsonString(v.severity)}${v.attribute ? `,"attribute":${jsonString(v.attribute)}` : ""}}`;
  }
  return `${out}]`;
}

/** The first value of a single- or multi-valued value (null: none). */
export function firstValue(v: AttributeValue | null | undefined): string | null {
  return v === null || v === undefined ? null : typeof v === "string" ? v : (v[0] ?? null);
}

/** wireValue("active", v, "post"). */
export function postActive(v: AttributeValue): unknown {
  if (typeof v === "string") {
    const t = v.trim().toLowerCase();
    if (t === "true") return true;
    if (t === "false") return false;
  }
  return v;
}

/** A matching attribute: its target, the index of its value, and the match query's text around the value. */
export interface MatchingAttribute {
  target: string;
  index: number;
  pathJson: string;
  filterJson: string;
}

/** `"/Users?filter=<target> eq "` as the inside of a JSON string (the value's quotes are added per user). */
export function compileMatching(targets: readonly string[], indexOf: (target: string) => number, resourcePath = "/Users"): MatchingAttribute[] {
  const inside = (s: string) => JSON.stringify(s).slice(1, -1);
  return targets.map((target) => ({ target, index: indexOf(target), pathJson: inside(`${resourcePath}?filter=${target} eq `), filterJson: inside(`${target} eq `) }));
}

/** A reference attribute's requests: Entra checks the target's current value, then links it by PATCH. */
export interface ReferenceRequests {
  attribute: string;
  /** The referenced object's Entra id (its id in the target is `{id:<that id>}`). */
  references: string;
  query: ScimRequest;
  update: ScimRequest;
}

/**
 * The manager: "Microsoft Entra ID checks the current attribute value in the identity store before
 * updating it … only the manager attribute" — a query on id and manager asking for id only — then
 * `Add` with `[{"$ref", "value"}]` (use-scim-to-provision-users-and-groups.md, Examples 4 and 5).
 */
export function referenceRequests(attribute: string, of: string, dialect: ScimDialect): ReferenceRequests {
  const id = idPlaceholder(of);
  const filter = `id eq "{id}" and manager eq ${JSON.stringify(id)}`;
  return {
    attribute,
    references: of,
    query: { method: "GET", path: `/Users?filter=${filter}&attributes=id`, query: { filter, attributes: "id" } },
    update: patchRequest([{ op: dialect === "legacy" ? "Add" : "add", path: attribute, value: [{ $ref: `../Users/${id}`, value: id }] }]),
  };
}
