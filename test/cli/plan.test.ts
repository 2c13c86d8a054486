import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { planCommand, type PlanDocument } from "../../src/cli/plan";
import { main } from "../../src/cli/main";
import { synchronizationSchemaProvider as provider } from "../../src/entra/synchronization-schema";
import { ENTRA_PROVIDER_VERSION } from "../../src/entra/version";
import type { GraphConnection } from "../../src/entra/graph";
import { loadPreviewProject } from "../../src/preview/project";
import type { GraphEmulator } from "../emulators/graph/index";
import { useEmulator } from "../entra/support";

const root = join(__dirname, "..", "..");

async function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await planCommand(args, { stdout: (s) => void out.push(s), stderr: (s) => void err.push(s) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

let emu: GraphEmulator;
let graph: GraphConnection;
useEmulator((s) => ({ emu, graph } = s));

describe("scimops plan", () => {
  it("prints the objectMappings exactly as the schema resource PUTs them", async () => {
    const { code, out } = await run(["--app", "jumpcloud"]);
    expect(code).toBe(0);
    const doc = JSON.parse(out) as PlanDocument;
    expect(doc.stack).toBe("dev");
    const printed = doc.apps[0]!.entra!.schema.objectMappings;
    expect(printed.map((m) => m.name)).toEqual(["Provision Microsoft Entra ID Users", "Provision Microsoft Entra ID Groups"]);

    // Apply the same app through the real provider and compare with what the emulator stored.
    const plan = loadPreviewProject(root, { apps: ["jumpcloud"] }).plans[0]!;
    const app = emu.seedApp({ template: "non-gallery", displayName: "Plan check" });
    emu.clearRequests();
    await provider.create({ graph, servicePrincipalId: app.servicePrincipalId, jobId: app.jobId, objectMappings: plan.entra!.mappings.map((m) => m.graph), providerVersion: ENTRA_PROVIDER_VERSION });
    const put = emu.writes().find((w) => w.method === "PUT" && w.path.endsWith("/schema"));
    expect(put).toBeDefined();
    const sent = (put!.body as { synchronizationRules: { objectMappings: { name: string; metadata?: unknown }[] }[] }).synchronizationRules[0]!.objectMappings;
    for (const m of printed) {
      const onWire = sent.find((x) => x.name === m.name)!;
      // metadata: the PUT keeps the live entry's keys beside the declared ones; everything else is identical
      expect({ ...onWire, metadata: undefined }).toEqual({ ...m, metadata: undefined });
    }
  });

  it("prints the secrets collection with the token as [secret], and never a secret", async () => {
    const { out } = await run(["--app", "ironwifi", "--stack", "dev"]);
    const doc = JSON.parse(out) as PlanDocument;
    const secrets = doc.apps[0]!.entra!.secrets;
    expect(secrets.value.map((s) => s.key)).toEqual(["BaseAddress", "SecretToken", "SyncAll", "SyncNotificationSettings", "SkipOutOfScopeDeletions"]);
    expect(secrets.value.find((s) => s.key === "SecretToken")!.value).toBe("[secret]");
    expect(secrets.secretTokenConfig).toMatch(/^scimops:/);
    // The stack file's encrypted values never show up.
    const stack = readFileSync(join(root, "stacks", "Pulumi.dev.yaml"), "utf8");
    for (const m of stack.matchAll(/secure:\s*(\S+)/g)) expect(out).not.toContain(m[1]);
    expect(doc.apps[0]!.okta?.token).toBe("[secret]");
  });

  it("yaml is the same document", async () => {
    const json = JSON.parse((await run(["--app", "airstack"])).out);
    expect(parse((await run(["--app", "airstack", "--format", "yaml"])).out)).toEqual(json);
  });

  it("exits 2 on an unknown app or format, and is registered with the CLI", async () => {
    expect((await run(["--app", "nope"])).code).toBe(2);
    const bad = await run(["--format", "xml"]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--format is one of json, yaml/);
    const out: string[] = [];
    expect(await main(["help", "plan"], { stdout: (s) => void out.push(s), stderr: () => undefined })).toBe(0);
    expect(out.join("\n")).toMatch(/plan \[--app NAME\]\.\.\. \[--stack ENV\] \[--format json\|yaml\]/);
  });
});
