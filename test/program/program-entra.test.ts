import { describe, expect, it } from "vitest";
import { runProgram } from "./harness";

const SP = "3f0c2b1a-9d8e-4f7a-8b6c-5d4e3f2a1b0c";

describe("the Entra wiring under mocks", () => {
  it("one cloud setting drives every Graph-backed resource, the non-gallery template follows it, and stack ids adopt", async () => {
    const { registered } = await runProgram("dev", (config) => {
      config["scimops:cloud"] = "usgovernment";
      config["scimops:apps"] = [{ name: "jumpcloud", servicePrincipalId: SP, jobId: "scim.existing.job", assignments: [{ group: "SCIM Pilot", role: "User" }] }];
    });
    const dynamic = registered.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/scimops:"));
    expect(dynamic.length).toBe(6);
    for (const r of dynamic) expect(r.inputs.graph, r.name).toEqual({ cloud: "usgovernment" });
    const app = dynamic.find((r) => r.type.endsWith(":EnterpriseApp"))!;
    expect(app.inputs).toMatchObject({ templateId: "4602d0b4-76bb-404b-bca9-2652e1a39c6d", adoptServicePrincipalId: SP });
    const job = dynamic.find((r) => r.type.endsWith(":SynchronizationJob"))!;
    expect(job.inputs).toMatchObject({ servicePrincipalId: SP, adoptJobId: "scim.existing.job" });
    expect(dynamic.find((r) => r.name === "jumpcloud-entra-schema")!.inputs).toMatchObject({ servicePrincipalId: SP, jobId: "scim.existing.job" });
  });
});
