/**
 * Small helpers shared by the Graph client and the dynamic providers.
 *
 * SERIALIZATION RULE for every module reachable from a dynamic provider (this one, graph.ts,
 * sync-api.ts, schema-merge.ts, settings-model.ts and the provider objects): no third-party or Node
 * built-in module is imported at module level for runtime use (only `import type`), and nothing
 * non-serializable (clients, zod schemas, class instances holding sockets) lives at module scope.
 * Runtime modules are `require()`d inside function bodies. Pulumi serializes these functions by value
 * into the `__provider` property; `require` inside them is resolved in the provider process
 * (pulumi-offline.md §2.2). Errors are plain `Error` objects with extra fields, never subclasses:
 * the serializer turns `class X extends Error` into a function whose instances lose `message` and are
 * not `instanceof Error` (checked on @pulumi/pulumi 3.259).
 */

/** Pulumi's placeholder for unknown values during preview (`runtime/rpc.ts` `unknownValue`). */
export const UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** True when `value` or anything inside it is Pulumi's unknown placeholder. */
export function containsUnknown(value: unknown): boolean {
  if (value === UNKNOWN_VALUE) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (value !== null && typeof value === "object") return Object.values(value).some(containsUnknown);
  return false;
}

/** A random 16-byte salt, base64url. */
export function newSalt(): string {
  const crypto: typeof import("node:crypto") = require("node:crypto");
  return crypto.randomBytes(16).toString("base64url");
}

/**
 * Salted hash of a secret so state can notice a changed secret without holding it:
 * `hmac-sha256:<base64url(HMAC-SHA256(key = salt, message = secret))>`.
 */
export function hashSecret(secret: string, salt: string): string {
  const crypto: typeof import("node:crypto") = require("node:crypto");
  return "hmac-sha256:" + crypto.createHmac("sha256", salt).update(secret, "utf8").digest("base64url");
}

/** Constant-time check of `secret` against a stored salted hash. */
export function secretMatchesHash(secret: string, salt: string | undefined, hash: string | undefined): boolean {
  if (!salt || !hash) return false;
  const crypto: typeof import("node:crypto") = require("node:crypto");
  const a = Buffer.from(hashSecret(secret, salt));
  const b = Buffer.from(hash);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

/**
 * Removes secrets from text meant for humans: every exact secret given, bearer credentials,
 * JWT-shaped strings and `SecretToken`-style JSON values.
 */
export function redact(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text;
  const known = secrets.filter((s): s is string => typeof s === "string" && s.length >= 4);
  // Longest first so a secret containing another is removed whole.
  known.sort((x, y) => y.length - x.length);
  for (const s of known) out = out.split(s).join("[REDACTED]");
  out = out.replace(/(bearer\s+)[A-Za-z0-9._~+/=-]+/gi, "$1[REDACTED]");
  out = out.replace(/eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, "[REDACTED-JWT]");
  out = out.replace(
    /("(?:SecretToken|Password|ClientSecret|Oauth2ClientSecret|Oauth2AccessToken|Oauth2RefreshToken|access_token|refresh_token)"\s*[:,]\s*(?:"value"\s*:\s*)?")([^"]*)"/gi,
    '$1[REDACTED]"',
  );
  return out;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/** Deterministic JSON: object keys sorted, `undefined` members dropped. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = sortKeys(v);
    }
    return out;
  }
  return value;
}

/** Structured clone for plain JSON data. */
export function cloneJson<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/** Runs `fn` over `items` with at most `limit` in flight; results keep input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      results[i] = await fn(items[i] as T, i);
    }
  });
  await Promise.all(workers);
  return results;
}
