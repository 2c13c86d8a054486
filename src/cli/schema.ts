/** `scimops schema [--write|--check]`: the JSON Schema editors use to complete and check mapping files. */
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { appJsonSchemaText } from "../spec/json-schema";
import { projectRoot } from "../spec/root";
import type { CliIO } from "./io";

export const SCHEMA_PATH = join("schema", "app.schema.json");

export async function schemaCommand(args: readonly string[], io: CliIO): Promise<number> {
  const file = join(projectRoot(), SCHEMA_PATH);
  const text = appJsonSchemaText();
  if (args.includes("--write")) {
    mkdirSync(join(projectRoot(), "schema"), { recursive: true });
    writeFileSync(file, text);
    io.stdout(`wrote ${SCHEMA_PATH}`);
    return 0;
  }
  if (args.includes("--check")) {
    let current = "";
    try {
      current = readFileSync(file, "utf8");
    } catch {
      // a missing file is stale too
    }
    if (current === text) return 0;
    io.stderr(`${SCHEMA_PATH} is stale: run \`npm run schema\``);
    return 1;
  }
  io.stdout(text);
  return 0;
}
