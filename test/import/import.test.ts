// `scimops import` against the Graph emulator, without Pulumi: read-only, --template, --force, choosing an app.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { startGraphEmulator, type GraphEmulator } from "../emulators/graph";
import { runImport } from "../../src/cli/import";
import { loadAppFile } from "../../src/spec/load";
import { compileApp } from "../../src/plan/compile";
import { planSchema } from "../../src/entra/schema-merge";

let emulator: GraphEmulator;
const root = mkdtempSync(join(tmpdir(), "scimops-import-root-"));
const saved = process.env.SCIMOPS_GRAPH_ACCESS_TOKEN;

beforeAll(async () => {
  emulator = await startGraphEmulator();
  process.env.SCIMOPS_GRAPH_ACCESS_TOKEN = emulator.token;
});
afterAll(async () => {
  if (saved === undefined) delete process.env.SCIMOPS_GRAPH_ACCESS_TOKEN;
  else process.env.SCIMOPS_GRAPH_ACCESS_TOKEN = saved;
  await emulator.close();
  rmSync(root, { recursive: true, force: true });
});

const request = (app: string, extra: Partial<Parameters<typeof runImport>[0]> = {}) => ({
  root,
  app,
  selector: { displayName: "Airstack" },
  stack: "dev",
  template: false,
  force: false,
  graphBaseUrl: emulator.url,
  ...extra,
});

describe("scimops import", () => {
  it("--template reads the gallery template's default schema of a fresh app: the file starts from the vendor's defaults, marked as such", async () => {
    const fresh = emulator.seedApp({ template: "Airstack", displayName: "Airstack" });
    emulator.clearRequests();
    const result = await runImport(request("airstack", { template: true }));
    expect(emulator.writes()).toEqual([]);
    expect(emulator.requests.some((r) => /\/synchronization\/templates\/[^/]+\/schema$/.test(r.path))).toBe(true);
    const loaded = loadAppFile(result.appFile);
    expect(loaded.ok, JSON.stringify(loaded.diagnostics)).toBe(true);
    if (!loaded.ok) return;
    expect(loaded.app.spec.entra!.app).toMatchObject({ gallery: "Airstack", importedFrom: "template" });
    // Compiled back, the file is the template's default: `up` on a new app from it would PUT nothing.
    const template = emulator.getTemplateSchema(fresh.servicePrincipalId, fresh.jobId);
    const plan = compileApp(loaded.app, {});
    expect(planSchema(template, { objectMappings: plan.entra!.mappings.map((m) => m.graph) }).changed).toBe(false);
    // A template file is for apps to create: the stack entry adopts no ids.
    const entry = (parse(readFileSync(result.stackFile, "utf8")) as { config: Record<string, { name: string }[]> }).config["scimops:apps"]!.find((a) => a.name === "airstack")!;
    expect(entry).not.toHaveProperty("servicePrincipalId");
  });

  it("keeps existing files unless --force", async () => {
    await expect(runImport(request("airstack", { template: true }))).rejects.toThrow(/exists — pass --force/);
    await expect(runImport(request("airstack", { template: true, force: true }))).resolves.toMatchObject({ tokenKey: "airstackScimToken" });
  });

  it("names the choice when several apps share the display name, and --service-principal picks one", async () => {
    const second = emulator.seedApp({ template: "Airstack", displayName: "Airstack" });
    await expect(runImport(request("airstack-two"))).rejects.toThrow(/2 enterprise apps are named "Airstack" .* pass --service-principal/);
    expect(existsSync(join(root, "mappings", "airstack-two.yaml"))).toBe(false);
    const result = await runImport(request("airstack-two", { selector: { servicePrincipalId: second.servicePrincipalId } }));
    expect(result).toMatchObject({ servicePrincipalId: second.servicePrincipalId, jobId: second.jobId });
    expect(readFileSync(result.stackFile, "utf8")).toContain(`jobId: ${second.jobId}`);
  });

  it("an unknown display name is a clear error", async () => {
    await expect(runImport(request("nothing", { selector: { displayName: "No Such App" } }))).rejects.toThrow(/no enterprise app named "No Such App"/);
  });
});
