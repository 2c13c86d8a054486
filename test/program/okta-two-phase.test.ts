/**
 * The IronWifi Okta path in both phases of the stack's `okta.provisioning`, run under the provider-true
 * Okta mock (okta-mock.ts): what reaches Okta, with which ids, in which order.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { root, runProgram, type Registered } from "./harness";
import { fixtureOrg, OKTA_ID, OktaOrgMock, SCIM_FEATURES, type FixtureOrg } from "./okta-mock";

type Config = Record<string, unknown>;
const OKTA_TYPES = ["okta:app/autoLogin:AutoLogin", "okta:index/appGroupAssignments:AppGroupAssignments", "okta:profile/mapping:Mapping", "okta:index/pushGroup:PushGroup"];

/** Sets the IronWifi entry's `okta:` block of a stack. */
function ironwifiOkta(okta: Record<string, unknown>) {
  return (config: Config) => {
    const apps = config["scimops:apps"] as Record<string, unknown>[];
    config["scimops:apps"] = apps.map((a) => (a.name === "ironwifi" ? { ...a, okta: { ...(a.okta as object), ...okta } } : a));
  };
}

const provisioned = (org: Partial<FixtureOrg> = {}) => new OktaOrgMock(fixtureOrg({ provisioned: { "IronWifi SCIM": SCIM_FEATURES }, ...org }));
const ofType = (registered: Registered[], type: string) => registered.filter((r) => r.type === type);

describe("Okta, phase 1 (okta.provisioning: pending, the default)", () => {
  it("creates an App Integration Wizard SWA app (AUTO_LOGIN) with its username template, through the stack's explicit provider", async () => {
    const { registered, outputs, okta } = await runProgram("dev");
    const providers = ofType(registered, "pulumi:providers:okta");
    expect(providers.map((p) => p.inputs)).toEqual([{ orgName: "contoso", baseUrl: "oktapreview.com" }]);
    expect(ofType(registered, "okta:app/swa:Swa")).toEqual([]);
    const [app] = ofType(registered, "okta:app/autoLogin:AutoLogin");
    expect(app!.inputs).toMatchObject({ label: "IronWifi SCIM", signOnUrl: "https://console.ironwifi.com/", userNameTemplate: "${source.login}", userNameTemplateType: "BUILT_IN", status: "ACTIVE" });
    for (const r of registered.filter((r) => r.type.startsWith("okta:"))) expect(r.provider, r.name).toBe(providers[0]!.name);
    expect(outputs.ironwifi.okta.appId).toMatch(OKTA_ID.app);
    expect(okta.apps.get(outputs.ironwifi.okta.appId)).toMatchObject({ name: "contoso_ironwifiscim_1", signOnMode: "AUTO_LOGIN" });
    expect(okta.errors).toEqual([]);
  });

  it("assigns the stack's groups (dev: SCIM Pilot) by their Okta ids, and nothing that needs SCIM yet", async () => {
    const { registered, okta } = await runProgram("dev");
    const [assignments] = ofType(registered, "okta:index/appGroupAssignments:AppGroupAssignments");
    const pilot = okta.groups.find((g) => g.name === "SCIM Pilot")!;
    expect(pilot.id).toMatch(OKTA_ID.group);
    expect(assignments!.inputs.groups).toEqual([{ id: pilot.id, priority: 0, profile: "{}" }]);
    expect(ofType(registered, "okta:profile/mapping:Mapping")).toEqual([]);
    expect(ofType(registered, "okta:index/pushGroup:PushGroup")).toEqual([]);
  });

  it("exports the Admin Console steps, ending with the flag to set and the rerun", async () => {
    const { outputs } = await runProgram("dev");
    expect(outputs.ironwifi.okta.provisioning).toBe("pending");
    const steps: string[] = outputs.ironwifi.okta.manualSteps;
    expect(steps.join("\n")).toContain("SCIM connector base URL = https://us-east.ironwifi.com/scim/v2");
    expect(steps.at(-1)).toContain("okta: { provisioning: enabled }");
    expect(steps.at(-1)).toContain("stacks/Pulumi.dev.yaml");
    expect(steps.at(-1)).toContain("scimops up");
  });

  it("assigns prod's own Okta group, never one it pushes", async () => {
    const { registered, okta } = await runProgram("prod");
    const [assignments] = ofType(registered, "okta:index/appGroupAssignments:AppGroupAssignments");
    expect(assignments!.inputs.groups).toEqual([{ id: okta.groups.find((g) => g.name === "IronWifi Users")!.id, priority: 0, profile: "{}" }]);
    const [app] = ofType(registered, "okta:app/autoLogin:AutoLogin");
    expect(app!.protect).toBe(true);
  });
});

describe("Okta, phase 2 (okta.provisioning: enabled)", () => {
  it("maps the app-user attributes SCIM added, from the user type, replaced with the app, never deleted", async () => {
    const { registered, outputs, okta } = await runProgram("dev", ironwifiOkta({ provisioning: "enabled" }), provisioned());
    const [mapping] = ofType(registered, "okta:profile/mapping:Mapping");
    expect(mapping!.inputs).toMatchObject({ sourceId: okta.userTypeId, targetId: outputs.ironwifi.okta.appId, deleteWhenAbsent: false });
    expect(okta.userTypeId).toMatch(OKTA_ID.userType);
    expect(mapping!.inputs.mappings).toEqual([
      { id: "givenName", expression: "user.firstName", pushStatus: "PUSH" },
      { id: "familyName", expression: "user.lastName", pushStatus: "PUSH" },
    ]);
    // No ForceNew on source_id/target_id in the provider: a replaced app must replace the mapping.
    expect(mapping!.replaceOnChanges).toEqual(expect.arrayContaining(["sourceId", "targetId"]));
    // The provider's delete nulls every property but `login`; the mapping goes with its app instead.
    expect(mapping!.retainOnDelete).toBe(true);
    expect(mapping!.dependsOn).toContain("ironwifi-okta-assignments");
    expect(outputs.ironwifi.okta.profileMappingId).toMatch(OKTA_ID.mapping);
    expect(okta.errors).toEqual([]);
  });

  it("pushes each policy group by its exact Okta group, links IronWifi's imported group by id, after the assignments", async () => {
    const { registered, outputs, okta } = await runProgram("dev", ironwifiOkta({ provisioning: "enabled" }), provisioned());
    const pushes = ofType(registered, "okta:index/pushGroup:PushGroup");
    const idOf = (name: string, type = "OKTA_GROUP") => okta.groups.find((g) => g.name === name && g.type === type)!.id;
    expect(pushes.map((p) => p.inputs.sourceGroupId)).toEqual([idOf("Corporate-WiFi"), idOf("Guest-WiFi"), idOf("Contractors")]);
    const byName = Object.fromEntries(pushes.map((p) => [p.name, p.inputs]));
    expect(byName["ironwifi-okta-push-guest-wifi"]).toMatchObject({ targetGroupId: idOf("Guest-WiFi", "APP_GROUP") });
    expect(byName["ironwifi-okta-push-guest-wifi"]!.targetGroupName).toBeUndefined();
    expect(byName["ironwifi-okta-push-corporate-wifi"]).toMatchObject({ targetGroupName: "Corporate-WiFi" });
    expect(byName["ironwifi-okta-push-contractors"]).toMatchObject({ targetGroupName: "Contractors" });
    for (const p of pushes) {
      expect(p.inputs.deleteTargetGroupOnDestroy, p.name).toBe(false);
      expect(p.dependsOn, p.name).toContain("ironwifi-okta-assignments");
    }
    for (const id of Object.values(outputs.ironwifi.okta.pushGroupIds as Record<string, string>)) expect(id).toMatch(OKTA_ID.pushMapping);
    expect(okta.errors).toEqual([]);
  });

  it("fails with the manual steps when the app's features show SCIM is not on yet", async () => {
    const org = new OktaOrgMock(fixtureOrg());
    const run = runProgram("dev", ironwifiOkta({ provisioning: "enabled" }), org);
    await expect(run).rejects.toThrow(/provisioning is not enabled in Okta for IronWifi SCIM[\s\S]*missing SCIM_PROVISIONING[\s\S]*SCIM connector base URL = https:\/\/us-east\.ironwifi\.com\/scim\/v2/);
    // The check runs first: nothing that needs SCIM reached Okta.
    expect(org.errors).toEqual([]);
  });

  it("names the missing Push Groups feature rather than letting Okta refuse the push", async () => {
    const features = SCIM_FEATURES.filter((f) => f !== "GROUP_PUSH");
    await expect(runProgram("dev", ironwifiOkta({ provisioning: "enabled" }), provisioned({ provisioned: { "IronWifi SCIM": features } }))).rejects.toThrow(/missing GROUP_PUSH/);
  });
});

describe("Okta group lookup (getGroup matches a name prefix; IronWifi matches names case-sensitively)", () => {
  const without = (name: string) => fixtureOrg({ provisioned: { "IronWifi SCIM": SCIM_FEATURES } }).groups.filter((g) => g.name !== name);

  it("refuses the one prefix sibling getGroup returns when the group itself is missing", async () => {
    const org = provisioned({ groups: without("Contractors") });
    await expect(runProgram("dev", ironwifiOkta({ provisioning: "enabled" }), org)).rejects.toThrow(/Okta group `Contractors` does not exist .*`Contractors-EU`/);
    expect(org.errors).toEqual([]);
  });

  it("refuses a group that differs only in case", async () => {
    const groups = [...without("Guest-WiFi"), { name: "guest-wifi", type: "OKTA_GROUP" as const }];
    await expect(runProgram("dev", ironwifiOkta({ provisioning: "enabled" }), provisioned({ groups }))).rejects.toThrow(/Okta group `Guest-WiFi` does not exist .*`guest-wifi`/);
  });

  it("takes the Okta group, not an app group of the same name", async () => {
    const { registered, okta } = await runProgram("dev", ironwifiOkta({ provisioning: "enabled" }), provisioned());
    const guest = ofType(registered, "okta:index/pushGroup:PushGroup").find((p) => p.name.endsWith("guest-wifi"))!;
    expect(okta.groups.find((g) => g.id === guest.inputs.sourceGroupId)!.type).toBe("OKTA_GROUP");
  });
});

describe("Okta guards before anything is registered", () => {
  it("refuses a stack whose Okta assignments include a pushed group", async () => {
    const org = provisioned({ host: "contoso.okta.com" });
    await expect(runProgram("prod", ironwifiOkta({ assignments: ["IronWifi Users", "Contractors"] }), org)).rejects.toThrow(/`Contractors` is both assigned to the app and pushed/);
    expect(org.apps.size).toBe(0);
  });

  it("needs the stack's oktaOrg for the explicit provider", async () => {
    await expect(runProgram("dev", (c) => void delete c["scimops:oktaOrg"])).rejects.toThrow(/scimops:oktaOrg/);
  });

  it("keeps every Okta resource on the mock's known types", async () => {
    const { registered } = await runProgram("dev", ironwifiOkta({ provisioning: "enabled" }), provisioned());
    const types = new Set(registered.filter((r) => r.type.startsWith("okta:")).map((r) => r.type));
    expect([...types].sort()).toEqual([...OKTA_TYPES].sort());
  });
});

describe("Okta, a custom SAML 2.0 app", () => {
  it("carries every field Okta requires of a custom SAML app, with the username template", async () => {
    // The same IronWifi file as a SAML app, in a mappings folder of its own (the stack's mappingsDir).
    const dir = mkdtempSync(join(tmpdir(), "scimops-saml-"));
    cpSync(join(root, "mappings"), dir, { recursive: true });
    const file = join(dir, "ironwifi.yaml");
    writeFileSync(
      file,
      readFileSync(file, "utf8").replace("    signOnMode: SWA\n", "    signOnMode: SAML_2_0\n    saml: { ssoUrl: \"https://sso.example.com/acs\", audience: \"https://sso.example.com\" }\n").replace("    loginUrl: https://console.ironwifi.com/\n", ""),
    );
    const { registered, okta } = await runProgram("dev", (c) => void (c["scimops:mappingsDir"] = relative(root, dir)));
    const [app] = ofType(registered, "okta:app/saml:Saml");
    expect(app!.inputs).toMatchObject({ ssoUrl: "https://sso.example.com/acs", recipient: "https://sso.example.com/acs", destination: "https://sso.example.com/acs", audience: "https://sso.example.com", userNameTemplate: "${source.login}", responseSigned: true, assertionSigned: true });
    expect(ofType(registered, "okta:app/autoLogin:AutoLogin")).toEqual([]);
    expect(okta.errors).toEqual([]);
  });
});
