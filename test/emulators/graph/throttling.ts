/**
 * Graph's identity-and-access throttling for the emulator: token buckets per app+tenant, per app and per
 * tenant, request costs, and the documented headers. Every fact here is from Microsoft's published
 * "Identity and access service limits" (microsoftgraph/microsoft-graph-docs-contrib
 * concepts/throttling-limits.md, commit 01351749, with includes/throttling-identity-and-access.md, commit
 * 2d174820) and "Microsoft Graph throttling guidance" (concepts/throttling.md, commit 005016a5); see
 * graph-sync.md §10. What those pages leave open, and what we chose, is in docs/emulator.md "Throttling".
 */

import { GraphHttpError } from "./validate";

export type TenantSize = "S" | "M" | "L";

/** `limit` units per `windowMs`. */
export interface BucketLimit {
  limit: number;
  windowMs: number;
}

export interface IdentityLimits {
  /** application+tenant pair, resource units (all requests). */
  appTenantResourceUnits: BucketLimit;
  /** application+tenant pair, writes. */
  appTenantWrites: BucketLimit;
  /** application (all tenants), resource units. */
  appResourceUnits: BucketLimit;
  /** application (all tenants), writes. */
  appWrites: BucketLimit;
  /** tenant (all applications), writes. */
  tenantWrites: BucketLimit;
}

/**
 * The limits table of throttling-limits.md: "application+tenant pair | S: 3,500 / M: 5,000 / L: 8,000
 * requests per 10 seconds | 3,000 requests per 2 minutes and 30 seconds; application | 150,000 requests
 * per 20 seconds | 70,000 requests per 5 minutes; tenant | Not Applicable | 18,000 requests per 5 minutes".
 */
export function documentedIdentityLimits(size: TenantSize): IdentityLimits {
  const ru = { S: 3_500, M: 5_000, L: 8_000 }[size];
  return {
    appTenantResourceUnits: { limit: ru, windowMs: 10_000 },
    appTenantWrites: { limit: 3_000, windowMs: 150_000 },
    appResourceUnits: { limit: 150_000, windowMs: 20_000 },
    appWrites: { limit: 70_000, windowMs: 300_000 },
    tenantWrites: { limit: 18_000, windowMs: 300_000 },
  };
}

/** "S - under 50 users, M - between 50 and 500 users, and L - above 500 users" (throttling-limits.md note). */
export function tenantSizeOf(userCount: number): TenantSize {
  return userCount < 50 ? "S" : userCount <= 500 ? "M" : "L";
}

/**
 * The documented limits made smaller for a benchmark: every limit divided by `limitDivisor`, every window
 * by `windowDivisor` (so the refill rate is divided by limitDivisor / windowDivisor). The shape (which
 * buckets, what they count, their ratios) stays the documented one.
 */
export function scaleLimits(limits: IdentityLimits, limitDivisor: number, windowDivisor = 1): IdentityLimits {
  const s = (b: BucketLimit): BucketLimit => ({ limit: Math.max(1, Math.round(b.limit / limitDivisor)), windowMs: Math.max(1, Math.round(b.windowMs / windowDivisor)) });
  return {
    appTenantResourceUnits: s(limits.appTenantResourceUnits),
    appTenantWrites: s(limits.appTenantWrites),
    appResourceUnits: s(limits.appResourceUnits),
    appWrites: s(limits.appWrites),
    tenantWrites: s(limits.tenantWrites),
  };
}

export interface RequestCost {
  resourceUnits: number;
  writes: number;
}

/**
 * Base costs from the "base request costs" table of throttling-limits.md (paths relative to the version;
 * `me/…` also applies to `users/{id}/…`). "Any requests not listed have a base cost of 1"; "GET | Any
 * identity path not listed | 1 | 0"; "POST/PATCH/PUT/DELETE | Any identity path not listed | 1 | 1".
 */
const BASE_COSTS: { method: string; path: RegExp; resourceUnits: number; writes: number }[] = [
  { method: "GET", path: /^\/applications$/, resourceUnits: 2, writes: 0 },
  { method: "GET", path: /^\/applications\/[^/]+\/extensionProperties$/, resourceUnits: 2, writes: 0 },
  { method: "GET", path: /^\/contracts$/, resourceUnits: 3, writes: 0 },
  { method: "POST", path: /^\/directoryObjects\/getByIds$/, resourceUnits: 3, writes: 0 },
  { method: "GET", path: /^\/domains\/[^/]+\/domainNameReferences$/, resourceUnits: 4, writes: 0 },
  { method: "POST", path: /^\/getObjectsById$/, resourceUnits: 3, writes: 0 },
  { method: "GET", path: /^\/groups\/[^/]+\/members$/, resourceUnits: 3, writes: 0 },
  { method: "GET", path: /^\/groups\/[^/]+\/transitiveMembers$/, resourceUnits: 5, writes: 0 },
  { method: "POST", path: /^\/isMemberOf$/, resourceUnits: 4, writes: 0 },
  { method: "POST", path: /^\/(me|users\/[^/]+)\/checkMemberGroups$/, resourceUnits: 4, writes: 0 },
  { method: "POST", path: /^\/(me|users\/[^/]+)\/checkMemberObjects$/, resourceUnits: 4, writes: 0 },
  { method: "POST", path: /^\/(me|users\/[^/]+)\/getMemberGroups$/, resourceUnits: 2, writes: 0 },
  { method: "POST", path: /^\/(me|users\/[^/]+)\/getMemberObjects$/, resourceUnits: 2, writes: 0 },
  { method: "GET", path: /^\/(me|users\/[^/]+)\/licenseDetails$/, resourceUnits: 2, writes: 0 },
  { method: "GET", path: /^\/(me|users\/[^/]+)\/memberOf$/, resourceUnits: 2, writes: 0 },
  { method: "GET", path: /^\/(me|users\/[^/]+)\/ownedObjects$/, resourceUnits: 2, writes: 0 },
  { method: "GET", path: /^\/(me|users\/[^/]+)\/transitiveMemberOf$/, resourceUnits: 2, writes: 0 },
  { method: "GET", path: /^\/oauth2PermissionGrants(\/[^/]+)?$/, resourceUnits: 2, writes: 0 },
  { method: "GET", path: /^\/servicePrincipals\/[^/]+\/appRoleAssignments$/, resourceUnits: 2, writes: 0 },
  { method: "GET", path: /^\/subscribedSkus$/, resourceUnits: 3, writes: 0 },
  { method: "GET", path: /^\/users$/, resourceUnits: 2, writes: 0 },
];

/**
 * The cost of one request: base cost, then "Using $select decreases cost by 1; Using $expand increases
 * cost by 1; Using $top with a value of less than 20 decreases cost by 1 … A request cost can never be
 * lower than 1" (throttling-limits.md). Writes cost one write each.
 */
export function requestCost(method: string, path: string, query: URLSearchParams = new URLSearchParams()): RequestCost {
  const m = method.toUpperCase();
  const listed = BASE_COSTS.find((c) => c.method === m && c.path.test(path));
  let resourceUnits = listed ? listed.resourceUnits : 1;
  const writes = listed ? listed.writes : m === "GET" ? 0 : 1;
  if (query.has("$select")) resourceUnits -= 1;
  if (query.has("$expand")) resourceUnits += 1;
  const top = query.get("$top");
  if (top !== null && /^\d+$/.test(top) && Number(top) < 20) resourceUnits -= 1;
  return { resourceUnits: Math.max(1, resourceUnits), writes };
}

/** `x-ms-throttle-scope` parts: "<Scope>/<Limit>/<ApplicationId>/<TenantId|UserId|ResourceId>". */
type ScopeName = "Tenant_Application" | "Application" | "Tenant";
type LimitName = "Read" | "Write" | "ReadWrite";

interface Bucket {
  key: string;
  scope: ScopeName;
  /** Resource-unit buckets count every request ("ReadWrite"); write buckets count writes. */
  limitName: LimitName;
  unit: "resourceUnits" | "writes";
  capacity: number;
  perMs: number;
  tokens: number;
  at: number;
}

export interface Admission {
  allowed: boolean;
  /** Headers for the response: the regular ones when allowed, the throttled ones (with Retry-After) when not. */
  headers: Record<string, string>;
  cost: RequestCost;
  /** Seconds in Retry-After when throttled. */
  retryAfterSeconds?: number;
}

export interface ThrottleStats {
  admitted: number;
  throttled: number;
  /** Throttled responses per `<Scope>/<Limit>`. */
  throttledByScope: Record<string, number>;
}

export interface Throttler {
  /** Off: every request is admitted and nothing is charged (setup phases of a benchmark). */
  enabled: boolean;
  readonly limits: IdentityLimits;
  admit(appId: string, method: string, path: string, query?: URLSearchParams): Admission;
  /** Fills every bucket and zeroes the statistics; with `limits`, the buckets use those from now on. */
  reset(limits?: IdentityLimits): void;
  stats(): ThrottleStats;
}

/**
 * The usage fraction in x-ms-throttle-limit-percentage: "Returned only when the application consumed
 * more than 0.8 of its limit. The value ranges from 0.8 to 1.8". Usage above 1 means the bucket is in
 * debt: "all requests accrue against your usage limits" (throttling.md), throttled ones included, so a
 * throttled request is charged too, down to the 1.8 the header can report.
 */
const REPORT_FROM = 0.8;
const MAX_USAGE = 1.8;

export function createThrottler(options: { limits: IdentityLimits; tenantId: string; enabled?: boolean; now?: () => number }): Throttler {
  const { tenantId } = options;
  let limits = options.limits;
  const now = options.now ?? Date.now;
  const buckets = new Map<string, Bucket>();
  let stats: ThrottleStats = { admitted: 0, throttled: 0, throttledByScope: {} };

  function bucket(key: string, scope: ScopeName, limitName: LimitName, unit: Bucket["unit"], l: BucketLimit, t: number): Bucket {
    let b = buckets.get(key);
    if (!b) {
      b = { key, scope, limitName, unit, capacity: l.limit, perMs: l.limit / l.windowMs, tokens: l.limit, at: t };
      buckets.set(key, b);
    }
    // Refill continuously at limit / window (the pages name a token bucket but not its refill steps).
    b.tokens = Math.min(b.capacity, b.tokens + (t - b.at) * b.perMs);
    b.at = t;
    return b;
  }

  const throttler: Throttler = {
    enabled: options.enabled ?? true,
    get limits() {
      return limits;
    },
    admit(appId, method, path, query) {
      const cost = requestCost(method, path, query);
      if (!throttler.enabled) return { allowed: true, headers: {}, cost };
      const t = now();
      const touched: Bucket[] = [
        bucket(`ta-ru:${appId}`, "Tenant_Application", "ReadWrite", "resourceUnits", limits.appTenantResourceUnits, t),
        bucket(`a-ru:${appId}`, "Application", "ReadWrite", "resourceUnits", limits.appResourceUnits, t),
      ];
      if (cost.writes > 0) {
        touched.push(
          bucket(`ta-w:${appId}`, "Tenant_Application", "Write", "writes", limits.appTenantWrites, t),
          bucket(`a-w:${appId}`, "Application", "Write", "writes", limits.appWrites, t),
          bucket(`t-w`, "Tenant", "Write", "writes", limits.tenantWrites, t),
        );
      }
      const short = touched.filter((b) => b.tokens < cost[b.unit]);
      // Charged whether admitted or not (see REPORT_FROM).
      for (const b of touched) b.tokens = Math.max(-(MAX_USAGE - 1) * b.capacity, b.tokens - cost[b.unit]);
      if (short.length === 0) {
        stats.admitted++;
        const headers: Record<string, string> = { "x-ms-resource-unit": String(cost.resourceUnits) };
        const usage = Math.max(...touched.map((b) => (b.capacity - b.tokens) / b.capacity));
        if (usage > REPORT_FROM) headers["x-ms-throttle-limit-percentage"] = String(Math.round(Math.min(MAX_USAGE, usage) * 1000) / 1000);
        return { allowed: true, headers, cost };
      }
      // Retry-After: whole seconds until every short bucket again holds this request's cost.
      const waitMs = (b: Bucket) => (cost[b.unit] - b.tokens) / b.perMs;
      const worst = short.reduce((a, b) => (waitMs(b) > waitMs(a) ? b : a));
      const retryAfterSeconds = Math.max(1, Math.ceil(waitMs(worst) / 1000));
      const scopeName = `${worst.scope}/${worst.limitName}`;
      stats.throttled++;
      stats.throttledByScope[scopeName] = (stats.throttledByScope[scopeName] ?? 0) + 1;
      return {
        allowed: false,
        cost,
        retryAfterSeconds,
        headers: {
          "Retry-After": String(retryAfterSeconds),
          "x-ms-throttle-scope": `${scopeName}/${appId}/${tenantId}`,
          "x-ms-throttle-information": worst.unit === "writes" ? "WriteLimitExceeded" : "ResourceUnitLimitExceeded",
        },
      };
    },
    reset(newLimits) {
      if (newLimits) limits = newLimits;
      buckets.clear();
      stats = { admitted: 0, throttled: 0, throttledByScope: {} };
    },
    stats() {
      return { ...stats, throttledByScope: { ...stats.throttledByScope } };
    },
  };
  return throttler;
}

export interface EmulatorThrottlingOptions {
  /** More accepted bearer tokens, each standing for one calling application: token → its appId. */
  callers?: Record<string, string>;
  /** Default: the documented limits for `tenantSize`. */
  limits?: IdentityLimits;
  /** Default S, the smallest limits. */
  tenantSize?: TenantSize;
  /** Default true; the emulator's `throttling.enabled` switches it at run time. */
  enabled?: boolean;
}

/**
 * The emulator's side: who is calling (from the bearer token) and whether Graph would serve the request
 * now. Every path the emulator serves is counted as identity and access (see docs/emulator.md
 * "Throttling" for why /synchronization is included).
 */
export function emulatorThrottling(options: EmulatorThrottlingOptions | undefined, mainToken: string, tenantId: string, mainAppId: string) {
  const callers = new Map<string, string>([[`Bearer ${mainToken}`, mainAppId]]);
  for (const [token, appId] of Object.entries(options?.callers ?? {})) callers.set(`Bearer ${token}`, appId);
  const throttler = options
    ? createThrottler({ limits: options.limits ?? documentedIdentityLimits(options.tenantSize ?? "S"), tenantId, enabled: options.enabled ?? true })
    : undefined;
  return {
    throttler,
    /** The calling application's appId, or undefined for a token the emulator does not accept. */
    appIdOf: (authorization: string): string | undefined => callers.get(authorization),
    /** Throws Graph's 429 when a bucket is short; otherwise returns the headers for the response. */
    admit(appId: string, method: string, path: string, query: URLSearchParams): Record<string, string> {
      if (!throttler) return {};
      const a = throttler.admit(appId, method, path, query);
      if (!a.allowed) throw new GraphHttpError(429, "TooManyRequests", "Too many requests. Retry after the number of seconds in Retry-After.", undefined, a.headers);
      return a.headers;
    },
  };
}
