/**
 * Graph-layer benchmark at scale (issue 4 item 6, issue 20 item 4): 500 enterprise apps in one tenant,
 * driven by 10 calling identities (one service principal per pipeline, 50 apps each), against the Graph
 * emulator enforcing Graph's identity-and-access throttling (test/emulators/graph/throttling.ts).
 *
 * Run: npx tsx bench/graph.ts   — prints exactly one JSON line on stdout {"bench":"graph",...}.
 *
 * - The emulator runs on a worker thread (worker.ts) and each caller on its own worker thread
 *   (graph-caller.ts) with its own token and module state, as 10 pipelines' provider processes would.
 * - Setup (creating every resource) runs with throttling off; each measured phase starts from full buckets.
 * - An "apply" drives the providers as the engine does: check → diff → update only when changed.
 * - Measured with throttling on: a refresh of every resource, and a no-op `up` that reaches Graph (after a
 *   provider upgrade every resource diffs as changed and reconciles: a GET, a comparison, no write). A plain
 *   no-op `up` makes no request at all (diff is local) and is reported as such.
 * - Ideal = the larger of two lower bounds, per caller and over the tenant: the latency bound
 *   (requests × latency ÷ concurrency) and the throttling bound (for each bucket, the units beyond its
 *   burst capacity at its refill rate, plus one latency). Ratio = wall time ÷ ideal; target ≤ 1.2.
 * - With Graph's documented limits the measured phases never reach a bucket (reported: throttled 0), so
 *   the throttled figures use the documented shape scaled down (docs/emulator.md "Throttling" says why).
 * No assertions: this only measures.
 */
import { Worker } from "node:worker_threads";
import { join } from "node:path";
import type { CallerApp, CallerData, Phase } from "./graph-caller";
import { documentedIdentityLimits, requestCost, scaleLimits, type BucketLimit, type IdentityLimits } from "../test/emulators/graph/throttling";
import { startGraphEmulatorWorker, type GraphEmulatorWorker } from "../test/emulators/graph/worker";

const APPS = 500;
const CALLERS = 10;
const LATENCY_MS = 50;
/** Concurrent resource operations per caller, like the engine's parallelism. */
const CONCURRENCY = 10;
/** A 500-app tenant has more than 500 users: tier L. */
const DOCUMENTED = documentedIdentityLimits("L");
/** Tier L with every limit ÷ 200 and every window ÷ 2.5: 40 RU per 4 s per app+tenant (10 RU/s), so a 100-request phase needs 6 s. */
const LIMIT_DIVISOR = 200;
const WINDOW_DIVISOR = 2.5;
const SCALED = scaleLimits(DOCUMENTED, LIMIT_DIVISOR, WINDOW_DIVISOR);
const RUNS = 3;

interface Caller {
  appId: string;
  token: string;
  worker: Worker;
  send(phase: Phase): Promise<void>;
}

function startCaller(index: number, data: CallerData, token: string): Caller {
  const worker = new Worker(join(__dirname, "graph-caller.ts"), {
    workerData: data,
    env: { ...process.env, SCIMOPS_GRAPH_ACCESS_TOKEN: token },
    execArgv: ["--import", "tsx"],
  });
  let next = 0;
  const pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  worker.on("message", (m: { id: number; ok: boolean; error?: string }) => {
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (m.ok) p?.resolve();
    else p?.reject(new Error(`caller ${index}: ${m.error}`));
  });
  worker.on("error", (e) => {
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  });
  return {
    appId: "",
    token,
    worker,
    send: (phase) =>
      new Promise<void>((resolve, reject) => {
        const id = ++next;
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, phase });
      }),
  };
}

interface Measured {
  ms: number;
  requests: number;
  gets: number;
  writes: number;
  throttled: number;
  latencyBoundMs: number;
  throttleBoundMs: number;
  idealMs: number;
  ratio: number;
}

/** Lower bound on the time `units` need through a bucket that starts full: the excess over the burst at the refill rate. */
const bucketBoundMs = (units: number, b: BucketLimit) => (units > b.limit ? ((units - b.limit) * b.windowMs) / b.limit : 0);

async function phase(emu: GraphEmulatorWorker, callers: Caller[], name: Phase, limits: IdentityLimits | undefined): Promise<Measured> {
  await emu.setThrottling(limits !== undefined, limits);
  await emu.clearRequests();
  const t = performance.now();
  await Promise.all(callers.map((c) => c.send(name)));
  const ms = Math.round(performance.now() - t);
  const log = await emu.requests();
  const served = log.filter((r) => r.status !== 429);
  let latencyBoundMs = 0;
  let throttleBoundMs = 0;
  let tenantWrites = 0;
  for (const c of callers) {
    const mine = served.filter((r) => r.callerAppId === c.appId);
    const costs = mine.map((r) => requestCost(r.method, r.path, new URLSearchParams(r.query)));
    const ru = costs.reduce((s, x) => s + x.resourceUnits, 0);
    const writes = costs.reduce((s, x) => s + x.writes, 0);
    tenantWrites += writes;
    latencyBoundMs = Math.max(latencyBoundMs, (mine.length * LATENCY_MS) / CONCURRENCY);
    if (limits && mine.length > 0) {
      throttleBoundMs = Math.max(throttleBoundMs, Math.max(bucketBoundMs(ru, limits.appTenantResourceUnits), bucketBoundMs(writes, limits.appTenantWrites)) + LATENCY_MS);
    }
  }
  if (limits && tenantWrites > 0) throttleBoundMs = Math.max(throttleBoundMs, bucketBoundMs(tenantWrites, limits.tenantWrites) + LATENCY_MS);
  const idealMs = Math.max(latencyBoundMs, throttleBoundMs);
  const gets = served.filter((r) => r.method === "GET").length;
  return {
    ms,
    requests: served.length,
    gets,
    writes: served.length - gets,
    throttled: log.length - served.length,
    latencyBoundMs: Math.round(latencyBoundMs),
    throttleBoundMs: Math.round(throttleBoundMs),
    idealMs: Math.round(idealMs),
    ratio: idealMs > 0 ? Math.round((ms / idealMs) * 1000) / 1000 : 0,
  };
}

/** The median run by wall time. */
async function median(runs: number, once: () => Promise<Measured>): Promise<Measured & { runsMs: number[] }> {
  const all: Measured[] = [];
  for (let i = 0; i < runs; i++) all.push(await once());
  const sorted = [...all].sort((a, b) => a.ms - b.ms);
  return { ...sorted[Math.floor(sorted.length / 2)]!, runsMs: all.map((r) => r.ms) };
}

async function main(): Promise<void> {
  const tokens = Array.from({ length: CALLERS }, (_, i) => `bench-caller-${i}-${crypto.randomUUID()}`);
  const appIds = tokens.map(() => crypto.randomUUID());
  const emu = await startGraphEmulatorWorker({
    throttling: { callers: Object.fromEntries(tokens.map((t, i) => [t, appIds[i]!])), limits: SCALED, enabled: false },
  });
  const seeded = await Promise.all(
    Array.from({ length: APPS }, (_, i) => emu.seedApp({ template: "non-gallery", displayName: `Bench app ${i}`, acceptedSecretToken: `bench-token-${i}` })),
  );
  const apps: CallerApp[] = seeded.map((a, index) => ({ index, servicePrincipalId: a.servicePrincipalId, jobId: a.jobId }));
  const callers = tokens.map((token, i) => {
    const c = startCaller(i, { graph: { baseUrl: emu.url, auth: "accessToken" }, apps: apps.filter((a) => a.index % CALLERS === i), concurrency: CONCURRENCY }, token);
    c.appId = appIds[i]!;
    return c;
  });
  try {
    // Setup, unthrottled and without latency.
    const setupStart = performance.now();
    await Promise.all(callers.map((c) => c.send("create")));
    const setupMs = Math.round(performance.now() - setupStart);
    await emu.setLatency(LATENCY_MS);

    const noop = await phase(emu, callers, "noop", SCALED);
    const oneChange = await phase(emu, callers, "oneChange", SCALED);
    const refreshDocumented = await median(RUNS, () => phase(emu, callers, "refresh", DOCUMENTED));
    const refresh = await median(RUNS, () => phase(emu, callers, "refresh", SCALED));
    const noopUp = await median(RUNS, () => phase(emu, callers, "upgrade", SCALED));

    const line = {
      bench: "graph",
      apps: APPS,
      callers: CALLERS,
      latencyMs: LATENCY_MS,
      concurrencyPerCaller: CONCURRENCY,
      limits: `tier L ÷${LIMIT_DIVISOR} (windows ÷${WINDOW_DIVISOR}): ${SCALED.appTenantResourceUnits.limit} RU / ${SCALED.appTenantResourceUnits.windowMs} ms per app+tenant`,
      refreshRatioToIdeal: refresh.ratio,
      noopUpRatioToIdeal: noopUp.ratio,
      refreshThrottled: refresh.throttled,
      noopUpThrottled: noopUp.throttled,
      refreshGetsPerApp: refresh.gets / APPS,
      noopWrites: noop.writes,
      noopRequests: noop.requests,
      oneChangeWrites: oneChange.writes,
      noopUpWrites: noopUp.writes,
      refresh,
      noopUp,
      documentedLimitsRefresh: refreshDocumented,
      setupMs,
      emulator: "worker thread",
    };
    process.stdout.write(JSON.stringify(line) + "\n");
  } finally {
    await Promise.all(callers.map((c) => c.worker.terminate()));
    await emu.close();
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`bench/graph.ts failed: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
