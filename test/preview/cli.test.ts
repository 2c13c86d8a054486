import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { previewCommand } from "../../src/cli/preview";
import { APPS, capture, sampleUsers } from "./helpers";

const dir = mkdtempSync(join(tmpdir(), "scimops-preview-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface JsonUser {
  userPrincipalName: string;
  inScope: boolean;
  body: Record<string, unknown> | null;
  violations: { rule: string; message: string; severity: string }[];
}

describe("scimops preview", () => {
  it("with no options previews every app over the bundled users (the README's main job)", async () => {
    const { io, text, errText } = capture();
    expect(await previewCommand([], io)).toBe(0);
    expect(errText()).toBe("");
    const out = text();
    for (const name of ["Airstack (airstack)", "iPass SmartConnect (ipass-smartconnect)", "IronWifi (ironwifi)", "JumpCloud (jumpcloud)", "SpaceIQ (spaceiq)"]) expect(out).toContain(name);
    expect(out).toContain("IronWifi (ironwifi) — https://us-east.ironwifi.com/scim/v2 — Entra legacy SCIM dialect");
    expect(out).toContain("JumpCloud (jumpcloud) — https://api.jumpcloud.com/scim/v2/?aadOptscim062020 — SCIM-compliant dialect (aadOptscim062020)");
    expect(out).toMatch(/liam\.obrien@contoso\.example +yes +liam\.o'brien +true +✗ userName-pattern/);
    expect(out).toContain("  ✗ userName-pattern: userName `liam.o'brien` does not match JumpCloud's rule");
    expect(out).toMatch(/diego\.siciliani@contoso\.example +no: Default Access only/);
    expect(out).toContain("JumpCloud: 16 user(s), 12 in scope, 5 the target would reject, 0 with warnings");
    expect(out).toContain("IronWifi: 16 user(s), 13 in scope, 2 the target would reject, 3 with warnings");
  });

  it("--format json for one app: {app, users: [{userPrincipalName, inScope, body, violations}]}", async () => {
    const { io, text } = capture();
    expect(await previewCommand(["--app", "jumpcloud", "--format", "json"], io)).toBe(0);
    const doc = JSON.parse(text()) as { app: string; users: JsonUser[] };
    expect(doc.app).toBe("jumpcloud");
    expect(doc.users).toHaveLength(sampleUsers().length);
    const first = doc.users[0]!;
    expect(Object.keys(first).slice(0, 4)).toEqual(["userPrincipalName", "inScope", "body", "violations"]);
    const liam = doc.users.find((u) => u.userPrincipalName === "liam.obrien@contoso.example")!;
    expect(liam.inScope).toBe(true);
    expect(liam.body).toMatchObject({ userName: "liam.o'brien", active: true, emails: [{ type: "work", value: "liam.obrien@contoso.example", primary: true }] });
    expect(liam.violations).toEqual([
      {
        rule: "userName-pattern",
        severity: "error",
        attribute: "userName",
        message: "userName `liam.o'brien` does not match JumpCloud's rule: letters, digits, dot, dash and underscore only (no special characters) (not allowed: \"'\")",
      },
    ]);
    const isaiah = doc.users.find((u) => u.userPrincipalName === "isaiah.langer@contoso.example")!;
    expect(isaiah).toMatchObject({ inScope: false, body: null, violations: [] });
    // One user per line: the writer streams.
    expect(text().split("\n")).toHaveLength(sampleUsers().length + 2);
  });

  it("--on-demand: provision on demand sends the legacy dialect though JumpCloud's URL has the flag", async () => {
    const run = async (args: string[]) => {
      const { io, text } = capture();
      expect(await previewCommand(["--app", "jumpcloud", "--format", "json", ...args], io)).toBe(0);
      const doc = JSON.parse(text()) as { users: { userPrincipalName: string; deprovision: { scopeExit: { body: { Operations: unknown[] } } } }[] };
      return doc.users.find((u) => u.userPrincipalName === "adele.vance@contoso.example")!.deprovision.scopeExit.body.Operations;
    };
    expect(await run([])).toEqual([{ op: "replace", path: "active", value: false }]);
    expect(await run(["--on-demand"])).toEqual([{ op: "Replace", path: "active", value: "False" }]);
  });

  it("is dispatched by the scimops binary", () => {
    const out = execFileSync(process.execPath, [join(__dirname, "..", "..", "bin", "scimops.cjs"), "preview", "--app", "spaceiq", "--format", "json"], { encoding: "utf8" });
    expect((JSON.parse(out) as { app: string; users: JsonUser[] }).users.filter((u) => u.inScope)).toHaveLength(12);
  });

  it("--format json for several apps is a JSON array of those documents", async () => {
    const { io, text } = capture();
    expect(await previewCommand(["--format", "json"], io)).toBe(0);
    const docs = JSON.parse(text()) as { app: string; users: JsonUser[] }[];
    expect(docs.map((d) => d.app)).toEqual([...APPS]);
    const two = capture();
    expect(await previewCommand(["--app", "ironwifi", "--app", "ipass-smartconnect", "--format", "json"], two.io)).toBe(0);
    expect((JSON.parse(two.text()) as { app: string }[]).map((d) => d.app)).toEqual(["ironwifi", "ipass-smartconnect"]);
  });

  it("--format markdown highlights violations", async () => {
    const { io, text } = capture();
    expect(await previewCommand(["--app", "ironwifi", "--format", "markdown"], io)).toBe(0);
    const out = text();
    expect(out).toContain("### IronWifi (ironwifi)");
    expect(out).toContain("| user | in scope | userName | active | violations |");
    expect(out).toContain("| lee.gu@contoso.example | yes | lee.gu@contoso.example | true | **⚠ group-name-case**: group `corporate-wifi` differs in case from IronWifi group `Corporate-WiFi`");
    expect(out).toContain("**✗ required-attribute**: IronWifi requires `name.givenName`, which has no value (source [givenName])<br>");
  });

  it("--users reads NDJSON and Graph list responses", async () => {
    const users = sampleUsers().slice(0, 3);
    const nd = join(dir, "users.ndjson");
    writeFileSync(nd, users.map((u) => JSON.stringify(u)).join("\n") + "\n");
    const graph = join(dir, "graph.json");
    writeFileSync(graph, JSON.stringify({ "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users", value: users }));
    for (const file of [nd, graph]) {
      const { io, text } = capture();
      expect(await previewCommand(["--app", "airstack", "--users", file, "--format", "json"], io)).toBe(0);
      expect((JSON.parse(text()) as { users: JsonUser[] }).users.map((u) => u.userPrincipalName)).toEqual(users.map((u) => u.userPrincipalName));
    }
  });

  it("bad input: usage errors exit 2, invalid users exit 1", async () => {
    const a = capture();
    expect(await previewCommand(["--format", "xml"], a.io)).toBe(2);
    expect(a.errText()).toContain("--format is one of table, json, markdown");
    const b = capture();
    expect(await previewCommand(["--app", "okta"], b.io)).toBe(2);
    expect(b.errText()).toContain("unknown app `okta` (apps: airstack, ipass-smartconnect, ironwifi, jumpcloud, spaceiq)");
    const c = capture();
    expect(await previewCommand(["--users", join(dir, "missing.json")], c.io)).toBe(2);
    expect(c.errText()).toContain("users file not found");
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify([{ displayName: "no upn" }]));
    const d = capture();
    expect(await previewCommand(["--app", "airstack", "--users", bad], d.io)).toBe(1);
    expect(d.errText()).toContain("user 1: `userPrincipalName` is required");
    const e = capture();
    expect(await previewCommand(["--bogus"], e.io)).toBe(2);
    expect(e.errText()).toContain("Unknown option '--bogus'");
  });
});
