// The emulator's schema validation against Microsoft's published Salesforce sample (test/fixtures/microsoft/):
// the sample passes unchanged (lenient where Graph is), and each way of breaking it is a 400 (strict where Graph is).
import { describe, expect, it } from "vitest";
import type { SynchronizationSchema } from "../../../src/graph/wire";
import salesforce from "../../fixtures/microsoft/salesforce-schema-sample.json";
import { GraphHttpError, validateSchemaPut } from "./validate";

const sample = (): SynchronizationSchema => JSON.parse(JSON.stringify(salesforce)) as SynchronizationSchema;
const users = (s: SynchronizationSchema) => s.synchronizationRules[0]!.objectMappings[0]!;

function rejection(edit: (s: SynchronizationSchema) => void): GraphHttpError {
  const body = sample();
  edit(body);
  try {
    validateSchemaPut(body, sample());
  } catch (e) {
    return e as GraphHttpError;
  }
  throw new Error("expected a 400");
}

describe("Microsoft's Salesforce sample schema", () => {
  it("passes unchanged, with its name:null / sourceObjectName:\"\" mappings and source:null rows", () => {
    const s = sample();
    const mappings = s.synchronizationRules.flatMap((r) => r.objectMappings);
    // 9 object mappings (4 + 5); graph-sync.md §13.4 says 11, the published file has 9
    expect(mappings).toHaveLength(9);
    expect(mappings.some((m) => m.name === null && m.sourceObjectName === "")).toBe(true);
    expect(mappings.flatMap((m) => m.attributeMappings).some((a) => a.source === null && a.defaultValue === null)).toBe(true);
    expect(validateSchemaPut(s, sample())).toEqual(s);
  });

  it.each<[string, (s: SynchronizationSchema) => void, string, RegExp]>([
    ["an unknown rule id", (s) => void (s.synchronizationRules[0]!.id = "00000000-0000-0000-0000-000000000000"), "UnknownSynchronizationRule", /is not defined by template/],
    ["an unknown target attribute", (s) => void (users(s).attributeMappings[0]!.targetAttributeName = "NoSuchField"), "UnknownTargetAttribute", /NoSuchField/],
    [
      "a scoping operator Graph does not list (the IS_TRUE guess)",
      (s) => void (users(s).scope = { groups: [{ name: "g", clauses: [{ operatorName: "IS_TRUE", sourceOperandName: "accountEnabled", targetOperand: null }] }] }),
      "MalformedObjectMapping",
      /'IS_TRUE' is not a known filter operator/,
    ],
    ["an objectMapping metadata key outside objectMappingMetadata", (s) => void users(s).metadata!.push({ key: "isCustomerDefined", value: "false" }), "MalformedObjectMapping", /not a valid objectMappingMetadata value/],
    [
      "an objectDefinition metadata key outside objectDefinitionMetadata",
      (s) => void (s.directories[0]!.objects[0]!.metadata = [{ key: "SoftDeletionSupported", value: "true" }]),
      "MalformedSchema",
      /not a valid objectDefinitionMetadata value/,
    ],
    [
      "an attributeDefinition metadata key outside attributeDefinitionMetadata",
      (s) => void (s.directories[0]!.objects[0]!.attributes[0]!.metadata = [{ key: "maximumLength", value: "10" }]),
      "MalformedSchema",
      /not a valid attributeDefinitionMetadata value/,
    ],
    ["a discoverabilities flag outside the enum", (s) => void (s.directories[0]!.discoverabilities = "AttributeNames, Everything"), "MalformedSchema", /directoryDefinitionDiscoverabilities/],
    [
      "an Attribute source in a mapping without a source object",
      (s) => {
        const unnamed = s.synchronizationRules[0]!.objectMappings.find((m) => m.sourceObjectName === "")!;
        unnamed.attributeMappings[0]!.source = { type: "Attribute", name: "mail", expression: "[mail]", parameters: [] };
      },
      "UnknownSourceAttribute",
      /no source object/,
    ],
  ])("rejects %s", (_what, edit, innerCode, message) => {
    const e = rejection(edit);
    expect(e.status).toBe(400);
    expect(e.innerCode).toBe(innerCode);
    expect(e.message).toMatch(message);
  });
});
