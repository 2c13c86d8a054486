import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { upCommand, type Preflight, type Spawn } from "../../src/cli/pulumi";

/** Token formats are checked by test/spec; here up only has to run. */
const noPreflight: Preflight = async () => [];
import { classifyFailure, differingPaths, driftCommand, driftedFields } from "../../src/cli/drift";

const root = join(__dirname, "..", "..");

/** A copy of the project whose dev stack has IronWifi in Okta's phase 2. */
function enabledProject(): string {
  const dir = mkdtempSync(join(tmpdir(), "scimops-up-"));
  for (const d of ["mappings", "stacks"]) cpSync(join(root, d), join(dir, d), { recursive: true });
  const stack = join(dir, "stacks", "Pulumi.dev.yaml");
  const text = readFileSync(stack, "utf8");
  if (!text.includes("okta: { provisioning: pending")) throw new Error("the dev stack no longer has IronWifi in Okta's phase 1");
  writeFileSync(stack, text.replace("okta: { provisioning: pending", "okta: { provisioning: enabled"));
  return dir;
}

function fakePulumi(responses: Record<string, { code: number; stdout?: string }>) {
  const calls: string[][] = [];
  const run: Spawn = async (args) => {
    calls.push(args);
    const r = responses[args[0]!] ?? { code: 0 };
    return { code: r.code, stdout: r.stdout ?? "", stderr: "" };
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
    expect(await upCommand(["--stack", "dev", "--yes"], io, run, noPreflight, root)).toBe(0);
    expect(calls).toEqual([["up", "--stack", "dev", "--yes"]]);
    const text = out.join("\n");
    expect(text).toContain("ironwifi (Okta, provisioning pending)");
    expect(text).toContain("SCIM connector base URL = https://us-east.ironwifi.com/scim/v2");
    expect(text).toContain("Set `okta: { provisioning: enabled }` on ironwifi's entry in stacks/Pulumi.dev.yaml and run `scimops up --stack dev` again");
  });

  it("prints the steps when the first run fails too, and keeps pulumi's exit code", async () => {
    const { run } = fakePulumi({ up: { code: 255 } });
    const { io, out } = capture();
    expect(await upCommand(["--stack", "prod"], io, run, noPreflight, root)).toBe(255);
    expect(out.join("\n")).toContain("1. Okta Admin Console → Applications → Applications → IronWifi SCIM → General → Edit → Provisioning: SCIM → Save.");
  });

  it("prints nothing once the stack says provisioning is enabled and up succeeds, but the steps again when it fails", async () => {
    const dir = enabledProject();
    const ok = capture();
    expect(await upCommand(["--stack", "dev"], ok.io, fakePulumi({}).run, noPreflight, dir)).toBe(0);
    expect(ok.out.join("\n")).not.toContain("Okta");
    const failed = capture();
    expect(await upCommand(["--stack", "dev"], failed.io, fakePulumi({ up: { code: 1 } }).run, noPreflight, dir)).toBe(1);
    expect(failed.out.join("\n")).toContain("ironwifi (Okta, provisioning enabled in the stack, but `pulumi up` failed: check these were done)");
  });

  it("finds the selected stack when --stack is not given", async () => {
    const { calls, run } = fakePulumi({ stack: { code: 0, stdout: "contoso/scimops/dev\n" } });
    const { io, out } = capture();
    expect(await upCommand([], io, run, noPreflight, root)).toBe(0);
    expect(calls).toEqual([["up"], ["stack", "--show-name"]]);
    expect(out.join("\n")).toContain("stacks/Pulumi.dev.yaml");
  });
});

describe("scimops up refuses files with mistakes", () => {
  it("prints each error once as FILE:LINE:COL: error: … — fix, without a stack trace, and never starts Pulumi", async () => {
    const root = mkdtempSync(join(tmpdir(), "scimops-up-"));
    try {
      mkdirSync(join(root, "mappings"));
      mkdirSync(join(root, "stacks"));
      writeFileSync(join(root, "Pulumi.yaml"), "name: scimops\nruntime: nodejs\n");
      copyFileSync(join(__dirname, "..", "fixtures", "broken", "bad-expression.yaml"), join(root, "mappings", "bad-expression.yaml"));
      const { calls, run } = fakePulumi({});
      const { io, err } = capture();
      expect(await upCommand(["--stack", "dev"], io, run, async () => [], root)).toBe(1);
      expect(calls).toEqual([]);
      const errors = err.filter((l) => l.includes(": error: "));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(/^\S*bad-expression\.yaml:\d+:\d+: error: .+ — .+/);
      expect(err.join("\n")).not.toMatch(/\n\s+at |\u001b\[/);

      // The same through the installed command, as a person runs it (PATH without pulumi: never reached).
      const bin = spawnSync(process.execPath, [join(__dirname, "..", "..", "bin", "scimops.cjs"), "up", "--yes"], { cwd: root, encoding: "utf8", env: { ...process.env, PATH: "/nonexistent" } });
      expect(bin.status).toBe(1);
      expect(bin.stderr.split("\n").filter((l) => l.includes(": error: "))).toEqual([errors[0]!.replace(/^.*?(mappings\/)/, "$1")]);
      expect(bin.stderr).not.toMatch(/\n\s+at |\u001b\[|internal error/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

/** A `pulumi preview --json` digest (the shape Pulumi v3.259.0 prints) with the given steps. */
const digest = (steps: unknown[]) => JSON.stringify({ steps, diagnostics: [], changeSummary: {} });
const SCHEMA_URN = "urn:pulumi:prod::scimops::scimops:entra:SynchronizationSchema::jumpcloud-entra-schema";

describe("scimops drift", () => {
  it("is a read-only pulumi preview --refresh --json on the stack; exit 0 when every step is `same`", async () => {
    const clean = fakePulumi({ preview: { code: 0, stdout: digest([{ op: "same", urn: SCHEMA_URN }]) } });
    const { io, out } = capture();
    expect(await driftCommand(["--stack", "prod"], io, clean.run)).toBe(0);
    expect(clean.calls[0]).toEqual(["preview", "--refresh", "--json", "--non-interactive", "--stack", "prod"]);
    expect(out.join("")).toContain("no drift");
  });

  it("exit 1 on drift, naming each drifted resource and field (array items by name)", async () => {
    const live = { jobId: "scim.1", objectMappings: [{ name: "Provision users", attributeMappings: [{ targetAttributeName: "displayName", source: { name: "mail" } }, { targetAttributeName: "title", source: { name: "jobTitle" } }] }] };
    const desired = { jobId: "scim.1", objectMappings: [{ name: "Provision users", attributeMappings: [{ targetAttributeName: "displayName", source: { name: "displayName" } }, { targetAttributeName: "title", source: { name: "jobTitle" } }] }] };
    const drifted = fakePulumi({ preview: { code: 0, stdout: digest([{ op: "same", urn: "urn:pulumi:prod::scimops::pulumi:pulumi:Stack::scimops-prod" }, { op: "update", urn: SCHEMA_URN, oldState: { outputs: live }, newState: { inputs: desired } }]) } });
    const { io, out } = capture();
    expect(await driftCommand([], io, drifted.run)).toBe(1);
    expect(out.join("\n")).toContain("jumpcloud-entra-schema (update): objectMappings[Provision users].attributeMappings[displayName].source.name");
    expect(out.join("\n")).not.toContain("title");
  });

  it("prefers the fields Pulumi names (detailedDiff, diffReasons) and never compares secrets", () => {
    const secret = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "x" };
    expect(driftedFields([{ op: "update", urn: SCHEMA_URN, diffReasons: ["baseAddress"], oldState: { outputs: { a: 1 } }, newState: { inputs: { a: 2 } } }])[0]!.fields).toEqual(["baseAddress"]);
    expect(differingPaths({ secretToken: secret, a: "x" }, { secretToken: { ...secret, ciphertext: "y" }, a: "x" })).toEqual([]);
  });

  it("2 when the Pulumi CLI cannot be run at all", async () => {
    const { io, err } = capture();
    const missing: Spawn = async () => {
      throw new Error("cannot run pulumi (spawn pulumi ENOENT); install it");
    };
    expect(await driftCommand([], io, missing)).toBe(2);
    expect(err.join("")).toContain("cannot run pulumi");
  });

  it.each([
    ["error: no stack named 'prod' found", 3, "the stack does not exist"],
    ["error: could not load plugin azuread [resource]: no resource plugin 'pulumi-resource-azuread' found in the workspace", 4, "a provider plugin is missing"],
    ['app "JumpCloud": Graph call "getSchema" (GET /servicePrincipals/1/synchronization/jobs/2/schema) failed: no response, code NetworkError: fetch failed', 6, "Graph could not be reached"],
    ['app "JumpCloud": Graph call "getSchema" (GET /x) failed: HTTP 401, code InvalidAuthenticationToken: Access token is empty.', 5, "Graph refused the credentials"],
    ["error: something else entirely", 2, "the preview above says why"],
  ])("a failed preview (%s) is not drift: exit %i, saying %s", async (message, code, says) => {
    const failing = fakePulumi({ preview: { code: 255, stdout: JSON.stringify({ steps: [], diagnostics: [{ severity: "error", message }] }) } });
    const { io, err } = capture();
    expect(await driftCommand([], io, failing.run)).toBe(code);
    expect(err.join("\n")).toContain(says);
    expect(classifyFailure(message).exit).toBe(code);
  });
});
