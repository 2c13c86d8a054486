/** `validate` refuses an Okta setup Okta cannot run, at the line and column of the mistake. */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { listAppFiles, loadProject } from "../../src/spec/project";
import { formatDiagnostic } from "../../src/spec/diagnostics";
import { root } from "./harness";

const ironwifi = readFileSync(join(root, "mappings", "ironwifi.yaml"), "utf8");
const prod = readFileSync(join(root, "stacks", "Pulumi.prod.yaml"), "utf8");

/** Writes a variant of ironwifi.yaml (and optionally a stack) to a fresh directory and validates them. */
function validate(app: string, stack?: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), "scimops-okta-"));
  const appFile = join(dir, "ironwifi.yaml");
  writeFileSync(appFile, app);
  const stacks = stack === undefined ? [] : [join(dir, "Pulumi.prod.yaml")];
  if (stack !== undefined) writeFileSync(stacks[0]!, stack);
  const others = listAppFiles(root).filter((f) => !f.endsWith("/ironwifi.yaml"));
  const { diagnostics } = loadProject([appFile, ...others], stacks);
  return diagnostics.filter((d) => d.severity === "error").map((d) => formatDiagnostic(d).replace(dir, "DIR"));
}

const lineOf = (text: string, needle: string) => text.split("\n").findIndex((l) => l.includes(needle)) + 1;

describe("validate, Okta", () => {
  it("accepts the IronWifi file and the prod stack", () => {
    expect(validate(ironwifi, prod)).toEqual([]);
  });

  it("refuses a group that is both assigned and pushed, where the file pushes it", () => {
    const app = ironwifi.replace("groups: [IronWifi Users]", "groups: [IronWifi Users, Guest-WiFi]");
    const errors = validate(app);
    expect(errors).toHaveLength(1);
    const line = lineOf(app, "pushGroups: [Corporate-WiFi, Guest-WiFi, Contractors]");
    const column = app.split("\n")[line - 1]!.indexOf("Guest-WiFi") + 1;
    expect(errors[0]).toBe(`DIR/ironwifi.yaml:${line}:${column}: error: Okta group \`Guest-WiFi\` is both assigned to the app and pushed, and Okta does not support using the same group for app assignment and Group Push — assign a separate group whose members should get the app (e.g. \`IronWifi Users\`), and push only the groups that carry the target's policies`);
  });

  it("refuses stack Okta assignments that include a pushed group, at the stack's line", () => {
    const stack = prod.replace("okta: { provisioning: pending, assignments: [IronWifi Users] }", "okta: { provisioning: pending, assignments: [IronWifi Users, Contractors] }");
    const errors = validate(ironwifi, stack);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(new RegExp(`^DIR/Pulumi\\.prod\\.yaml:${lineOf(stack, "assignments: [IronWifi Users, Contractors]")}:\\d+: error: Okta group \`Contractors\` is both assigned`));
  });

  it("refuses the stack's Entra-style assignments reaching Okta when they are the pushed groups", () => {
    const stack = prod.replace("      okta: { provisioning: pending, assignments: [IronWifi Users] }\n", "");
    const errors = validate(ironwifi, stack);
    expect(errors).toHaveLength(3);
    expect(errors[0]).toContain("(these assignments also reach Okta)");
  });

  it("refuses a userName profile mapping (the username template sets it) and a SWA app without its sign-in page", () => {
    const app = ironwifi
      .replace("    - { target: givenName, source: user.firstName }", "    - { target: userName, source: user.login }\n    - { target: givenName, source: user.firstName }")
      .replace("    loginUrl: https://console.ironwifi.com/\n", "");
    const errors = validate(app);
    expect(errors).toHaveLength(2);
    expect(errors.join("\n")).toContain("a custom SWA app needs the app's sign-in page URL");
    expect(errors.join("\n")).toContain("the app user's userName comes from the app's username template");
  });

  it("refuses an OIDC app (Okta cannot add SCIM to one) and an unknown provisioning phase", () => {
    expect(validate(ironwifi.replace("signOnMode: SWA", "signOnMode: OIDC")).join("\n")).toMatch(/signOnMode/);
    expect(validate(ironwifi, prod.replace("provisioning: pending", "provisioning: done")).join("\n")).toMatch(/provisioning/);
  });
});
