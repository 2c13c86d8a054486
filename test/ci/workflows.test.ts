/**
 * The GitHub Actions workflows (.github/workflows, .github/actions) checked as CI would run them: actionlint
 * (built by test/setup/actionlint.ts) passes on ours and fails on a broken one; every action is pinned to a
 * full commit SHA with its version beside it; every job states its permissions.
 */
import { execFile, execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ACTIONLINT_ENV } from "../setup/actionlint";

const root = join(__dirname, "..", "..");
const workflowsDir = join(root, ".github", "workflows");
const temps: string[] = [];
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** actionlint over the .github folder of `cwd`; shellcheck/pyflakes off so every machine checks the same. */
function actionlint(cwd: string): Promise<{ code: number; output: string }> {
  const bin = process.env[ACTIONLINT_ENV];
  if (!bin) throw new Error(`${ACTIONLINT_ENV} is not set: run the tests through vitest.config.ts (its globalSetup builds actionlint)`);
  return new Promise((resolve) => {
    execFile(bin, ["-no-color", "-oneline", "-shellcheck=", "-pyflakes="], { cwd }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, output: `${stdout}${stderr}` });
    });
  });
}

function workspaceCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), "scimops-actionlint-"));
  temps.push(dir);
  cpSync(join(root, ".github"), join(dir, ".github"), { recursive: true });
  // actionlint finds the project (and the local actions) by its git repository.
  execFileSync("git", ["init", "-q", dir]);
  return dir;
}

const workflowFiles = readdirSync(workflowsDir).filter((f) => /\.ya?ml$/.test(f));
const actionFiles = readdirSync(join(root, ".github", "actions")).map((d) => join(root, ".github", "actions", d, "action.yml"));
const allFiles = [...workflowFiles.map((f) => join(workflowsDir, f)), ...actionFiles];

describe("actionlint", () => {
  it("passes on the repository's workflows and local actions", async () => {
    expect(workflowFiles.sort()).toEqual(["deploy.yml", "drift.yml", "pull-request.yml"]);
    const result = await actionlint(root);
    expect(result.output).toBe("");
    expect(result.code).toBe(0);
  });

  it("fails on a broken workflow, naming the file and the mistake", async () => {
    const dir = workspaceCopy();
    const broken = readFileSync(join(workflowsDir, "deploy.yml"), "utf8").replace("needs: dev", "needs: deev").replace("${{ vars.AZURE_CLIENT_ID }}", "${{ vars.AZURE_CLIENT_ID ");
    writeFileSync(join(dir, ".github", "workflows", "deploy.yml"), broken);
    const result = await actionlint(dir);
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/deploy\.yml:\d+:\d+: .*"deev"/);
    expect(result.output).toMatch(/deploy\.yml:\d+:\d+: .*(unexpected end of input|got end of input|expression)/i);
  });

  it("fails on a step whose local action input does not exist", async () => {
    const dir = workspaceCopy();
    const file = join(dir, ".github", "workflows", "drift.yml");
    writeFileSync(file, readFileSync(file, "utf8").replace("client-id: ${{ vars.AZURE_CLIENT_ID }}", "clientid: ${{ vars.AZURE_CLIENT_ID }}"));
    const result = await actionlint(dir);
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/drift\.yml:\d+:\d+: .*clientid/);
  });
});

describe("workflow conventions", () => {
  const uses = allFiles.flatMap((file) =>
    readFileSync(file, "utf8")
      .split("\n")
      .map((line, i) => ({ file, line: i + 1, text: line.trim() }))
      .filter((l) => /^(- )?uses: /.test(l.text)),
  );

  it("pins every remote action to a full commit SHA with the version in a comment", () => {
    const remote = uses.filter((u) => !u.text.includes("uses: ./"));
    expect(remote.length).toBeGreaterThan(5);
    for (const u of remote) expect(u.text, `${u.file}:${u.line}`).toMatch(/uses: [\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
    // One SHA per action everywhere.
    const shaOf = new Map<string, Set<string>>();
    for (const u of remote) {
      const [, action, sha] = /uses: (\S+)@(\S+)/.exec(u.text)!;
      shaOf.set(action!, (shaOf.get(action!) ?? new Set()).add(sha!));
    }
    for (const [action, shas] of shaOf) expect([...shas], action).toHaveLength(1);
  });

  it("grants nothing at workflow level and states each job's permissions", () => {
    for (const f of workflowFiles) {
      const wf = parse(readFileSync(join(workflowsDir, f), "utf8")) as { permissions: unknown; jobs: Record<string, { permissions?: Record<string, string> }> };
      expect(wf.permissions, f).toEqual({});
      for (const [name, job] of Object.entries(wf.jobs)) {
        expect(job.permissions, `${f} ${name}`).toBeDefined();
        expect(Object.values(job.permissions!).every((v) => v === "read" || v === "write"), `${f} ${name}`).toBe(true);
        expect(Object.keys(job.permissions!), `${f} ${name}: never write-all`).not.toContain("write-all");
      }
    }
  });

  it("runs the policy pack on every Pulumi operation", () => {
    const text = workflowFiles.map((f) => readFileSync(join(workflowsDir, f), "utf8")).join("\n");
    const operations = [...text.matchAll(/command: (\w+)\n((?:\s+[\w-]+: .*\n)*)/g)];
    expect(operations.map((m) => m[1]).sort()).toEqual(["preview", "up", "up"]);
    for (const m of operations) expect(m[2], m[1]).toMatch(/policyPacks: policy/);
    expect(text).toContain("scimops drift --stack");
  });
});
