/** Which keys a mapping at a given path may hold, read off the generated JSON Schema (for "did you mean"). */
import { z } from "zod";
import { appJsonSchema } from "./json-schema";

type JsonSchema = { properties?: Record<string, JsonSchema>; items?: JsonSchema; anyOf?: JsonSchema[]; oneOf?: JsonSchema[]; additionalProperties?: JsonSchema | boolean };

let appSchema: JsonSchema | undefined;

/** Keys allowed at `path` of an app file, or of `schema` when given (e.g. the stack settings). */
export function allowedKeys(path: readonly (string | number)[], schema?: z.ZodType): string[] {
  const rootSchema = schema ? (z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema) : (appSchema ??= appJsonSchema() as JsonSchema);
  let nodes: JsonSchema[] = [rootSchema];
  for (const part of path) {
    nodes = nodes.flatMap(expand).flatMap((n) => {
      if (typeof part === "number") return n.items ? [n.items] : [];
      const prop = n.properties?.[part];
      if (prop) return [prop];
      return typeof n.additionalProperties === "object" ? [n.additionalProperties] : [];
    });
  }
  const keys = new Set<string>();
  for (const n of nodes.flatMap(expand)) for (const k of Object.keys(n.properties ?? {})) keys.add(k);
  return [...keys];
}

function expand(n: JsonSchema): JsonSchema[] {
  const alts = n.anyOf ?? n.oneOf;
  return alts ? alts.flatMap(expand) : [n];
}
