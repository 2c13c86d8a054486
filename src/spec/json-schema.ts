/** The JSON Schema of an app file, generated from the zod spec (written to schema/app.schema.json). */
import { z } from "zod";
import { AppSpec } from "./schema";

export const SCHEMA_ID = "https://scimops.dev/schema/app.schema.json";

export function appJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(AppSpec, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  return { ...schema, $id: SCHEMA_ID, title: "scimops app spec" };
}

export function appJsonSchemaText(): string {
  return JSON.stringify(appJsonSchema(), null, 2) + "\n";
}
