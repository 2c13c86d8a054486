import { describe, expect, it } from "vitest";
import { driftCommand, manualStepsText, upCommand, type Spawn } from "../../src/cli/pulumi";

function fakePulumi(responses: Record<string, { code: number; stdout?: string }>) {
  const calls: string[][] = [];
  const run: Spawn = async (args) => {
    calls.push(args);
    const r = responses[args[0]!] ?? { code: 0 };
    return { code: r.code, stdout: r.stdout ?? "" };
  };
  return { calls, run };
}

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: (s: string) => void out.push(s), stderr: (s: string) => void err.push(s) }, out, err };
}

const outputs = { apps: { ironwifi: { okta: { manualSteps: ["Provisioning → Integration → Edit: SCIM connector base URL = https://us-east.ironwifi.com/scim/v2"] } }, jumpcloud: { entra: { jobId: "scim.1" } } } };

describe("scimops up", () => {
  it("runs pulumi up on the stack, then prints the manual steps from the stack outputs", async () => {
    const { calls, run } = fakePulumi({ stack: { code: 0, stdout: JSON.stringify(outputs) } });
    const { io, out } = capture();
    expect(await upCommand(["--stack", "dev", "--yes"], io, run)).toBe(0);
    expect(calls).toEqual([["up", "--stack", "dev", "--yes"], ["stack", "output", "--json", "--stack", "dev"]]);
    expect(out.join("\n")).toContain("ironwifi (Okta)");
    expect(out.join("\n")).toContain("1. Provisioning → Integration → Edit: SCIM connector base URL = https://us-east.ironwifi.com/scim/v2");
  });

  it("stops with pulumi's exit code when up fails", async () => {
    const { calls, run } = fakePulumi({ up: { code: 255 } });
    expect(await upCommand([], capture().io, run)).toBe(255);
    expect(calls).toHaveLength(1);
  });

  it("prints nothing extra when no app has manual steps", () => {
    expect(manualStepsText({ apps: { jumpcloud: { entra: {} } } })).toBe("");
  });
});

describe("scimops drift", () => {
  it("is pulumi preview --refresh --expect-no-changes and passes its exit status through", async () => {
    const drifted = fakePulumi({ preview: { code: 255 } });
    const { io, err } = capture();
    expect(await driftCommand(["--stack", "prod"], io, drifted.run)).toBe(255);
    expect(drifted.calls[0]).toEqual(["preview", "--refresh", "--expect-no-changes", "--diff", "--non-interactive", "--stack", "prod"]);
    expect(err.join("")).toContain("drift");
    const clean = fakePulumi({});
    expect(await driftCommand([], capture().io, clean.run)).toBe(0);
  });
});
