/**
 * The policy pack (policy/) through the real engine: `pulumi preview|up --policy-pack policy` with the
 * Pulumi CLI and our language host (RunPlugin), against the Graph emulator, for the bundled prod stack
 * (passes, and applies) and for a production stack that breaks every guardrail (fails, naming each).
 */
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { isolatedPulumiEnv } from "./workspace";
import { createPolicies } from "../../policy/policies";
import { startGraphEmulator, type GraphEmulator } from "../emulators/graph";
import { loadAppFile } from "../../src/spec/load";

const root = join(__dirname, "..", "..");
const programDir = join(__dirname, "policy-program");
const policyPack = join(root, "policy");
const TOKEN_KEYS = ["ipassSmartConnectToken", "ironwifiScimToken", "jumpcloudApiKey", "airstackSecretToken", "spaceiqScimToken"];

let emulator: GraphEmulator;
let work: string;
let env: Record<string, string>;
let targets: Record<string, { servicePrincipalId: string; jobId: string }>;

function run(command: string, args: string[], cwd = programDir): Promise<{ status: number; stdout: string; output: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = (error as { code?: number | string } | null)?.code;
      resolve({ status: error ? (typeof code === "number" ? code : 127) : 0, stdout, output: `${stdout}${stderr}` });
    });
  });
}

const pulumi = (stack: string, args: string[]) => run("pulumi", [...args, "--non-interactive", "--stack", stack]);

/**
 * Creates the stack with its tokens (`pulumi config set --secret`), then writes the rest of its file — the
 * bundled prod stack's config, edited — the way a person does, so booleans stay YAML booleans (a `pulumi
 * config set` would rewrite them as strings).
 */
async function createStack(stack: string, edit: (config: Record<string, unknown>) => void, mappingsDir: string) {
  const init = await run("pulumi", ["stack", "init", stack, "--non-interactive"]);
  expect(init.status, init.output).toBe(0);
  const secrets = await pulumi(stack, ["config", "set-all", ...TOKEN_KEYS.flatMap((k) => ["--secret", `scimops:${k}=token-${k}-0123456789`])]);
  expect(secrets.status, secrets.output).toBe(0);
  const file = join(programDir, `Pulumi.${stack}.yaml`);
  const written = parse(readFileSync(file, "utf8")) as { encryptionsalt: string; config: Record<string, unknown> };
  const base = parse(readFileSync(join(root, "stacks", "Pulumi.prod.yaml"), "utf8")) as { config: Record<string, unknown> };
  const config = { ...base.config, ...written.config, "scimops:mappingsDir": mappingsDir, "e2e:graphBaseUrl": emulator.url, "e2e:targets": targets };
  edit(config);
  writeFileSync(file, stringify({ encryptionsalt: written.encryptionsalt, config }));
}

function copyMappings(name: string): string {
  const dir = join(work, name);
  cpSync(join(root, "mappings"), dir, { recursive: true });
  return dir;
}

function editFile(file: string, from: string, to: string) {
  const text = readFileSync(file, "utf8");
  expect(text).toContain(from);
  writeFileSync(file, text.replace(from, to));
}

beforeAll(async () => {
  emulator = await startGraphEmulator();
  work = mkdtempSync(join(tmpdir(), "scimops-policy-"));
  env = {
    ...isolatedPulumiEnv(work, "policy-e2e"),
    PULUMI_NODEJS_TRANSPILE_ONLY: "true",
    SCIMOPS_GRAPH_ACCESS_TOKEN: emulator.token,
    // The policies read this project's stack and mapping files (default: the pack's parent folder).
    SCIMOPS_PROJECT_DIR: programDir,
  };
  // One seeded service principal and job per app of the prod stack, from its mapping file's template.
  const prod = parse(readFileSync(join(root, "stacks", "Pulumi.prod.yaml"), "utf8")) as { config: { "scimops:apps": { name: string }[] } };
  targets = {};
  for (const { name } of prod.config["scimops:apps"]) {
    const loaded = loadAppFile(join(root, "mappings", `${name}.yaml`));
    if (!loaded.ok) throw new Error(`mappings/${name}.yaml does not load`);
    const app = loaded.app.spec.entra!.app;
    const seeded = emulator.seedApp({ template: "gallery" in app ? app.gallery : "non-gallery", displayName: app.displayName });
    targets[name] = { servicePrincipalId: seeded.servicePrincipalId, jobId: seeded.jobId };
  }
}, 1_800_000);

afterAll(async () => {
  for (const stack of ["prod", "risky"]) {
    await run("pulumi", ["stack", "rm", stack, "--yes", "--force", "--non-interactive"]).catch(() => undefined);
    rmSync(join(programDir, `Pulumi.${stack}.yaml`), { force: true });
  }
  await emulator?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

// Every policy the pack has (the list itself is pinned by test/policy/policies.test.ts); the stack context is read only while validating.
const POLICIES = createPolicies(() => {
  throw new Error("not validating");
}).map((p) => p.name);

describe("pulumi preview --policy-pack policy (real engine, Graph emulator)", () => {
  it("lets the bundled prod stack through, and up applies it with the pack on", async () => {
    const mappings = copyMappings("prod-mappings");
    await createStack("prod", () => undefined, mappings);
    const preview = await pulumi("prod", ["preview", "--policy-pack", policyPack]);
    expect(preview.status, preview.output).toBe(0);
    expect(preview.output).toMatch(/Policies:[\s\S]*scimops-guardrails@v0\.1\.0/);
    expect(preview.output).not.toMatch(/mandatory|violation/i);
    expect(emulator.writes()).toEqual([]);

    const up = await pulumi("prod", ["up", "--yes", "--policy-pack", policyPack]);
    expect(up.status, up.output).toBe(0);
    expect(emulator.writes().filter((w) => w.method === "PUT" && w.path.endsWith("/schema"))).toHaveLength(5);
  });

  it("blocks a change of a user mapping's matching attribute until the stack acknowledges it", async () => {
    const file = join(work, "prod-mappings", "jumpcloud.yaml");
    editFile(file, '{ target: userName, source: "[mailNickname]", matchingPrecedence: 1 }', '{ target: userName, source: "[mailNickname]" }');
    editFile(file, '{ target: \'emails[type eq "work"].value\', source: "[userPrincipalName]" }', '{ target: \'emails[type eq "work"].value\', source: "[userPrincipalName]", matchingPrecedence: 1 }');
    emulator.clearRequests();
    const blocked = await pulumi("prod", ["preview", "--policy-pack", policyPack]);
    expect(blocked.status, blocked.output).not.toBe(0);
    expect(blocked.output).toContain("matching-attribute-acknowledged");
    expect(blocked.output).toContain('changed from the acknowledged `[mailNickname] → userName` to `[userPrincipalName] → emails[type eq "work"].value`');
    expect(emulator.writes()).toEqual([]);

    const stackFile = join(programDir, "Pulumi.prod.yaml");
    const doc = parse(readFileSync(stackFile, "utf8")) as { config: Record<string, Record<string, string>> };
    doc.config["scimops-policy:matchingAttributes"]!.jumpcloud = '[userPrincipalName] → emails[type eq "work"].value';
    writeFileSync(stackFile, stringify(doc));
    const acknowledged = await pulumi("prod", ["preview", "--policy-pack", policyPack]);
    expect(acknowledged.status, acknowledged.output).toBe(0);
  });

  it("fails a production stack that breaks every guardrail, naming each policy and what to change", async () => {
    const mappings = copyMappings("risky-mappings");
    const file = join(mappings, "jumpcloud.yaml");
    editFile(file, "scope: assignedUsersAndGroups", "scope: allUsersAndGroups");
    editFile(file, "accidentalDeletion: { enabled: true, threshold: 500 }", "accidentalDeletion: { enabled: false, threshold: 500 }");
    await createStack(
      "risky",
      (config) => {
        config["scimops-policy:production"] = true;
        config["scimops:allowDeletion"] = true;
        delete config["scimops:notificationEmail"];
        delete config["scimops-policy:matchingAttributes"];
        config["scimops:apps"] = [{ name: "jumpcloud", assignments: [{ group: "All Employees", role: "Default Access" }] }];
        config["e2e:omitStatus"] = true;
      },
      mappings,
    );
    emulator.clearRequests();
    const preview = await pulumi("risky", ["preview", "--policy-pack", policyPack]);
    expect(preview.status, preview.output).not.toBe(0);
    for (const policy of POLICIES) expect(preview.output, policy).toContain(policy);
    expect(preview.output).toContain("set `entra.provisioning.scope: assignedUsersAndGroups` in mappings/jumpcloud.yaml");
    expect(preview.output).toMatch(/Pulumi\.risky\.yaml:\d+:\d+: jumpcloud: group All Employees is assigned with the Default Access role/);
    expect(preview.output).toMatch(/Pulumi\.risky\.yaml:\d+:\d+: scimops:allowDeletion is true/);
    expect(emulator.writes()).toEqual([]);
  });
});
