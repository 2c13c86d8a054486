import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { appJsonSchemaText } from "../../src/spec/json-schema";
import { listAppFiles } from "../../src/spec/project";

const root = join(__dirname, "..", "..");

describe("schema/app.schema.json", () => {
  it("is the JSON Schema generated from the zod spec (run `npm run schema` when this fails)", () => {
    expect(readFileSync(join(root, "schema", "app.schema.json"), "utf8")).toBe(appJsonSchemaText());
  });

  it("is referenced from every mapping file", () => {
    for (const file of listAppFiles(root)) {
      expect(readFileSync(file, "utf8").split("\n")[0]).toBe("# yaml-language-server: $schema=../schema/app.schema.json");
    }
  });

  it("rejects unknown keys so editors flag typos", () => {
    const schema = JSON.parse(appJsonSchemaText());
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.entra.additionalProperties).toBe(false);
  });
});
