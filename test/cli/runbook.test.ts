import { describe, expect, it } from "vitest";
import { runbookCommand } from "../../src/cli/runbook";

async function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runbookCommand(args, { stdout: (s) => void out.push(s), stderr: (s) => void err.push(s) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("scimops runbook", () => {
  it.each(["onelogin", "jumpcloud", "google"])("prints IronWifi's %s steps with the stack's base URL and the token's config key", async (idp) => {
    const { code, out } = await run(["--app", "ironwifi", "--idp", idp]);
    expect(code).toBe(0);
    expect(out).toContain("https://us-east.ironwifi.com/scim/v2");
    expect(out).toContain("scimops:ironwifiScimToken");
    expect(out).not.toMatch(/\{(scimBaseUrl|tokenConfig|groups)\}/);
    expect(out).toMatch(/^1\. /m);
  });

  it("names the case-sensitive IronWifi groups for JumpCloud as IdP", async () => {
    const { out } = await run(["--app", "ironwifi", "--idp", "jumpcloud"]);
    expect(out).toContain("Corporate-WiFi, Guest-WiFi, Contractors");
    expect(out).toContain("Custom SCIM");
  });

  it("prints Okta's manual SCIM connection steps", async () => {
    const { code, out } = await run(["--app", "ironwifi", "--idp", "okta"]);
    expect(code).toBe(0);
    expect(out).toContain("SCIM connector base URL = https://us-east.ironwifi.com/scim/v2");
    expect(out).toContain("Create Users, Update User Attributes, Deactivate Users");
  });

  it("describes Okta's two phases, names the stack's phase, and ends with the flag to set", async () => {
    const { out } = await run(["--app", "ironwifi", "--idp", "okta", "--stack", "prod"]);
    expect(out).toContain("App Integration Wizard SWA (AUTO_LOGIN) app");
    expect(out).toContain("phase 1 (okta.provisioning: pending, the default) creates the app with its username template and the group assignments");
    expect(out).toContain("phase 2 (okta.provisioning: enabled) checks the app's provisioning features, then adds the profile mappings and push groups");
    expect(out).toContain("This stack is in phase 1 (pending).");
    expect(out).toMatch(/^6\. Set `okta: \{ provisioning: enabled \}` on ironwifi's entry in stacks\/Pulumi\.prod\.yaml and run `scimops up --stack prod` again/m);
  });

  it("refuses an IdP the app has no steps for", async () => {
    const { code, err } = await run(["--app", "jumpcloud", "--idp", "onelogin"]);
    expect(code).toBe(1);
    expect(err).toContain("has no runbook for onelogin");
  });

  it("exits 2 on bad usage", async () => {
    expect((await run(["--app", "ironwifi", "--idp", "ldap"])).code).toBe(2);
  });
});
