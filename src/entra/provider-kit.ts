/**
 * What the Graph-backed dynamic providers of this folder share (SynchronizationSchema,
 * SynchronizationSettings, SynchronizationTemplateDefault, ProvisioningStatus): the common inputs,
 * the app label for messages, `check`/`diff` building blocks, outputs, and "gone on 404".
 *
 * Provider code: Pulumi serializes these functions by value, so this module follows the rule in
 * helpers.ts (plain functions and data only, no module-level runtime imports, plain `Error`s). The
 * Pulumi-facing resource base class lives apart, in dynamic-resource.ts.
 */
import type { GraphConnection, GraphSession } from "./graph";
import { isGraphCallError, resolveEndpoints } from "./graph";
import { containsUnknown, UNKNOWN_VALUE } from "./helpers";
import { ENTRA_PROVIDER_VERSION } from "./version";

/** Plain (resolved) inputs every provider here receives. */
export interface GraphResourceInputs {
  graph: GraphConnection;
  servicePrincipalId: string;
  /** App display name for error messages. */
  appName?: string;
  providerVersion: string;
}

export interface CheckFailure {
  property: string;
  reason: string;
}

/** The app as error messages name it: its display name, else its service principal id. */
export function appLabel(i: { appName?: string; servicePrincipalId: string }): string {
  return i.appName || i.servicePrincipalId;
}

/** Context for sync-api calls: the app label and, right after creation, the replication-lag window. */
export function callContext(i: { appName?: string; servicePrincipalId: string }, session: GraphSession, justCreated: boolean): { app: string; replicationLagMs?: number } {
  return {
    app: appLabel(i),
    ...(justCreated ? { replicationLagMs: session.retry.replicationLagSeconds * 1000 } : {}),
  };
}

/** `check`: the named inputs must be non-empty strings (Pulumi's unknowns pass). */
export function requiredStringFailures(inputs: object, keys: readonly string[]): CheckFailure[] {
  const failures: CheckFailure[] = [];
  for (const k of keys) {
    const v = (inputs as Record<string, unknown>)[k];
    if (v !== UNKNOWN_VALUE && (typeof v !== "string" || v === "")) failures.push({ property: k, reason: "must be a non-empty string" });
  }
  return failures;
}

/** `check`: the Graph connection description must resolve to endpoints (skipped while it holds unknowns). */
export function graphFailures(graph: unknown): CheckFailure[] {
  if (containsUnknown(graph)) return [];
  if (!graph || typeof graph !== "object") return [{ property: "graph", reason: "must describe the Graph connection" }];
  try {
    resolveEndpoints(graph as GraphConnection);
  } catch (e) {
    return [{ property: "graph", reason: (e as Error).message }];
  }
  return [];
}

/** The end of every `check`: the default providerVersion filled in. */
export function checkResult<T extends { providerVersion?: string }>(inputs: T, failures: CheckFailure[]): { inputs: T; failures: CheckFailure[] } {
  if (inputs.providerVersion === undefined) inputs.providerVersion = ENTRA_PROVIDER_VERSION;
  return { inputs, failures };
}

/**
 * A `diff` result: replaced when an identity key changed (or is unknown), else changed when
 * `differs()` says so (not called once a replacement is known).
 */
export function diffResult<T extends object>(olds: T, news: T, identityKeys: readonly (keyof T & string)[], differs: () => boolean): { changes: boolean; replaces: string[]; deleteBeforeReplace: boolean } {
  const replaces: string[] = identityKeys.filter((k) => news[k] === UNKNOWN_VALUE || olds[k] !== news[k]);
  const changes = replaces.length > 0 || differs();
  return { changes, replaces, deleteBeforeReplace: false };
}

/** State outputs: the inputs without `__provider`, the `omit`ted keys and undefined members, then `extra`. */
export function outputsOf<O>(inputs: object, extra: Record<string, unknown>, omit: readonly string[] = []): O {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(inputs)) if (k !== "__provider" && !omit.includes(k) && v !== undefined) out[k] = v;
  Object.assign(out, extra);
  return out as O;
}

/** A `read` result: the recorded state with the live values in `live`, without `__provider`. */
export function readResult<O extends object>(id: string, props: O, live: Partial<O> = {}): { id: string; props: O } {
  const out: Record<string, unknown> = { ...props, ...live };
  delete out.__provider;
  return { id, props: out as O };
}

/** Runs Graph calls; resolves to `undefined` instead of failing when Graph answers 404 (the object is gone). */
export async function unlessGone<T>(calls: () => Promise<T>): Promise<T | undefined> {
  try {
    return await calls();
  } catch (e) {
    if (isGraphCallError(e) && e.statusCode === 404) return undefined;
    throw e;
  }
}
