import { readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020";
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import type { DiffReport } from "../../src/diff/model";
import { details, parse, summary, TestRepo } from "./diff-helpers";

let repo: TestRepo;
const schema = JSON.parse(readFileSync(join(__dirname, "..", "..", "schema", "diff.schema.json"), "utf8")) as object;
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);

/** Every JSON report a test reads is checked against schema/diff.schema.json. */
async function report(...args: string[]): Promise<DiffReport> {
  const r = await repo.json(...args);
  expect(validate(r), JSON.stringify(validate.errors)).toBe(true);
  return r;
}

function app(r: DiffReport, stack: string, name: string) {
  const found = r.stacks.find((s) => s.stack === stack)?.apps.find((a) => a.app === name);
  if (!found) throw new Error(`no ${stack}/${name} in the report`);
  return found;
}

beforeAll(() => {
  repo = new TestRepo();
});
afterEach(() => repo.reset());
afterAll(() => repo.dispose());

describe("scimops diff on a git repository", () => {
  it("says nothing changes when the working tree equals the base, for every stack", async () => {
    const { code, out } = await repo.run();
    expect(code).toBe(0);
    const tree = parse(out);
    expect(summary(tree)).toEqual([]);
    expect(out).toContain("No provisioning changes in `dev` and `prod`");
    const r = await report();
    expect(r.stacks.map((s) => [s.stack, s.status])).toEqual([["dev", "unchanged"], ["prod", "unchanged"]]);
  });

  it("a stack-only change: the assignment and the notification email, and the users who leave scope because of it", async () => {
    repo.edit(
      "stacks/Pulumi.dev.yaml",
      ["scimops:notificationEmail: identity-dev@contoso.example", "scimops:notificationEmail: identity-team@contoso.example"],
      ["- name: airstack\n      assignments: [{ group: SCIM Pilot, role: User }]", "- name: airstack\n      assignments: [{ group: Airstack Users, role: User }]"],
    );
    const { code, out } = await repo.run("--stack", "dev");
    expect(code).toBe(0);
    const tree = parse(out);
    const table = summary(tree);
    const airstack = table.find((r) => r.App === "Airstack (airstack)")!;
    expect(airstack).toMatchObject({ Stack: "dev", Change: "changed", "Re-sync": "no", "New violations": "0" });
    // Every other app reads the notification email: each shows the one setting, and nothing else runs again.
    expect(table.map((r) => r.App).sort()).toEqual(["Airstack (airstack)", "JumpCloud (jumpcloud)", "SpaceIQ (spaceiq)", "iPass SmartConnect (ipass-smartconnect)", "IronWifi (ironwifi)"].sort());
    const stackTable = out.slice(out.indexOf("### Stack `dev`"));
    expect(stackTable).toContain("| scimops:notificationEmail | `identity-dev@contoso.example` | `identity-team@contoso.example` |");

    const section = details(tree).find((d) => d.summary.startsWith("dev · Airstack"))!;
    expect(section.table("Settings")).toEqual([
      { Setting: "Notification Email", Before: "identity-dev@contoso.example", After: "identity-team@contoso.example" },
      { Setting: "Users and groups › group SCIM Pilot", Before: "role User", After: "—" },
      { Setting: "Users and groups › group Airstack Users", Before: "—", After: "role User" },
    ]);
    const users = section.items("Users");
    const r = await report("--stack", "dev");
    const a = app(r, "dev", "airstack");
    const leaving = a.users.filter((u) => u.scope === "left");
    expect(a.usersInScope.before).toBeGreaterThan(0);
    expect(leaving.length).toBe(a.usersInScope.before - a.usersInScope.after);
    expect(users.length).toBe(a.users.length);
    for (const u of leaving) expect(users).toContain(`${u.userPrincipalName}: leaves scope → ${u.outcome}`);
    expect(a.consequences.map((c) => c.kind)).toEqual(["settingsOnly", "scopeExit"]);
    expect(Number(airstack["Users affected"])).toBe(a.users.length);
  });

  it("a matching attribute change is a loud warning, in the table and above it", async () => {
    repo.edit("mappings/airstack.yaml", ['{ target: userName, source: "[userPrincipalName]", matchingPrecedence: 1 }', '{ target: userName, source: "[mail]", matchingPrecedence: 1 }']);
    const { out } = await repo.run();
    const tree = parse(out);
    const caution = tree.children.find((n) => n.type === "blockquote")!;
    expect(caution).toBeDefined();
    expect(tree.children.indexOf(caution)).toBeLessThan(tree.children.findIndex((n) => n.type === "table"));
    const cautionText = JSON.stringify(caution);
    expect(cautionText).toContain("[!CAUTION]");
    expect(cautionText).toContain("dev · Airstack");
    expect(cautionText).toContain("prod · Airstack");
    expect(cautionText).toContain("duplicates");
    expect(summary(tree).filter((r) => r.App === "Airstack (airstack)").map((r) => r["Re-sync"]!.startsWith("yes"))).toEqual([true, true]);
    const section = details(tree).find((d) => d.summary.startsWith("dev · Airstack"))!;
    expect(section.table("Mappings")).toEqual([{ Mapping: "Users", Row: "Attribute Mapping › userName 🛑 matching", Before: "[userPrincipalName], matching 1", After: "[mail], matching 1" }]);

    const a = app(await report(), "dev", "airstack");
    expect(a.changes).toEqual([{ area: "mapping", mapping: "users", name: "Attribute Mapping › userName", kind: "changed", before: "[userPrincipalName], matching 1", after: "[mail], matching 1", schema: true, matching: true }]);
    expect(a.consequences.find((c) => c.kind === "matching")?.severity).toBe("caution");
  });

  it("a change of matching precedence alone is a matching change; a non-matching row is not", async () => {
    repo.edit("mappings/airstack.yaml", ['{ target: externalId, source: "[mailNickname]" }', '{ target: externalId, source: "[mailNickname]", matchingPrecedence: 2 }'], ['{ target: title, source: "[jobTitle]" }', '{ target: title, source: "[department]" }']);
    const a = app(await report("--stack", "dev"), "dev", "airstack");
    expect(a.changes.map((c) => [c.name, c.matching])).toEqual([["Attribute Mapping › title", false], ["Attribute Mapping › externalId", true]]);
  });

  it("an unchanged violation whose message changes is neither new nor fixed", async () => {
    // Nestor's domain is not registered either way; the message lists the registered domains, which change.
    repo.edit("stacks/Pulumi.dev.yaml", ["scimops:ipassRegisteredDomains: contoso.example", "scimops:ipassRegisteredDomains: contoso.example,contoso-corp.example"]);
    const { out } = await repo.run("--stack", "dev");
    const tree = parse(out);
    const ipass = summary(tree).find((r) => r.App === "iPass SmartConnect (ipass-smartconnect)")!;
    expect(ipass).toMatchObject({ "Users affected": "0", "New violations": "0", "Re-sync": "no" });
    expect(out).not.toContain("✗");
    expect(out).not.toContain("✓");
    const section = details(tree).find((d) => d.summary.startsWith("dev · iPass"))!;
    expect(section.items("What Entra will do")).toEqual(["ℹ️ Nothing changes in Entra: only the target rules change (scimops's own checks of what the target accepts)."]);
    expect(section.table("Target rules")).toEqual([{ Rule: "Target rules › userName.allowedDomains", Before: "contoso.example", After: "contoso.example,contoso-corp.example" }]);
    // …while a violation that does appear is new, once, by rule and attribute.
    repo.edit("stacks/Pulumi.dev.yaml", ["scimops:ipassRegisteredDomains: contoso.example,contoso-corp.example", "scimops:ipassRegisteredDomains: contoso-corp.example"]);
    const a = app(await report("--stack", "dev"), "dev", "ipass-smartconnect");
    const adele = a.users.find((u) => u.userPrincipalName === "adele.vance@contoso.example")!;
    expect(adele.newViolations.map((v) => [v.rule, v.attribute])).toEqual([["userName-domain", "userName"]]);
    expect(a.users.find((u) => u.userPrincipalName === "nestor.wilke@fabrikam-labs.example")).toBeUndefined();
  });

  it("a user leaving scope is one line with what the target sees, and the accidental-deletion threshold is weighed", async () => {
    repo.edit(
      "mappings/jumpcloud.yaml",
      ["      actions: [create, update, delete]\n      # Only", "      actions: [create, update, delete]\n      scopingFilters:\n        - name: Retail only\n          clauses:\n            - { attribute: department, operator: EQUALS, value: Retail }\n      # Only"],
      ["accidentalDeletion: { enabled: true, threshold: 500 }", "accidentalDeletion: { enabled: true, threshold: 3 }"],
    );
    const { out } = await repo.run("--stack", "dev");
    const section = details(parse(out)).find((d) => d.summary.startsWith("dev · JumpCloud"))!;
    const lines = section.items("Users");
    expect(lines).toContain("megan.bowen@contoso.example: leaves scope → disabled (PATCH active = false)");
    expect(lines).toContain("pradeep.gupta@contoso.example: leaves scope → nothing sent (already soft-deleted or disabled in Entra)");
    expect(out).not.toContain("(not sent)");
    const r = await report("--stack", "dev");
    const jc = app(r, "dev", "jumpcloud");
    const exit = jc.consequences.find((c) => c.kind === "scopeExit")!;
    const left = jc.users.filter((u) => u.scope === "left").length;
    expect(exit.scopeExit).toEqual({ users: left, disabled: left - 1, threshold: 3, thresholdStops: true });
    expect(section.items("What Entra will do").join("\n")).toContain("reaches the accidental-deletion threshold (3): the job goes into quarantine");

    // SkipOutOfScopeDeletions: nothing happens to them in the target, and nothing counts against the threshold.
    repo.edit("mappings/jumpcloud.yaml", ["skipOutOfScopeDeletions: false", "skipOutOfScopeDeletions: true"]);
    const skipped = app(await report("--stack", "dev"), "dev", "jumpcloud");
    expect(skipped.consequences.find((c) => c.kind === "scopeExit")!.scopeExit).toEqual({ users: left, disabled: 0, threshold: 3, thresholdStops: false });
    expect(new Set(skipped.users.filter((u) => u.scope === "left").map((u) => u.outcome))).toEqual(new Set(["left as is (SkipOutOfScopeDeletions)"]));
  });

  it("a scoping filter change shows as clauses and restarts the initial cycle with Microsoft's estimate", async () => {
    repo.edit("mappings/jumpcloud.yaml", ["      actions: [create, update, delete]\n      # Only", "      actions: [create, update, delete]\n      scopingFilters:\n        - name: Retail only\n          clauses:\n            - { attribute: department, operator: EQUALS, value: Retail }\n            - { attribute: accountEnabled, operator: IS TRUE }\n      # Only"]);
    repo.commit("filter");
    onTestFinished(() => void repo.git("reset", "-q", "--hard", "HEAD~1"));
    repo.edit("mappings/jumpcloud.yaml", ["value: Retail }", "value: Sales }"]);
    const { out } = await repo.run("--base", "HEAD", "--stack", "prod");
    const tree = parse(out);
    const section = details(tree).find((d) => d.summary.startsWith("prod · JumpCloud"))!;
    expect(section.table("Mappings")).toEqual([
      { Mapping: "Users", Row: "Source Object Scope › Retail only", Before: 'department EQUALS "Retail" AND accountEnabled IS TRUE', After: 'department EQUALS "Sales" AND accountEnabled IS TRUE' },
    ]);
    const r = await report("--base", "HEAD", "--stack", "prod");
    const jc = app(r, "prod", "jumpcloud");
    const resync = jc.consequences.find((c) => c.kind === "resync")!;
    const objects = jc.usersInScope.after;
    expect(resync.estimate).toEqual({ objects, minMinutes: objects * 0.01, maxMinutes: objects * 0.08, syncAll: false });
    expect(jc.summary.resync).toBe(true);
    expect(summary(tree).find((r) => r.App === "JumpCloud (jumpcloud)")!["Re-sync"]).toMatch(/^yes, ≈ /);
  });

  it("settings-only changes say that no initial cycle starts", async () => {
    repo.edit("mappings/spaceiq.yaml", ["accidentalDeletion: { enabled: true, threshold: 500 }", "accidentalDeletion: { enabled: true, threshold: 50 }"]);
    const a = app(await report("--stack", "dev"), "dev", "spaceiq");
    expect(a.changes).toEqual([{ area: "settings", name: "Accidental deletion threshold", kind: "changed", before: "500", after: "50", schema: false, matching: false }]);
    expect(a.consequences.map((c) => c.kind)).toEqual(["settingsOnly"]);
    expect(a.summary.resync).toBe(false);
  });

  it("an app removed from a stack: deleted where allowDeletion is on, blocked where protect is on", async () => {
    for (const stack of ["dev", "prod"]) repo.edit(`stacks/Pulumi.${stack}.yaml`, [/- name: spaceiq\n      assignments: \[[^\]]*\]\n?/.exec(readFileSync(join(repo.dir, `stacks/Pulumi.${stack}.yaml`), "utf8"))![0], ""]);
    const r = await report();
    const dev = app(r, "dev", "spaceiq");
    expect(dev.status).toBe("removed");
    expect(dev.consequences.map((c) => [c.kind, c.severity])).toEqual([["appRemoved", "caution"]]);
    expect(dev.consequences[0]!.message).toContain("deletes the enterprise application");
    expect(app(r, "prod", "spaceiq").consequences.map((c) => c.kind)).toEqual(["deletionGuard"]);
  });

  it("a group policy change: each member's policy before → after, the group once, and no re-sync", async () => {
    repo.edit("mappings/ironwifi.yaml", ["{ group: Corporate-WiFi, vlan: 100,", "{ group: Corporate-WiFi, vlan: 110,"]);
    const before = "Corporate-WiFi: VLAN 100, 100/100 Mbps, 12 h";
    const after = "Corporate-WiFi: VLAN 110, 100/100 Mbps, 12 h";
    const r = await report("--stack", "dev");
    const iron = app(r, "dev", "ironwifi");
    // Provisioned members of the exact-case group only: pradeep is disabled (not provisioned), liam and
    // lee are in `corporate-wifi`, which is not the IronWifi group's name.
    expect(iron.users).toEqual(
      ["adele.vance@contoso.example", "alex.wilber@contoso.example"].map((upn) => ({ userPrincipalName: upn, scope: "stayed", attributes: [], newViolations: [], fixedViolations: [], policy: { before, after } })),
    );
    expect(iron.groups).toEqual([{ group: "Corporate-WiFi", changes: [`policy: ${before} → ${after}`] }]);
    expect(iron.changes.map((c) => [c.area, c.schema])).toEqual([["target", false]]);
    expect(iron.consequences.map((c) => c.kind)).toEqual(["targetRulesOnly"]);
    expect(iron.summary).toMatchObject({ usersAffected: 2, groupsChanged: 1, resync: false });

    const tree = parse((await repo.run("--stack", "dev")).out);
    expect(summary(tree).find((row) => row.App === "IronWifi (ironwifi)")).toMatchObject({ "Users affected": "2", "Groups changed": "1", "Re-sync": "no" });
    const section = details(tree).find((d) => d.summary.startsWith("dev · IronWifi"))!;
    expect(section.items("Groups")).toEqual([`Corporate-WiFi: policy: ${before} → ${after}`]);
    expect(section.items("Users")).toEqual([`adele.vance@contoso.example: policy ${before} → ${after}`, `alex.wilber@contoso.example: policy ${before} → ${after}`]);
  });

  it("a Wi-Fi group unassigned in a stack: the group is no longer provisioned and its members' policies go", async () => {
    repo.edit("stacks/Pulumi.dev.yaml", ["        - { group: Contractors, role: User }\n", ""]);
    const contractors = "Contractors: VLAN 150, 25/25 Mbps, 8 h";
    const r = await report("--stack", "dev");
    const iron = app(r, "dev", "ironwifi");
    expect(iron.groups).toEqual([{ group: "Contractors", changes: ["no longer provisioned", `policy: ${contractors} → (none)`] }]);
    // Both members stay in scope through SCIM Pilot: only their policy changes, and that counts.
    expect(iron.users.map((u) => [u.userPrincipalName, u.scope, u.attributes.length, u.policy])).toEqual([
      ["jose.mueller-lukasiewicz@contoso.example", "stayed", 0, { before: contractors, after: "(none)" }],
      ["sam.taylor@contoso.example", "stayed", 0, { before: contractors, after: "(none)" }],
    ]);
    expect(iron.usersInScope).toEqual({ before: 13, after: 13 });
    expect(iron.summary).toMatchObject({ usersAffected: 2, groupsChanged: 1, resync: false });
    // Without SCIM Pilot too, Contractors is what kept them in scope: they leave, and take their policy along.
    repo.edit("stacks/Pulumi.dev.yaml", ["        - { group: SCIM Pilot, role: User }\n        - { group: Corporate-WiFi", "        - { group: Corporate-WiFi"]);
    const both = app(await report("--stack", "dev"), "dev", "ironwifi");
    expect(both.groups.map((g) => g.group)).toEqual(["SCIM Pilot", "Contractors"]);
    // SCIM Pilot is no IronWifi group: once it is not provisioned, the preview's warning about it goes too.
    expect(both.groups[0]!.changes.map((c) => c.split(":")[0])).toEqual(["no longer provisioned", "fixed group-unknown"]);
    expect(both.groups[1]).toEqual({ group: "Contractors", changes: ["no longer provisioned", `policy: ${contractors} → (none)`] });
    const sam = both.users.find((u) => u.userPrincipalName === "sam.taylor@contoso.example")!;
    expect(sam).toMatchObject({ scope: "left", policy: { before: contractors, after: "(none)" } });
    // adele keeps Corporate-WiFi's policy: neither her line nor the group's appears.
    expect(both.users.find((u) => u.userPrincipalName === "adele.vance@contoso.example")).toBeUndefined();

    const tree = parse((await repo.run("--stack", "dev")).out);
    const section = details(tree).find((d) => d.summary.startsWith("dev · IronWifi"))!;
    expect(section.summary).toContain("2 groups");
    const groupLines = section.items("Groups");
    expect(groupLines).toHaveLength(2);
    expect(groupLines[0]).toMatch(/^SCIM Pilot: no longer provisioned; fixed group-unknown: group SCIM Pilot does not exist in IronWifi/);
    expect(groupLines[1]).toBe(`Contractors: no longer provisioned; policy: ${contractors} → (none)`);
    expect(section.items("Users")).toContain(`sam.taylor@contoso.example: leaves scope → ${sam.outcome}; policy ${contractors} → (none)`);
    expect(summary(tree).find((row) => row.App === "IronWifi (ironwifi)")).toMatchObject({ "Users affected": String(both.users.length), "Groups changed": "2" });
  });

  it("HEAD with an error: the comment shows it as path:line, exits 1, and repeats nothing", async () => {
    repo.edit("mappings/jumpcloud.yaml", ["    users:\n      name: Provision Microsoft Entra ID Users", "    users:\n      name: Provision Microsoft Entra ID Users\n      colour: blue"]);
    const { code, out } = await repo.run();
    expect(code).toBe(1);
    const tree = parse(out);
    const block = tree.children.find((n) => n.type === "code")!;
    const lines = (block as { value: string }).value.split("\n");
    // One mistake, one message: the stacks naming jumpcloud do not add "no app file" errors.
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^mappings\/jumpcloud\.yaml:\d+:\d+: error: .*colour/);
    expect(out).not.toContain(repo.dir);
    const r = await report();
    expect(r.ok).toBe(false);
    expect(r.stacks).toEqual([]);
    expect(r.errors.map((e) => e.file)).toEqual(["mappings/jumpcloud.yaml"]);
  });

  it("HEAD with a stack error names the stack file", async () => {
    repo.edit("stacks/Pulumi.prod.yaml", ["scimops:protect: true", "scimops:protect: maybe"]);
    const { code, out } = await repo.run();
    expect(code).toBe(1);
    expect(out).toMatch(/```text\nstacks\/Pulumi\.prod\.yaml:\d+:\d+: error: /);
    // --stack dev leaves the prod file out of it.
    expect((await repo.run("--stack", "dev")).code).toBe(0);
  });

  it("fails clearly on an unknown base revision or stack", async () => {
    const bad = await repo.run("--base", "no-such-branch");
    expect(bad.code).toBe(1);
    expect(bad.err).toContain("unknown revision `no-such-branch`");
    const stack = await repo.run("--stack", "staging");
    expect(stack.code).toBe(1);
    expect(stack.err).toContain("stack `staging` not found in stacks/ (stacks: dev, prod)");
  });
});

describe("scimops diff when the base is not clean", () => {
  it("an app file with errors in the base is compared as absent, with a note, and the rest of its stack still counts", async () => {
    repo.edit("mappings/spaceiq.yaml", ["    users:\n      name:", "    users:\n      colour: blue\n      name:"]);
    repo.commit("broken spaceiq");
    onTestFinished(() => void repo.git("reset", "-q", "--hard", "HEAD~1"));
    repo.git("checkout", "-q", "HEAD~1", "--", "mappings/spaceiq.yaml");
    const r = await report("--base", "HEAD", "--stack", "dev");
    expect(r.notes).toEqual(["`mappings/spaceiq.yaml` has errors in `HEAD`: compared as absent there."]);
    const dev = r.stacks[0]!;
    expect(dev.apps.find((a) => a.app === "spaceiq")!.status).toBe("added");
    expect(dev.apps.filter((a) => a.app !== "spaceiq").map((a) => a.status)).toEqual(["unchanged", "unchanged", "unchanged", "unchanged"]);
  });
});
