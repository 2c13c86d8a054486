// The stack's token format is checked with the value the real Pulumi CLI decrypts (passphrase provider,
// local file backend), and the value never appears in what validate reports.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkSecretFormats } from "../../src/spec/check-secrets";
import { listAppFiles, loadProject } from "../../src/spec/project";
import { formatDiagnostic } from "../../src/spec/diagnostics";
import { pulumiReveal, stackSecretReveal } from "../../src/cli/secrets";

const root = join(__dirname, "..", "..");
let work: string;
let project: string;
let stackFile: string;
let pulumi: string;
let env: NodeJS.ProcessEnv;

const BAD_TOKEN = "scim_not-a-real-token-0123456789";
const GOOD_TOKEN = `scim_${"0f".repeat(32)}`;

function setToken(token: string): void {
  execFileSync(pulumi, ["config", "set", "--secret", "scimops:ironwifiScimToken", token, "--stack", "dev", "--non-interactive"], { cwd: project, env, stdio: "ignore" });
}

function check(revealEnv: NodeJS.ProcessEnv = env, via: "cli" | "passphrase" = "cli") {
  const { apps, stacks, diagnostics } = loadProject([], [stackFile], listAppFiles(root));
  expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const reveal = via === "cli" ? pulumiReveal({ cwd: project, stackFile, env: revealEnv, pulumi }) : stackSecretReveal(stacks[0]!, project, revealEnv);
  return checkSecretFormats(stacks[0]!, apps, reveal);
}

beforeAll(() => {
  const bin = execFileSync("bash", [join(root, "scripts", "ensure-pulumi.sh")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim().split("\n").pop()!;
  pulumi = join(bin, "pulumi");
  work = mkdtempSync(join(tmpdir(), "scimops-secrets-"));
  project = join(work, "project");
  mkdirSync(join(project, "stacks"), { recursive: true });
  mkdirSync(join(work, "backend"));
  writeFileSync(join(project, "Pulumi.yaml"), "name: scimops\nruntime: nodejs\nstackConfigDir: stacks\n");
  env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, PULUMI_BACKEND_URL: `file://${join(work, "backend")}`, PULUMI_HOME: join(work, "home"), PULUMI_CONFIG_PASSPHRASE: "secrets-e2e", PULUMI_SKIP_UPDATE_CHECK: "true" };
  execFileSync(pulumi, ["stack", "init", "dev", "--secrets-provider", "passphrase", "--non-interactive"], { cwd: project, env, stdio: "ignore" });
  stackFile = join(project, "stacks", "Pulumi.dev.yaml");
  // `stack init` wrote the passphrase salt; the plain settings are written as a person would.
  const salt = readFileSync(stackFile, "utf8").trim();
  writeFileSync(stackFile, `${salt}\nconfig:\n  scimops:oktaOrg: contoso.okta.com\n  scimops:notificationEmail: ops@contoso.example\n  scimops:apps:\n    - name: ironwifi\n      idps: [entra, okta]\n      parameters: { region: us-east }\n`);
}, 120_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("IronWifi token format, decrypted by the Pulumi CLI", () => {
  it("a token of the wrong shape is an error at the secret, without the token", async () => {
    setToken(BAD_TOKEN);
    const ds = await check();
    expect(ds.map((d) => d.severity)).toEqual(["error"]);
    const text = ds.map(formatDiagnostic).join("\n");
    expect(text).toContain("is not an IronWifi token: IronWifi tokens are scim_ followed by 64 hexadecimal characters");
    expect(text).not.toContain(BAD_TOKEN);
    expect(text).not.toContain("not-a-real");
  }, 60_000);

  it("a well-formed token passes", async () => {
    setToken(GOOD_TOKEN);
    expect(await check()).toEqual([]);
  }, 60_000);

  it("a passphrase stack is decrypted in memory without the CLI or its backend, as the CLI does", async () => {
    setToken(BAD_TOKEN);
    const offline = { PULUMI_CONFIG_PASSPHRASE: "secrets-e2e", PATH: "/nonexistent" };
    const ds = await check(offline, "passphrase");
    expect(ds.map((d) => [d.severity, d.message])).toEqual([["error", expect.stringContaining("is not an IronWifi token")]]);
    expect(ds.map(formatDiagnostic).join("\n")).not.toContain(BAD_TOKEN);
    setToken(GOOD_TOKEN);
    expect(await check(offline, "passphrase")).toEqual([]);
    const wrong = await check({ PULUMI_CONFIG_PASSPHRASE: "not-the-passphrase" }, "passphrase");
    expect(wrong.map((d) => [d.severity, d.message])).toEqual([["warning", "the format of `scimops:ironwifiScimToken` was not checked: the passphrase does not decrypt this stack's secrets"]]);
  }, 60_000);

  it("without the passphrase the check is skipped with one note", async () => {
    const { PULUMI_CONFIG_PASSPHRASE: _omitted, ...withoutPassphrase } = env;
    const ds = await check(withoutPassphrase);
    expect(ds.map((d) => [d.severity, d.message])).toEqual([["warning", "the format of `scimops:ironwifiScimToken` was not checked: no passphrase is available (PULUMI_CONFIG_PASSPHRASE is not set)"]]);
  }, 60_000);
});
