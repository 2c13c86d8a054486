import { describe, expect, it, beforeAll } from "vitest";
import { runProgram, type Registered } from "./harness";

describe("the prod stack under mocks", () => {
  let registered: Registered[];
  beforeAll(async () => {
    ({ registered } = await runProgram("prod"));
  });

  it("retains everything that leaves the stack and protects the enterprise apps", () => {
    const children = registered.filter((r) => !r.type.startsWith("scimops:") && !r.type.startsWith("pulumi:"));
    expect(children.length).toBeGreaterThan(30);
    for (const r of children) expect(r.retainOnDelete, r.name).toBe(true);
    const apps = registered.filter((r) => r.type === "pulumi-nodejs:dynamic/scimops:EnterpriseApp" || r.type === "okta:app/autoLogin:AutoLogin");
    expect(apps).toHaveLength(6);
    for (const a of apps) expect(a.protect, a.name).toBe(true);
  });

  it("assigns IronWifi's three policy groups", () => {
    const ironwifi = registered.filter((r) => r.type === "pulumi-nodejs:dynamic/scimops:AppRoleAssignments" && r.name.startsWith("ironwifi-"));
    expect(ironwifi).toHaveLength(1);
    expect((ironwifi[0]!.inputs.assignments as { principal: string }[]).map((a) => a.principal)).toEqual(["Corporate-WiFi", "Guest-WiFi", "Contractors"]);
    expect(ironwifi[0]!.inputs.allowDelete).toBe(false);
  });
});

describe("a stack without allowDeletion, after an app was removed from its list", () => {
  it("keeps the removed app's resources in the tenant (retainOnDelete)", async () => {
    // Not the same process as above is needed: the remaining apps are what the engine compares against state.
    const { registered } = await runProgram("prod", (config) => {
      const apps = config["scimops:apps"] as { name: string }[];
      config["scimops:apps"] = apps.filter((a) => a.name !== "airstack");
    });
    expect(registered.some((r) => r.name.startsWith("airstack"))).toBe(false);
    expect(registered.filter((r) => r.name.startsWith("spaceiq-entra-")).every((r) => r.retainOnDelete === true)).toBe(true);
  });
});
