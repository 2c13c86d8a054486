/**
 * One calling identity of bench/graph.ts: a worker thread standing for one pipeline (one stack, one
 * service principal, its own SCIMOPS_GRAPH_ACCESS_TOKEN in its own process.env and its own module
 * state, as one Pulumi provider process would have) that drives its share of the apps' providers the way
 * the Pulumi engine does. The main thread sends a phase, the worker answers when its resources are done.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { GraphConnection } from "../src/entra/graph";
import type { ObjectMapping } from "../src/graph/wire";
import { mapLimit } from "../src/entra/helpers";
import { synchronizationSchemaProvider as schemaProvider, type SynchronizationSchemaInputs } from "../src/entra/synchronization-schema";
import { synchronizationSettingsProvider as settingsProvider, type SynchronizationSettingsInputs } from "../src/entra/synchronization-settings";
import { ENTRA_PROVIDER_VERSION } from "../src/entra/version";
import { defaultGroupAttributeMappings, defaultUserAttributeMappings, GROUPS_MAPPING, USERS_MAPPING } from "../test/emulators/graph/catalog";

export interface CallerApp {
  index: number;
  servicePrincipalId: string;
  jobId: string;
}

export interface CallerData {
  graph: GraphConnection;
  apps: CallerApp[];
  /** Concurrent resource operations, like the engine's parallelism. */
  concurrency: number;
}

/** create: first apply; noop: check → diff, nothing changed; upgrade: every resource diffs as changed (provider version bump); oneChange: one app's mapping; refresh: read every resource. */
export type Phase = "create" | "noop" | "upgrade" | "oneChange" | "refresh";

interface Res {
  kind: "schema" | "settings";
  app: CallerApp;
  id: string;
  outs: Record<string, unknown>;
  inputs: Record<string, unknown>;
}

type Provider = {
  check(o: unknown, n: unknown): Promise<{ inputs: Record<string, unknown>; failures: unknown[] }>;
  diff(id: string, o: unknown, n: unknown): Promise<{ changes: boolean }>;
  create(i: unknown): Promise<{ id: string; outs: Record<string, unknown> }>;
  update(id: string, o: unknown, n: unknown): Promise<{ outs: Record<string, unknown> }>;
  read(id: string, props: unknown): Promise<{ id?: string; props?: Record<string, unknown> }>;
};

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

function run(data: CallerData): (phase: Phase) => Promise<void> {
  const { graph, concurrency } = data;
  const schemaInputs = (a: CallerApp, titleSource = "department"): SynchronizationSchemaInputs => ({
    graph,
    servicePrincipalId: a.servicePrincipalId,
    jobId: a.jobId,
    appName: `Bench app ${a.index}`,
    objectMappings: [users(titleSource), groups()],
    providerVersion: ENTRA_PROVIDER_VERSION,
  });
  const settingsInputs = (a: CallerApp): SynchronizationSettingsInputs => ({
    graph,
    servicePrincipalId: a.servicePrincipalId,
    jobId: a.jobId,
    appName: `Bench app ${a.index}`,
    baseAddress: `https://scim${a.index}.bench.test/scim`,
    secretToken: `bench-token-${a.index}`,
    syncAll: false,
    notifications: { enabled: true, recipients: "ops@bench.test", deleteThresholdEnabled: true, deleteThresholdValue: 50 },
    skipOutOfScopeDeletions: false,
    providerVersion: ENTRA_PROVIDER_VERSION,
  });
  const providerOf = (kind: Res["kind"]) => (kind === "schema" ? schemaProvider : settingsProvider) as unknown as Provider;
  let resources: Res[] = [];

  /** One engine-style apply: check → diff → update only when changed. */
  const apply = (desired: (r: Res) => Record<string, unknown>) =>
    mapLimit(resources, concurrency, async (r) => {
      const p = providerOf(r.kind);
      const { inputs } = await p.check(r.inputs, desired(r));
      if ((await p.diff(r.id, r.outs, inputs)).changes) {
        r.outs = (await p.update(r.id, r.outs, inputs)).outs;
        r.inputs = inputs;
      }
    });

  return async (phase) => {
    // Each phase stands for a new `pulumi up` / `refresh`: a new provider process knows nothing of earlier throttling.
    delete (globalThis as Record<symbol, unknown>)[Symbol.for("scimops.graphThrottlePacers")];
    switch (phase) {
      case "create": {
        const work = data.apps.flatMap((app) => [{ kind: "schema" as const, app }, { kind: "settings" as const, app }]);
        resources = await mapLimit(work, concurrency, async ({ kind, app }) => {
          const p = providerOf(kind);
          const { inputs, failures } = await p.check({}, kind === "schema" ? schemaInputs(app) : settingsInputs(app));
          if (failures.length) throw new Error(`check failed: ${JSON.stringify(failures)}`);
          const r = await p.create(inputs);
          return { kind, app, id: r.id, outs: r.outs, inputs };
        });
        return;
      }
      case "noop":
        await apply((r) => r.inputs);
        return;
      case "upgrade":
        await apply((r) => ({ ...r.inputs, providerVersion: `${String(r.inputs.providerVersion)}+bench` }));
        return;
      case "oneChange": {
        // App 0 (one caller's) changes one mapping; every other resource stays as it is.
        await apply((r) => (r.kind === "schema" && r.app.index === 0 ? { ...r.inputs, objectMappings: schemaInputs(r.app, "companyName").objectMappings } : r.inputs));
        return;
      }
      case "refresh":
        await mapLimit(resources, concurrency, async (r) => {
          const res = await providerOf(r.kind).read(r.id, r.outs);
          if (!res.id) throw new Error(`refresh lost the ${r.kind} of app ${r.app.index}`);
        });
        return;
    }
  };
}

if (parentPort) {
  const port = parentPort;
  const phase = run(workerData as CallerData);
  port.on("message", (m: { id: number; phase: Phase }) => {
    phase(m.phase).then(
      () => port.postMessage({ id: m.id, ok: true }),
      (e: unknown) => port.postMessage({ id: m.id, ok: false, error: e instanceof Error ? e.message : String(e) }),
    );
  });
}
