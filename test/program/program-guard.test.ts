import { describe, expect, it } from "vitest";
import { stackFileConfig, root, TOKENS } from "./harness";

describe("assignments with the Default Access role", () => {
  it("are refused before anything is registered", async () => {
    const pulumi = await import("@pulumi/pulumi");
    const registered: string[] = [];
    pulumi.runtime.setAllConfig(
      stackFileConfig("dev", (config) => {
        config["scimops:apps"] = [{ name: "airstack", assignments: [{ group: "Everyone", role: "Default Access" }] }];
      }),
      Object.keys(TOKENS).map((k) => `scimops:${k}`),
    );
    await pulumi.runtime.setMocks(
      {
        newResource: (args) => (registered.push(args.type), { id: `${args.name}-id`, state: args.inputs }),
        call: () => ({}),
      },
      "scimops",
      "dev",
    );
    const program = await import("../../src/program");
    expect(() => program.run(root)).toThrow(/group Everyone is assigned with the Default Access role, and users with the Default Access role are excluded from provisioning/);
    await new Promise((r) => setTimeout(r, 100));
    expect(registered.filter((t) => !t.startsWith("scimops:"))).toEqual([]);
  });
});
