/**
 * examples/azuread-interop.ts under mocks: a group the user's program creates with @pulumi/azuread
 * reaches scimops' assignments as its object id, and an azuread ServicePrincipal is adopted. The azuread
 * mocks enforce what the provider does for these inputs (display name required; security or mail enabled,
 * terraform-provider-azuread group_resource.go) and return a GUID `objectId`.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";

describe("composition with @pulumi/azuread resources of the user's own program", () => {
  it("passes the azuread group's objectId into the assignment set and adopts an azuread service principal", async () => {
    const registered: pulumi.runtime.MockResourceArgs[] = [];
    const groupId = randomUUID();
    const spId = randomUUID();
    pulumi.runtime.setAllConfig({ "scimops:jumpcloudApiKey": "jc-interop-key" }, ["scimops:jumpcloudApiKey"]);
    await pulumi.runtime.setMocks(
      {
        newResource(args) {
          registered.push(args);
          const inputs = args.inputs as Record<string, unknown>;
          if (args.type === "azuread:index/group:Group") {
            if (typeof inputs.displayName !== "string" || inputs.displayName === "") throw new Error("azuread.Group: display_name must not be empty");
            if (!inputs.securityEnabled && !inputs.mailEnabled) throw new Error("azuread.Group: one of `mail_enabled,security_enabled` must be specified");
            return { id: groupId, state: { ...inputs, objectId: groupId } };
          }
          if (args.type === "azuread:index/servicePrincipal:ServicePrincipal") return { id: `/servicePrincipals/${spId}`, state: { ...inputs, objectId: spId } };
          if (args.type === "pulumi-nodejs:dynamic/scimops:EnterpriseApp") return { id: String(inputs.adoptServicePrincipalId), state: { ...inputs, servicePrincipalId: inputs.adoptServicePrincipalId } };
          if (args.type === "pulumi-nodejs:dynamic/scimops:SynchronizationJob") return { id: "scim.job", state: { ...inputs, jobId: "scim.job" } };
          return { id: `${args.name}-id`, state: inputs };
        },
        call: (args) => args.inputs,
      },
      "scimops",
      "interop",
      false,
    );
    const azuread = await import("@pulumi/azuread");
    const { deploy } = await import("../../examples/azuread-interop");
    const existing = new azuread.ServicePrincipal("existing-jumpcloud", { clientId: randomUUID() });
    const out = deploy({ existingApp: existing });
    const sp = await new Promise<string>((r) => out.servicePrincipalId.apply((v) => (r(v), v)));
    await new Promise((r) => setTimeout(r, 300));
    expect(sp).toBe(spId);
    const assignments = registered.find((a) => a.type === "pulumi-nodejs:dynamic/scimops:AppRoleAssignments")!;
    expect(assignments.inputs.assignments).toEqual([{ principal: groupId, principalType: "Group", role: "User" }]);
    expect(registered.find((a) => a.type === "pulumi-nodejs:dynamic/scimops:EnterpriseApp")!.inputs).toMatchObject({ adoptServicePrincipalId: spId });
    for (const a of registered.filter((x) => x.type.startsWith("pulumi-nodejs:dynamic/scimops:"))) expect(a.inputs.servicePrincipalId ?? spId).toBe(spId);
  });
});
