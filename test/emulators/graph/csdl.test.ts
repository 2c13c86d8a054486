// The emulator and the wire model checked against Microsoft's CSDL (../shared/reference/graph-csdl-synchronization.xml,
// an extract of msgraph-metadata clean_v10_metadata/cleanMetadata.xml): every enum member, property and
// action parameter they use must exist there, and the emulator must accept everything the CSDL defines
// for the types and actions it validates (graph-sync.md §13.4, §13.5).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GRAPH_ACTION_PARAMETERS, GRAPH_ENUMS, GRAPH_PROPERTIES } from "./validate";
import { MASKED_SECRET_KEYS, SECRET_KEYS } from "./catalog";
import { startGraphEmulator, type GraphEmulator } from ".";

const root = join(__dirname, "..", "..", "..");
const xml = readFileSync(join(root, "..", "shared", "reference", "graph-csdl-synchronization.xml"), "utf8");

interface CsdlType {
  entity: boolean;
  properties: Map<string, string>;
  navigation: Set<string>;
}

const attr = (tag: string, name: string): string | undefined => new RegExp(`${name}="([^"]*)"`).exec(tag)?.[1];
const enums = new Map<string, string[]>();
for (const m of xml.matchAll(/<EnumType Name="([^"]+)"[^>]*>([\s\S]*?)<\/EnumType>/g)) {
  enums.set(m[1]!, [...m[2]!.matchAll(/<Member Name="([^"]+)"/g)].map((x) => x[1]!));
}
const types = new Map<string, CsdlType>();
for (const m of xml.matchAll(/<(ComplexType|EntityType) ([^>]*)>([\s\S]*?)<\/\1>/g)) {
  const properties = new Map<string, string>();
  for (const p of m[3]!.matchAll(/<Property [^>]*>/g)) properties.set(attr(p[0], "Name")!, attr(p[0], "Type")!);
  const navigation = new Set([...m[3]!.matchAll(/<NavigationProperty Name="([^"]+)"/g)].map((x) => x[1]!));
  types.set(attr(m[2]!, "Name")!, { entity: m[1] === "EntityType", properties, navigation });
}
const actions = new Map<string, { name: string; optional: boolean }[]>();
for (const m of xml.matchAll(/<Action Name="([^"]+)"[^>]*>([\s\S]*?)<\/Action>/g)) {
  const params = [...m[2]!.matchAll(/<Parameter Name="([^"]+)"[^>]*?(\/>|>([\s\S]*?)<\/Parameter>)/g)]
    .filter((p) => p[1] !== "bindingParameter")
    .map((p) => ({ name: p[1]!, optional: /OptionalParameter/.test(p[3] ?? "") }));
  const previous = actions.get(m[1]!);
  // validateCredentials is bound twice (job collection and job) with the same parameters.
  if (previous) expect(previous).toEqual(params);
  actions.set(m[1]!, params);
}

/** Types the extract references but does not define; their shape comes from the resource docs named in validate.ts. */
const NOT_IN_EXTRACT = new Set(["stringKeyAttributeMappingSourceValuePair"]);

describe("the CSDL extract parses", () => {
  it("has the synchronization enums, types and actions", () => {
    expect(enums.get("synchronizationSecret")).toContain("SecretToken");
    expect(types.get("objectMapping")?.properties.get("flowTypes")).toBe("graph.objectFlowTypes");
    expect(actions.get("instantiate")).toEqual([{ name: "displayName", optional: false }, { name: "serviceManagementReference", optional: true }]);
  });
});

describe("the emulator's validation tables are the CSDL's", () => {
  it.each(Object.entries(GRAPH_ENUMS))("enum %s: exactly the CSDL members", (name, members) => {
    expect(enums.has(name), `enum ${name} is not in the CSDL`).toBe(true);
    expect([...members].sort()).toEqual([...enums.get(name)!].sort());
  });

  it.each(Object.entries(GRAPH_PROPERTIES).filter(([n]) => !NOT_IN_EXTRACT.has(n)))("type %s: every structural property, nothing else", (name, props) => {
    const t = types.get(name);
    expect(t, `type ${name} is not in the CSDL`).toBeDefined();
    const structural = [...t!.properties.keys(), ...(t!.entity ? ["id"] : [])];
    // Contained navigation properties may appear in a body (schema.directories); nothing outside the type may.
    for (const p of props) expect([...structural, ...t!.navigation], `${name}.${p}`).toContain(p);
    for (const p of structural) expect(props, `${name}.${p} is in the CSDL but the emulator rejects it`).toContain(p);
  });

  it.each(Object.entries(GRAPH_ACTION_PARAMETERS))("action %s: exactly the CSDL parameters, optional ones marked", (name, params) => {
    expect(actions.has(name), `action ${name} is not in the CSDL`).toBe(true);
    expect(params.map((p) => ({ name: p.name, optional: p.optional ?? false }))).toEqual(actions.get(name));
  });

  it("secret keys are the synchronizationSecret members; masked keys are among them", () => {
    expect([...SECRET_KEYS].sort()).toEqual([...enums.get("synchronizationSecret")!].sort());
    for (const k of MASKED_SECRET_KEYS) expect(SECRET_KEYS).toContain(k);
  });

  it("every enum-typed property the emulator checks uses the enum the CSDL gives it", () => {
    const uses: [string, string, string][] = [
      ["attributeDefinition", "type", "attributeType"],
      ["attributeDefinition", "mutability", "mutability"],
      ["attributeMapping", "flowType", "attributeFlowType"],
      ["attributeMapping", "flowBehavior", "attributeFlowBehavior"],
      ["attributeMappingSource", "type", "attributeMappingSourceType"],
      ["objectMapping", "flowTypes", "objectFlowTypes"],
      ["directoryDefinition", "discoverabilities", "directoryDefinitionDiscoverabilities"],
      ["objectMappingMetadataEntry", "key", "objectMappingMetadata"],
      ["objectDefinitionMetadataEntry", "key", "objectDefinitionMetadata"],
      ["attributeDefinitionMetadataEntry", "key", "attributeDefinitionMetadata"],
      ["synchronizationMetadataEntry", "key", "synchronizationMetadata"],
      ["synchronizationSecretKeyStringValuePair", "key", "synchronizationSecret"],
      ["synchronizationJobRestartCriteria", "resetScope", "synchronizationJobRestartScope"],
    ];
    for (const [type, prop, enumName] of uses) expect(types.get(type)?.properties.get(prop), `${type}.${prop}`).toBe(`graph.${enumName}`);
  });
});

describe("src/graph/wire.ts uses only CSDL names", () => {
  // wire.ts interface → CSDL type. Interfaces not listed (KeyValue, SyncNotificationSettings, directory
  // objects outside synchronization, the error body) describe no synchronization CSDL type.
  const MAP: Record<string, string> = {
    AttributeMappingSource: "attributeMappingSource",
    AttributeMapping: "attributeMapping",
    FilterOperand: "filterOperand",
    FilterClause: "filterClause",
    FilterGroup: "filterGroup",
    Filter: "filter",
    ObjectMapping: "objectMapping",
    AttributeDefinition: "attributeDefinition",
    ObjectDefinition: "objectDefinition",
    DirectoryDefinition: "directoryDefinition",
    SynchronizationRule: "synchronizationRule",
    SynchronizationSchema: "synchronizationSchema",
    SynchronizationSchedule: "synchronizationSchedule",
    SynchronizationStatus: "synchronizationStatus",
    SynchronizationJob: "synchronizationJob",
    SynchronizationTemplate: "synchronizationTemplate",
    SynchronizationSecretKeyStringValuePair: "synchronizationSecretKeyStringValuePair",
    SynchronizationJobSubject: "synchronizationJobSubject",
    SynchronizationJobApplicationParameters: "synchronizationJobApplicationParameters",
    StringKeyStringValuePair: "stringKeyStringValuePair",
    ApplicationTemplate: "applicationTemplate",
    ApplicationServicePrincipal: "applicationServicePrincipal",
  };
  const ALIASES: Record<string, string> = { AttributeFlowType: "attributeFlowType", AttributeFlowBehavior: "attributeFlowBehavior", ManagedSecretKey: "synchronizationSecret" };
  const file = ts.createSourceFile("wire.ts", readFileSync(join(root, "src", "graph", "wire.ts"), "utf8"), ts.ScriptTarget.Latest, true);
  const interfaces = new Map<string, ts.InterfaceDeclaration>();
  const aliases = new Map<string, ts.TypeAliasDeclaration>();
  file.forEachChild((n) => {
    if (ts.isInterfaceDeclaration(n)) interfaces.set(n.name.text, n);
    if (ts.isTypeAliasDeclaration(n)) aliases.set(n.name.text, n);
  });
  const literals = (t: ts.TypeNode | undefined): string[] | undefined => {
    if (!t) return undefined;
    const parts = ts.isUnionTypeNode(t) ? t.types : [t];
    const out: string[] = [];
    for (const p of parts) {
      if (ts.isLiteralTypeNode(p) && ts.isStringLiteral(p.literal)) out.push(p.literal.text);
      else if (ts.isTypeReferenceNode(p) && ts.isIdentifier(p.typeName) && aliases.has(p.typeName.text)) out.push(...(literals(aliases.get(p.typeName.text)!.type) ?? []));
      else if (!(p.kind === ts.SyntaxKind.NullKeyword || (ts.isLiteralTypeNode(p) && p.literal.kind === ts.SyntaxKind.NullKeyword))) return undefined;
    }
    return out.length ? out : undefined;
  };

  it("maps every listed interface", () => {
    for (const name of [...Object.keys(MAP), ...Object.keys(ALIASES)]) expect(interfaces.has(name) || aliases.has(name), name).toBe(true);
  });

  it.each(Object.entries(MAP))("%s: each property is a property of %s; string-literal types are enum members", (iface, csdl) => {
    const t = types.get(csdl);
    expect(t, `type ${csdl} is not in the CSDL`).toBeDefined();
    for (const m of interfaces.get(iface)!.members) {
      if (!ts.isPropertySignature(m) || !ts.isIdentifier(m.name)) continue;
      const prop = m.name.text;
      const known = t!.properties.has(prop) || t!.navigation.has(prop) || (t!.entity && prop === "id");
      expect(known, `${iface}.${prop} is not a property of ${csdl}`).toBe(true);
      const enumType = t!.properties.get(prop)?.replace(/^graph\./, "");
      const values = literals(m.type);
      if (values && enumType && enums.has(enumType)) {
        for (const v of values) expect(enums.get(enumType), `${iface}.${prop} = "${v}"`).toContain(v);
      }
    }
  });

  it.each(Object.entries(ALIASES))("type %s: every member is in enum %s", (alias, enumName) => {
    for (const v of literals(aliases.get(alias)!.type)!) expect(enums.get(enumName), `${alias} "${v}"`).toContain(v);
  });
});

describe("the emulator serves CSDL spellings and accepts optional CSDL parameters", () => {
  let emu: GraphEmulator;
  beforeAll(async () => {
    emu = await startGraphEmulator();
  });
  afterAll(async () => emu?.close());
  const call = (method: string, path: string, body?: unknown) =>
    fetch(`${emu.url}/v1.0${path}`, { method, headers: { Authorization: `Bearer ${emu.token}`, "Content-Type": "application/json" }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

  it("template metadata keys are synchronizationMetadata members (PascalCase)", async () => {
    const app = emu.seedApp({ template: "non-gallery", displayName: "Meta" });
    const res = await call("GET", `/servicePrincipals/${app.servicePrincipalId}/synchronization/templates`);
    expect(res.status).toBe(200);
    const { value } = (await res.json()) as { value: { metadata: { key: string }[] }[] };
    const keys = value.flatMap((t) => t.metadata.map((m) => m.key));
    expect(keys).toContain("GalleryApplicationIdentifier");
    for (const k of keys) expect(enums.get("synchronizationMetadata"), k).toContain(k);
  });

  it("instantiate takes serviceManagementReference; validateCredentials takes applicationIdentifier and templateId; unknown parameters are 400", async () => {
    const templates = (await (await call("GET", "/applicationTemplates")).json()) as { value: { id: string; displayName: string }[] };
    const custom = templates.value.find((t) => t.displayName === "Custom")!;
    expect((await call("POST", `/applicationTemplates/${custom.id}/instantiate`, { displayName: "With SMR", serviceManagementReference: "CI-123" })).status).toBe(201);
    expect((await call("POST", `/applicationTemplates/${custom.id}/instantiate`, { displayName: "Typo", serviceManagementRef: "x" })).status).toBe(400);
    const app = emu.seedApp({ template: "non-gallery", displayName: "Creds", acceptedSecretToken: "good" });
    const creds = [
      { key: "BaseAddress", value: "https://scim.example.com/v2" },
      { key: "SecretToken", value: "good" },
    ];
    const jobPath = `/servicePrincipals/${app.servicePrincipalId}/synchronization/jobs/${app.jobId}/validateCredentials`;
    expect((await call("POST", jobPath, { applicationIdentifier: app.appId, templateId: "scim", useSavedCredentials: false, credentials: creds })).status).toBe(204);
    expect((await call("POST", jobPath, { applicationIdentifier: 42, credentials: creds })).status).toBe(400);
    expect((await call("POST", jobPath, { credentials: creds, extra: true })).status).toBe(400);
  });
});
