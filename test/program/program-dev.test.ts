import { describe, expect, it, beforeAll } from "vitest";
import { runProgram, TOKENS, type Registered } from "./harness";
import { listAppFiles } from "../../src/spec/project";
import { loadAppFile } from "../../src/spec/load";
import { root } from "./harness";

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

  it("creates gallery apps from their gallery template and non-gallery apps from the non-gallery one", () => {
    const apps = Object.fromEntries(ofType("azuread:index/applicationFromTemplate:ApplicationFromTemplate").map((r) => [r.name, r.inputs]));
    expect(apps["ipass-smartconnect-entra"]).toEqual({ displayName: "iPass SmartConnect", templateId: "tmpl-iPass SmartConnect" });
    expect(apps["jumpcloud-entra"]).toEqual({ displayName: "Real-time JumpCloud Import", templateId: "8adf8e6e-67b2-4cf2-a259-e3dc5476c621" });
    expect(apps["ironwifi-entra"]!.templateId).toBe("8adf8e6e-67b2-4cf2-a259-e3dc5476c621");
    const jobs = Object.fromEntries(ofType("azuread:index/synchronizationJob:SynchronizationJob").map((r) => [r.name, r.inputs]));
    expect(jobs["jumpcloud-entra-job"]).toMatchObject({ templateId: "scim", enabled: false });
    expect(jobs["airstack-entra-job"]).toMatchObject({ templateId: "galleryTemplate", enabled: false });
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

  it("assigns the one test group with the User role, starts provisioning after settings and schema", () => {
    const assignments = ofType("azuread:index/appRoleAssignment:AppRoleAssignment");
    expect(assignments).toHaveLength(5);
    for (const a of assignments) expect(a.inputs).toMatchObject({ appRoleId: "18d14569-c3bd-439b-9a66-3a2aee01d14f", principalObjectId: "group-SCIM Pilot" });
    const status = registered.filter((r) => r.name.endsWith("-entra-status"));
    expect(status.map((s) => s.inputs.status)).toEqual(["on", "on", "on", "on", "on"]);
    const onDemand = ofType("azuread:index/synchronizationJobProvisionOnDemand:SynchronizationJobProvisionOnDemand");
    expect(onDemand.map((r) => r.name)).toEqual(["ipass-smartconnect-entra-on-demand"]);
    expect(JSON.stringify(onDemand[0]!.inputs.parameters)).toContain("user-pilot.user@contoso.example");
  });

  it("exports ids, tenant URL, matching attribute, and IronWifi's Okta manual step with its values", () => {
    expect(outputs.jumpcloud.entra).toMatchObject({ tenantUrl: "https://api.jumpcloud.com/scim/v2/?aadOptscim062020", matchingAttribute: "[mailNickname] → userName", jobId: "scim.job.jumpcloud-entra-job" });
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
