/**
 * Adding an imported app to a stack file (stacks/Pulumi.<env>.yaml) with its assignments, parameters and
 * the ids to adopt, keeping the file's comments, other apps and `secure:` values as they are.
 */
import { existsSync, readFileSync } from "node:fs";
import { isMap, isSeq, parseDocument, YAMLMap, YAMLSeq } from "yaml";
import { NAMESPACE } from "../spec/stack";
import type { StackEntry } from "./render";
import { ImportError } from "./read";

export interface StackEdit {
  text: string;
  /** The stack's `scimops:notificationEmail` before the edit. */
  notificationEmail?: string;
}

/** Reads the stack's plain settings the import consults (without editing). */
export function stackFacts(file: string): { notificationEmail?: string; graphBaseUrl?: string; cloud?: string; mappingsDir?: string; tenantId?: string } {
  if (!existsSync(file)) return {};
  const config = (parseDocument(readFileSync(file, "utf8")).toJS() as { config?: Record<string, unknown> } | null)?.config ?? {};
  const str = (k: string) => (typeof config[`${NAMESPACE}:${k}`] === "string" ? (config[`${NAMESPACE}:${k}`] as string) : undefined);
  const out: ReturnType<typeof stackFacts> = {};
  for (const k of ["notificationEmail", "graphBaseUrl", "cloud", "mappingsDir", "tenantId"] as const) {
    const v = str(k);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/** The stack file's text with the app's entry added (or, with `force`, replaced) and `extra` plain keys set when absent. */
export function addAppToStack(file: string, entry: StackEntry, options: { force: boolean; extra?: Record<string, string> }): string {
  const doc = parseDocument(existsSync(file) ? readFileSync(file, "utf8") : "config: {}\n");
  if (doc.errors.length) throw new ImportError(`${file}: ${doc.errors[0]!.message}`);
  let config: unknown = doc.get("config", true);
  if (!isMap(config)) {
    config = new YAMLMap();
    doc.set("config", config);
  }
  const map = config as YAMLMap;
  if (map.flow) map.flow = false;
  for (const [k, v] of Object.entries(options.extra ?? {})) if (!map.has(`${NAMESPACE}:${k}`)) map.set(`${NAMESPACE}:${k}`, v);
  let seq: unknown = map.get(`${NAMESPACE}:apps`, true);
  if (!isSeq(seq)) {
    seq = new YAMLSeq();
    map.set(`${NAMESPACE}:apps`, seq);
  }
  if (!isSeq(seq)) throw new ImportError(`${file}: scimops:apps is not a list`);
  const node = doc.createNode(entry) as YAMLMap;
  const assignments = node.get("assignments", true);
  if (isSeq(assignments)) for (const a of assignments.items) if (isMap(a)) a.flow = true;
  const parameters = node.get("parameters", true);
  if (isMap(parameters)) parameters.flow = true;
  node.commentBefore = " Imported by `scimops import`: the ids below are adopted by `pulumi up` without a write.";
  const at = seq.items.findIndex((item) => isMap(item) && item.get("name") === entry.name);
  if (at >= 0) {
    if (!options.force) throw new ImportError(`${file} already lists the app ${entry.name} — pass --force to replace its entry`);
    seq.items[at] = node;
  } else seq.items.push(node);
  return doc.toString({ lineWidth: 0 });
}
