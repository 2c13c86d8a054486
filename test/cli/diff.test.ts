import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { diffCommand } from "../../src/cli/diff";

const root = join(__dirname, "..", "..");
let repo: string;
const cwd = process.cwd();

async function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await diffCommand(args, { stdout: (s) => void out.push(s), stderr: (s) => void err.push(s) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

beforeAll(() => {
  repo = mkdtempSync(join(tmpdir(), "scimops-diff-"));
  for (const dir of ["mappings", "stacks", "examples", "schema"]) cpSync(join(root, dir), join(repo, dir), { recursive: true });
  cpSync(join(root, "Pulumi.yaml"), join(repo, "Pulumi.yaml"));
  const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, stdio: "ignore" });
  git("init", "-q", "-b", "main");
  git("-c", "user.email=t@example.com", "-c", "user.name=t", "add", "-A");
  git("-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "base");
  process.chdir(repo);
});

afterAll(() => {
  process.chdir(cwd);
  rmSync(repo, { recursive: true, force: true });
});

describe("scimops diff", () => {
  it("reports nothing when the files equal the base", async () => {
    const { code, out } = await run(["--base", "main"]);
    expect(code).toBe(0);
    expect(out).toContain("No app's provisioning changes.");
  });

  it("names the changed mapping row and every sample user whose POST body changes", async () => {
    const file = join(repo, "mappings", "jumpcloud.yaml");
    const original = readFileSync(file, "utf8");
    // Whitespace-only edits of an expression are not changes; a new source is.
    writeFileSync(file, original.replace('{ target: title, source: "[jobTitle]" }', '{ target: title, source: "[department]" }').replace('Switch([IsSoftDeleted], , "False", "True", "True", "False")', 'Switch( [IsSoftDeleted] , , "False", "True", "True", "False" )'));
    const { code, out } = await run(["--base", "main", "--format", "json"]);
    expect(code).toBe(0);
    const report = JSON.parse(out) as { apps: { app: string; status: string; changes: { where: string; before?: string; after?: string }[]; users: { userPrincipalName: string; changes: string[] }[] }[] };
    const jumpcloud = report.apps.find((a) => a.app === "jumpcloud")!;
    expect(jumpcloud.status).toBe("changed");
    expect(jumpcloud.changes).toEqual([{ where: "users › title", kind: "changed", before: "[jobTitle]", after: "[department]" }]);
    expect(report.apps.filter((a) => a.status !== "unchanged").map((a) => a.app)).toEqual(["jumpcloud"]);
    const adele = jumpcloud.users.find((u) => u.userPrincipalName === "adele.vance@contoso.example")!;
    expect(adele.changes).toEqual(['title: "Retail Manager" → "Retail"']);
    writeFileSync(file, original);
  });

  it("shows users that fall out of scope and violations that appear, in Markdown for a pull request", async () => {
    const file = join(repo, "mappings", "jumpcloud.yaml");
    const original = readFileSync(file, "utf8");
    writeFileSync(
      file,
      original
        .replace("      actions: [create, update, delete]\n      # Only", "      actions: [create, update, delete]\n      scopingFilters:\n        - name: Retail only\n          clauses:\n            - { attribute: department, operator: EQUALS, value: Retail }\n      # Only")
        .replace('{ target: userName, source: "[mailNickname]", matchingPrecedence: 1 }', '{ target: userName, source: "[userPrincipalName]", matchingPrecedence: 1 }')
        .replace("    forbidEmail: true\n", "    forbidEmail: false\n"),
    );
    const { code, out } = await run(["--base", "main"]);
    expect(code).toBe(0);
    expect(out).toContain("### JumpCloud (jumpcloud) — changed");
    expect(out).toMatch(/\| users › scoping filters \| changed \|/);
    expect(out).toMatch(/\| users › userName \| changed \| \[mailNickname\], matching 1 \| \[userPrincipalName\], matching 1 \|/);
    expect(out).toContain("no longer provisioned (deprovisioned)");
    expect(out).toMatch(/\*\*adele\.vance@contoso\.example\*\*: userName: "adele\.vance" → "adele\.vance@contoso\.example"/);
    writeFileSync(file, original);
  });

  it("fails clearly on an unknown base revision", async () => {
    const { code, err } = await run(["--base", "no-such-branch"]);
    expect(code).toBe(1);
    expect(err).toContain("unknown revision `no-such-branch`");
  });
});
