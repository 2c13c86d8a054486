// Import of Microsoft's published Salesforce sample schema (test/fixtures/microsoft/, provenance in its README)
// → the app file → compile: every imported mapping compiles back to a Graph form equivalent to the original.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { SynchronizationSchema } from "../../src/graph/wire";
import salesforce from "../fixtures/microsoft/salesforce-schema-sample.json";
import { matchTenantUrl, outboundRule, renderImport } from "../../src/import/render";
import type { LiveApp } from "../../src/import/read";
import { parseSecrets } from "../../src/entra/settings-model";
import { loadAppFile } from "../../src/spec/load";
import { compileApp } from "../../src/plan/compile";
import { objectMappingDifferences, planSchema } from "../../src/entra/schema-merge";

const schema = JSON.parse(JSON.stringify(salesforce)) as SynchronizationSchema;
const dir = mkdtempSync(join(tmpdir(), "scimops-import-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const live: LiveApp = {
  servicePrincipal: { id: "5f2e5b8e-27b3-4bd8-9b5c-1f7d2f0c1a11", appId: "b1d1c3a2-0000-4000-8000-000000000001", displayName: "Salesforce", applicationTemplateId: "salesforce-template" },
  applicationTemplate: { id: "salesforce-template", displayName: "Salesforce" },
  roles: [],
  job: { id: "SfdcOutDelta.0000", templateId: "SfdcOutDelta", schedule: { expiration: null, interval: "PT40M", state: "Active" } as never, status: {} as never },
  syncTemplateId: "SfdcOutDelta",
  schema,
  schemaSource: "job",
  settings: parseSecrets([{ key: "BaseAddress", value: "https://contoso.my.salesforce.com" }, { key: "SecretToken", value: "*" }]),
  assignments: [],
  skippedAssignments: [],
};

describe("import of Microsoft's Salesforce sample schema", () => {
  const rendered = renderImport(live, { name: "salesforce", cloud: "global", schemaPath: "../schema/app.schema.json" });
  const file = join(dir, "salesforce.yaml");
  writeFileSync(file, rendered.yaml);
  const loaded = loadAppFile(file);

  it("writes a file that loads, with the $schema line and the token as a config key", () => {
    expect(loaded.ok, JSON.stringify(loaded.diagnostics)).toBe(true);
    expect(rendered.yaml.split("\n")[0]).toBe("# yaml-language-server: $schema=../schema/app.schema.json");
    expect(rendered.yaml).toContain("pulumi config set --secret scimops:salesforceScimToken");
    expect(rendered.spec.entra?.app).toMatchObject({ gallery: "Salesforce", importedFrom: "tenant" });
  });

  it("compiles back to the original mapping by mapping: same attributes, sources by expression text, defaults, matching", () => {
    if (!loaded.ok) throw new Error("not loaded");
    const plan = compileApp(loaded.app, {});
    const rule = outboundRule(schema)!;
    const compiled = plan.entra!.mappings;
    expect(compiled.map((m) => m.graph.name)).toEqual(["Synchronize Azure Active Directory Users to salesforce.com"]);
    for (const m of compiled) {
      const original = rule.objectMappings.find((o) => o.name === m.graph.name)!;
      expect(m.graph.attributeMappings).toHaveLength(original.attributeMappings.length);
      expect(objectMappingDifferences(m.graph, original)).toEqual([]);
      // Object-mapping metadata is not part of an app file: a PUT keeps the live keys (schema-merge.ts).
      expect(objectMappingDifferences({ ...original, metadata: null }, m.graph)).toEqual([]);
    }
    // What `up` would do with it against the same live schema: nothing (no PUT).
    expect(planSchema(schema, { objectMappings: compiled.map((m) => m.graph) }).changed).toBe(false);
  });

  it("says which mappings it leaves as Entra has them", () => {
    expect(rendered.notes.join("\n")).toMatch(/8 other object mappings .* stay as Entra has them/);
  });

  it("a changed row is one difference, named", () => {
    if (!loaded.ok) throw new Error("not loaded");
    const plan = compileApp(loaded.app, {});
    const users = structuredClone(plan.entra!.mappings[0]!.graph);
    users.attributeMappings.find((a) => a.targetAttributeName === "Email")!.source = { type: "Attribute", name: "userPrincipalName", expression: "[userPrincipalName]", parameters: [] };
    expect(planSchema(schema, { objectMappings: [users] }).changes).toEqual(['mapping "Synchronize Azure Active Directory Users to salesforce.com": attribute "Email" source changed']);
  });
});

describe("tenant URL parameters", () => {
  it("a parameterised template of the replaced file gives the stack its parameters; a URL that does not fit gives none", () => {
    expect(matchTenantUrl("https://{region}.ironwifi.com/scim/v2", "https://eu-west.ironwifi.com/scim/v2")).toEqual({ region: "eu-west" });
    expect(matchTenantUrl("https://{region}.ironwifi.com/scim/v2", "https://ironwifi.example/scim/v2")).toBeUndefined();
    const withTemplate = renderImport(
      { ...live, settings: parseSecrets([{ key: "BaseAddress", value: "https://us-east.ironwifi.com/scim/v2" }]) },
      { name: "ironwifi", cloud: "global", schemaPath: "../schema/app.schema.json", previousTenantUrl: { template: "https://{region}.ironwifi.com/scim/v2", parameters: { region: { description: "region" } } } },
    );
    expect(withTemplate.stackEntry.parameters).toEqual({ region: "us-east" });
    expect(withTemplate.spec.entra!.provisioning.tenantUrl).toMatchObject({ template: "https://{region}.ironwifi.com/scim/v2" });
  });
});
