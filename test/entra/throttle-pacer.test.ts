/**
 * The per-caller pacer behind the Graph client's 429 handling (src/entra/throttle-pacer.ts), on fake timers:
 * the Retry-After gate for every request of the caller, the write-only gate, the concurrency cuts and the
 * spacing learnt from one 429 to the next. Then the client against the emulator's throttling.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createThrottlePacer, type PacerTicket, type ThrottlePacer } from "../../src/entra/throttle-pacer";
import { createGraphSession } from "../../src/entra/graph";
import { startGraphEmulator } from "../emulators/graph/index";

/** Acquires without awaiting; `released` lists the labels in the order the pacer let them go. */
function harness(pacer: ThrottlePacer) {
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
  return { released, take, ticket };
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
    const pacer = createThrottlePacer(() => Date.now());
    const h = harness(pacer);
    for (let i = 0; i < 20; i++) h.take(`r${i}`);
    await flush();
    expect(h.released).toHaveLength(20);
    expect(pacer.state.concurrencyLimit).toBe(Infinity);
  });

  it("holds every request of the caller until Retry-After, then sends the throttled one first", async () => {
    const pacer = createThrottlePacer(() => Date.now());
    const h = harness(pacer);
    h.take("a");
    await flush();
    pacer.done(h.ticket("a"), { throttled: true, retryAfterMs: 2_000, writesOnly: false });
    h.take("b");
    h.take("a-again", false, true);
    await vi.advanceTimersByTimeAsync(1_999);
    expect(h.released).toEqual(["a"]);
    await vi.advanceTimersByTimeAsync(1);
    // Concurrency was cut to 1 (half of the one in flight, at least 1): the retried request goes alone.
    expect(h.released).toEqual(["a", "a-again"]);
    pacer.done(h.ticket("a-again"), { throttled: false });
    await flush();
    expect(h.released).toEqual(["a", "a-again", "b"]);
  });

  it("keeps reads going while only the write limit is throttled", async () => {
    const pacer = createThrottlePacer(() => Date.now());
    const h = harness(pacer);
    h.take("w1", true);
    h.take("r0");
    await flush();
    pacer.done(h.ticket("w1"), { throttled: true, retryAfterMs: 5_000, writesOnly: true });
    pacer.done(h.ticket("r0"), { throttled: false });
    h.take("w2", true);
    h.take("r1");
    await flush();
    expect(h.released).toEqual(["w1", "r0", "r1"]);
    pacer.done(h.ticket("r1"), { throttled: false });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(h.released).toEqual(["w1", "r0", "r1", "w2"]);
  });

  it("halves concurrency once per burst of 429s, drops to one near the limit, and grows back without the header", async () => {
    const pacer = createThrottlePacer(() => Date.now());
    const h = harness(pacer);
    for (let i = 0; i < 8; i++) h.take(`r${i}`);
    await flush();
    pacer.done(h.ticket("r0"), { throttled: true, retryAfterMs: 1_000, writesOnly: false });
    expect(pacer.state.concurrencyLimit).toBe(4);
    // r1 was in flight when r0's 429 came back: its 429 is part of the same burst.
    pacer.done(h.ticket("r1"), { throttled: true, retryAfterMs: 1_000, writesOnly: false });
    expect(pacer.state.concurrencyLimit).toBe(4);
    pacer.done(h.ticket("r2"), { throttled: false, usage: 0.97 });
    expect(pacer.state.concurrencyLimit).toBe(1);
    pacer.done(h.ticket("r3"), { throttled: false });
    expect(pacer.state.concurrencyLimit).toBe(2);
    pacer.done(h.ticket("r4"), { throttled: false });
    expect(pacer.state.concurrencyLimit).toBe(2.5);
  });

  it("stops holding the caller back after 10 s without a 429 or a near-limit response", async () => {
    const pacer = createThrottlePacer(() => Date.now());
    const h = harness(pacer);
    h.take("a");
    await flush();
    pacer.done(h.ticket("a"), { throttled: true, retryAfterMs: 1_000, writesOnly: false });
    expect(pacer.state.concurrencyLimit).toBe(1);
    await vi.advanceTimersByTimeAsync(5_000);
    h.take("b");
    await flush();
    pacer.done(h.ticket("b"), { throttled: false });
    expect(pacer.state.concurrencyLimit).toBe(2);
    await vi.advanceTimersByTimeAsync(5_001);
    h.take("c");
    await flush();
    pacer.done(h.ticket("c"), { throttled: false });
    expect(pacer.state.concurrencyLimit).toBe(Infinity);
  });

  it("spaces sends near the limit at the refill rate learnt between two 429s", async () => {
    const pacer = createThrottlePacer(() => Date.now());
    const h = harness(pacer);
    h.take("first");
    await flush();
    pacer.done(h.ticket("first"), { throttled: true, retryAfterMs: 1_000, writesOnly: false });
    await vi.advanceTimersByTimeAsync(1_000);
    // 9 served, then the next 429, 2 s after the first: 10 units per 2 s → one send per 200 ms, plus 5 %.
    for (let i = 0; i < 9; i++) {
      h.take(`s${i}`);
      await flush();
      pacer.done(h.ticket(`s${i}`), { throttled: false });
    }
    h.take("second");
    await flush();
    await vi.advanceTimersByTimeAsync(1_000);
    pacer.done(h.ticket("second"), { throttled: true, retryAfterMs: 1_000, writesOnly: false });
    expect(pacer.state.intervalMs).toBeCloseTo(210, 6);
    await vi.advanceTimersByTimeAsync(1_000);
    // Above 0.8 of the limit: one at a time, not yet spaced.
    h.take("p0");
    await flush();
    pacer.done(h.ticket("p0"), { throttled: false, usage: 0.85 });
    h.take("p1");
    await flush();
    expect(h.released).toContain("p1");
    expect(pacer.state.concurrencyLimit).toBe(1);
    // From 0.95 on: spaced at the learnt interval.
    pacer.done(h.ticket("p1"), { throttled: false, usage: 0.97 });
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
