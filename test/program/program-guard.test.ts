import { describe, expect, it } from "vitest";
import { runProgram } from "./harness";

describe("assignments with the Default Access role", () => {
  it("are refused before anything is registered", async () => {
    await expect(
      runProgram("dev", (config) => {
        config["scimops:apps"] = [{ name: "airstack", assignments: [{ group: "Everyone", role: "Default Access" }] }];
      }),
    ).rejects.toThrow(/Default Access role are excluded from provisioning/);
  });
});
