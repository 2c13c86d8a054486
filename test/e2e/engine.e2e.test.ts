/**
 * The real Pulumi engine (prepared by the suite's globalSetup, test/e2e/global-setup.ts) applying scimops' Graph-backed
 * resources for JumpCloud's real mapping file against the Graph emulator, through the Automation API
 * with a file backend and a passphrase.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Stack } from "@pulumi/pulumi/automation";
import { startGraphEmulator, type GraphEmulator, type SeededApp } from "../emulators/graph";
import { backendText, isolatedPulumiEnv, openStack, pulumiCli, reducedProgramConfig } from "./workspace";

const root = join(__dirname, "..", "..");
const programDir = join(__dirname, "program");
const TOKEN = `jc-${"5f3a9c".repeat(6)}`;
const NEW_TOKEN = `jc-${"77e1b0".repeat(6)}`;

let emulator: GraphEmulator;
let app: SeededApp;
let stack: Stack;
let work: string;
let appFile: string;
let env: Record<string, string>;
const engineOutput: string[] = [];
const collect = (s: string) => void engineOutput.push(s);

const pulumi = (args: string[]) => pulumiCli(args, "e2e", programDir, env);

function editMapping(from: string, to: string) {
  const text = readFileSync(appFile, "utf8");
  expect(text).toContain(from);
  writeFileSync(appFile, text.replace(from, to));
}

const schemaPuts = () => emulator.writes().filter((r) => r.method === "PUT" && r.path.endsWith("/schema"));
const secretPuts = () => emulator.writes().filter((r) => r.method === "PUT" && r.path.endsWith("/secrets"));

beforeAll(async () => {
  emulator = await startGraphEmulator();
  app = emulator.seedApp({ template: "non-gallery", displayName: "Real-time JumpCloud Import", acceptedSecretToken: TOKEN });
  work = mkdtempSync(join(tmpdir(), "scimops-e2e-"));
  appFile = join(work, "jumpcloud.yaml");
  copyFileSync(join(root, "mappings", "jumpcloud.yaml"), appFile);
  env = {
    ...isolatedPulumiEnv(work, "e2e-passphrase"),
    PULUMI_NODEJS_TRANSPILE_ONLY: "true",
    SCIMOPS_GRAPH_ACCESS_TOKEN: emulator.token,
  };
  // The language host and the dynamic-provider shim are found on PATH, next to the CLI.
  process.env.PATH = env.PATH;
  stack = await openStack("e2e", programDir, env);
  await stack.setAllConfig(reducedProgramConfig(app, appFile, emulator.url, TOKEN));
}, 900_000);

afterAll(async () => {
  await stack?.workspace.removeStack("e2e", { force: true }).catch(() => undefined);
  rmSync(join(programDir, "Pulumi.e2e.yaml"), { force: true });
  await emulator?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("pulumi up / preview / refresh / destroy through the real engine", () => {
  it("up applies the JumpCloud mapping file: one schema PUT, one secrets PUT, credentials validated first", async () => {
    emulator.clearRequests();
    const result = await stack.up({ onOutput: collect });
    expect(result.summary.result).toBe("succeeded");
    expect(schemaPuts()).toHaveLength(1);
    expect(secretPuts()).toHaveLength(1);
    const validate = emulator.requests.findIndex((r) => r.path.endsWith("/validateCredentials"));
    expect(validate).toBeGreaterThanOrEqual(0);
    expect(validate).toBeLessThan(emulator.requests.indexOf(secretPuts()[0]!));
    const users = emulator.getSchema(app.servicePrincipalId, app.jobId).synchronizationRules[0]!.objectMappings.find((m) => m.sourceObjectName === "User")!;
    const userName = users.attributeMappings.find((a) => a.targetAttributeName === "userName")!;
    expect(userName.source?.name).toBe("mailNickname");
    expect(users.attributeMappings.some((a) => a.targetAttributeName.endsWith(":manager"))).toBe(false);
    const secrets = Object.fromEntries(emulator.getSecrets(app.servicePrincipalId).map((s) => [s.key, s.value]));
    expect(secrets.BaseAddress).toBe("https://api.jumpcloud.com/scim/v2/?aadOptscim062020");
    expect(secrets.SecretToken).toBe(TOKEN);
  });

  it("a second preview shows no changes and Graph sees zero writes", async () => {
    emulator.clearRequests();
    const preview = await stack.preview({ expectNoChanges: true, onOutput: collect });
    expect(preview.changeSummary.update ?? 0).toBe(0);
    expect(emulator.writes()).toEqual([]);
  });

  it("changing one mapping previews exactly that change and up makes one schema PUT", async () => {
    editMapping('{ target: title, source: "[jobTitle]" }', '{ target: title, source: "[department]" }');
    emulator.clearRequests();
    const lines: string[] = [];
    const preview = await stack.preview({ diff: true, onOutput: (s) => void lines.push(s) });
    engineOutput.push(...lines);
    expect(preview.changeSummary.update).toBe(1);
    const diff = lines.join("");
    expect(diff).toContain("department");
    expect(diff).toMatch(/~ pulumi-nodejs:dynamic\/scimops:SynchronizationSchema: \(update\)/);
    expect(diff).not.toMatch(/SynchronizationSettings: \(update\)/);
    expect(emulator.writes()).toEqual([]);
    const up = await stack.up({ onOutput: collect });
    expect(up.summary.resourceChanges?.update).toBe(1);
    expect(emulator.writes().map((w) => `${w.method} ${w.path.replace(/.*\/synchronization/, "…")}`)).toEqual([`PUT …/jobs/${app.jobId}/schema`]);
  });

  it("a portal edit is drift: previewRefresh with expectNoChanges fails naming the mapping, and up heals it", async () => {
    emulator.editSchema(app.servicePrincipalId, app.jobId, (schema) => {
      const users = schema.synchronizationRules[0]!.objectMappings.find((m) => m.sourceObjectName === "User")!;
      const displayName = users.attributeMappings.find((a) => a.targetAttributeName === "displayName")!;
      displayName.source = { type: "Attribute", name: "mail", expression: "[mail]", parameters: [] };
    });
    emulator.clearRequests();
    const lines: string[] = [];
    await expect(stack.preview({ refresh: true, expectNoChanges: true, diff: true, onOutput: (s) => void lines.push(s) })).rejects.toThrow();
    engineOutput.push(...lines);
    expect(lines.join("")).toContain("displayName");
    expect(emulator.writes()).toEqual([]);

    // The read-only drift check of docs (pulumi CLI, as CI runs it): non-zero on drift, zero writes.
    const drift = await pulumi(["preview", "--refresh", "--expect-no-changes", "--diff"]);
    engineOutput.push(drift.output);
    expect(drift.status, drift.output).not.toBe(0);
    expect(drift.output).toContain("displayName");
    expect(emulator.writes()).toEqual([]);

    const up = await stack.up({ refresh: true, onOutput: collect });
    expect(up.summary.result).toBe("succeeded");
    const healed = emulator.getSchema(app.servicePrincipalId, app.jobId).synchronizationRules[0]!.objectMappings.find((m) => m.sourceObjectName === "User")!;
    expect(healed.attributeMappings.find((a) => a.targetAttributeName === "displayName")!.source?.name).toBe("displayName");
    expect(schemaPuts()).toHaveLength(1);

    emulator.clearRequests();
    const clean = await pulumi(["preview", "--refresh", "--expect-no-changes"]);
    engineOutput.push(clean.output);
    expect(clean.status, clean.output).toBe(0);
    expect(emulator.writes()).toEqual([]);
  });

  it("a mapping that uses IIF and IsPresent, declared exactly as Entra holds it, gives zero writes on up", async () => {
    // Entra holds the row as the engine writes it: IIF's first parameter keyed `one`, IsPresent's keyed
    // `source` (a real exported schema, graph-sync.md §13.2), and its own spacing in `expression`. The
    // keys of IIF's 2nd and 3rd parameters are not published; these differ from ours on purpose.
    const attr = (name: string) => ({ type: "Attribute" as const, name, expression: `[${name}]`, parameters: [] });
    emulator.editSchema(app.servicePrincipalId, app.jobId, (schema) => {
      const users = schema.synchronizationRules[0]!.objectMappings.find((m) => m.sourceObjectName === "User")!;
      const row = users.attributeMappings.find((a) => a.targetAttributeName === "displayName")!;
      row.source = {
        type: "Function",
        name: "IIF",
        expression: "IIF(IsPresent([displayName]),[displayName],[mailNickname])",
        parameters: [
          { key: "one", value: { type: "Function", name: "IsPresent", expression: "IsPresent([displayName])", parameters: [{ key: "source", value: attr("displayName") }] } },
          { key: "two", value: attr("displayName") },
          { key: "three", value: attr("mailNickname") },
        ],
      };
    });
    editMapping('{ target: displayName, source: "[displayName]" }', `{ target: displayName, source: 'IIF(IsPresent([displayName]), [displayName], [mailNickname])' }`);
    emulator.clearRequests();
    const up = await stack.up({ refresh: true, onOutput: collect });
    expect(up.summary.result).toBe("succeeded");
    expect(emulator.writes()).toEqual([]);
    // and the next refresh sees nothing to do either
    emulator.clearRequests();
    const clean = await pulumi(["preview", "--refresh", "--expect-no-changes"]);
    engineOutput.push(clean.output);
    expect(clean.status, clean.output).toBe(0);
    expect(emulator.writes()).toEqual([]);
  });

  it("an unchanged token never re-PUTs secrets; a rotated one is validated and PUT once", async () => {
    emulator.clearRequests();
    await stack.up({ onOutput: collect });
    expect(secretPuts()).toHaveLength(0);
    emulator.setAcceptedSecretToken(app.servicePrincipalId, NEW_TOKEN);
    await stack.setConfig("e2e:secretToken", { value: NEW_TOKEN, secret: true });
    emulator.clearRequests();
    await stack.up({ onOutput: collect });
    expect(secretPuts()).toHaveLength(1);
    expect(emulator.getSecrets(app.servicePrincipalId).find((s) => s.key === "SecretToken")?.value).toBe(NEW_TOKEN);
  });

  it("a token the target rejects fails the update with a clear error and leaves the saved token alone", async () => {
    await stack.setConfig("e2e:secretToken", { value: `${NEW_TOKEN}-wrong`, secret: true });
    emulator.clearRequests();
    const failure = await stack.up({ onOutput: collect }).catch((e: Error) => e);
    expect(failure).toBeInstanceOf(Error);
    engineOutput.push(String((failure as Error).message));
    expect(String((failure as Error).message)).toMatch(/validateCredentials|credentials/i);
    expect(secretPuts()).toHaveLength(0);
    expect(emulator.getSecrets(app.servicePrincipalId).find((s) => s.key === "SecretToken")?.value).toBe(NEW_TOKEN);
    await stack.setConfig("e2e:secretToken", { value: NEW_TOKEN, secret: true });
    await stack.up({ onOutput: collect });
  });

  it("never shows a token in plain text: state file, engine output, errors", () => {
    const state = backendText(work);
    expect(state.length).toBeGreaterThan(1000);
    const everything = `${state}\n${engineOutput.join("\n")}`;
    for (const token of [TOKEN, NEW_TOKEN]) expect(everything).not.toContain(token);
    expect(everything).not.toContain(emulator.token);
  });

  it("destroy honours the deletion guard", async () => {
    emulator.clearRequests();
    const before = emulator.getSchema(app.servicePrincipalId, app.jobId);
    await stack.destroy({ onOutput: collect });
    expect(emulator.writes()).toEqual([]);
    expect(emulator.getSchema(app.servicePrincipalId, app.jobId)).toEqual(before);

    await stack.setConfig("e2e:allowDeletion", { value: "true" });
    await stack.up({ onOutput: collect });
    emulator.clearRequests();
    await stack.destroy({ onOutput: collect });
    expect(emulator.writes().map((w) => w.method + " " + w.path.replace(/.*\/synchronization/, "…"))).toContain(`DELETE …/jobs/${app.jobId}/schema`);
    expect(emulator.getSchema(app.servicePrincipalId, app.jobId)).toEqual(emulator.getTemplateSchema(app.servicePrincipalId, app.jobId));
  });
});
