/**
 * `scimops drift` through the real engine, as a scheduled CI job runs it: exit 0 when Entra (the Graph
 * emulator) matches the files, 1 on drift naming the drifted field, and other statuses, each with its own
 * message, for what is not drift — a missing stack (3), a missing provider plugin (4, the real program
 * offline), credentials Graph refuses (5), Graph unreachable (6). Graph sees no write in any of them.
 */
import { execFile } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Stack } from "@pulumi/pulumi/automation";
import { startGraphEmulator, type GraphEmulator, type SeededApp } from "../emulators/graph";
import { isolatedPulumiEnv, openStack, reducedProgramConfig } from "./workspace";

const root = join(__dirname, "..", "..");
const programDir = join(__dirname, "program");
const TOKEN = `jc-${"4c1e8d".repeat(6)}`;
const STACK = "drift";
const PROGRAM_STACK = "e2edrift";

let emulator: GraphEmulator;
let app: SeededApp;
let stack: Stack;
let work: string;
let env: Record<string, string>;

/** `scimops drift ARGS` as CI runs it (the bin, a child process), with the engine's environment. */
function drift(args: string[], extraEnv: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(root, "bin", "scimops.cjs"), "drift", ...args], { cwd: root, env: { ...process.env, ...env, ...extraEnv }, maxBuffer: 32 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}
const onProgram = ["--stack", STACK, "--cwd", programDir];

beforeAll(async () => {
  emulator = await startGraphEmulator();
  app = emulator.seedApp({ template: "non-gallery", displayName: "Drift JumpCloud", acceptedSecretToken: TOKEN });
  work = mkdtempSync(join(tmpdir(), "scimops-drift-"));
  const appFile = join(work, "jumpcloud.yaml");
  copyFileSync(join(root, "mappings", "jumpcloud.yaml"), appFile);
  env = {
    ...isolatedPulumiEnv(work, "drift-passphrase"),
    PULUMI_NODEJS_TRANSPILE_ONLY: "true",
    SCIMOPS_GRAPH_ACCESS_TOKEN: emulator.token,
    NO_COLOR: "1",
  };
  process.env.PATH = env.PATH;
  stack = await openStack(STACK, programDir, env);
  await stack.setAllConfig(reducedProgramConfig(app, appFile, emulator.url, TOKEN));
  const up = await stack.up();
  expect(up.summary.result).toBe("succeeded");
}, 900_000);

afterAll(async () => {
  await stack?.workspace.removeStack(STACK, { force: true }).catch(() => undefined);
  rmSync(join(programDir, `Pulumi.${STACK}.yaml`), { force: true });
  rmSync(join(root, "stacks", `Pulumi.${PROGRAM_STACK}.yaml`), { force: true });
  await emulator?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("scimops drift tells drift from breakage by its exit status", () => {
  it("0 when Entra matches the files, with zero writes", async () => {
    emulator.clearRequests();
    const result = await drift(onProgram);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("no drift");
    expect(emulator.writes()).toEqual([]);
  });

  it("1 after a portal edit, naming the drifted mapping field, with zero writes", async () => {
    emulator.editSchema(app.servicePrincipalId, app.jobId, (schema) => {
      const users = schema.synchronizationRules[0]!.objectMappings.find((m) => m.sourceObjectName === "User")!;
      users.attributeMappings.find((a) => a.targetAttributeName === "displayName")!.source = { type: "Attribute", name: "mail", expression: "[mail]", parameters: [] };
    });
    emulator.clearRequests();
    const result = await drift(onProgram);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(1);
    expect(result.stdout).toMatch(/schema \(update\): .*displayName/);
    expect(result.stdout).not.toContain(TOKEN);
    expect(emulator.writes()).toEqual([]);
  });

  it("3 for a stack that does not exist", async () => {
    const result = await drift(["--stack", "no-such-stack", "--cwd", programDir]);
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toContain("the stack does not exist");
  });

  it("5 when Graph refuses the credentials", async () => {
    const result = await drift(onProgram, { SCIMOPS_GRAPH_ACCESS_TOKEN: "not-the-emulator-token" });
    expect(result.code, result.stderr).toBe(5);
    expect(result.stderr).toContain("Graph refused the credentials");
    expect(result.stderr).not.toContain("not-the-emulator-token");
  });

  it("4 when a provider plugin is missing (the real program offline needs the okta plugin for IronWifi's Okta side)", async () => {
    copyFileSync(join(root, "stacks", "Pulumi.dev.yaml"), join(root, "stacks", `Pulumi.${PROGRAM_STACK}.yaml`));
    const real = await openStack(PROGRAM_STACK, root, env);
    for (const key of ["ipassSmartConnectToken", "ironwifiScimToken", "jumpcloudApiKey", "airstackSecretToken", "spaceiqScimToken"]) await real.setConfig(`scimops:${key}`, { value: `token-${key}`, secret: true });
    const result = await drift(["--stack", PROGRAM_STACK]);
    expect(result.code, result.stderr).toBe(4);
    expect(result.stderr).toContain("a provider plugin is missing");
    expect(result.stderr).toMatch(/no resource plugin .pulumi-resource-okta/);
    expect(result.stderr).toContain("pulumi plugin install resource okta 7.0.0");
    await real.workspace.removeStack(PROGRAM_STACK, { force: true });
  });

  it("6 when Graph cannot be reached", async () => {
    await emulator.close();
    const result = await drift(onProgram);
    expect(result.code, result.stderr).toBe(6);
    expect(result.stderr).toContain("Graph could not be reached");
  });
});
