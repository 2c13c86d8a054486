import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkCommand } from "../../src/cli/check";
import { checkTenantUrl, checkToken } from "../../src/preview";
import { startScimServer, type ScimServer } from "../emulators/scim";
import { capture, plan } from "./helpers";

const IRONWIFI_TOKEN = `scim_${"0123456789abcdef".repeat(4)}`;
const VAR = "SCIMOPS_CHECK_TOKEN";
let server: ScimServer;

beforeAll(async () => {
  server = await startScimServer({ token: IRONWIFI_TOKEN });
});
afterAll(async () => {
  await server.close();
  delete process.env[VAR];
});

async function check(args: string[], token?: string) {
  if (token === undefined) delete process.env[VAR];
  else process.env[VAR] = token;
  const c = capture();
  const code = await checkCommand([...args, "--token-env", VAR], c.io);
  return { code, out: c.text(), err: c.errText() };
}

describe("scimops check: Test Connection", () => {
  it("200 with an empty ListResponse is a working connection", async () => {
    const before = server.requests.length;
    const { code, out } = await check(["--app", "ironwifi", "--target", server.url], IRONWIFI_TOKEN);
    expect(out).toContain("IronWifi (ironwifi)");
    expect(out).toMatch(/⚠ tenant-url: http:\/\/127\.0\.0\.1:\d+\/scim\/v2 is plain http: Entra only connects over https/);
    expect(out).toContain("✓ token: token from SCIMOPS_CHECK_TOKEN has the expected format (scim_ followed by 64 hexadecimal characters)");
    expect(out).toMatch(/✓ connection: Test Connection: GET http:\/\/127\.0\.0\.1:\d+\/scim\/v2\/Users\?filter=userName eq "[0-9a-f-]{36}" → 200, empty ListResponse/);
    expect(code).toBe(0);
    // A random user on the matching attribute, then (IronWifi provisions groups) a random group.
    const sent = server.requests.slice(before);
    expect(sent).toHaveLength(2);
    for (const r of sent) expect(r).toMatchObject({ method: "GET", status: 200, authorized: true });
    expect(decodeURIComponent(sent[0]!.path)).toMatch(/^\/scim\/v2\/Users\?filter=userName eq "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"$/);
    expect(decodeURIComponent(sent[1]!.path)).toMatch(/^\/scim\/v2\/Groups\?excludedAttributes=members&filter=displayName eq "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"$/);
    expect(out).toMatch(/✓ connection: Test Connection: GET http:\/\/127\.0\.0\.1:\d+\/scim\/v2\/Groups\?excludedAttributes=members&filter=displayName eq "[0-9a-f-]{36}" → 200, empty ListResponse/);
    expect(out).not.toContain(IRONWIFI_TOKEN);
  });

  it("401: the token is refused, and never printed", async () => {
    const wrong = `scim_${"f".repeat(64)}`;
    const { code, out } = await check(["--app", "ironwifi", "--target", server.url], wrong);
    expect(code).toBe(1);
    expect(out).toMatch(/✗ connection: GET .* → 401: the target refused the secret token from SCIMOPS_CHECK_TOKEN — check that it is complete and not revoked\. IronWifi Console → Users → Connectors → SCIM Tokens/);
    expect(out).not.toContain(wrong);
  });

  it("404: the tenant URL does not point at the SCIM base", async () => {
    const { code, out } = await check(["--app", "airstack", "--target", server.url.replace("/scim/v2", "/scim/v1")], "any-token-value");
    expect(code).toBe(1);
    expect(out).toMatch(/✗ connection: GET http:\/\/127\.0\.0\.1:\d+\/scim\/v1\/Users\?filter=.* → 404: no SCIM Users endpoint at http:\/\/127\.0\.0\.1:\d+\/scim\/v1 — check the tenant URL's path/);
  });

  it("connection refused", async () => {
    const gone = await startScimServer({ token: "x-token" });
    const url = gone.url;
    await gone.close();
    const { code, out } = await check(["--app", "airstack", "--target", url], "any-token-value");
    expect(code).toBe(1);
    expect(out).toMatch(/✗ connection: Test Connection failed: connection refused by 127\.0\.0\.1:\d+: nothing accepts connections there/);
  });

  it("DNS failure", async () => {
    const { code, out } = await check(["--app", "airstack", "--target", "https://scim.nonexistent-host.invalid/scim"], "any-token-value");
    expect(code).toBe(1);
    expect(out).toContain("✗ connection: Test Connection failed: DNS lookup failed for scim.nonexistent-host.invalid");
  });

  const hasOpenssl = (() => {
    try {
      execFileSync("openssl", ["version"], { stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  })();

  it.skipIf(!hasOpenssl)("TLS failure: a self-signed certificate", async () => {
    const dir = mkdtempSync(join(tmpdir(), "scimops-tls-"));
    try {
      execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-days", "1", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")], { stdio: "ignore" });
      const https = createHttpsServer({ key: readFileSync(join(dir, "key.pem")), cert: readFileSync(join(dir, "cert.pem")) }, (_req, res) => res.end("{}"));
      await new Promise<void>((resolve) => https.listen(0, "127.0.0.1", resolve));
      const port = (https.address() as AddressInfo).port;
      const { code, out } = await check(["--app", "airstack", "--target", `https://127.0.0.1:${port}/scim`], "any-token-value");
      https.close();
      expect(code).toBe(1);
      expect(out).toMatch(/✗ connection: Test Connection failed: TLS handshake with 127\.0\.0\.1:\d+ failed \((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)\): Entra only connects to endpoints with a valid, publicly trusted certificate/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("200 without a ListResponse, or with users for a random GUID, is reported", async () => {
    const plain = await startScimServer({ token: "plain-token" });
    try {
      // Seed a user whose userName is what the check will query: the endpoint then "matches" it.
      const guid = "11111111-2222-4333-8444-555555555555";
      await fetch(`${plain.url}/Users`, { method: "POST", headers: { Authorization: "Bearer plain-token", "Content-Type": "application/scim+json" }, body: JSON.stringify({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: guid }) });
      const { testConnection } = await import("../../src/preview");
      const item = await testConnection(plan("airstack"), plain.url, { token: "plain-token", tokenVar: VAR, guid });
      expect(item).toMatchObject({ severity: "warning" });
      expect(item.message).toContain("→ 200 with 1 result(s) for a random GUID");
    } finally {
      await plain.close();
    }
  });
});

describe("Test Connection's requests", () => {
  it("query the first matching attribute with the GUID; a random group only when groups are provisioned", async () => {
    const { connectionRequests } = await import("../../src/preview");
    const byExternalId = plan("jumpcloud", (s) => {
      const attrs = s.entra!.mappings.users.attributes;
      for (const a of attrs) delete a.matchingPrecedence;
      attrs.push({ target: "externalId", source: "[objectId]", matchingPrecedence: 1, apply: "always" });
    });
    expect(connectionRequests(byExternalId, "g-1", "g-2").map((r) => r.path)).toEqual(['/Users?filter=externalId eq "g-1"']);
    expect(connectionRequests(plan("airstack"), "g-1", "g-2").map((r) => r.path)).toEqual(['/Users?filter=userName eq "g-1"', '/Groups?excludedAttributes=members&filter=displayName eq "g-2"']);
  });
});

describe("scimops check: tenant URL and token format", () => {
  it("IronWifi's token format: scim_ followed by 64 hexadecimal characters", () => {
    const iw = plan("ironwifi");
    expect(checkToken(iw, IRONWIFI_TOKEN, VAR)).toEqual([{ check: "token", severity: "ok", message: `token from ${VAR} has the expected format (scim_ followed by 64 hexadecimal characters)` }]);
    const short = checkToken(iw, "scim_abc123", VAR);
    expect(short).toMatchObject([{ severity: "error" }]);
    expect(short[0]!.message).toBe(`the token in ${VAR} does not look like scim_ followed by 64 hexadecimal characters (it has 11 characters). IronWifi Console → Users → Connectors → SCIM Tokens (or Identity Provisioning) → Generate Token; copy it at once, it is displayed only once.`);
    expect(checkToken(iw, `${IRONWIFI_TOKEN}\n`, VAR)[0]!.message).toContain("leading or trailing whitespace");
    expect(checkToken(iw, IRONWIFI_TOKEN.toUpperCase(), VAR)[0]!.severity).toBe("error");
    expect(checkToken(iw, undefined, VAR)[0]!.message).toMatch(/^no secret token: set the environment variable SCIMOPS_CHECK_TOKEN/);
  });

  it("JumpCloud's tenant URL needs aadOptscim062020; Entra needs https", () => {
    const jc = plan("jumpcloud");
    expect(checkTenantUrl(jc, "https://api.jumpcloud.com/scim/v2/?aadOptscim062020")).toEqual([{ check: "tenant-url", severity: "ok", message: "tenant URL https://api.jumpcloud.com/scim/v2/?aadOptscim062020" }]);
    const noFlag = checkTenantUrl(jc, "https://api.jumpcloud.com/scim/v2/");
    expect(noFlag[0]!.severity).toBe("error");
    expect(noFlag[0]!.message).toContain("lacks the `aadOptscim062020` flag (without the aadOptscim062020 flag JumpCloud only creates new users");
    expect(checkTenantUrl(plan("airstack"), "http://scim.contoso.example/scim")[0]).toMatchObject({ severity: "error", message: "http://scim.contoso.example/scim is not https: Entra only connects to https tenant URLs" });
    // The dev stack's region fills IronWifi's template.
    const iw = plan("ironwifi");
    expect(iw.entra!.tenantUrl).toBe("https://us-east.ironwifi.com/scim/v2");
    expect(checkTenantUrl(iw, iw.entra!.tenantUrl)[0]!.severity).toBe("ok");
    expect(checkTenantUrl(iw, undefined)[0]!.message).toContain("has parameters the stack does not set");
  });

  it("the JumpCloud flag is checked on --target and stripped from the requests", async () => {
    const s = await startScimServer({ token: "jc-api-key-123" });
    try {
      const bad = await check(["--app", "jumpcloud", "--target", s.url], "jc-api-key-123");
      expect(bad.code).toBe(1);
      expect(bad.out).toContain("✗ tenant-url: the tenant URL lacks the `aadOptscim062020` flag");
      expect(bad.out).toMatch(/✓ connection: Test Connection/);
      const good = await check(["--app", "jumpcloud", "--target", `${s.url}?aadOptscim062020`], "jc-api-key-123");
      expect(good.out).toMatch(/✓ connection: Test Connection: GET http:\/\/127\.0\.0\.1:\d+\/scim\/v2\/Users\?filter/);
      expect(good.code).toBe(0);
    } finally {
      await s.close();
    }
  });

  it("a token passed where the variable name belongs is refused without echoing it", async () => {
    const c = capture();
    expect(await checkCommand(["--app", "ironwifi", "--token-env", IRONWIFI_TOKEN], c.io)).toBe(2);
    expect(c.errText()).toContain("--token-env takes the name of an environment variable that holds the token, not the token itself");
    expect(c.errText()).not.toContain(IRONWIFI_TOKEN);
    // A 40-character hex API key (JumpCloud's) is a valid variable name, and no longer than 40: refused all the same.
    const apiKey = "d1a7c0e5b3f94a2e8c6b0d4f2a9e7c5b3d1f0a8e";
    const e = capture();
    expect(await checkCommand(["--app", "jumpcloud", "--token-env", apiKey], e.io)).toBe(2);
    expect(`${e.errText()}${e.text()}`).not.toContain(apiKey);
    expect(e.errText()).toContain("--token-env takes the name of an environment variable");
    // A password in the target URL is refused before anything is sent, and not shown.
    const f = capture();
    expect(await checkCommand(["--app", "jumpcloud", "--target", "http://admin:url-Secret-88c@127.0.0.1:9/scim"], f.io)).toBe(2);
    expect(f.errText()).toContain("--target carries credentials");
    expect(`${f.errText()}${f.text()}`).not.toContain("url-Secret-88c");
    const d = capture();
    expect(await checkCommand([], d.io)).toBe(2);
    expect(d.errText()).toContain("--app NAME is required");
  });
});
