/**
 * The real program (src/index.ts, Pulumi.yaml's `main`) through the real engine, with type-checking on as
 * users run it: it must compile under Pulumi's ts-node, read the stack, and register every component;
 * offline it then stops where @pulumi/azuread and @pulumi/okta need their provider plugins.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LocalWorkspace, PulumiCommand } from "@pulumi/pulumi/automation";
import { pulumiBinDir } from "./pulumi-bin";

const root = join(__dirname, "..", "..");
const STACK = "e2eprogram";
const stackFile = join(root, "stacks", `Pulumi.${STACK}.yaml`);
const work = mkdtempSync(join(tmpdir(), "scimops-program-"));

afterAll(() => {
  rmSync(stackFile, { force: true });
  rmSync(work, { recursive: true, force: true });
});

describe("the Pulumi program under the real engine", () => {
  it("compiles with type-checking, registers the dev stack's components, and stops only at the missing provider plugins", async () => {
    const bin = pulumiBinDir();
    for (const dir of ["backend", "home"]) mkdirSync(join(work, dir));
    const env = {
      PATH: `${bin}:${join(root, "node_modules", ".bin")}:${process.env.PATH}`,
      PULUMI_BACKEND_URL: `file://${join(work, "backend")}`,
      PULUMI_CONFIG_PASSPHRASE: "program-e2e",
      PULUMI_HOME: join(work, "home"),
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    };
    process.env.PATH = env.PATH;
    copyFileSync(join(root, "stacks", "Pulumi.dev.yaml"), stackFile);
    const pulumiCommand = await PulumiCommand.get({ root: dirname(bin) });
    const stack = await LocalWorkspace.createOrSelectStack({ stackName: STACK, workDir: root }, { envVars: env, pulumiHome: env.PULUMI_HOME, pulumiCommand });
    for (const key of ["ipassSmartConnectToken", "ironwifiScimToken", "jumpcloudApiKey", "airstackSecretToken", "spaceiqScimToken"]) {
      await stack.setConfig(`scimops:${key}`, { value: `token-${key}`, secret: true });
    }
    const lines: string[] = [];
    const failure = await stack.preview({ onOutput: (s) => void lines.push(s) }).catch((e: Error) => e);
    const output = `${lines.join("")}\n${String(failure)}`;
    expect(failure).toBeInstanceOf(Error);
    expect(output).not.toMatch(/TSError|Unable to compile TypeScript|unhandled exception/);
    // The engine stops at the first provider it cannot load, so how many components it shows varies.
    expect(output).toMatch(/\+ {2}scimops:(entra|okta):ProvisionedApp \S+-(entra|okta) create/);
    expect(output).toMatch(/no resource plugin 'pulumi-resource-(azuread|okta)'/);
    expect(output).not.toContain("token-ironwifiScimToken");
    await stack.workspace.removeStack(STACK, { force: true });
  });
});
