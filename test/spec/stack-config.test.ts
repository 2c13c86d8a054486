/**
 * Stack config in every form Pulumi writes it (verified with the Pulumi CLI v3.259.0):
 *   pulumi config set scimops:allowDeletion true        → scimops:allowDeletion: "true"
 *   pulumi config set --type bool scimops:protect true  → scimops:protect: true
 *   pulumi config set --path 'scimops:apps[0].parameters.region' 1 → a nested YAML object, region: 1
 *   pulumi config set scimops:apps '[{"name":"x"}]'     → the JSON text, a string
 * and as the engine hands it to the program (every value a string, objects as JSON text).
 * validate and the program read it through one parser: parseStackSettings.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { loadStackFile, parseStackSettings } from "../../src/spec/stack";
import { stackFileConfig } from "../program/harness";

const root = join(__dirname, "..", "..");
const dir = mkdtempSync(join(tmpdir(), "scimops-stack-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function devConfig(): Record<string, unknown> {
  return (parse(readFileSync(join(root, "stacks", "Pulumi.dev.yaml"), "utf8")) as { config: Record<string, unknown> }).config;
}

function stackFile(config: Record<string, unknown>, name: string): string {
  const file = join(dir, `Pulumi.${name}.yaml`);
  writeFileSync(file, stringify({ config }));
  return file;
}

describe("stack settings as Pulumi writes them", () => {
  it("accepts booleans written as strings (top-level `pulumi config set`) and as YAML booleans (--type bool)", () => {
    const config = { ...devConfig(), "scimops:allowDeletion": "true", "scimops:protect": true };
    const result = loadStackFile(stackFile(config, "strings"));
    expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(result.ok && result.stack.settings).toMatchObject({ allowDeletion: true, protect: true });
    const off = loadStackFile(stackFile({ ...devConfig(), "scimops:allowDeletion": "false" }, "off"));
    expect(off.ok && off.stack.settings.allowDeletion).toBe(false);
  });

  it("accepts --path objects whose leaves Pulumi typed as numbers, and a list given as JSON text", () => {
    const apps = [{ name: "ironwifi", idps: ["entra"], parameters: { region: 1 } }];
    const viaPath = loadStackFile(stackFile({ "scimops:apps": apps }, "path"));
    expect(viaPath.ok && viaPath.stack.settings.apps[0]!.parameters).toEqual({ region: "1" });
    const viaJson = loadStackFile(stackFile({ "scimops:apps": JSON.stringify(apps) }, "json"));
    expect(viaJson.ok && viaJson.stack.settings.apps).toEqual(viaPath.ok && viaPath.stack.settings.apps);
  });

  it("still rejects what is not a boolean, pointing at the key", () => {
    const result = loadStackFile(stackFile({ "scimops:allowDeletion": "yes" }, "bad"));
    expect(result.ok).toBe(false);
    const error = result.diagnostics.find((d) => d.severity === "error")!;
    expect(error.message).toMatch(/allowDeletion|boolean/);
    expect(error.line).toBe(2);
  });

  it("gives the program (the engine's strings) exactly the settings validate reads from the file", () => {
    const file = loadStackFile(join(root, "stacks", "Pulumi.dev.yaml"));
    const engine = parseStackSettings(stackFileConfig("dev"));
    expect(engine.success).toBe(true);
    expect(file.ok && file.stack.settings).toEqual(engine.data);
    expect(engine.data!.allowDeletion).toBe(true);
  });
});
