/**
 * The POST /Users body of an app, compiled once from its target paths: which attribute goes in which
 * container (`name: {…}`, `emails: [{type: "work", …}]`, the enterprise extension object), so that a
 * user's body is written as JSON text straight from the attribute values — with the key order
 * `buildUserBody` gives (schemas first, containers in the order of their first attribute that has a
 * value, meta last) and nothing re-parsed per user.
 *
 * Only regular layouts are compiled: each container's attributes come as one run in the mapping (so the
 * key order is the same for every user), and no target collides with another (the same key as a plain
 * value and a container, two filters on one list, a sub-attribute mapped twice, `schemas`/`meta`), or
 * uses a key JavaScript objects do not keep in insertion order (array indices, `__proto__`). Otherwise
 * `compileBodyLayout` returns null and the caller serializes the `buildUserBody` object.
 */
import { isOrderSafeKey, jsonInner, jsonString } from "./json";
import { type AttributeValue, CORE_USER_SCHEMA, ENTERPRISE_USER_SCHEMA, isBooleanTarget, parseTargetPath } from "./scim";

const enum Kind {
  Root,
  /** An extension schema object (`urn:…:User`). */
  Schema,
  /** `name: {givenName, …}`. */
  Complex,
  /** `emails: [entries]`. */
  List,
  /** `{type: "work", value, primary}`. */
  Entry,
  Leaf,
}

class LayoutNode {
  readonly children = new Map<string, LayoutNode>();
  /** The children in the order of their first attribute: the body's key order (see `isStatic`). */
  readonly list: LayoutNode[] = [];
  /** The positions (in mapping order) of the first and last attribute under this node. */
  first = Infinity;
  lastLeaf = -Infinity;
  /** Leaf: the attribute's index in the values array; a boolean target; a sub-attribute (one value). */
  index = -1;
  booleanTarget = false;
  singleValue = false;
  /** Schema: listed in `schemas` (not the core or enterprise schema, which are always listed). */
  extension = false;
  /** List: the filter attribute its entries are told apart by. */
  filterAttribute = "";
  /** Entry: `"type":"work"`; `,"primary":true|false` appended when the entry has no primary value. */
  filterJson = "";
  autoPrimary: string | null = null;
  primaryLeaf: LayoutNode | null = null;

  constructor(
    readonly kind: Kind,
    readonly keyJson: string,
    readonly parent: LayoutNode | null,
  ) {}

  add(key: string, node: LayoutNode): void {
    this.children.set(key, node);
    this.list.push(node);
  }
}

export interface BodyLayout {
  /** JSON.stringify(buildUserBody(values that flow, references left out)) for one user's create values. */
  json(create: readonly (AttributeValue | null)[]): string;
}

const HEAD = `{"schemas":[${jsonString(CORE_USER_SCHEMA)},${jsonString(ENTERPRISE_USER_SCHEMA)}`;
const TAIL = `,"meta":{"resourceType":"User"}}`;

/**
 * buildUserBody puts a container's keys in the order of their first attribute that has a value. When
 * the attributes under one child all come before those under the next (no interleaving, at every
 * level), that order is the children's static order whatever values are missing, so the writer can
 * test the keys in a fixed order.
 */
function isStatic(node: LayoutNode): boolean {
  for (let i = 0; i < node.list.length; i++) {
    const c = node.list[i]!;
    if (i > 0 && node.list[i - 1]!.lastLeaf >= c.first) return false;
    if (!isStatic(c)) return false;
  }
  return true;
}

/**
 * Compiles the body for `attributes` (index into the values array, target), in mapping order; null when
 * the layout is one of the irregular ones described above.
 */
export function compileBodyLayout(attributes: readonly { index: number; target: string }[]): BodyLayout | null {
  const root = new LayoutNode(Kind.Root, "", null);
  let position = 0;
  const child = (parent: LayoutNode, key: string, kind: Kind): LayoutNode | null => {
    if (!isOrderSafeKey(key)) return null;
    const existing = parent.children.get(key);
    if (existing) return existing.kind === kind && kind !== Kind.Leaf ? existing : null;
    const node = new LayoutNode(kind, jsonString(key), parent);
    parent.add(key, node);
    return node;
  };
  for (const { index, target } of attributes) {
    const p = parseTargetPath(target);
    let container = root;
    if (p.schema !== undefined) {
      if (p.schema === "schemas" || p.schema === "meta") return null;
      const schema = child(root, p.schema, Kind.Schema);
      if (!schema) return null;
      schema.extension = p.schema !== CORE_USER_SCHEMA && p.schema !== ENTERPRISE_USER_SCHEMA;
      container = schema;
    } else if (p.attribute === "schemas" || p.attribute === "meta") return null;
    let leaf: LayoutNode | null;
    if (p.filter) {
      const list = child(container, p.attribute, Kind.List);
      if (!list) return null;
      const fa = p.filter.attribute;
      if (list.filterAttribute === "") list.filterAttribute = fa;
      else if (list.filterAttribute !== fa) return null;
      if (!isOrderSafeKey(fa)) return null;
      const multi = fa.toLowerCase() === "type";
      let entry = list.children.get(p.filter.value);
      if (!entry) {
        entry = new LayoutNode(Kind.Entry, "", list);
        entry.filterJson = `${jsonString(fa)}:${jsonString(p.filter.value)}`;
        entry.autoPrimary = p.attribute === "emails" && fa === "type" && p.filter.value === "work" ? `,"primary":true` : null;
        list.add(p.filter.value, entry);
      }
      const sub = p.sub ?? "value";
      if (sub === fa || (multi && sub === "type")) return null;
      leaf = child(entry, sub, Kind.Leaf);
      if (leaf && sub === "primary") entry.primaryLeaf = leaf;
      if (leaf) leaf.singleValue = true;
    } else if (p.sub) {
      // (buildUserBody tests the sub-attribute for truth: `name.` is a plain key.)
      const complex = child(container, p.attribute, Kind.Complex);
      if (!complex) return null;
      leaf = child(complex, p.sub, Kind.Leaf);
      if (leaf) leaf.singleValue = true;
    } else {
      leaf = child(container, p.attribute, Kind.Leaf);
    }
    if (!leaf) return null;
    leaf.index = index;
    leaf.booleanTarget = isBooleanTarget(target);
    for (let n: LayoutNode | null = leaf; n; n = n.parent) {
      n.first = Math.min(n.first, position);
      n.lastLeaf = Math.max(n.lastLeaf, position);
    }
    position++;
  }
  return isStatic(root) ? { json: generate(root) } : null;
}

type BodyJson = (create: readonly (AttributeValue | null)[]) => string;

/**
 * Generates the body writer as straight-line code (one function per app, built once): for each key in
 * the layout's order, a test of its attribute's value and the JSON text, with the keys, the filter
 * values and the automatic `primary` as literals; a container is written when one of its members was.
 * Values are written as wireValue does for a POST: `active` and `*.primary` "True"/"False" as JSON
 * booleans, a multi-valued result as a list (or its first value in a sub-attribute).
 */
function generate(root: LayoutNode): BodyJson {
  const lines: string[] = [];
  let vars = 0;
  const lit = (text: string) => JSON.stringify(text);
  const leaves = (node: LayoutNode): number[] => (node.kind === Kind.Leaf ? [node.index] : node.list.flatMap(leaves));
  const anyPresent = (node: LayoutNode) => leaves(node).map((i) => `c[${i}] != null`).join(" || ");
  // Each text being built (`o`, `s0`, …) has a flag (`oq`, `s0q`, …): it ends inside a string value whose
  // closing quote is still to come. The quote is then written as part of the next literal (`","key":"`
  // rather than `"` and `,"key":"`): fewer pieces to join when the line is written out.
  /** `<into>` + separator + `text`: a comma, or `open` for the first member of a container (open not null). */
  const append = (into: string, open: string | null, text: string): string => {
    const next = `(${into}q ? ${into} + ${lit(`",${text}`)} : ${into} + ${lit(`,${text}`)})`;
    return open === null ? next : `(${into} === "" ? ${lit(`${open}${text}`)} : ${next})`;
  };
  /** A string value: `"key":"` + its escaped text, the closing quote pending; booleans through b, lists as JSON or their first value. */
  const leaf = (child: LayoutNode, into: string, open: string | null): string => {
    const key = `${child.keyJson}:`;
    const string = child.booleanTarget ? `${into} = ${append(into, open, key)} + b(v); ${into}q = false;` : `${into} = ${append(into, open, `${key}"`)} + i(v); ${into}q = true;`;
    const list = child.singleValue ? `${into} = ${append(into, open, `${key}"`)} + i(v[0] ?? ""); ${into}q = true;` : `${into} = ${append(into, open, key)} + JSON.stringify(v); ${into}q = false;`;
    return `v = c[${child.index}]; if (v != null) { if (typeof v === "string") { ${string} } else { ${list} } }`;
  };
  const declare = (name: string) => lines.push(`let ${name} = ""; let ${name}q = false;`);
  /** The literal that closes `name` with `text`, after the pending quote if there is one. */
  const closing = (name: string, text: string) => `(${name}q ? ${lit(`"${text}`)} : ${lit(text)})`;
  /** Appends the members of `node` to `into`: each after a comma, or (open not null) the first after `open`. */
  const members = (node: LayoutNode, into: string, open: string | null): void => {
    for (const child of node.list) {
      if (child.kind === Kind.Leaf) {
        lines.push(leaf(child, into, open));
        continue;
      }
      const inner = `s${vars++}`;
      declare(inner);
      if (child.kind === Kind.List) {
        for (const entry of child.list) {
          const e = `s${vars++}`;
          declare(e);
          for (const sub of entry.list) lines.push(leaf(sub, e, null));
          const end =
            entry.autoPrimary === null
              ? closing(e, "}")
              : entry.primaryLeaf
                ? `(c[${entry.primaryLeaf.index}] != null ? ${closing(e, "}")} : ${closing(e, `${entry.autoPrimary}}`)})`
                : closing(e, `${entry.autoPrimary}}`);
          lines.push(`if (${e} !== "") ${inner} = (${inner} === "" ? ${lit(`[{${entry.filterJson}`)} : ${inner} + ${lit(`,{${entry.filterJson}`)}) + ${e} + ${end};`);
        }
        lines.push(`if (${inner} !== "") { ${into} = ${append(into, open, `${child.keyJson}:`)} + ${inner} + "]"; ${into}q = false; }`);
      } else {
        members(child, inner, "{");
        lines.push(`if (${inner} !== "") { ${into} = ${append(into, open, `${child.keyJson}:`)} + ${inner} + ${closing(inner, "}")}; ${into}q = false; }`);
      }
    }
  };
  lines.push(`let v; let o = ${lit(HEAD)}; let oq = false;`);
  for (const child of root.list) if (child.extension) lines.push(`if (${anyPresent(child)}) o += ${lit(`,${child.keyJson}`)};`);
  lines.push(`o += "]";`);
  // After `schemas`, every member of the body starts with a comma.
  members(root, "o", null);
  lines.push(`return o + ${closing("o", TAIL)};`);
  const factory = new Function("i", "b", `return function bodyJson(c) {\n${lines.join("\n")}\n};`) as (i: (s: string) => string, b: (s: string) => string) => BodyJson;
  return factory(jsonInner, booleanJson);
}

/** A string sent to a boolean target: JSON true/false for "True"/"False" (any case, trimmed), else the string. */
function booleanJson(v: string): string {
  const t = v.trim().toLowerCase();
  return t === "true" ? "true" : t === "false" ? "false" : jsonString(v);
}
