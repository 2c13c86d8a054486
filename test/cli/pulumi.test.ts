import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runPulumi, upCommand, verboseLogging, type Preflight, type Spawn, type SpawnOptions } from "../../src/cli/pulumi";
import { createCipheriv, pbkdf2Sync, randomBytes } from "node:crypto";

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

/** A stack file encrypted as Pulumi's passphrase secrets manager does (see src/cli/secrets.ts), holding `secret` as scimops:jumpcloudApiKey. */
function passphraseStack(dir: string, passphrase: string, secret: string): string {
  const salt = randomBytes(8);
  const key = pbkdf2Sync(passphrase, salt, 1_000_000, 32, "sha256");
  const encrypt = (text: string) => {
    const nonce = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", key, nonce);
    const data = Buffer.concat([cipher.update(text, "utf8"), cipher.final(), cipher.getAuthTag()]);
    return `v1:${nonce.toString("base64")}:${data.toString("base64")}`;
  };
  mkdirSync(join(dir, "stacks"), { recursive: true });
  cpSync(join(root, "mappings"), join(dir, "mappings"), { recursive: true });
  writeFileSync(join(dir, "stacks", "Pulumi.verbose.yaml"), `encryptionsalt: v1:${salt.toString("base64")}:${encrypt("pulumi")}\nconfig:\n  scimops:notificationEmail: ops@contoso.example\n  scimops:jumpcloudApiKey:\n    secure: ${encrypt(secret)}\n  scimops:apps:\n    - name: jumpcloud\n`);
  return dir;
}

describe("Pulumi's verbose log (it prints secret property values in plain text)", () => {
  const SECRET = 'jc-verbose/"key"+9f';

  it("knows Pulumi's verbose flags", () => {
    for (const args of [["-v=9"], ["-v", "9"], ["-v9"], ["--verbose=3"], ["--logflow"], ["--logtostderr"]]) expect(verboseLogging(["up", ...args]), args.join(" ")).toBe(true);
    for (const args of [["--yes"], ["--diff"], ["--value=-v"]]) expect(verboseLogging(["up", ...args]), args.join(" ")).toBe(false);
  });

  it("up with -v=9 sends the log to stderr and redacts the stack's decrypted secrets and the Graph token; without it, nothing changes", async () => {
    const dir = passphraseStack(mkdtempSync(join(tmpdir(), "scimops-verbose-")), "verbose passphrase", SECRET);
    const saved = { ...process.env };
    process.env.PULUMI_CONFIG_PASSPHRASE = "verbose passphrase";
    process.env.SCIMOPS_GRAPH_ACCESS_TOKEN = "graph-token-verbose-1";
    try {
      const seen: { args: string[]; options?: SpawnOptions }[] = [];
      const run: Spawn = async (args, options) => (seen.push({ args, ...(options ? { options } : {}) }), { code: 0, stdout: "", stderr: "" });
      const { io, err } = capture();
      expect(await upCommand(["--stack", "verbose", "-v=9", "--logflow"], io, run, noPreflight, dir)).toBe(0);
      expect(seen[0]!.args).toEqual(["up", "--stack", "verbose", "-v=9", "--logflow", "--logtostderr"]);
      expect(seen[0]!.options?.redact).toEqual(expect.arrayContaining([SECRET, "graph-token-verbose-1", "verbose passphrase"]));
      expect(err.join("\n")).toContain("verbose log goes to stderr, with the stack's secrets redacted");
      expect(err.join("\n")).not.toContain(SECRET);
      seen.length = 0;
      expect(await upCommand(["--stack", "verbose", "--yes"], capture().io, run, noPreflight, dir)).toBe(0);
      expect(seen[0]).toEqual({ args: ["up", "--stack", "verbose", "--yes"], options: {} });
      seen.length = 0;
      expect(await driftCommand(["--stack", "verbose", "-v=9"], capture().io, run, dir)).toBe(2);
      expect(seen[0]!.args).toEqual(["preview", "--refresh", "--json", "--non-interactive", "--stack", "verbose", "-v=9", "--logtostderr"]);
      expect(seen[0]!.options).toEqual({ capture: "both", redact: expect.arrayContaining([SECRET]) });
    } finally {
      process.env = saved;
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it("runPulumi replaces each secret, plain and JSON-escaped, in everything pulumi prints, even split across writes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "scimops-fake-pulumi-"));
    const escaped = JSON.stringify(SECRET).slice(1, -1);
    // Writes the secret in two halves with a pause between, then a JSON log line holding its escaped form.
    writeFileSync(join(dir, "pulumi"), `#!/bin/sh\nprintf '%s' 'value={${SECRET.slice(0, 6)}'\nsleep 0.2\nprintf '%s\\n' '${SECRET.slice(6)}}'\nprintf '%s\\n' '{"msg":"inputs: secretToken={${escaped}}"}' >&2\n`, { mode: 0o755 });
    const saved = process.env.PATH;
    process.env.PATH = `${dir}:${saved}`;
    try {
      const result = await runPulumi(["up"], { capture: "both", redact: [SECRET] });
      expect(result.stdout).toBe("value={[REDACTED]}\n");
      expect(result.stderr).toBe('{"msg":"inputs: secretToken={[REDACTED]}"}\n');
      const plain = await runPulumi(["up"], { capture: "both" });
      expect(plain.stdout).toContain(SECRET);
    } finally {
      process.env.PATH = saved;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
