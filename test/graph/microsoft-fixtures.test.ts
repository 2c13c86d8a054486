/**
 * Microsoft's own published Graph JSON (test/fixtures/microsoft/, provenance in its README) through
 * scimops unchanged: every sample tree prints to its expression text and reads back to the same tree;
 * a declaration equal to the live published schema merges with changed=false and sends nothing; one
 * real change sends one PUT and leaves everything scimops does not own byte-for-byte as it was.
 */
import { describe, expect, it } from "vitest";
import { fromGraphSource, parseExpression, printExpression, toGraphSource } from "../../src/expression";
import { comparableExpressionText } from "../../src/expression/literal";
import { planSchema } from "../../src/entra/schema-merge";
import { synchronizationSchemaProvider as provider } from "../../src/entra/synchronization-schema";
import { ENTRA_PROVIDER_VERSION } from "../../src/entra/version";
import type { AttributeMapping, AttributeMappingSource, ObjectMapping, SynchronizationSchema } from "../../src/graph/wire";
import type { GraphConnection } from "../../src/entra/graph";
import { validateSchemaPut } from "../emulators/graph/validate";
import type { GraphEmulator } from "../emulators/graph/index";
import { useEmulator } from "../entra/support";
import salesforce from "../fixtures/microsoft/salesforce-schema-sample.json";
import objectMappingExample from "../fixtures/microsoft/objectmapping-example.json";
import trimRow from "../fixtures/microsoft/trim-attributemapping.json";
import parseExample from "../fixtures/microsoft/parseexpression-example.json";
import functionsResponse from "../fixtures/microsoft/functions-response.json";
import { lookupFunction, parametersFor } from "../../src/expression/functions/catalog";
import { KNOWN_FUNCTIONS } from "../emulators/graph/catalog";

const sample = (): SynchronizationSchema => JSON.parse(JSON.stringify(salesforce)) as SynchronizationSchema;
const SF_USERS = "Synchronize Azure Active Directory Users to salesforce.com";

/** Every Function/Attribute/Constant source in the published material, with where it came from. */
function publishedSources(): [string, AttributeMappingSource][] {
  const out: [string, AttributeMappingSource][] = [];
  const rows = (where: string, ams: readonly AttributeMapping[]) =>
    ams.forEach((am) => am.source && out.push([`${where} → ${am.targetAttributeName}`, am.source]));
  for (const r of sample().synchronizationRules) for (const om of r.objectMappings) rows(`salesforce ${r.name} ${om.name ?? om.targetObjectName}`, om.attributeMappings);
  rows("objectMapping example", (objectMappingExample as ObjectMapping).attributeMappings);
  rows("cloud-sync Trim row", [trimRow as AttributeMapping]);
  out.push(["parseExpression response", parseExample.response.parsedExpression as AttributeMappingSource]);
  return out;
}

describe("the published functions response", () => {
  it.each(functionsResponse.value.map((f) => [f.name, f.parameters.map((p) => p.name)] as const))("%s: we send the keys Graph lists, in its order", (name, keys) => {
    const sig = lookupFunction(name);
    expect(sig, name).toBeDefined();
    expect(sig!.engineNamesConfirmed).toBe(true);
    const ours = [...new Set(parametersFor(sig!, keys.length).map((p) => p.engineName))];
    expect(ours).toEqual([...new Set(keys)]);
    expect(KNOWN_FUNCTIONS).toContain(name);
  });
});

describe("published trees ↔ expression text", () => {
  const sources = publishedSources();

  it("finds the published functions (Not, Mid, Replace, SingleAppRoleAssignment, Trim)", () => {
    const names = new Set(sources.filter(([, s]) => s.type === "Function").map(([, s]) => s.name));
    for (const n of ["Not", "Mid", "Replace", "SingleAppRoleAssignment", "Trim"]) expect(names, n).toContain(n);
    expect(sources.length).toBeGreaterThan(20);
  });

  it.each(sources)("%s: prints to its expression text and back to the same tree", (_where, src) => {
    const expr = fromGraphSource(src as Parameters<typeof fromGraphSource>[0]);
    const text = printExpression(expr);
    expect(comparableExpressionText(text)).toBe(comparableExpressionText(src.expression!));
    expect(toGraphSource(parseExpression(text))).toEqual({ ...src, parameters: src.parameters ?? [] });
  });

  it("the parseExpression request text (two spaces before ')') reads as the tree Graph returned", () => {
    const parsed = toGraphSource(parseExpression(parseExample.request.expression));
    expect(parsed).toEqual(parseExample.response.parsedExpression);
  });
});

/** The sample's Users mapping as scimops declares it: from the expression texts a person writes. */
function declaredFromText(live: ObjectMapping): ObjectMapping {
  return {
    name: live.name,
    enabled: live.enabled,
    flowTypes: live.flowTypes,
    sourceObjectName: live.sourceObjectName,
    targetObjectName: live.targetObjectName,
    scope: live.scope ?? null,
    attributeMappings: live.attributeMappings.map((am) => ({
      targetAttributeName: am.targetAttributeName,
      source: am.source ? toGraphSource(parseExpression(am.source.expression!)) : null,
      defaultValue: am.defaultValue ?? null,
      flowType: am.flowType,
      matchingPriority: am.matchingPriority,
    })),
  };
}

describe("merging into Microsoft's published schema", () => {
  it("the emulator accepts the sample exactly as published", () => {
    expect(() => validateSchemaPut(sample(), sample())).not.toThrow();
  });

  it("a declaration equal to the live state is changed=false", () => {
    const live = sample();
    const users = live.synchronizationRules[0]!.objectMappings.find((m) => m.name === SF_USERS)!;
    const plan = planSchema(live, { objectMappings: [declaredFromText(users)] });
    expect(plan.changes).toEqual([]);
    expect(plan.changed).toBe(false);
  });

  let emu: GraphEmulator;
  let graph: GraphConnection;
  useEmulator((s) => ({ emu, graph } = s));

  const seedSalesforce = () => emu.seedApp({ template: "Salesforce (Microsoft sample schema)", displayName: "Salesforce sample" });
  const inputs = (app: { servicePrincipalId: string; jobId: string }, objectMappings: ObjectMapping[]) => ({
    graph,
    servicePrincipalId: app.servicePrincipalId,
    jobId: app.jobId,
    appName: "Salesforce sample",
    objectMappings,
    providerVersion: ENTRA_PROVIDER_VERSION,
  });

  it("through the provider and the emulator: nothing is sent for an equal declaration", async () => {
    const app = seedSalesforce();
    const users = emu.getSchema(app.servicePrincipalId, app.jobId).synchronizationRules[0]!.objectMappings.find((m) => m.name === SF_USERS)!;
    emu.clearRequests();
    await provider.create(inputs(app, [declaredFromText(users)]));
    expect(emu.writes()).toEqual([]);
  });

  it("one real change: one PUT, and everything scimops does not own is byte-for-byte unchanged", async () => {
    const app = seedSalesforce();
    const before = emu.getSchema(app.servicePrincipalId, app.jobId);
    const users = before.synchronizationRules[0]!.objectMappings.find((m) => m.name === SF_USERS)!;
    const declared = declaredFromText(users);
    const alias = declared.attributeMappings.find((a) => a.targetAttributeName === "Alias");
    const changed = alias ?? declared.attributeMappings.find((a) => a.source?.type === "Attribute")!;
    changed.source = toGraphSource(parseExpression("Trim([mailNickname])"));
    emu.clearRequests();
    await provider.create(inputs(app, [declared]));
    expect(emu.writes().map((w) => w.method)).toEqual(["PUT"]);
    const after = emu.getSchema(app.servicePrincipalId, app.jobId);
    const bytes = (x: unknown) => JSON.stringify(x);
    expect(bytes(after.directories)).toBe(bytes(before.directories));
    expect(bytes(after.synchronizationRules[1])).toBe(bytes(before.synchronizationRules[1]));
    const ruleBefore = before.synchronizationRules[0]!;
    const ruleAfter = after.synchronizationRules[0]!;
    expect(bytes({ ...ruleAfter, objectMappings: undefined })).toBe(bytes({ ...ruleBefore, objectMappings: undefined }));
    expect(ruleAfter.objectMappings).toHaveLength(ruleBefore.objectMappings.length);
    ruleBefore.objectMappings.forEach((om, i) => {
      if (om.name !== SF_USERS) expect(bytes(ruleAfter.objectMappings[i]), `object mapping ${i}`).toBe(bytes(om));
    });
    const usersAfter = ruleAfter.objectMappings.find((m) => m.name === SF_USERS)!;
    expect(bytes(usersAfter.metadata)).toBe(bytes(users.metadata));
    expect(usersAfter.attributeMappings.find((a) => a.targetAttributeName === changed.targetAttributeName)!.source!.expression).toBe("Trim([mailNickname])");
    // And the same declaration again is a no-op.
    emu.clearRequests();
    await provider.create(inputs(app, [declared]));
    expect(emu.writes()).toEqual([]);
  });
});
