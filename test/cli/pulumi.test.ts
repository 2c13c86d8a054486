import { describe, expect, it } from "vitest";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { driftCommand, upCommand, type Spawn } from "../../src/cli/pulumi";

const root = join(__dirname, "..", "..");

/** A copy of the project whose dev stack has IronWifi in Okta's phase 2. */
function enabledProject(): string {
  const dir = mkdtempSync(join(tmpdir(), "scimops-up-"));
  for (const d of ["mappings", "stacks"]) cpSync(join(root, d), join(dir, d), { recursive: true });
  const stack = join(dir, "stacks", "Pulumi.dev.yaml");
  writeFileSync(stack, readFileSync(stack, "utf8").replace("okta: { provisioning: pending }", "okta: { provisioning: enabled }"));
  return dir;
}

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

describe("scimops up", () => {
  it("runs pulumi up on the stack, then prints the Okta steps of every app still pending, from the files", async () => {
    const { calls, run } = fakePulumi({});
    const { io, out } = capture();
    expect(await upCommand(["--stack", "dev", "--yes"], io, run, root)).toBe(0);
    expect(calls).toEqual([["up", "--stack", "dev", "--yes"]]);
    const text = out.join("\n");
    expect(text).toContain("ironwifi (Okta, provisioning pending)");
    expect(text).toContain("SCIM connector base URL = https://us-east.ironwifi.com/scim/v2");
    expect(text).toContain("Set `okta: { provisioning: enabled }` on ironwifi's entry in stacks/Pulumi.dev.yaml and run `scimops up --stack dev` again");
  });

  it("prints the steps when the first run fails too, and keeps pulumi's exit code", async () => {
    const { run } = fakePulumi({ up: { code: 255 } });
    const { io, out } = capture();
    expect(await upCommand(["--stack", "prod"], io, run, root)).toBe(255);
    expect(out.join("\n")).toContain("1. Okta Admin Console → Applications → Applications → IronWifi SCIM → General → Edit → Provisioning: SCIM → Save.");
  });

  it("prints nothing once the stack says provisioning is enabled and up succeeds, but the steps again when it fails", async () => {
    const dir = enabledProject();
    const ok = capture();
    expect(await upCommand(["--stack", "dev"], ok.io, fakePulumi({}).run, dir)).toBe(0);
    expect(ok.out.join("\n")).not.toContain("Okta");
    const failed = capture();
    expect(await upCommand(["--stack", "dev"], failed.io, fakePulumi({ up: { code: 1 } }).run, dir)).toBe(1);
    expect(failed.out.join("\n")).toContain("ironwifi (Okta, provisioning enabled in the stack, but `pulumi up` failed: check these were done)");
  });

  it("finds the selected stack when --stack is not given", async () => {
    const { calls, run } = fakePulumi({ stack: { code: 0, stdout: "contoso/scimops/dev\n" } });
    const { io, out } = capture();
    expect(await upCommand([], io, run, root)).toBe(0);
    expect(calls).toEqual([["up"], ["stack", "--show-name"]]);
    expect(out.join("\n")).toContain("stacks/Pulumi.dev.yaml");
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
