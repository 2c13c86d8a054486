import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parseDiffOptions } from "../../src/cli/diff";
import { estimateInitialCycle, formatRange } from "../../src/diff/consequences";
import { GITHUB_COMMENT_LIMIT, groupLine, renderMarkdown, userLine } from "../../src/diff/markdown";
import { details, parse, summary, TestRepo } from "./diff-helpers";

describe("diff options", () => {
  it("--stack is repeatable and takes comma lists; defaults are origin/main, all stacks, Markdown", () => {
    expect(parseDiffOptions([])).toEqual({ ok: true, options: { base: "origin/main", stacks: [], format: "markdown" } });
    expect(parseDiffOptions(["--stack", "dev", "--stack", "prod,qa", "--format", "json", "--users", "u.json", "--base", "HEAD~1"])).toEqual({
      ok: true,
      options: { base: "HEAD~1", stacks: ["dev", "prod", "qa"], users: "u.json", format: "json" },
    });
  });

  it("refuses an unknown format or option with the usage line", () => {
    const format = parseDiffOptions(["--format", "html"]);
    expect(format.ok).toBe(false);
    expect(!format.ok && format.message).toContain("usage: scimops diff");
    expect(parseDiffOptions(["--colour"]).ok).toBe(false);
  });
});

describe("initial-cycle estimate", () => {
  it("uses Microsoft's 0.01–0.08 minutes per assigned object", () => {
    expect(estimateInitialCycle(10_000)).toEqual({ minMinutes: 100, maxMinutes: 800 });
    expect(formatRange(estimateInitialCycle(10_000))).toBe("1.7 h – 13 h");
    expect(formatRange(estimateInitialCycle(500))).toBe("5 min – 40 min");
    expect(formatRange(estimateInitialCycle(3))).toBe("under a minute");
  });
});

describe("user lines", () => {
  it("a user leaving scope is one line; a user staying lists each changed attribute once", () => {
    expect(userLine({ userPrincipalName: "a@x", scope: "left", outcome: "disabled (PATCH active = false)", attributes: [], newViolations: [], fixedViolations: [] })).toBe("- `a@x`: leaves scope → disabled (PATCH active = false)");
    expect(
      userLine({
        userPrincipalName: "b@x",
        scope: "stayed",
        attributes: [{ target: "title", before: "A", after: null }],
        newViolations: [{ rule: "maxLength", attribute: "title", severity: "error", message: "too long" }],
        fixedViolations: [],
      }),
    ).toBe("- `b@x`: `title` `\"A\"` → (not sent); ✗ maxLength (`title`): too long");
  });

  it("a policy change is part of the user's line, whatever the scope change; a group is one line of its changes", () => {
    const policy = { before: "Contractors: VLAN 150, 25/25 Mbps, 8 h", after: "(none)" };
    expect(userLine({ userPrincipalName: "c@x", scope: "stayed", attributes: [], newViolations: [], fixedViolations: [], policy })).toBe("- `c@x`: policy Contractors: VLAN 150, 25/25 Mbps, 8 h → (none)");
    expect(userLine({ userPrincipalName: "d@x", scope: "left", outcome: "disabled (PATCH active = false)", attributes: [], newViolations: [], fixedViolations: [], policy })).toBe(
      "- `d@x`: leaves scope → disabled (PATCH active = false); policy Contractors: VLAN 150, 25/25 Mbps, 8 h → (none)",
    );
    expect(userLine({ userPrincipalName: "e@x", scope: "entered", attributes: [], newViolations: [], fixedViolations: [], policy: { before: "(none)", after: "Guest-WiFi: VLAN 200, 10/10 Mbps, 2 h" } })).toBe(
      "- `e@x`: enters scope → created; policy (none) → Guest-WiFi: VLAN 200, 10/10 Mbps, 2 h",
    );
    expect(groupLine({ group: "Guest-WiFi", changes: ["now provisioned (POST /Groups)", "members: 0 → 2"] })).toBe("- `Guest-WiFi`: now provisioned (POST /Groups); members: 0 → 2");
  });
});

/** The TestRepo of the enclosing describe block: made before its tests, removed after them. */
function testRepo(options: { resetAfterEach?: boolean } = {}): () => TestRepo {
  let repo: TestRepo | undefined;
  beforeAll(() => {
    repo = new TestRepo();
  });
  if (options.resetAfterEach) afterEach(() => repo!.reset());
  afterAll(() => repo!.dispose());
  return () => repo!;
}

describe("comment size", () => {
  const repo = testRepo({ resetAfterEach: true });

  it("a change touching thousands of users fits a GitHub comment and says what was cut", async () => {
    const users = Array.from({ length: 4000 }, (_, i) => ({
      userPrincipalName: `user.${String(i).padStart(5, "0")}.with.a.long.name@contoso.example`,
      displayName: `User ${i}`,
      mailNickname: `user.${i}`,
      mail: `user.${i}@contoso.example`,
      accountEnabled: true,
      jobTitle: `Title ${i}`,
      department: i % 2 ? "Sales" : "Retail",
      memberOf: [{ "@odata.type": "#microsoft.graph.group", id: "5e2b1c3a-0d4f-4c8e-9a71-2b6f0c1d9e01", displayName: "SCIM Pilot" }],
    }));
    writeFileSync(join(repo().dir, "big-users.json"), JSON.stringify(users));
    repo().edit("mappings/jumpcloud.yaml", ['{ target: title, source: "[jobTitle]" }', '{ target: title, source: "[department]" }']);
    repo().edit("mappings/spaceiq.yaml", ["accidentalDeletion: { enabled: true, threshold: 500 }", "accidentalDeletion: { enabled: true, threshold: 50 }"]);
    const { code, out } = await repo().run("--users", "big-users.json", "--stack", "dev");
    expect(code).toBe(0);
    expect(out.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    const tree = parse(out);
    // The summary keeps every row and its full counts.
    const rows = summary(tree);
    expect(rows.find((r) => r.App === "JumpCloud (jumpcloud)")).toMatchObject({ "Users affected": "4000", "Re-sync": expect.stringMatching(/^yes, ≈ 40 min – 5\.3 h$/) });
    expect(rows.find((r) => r.App === "SpaceIQ (spaceiq)")).toBeDefined();
    const jumpcloud = details(tree).find((d) => d.summary.startsWith("dev · JumpCloud"))!;
    const lines = jumpcloud.items("Users");
    expect(lines.length).toBeGreaterThan(10);
    expect(lines.at(-1)).toMatch(/^… \d+ more \(cut to fit the comment\)$/);
    expect(out).toMatch(/Cut to fit a GitHub comment \(65,536 characters\): dev · JumpCloud \(\d+ of 4000 users\)/);
    // The sections after the cut one still come, within the limit.
    expect(details(tree).map((d) => d.summary.split(" (")[0])).toContain("dev · SpaceIQ");
  });

  it("a small limit keeps the head and names what was left out", async () => {
    repo().edit("mappings/jumpcloud.yaml", ['{ target: title, source: "[jobTitle]" }', '{ target: title, source: "[department]" }']);
    const r = await repo().json("--stack", "dev");
    const out = renderMarkdown(r, { maxChars: 1500 });
    expect(out.length).toBeLessThanOrEqual(1500);
    expect(summary(parse(out)).map((row) => row.App)).toEqual(["JumpCloud (jumpcloud)"]);
    expect(out).toContain("Cut to fit a GitHub comment");
  });
});

describe("stack entries", () => {
  const repo = testRepo();

  it("a tenant-URL parameter and an app added to a stack", async () => {
    repo().edit("stacks/Pulumi.prod.yaml", ["parameters: { region: us-east }", "parameters: { region: eu-west }"], ["    - name: spaceiq\n      assignments: [{ group: SpaceIQ Users, role: User }]", "    - name: spaceiq\n      assignments: [{ group: SpaceIQ Users, role: User }]"]);
    repo().edit("stacks/Pulumi.dev.yaml", ["    - name: spaceiq\n      assignments: [{ group: SCIM Pilot, role: User }]\n", ""]);
    repo().commit("dev without spaceiq");
    repo().edit("stacks/Pulumi.dev.yaml", ["    - name: airstack", "    - name: spaceiq\n      assignments: [{ group: SCIM Pilot, role: User }]\n    - name: airstack"]);
    const { out } = await repo().run("--base", "HEAD~1");
    const tree = parse(out);
    const iron = details(tree).find((d) => d.summary.startsWith("prod · IronWifi"))!;
    expect(iron.table("Settings")).toEqual([
      { Setting: "stack entry › parameters.region", Before: "us-east", After: "eu-west" },
      { Setting: "Tenant URL", Before: "https://us-east.ironwifi.com/scim/v2", After: "https://eu-west.ironwifi.com/scim/v2" },
    ]);
    const r = await repo().json("--base", "HEAD");
    const added = r.stacks.find((s) => s.stack === "dev")!.apps.find((a) => a.app === "spaceiq")!;
    expect(added.status).toBe("added");
    expect(added.users.every((u) => u.scope === "entered")).toBe(true);
    expect(added.users.length).toBe(added.usersInScope.after);
    expect(added.consequences[0]!.kind).toBe("resync");
    expect(added.consequences[0]!.message).toMatch(/^Provisioning starts with an initial cycle/);
  });
});

describe("identity providers of a stack entry", () => {
  const repo = testRepo();

  it("dropping Okta from an app is one row, and Entra's side is untouched", async () => {
    // The entry's Okta settings go with Okta (validate refuses `okta:` on an app not deployed with Okta).
    repo().edit("stacks/Pulumi.dev.yaml", ["idps: [entra, okta]", "idps: [entra]"], ["      okta: { provisioning: pending, assignments: [SCIM Pilot] }\n", ""]);
    const r = await repo().json("--stack", "dev");
    const iron = r.stacks[0]!.apps.find((a) => a.app === "ironwifi")!;
    expect(iron.stackEntry.find((c) => c.name === "idps")).toEqual({ name: "idps", kind: "changed", before: "entra, okta", after: "entra" });
    expect(iron.changes).toEqual([{ area: "okta", name: "Okta app", kind: "removed", before: "IronWifi SCIM", schema: false, matching: false }]);
    expect(iron.users).toEqual([]);
  });
});
