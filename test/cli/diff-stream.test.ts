import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderMarkdown } from "../../src/diff/markdown";
import { buildReport } from "../../src/diff/report";
import { loadSnapshot, type Snapshot } from "../../src/diff/snapshot";
import { tallySides } from "../../src/diff/users";
import type { SampleUser } from "../../src/preview";
import { plan, sampleUsers } from "../preview/helpers";
import { TestRepo } from "./diff-helpers";

const root = join(__dirname, "..", "..");
const upper = (spec: Parameters<NonNullable<Parameters<typeof plan>[1]>>[0]) => {
  spec.entra!.mappings.users!.attributes.find((a) => a.target === "displayName")!.source = "ToUpper([displayName])";
};

/** Many users: the sample users repeated under new names (the same scopes, groups and values). */
function manyUsers(copies: number): SampleUser[] {
  const base = sampleUsers();
  const out: SampleUser[] = [];
  for (let c = 0; c < copies; c++) for (const u of base) out.push({ ...u, userPrincipalName: `c${c}.${u.userPrincipalName}`, ...(typeof u.mailNickname === "string" ? { mailNickname: `c${c}.${u.mailNickname}` } : {}) });
  return out;
}

describe("diff over streamed users", () => {
  it("lists the first N changed users and counts the rest: the same counts, and the same first users, as listing all", async () => {
    const users = manyUsers(20);
    let passes = 0;
    const source = () => {
      passes++;
      return users;
    };
    const config = {};
    const all = await tallySides({ plan: plan("ironwifi"), config }, { plan: plan("ironwifi", upper), config }, source, { head: plan("ironwifi", upper), changes: true, maxListed: Infinity });
    // The first pass of the shared-matching-value rule, then the pass both sides preview.
    expect(passes).toBe(2);
    expect(all.changed).toBeGreaterThan(100);
    expect(all.changes).toHaveLength(all.changed);
    const few = await tallySides({ plan: plan("ironwifi"), config }, { plan: plan("ironwifi", upper), config }, source, { head: plan("ironwifi", upper), changes: true, maxListed: 7 });
    expect(few.changes).toEqual(all.changes.slice(0, 7));
    expect({ ...few, changes: [] }).toEqual({ ...all, changes: [] });
    expect(few.users).toBe(users.length);
  });

  it("the report counts what it does not list; the comment says the JSON lists the first 1,000", async () => {
    const base = loadSnapshot(root);
    const head: Snapshot = loadSnapshot(root);
    upper(head.apps.get("ironwifi")!.spec);
    const users = manyUsers(90);
    const report = await buildReport({ base, head, baseRevision: "main", stacks: ["dev"], users: () => users });
    expect(report.sampleUsers).toBe(users.length);
    const iron = report.stacks[0]!.apps.find((a) => a.app === "ironwifi")!;
    expect(iron.users).toHaveLength(1_000);
    expect(iron.usersNotListed).toBeGreaterThan(0);
    expect(iron.summary.usersAffected).toBe(iron.users.length + iron.usersNotListed);
    const unchanged = report.stacks[0]!.apps.find((a) => a.app === "airstack")!;
    expect(unchanged).toMatchObject({ status: "unchanged", users: [], usersNotListed: 0 });
    const md = renderMarkdown(report);
    expect(md).toContain(`#### Users (${iron.summary.usersAffected} sample users change;`);
    expect(md).toContain("`scimops diff --format json` lists the first 1,000 changed users of each app and counts the rest.");
  });

  it("scimops diff: a users file with a mistake is one FILE:LINE:COL diagnostic, exit 1", async () => {
    const repo = new TestRepo();
    try {
      repo.write("users.json", '[\n  {"userPrincipalName": "a@contoso.example"},\n  {"userPrincipalName": "b@contoso.example", "memberOf": "SCIM Pilot"}\n]\n');
      const bad = await repo.run("--users", "users.json");
      expect(bad.code).toBe(1);
      expect(bad.err).toBe("scimops: users.json:3:3: error: user 2 (b@contoso.example): `memberOf` is a list of groups — write it as a list: `[\"SCIM Pilot\"]` or Graph's `[{\"displayName\": \"SCIM Pilot\"}]`");
      expect(bad.out).toBe("");
      const missing = await repo.run("--users", "nowhere.json");
      expect(missing).toMatchObject({ code: 1, err: "scimops: users file not found: nowhere.json" });
    } finally {
      repo.dispose();
    }
  });
});
