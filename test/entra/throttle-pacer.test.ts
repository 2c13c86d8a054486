/**
 * The per-caller pacer behind the Graph client's 429 handling (src/entra/throttle-pacer.ts), on fake timers:
 * the Retry-After gate for every request of the caller, the write-only gate, the concurrency cuts and the
 * spacing learnt from one 429 to the next. Then the client against the emulator's throttling.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createThrottlePacer, type PacerTicket } from "../../src/entra/throttle-pacer";
import { createGraphSession } from "../../src/entra/graph";
import { startGraphEmulator } from "../emulators/graph/index";

/**
 * A fresh pacer on the fake clock. `take` acquires without awaiting; `released` lists the labels in the order
 * the pacer let them go; `throttled` and `served` report a released request's outcome.
 */
function harness() {
  const pacer = createThrottlePacer(() => Date.now());
  const released: string[] = [];
  const tickets = new Map<string, PacerTicket>();
  const take = (label: string, write = false, retry = false) => {
    void pacer.acquire(write, retry).then((t) => {
      released.push(label);
      tickets.set(label, t);
    });
  };
  const ticket = (label: string) => {
    const t = tickets.get(label);
    if (!t) throw new Error(`${label} was not released`);
    return t;
  };
  const throttled = (label: string, retryAfterMs: number, writesOnly = false) => pacer.done(ticket(label), { throttled: true, retryAfterMs, writesOnly });
  const served = (label: string, usage?: number) => pacer.done(ticket(label), usage === undefined ? { throttled: false } : { throttled: false, usage });
  return { pacer, released, take, throttled, served };
}

const flush = () => vi.advanceTimersByTimeAsync(0);

describe("throttle pacer", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("lets requests go unpaced until the first 429", async () => {
    const h = harness();
    for (let i = 0; i < 20; i++) h.take(`r${i}`);
    await flush();
    expect(h.released).toHaveLength(20);
    expect(h.pacer.state.concurrencyLimit).toBe(Infinity);
  });

  it("holds every request of the caller until Retry-After, then sends the throttled one first", async () => {
    const h = harness();
    h.take("a");
    await flush();
    h.throttled("a", 2_000);
    h.take("b");
    h.take("a-again", false, true);
    await vi.advanceTimersByTimeAsync(1_999);
    expect(h.released).toEqual(["a"]);
    await vi.advanceTimersByTimeAsync(1);
    // Concurrency was cut to 1 (half of the one in flight, at least 1): the retried request goes alone.
    expect(h.released).toEqual(["a", "a-again"]);
    h.served("a-again");
    await flush();
    expect(h.released).toEqual(["a", "a-again", "b"]);
  });

  it("keeps reads going while only the write limit is throttled", async () => {
    const h = harness();
    h.take("w1", true);
    h.take("r0");
    await flush();
    h.throttled("w1", 5_000, true);
    h.served("r0");
    h.take("w2", true);
    h.take("r1");
    await flush();
    expect(h.released).toEqual(["w1", "r0", "r1"]);
    h.served("r1");
    await vi.advanceTimersByTimeAsync(5_000);
    expect(h.released).toEqual(["w1", "r0", "r1", "w2"]);
  });

  it("halves concurrency once per burst of 429s, drops to one near the limit, and grows back without the header", async () => {
    const h = harness();
    for (let i = 0; i < 8; i++) h.take(`r${i}`);
    await flush();
    h.throttled("r0", 1_000);
    expect(h.pacer.state.concurrencyLimit).toBe(4);
    // r1 was in flight when r0's 429 came back: its 429 is part of the same burst.
    h.throttled("r1", 1_000);
    expect(h.pacer.state.concurrencyLimit).toBe(4);
    h.served("r2", 0.97);
    expect(h.pacer.state.concurrencyLimit).toBe(1);
    h.served("r3");
    expect(h.pacer.state.concurrencyLimit).toBe(2);
    h.served("r4");
    expect(h.pacer.state.concurrencyLimit).toBe(2.5);
  });

  it("stops holding the caller back after 10 s without a 429 or a near-limit response", async () => {
    const h = harness();
    h.take("a");
    await flush();
    h.throttled("a", 1_000);
    expect(h.pacer.state.concurrencyLimit).toBe(1);
    await vi.advanceTimersByTimeAsync(5_000);
    h.take("b");
    await flush();
    h.served("b");
    expect(h.pacer.state.concurrencyLimit).toBe(2);
    await vi.advanceTimersByTimeAsync(5_001);
    h.take("c");
    await flush();
    h.served("c");
    expect(h.pacer.state.concurrencyLimit).toBe(Infinity);
  });

  it("spaces sends near the limit at the refill rate learnt between two 429s", async () => {
    const h = harness();
    h.take("first");
    await flush();
    h.throttled("first", 1_000);
    await vi.advanceTimersByTimeAsync(1_000);
    // 9 served, then the next 429, 2 s after the first: 10 units per 2 s → one send per 200 ms, plus 5 %.
    for (let i = 0; i < 9; i++) {
      h.take(`s${i}`);
      await flush();
      h.served(`s${i}`);
    }
    h.take("second");
    await flush();
    await vi.advanceTimersByTimeAsync(1_000);
    h.throttled("second", 1_000);
    expect(h.pacer.state.intervalMs).toBeCloseTo(210, 6);
    await vi.advanceTimersByTimeAsync(1_000);
    // Above 0.8 of the limit: one at a time, not yet spaced.
    h.take("p0");
    await flush();
    h.served("p0", 0.85);
    h.take("p1");
    await flush();
    expect(h.released).toContain("p1");
    expect(h.pacer.state.concurrencyLimit).toBe(1);
    // From 0.95 on: spaced at the learnt interval.
    h.served("p1", 0.97);
    h.take("p2");
    await vi.advanceTimersByTimeAsync(209);
    expect(h.released).not.toContain("p2");
    await vi.advanceTimersByTimeAsync(1);
    expect(h.released).toContain("p2");
  });
});

describe("the Graph client under the emulator's throttling", () => {
  it("gets every request through, sends nothing of the caller before Retry-After, and leaves another caller alone", async () => {
    const emu = await startGraphEmulator({
      throttling: {
        callers: { "pacer-a": "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa", "pacer-b": "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb" },
        limits: {
          appTenantResourceUnits: { limit: 5, windowMs: 1_000 },
          appTenantWrites: { limit: 100, windowMs: 1_000 },
          appResourceUnits: { limit: 1_000, windowMs: 1_000 },
          appWrites: { limit: 1_000, windowMs: 1_000 },
          tenantWrites: { limit: 1_000, windowMs: 1_000 },
        },
      },
    });
    try {
      const a = createGraphSession({ baseUrl: emu.url }, { accessToken: "pacer-a" });
      const b = createGraphSession({ baseUrl: emu.url }, { accessToken: "pacer-b" });
      const get = (s: typeof a) => s.request({ method: "GET", path: "/applicationTemplates", call: "list templates" });
      const firstWave = Promise.all(Array.from({ length: 8 }, () => get(a)));
      while (!emu.requests.some((r) => r.status === 429)) await new Promise((r) => setTimeout(r, 10));
      const first = emu.requests.find((r) => r.status === 429)!.endedAt;
      // Requests started while the 429's Retry-After (1 s) runs wait for it too.
      await new Promise((r) => setTimeout(r, 450));
      const started = Date.now();
      const secondWave = Promise.all(Array.from({ length: 3 }, () => get(a)));
      await Promise.all([firstWave, secondWave]);
      const log = emu.requests.filter((r) => r.callerAppId?.startsWith("aaaa"));
      expect(log.filter((r) => r.status === 200)).toHaveLength(11);
      // Nothing of this caller arrived after the second wave started and before the Retry-After ran out.
      expect(started).toBeLessThan(first + 1_000);
      expect(log.filter((r) => r.startedAt >= started && r.startedAt < first + 1_000)).toEqual([]);
      await get(b);
      expect(emu.requests.filter((r) => r.callerAppId?.startsWith("bbbb")).map((r) => r.status)).toEqual([200]);
    } finally {
      await emu.close();
    }
  });
});
