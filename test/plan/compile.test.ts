import { join } from "node:path";
import filterOperators from "../fixtures/microsoft/filteroperators-response.json";
import { describe, expect, it } from "vitest";
import { loadAppText, loadAppFile, type LoadedApp } from "../../src/spec/load";
import { compileApp, flowTypesOf } from "../../src/plan/compile";
import { GRAPH_FILTER_OPERATORS, PORTAL_ONLY_SCOPING_OPERATORS, UNARY_SCOPING_OPERATORS } from "../../src/spec/schema";

const root = join(__dirname, "..", "..");
const load = (name: string): LoadedApp => {
  const r = loadAppFile(join(root, "mappings", `${name}.yaml`));
  if (!r.ok) throw new Error(`${name} does not load`);
  return r.app;
};

describe("compileApp", () => {
  it("compiles a non-gallery app for the stack's cloud and parameters", () => {
    const plan = compileApp(load("ironwifi"), { cloud: "usgovernment", stackApp: { name: "ironwifi", idps: ["entra"], parameters: { region: "eu-central" } } });
    expect(plan.entra!.app).toEqual({ kind: "nonGallery", templateId: "4602d0b4-76bb-404b-bca9-2652e1a39c6d", displayName: "IronWifi SCIM" });
    expect(plan.entra!.syncTemplateId).toBe("scim");
    expect(plan.entra!.tenantUrl).toBe("https://eu-central.ironwifi.com/scim/v2");
    expect(plan.entra!.dialect).toBe("legacy");
    expect(plan.okta).toBeUndefined();
  });

  it("leaves the tenant URL unresolved when the environment has not set its parameters", () => {
    const plan = compileApp(load("ironwifi"));
    expect(plan.entra!.tenantUrl).toBeUndefined();
    expect(plan.entra!.tenantUrlTemplate).toBe("https://{region}.ironwifi.com/scim/v2");
    expect(plan.okta!.scimBaseUrl).toBeUndefined();
  });

  it("selects the SCIM-compliant dialect from JumpCloud's aadOptscim062020 flag", () => {
    const plan = compileApp(load("jumpcloud"));
    expect(plan.entra!.dialect).toBe("aadOptscim062020");
    expect(plan.entra!.mappings.map((m) => [m.key, m.graph.enabled])).toEqual([["users", true], ["groups", false]]);
  });

  it("keeps gallery apps' template to the gallery lookup", () => {
    const plan = compileApp(load("spaceiq"));
    expect(plan.entra!.app).toEqual({ kind: "gallery", galleryName: "SpaceIQ", displayName: "SpaceIQ", clouds: ["global"], publicPreview: true });
    expect(plan.entra!.syncTemplateId).toBeUndefined();
  });

  it("writes Graph's objectMapping form: flow types, scoping filter operator names, flow type and defaults", () => {
    const text = `
name: demo
displayName: Demo
entra:
  app: { nonGallery: true, displayName: Demo }
  provisioning: { tenantUrl: "https://demo.example/scim", secretToken: { config: demoToken } }
  mappings:
    users:
      name: Provision Microsoft Entra ID Users
      enabled: true
      sourceObject: User
      targetObject: User
      actions: [update, create]
      scopingFilters:
        - name: Sales staff
          clauses:
            - { attribute: department, operator: EQUALS, value: Sales }
            - { attribute: accountEnabled, operator: IS TRUE }
            - { attribute: employeeId, operator: NOT REGEX MATCH, value: ["^T", "^X"] }
      attributes:
        - { target: userName, source: "[userPrincipalName]", matchingPrecedence: 1 }
        - { target: externalId, source: "[objectId]", apply: onCreate }
        - { target: locale, default: en-US }
`;
    const r = loadAppText("demo.yaml", text);
    if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
    const graph = compileApp(r.app).entra!.mappings[0]!.graph;
    expect(graph.flowTypes).toBe("Add, Update");
    expect(graph.scope!.groups).toEqual([
      {
        name: "Sales staff",
        clauses: [
          { operatorName: "EQUALS", sourceOperandName: "department", targetOperand: { values: ["Sales"] } },
          // spelled as Graph's filterOperators lists them; unary clauses carry targetOperand null (graph-sync.md §13.1)
          { operatorName: "IS TRUE", sourceOperandName: "accountEnabled", targetOperand: null },
          { operatorName: "NOT REGEX MATCH", sourceOperandName: "employeeId", targetOperand: { values: ["^T", "^X"] } },
        ],
      },
    ]);
    const listed = new Set(filterOperators.value.map((o) => o.name));
    for (const c of graph.scope!.groups![0]!.clauses) expect(listed.has(c.operatorName), c.operatorName).toBe(true);
    expect(graph.attributeMappings).toEqual([
      { targetAttributeName: "userName", source: { type: "Attribute", name: "userPrincipalName", expression: "[userPrincipalName]", parameters: [] }, defaultValue: null, exportMissingReferences: false, flowBehavior: "FlowWhenChanged", flowType: "Always", matchingPriority: 1 },
      { targetAttributeName: "externalId", source: { type: "Attribute", name: "objectId", expression: "[objectId]", parameters: [] }, defaultValue: null, exportMissingReferences: false, flowBehavior: "FlowWhenChanged", flowType: "ObjectAddOnly", matchingPriority: 0 },
      { targetAttributeName: "locale", source: null, defaultValue: "en-US", exportMissingReferences: false, flowBehavior: "FlowWhenChanged", flowType: "Always", matchingPriority: 0 },
    ]);
  });

  it("the file's Graph operators are exactly those filterOperators returns (graph-sync.md §13.1)", () => {
    expect([...GRAPH_FILTER_OPERATORS].sort()).toEqual(filterOperators.value.map((o) => o.name).sort());
    const unary = filterOperators.value.filter((o) => o.arity === "Unary").map((o) => o.name);
    expect([...UNARY_SCOPING_OPERATORS].sort()).toEqual(unary.sort());
    for (const op of PORTAL_ONLY_SCOPING_OPERATORS) expect(filterOperators.value.map((o) => o.name)).not.toContain(op);
  });

  it("spells no target object action as None", () => {
    expect(flowTypesOf([])).toBe("None");
    expect(flowTypesOf(["delete", "create", "update"])).toBe("Add, Update, Delete");
  });
});
