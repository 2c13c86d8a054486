/**
 * The emulator's identity-and-access throttling (throttling.ts): bucket math on a fake clock, the
 * documented headers, and the hook in the emulator's request path driven with plain fetch.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGraphEmulator, type GraphEmulator } from "./index";
import { createThrottler, documentedIdentityLimits, requestCost, scaleLimits, tenantSizeOf, type IdentityLimits } from "./throttling";

const TENANT = "0785ef7c-2d7a-4542-b048-95bcab406e0b";
const APP = "9a3d526c-b3c1-4479-ba74-197b5c5751ae";
const SCHEMA = "/servicePrincipals/sp1/synchronization/jobs/j1/schema";

/** Small limits with the documented shape: 10 RU / 1 s, 4 writes / 2 s per app+tenant, 6 writes / 2 s per tenant. */
const SMALL: IdentityLimits = {
  appTenantResourceUnits: { limit: 10, windowMs: 1_000 },
  appTenantWrites: { limit: 4, windowMs: 2_000 },
  appResourceUnits: { limit: 1_000, windowMs: 1_000 },
  appWrites: { limit: 1_000, windowMs: 1_000 },
  tenantWrites: { limit: 6, windowMs: 2_000 },
};

function clocked(limits: IdentityLimits = SMALL) {
  const clock = { t: 1_000_000 };
  const throttler = createThrottler({ limits, tenantId: TENANT, now: () => clock.t });
  return { clock, throttler };
}

describe("documented limits and costs", () => {
  it("has the published per app+tenant, per app and per tenant limits", () => {
    expect(documentedIdentityLimits("S").appTenantResourceUnits).toEqual({ limit: 3_500, windowMs: 10_000 });
    expect(documentedIdentityLimits("M").appTenantResourceUnits.limit).toBe(5_000);
    expect(documentedIdentityLimits("L").appTenantResourceUnits.limit).toBe(8_000);
    const l = documentedIdentityLimits("L");
    expect(l.appTenantWrites).toEqual({ limit: 3_000, windowMs: 150_000 });
    expect(l.appResourceUnits).toEqual({ limit: 150_000, windowMs: 20_000 });
    expect(l.appWrites).toEqual({ limit: 70_000, windowMs: 300_000 });
    expect(l.tenantWrites).toEqual({ limit: 18_000, windowMs: 300_000 });
    expect([tenantSizeOf(49), tenantSizeOf(50), tenantSizeOf(500), tenantSizeOf(501)]).toEqual(["S", "M", "M", "L"]);
  });

  it("costs 1 RU per unlisted GET, 1 RU + 1 write per write, the listed costs and the query modifiers (never below 1)", () => {
    expect(requestCost("GET", SCHEMA)).toEqual({ resourceUnits: 1, writes: 0 });
    expect(requestCost("PUT", SCHEMA)).toEqual({ resourceUnits: 1, writes: 1 });
    expect(requestCost("POST", "/applicationTemplates/t/instantiate")).toEqual({ resourceUnits: 1, writes: 1 });
    expect(requestCost("GET", "/users")).toEqual({ resourceUnits: 2, writes: 0 });
    expect(requestCost("GET", "/groups/g1/transitiveMembers")).toEqual({ resourceUnits: 5, writes: 0 });
    expect(requestCost("POST", "/directoryObjects/getByIds")).toEqual({ resourceUnits: 3, writes: 0 });
    expect(requestCost("GET", "/users", new URLSearchParams("$select=id"))).toEqual({ resourceUnits: 1, writes: 0 });
    expect(requestCost("GET", "/users", new URLSearchParams("$expand=manager"))).toEqual({ resourceUnits: 3, writes: 0 });
    expect(requestCost("GET", "/users", new URLSearchParams("$top=10&$select=id"))).toEqual({ resourceUnits: 1, writes: 0 });
    expect(requestCost("GET", "/users", new URLSearchParams("$top=50"))).toEqual({ resourceUnits: 2, writes: 0 });
  });

  it("scales every limit and window, keeping the shape", () => {
    const s = scaleLimits(documentedIdentityLimits("L"), 200, 5);
    expect(s.appTenantResourceUnits).toEqual({ limit: 40, windowMs: 2_000 });
    expect(s.appTenantWrites).toEqual({ limit: 15, windowMs: 30_000 });
    expect(s.tenantWrites).toEqual({ limit: 90, windowMs: 60_000 });
  });
});

describe("bucket math", () => {
  it("admits a full bucket's burst, throttles the next request, and refills at limit / window", () => {
    const { clock, throttler } = clocked();
    for (let i = 0; i < 10; i++) expect(throttler.admit(APP, "GET", SCHEMA).allowed).toBe(true);
    const no = throttler.admit(APP, "GET", SCHEMA);
    expect(no.allowed).toBe(false);
    // The throttled request was charged too (usage accrues): the bucket is at -1; it needs 2 RU = 200 ms → 1 s.
    expect(no.retryAfterSeconds).toBe(1);
    clock.t += 150;
    expect(throttler.admit(APP, "GET", SCHEMA).allowed).toBe(false);
    expect(throttler.stats()).toMatchObject({ admitted: 10, throttled: 2, throttledByScope: { "Tenant_Application/ReadWrite": 2 } });
  });

  it("lets the next request through once Retry-After has passed, and throttles (and charges) a retry before it", () => {
    const { clock, throttler } = clocked();
    for (let i = 0; i < 10; i++) throttler.admit(APP, "GET", SCHEMA);
    const no = throttler.admit(APP, "GET", SCHEMA);
    expect(no.retryAfterSeconds).toBe(1);
    clock.t += 100; // bucket back at 0: still short, and this retry is charged
    expect(throttler.admit(APP, "GET", SCHEMA).allowed).toBe(false);
    clock.t += no.retryAfterSeconds! * 1000;
    expect(throttler.admit(APP, "GET", SCHEMA).allowed).toBe(true);
  });

  it("limits the debt of throttled requests to 0.8 of the limit (usage reported up to 1.8)", () => {
    const { clock, throttler } = clocked();
    for (let i = 0; i < 1_000; i++) throttler.admit(APP, "GET", SCHEMA);
    // Debt stops at -8 RU: 9 RU at 10 RU/s is 0.9 s → Retry-After 1; after it the bucket holds 2 RU.
    const no = throttler.admit(APP, "GET", SCHEMA);
    expect(no.retryAfterSeconds).toBe(1);
    clock.t += 1_000;
    const yes = throttler.admit(APP, "GET", SCHEMA);
    expect(yes.allowed).toBe(true);
    expect(yes.headers["x-ms-throttle-limit-percentage"]).toBe("0.9");
  });

  it("keeps each app+tenant bucket to its own caller", () => {
    const { throttler } = clocked();
    for (let i = 0; i < 12; i++) throttler.admit(APP, "GET", SCHEMA);
    expect(throttler.admit(APP, "GET", SCHEMA).allowed).toBe(false);
    expect(throttler.admit("other-app", "GET", SCHEMA).allowed).toBe(true);
  });

  it("throttles writes on the write bucket while reads go on", () => {
    const { throttler } = clocked();
    for (let i = 0; i < 4; i++) expect(throttler.admit(APP, "PUT", SCHEMA).allowed).toBe(true);
    const w = throttler.admit(APP, "PUT", SCHEMA);
    expect(w.allowed).toBe(false);
    expect(w.headers["x-ms-throttle-scope"]).toBe(`Tenant_Application/Write/${APP}/${TENANT}`);
    expect(w.headers["x-ms-throttle-information"]).toBe("WriteLimitExceeded");
    // 4 writes per 2 s: the charged 5th leaves -1 write; 2 writes at 2 per s → 1 s.
    expect(w.retryAfterSeconds).toBe(1);
    expect(throttler.admit(APP, "GET", SCHEMA).allowed).toBe(true);
  });

  it("shares the tenant's write bucket between callers", () => {
    const { throttler } = clocked();
    for (let i = 0; i < 3; i++) expect(throttler.admit("a1", "PATCH", SCHEMA).allowed).toBe(true);
    for (let i = 0; i < 3; i++) expect(throttler.admit("a2", "PATCH", SCHEMA).allowed).toBe(true);
    const w = throttler.admit("a3", "PATCH", SCHEMA);
    expect(w.allowed).toBe(false);
    expect(w.headers["x-ms-throttle-scope"]).toBe(`Tenant/Write/a3/${TENANT}`);
  });

  it("reports x-ms-resource-unit always and x-ms-throttle-limit-percentage only above 0.8 of the limit", () => {
    const { throttler } = clocked();
    const seen: (string | undefined)[] = [];
    for (let i = 0; i < 10; i++) {
      const a = throttler.admit(APP, "GET", SCHEMA);
      expect(a.headers["x-ms-resource-unit"]).toBe("1");
      seen.push(a.headers["x-ms-throttle-limit-percentage"]);
    }
    expect(seen).toEqual([undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined, "0.9", "1"]);
  });

  it("admits and charges nothing while disabled", () => {
    const { throttler } = clocked();
    throttler.enabled = false;
    for (let i = 0; i < 100; i++) expect(throttler.admit(APP, "GET", SCHEMA)).toEqual({ allowed: true, headers: {}, cost: { resourceUnits: 1, writes: 0 } });
    throttler.enabled = true;
    expect(throttler.admit(APP, "GET", SCHEMA).headers["x-ms-throttle-limit-percentage"]).toBeUndefined();
  });
});

describe("in the emulator's request path", () => {
  let emu: GraphEmulator;
  const callerA = "11111111-1111-4111-8111-111111111111";
  beforeAll(async () => {
    emu = await startGraphEmulator({ throttling: { callers: { "token-a": callerA }, limits: { ...SMALL, appTenantResourceUnits: { limit: 3, windowMs: 60_000 } } } });
  });
  afterAll(async () => {
    await emu.close();
  });
  const get = (token: string) => fetch(`${emu.url}/v1.0/applicationTemplates`, { headers: { Authorization: `Bearer ${token}` } });

  it("identifies the caller by its token and answers 429 with Retry-After and the throttle scope", async () => {
    expect((await get("unknown")).status).toBe(401);
    for (let i = 0; i < 3; i++) {
      const ok = await get("token-a");
      expect(ok.status).toBe(200);
      expect(ok.headers.get("x-ms-resource-unit")).toBe("1");
    }
    const no = await get("token-a");
    expect(no.status).toBe(429);
    expect(((await no.json()) as { error: { code: string } }).error.code).toBe("TooManyRequests");
    // 2 RU short at 3 RU per minute: 40 s.
    expect(no.headers.get("retry-after")).toBe("40");
    expect(no.headers.get("x-ms-throttle-scope")).toBe(`Tenant_Application/ReadWrite/${callerA}/${emu.tenantId}`);
    expect(no.headers.get("x-ms-throttle-information")).toBe("ResourceUnitLimitExceeded");
    // The emulator's own token is another application with its own bucket.
    expect((await get(emu.token)).status).toBe(200);
    expect(emu.throttling!.stats()).toMatchObject({ admitted: 4, throttled: 1 });
  });
});
