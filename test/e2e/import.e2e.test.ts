/**
 * `scimops import` → `validate` → `pulumi up` through the real program and engine against the Graph emulator:
 * a hand-configured app (examples/emulator-seed.json: 31 mappings with custom expressions, a scoping filter,
 * notifications, a deletion threshold, assignments with roles, provisioning on) comes under scimops management
 * with no write except validateCredentials; a second up is a no-op; one edited mapping is exactly one schema PUT.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Stack } from "@pulumi/pulumi/automation";
import { startGraphEmulator, type GraphEmulator } from "../emulators/graph";
import { applySeed, readSeedFile } from "../emulators/graph/seed";
import { runImport } from "../../src/cli/import";
import { validateCommand } from "../../src/cli/validate";
import { isolatedPulumiEnv, openStack } from "./workspace";

const root = join(__dirname, "..", "..");
const STACK = "e2eimport";
const APP = "e2e-contoso-hr";
const stackFile = join(root, "stacks", `Pulumi.${STACK}.yaml`);
const appFile = join(root, "mappings", `${APP}.yaml`);
const work = mkdtempSync(join(tmpdir(), "scimops-import-"));
const seed = readSeedFile(join(root, "examples", "emulator-seed.json"));
const TOKEN = seed.apps![0]!.acceptedSecretToken!;

let emulator: GraphEmulator;
let stack: Stack;
let seeded: Awaited<ReturnType<typeof applySeed>>[number];
const output: string[] = [];
const collect = (s: string) => void output.push(s);
const successfulWrites = () => emulator.writes().filter((w) => w.status < 400).map((w) => `${w.method} ${w.path.replace(/\/jobs\/[^/]+/, "/jobs/{job}")}`);
const counts: Record<string, { requests: number; writes: string[] }> = {};
const step = (name: string) => (counts[name] = { requests: emulator.requests.length, writes: successfulWrites() });

beforeAll(async () => {
  emulator = await startGraphEmulator();
  seeded = (await applySeed(emulator, seed))[0]!;
  const env = {
    ...isolatedPulumiEnv(work, "import-e2e"),
    PULUMI_NODEJS_TRANSPILE_ONLY: "true",
    SCIMOPS_GRAPH_ACCESS_TOKEN: emulator.token,
  };
  process.env.PATH = env.PATH;
  process.env.SCIMOPS_GRAPH_ACCESS_TOKEN = emulator.token;
  writeFileSync(stackFile, `# import e2e (removed after the test)\nconfig:\n  scimops:graphBaseUrl: ${emulator.url}\n`);
  stack = await openStack(STACK, root, env);
});

afterAll(async () => {
  if (Object.keys(counts).length) console.log(`graph requests per step: ${JSON.stringify(counts, null, 1)}`);
  await stack?.workspace.removeStack(STACK, { force: true }).catch(() => undefined);
  rmSync(stackFile, { force: true });
  rmSync(appFile, { force: true });
  await emulator?.close();
  rmSync(work, { recursive: true, force: true });
});

describe("import a portal-configured app, then adopt it with zero writes", () => {
  it("import reads only, writes the app file and the stack entry, and the result validates", async () => {
    emulator.clearRequests();
    const result = await runImport({ root, app: APP, selector: { displayName: "Contoso HR" }, stack: STACK, template: false, force: false });
    step("import");
    expect(emulator.requests.length).toBeGreaterThan(5);
    expect(emulator.writes()).toEqual([]);
    expect(result.servicePrincipalId).toBe(seeded.servicePrincipalId);
    const text = readFileSync(appFile, "utf8");
    expect(text.split("\n")[0]).toBe("# yaml-language-server: $schema=../schema/app.schema.json");
    expect(text).toContain(`pulumi config set --secret scimops:${result.tokenKey}`);
    expect(text).toContain("{ target: displayName, source: 'Join(\" \", [givenName], [surname])' }");
    expect(text).toContain("- { attribute: accountEnabled, operator: IS TRUE }");
    expect(text).toMatch(/threshold: 150/);
    const stackText = readFileSync(stackFile, "utf8");
    expect(stackText).toContain(`servicePrincipalId: ${seeded.servicePrincipalId}`);
    expect(stackText).toContain("{ user: ada.admin@contoso.example, role: User }");
    expect(stackText).toContain("scimops:notificationEmail: hr-identity@contoso.example");
    // A second import without --force keeps the files.
    await expect(runImport({ root, app: APP, selector: { displayName: "Contoso HR" }, stack: STACK, template: false, force: false })).rejects.toThrow(/--force/);

    const out: string[] = [];
    const code = await validateCommand([appFile, stackFile], { stdout: (t) => void out.push(t), stderr: (t) => void out.push(t) });
    expect(code, out.join("\n")).toBe(0);
    await stack.setConfig(`scimops:${result.tokenKey}`, { value: TOKEN, secret: true });
  });

  it("pulumi up adopts: no PUT, PATCH, POST or DELETE except validateCredentials", async () => {
    emulator.clearRequests();
    const up = await stack.up({ onOutput: collect });
    step("first up (adoption)");
    expect(up.summary.result).toBe("succeeded");
    expect(successfulWrites()).toEqual([`POST /servicePrincipals/${seeded.servicePrincipalId}/synchronization/jobs/{job}/validateCredentials`]);
    expect(emulator.servicePrincipals()).toHaveLength(1);
    expect(emulator.getJob(seeded.servicePrincipalId, seeded.jobId).schemaPuts).toBe(0);
    const outputs = up.outputs.apps!.value as Record<string, { entra: { servicePrincipalId: string; jobId: string } }>;
    expect(outputs[APP]!.entra).toMatchObject({ servicePrincipalId: seeded.servicePrincipalId, jobId: seeded.jobId });
  });

  it("a second up makes zero writes", async () => {
    emulator.clearRequests();
    const up = await stack.up({ onOutput: collect });
    step("second up");
    expect(emulator.writes()).toEqual([]);
    expect(Object.keys(up.summary.resourceChanges ?? {})).toEqual(["same"]);
  });

  it("one edited mapping after adoption is exactly one schema PUT", async () => {
    const text = readFileSync(appFile, "utf8");
    const edited = text.replace(`{ target: title, source: 'Coalesce([jobTitle], "Staff")' }`, `{ target: title, source: 'Coalesce([jobTitle], "Employee")' }`);
    expect(edited).not.toBe(text);
    writeFileSync(appFile, edited);
    emulator.clearRequests();
    await stack.up({ onOutput: collect });
    step("edited mapping");
    expect(successfulWrites()).toEqual([`PUT /servicePrincipals/${seeded.servicePrincipalId}/synchronization/jobs/{job}/schema`]);
    const users = emulator.getSchema(seeded.servicePrincipalId, seeded.jobId).synchronizationRules[0]!.objectMappings.find((m) => m.sourceObjectName === "User")!;
    expect(users.attributeMappings.find((a) => a.targetAttributeName === "title")!.source!.expression).toBe('Coalesce([jobTitle], "Employee")');
    expect(users.attributeMappings).toHaveLength(28);
  });

  it("never shows the token in plain text in the engine output", () => {
    expect(output.join("\n")).not.toContain(TOKEN);
  });
});
