import { describe, expect, it, beforeAll } from "vitest";
import { runProgram, TOKENS, type Registered } from "./harness";
import { listAppFiles } from "../../src/spec/project";
import { loadAppFile } from "../../src/spec/load";
import { root } from "./harness";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

const APPS = ["ipass-smartconnect", "ironwifi", "jumpcloud", "airstack", "spaceiq"];

describe("the dev stack under mocks", () => {
  let registered: Registered[];
  let outputs: Record<string, any>;
  beforeAll(async () => {
    ({ registered, outputs } = await runProgram("dev"));
  });
  const ofType = (t: string) => registered.filter((r) => r.type === t);

  it("creates one Entra component per app, and an Okta component for IronWifi", () => {
    expect(ofType("scimops:entra:ProvisionedApp").map((r) => r.name).sort()).toEqual(APPS.map((a) => `${a}-entra`).sort());
    expect(ofType("scimops:okta:ProvisionedApp").map((r) => r.name)).toEqual(["ironwifi-okta"]);
  });

  it("parents every child to its component", () => {
    const children = registered.filter((r) => !r.type.startsWith("scimops:") && !r.type.startsWith("pulumi:"));
    expect(children.length).toBeGreaterThan(30);
    for (const child of children) {
      const app = child.name.replace(/-(entra|okta).*$/, "");
      expect(APPS).toContain(app);
      expect(child.parent, child.name).toBe(`${app}-${child.name.includes("-okta") ? "okta" : "entra"}`);
    }
  });

  it("creates gallery apps from their gallery template and non-gallery apps from the non-gallery one, jobs paused", () => {
    const apps = Object.fromEntries(ofType("pulumi-nodejs:dynamic/scimops:EnterpriseApp").map((r) => [r.name, r.inputs]));
    expect(apps["ipass-smartconnect-entra"]).toMatchObject({ displayName: "iPass SmartConnect", galleryName: "iPass SmartConnect", allowDelete: true });
    expect(apps["ipass-smartconnect-entra"]!.templateId).toBeUndefined();
    expect(apps["jumpcloud-entra"]).toMatchObject({ displayName: "Real-time JumpCloud Import", templateId: "8adf8e6e-67b2-4cf2-a259-e3dc5476c621" });
    expect(apps["ironwifi-entra"]!.templateId).toBe("8adf8e6e-67b2-4cf2-a259-e3dc5476c621");
    const jobs = Object.fromEntries(ofType("pulumi-nodejs:dynamic/scimops:SynchronizationJob").map((r) => [r.name, r.inputs]));
    expect(jobs["jumpcloud-entra-job"]).toMatchObject({ templateId: "scim", servicePrincipalId: "sp-jumpcloud-entra" });
    // Gallery apps: the provider resolves the default template once, at creation.
    expect(jobs["airstack-entra-job"]!.templateId).toBeUndefined();
    // Graph's job id (not a provider-style path) reaches the settings, schema and status.
    const dynamic = registered.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic"));
    for (const kind of ["settings", "schema", "status"]) expect(dynamic.find((r) => r.name === `jumpcloud-entra-${kind}`)!.inputs.jobId).toBe("scim.job.jumpcloud-entra-job");
  });

  it("needs no azuread or okta plugin for the Entra part: every Entra resource is ours, on one Graph connection", () => {
    const entraChildren = registered.filter((r) => r.parent?.endsWith("-entra"));
    expect(entraChildren.length).toBe(31);
    for (const r of entraChildren) {
      expect(r.type, r.name).toMatch(/^pulumi-nodejs:dynamic\/scimops:/);
      expect(r.inputs.graph, r.name).toEqual({ cloud: "global" });
    }
  });

  it("passes the files' settings and complete mappings to the Graph-backed resources", () => {
    const dynamic = registered.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic"));
    const settings = dynamic.find((r) => r.name === "jumpcloud-entra-settings")!;
    expect(settings.inputs).toMatchObject({ baseAddress: "https://api.jumpcloud.com/scim/v2/?aadOptscim062020", syncAll: false, skipOutOfScopeDeletions: false });
    expect(settings.inputs.notifications).toMatchObject({ enabled: true, recipients: "identity-dev@contoso.example", deleteThresholdEnabled: true, deleteThresholdValue: 500 });
    expect(dynamic.find((r) => r.name === "ironwifi-entra-settings")!.inputs.baseAddress).toBe("https://us-east.ironwifi.com/scim/v2");
    const schema = dynamic.find((r) => r.name === "jumpcloud-entra-schema")!;
    const mappings = schema.inputs.objectMappings as any[];
    const file = loadAppFile(`${root}/mappings/jumpcloud.yaml`);
    if (!file.ok) throw new Error("jumpcloud.yaml does not load");
    expect(mappings.map((m) => m.enabled)).toEqual([true, false]);
    expect(mappings[0].attributeMappings.map((a: any) => a.targetAttributeName)).toEqual(file.app.spec.entra!.mappings.users.attributes.map((a) => a.target));
    const userName = mappings[0].attributeMappings.find((a: any) => a.targetAttributeName === "userName");
    expect(userName).toMatchObject({ matchingPriority: 1, source: { type: "Attribute", name: "mailNickname" } });
    expect(mappings[0].flowTypes).toBe("Add, Update, Delete");
    // Dynamic providers are serialized by the SDK even under mocks: a captured client would fail here.
    expect(typeof schema.inputs.__provider).toBe("string");
  });

  it("keeps every token secret and never in plain inputs", () => {
    const settings = registered.filter((r) => r.name.endsWith("-entra-settings"));
    expect(settings).toHaveLength(5);
    for (const s of settings) expect(s.secretInputs).toContain("secretToken");
    const serialized = JSON.stringify(registered.map((r) => ({ ...r, inputs: Object.fromEntries(Object.entries(r.inputs).filter(([k]) => !r.secretInputs.includes(k))) })));
    for (const token of Object.values(TOKENS)) expect(serialized).not.toContain(token);
    expect(JSON.stringify(outputs)).not.toContain(TOKENS.ironwifiScimToken);
  });

  it("assigns the stack's groups with their roles as one set per app, starts provisioning after settings and schema", () => {
    const assignments = ofType("pulumi-nodejs:dynamic/scimops:AppRoleAssignments");
    expect(assignments).toHaveLength(5);
    const stackApps = (parse(readFileSync(join(root, "stacks", "Pulumi.dev.yaml"), "utf8")) as { config: { "scimops:apps": { name: string; assignments: { group: string; role: string }[] }[] } }).config["scimops:apps"];
    for (const a of assignments) {
      const declared = stackApps.find((s) => a.name.startsWith(`${s.name}-`))!.assignments;
      expect(declared.some((d) => d.group === "SCIM Pilot")).toBe(true);
      expect(a.inputs.assignments).toEqual(declared.map((d) => ({ principal: d.group, principalType: "Group", role: d.role })));
    }
    const status = registered.filter((r) => r.name.endsWith("-entra-status"));
    expect(status.map((s) => s.inputs.status)).toEqual(["on", "on", "on", "on", "on"]);
    const onDemand = ofType("pulumi-nodejs:dynamic/scimops:ProvisionOnDemand");
    expect(onDemand.map((r) => r.name)).toEqual(["ipass-smartconnect-entra-on-demand"]);
    expect(onDemand[0]!.inputs).toMatchObject({ ruleId: "rule-1", subjects: [{ principal: "pilot.user@contoso.example", principalType: "User" }] });
    expect(onDemand[0]!.inputs.trigger).toMatch(/^[0-9a-f]{64}$/);
  });

  it("exports ids, tenant URL, matching attribute, and IronWifi's Okta manual step with its values", () => {
    expect(outputs.jumpcloud.entra).toMatchObject({ tenantUrl: "https://api.jumpcloud.com/scim/v2/?aadOptscim062020", matchingAttribute: "[mailNickname] → userName", jobId: "scim.job.jumpcloud-entra-job", servicePrincipalId: "sp-jumpcloud-entra" });
    const steps: string[] = outputs.ironwifi.okta.manualSteps;
    const text = steps.join("\n");
    expect(text).toContain("SCIM connector base URL = https://us-east.ironwifi.com/scim/v2");
    expect(text).toContain("Unique identifier field for users = userName");
    expect(text).toContain("Push New Users, Push Profile Updates, Push Groups");
    expect(text).toContain("HTTP Header");
    expect(text).toContain("scimops:ironwifiScimToken");
    expect(text).not.toContain(TOKENS.ironwifiScimToken);
  });

  it("registers IronWifi's Okta app and assignments, and leaves mappings and pushes to phase 2 (okta-two-phase.test.ts)", () => {
    expect(ofType("okta:app/autoLogin:AutoLogin")[0]!.inputs).toMatchObject({ label: "IronWifi SCIM" });
    expect(ofType("okta:index/appGroupAssignments:AppGroupAssignments")).toHaveLength(1);
    expect([...ofType("okta:profile/mapping:Mapping"), ...ofType("okta:index/pushGroup:PushGroup")]).toEqual([]);
  });

  it("lets dev delete what leaves the stack (allowDeletion: true)", () => {
    for (const r of registered.filter((r) => !r.type.startsWith("scimops:") && !r.type.startsWith("pulumi:"))) expect(r.retainOnDelete, r.name).toBe(false);
    expect(listAppFiles(root)).toHaveLength(5);
  });
});
