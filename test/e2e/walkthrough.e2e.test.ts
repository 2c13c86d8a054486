/**
 * The README's "Setting a stack up" block, run as written with the real Pulumi CLI on a machine that has
 * never run Pulumi (an empty HOME), in a copy of the project: file backend, stack init, `config set
 * --secret`, `config set` of a boolean (which Pulumi stores as the string "true"), then `scimops validate`
 * must exit 0. The only changes to the block: each `<placeholder>` gets a value, and each secret prompt is
 * answered on stdin.
 */
import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { pulumiBinDir } from "./pulumi-bin";

const root = join(__dirname, "..", "..");
const work = mkdtempSync(join(tmpdir(), "scimops-walkthrough-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The first sh block under "## Setting a stack up". */
function readmeBlock(): string {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Setting a stack up"));
  const block = /```sh\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error("README.md: no sh block under ## Setting a stack up");
  return block[1]!;
}

const PLACEHOLDERS: Record<string, string> = { "<passphrase>": "walkthrough passphrase", "<entra tenant id>": "72f988bf-86f1-41af-91ab-2d7cd011db47" };

/** A value for each secret prompt, in the format the app documents where it has one (validate checks it). */
function secretAnswer(key: string): string {
  return key === "ironwifiScimToken" ? `scim_${"5e".repeat(32)}` : `walkthrough-${key}`;
}

/** The block with values for its placeholders and an answer on stdin for each secret prompt. */
function runnable(block: string): string {
  return block
    .split("\n")
    .map((line) => {
      let out = line.replace(/<[^>]+>/g, (p) => PLACEHOLDERS[p] ?? p);
      const secret = /^(pulumi config set --secret (scimops:\w+))(\s+#.*)?$/.exec(out);
      if (secret) out = `${secret[1]} <<< '${secretAnswer(secret[2]!.slice("scimops:".length))}'`;
      return out;
    })
    .join("\n");
}

describe("the README's stack set-up, typed as written", () => {
  it("ends with `scimops validate` exiting 0, after Pulumi rewrote the stack file's boolean as a string", async () => {
    const block = readmeBlock();
    expect(block).toMatch(/pulumi login/);
    expect(block).toMatch(/pulumi config set --secret/);
    expect(block).toMatch(/pulumi config set scimops:allowDeletion true/);
    expect(block).toMatch(/scimops validate/);
    const script = runnable(block);
    expect(script).not.toMatch(/<[a-z][^>]*>/);

    // A copy of the project (the block writes stacks/Pulumi.dev.yaml) and a HOME that has never seen Pulumi.
    const project = join(work, "project");
    const home = join(work, "home");
    mkdirSync(home);
    mkdirSync(project);
    for (const entry of ["package.json", "Pulumi.yaml", "stacks", "mappings"]) cpSync(join(root, entry), join(project, entry), { recursive: true });
    for (const entry of ["node_modules", "bin", "src", "schema", "scripts"]) symlinkSync(join(root, entry), join(project, entry));
    writeFileSync(join(work, "walkthrough.sh"), `set -euo pipefail\n${script}`);

    const env: NodeJS.ProcessEnv = {
      ...process.env,
      HOME: home,
      // The CLI the suite prepared, as an installed pulumi would be (ensure-pulumi.sh takes it from PATH).
      PATH: `${pulumiBinDir()}:${process.env.PATH}`,
      PULUMI_SKIP_UPDATE_CHECK: "true",
      NO_COLOR: "1",
    };
    for (const key of ["PULUMI_HOME", "PULUMI_BACKEND_URL", "PULUMI_CONFIG_PASSPHRASE", "PULUMI_ACCESS_TOKEN"]) delete env[key];
    const result = await new Promise<{ code: number; output: string }>((resolve) => {
      execFile("bash", [join(work, "walkthrough.sh")], { cwd: project, env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, output: `${stdout}${stderr}` });
      });
    });
    expect(result.output).toMatch(/\d+ file\(s\) valid/);
    expect(result.code, result.output).toBe(0);

    // What Pulumi wrote: the boolean as a string, the tokens encrypted, never in plain text.
    const stackText = readFileSync(join(project, "stacks", "Pulumi.dev.yaml"), "utf8");
    const config = (parse(stackText) as { config: Record<string, unknown> }).config;
    expect(config["scimops:allowDeletion"]).toBe("true");
    expect(config["scimops:jumpcloudApiKey"]).toEqual({ secure: expect.any(String) });
    expect(stackText).not.toContain("walkthrough-jumpcloudApiKey");
    expect(result.output).not.toContain("walkthrough-jumpcloudApiKey");
  });
});
