/**
 * Pacing of one caller's requests under Graph throttling, shared by every Graph session of the process
 * that uses the same Graph root and token (one app+tenant bucket at Graph: the identity-and-access limits
 * are per application+tenant pair, graph-sync.md §10).
 *
 * Graph charges throttled requests too ("all requests accrue against your usage limits", throttling.md),
 * so after a 429 the worst thing a client can do is let its other requests keep arriving. Therefore:
 * - a 429 closes a gate for the caller until its Retry-After has passed (only for writes when
 *   x-ms-throttle-scope names the Write limit); every request of the caller waits at the gate, not only
 *   the one that was throttled, and the throttled one goes first when it opens;
 * - the caller's concurrency is halved on a 429 (once per burst: requests already in flight do not cut
 *   again) and set to one while responses carry x-ms-throttle-limit-percentage (more than 0.8 of a limit
 *   used); it grows back by one per window of responses without that header, and is unlimited again
 *   after 10 s without either;
 * - from a reported usage of 0.95, sends are spaced at the refill rate learnt from one 429 to the next.
 * So the caller uses the bucket down to its last units, slows to the refill rate instead of running into
 * it, and a gate's opening does not stampede it.
 *
 * Serialization rule (helpers.ts): no runtime import at module level, no module-level state; the
 * registry lives on globalThis so every serialized copy of these functions shares it.
 */

export interface PacerTicket {
  /** When the pacer let the request go. */
  readonly sentAt: number;
}

/** `usage`: the response's x-ms-throttle-limit-percentage (only sent above 0.8 of a limit), else undefined. */
export type PacerOutcome = { throttled: false; usage?: number } | { throttled: true; retryAfterMs: number; writesOnly: boolean };

export interface ThrottlePacer {
  /** Resolves when the request may be sent. `retry`: a throttled request coming back, served first. */
  acquire(write: boolean, retry?: boolean): Promise<PacerTicket>;
  /** After the response (or failure) of a request acquired with `ticket`. */
  done(ticket: PacerTicket, outcome: PacerOutcome): void;
  /** For tests and statistics. */
  readonly state: {
    readonly concurrencyLimit: number;
    readonly inFlight: number;
    readonly waiting: number;
    readonly gateUntil: number;
    readonly writeGateUntil: number;
    readonly intervalMs: number;
  };
}

const PACING_MARGIN = 1.05;
/** Usage from which sends are spaced (the header starts at 0.8). */
const PACE_FROM = 0.95;
/** A caller quiet this long (the longest resource-unit window, 10 s per app+tenant) is no longer held back. */
const QUIET_MS = 10_000;

export function createThrottlePacer(now: () => number = Date.now): ThrottlePacer {
  const queue: { write: boolean; resolve: (t: PacerTicket) => void }[] = [];
  const s = {
    concurrencyLimit: Infinity,
    inFlight: 0,
    gateUntil: 0,
    writeGateUntil: 0,
    /** The usage the last response reported (0 without the header, 1 after a 429). */
    usage: 0,
    /** Spacing of sends while near the limit: the refill rate learnt from one 429 to the next. */
    intervalMs: 0,
    lastSentAt: 0,
    last429At: 0,
    servedSince429: 0,
    /** Last 429 or near-limit response. */
    lastSignalAt: 0,
  };
  let timer: { handle: ReturnType<typeof setTimeout>; at: number } | undefined;

  function wakeAt(at: number, t: number): void {
    if (timer && timer.at <= at) return;
    if (timer) clearTimeout(timer.handle);
    timer = {
      at,
      handle: setTimeout(() => {
        timer = undefined;
        pump();
      }, at - t),
    };
  }

  function pump(): void {
    const t = now();
    while (s.inFlight < s.concurrencyLimit && queue.length > 0) {
      if (t < s.gateUntil) return wakeAt(s.gateUntil, t);
      const paced = s.usage >= PACE_FROM && s.intervalMs > 0 ? s.lastSentAt + s.intervalMs : 0;
      if (t < paced) return wakeAt(paced, t);
      const i = t < s.writeGateUntil ? queue.findIndex((w) => !w.write) : 0;
      if (i < 0) return wakeAt(s.writeGateUntil, t);
      const [w] = queue.splice(i, 1);
      s.inFlight++;
      s.lastSentAt = t;
      w!.resolve({ sentAt: t });
    }
  }

  return {
    acquire(write, retry = false) {
      return new Promise<PacerTicket>((resolve) => {
        const w = { write, resolve };
        if (retry) queue.unshift(w);
        else queue.push(w);
        pump();
      });
    },
    done(ticket, outcome) {
      const t = now();
      s.inFlight = Math.max(0, s.inFlight - 1);
      const nearLimit = !outcome.throttled && outcome.usage !== undefined;
      if (outcome.throttled || nearLimit) s.lastSignalAt = t;
      if (outcome.throttled) {
        if (outcome.writesOnly) s.writeGateUntil = Math.max(s.writeGateUntil, t + outcome.retryAfterMs);
        else s.gateUntil = Math.max(s.gateUntil, t + outcome.retryAfterMs);
        // The first 429 of a burst: sent after the previous 429 came back (requests already in flight then
        // do not count again).
        if (ticket.sentAt > s.last429At) {
          // From one 429 to the next the bucket went from empty to empty: what it charged meanwhile (served, and
          // throttled in the same burst) is its refill.
          // 5 % slower than that: too slow refills the bucket and lifts the pacing, too fast ends in a 429.
          if (s.last429At > 0) s.intervalMs = (PACING_MARGIN * (t - s.last429At)) / (s.servedSince429 + 1);
          s.last429At = t;
          s.servedSince429 = 0;
          // s.inFlight no longer counts this request: the window it was sent in was s.inFlight + 1.
          s.concurrencyLimit = Math.max(1, Math.floor(Math.min(s.concurrencyLimit, s.inFlight + 1) / 2));
        } else {
          // Charged like any other request: part of what the bucket refilled until the next 429.
          s.servedSince429++;
        }
        s.usage = 1;
      } else {
        s.servedSince429++;
        s.usage = outcome.usage ?? 0;
        if (nearLimit) {
          // Less than a fifth of the bucket is left: one request at a time; from PACE_FROM on, spaced at the
          // learnt refill rate, so the bucket is used down to its last units but not into a 429.
          s.concurrencyLimit = 1;
        } else if (t - s.lastSignalAt > QUIET_MS) {
          s.concurrencyLimit = Infinity;
        } else if (Number.isFinite(s.concurrencyLimit)) {
          s.concurrencyLimit += 1 / s.concurrencyLimit;
        }
      }
      pump();
    },
    get state() {
      return {
        concurrencyLimit: s.concurrencyLimit,
        inFlight: s.inFlight,
        waiting: queue.length,
        gateUntil: s.gateUntil,
        writeGateUntil: s.writeGateUntil,
        intervalMs: s.intervalMs,
      };
    },
  };
}

/** The process-wide pacer of one caller (`key`: Graph root and a digest of the token). */
export function sharedThrottlePacer(key: string): ThrottlePacer {
  const slot = Symbol.for("scimops.graphThrottlePacers");
  const g = globalThis as unknown as Record<symbol, Map<string, ThrottlePacer> | undefined>;
  const registry = (g[slot] ??= new Map<string, ThrottlePacer>());
  let pacer = registry.get(key);
  if (!pacer) {
    pacer = createThrottlePacer();
    registry.set(key, pacer);
  }
  return pacer;
}
