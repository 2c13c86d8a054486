import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from "vitest";
import { simulateCommand, type SimulateDeps } from "../../src/cli/simulate";
import { checkTarget, isLoopbackAddress } from "../../src/preview/target-guard";
import { capture } from "./helpers";

// 192.0.2.0/24 is TEST-NET-1 (RFC 5737): never routed, so a connection attempt could only hang or fail.
const REMOTE = "http://192.0.2.1/scim/v2";
const TOKEN_VAR = "SCIMOPS_GUARD_TEST_TOKEN";

/** A fetch that counts every call and never reaches a network. */
function countingFetch() {
  const calls: string[] = [];
  const impl = (async (input: string | URL | Request) => {
    calls.push(String(input));
    throw new TypeError("fetch failed");
  }) as typeof fetch;
  return { impl, calls };
}

let globalFetch: MockInstance<typeof fetch>;
beforeEach(() => {
  process.env[TOKEN_VAR] = "tok-guard-test-0123456789";
  // Proves no request leaves through the global fetch either (simulate's default).
  globalFetch = vi.spyOn(globalThis, "fetch").mockRejectedValue(new TypeError("the test forbids the network"));
});
afterEach(() => {
  globalFetch.mockRestore();
  delete process.env[TOKEN_VAR];
});

const run = (target: string, extra: string[], deps: SimulateDeps) => {
  const c = capture();
  return simulateCommand(["--app", "jumpcloud", "--target", target, "--token-env", TOKEN_VAR, ...extra], c.io, deps).then((code) => ({ code, ...c }));
};

describe("loopback addresses", () => {
  it("accepts 127.0.0.0/8 and ::1 in their spellings, nothing else", () => {
    for (const a of ["127.0.0.1", "127.255.0.9", "::1", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1", "0:0:0:0:0:ffff:127.1.2.3"]) expect([a, isLoopbackAddress(a)]).toEqual([a, true]);
    for (const a of ["128.0.0.1", "10.0.0.1", "192.0.2.1", "0.0.0.0", "::", "::2", "1::1", "::ffff:10.0.0.1", "fe80::1", "localhost", "127.example"]) expect([a, isLoopbackAddress(a)]).toEqual([a, false]);
  });

  it("a name is loopback only when every address it resolves to is", async () => {
    expect(await checkTarget("http://localhost:8080/scim", async () => ["127.0.0.1", "::1"])).toEqual({ host: "localhost", addresses: ["127.0.0.1", "::1"], loopback: true });
    expect((await checkTarget("https://scim.example/v2", async () => ["127.0.0.1", "203.0.113.7"])).loopback).toBe(false);
    expect((await checkTarget("http://[::1]:9/scim", async () => { throw new Error("no lookup for a literal"); })).loopback).toBe(true);
  });
});

describe("simulate refuses a remote target without consent", () => {
  it("an address off the loopback range: exit 2, nothing sent", async () => {
    const fetch = countingFetch();
    const lookup = vi.fn(async () => ["127.0.0.1"]);
    const r = await run(REMOTE, [], { fetchImpl: fetch.impl, lookup });
    expect(r.code).toBe(2);
    expect(r.errText()).toContain("refusing to send sample users to http://192.0.2.1/scim/v2 (not a loopback address)");
    expect(r.errText()).toContain("Nothing was sent");
    expect(fetch.calls).toEqual([]);
    expect(globalFetch).not.toHaveBeenCalled();
    expect(lookup).not.toHaveBeenCalled();
    expect(r.text()).toBe("");
  });

  it("a name resolving to one remote address among loopback ones: exit 2, nothing sent", async () => {
    const fetch = countingFetch();
    const r = await run("https://scim.example/v2", [], { fetchImpl: fetch.impl, lookup: async () => ["127.0.0.1", "192.0.2.1"] });
    expect(r.code).toBe(2);
    expect(r.errText()).toContain("scim.example resolves to 127.0.0.1, 192.0.2.1: not a loopback address");
    expect(fetch.calls).toEqual([]);
  });

  it("a name that does not resolve: exit 2, nothing sent", async () => {
    const fetch = countingFetch();
    const r = await run("https://scim.invalid/v2", ["--allow-remote", "--yes"], { fetchImpl: fetch.impl, lookup: async () => { throw Object.assign(new Error("getaddrinfo ENOTFOUND"), { code: "ENOTFOUND" }); } });
    expect(r.code).toBe(2);
    expect(r.errText()).toContain("cannot resolve the target host scim.invalid: ENOTFOUND");
    expect(fetch.calls).toEqual([]);
  });

  it("--allow-remote off a terminal without --yes: exit 2, nothing sent", async () => {
    const fetch = countingFetch();
    const confirm = vi.fn(async () => true);
    const r = await run(REMOTE, ["--allow-remote"], { fetchImpl: fetch.impl, interactive: false, confirm });
    expect(r.code).toBe(2);
    expect(r.errText()).toContain("simulate will create, update and deactivate the sample users of JumpCloud (jumpcloud) at http://192.0.2.1/scim/v2");
    expect(r.errText()).toContain("pass --yes with --allow-remote");
    expect(confirm).not.toHaveBeenCalled();
    expect(fetch.calls).toEqual([]);
  });

  it("--yes without --allow-remote is no consent", async () => {
    const fetch = countingFetch();
    const r = await run(REMOTE, ["--yes"], { fetchImpl: fetch.impl, interactive: false });
    expect(r.code).toBe(2);
    expect(fetch.calls).toEqual([]);
  });

  it("--allow-remote on a terminal asks, naming the app and URL; anything but yes sends nothing", async () => {
    const fetch = countingFetch();
    const confirm = vi.fn(async (_question: string) => false);
    const r = await run(REMOTE, ["--allow-remote"], { fetchImpl: fetch.impl, interactive: true, confirm });
    expect(r.code).toBe(2);
    expect(confirm).toHaveBeenCalledOnce();
    expect(confirm.mock.calls[0]![0]).toBe("Send them to http://192.0.2.1/scim/v2 for JumpCloud (jumpcloud)? Type yes to continue: ");
    expect(r.errText()).toContain("not confirmed. Nothing was sent.");
    expect(fetch.calls).toEqual([]);
  });

  it("consent given (--allow-remote confirmed, or --allow-remote --yes off a terminal): the requests go out", async () => {
    for (const [extra, deps] of [
      [["--allow-remote"], { interactive: true, confirm: async () => true }],
      [["--allow-remote", "--yes"], { interactive: false }],
    ] as const) {
      const fetch = countingFetch();
      const r = await run(REMOTE, [...extra], { ...deps, fetchImpl: fetch.impl });
      expect(r.code).toBe(1); // every request fails: the counting fetch has no network
      expect(fetch.calls.length).toBeGreaterThan(0);
      expect(fetch.calls[0]).toMatch(/^http:\/\/192\.0\.2\.1\/scim\/v2\/Users\?filter=/);
    }
  });

  it("a loopback target needs no consent", async () => {
    const fetch = countingFetch();
    const r = await run("http://localhost:9/scim/v2", [], { fetchImpl: fetch.impl, lookup: async () => ["::1", "127.0.0.1"], interactive: false });
    expect(r.code).toBe(1);
    expect(r.errText()).not.toContain("refusing");
    expect(fetch.calls.length).toBeGreaterThan(0);
  });
});

describe("simulate --dry-run", () => {
  it("prints every request for a remote target, needs no token or consent, sends nothing", async () => {
    delete process.env[TOKEN_VAR];
    const fetch = countingFetch();
    const r = await run(REMOTE, ["--dry-run"], { fetchImpl: fetch.impl, lookup: async () => { throw new Error("a dry run resolves nothing"); } });
    expect(r.errText()).toBe("");
    expect(r.code).toBe(0);
    expect(fetch.calls).toEqual([]);
    expect(globalFetch).not.toHaveBeenCalled();
    const out = r.text();
    expect(out).toContain("JumpCloud → http://192.0.2.1/scim/v2: dry run, nothing sent");
    expect(out).toContain('GET http://192.0.2.1/scim/v2/Users?filter=userName%20eq%20%22adele.vance%22');
    expect(out).toMatch(/POST http:\/\/192\.0\.2\.1\/scim\/v2\/Users\n {2}\{\n {4}"schemas"/);
    expect(out).toMatch(/PATCH http:\/\/192\.0\.2\.1\/scim\/v2\/Users\/dry-run-1\n/);
    expect(out).toMatch(/\n\d+ request\(s\), none sent$/);
  });

  it("--format json lists the requests in order", async () => {
    const r = await run(REMOTE, ["--dry-run", "--format", "json"], {});
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.text()) as { dryRun: boolean; requests: { method: string; url: string; body?: unknown }[] };
    expect(doc.dryRun).toBe(true);
    expect(doc.requests.slice(0, 2).map((q) => q.method)).toEqual(["GET", "POST"]);
    expect(doc.requests.every((q) => q.url.startsWith("http://192.0.2.1/scim/v2/"))).toBe(true);
    expect(JSON.stringify(doc)).not.toContain("tok-guard-test");
    expect(globalFetch).not.toHaveBeenCalled();
  });
});
