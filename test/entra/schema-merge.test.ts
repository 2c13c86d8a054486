/** Normalisation and merging (pure functions). */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { AttributeMappingSource, ObjectMapping } from "../../src/graph/wire";
import {
  canonicalScope,
  normalizeExpressionWhitespace,
  normalizeFlowTypes,
  objectMappingDifferences,
  planSchema,
  projectLiveMappings,
  selectRule,
  sourcesEquivalent,
  validateDeclaration,
} from "../../src/entra/schema-merge";
import { GROUPS_MAPPING, scimTemplateSchema, SCIM_RULE_ID, USERS_MAPPING } from "../emulators/graph/catalog";
import { attr, declaredGroups, declaredUsers, withRow } from "./support";

const liveUsers = (): ObjectMapping => scimTemplateSchema().synchronizationRules[0]!.objectMappings[0]!;

describe("normalisation", () => {
  it("treats flowTypes spellings and orders alike", () => {
    expect(normalizeFlowTypes("Add,Update")).toBe("Add, Update");
    expect(normalizeFlowTypes(" Update ,Add, Delete")).toBe("Add, Update, Delete");
    expect(normalizeFlowTypes(undefined)).toBe("Add, Update, Delete");
    expect(normalizeFlowTypes("None")).toBe("None");
    expect(normalizeFlowTypes("")).toBe("None");
  });

  it("removes whitespace outside string literals only", () => {
    expect(normalizeExpressionWhitespace('Join( " ", [givenName] ,\n [surname])')).toBe('Join(" ",[givenName],[surname])');
    expect(normalizeExpressionWhitespace('Replace([x], , "a \\" b", , " ", , )')).toBe('Replace([x],,"a \\" b",," ",,)');
  });

  it("compares sources by normalised expression text, never by parameter keys (graph-sync.md §13.2)", () => {
    const a: AttributeMappingSource = { type: "Function", name: "Join", expression: 'Join(" ", [givenName], [surname])', parameters: [
      { key: "separator", value: { type: "Constant", name: " ", expression: '" "', parameters: [] } },
      { key: "source", value: attr("givenName") },
      { key: "source", value: attr("surname") },
    ] };
    const b = structuredClone(a);
    b.expression = 'Join(" ",[givenName],[surname])';
    delete (b.parameters![1]!.value as AttributeMappingSource).type;
    delete (b.parameters![1]!.value as AttributeMappingSource).expression;
    expect(sourcesEquivalent(a, b)).toBe(true);
    // Other keys, same text: equal (IIF's first key is `one` in a real export, ours may differ).
    const rekeyed = structuredClone(a);
    rekeyed.parameters!.forEach((p, i) => (p.key = `p${i}`));
    expect(sourcesEquivalent(a, rekeyed)).toBe(true);
    // A different text is a difference.
    expect(sourcesEquivalent(a, { ...a, expression: 'Join(" ", [surname], [givenName])' })).toBe(false);
    expect(sourcesEquivalent({ expression: 'Join(" ", [a])' }, { expression: 'Join("  ",[a])' })).toBe(false);
    // String constants compare by value: "\\d" and "\d" are the same constant.
    expect(sourcesEquivalent({ expression: 'Replace([t], , "\\d+", , "", , )' }, { expression: 'Replace([t], , "\\\\d+", , "", , )' })).toBe(true);
    // Without text on one side, trees are compared by position with keys ignored.
    const noText = structuredClone(rekeyed);
    delete noText.expression;
    expect(sourcesEquivalent(a, noText)).toBe(true);
    const swapped = structuredClone(noText);
    swapped.parameters!.reverse();
    expect(sourcesEquivalent(a, swapped)).toBe(false);
    expect(sourcesEquivalent(null, undefined)).toBe(true);
    expect(sourcesEquivalent(null, attr("mail"))).toBe(false);
    expect(sourcesEquivalent({ type: "Constant", name: "", parameters: [] }, { type: "Constant", name: "", expression: '""', parameters: [] })).toBe(true);
  });

  it("treats empty scope like no scope and ignores group/clause/value order", () => {
    expect(canonicalScope(null)).toBeNull();
    expect(canonicalScope({ groups: [], inputFilterGroups: [], categoryFilterGroups: [] })).toBeNull();
    const g1 = { name: "a", clauses: [{ operatorName: "EQUALS", sourceOperandName: "department", targetOperand: { values: ["x", "y"] } }, { operatorName: "IS_TRUE", sourceOperandName: "accountEnabled" }] };
    const g2 = { name: "b", clauses: [{ operatorName: "EQUALS", sourceOperandName: "city", targetOperand: { values: ["z"] } }] };
    const reordered = { name: "a", clauses: [{ operatorName: "IS_TRUE", sourceOperandName: "accountEnabled", targetOperand: { values: [] } }, { operatorName: "EQUALS", sourceOperandName: "department", targetOperand: { values: ["y", "x"] } }] };
    expect(canonicalScope({ groups: [g1, g2] })).toEqual(canonicalScope({ groups: [g2, reordered], inputFilterGroups: null }));
    expect(canonicalScope({ groups: [g1] })).not.toEqual(canonicalScope({ groups: [g2] }));
  });

  it("finds the declared default Users mapping equivalent to the live default", () => {
    expect(objectMappingDifferences(declaredUsers(), liveUsers())).toEqual([]);
    expect(objectMappingDifferences(declaredGroups(), scimTemplateSchema().synchronizationRules[0]!.objectMappings[1]!)).toEqual([]);
  });

  it("reports each kind of difference", () => {
    const live = liveUsers();
    expect(objectMappingDifferences(withRow(declaredUsers(), "title", (r) => ({ ...r, source: attr("department") })), live)).toEqual([`mapping "${USERS_MAPPING}": attribute "title" source changed`]);
    const dropped = declaredUsers();
    dropped.attributeMappings = dropped.attributeMappings.filter((r) => r.targetAttributeName !== "title");
    expect(objectMappingDifferences(dropped, live)).toEqual([`mapping "${USERS_MAPPING}": attribute "title" removed`]);
    expect(objectMappingDifferences({ ...declaredUsers(), flowTypes: "Add, Update" }, live)).toEqual([`mapping "${USERS_MAPPING}": flowTypes`]);
    expect(objectMappingDifferences({ ...declaredUsers(), enabled: false }, live)).toEqual([`mapping "${USERS_MAPPING}": enabled`]);
    expect(objectMappingDifferences({ ...declaredUsers(), scope: { groups: [{ name: "s", clauses: [{ operatorName: "IS_TRUE", sourceOperandName: "accountEnabled" }] }] } }, live)).toEqual([`mapping "${USERS_MAPPING}": scope`]);
    expect(objectMappingDifferences(withRow(declaredUsers(), "title", (r) => ({ ...r, flowType: "ObjectAddOnly" })), live)[0]).toMatch(/"title" flowType changed/);
    expect(objectMappingDifferences(withRow(declaredUsers(), "title", (r) => ({ ...r, defaultValue: "n/a" })), live)[0]).toMatch(/defaultValue/);
    expect(objectMappingDifferences({ ...declaredUsers(), metadata: [{ key: "Disposition", value: '"Normal"' }] }, live)).toEqual([]);
    expect(objectMappingDifferences({ ...declaredUsers(), metadata: [{ key: "Disposition", value: '"Other"' }] }, live)).toHaveLength(1);
  });

  it("property: any reordering and re-spelling of an equivalent mapping is equivalent; any single source change is not", () => {
    const base = declaredUsers();
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: 22, maxLength: 22 }), fc.boolean(), fc.boolean(), (keys, spacedFlags, fillDefaults) => {
        const rows = base.attributeMappings.map((r, i) => ({ r, k: keys[i]! })).sort((a, b) => a.k - b.k).map((x) => structuredClone(x.r));
        const variant: ObjectMapping = {
          ...structuredClone(base),
          flowTypes: spacedFlags ? "Delete, Update, Add" : "Add,Update,Delete",
          attributeMappings: rows.map((r) => (fillDefaults ? { flowType: "Always" as const, flowBehavior: "FlowWhenChanged" as const, exportMissingReferences: false, defaultValue: null, matchingPriority: 0, ...r } : r)),
        };
        expect(objectMappingDifferences(variant, liveUsers())).toEqual([]);
      }),
      { numRuns: 50 },
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 21 }), fc.constantFrom("city", "companyName", "extensionAttribute3"), (i, name) => {
        const m = structuredClone(base);
        const row = m.attributeMappings[i]!;
        fc.pre(row.source?.name !== name);
        row.source = attr(name);
        expect(objectMappingDifferences(m, liveUsers())).toHaveLength(1);
      }),
      { numRuns: 40 },
    );
  });
});

describe("merge", () => {
  it("plans no change for an equivalent declaration", () => {
    const live = scimTemplateSchema();
    const plan = planSchema(live, { objectMappings: [declaredUsers(), declaredGroups()] });
    expect(plan).toMatchObject({ changed: false, ruleId: SCIM_RULE_ID, changes: [] });
    expect(plan.schema).toBe(live);
  });

  it("replaces only the changed mapping and keeps directories, metadata and undeclared mappings", () => {
    const live = scimTemplateSchema();
    (live as unknown as Record<string, unknown>)["@odata.context"] = "https://graph/$metadata#x";
    const users = withRow(declaredUsers(), "title", (r) => ({ ...r, source: attr("department") }));
    const plan = planSchema(live, { objectMappings: [users] });
    expect(plan.changed).toBe(true);
    expect(plan.changes).toEqual([`mapping "${USERS_MAPPING}": attribute "title" source changed`]);
    expect(plan.schema.directories).toEqual(live.directories);
    expect("@odata.context" in plan.schema).toBe(false);
    const rule = plan.schema.synchronizationRules[0]!;
    expect(rule.objectMappings[1]).toEqual(live.synchronizationRules[0]!.objectMappings[1]);
    const merged = rule.objectMappings[0]!;
    expect(merged.metadata).toEqual(live.synchronizationRules[0]!.objectMappings[0]!.metadata);
    expect(merged.flowTypes).toBe("Add, Update, Delete");
    expect(merged.attributeMappings.find((r) => r.targetAttributeName === "title")).toEqual({
      targetAttributeName: "title",
      source: { type: "Attribute", expression: "[department]", name: "department", parameters: [] },
      defaultValue: null,
      exportMissingReferences: false,
      flowBehavior: "FlowWhenChanged",
      flowType: "Always",
      matchingPriority: 0,
    });
    // The merged document is now equivalent: planning again changes nothing.
    expect(planSchema(plan.schema, { objectMappings: [users] }).changed).toBe(false);
  });

  it("adds new mappings and custom target attributes", () => {
    const live = scimTemplateSchema();
    const badge = "urn:ietf:params:scim:schemas:extension:acme:2.0:User:badge";
    const users = declaredUsers();
    users.attributeMappings.push({ targetAttributeName: badge, source: attr("employeeId") });
    const plan = planSchema(live, { objectMappings: [users, { ...declaredGroups(), name: "Second groups" }], customTargetAttributes: { User: [{ name: badge, type: "String" }] } });
    expect(plan.changes).toEqual([`mapping "${USERS_MAPPING}": attribute "${badge}" added`, `mapping "Second groups" added`, `target attribute "User.${badge}" added`]);
    const target = plan.schema.directories[1]!.objects.find((o) => o.name === "User")!;
    expect(target.attributes.find((a) => a.name === badge)).toMatchObject({ name: badge, type: "String", multivalued: false });
    expect(plan.schema.synchronizationRules[0]!.objectMappings.map((m) => m.name)).toEqual([USERS_MAPPING, GROUPS_MAPPING, "Second groups"]);
    expect(planSchema(plan.schema, { objectMappings: [users], customTargetAttributes: { User: [{ name: badge, type: "String" }] } }).changed).toBe(false);
    expect(() => planSchema(live, { objectMappings: [users], customTargetAttributes: { Widget: [{ name: "x" }] } })).toThrow(/no object "Widget"/);
  });

  it("selects rules and explains ambiguity", () => {
    const live = scimTemplateSchema();
    expect(selectRule(live, { objectMappings: [declaredUsers()] }).id).toBe(SCIM_RULE_ID);
    expect(() => selectRule(live, { ruleId: "nope", objectMappings: [] })).toThrow(/"nope" is not in the job schema/);
    const two = scimTemplateSchema();
    two.synchronizationRules.push({ ...structuredClone(two.synchronizationRules[0]!), id: "other", objectMappings: [] });
    expect(() => selectRule(two, { objectMappings: [{ ...declaredUsers(), name: "Nowhere" }] })).toThrow(/set ruleId/);
    expect(selectRule(two, { objectMappings: [declaredUsers()] }).id).toBe(SCIM_RULE_ID);
  });

  it("projects live mappings, keeping the recorded form when equivalent", () => {
    const live = scimTemplateSchema();
    const declared = [declaredUsers(), declaredGroups()];
    expect(projectLiveMappings(live, SCIM_RULE_ID, declared)).toEqual(declared);
    live.synchronizationRules[0]!.objectMappings[1]!.enabled = false;
    const projected = projectLiveMappings(live, SCIM_RULE_ID, declared);
    expect(projected[0]).toBe(declared[0]);
    expect(projected[1]).toMatchObject({ name: GROUPS_MAPPING, enabled: false, flowTypes: "Add, Update, Delete" });
    live.synchronizationRules[0]!.objectMappings.splice(1, 1);
    expect(projectLiveMappings(live, SCIM_RULE_ID, declared).map((m) => m.name)).toEqual([USERS_MAPPING]);
  });
});

describe("declaration checks", () => {
  it("accepts the defaults and rejects malformed declarations with property paths", () => {
    expect(validateDeclaration({ objectMappings: [declaredUsers(), declaredGroups()] })).toEqual([]);
    const bad = declaredUsers();
    bad.flowTypes = "Add, Upsert";
    bad.attributeMappings.push({ targetAttributeName: "userName", source: attr("mail") });
    bad.attributeMappings.push({ targetAttributeName: "nickName", source: { type: "Attribute", name: "x", parameters: [{ key: "k", value: attr("y") }] } });
    bad.attributeMappings.push({ targetAttributeName: "title2", source: null });
    bad.attributeMappings.push({ targetAttributeName: "title3", source: attr("mail"), flowType: "Sometimes" as never, matchingPriority: 1 });
    const problems = validateDeclaration({ objectMappings: [bad, { ...declaredGroups(), name: bad.name }] });
    const text = problems.map((p) => `${p.property}: ${p.reason}`);
    expect(text).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/objectMappings\[0\]\.flowTypes: "Add, Upsert"/),
        expect.stringMatching(/attributeMappings\[22\]\.targetAttributeName: duplicate target "userName"/),
        expect.stringMatching(/attributeMappings\[23\]\.source\.parameters: only Function sources take parameters/),
        expect.stringMatching(/attributeMappings\[24\]\.source: a mapping without source needs a defaultValue/),
        expect.stringMatching(/attributeMappings\[25\]\.flowType/),
        expect.stringMatching(/attributeMappings\[25\]\.matchingPriority: matching precedence 1 used twice/),
        expect.stringMatching(/objectMappings\[1\]\.name: duplicate mapping name/),
      ]),
    );
    const noMatch = declaredGroups();
    noMatch.attributeMappings = noMatch.attributeMappings.map((r) => ({ ...r, matchingPriority: 0 }));
    expect(validateDeclaration({ objectMappings: [noMatch] })[0]?.reason).toMatch(/at least one matching attribute/);
    expect(validateDeclaration({ objectMappings: "x" as never })[0]?.property).toBe("objectMappings");
  });
});
