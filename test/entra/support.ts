/** Shared setup for the Graph-layer tests: an emulator, a connection to it, and declared mappings. */
import { afterAll, beforeAll, beforeEach } from "vitest";
import type { GraphConnection } from "../../src/entra/graph";
import type { AttributeMapping, ObjectMapping } from "../../src/graph/wire";
import {
  defaultGroupAttributeMappings,
  defaultUserAttributeMappings,
  GROUPS_MAPPING,
  startGraphEmulator,
  USERS_MAPPING,
  type GraphEmulator,
  type GraphEmulatorOptions,
} from "../emulators/graph/index";

/** Fast retry settings so fault tests finish quickly; the policy is the same as in production. */
export const FAST_RETRY = { baseDelayMs: 20, maxDelayMs: 200, maxRetryAfterSeconds: 5, replicationLagSeconds: 2, timeoutMs: 5000, maxAttempts: 5 };

export async function startEmulator(options: GraphEmulatorOptions = {}): Promise<{ emu: GraphEmulator; graph: GraphConnection }> {
  const emu = await startGraphEmulator(options);
  process.env.SCIMOPS_GRAPH_ACCESS_TOKEN = emu.token;
  const graph: GraphConnection = { baseUrl: emu.url, auth: "accessToken", retry: FAST_RETRY };
  return { emu, graph };
}

/**
 * The emulator hooks a Graph-layer test file shares: one emulator for the file (started before all
 * tests, `bind` receives it and the connection to it; closed after all tests) and a clean slate before
 * each test (no injected faults, no latency, an empty request log).
 */
export function useEmulator(bind: (session: { emu: GraphEmulator; graph: GraphConnection }) => void, options: GraphEmulatorOptions = {}): void {
  let emu: GraphEmulator | undefined;
  beforeAll(async () => {
    const session = await startEmulator(options);
    emu = session.emu;
    bind(session);
  });
  afterAll(async () => {
    await emu?.close();
  });
  beforeEach(() => {
    emu!.faults.clear();
    emu!.faults.latencyMs = 0;
    emu!.clearRequests();
  });
}

/**
 * The default Users mapping written the way a declaration would carry it: Graph form, but without
 * the defaults Graph fills in, with "Add,Update,Delete" spelling and rows in a different order —
 * equivalent to the live default, so applying it must write nothing.
 */
export function declaredUsers(): ObjectMapping {
  const rows: AttributeMapping[] = defaultUserAttributeMappings().map((m) => {
    const out: AttributeMapping = { targetAttributeName: m.targetAttributeName, source: m.source ?? null };
    if (m.matchingPriority) out.matchingPriority = m.matchingPriority;
    return out;
  });
  rows.reverse();
  return {
    name: USERS_MAPPING,
    flowTypes: "Add,Update,Delete",
    sourceObjectName: "User",
    targetObjectName: "User",
    attributeMappings: rows,
  };
}

export function declaredGroups(): ObjectMapping {
  return {
    name: GROUPS_MAPPING,
    enabled: true,
    flowTypes: "Add, Update, Delete",
    sourceObjectName: "Group",
    targetObjectName: "Group",
    scope: null,
    attributeMappings: defaultGroupAttributeMappings(),
  };
}

export function withRow(m: ObjectMapping, target: string, change: (row: AttributeMapping) => AttributeMapping): ObjectMapping {
  const copy = structuredClone(m);
  const i = copy.attributeMappings.findIndex((r) => r.targetAttributeName === target);
  if (i < 0) throw new Error(`no row ${target}`);
  copy.attributeMappings[i] = change(copy.attributeMappings[i]!);
  return copy;
}

export const attr = (name: string) => ({ type: "Attribute" as const, name, expression: `[${name}]`, parameters: [] });
