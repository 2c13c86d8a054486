/**
 * Microsoft Graph client for scimops, built on `@microsoft/microsoft-graph-client` with our own
 * middleware chain (auth → fetch), so that retries are decided here, per call, with the knowledge of
 * what the call is and which app it is for.
 *
 * - Credentials come from `@azure/identity` (client secret, workload identity federation, Azure CLI,
 *   the default chain) or from an access token the caller already holds. They are read from the
 *   environment at run time, never from resource inputs, so nothing credential-like reaches state.
 * - Clouds: `global`, `usgovernment`, `usgovernment-dod`, `china`, or an explicit base URL.
 * - Retries: 429/503/504 honour `Retry-After` (seconds or HTTP date) up to a cap; without the header a
 *   bounded exponential back-off with jitter is used. A 429 holds back every request of the same caller
 *   (Graph root + token) in the process until its Retry-After, and the caller slows down near the limit
 *   (throttle-pacer.ts), because Graph charges throttled requests too. Right after an app is created, callers may ask
 *   for 404/403/409 to be retried for a bounded time (directory replication lag, graph-sync.md §1.2).
 * - Errors are plain `Error`s (see helpers.ts for why not a subclass) whose message names the app, the
 *   call and Graph's error code, and is passed through `redact()` so it never contains a token.
 *
 * See helpers.ts for the serialization rule every function here follows.
 */
import type { TokenCredential } from "@azure/identity";
import { CLOUDS, type CloudFacts } from "../catalog/clouds";
import type { Cloud } from "../spec/schema";
import { redact, sleep } from "./helpers";
import { sharedThrottlePacer, type PacerTicket, type ThrottlePacer } from "./throttle-pacer";

/** The catalog's clouds plus US Government DoD (L5), which a Graph connection can reach but the catalog does not list. */
export type GraphCloud = Cloud | "usgovernment-dod";

/**
 * How the provider authenticates. `auto` (default) picks, in order: `accessToken` when
 * SCIMOPS_GRAPH_ACCESS_TOKEN is set, `workloadIdentity` when AZURE_FEDERATED_TOKEN_FILE and
 * AZURE_CLIENT_ID are set, `clientSecret` when AZURE_CLIENT_SECRET and AZURE_CLIENT_ID are set,
 * else `default` (DefaultAzureCredential, which also covers managed identity and the Azure CLI).
 */
export type GraphAuthMethod = "auto" | "clientSecret" | "workloadIdentity" | "azureCli" | "default" | "accessToken";

export interface GraphRetryOptions {
  /** Attempts for one call on 429/503/504/network errors, first try included. Default 6. */
  maxAttempts?: number;
  /** First back-off delay. Default 1000 ms; doubles per attempt with jitter. */
  baseDelayMs?: number;
  /** Largest back-off delay. Default 30 000 ms. */
  maxDelayMs?: number;
  /** A Retry-After larger than this fails the call instead of sleeping. Default 120 s. */
  maxRetryAfterSeconds?: number;
  /** Window during which 404/403/409 are retried right after app creation. Default 120 s. */
  replicationLagSeconds?: number;
  /** Per-request timeout. Default 60 000 ms. */
  timeoutMs?: number;
}

/**
 * Where and how to reach Graph. Resource inputs carry this object; it holds no credentials.
 */
export interface GraphConnection {
  cloud?: GraphCloud;
  /** Explicit Graph root such as `https://graph.microsoft.com` or an emulator's `http://127.0.0.1:port`. */
  baseUrl?: string;
  /** Token authority for an explicit baseUrl; defaults to the cloud's. */
  authorityHost?: string;
  /** Token scope; defaults to `<graph root>/.default`. */
  scope?: string;
  /** Tenant to authenticate against; defaults to AZURE_TENANT_ID. */
  tenantId?: string;
  auth?: GraphAuthMethod;
  apiVersion?: "v1.0" | "beta";
  retry?: GraphRetryOptions;
}

const endpointsOf = (c: CloudFacts) => ({ graph: c.graphBaseUrl, login: c.authorityHost });

/**
 * Graph root and token authority per cloud, from the catalog (src/catalog/clouds.ts). DoD is only
 * here: it has its own Graph host and signs in at the US Government authority, and no non-gallery
 * template id is published for it, so it is not a catalog cloud.
 */
export const GRAPH_CLOUDS: Record<GraphCloud, { graph: string; login: string }> = {
  global: endpointsOf(CLOUDS.global),
  usgovernment: endpointsOf(CLOUDS.usgovernment),
  "usgovernment-dod": { graph: "https://dod-graph.microsoft.us", login: CLOUDS.usgovernment.authorityHost },
  china: endpointsOf(CLOUDS.china),
};

export interface ResolvedEndpoints {
  /** Graph root without version, no trailing slash. */
  graphRoot: string;
  authorityHost: string;
  scope: string;
  apiVersion: "v1.0" | "beta";
}

/** Resolves the Graph root, token authority and scope for a connection. */
export function resolveEndpoints(conn: GraphConnection = {}): ResolvedEndpoints {
  const cloudName = conn.cloud ?? "global";
  const cloud = GRAPH_CLOUDS[cloudName];
  if (!cloud) {
    throw new Error(`Unknown Graph cloud "${String(conn.cloud)}"; expected one of ${Object.keys(GRAPH_CLOUDS).join(", ")} or an explicit baseUrl.`);
  }
  let graphRoot = cloud.graph;
  if (conn.baseUrl) {
    let url: URL;
    try {
      url = new URL(conn.baseUrl);
    } catch {
      throw new Error(`Graph baseUrl "${conn.baseUrl}" is not an absolute URL.`);
    }
    const loopback = url.hostname === "127.0.0.1" || url.hostname === "localhost" || url.hostname === "[::1]";
    if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) {
      throw new Error(`Graph baseUrl "${conn.baseUrl}" must use https (plain http is only allowed for a loopback emulator).`);
    }
    graphRoot = (url.origin + url.pathname).replace(/\/+$/, "").replace(/\/(v1\.0|beta)$/i, "");
  }
  const apiVersion = conn.apiVersion ?? "v1.0";
  if (apiVersion !== "v1.0" && apiVersion !== "beta") throw new Error(`Unsupported Graph apiVersion "${String(apiVersion)}".`);
  return {
    graphRoot,
    authorityHost: (conn.authorityHost ?? cloud.login).replace(/\/+$/, ""),
    scope: conn.scope ?? `${new URL(graphRoot).origin}/.default`,
    apiVersion,
  };
}

/** Picks the concrete credential kind for `auth: "auto"` from the environment. */
export function resolveAuthMethod(conn: GraphConnection, env: Record<string, string | undefined>): Exclude<GraphAuthMethod, "auto"> {
  const method = conn.auth ?? "auto";
  if (method !== "auto") return method;
  if (env.SCIMOPS_GRAPH_ACCESS_TOKEN) return "accessToken";
  if (env.AZURE_FEDERATED_TOKEN_FILE && env.AZURE_CLIENT_ID) return "workloadIdentity";
  if (env.AZURE_CLIENT_SECRET && env.AZURE_CLIENT_ID) return "clientSecret";
  return "default";
}

export type TokenProvider = () => Promise<string>;

export interface TokenProviderOptions {
  env?: Record<string, string | undefined>;
  /** Use this credential instead of building one from the environment. */
  credential?: TokenCredential;
  /** Use this token (or token function) instead of any credential. */
  accessToken?: string | TokenProvider;
}

/**
 * Builds the credential for a connection and returns a token function that caches the token until
 * two minutes before it expires.
 */
export function createTokenProvider(conn: GraphConnection, options: TokenProviderOptions = {}): TokenProvider {
  const env = options.env ?? process.env;
  const endpoints = resolveEndpoints(conn);
  if (typeof options.accessToken === "function") return options.accessToken;
  if (typeof options.accessToken === "string") {
    const fixed = options.accessToken;
    return async () => fixed;
  }
  const tenantId = conn.tenantId ?? env.AZURE_TENANT_ID;
  let credential: TokenCredential | undefined = options.credential;
  const method = credential ? "credential" : resolveAuthMethod(conn, env);
  if (method === "accessToken") {
    return async () => {
      const token = env.SCIMOPS_GRAPH_ACCESS_TOKEN;
      if (!token) throw new Error("Graph auth method accessToken needs SCIMOPS_GRAPH_ACCESS_TOKEN in the environment.");
      return token;
    };
  }
  if (!credential) {
    try {
      credential = buildCredential();
    } catch (e) {
      throw new Error(redact(`Could not configure the Microsoft Graph credential (auth ${method}): ${(e as Error)?.message ?? String(e)}`, [env.AZURE_CLIENT_SECRET]));
    }
  }
  function buildCredential(): TokenCredential {
    const identity: typeof import("@azure/identity") = require("@azure/identity");
    const authorityHost = endpoints.authorityHost;
    const need = (name: string): string => {
      const v = env[name];
      if (!v) throw new Error(`Graph auth method ${method} needs ${name} in the environment.`);
      return v;
    };
    switch (method) {
      case "clientSecret":
        return new identity.ClientSecretCredential(tenantId ?? need("AZURE_TENANT_ID"), need("AZURE_CLIENT_ID"), need("AZURE_CLIENT_SECRET"), { authorityHost });
      case "workloadIdentity":
        return new identity.WorkloadIdentityCredential({
          tenantId: tenantId ?? need("AZURE_TENANT_ID"),
          clientId: need("AZURE_CLIENT_ID"),
          tokenFilePath: need("AZURE_FEDERATED_TOKEN_FILE"),
          authorityHost,
        });
      case "azureCli":
        return new identity.AzureCliCredential(tenantId ? { tenantId } : {});
      case "default":
        return new identity.DefaultAzureCredential(tenantId ? { tenantId, authorityHost } : { authorityHost });
      default:
        throw new Error(`Unknown Graph auth method "${String(method)}".`);
    }
  }
  const cred: TokenCredential = credential;
  let cached: { token: string; expiresOnTimestamp: number } | undefined;
  return async () => {
    if (cached && cached.expiresOnTimestamp - 120_000 > Date.now()) return cached.token;
    let token;
    try {
      token = await cred.getToken(endpoints.scope);
    } catch (e) {
      throw new Error(redact(`Could not obtain a Microsoft Graph token (auth ${method}, scope ${endpoints.scope}): ${(e as Error)?.message ?? String(e)}`, [env.AZURE_CLIENT_SECRET]));
    }
    if (!token) throw new Error(`Could not obtain a Microsoft Graph token (auth ${method}): the credential returned none.`);
    cached = { token: token.token, expiresOnTimestamp: token.expiresOnTimestamp };
    return token.token;
  };
}

// ---------------------------------------------------------------------------------------------
// Session
// ---------------------------------------------------------------------------------------------

export type GraphMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface GraphRequestSpec<T = unknown> {
  method: GraphMethod;
  /** Path below the version, e.g. `/servicePrincipals/{id}/synchronization/secrets`. */
  path: string;
  /** Query parameters; values are URL-encoded here. */
  query?: Record<string, string>;
  body?: unknown;
  /** Short name of the call for errors and statistics, e.g. `PUT schema`. */
  call: string;
  /** Display name (or id) of the app the call is for; appears in errors. */
  app?: string;
  /** Safe to repeat after a timeout or 504 (GET, PUT, DELETE, validateCredentials). Default: method is not POST. */
  idempotent?: boolean;
  /** Retry 404/403/409 for up to this long (replication lag right after app creation). */
  replicationLagMs?: number;
  /** Extra strings to scrub from error text (e.g. the SecretToken being validated). */
  sensitive?: readonly string[];
  /**
   * For a write that is not safe to repeat (instantiate, POST job, POST assignment): after an answer that leaves
   * its outcome unknown (no response — a reset connection or a timeout — or 500/502/503/504; Graph documents 503
   * and 504 as retriable but neither says whether the write was applied), looks for what the write would have
   * made. What it finds is taken as the write's result; `undefined` means it was not applied, and the write is
   * retried. Without `recover` such a write is retried only on 429 and 503, as before.
   */
  recover?: () => Promise<T | undefined>;
}

/** Fields on errors thrown by `GraphSession.request`. */
export interface GraphCallErrorFields {
  name: "GraphCallError";
  call: string;
  app?: string;
  method: GraphMethod;
  path: string;
  /** HTTP status, or 0 for network errors and timeouts. */
  statusCode: number;
  /** Graph's `error.code` (plus `innerError.code` when present, after a slash). */
  graphCode: string;
  requestId?: string;
  attempts: number;
}
export type GraphCallError = Error & GraphCallErrorFields;

export function isGraphCallError(e: unknown): e is GraphCallError {
  return e instanceof Error && (e as Partial<GraphCallErrorFields>).name === "GraphCallError";
}

export interface GraphSessionStats {
  requests: number;
  gets: number;
  writes: number;
  retries: number;
  /** Writes whose outcome was unknown and that `recover` found applied (so they were not repeated). */
  recovered: number;
  byCall: Record<string, number>;
}

export interface GraphSession {
  readonly endpoints: ResolvedEndpoints;
  readonly retry: Required<GraphRetryOptions>;
  readonly stats: GraphSessionStats;
  request<T = unknown>(spec: GraphRequestSpec<T>): Promise<T>;
}

export interface GraphSessionOptions extends TokenProviderOptions {
  /** Source of randomness for back-off jitter (tests). */
  random?: () => number;
}

export function resolveRetryOptions(retry: GraphRetryOptions = {}): Required<GraphRetryOptions> {
  const num = (v: number | undefined, d: number, min: number): number => (typeof v === "number" && Number.isFinite(v) && v >= min ? v : d);
  return {
    maxAttempts: Math.floor(num(retry.maxAttempts, 6, 1)),
    baseDelayMs: num(retry.baseDelayMs, 1000, 0),
    maxDelayMs: num(retry.maxDelayMs, 30_000, 0),
    maxRetryAfterSeconds: num(retry.maxRetryAfterSeconds, 120, 0),
    replicationLagSeconds: num(retry.replicationLagSeconds, 120, 0),
    timeoutMs: num(retry.timeoutMs, 60_000, 1),
  };
}

/** Parses Retry-After (delta seconds or HTTP date) into milliseconds. */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === null || value === undefined || value.trim() === "") return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(parseFloat(v) * 1000);
  const date = Date.parse(v);
  if (!Number.isNaN(date)) return Math.max(0, date - now);
  return undefined;
}

/** Exponential back-off with jitter in [50 %, 100 %] of the capped delay. */
export function backoffDelay(attempt: number, retry: Required<GraphRetryOptions>, random: () => number = Math.random): number {
  const raw = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(raw * (0.5 + 0.5 * random()));
}

/** Creates a Graph session for one connection. Cheap; create one per provider operation. */
export function createGraphSession(conn: GraphConnection = {}, options: GraphSessionOptions = {}): GraphSession {
  const graphSdk: typeof import("@microsoft/microsoft-graph-client") = require("@microsoft/microsoft-graph-client");
  const crypto: typeof import("node:crypto") = require("node:crypto");
  const endpoints = resolveEndpoints(conn);
  const retry = resolveRetryOptions(conn.retry);
  const random = options.random ?? Math.random;
  const getToken = createTokenProvider(conn, options);
  const seenTokens: string[] = [];
  /** The caller's pacer per token (Graph root + token digest), so the digest is computed once per token, not per request. */
  const pacerByToken = new Map<string, ThrottlePacer>();
  const pacerOf = (token: string): ThrottlePacer => {
    let pacer = pacerByToken.get(token);
    if (!pacer) {
      pacer = sharedThrottlePacer(`${endpoints.graphRoot} ${crypto.createHash("sha256").update(token).digest("base64url").slice(0, 22)}`);
      pacerByToken.set(token, pacer);
    }
    return pacer;
  };
  const stats: GraphSessionStats = { requests: 0, gets: 0, writes: 0, retries: 0, recovered: 0, byCall: {} };

  /** x-ms-throttle-limit-percentage of each response, by client-request-id, until request() takes it. */
  const limitUsage = new Map<string, number>();
  // Middleware: only our fetch handler (adds a per-request timeout). No SDK RetryHandler (retries are
  // decided in request()) and no SDK AuthenticationHandler (it only authenticates known Graph hosts;
  // request() sets the Authorization header itself after obtaining the token).
  const fetchHandler = {
    async execute(ctx: { request: string | Request; options?: RequestInit; response?: Response }) {
      const signal = AbortSignal.timeout(retry.timeoutMs);
      ctx.response = await fetch(ctx.request, { ...(ctx.options ?? {}), signal });
      // Early throttling warning, "returned only when the application consumed more than 0.8 of its limit" (throttling-limits.md).
      const usage = ctx.response.headers.get("x-ms-throttle-limit-percentage");
      const id = new Headers(ctx.options?.headers).get("client-request-id");
      if (usage && id) limitUsage.set(id, Number(usage));
    },
  };
  const client = graphSdk.Client.initWithMiddleware({
    baseUrl: endpoints.graphRoot,
    defaultVersion: endpoints.apiVersion,
    middleware: [fetchHandler as never],
  });

  const send = async (spec: GraphRequestSpec<unknown>, token: string, clientRequestId: string): Promise<unknown> => {
    let req = client.api(spec.path).version(endpoints.apiVersion).header("Authorization", `Bearer ${token}`).header("client-request-id", clientRequestId);
    if (spec.query) {
      const encoded: Record<string, string> = {};
      for (const [k, v] of Object.entries(spec.query)) encoded[k] = encodeURIComponent(v);
      req = req.query(encoded);
    }
    switch (spec.method) {
      case "GET":
        return req.get();
      case "POST":
        return req.post(spec.body);
      case "PUT":
        return req.put(spec.body);
      case "PATCH":
        return req.patch(spec.body);
      case "DELETE":
        return req.delete();
    }
  };

  const describe = (
    e: unknown,
  ): { statusCode: number; code: string; message: string; requestId?: string; retryAfter?: string | null; throttleScope?: string | null } => {
    const ge = e as { statusCode?: number; code?: string | null; message?: string; body?: unknown; requestId?: string | null; headers?: Headers };
    const statusCode = typeof ge?.statusCode === "number" && ge.statusCode > 0 ? ge.statusCode : 0;
    let code = ge?.code ?? "";
    let message = ge?.message ?? String(e);
    let requestId = ge?.requestId ?? undefined;
    if (typeof ge?.body === "string") {
      try {
        const parsed = JSON.parse(ge.body) as { code?: string; message?: string; innerError?: { code?: string; "request-id"?: string } };
        if (parsed && typeof parsed === "object") {
          if (parsed.code) code = parsed.code;
          if (parsed.innerError?.code && parsed.innerError.code !== code) code = `${code}/${parsed.innerError.code}`;
          if (parsed.message) message = parsed.message;
          requestId = parsed.innerError?.["request-id"] ?? requestId;
        }
      } catch {
        if (!message && ge.body) message = ge.body.slice(0, 500);
      }
    }
    if (statusCode === 0) {
      // Network failure or our per-request timeout (the SDK puts the cause's name in `code`).
      const cause = (e as { body?: unknown })?.body;
      code = /timeout|abort/i.test(`${code} ${String(cause)} ${message}`) ? "Timeout" : "NetworkError";
      if (!message) message = String(cause ?? e);
    }
    const header = (name: string): string | null | undefined => {
      try {
        return ge?.headers && typeof ge.headers.get === "function" ? ge.headers.get(name) : undefined;
      } catch {
        return undefined;
      }
    };
    return { statusCode, code: code || `HTTP${statusCode}`, message, requestId, retryAfter: header("retry-after"), throttleScope: header("x-ms-throttle-scope") };
  };

  const fail = (spec: Pick<GraphRequestSpec, "app" | "call" | "method" | "path" | "sensitive">, d: ReturnType<typeof describe>, attempts: number, note: string): GraphCallError => {
    const scrub = (s: string) => redact(s, [...seenTokens, ...(spec.sensitive ?? [])]);
    const who = spec.app ? `app "${spec.app}"` : "Graph";
    const status = d.statusCode ? `HTTP ${d.statusCode}` : "no response";
    const text = scrub(
      `${who}: Graph call "${spec.call}" (${spec.method} ${spec.path}) failed: ${status}, code ${d.code}: ${d.message}` +
        (note ? ` (${note})` : "") +
        (d.requestId ? ` [request-id ${d.requestId}]` : ""),
    );
    const err = new Error(text) as GraphCallError;
    const fields: GraphCallErrorFields = {
      name: "GraphCallError",
      call: spec.call,
      method: spec.method,
      path: spec.path,
      statusCode: d.statusCode,
      graphCode: scrub(d.code),
      attempts,
      ...(spec.app !== undefined ? { app: spec.app } : {}),
      ...(d.requestId !== undefined ? { requestId: d.requestId } : {}),
    };
    Object.assign(err, fields);
    // Keep the stack short and free of request bodies.
    err.stack = `GraphCallError: ${text}`;
    return err;
  };

  const request = async <T>(spec: GraphRequestSpec<T>): Promise<T> => {
    const idempotent = spec.idempotent ?? spec.method !== "POST";
    const started = Date.now();
    const lagDeadline = spec.replicationLagMs && spec.replicationLagMs > 0 ? started + spec.replicationLagMs : 0;
    let attempts = 0;
    let transientAttempts = 0;
    let lagAttempts = 0;
    let throttledBefore = false;
    for (;;) {
      attempts++;
      stats.requests++;
      stats.byCall[spec.call] = (stats.byCall[spec.call] ?? 0) + 1;
      if (spec.method === "GET") stats.gets++;
      else stats.writes++;
      let token: string;
      try {
        token = await getToken();
      } catch (e) {
        // Credential problems are configuration errors, not transient: no retry.
        const who = spec.app ? `app "${spec.app}"` : "Graph";
        throw new Error(redact(`${who}: Graph call "${spec.call}" could not authenticate: ${(e as Error)?.message ?? String(e)}`, spec.sensitive ?? []));
      }
      if (!seenTokens.includes(token)) seenTokens.push(token);
      const pacer = pacerOf(token);
      const ticket: PacerTicket = await pacer.acquire(spec.method !== "GET", throttledBefore);
      const clientRequestId = crypto.randomUUID();
      try {
        const result = (await send(spec, token, clientRequestId)) as T;
        const usage = limitUsage.get(clientRequestId);
        limitUsage.delete(clientRequestId);
        pacer.done(ticket, usage === undefined || Number.isNaN(usage) ? { throttled: false } : { throttled: false, usage });
        return result;
      } catch (e) {
        limitUsage.delete(clientRequestId);
        const d = describe(e);
        const s = d.statusCode;
        // A write not safe to repeat whose outcome is unknown: look before writing again (`recover`), so a write is
        // never applied twice; retried when not found, whatever its Retry-After.
        const outcomeUnknown = !idempotent && spec.recover !== undefined && (s === 0 || s === 500 || s === 502 || s === 503 || s === 504);
        const transient = outcomeUnknown || s === 429 || s === 503 || (idempotent && (s === 504 || s === 0));
        if (transient) transientAttempts++;
        const retryAfterMs = parseRetryAfter(d.retryAfter);
        const tooLong = !outcomeUnknown && retryAfterMs !== undefined && retryAfterMs > retry.maxRetryAfterSeconds * 1000;
        const waitMs = tooLong ? 0 : (retryAfterMs ?? backoffDelay(transientAttempts, retry, random));
        // x-ms-throttle-scope is <Scope>/<Limit>/<AppId>/<Tenant…>; Limit "Write" leaves reads going (throttling-limits.md).
        // Released before `recover`, whose reads go through the same pacer.
        pacer.done(ticket, s === 429 ? { throttled: true, retryAfterMs: waitMs, writesOnly: d.throttleScope?.split("/")[1] === "Write" } : { throttled: false });
        if (outcomeUnknown) {
          const found = await spec.recover!();
          if (found !== undefined) {
            stats.recovered++;
            return found;
          }
        }
        if (transient) {
          if (transientAttempts >= retry.maxAttempts) throw fail(spec, d, attempts, `gave up after ${attempts} attempts${outcomeUnknown ? "; the write was not applied" : ""}`);
          if (tooLong) throw fail(spec, d, attempts, `Retry-After ${Math.round(retryAfterMs! / 1000)} s exceeds the ${retry.maxRetryAfterSeconds} s limit`);
          stats.retries++;
          // A 429 waits at the caller's gate (acquire); every other transient status here.
          if (s === 429) throttledBefore = true;
          else await sleep(waitMs);
          continue;
        }
        if ((s === 404 || s === 403 || s === 409) && lagDeadline) {
          const now = Date.now();
          if (now < lagDeadline) {
            lagAttempts++;
            stats.retries++;
            await sleep(Math.min(backoffDelay(lagAttempts, { ...retry, maxDelayMs: Math.min(retry.maxDelayMs, 5000) }, random), lagDeadline - now));
            continue;
          }
          throw fail(spec, d, attempts, `still failing after the ${Math.round(spec.replicationLagMs! / 1000)} s replication-lag window`);
        }
        const unknownOutcome = !idempotent && (s === 0 || s >= 500) ? "the outcome is unknown: the next up reads Graph before writing again" : "";
        throw fail(spec, d, attempts, [attempts > 1 ? `after ${attempts} attempts` : "", unknownOutcome].filter(Boolean).join("; "));
      }
    }
  };

  return { endpoints, retry, stats, request };
}
