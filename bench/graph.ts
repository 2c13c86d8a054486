/**
 * Graph-layer benchmark (issue 4, item 6): 50 apps in the emulator with 50 ms latency per request.
 * Apply once, then measure a no-op apply, a one-mapping change and a refresh of all 50 apps.
 *
 * Run: npx tsx bench/graph.ts   — prints exactly one JSON line on stdout:
 *   {"bench":"graph","apps":50,"noopWrites":…,"oneChangeWrites":…,"refreshGetsPerApp":…,"refreshRatioToIdeal":…, …}
 * An "apply" drives the providers the way the Pulumi engine does: check → diff → update only when
 * diff reports changes (create for the first apply). Writes are counted from the emulator's request
 * log (every non-GET request). The refresh ideal is GETs × latency ÷ concurrency; the refresh is
 * measured after one warm-up pass as the median of three passes. The emulator runs on a worker
 * thread so its own CPU is not charged to the client. Targets: 0 and 1 writes, ≤ 2 GETs per app,
 * ratio ≤ 1.3. No assertions: this only measures.
 */
import { performance } from "node:perf_hooks";
import type { GraphConnection } from "../src/entra/graph";
import type { ObjectMapping } from "../src/graph/wire";
import { mapLimit } from "../src/entra/helpers";
import { synchronizationSchemaProvider as schemaProvider, type SynchronizationSchemaInputs } from "../src/entra/synchronization-schema";
import { synchronizationSettingsProvider as settingsProvider, type SynchronizationSettingsInputs } from "../src/entra/synchronization-settings";
import { ENTRA_PROVIDER_VERSION } from "../src/entra/version";
import { defaultGroupAttributeMappings, defaultUserAttributeMappings, GROUPS_MAPPING, USERS_MAPPING } from "../test/emulators/graph/catalog";
import { startGraphEmulatorWorker } from "../test/emulators/graph/worker";

const APPS = 50;
const LATENCY_MS = 50;
/** Concurrent resource operations, like the engine's parallelism. */
const CONCURRENCY = 10;

interface Res {
  kind: "schema" | "settings";
  app: number;
  id: string;
  outs: Record<string, unknown>;
  inputs: Record<string, unknown>;
}

function users(titleSource: string): ObjectMapping {
  return {
    name: USERS_MAPPING,
    flowTypes: "Add, Update, Delete",
    sourceObjectName: "User",
    targetObjectName: "User",
    attributeMappings: defaultUserAttributeMappings().map((m) =>
      m.targetAttributeName === "title" ? { ...m, source: { type: "Attribute", name: titleSource, expression: `[${titleSource}]`, parameters: [] } } : m,
    ),
  };
}

function groups(): ObjectMapping {
  return { name: GROUPS_MAPPING, flowTypes: "Add, Update", sourceObjectName: "Group", targetObjectName: "Group", attributeMappings: defaultGroupAttributeMappings() };
}

async function main(): Promise<void> {
  // The emulator runs on its own thread: Graph's CPU is not the client's (see worker.ts).
  const emu = await startGraphEmulatorWorker();
  process.env.SCIMOPS_GRAPH_ACCESS_TOKEN = emu.token;
  const graph: GraphConnection = { baseUrl: emu.url, auth: "accessToken" };
  const apps = await Promise.all(
    Array.from({ length: APPS }, (_, i) => emu.seedApp({ template: "non-gallery", displayName: `Bench app ${i}`, acceptedSecretToken: `bench-token-${i}` })),
  );
  await emu.setLatency(LATENCY_MS);
  const writes = async () => (await emu.requests()).filter((r) => r.method !== "GET").length;

  const schemaInputs = (i: number, titleSource = "department"): SynchronizationSchemaInputs => ({
    graph,
    servicePrincipalId: apps[i]!.servicePrincipalId,
    jobId: apps[i]!.jobId,
    appName: `Bench app ${i}`,
    objectMappings: [users(titleSource), groups()],
    providerVersion: ENTRA_PROVIDER_VERSION,
  });
  const settingsInputs = (i: number): SynchronizationSettingsInputs => ({
    graph,
    servicePrincipalId: apps[i]!.servicePrincipalId,
    jobId: apps[i]!.jobId,
    appName: `Bench app ${i}`,
    baseAddress: `https://scim${i}.bench.test/scim`,
    secretToken: `bench-token-${i}`,
    syncAll: false,
    notifications: { enabled: true, recipients: "ops@bench.test", deleteThresholdEnabled: true, deleteThresholdValue: 50 },
    skipOutOfScopeDeletions: false,
    providerVersion: ENTRA_PROVIDER_VERSION,
  });

  // Apply once (create everything).
  const t0 = Date.now();
  const work: { kind: Res["kind"]; app: number }[] = apps.flatMap((_, i) => [{ kind: "schema" as const, app: i }, { kind: "settings" as const, app: i }]);
  const resources: Res[] = await mapLimit(work, CONCURRENCY, async ({ kind, app }) => {
    const p = kind === "schema" ? schemaProvider : settingsProvider;
    const raw = kind === "schema" ? schemaInputs(app) : settingsInputs(app);
    const { inputs, failures } = await p.check({}, raw as never);
    if (failures.length) throw new Error(`check failed: ${JSON.stringify(failures)}`);
    const r = await (p.create as unknown as (i: unknown) => Promise<{ id: string; outs: Record<string, unknown> }>)(inputs);
    return { kind, app, id: r.id, outs: r.outs, inputs: inputs as unknown as Record<string, unknown> };
  });
  const applyMs = Date.now() - t0;

  /** One engine-style apply: check → diff → update only when changed. */
  async function apply(desired: (r: Res) => Record<string, unknown>): Promise<number> {
    const t = Date.now();
    await mapLimit(resources, CONCURRENCY, async (r) => {
      const p = (r.kind === "schema" ? schemaProvider : settingsProvider) as unknown as {
        check(o: unknown, n: unknown): Promise<{ inputs: Record<string, unknown>; failures: unknown[] }>;
        diff(id: string, o: unknown, n: unknown): Promise<{ changes: boolean }>;
        update(id: string, o: unknown, n: unknown): Promise<{ outs: Record<string, unknown> }>;
      };
      const { inputs } = await p.check(r.inputs, desired(r));
      const d = await p.diff(r.id, r.outs, inputs);
      if (d.changes) {
        r.outs = (await p.update(r.id, r.outs, inputs)).outs;
        r.inputs = inputs;
      }
    });
    return Date.now() - t;
  }

  // No-op apply.
  await emu.clearRequests();
  const noopMs = await apply((r) => r.inputs);
  const noopWrites = await writes();
  const noopRequests = (await emu.requests()).length;

  // Forced update of everything (as after a providerVersion bump): still no writes.
  await emu.clearRequests();
  await apply((r) => ({ ...r.inputs, providerVersion: `${ENTRA_PROVIDER_VERSION}+bench` }));
  const forcedUpdateWrites = await writes();

  // One mapping of one app changes.
  await emu.clearRequests();
  const oneChangeMs = await apply((r) => (r.kind === "schema" && r.app === 7 ? { ...r.inputs, objectMappings: schemaInputs(7, "companyName").objectMappings } : r.inputs));
  const oneChangeWrites = await writes();

  // Refresh all 50 apps (both resources each): one warm-up pass, then the median of three.
  async function refresh(): Promise<{ ms: number; gets: number; writes: number; busyMs: number }> {
    await emu.clearRequests();
    const elu0 = performance.eventLoopUtilization();
    const t = Date.now();
    await mapLimit(resources, CONCURRENCY, async (r) => {
      const p = (r.kind === "schema" ? schemaProvider : settingsProvider) as unknown as { read(id: string, props: unknown): Promise<{ id?: string; props?: Record<string, unknown> }> };
      const res = await p.read(r.id, r.outs);
      if (!res.id) throw new Error(`refresh lost ${r.kind} of app ${r.app}`);
    });
    const ms = Date.now() - t;
    const busyMs = Math.round(performance.eventLoopUtilization(elu0).active);
    const log = await emu.requests();
    const gets = log.filter((q) => q.method === "GET").length;
    return { ms, gets, writes: log.length - gets, busyMs };
  }
  await refresh();
  const runs = [await refresh(), await refresh(), await refresh()].sort((a, b) => a.ms - b.ms);
  const median = runs[1]!;
  const refreshMs = median.ms;
  const refreshGets = median.gets;
  const refreshWrites = Math.max(...runs.map((r) => r.writes));
  const idealMs = (refreshGets * LATENCY_MS) / CONCURRENCY;

  await emu.close();
  const line = {
    bench: "graph",
    apps: APPS,
    noopWrites,
    oneChangeWrites,
    refreshGetsPerApp: refreshGets / APPS,
    refreshRatioToIdeal: Math.round((refreshMs / idealMs) * 1000) / 1000,
    latencyMs: LATENCY_MS,
    concurrency: CONCURRENCY,
    noopRequests,
    forcedUpdateWrites,
    refreshWrites,
    refreshMs,
    refreshRunsMs: runs.map((r) => r.ms),
    /** Time the client's event loop was busy during the median refresh (our code + HTTP client). */
    refreshClientBusyMs: median.busyMs,
    idealRefreshMs: idealMs,
    emulator: "worker thread",
    applyMs,
    noopApplyMs: noopMs,
    oneChangeApplyMs: oneChangeMs,
  };
  process.stdout.write(JSON.stringify(line) + "\n");
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`bench/graph.ts failed: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
