/**
 * HTTP to a SCIM endpoint, as Entra talks to it: bearer token, application/scim+json. Network failures
 * become one-line explanations (DNS, refused, TLS, timeout), and the secret token never appears in any
 * message this module produces.
 */
export interface HttpResult {
  status: number;
  /** Parsed JSON body, or undefined when the body is empty or not JSON. */
  body: unknown;
  text: string;
  contentType: string;
}

export class NetworkError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

const TLS_CODES = new Set([
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_GET_ISSUER_CERT",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "CERT_SIGNATURE_FAILURE",
  "CERT_REVOKED",
  "EPROTO",
  "ERR_SSL_WRONG_VERSION_NUMBER",
]);

/** Replaces every occurrence of the secrets (and their URL-encoded form) with `***`. */
export function maskSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) {
    if (!s || s.length < 4) continue;
    for (const form of new Set([s, encodeURIComponent(s)])) out = out.split(form).join("***");
  }
  return out;
}

function causeCode(err: unknown): { code?: string; message: string } {
  let e = err as { code?: string; message?: string; cause?: unknown; name?: string } | undefined;
  for (let i = 0; i < 5 && e; i++) {
    if (e.code) return { code: e.code, message: e.message ?? "" };
    if (e.name === "TimeoutError" || e.name === "AbortError") return { code: "TIMEOUT", message: e.message ?? "" };
    e = e.cause as typeof e;
  }
  return { message: (err as Error)?.message ?? String(err) };
}

/** One line saying what went wrong reaching `url` and what to check. */
export function describeNetworkError(err: unknown, url: string, timeoutMs?: number): NetworkError {
  let host = url;
  try {
    const u = new URL(url);
    host = u.host;
  } catch {
    /* keep the text */
  }
  const { code, message } = causeCode(err);
  switch (code) {
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "EAI_NONAME":
    case "EAI_FAIL":
      return new NetworkError(`DNS lookup failed for ${host.replace(/:\d+$/, "")} (${code}): the host name does not resolve — check the tenant URL's host (for templated URLs, the parameter such as the region)`, "DNS");
    case "ECONNREFUSED":
      return new NetworkError(`connection refused by ${host}: nothing accepts connections there — check the host and port of the tenant URL, and that the SCIM endpoint is running`, "REFUSED");
    case "ECONNRESET":
      return new NetworkError(`the connection to ${host} was reset before a response arrived`, "RESET");
    case "ETIMEDOUT":
    case "UND_ERR_CONNECT_TIMEOUT":
    case "TIMEOUT":
      return new NetworkError(`no response from ${host}${timeoutMs ? ` within ${Math.round(timeoutMs / 1000)} s` : ""}: a firewall may drop the traffic, or the endpoint is down`, "TIMEOUT");
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return new NetworkError(`${host} is unreachable (${code}) from this machine`, "UNREACHABLE");
    default:
      if (code && (TLS_CODES.has(code) || /^ERR_SSL|^ERR_TLS|CERT/.test(code))) {
        return new NetworkError(`TLS handshake with ${host} failed (${code}): Entra only connects to endpoints with a valid, publicly trusted certificate for the host name`, "TLS");
      }
      return new NetworkError(`request to ${host} failed: ${code ? `${code} ` : ""}${message}`.trim(), code ?? "NETWORK");
  }
}

export interface RequestOptions {
  method: string;
  token?: string;
  body?: unknown;
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
}

/** Sends one SCIM request. Throws NetworkError (token-free message) when no response arrives. */
export async function scimRequest(url: string, options: RequestOptions): Promise<HttpResult> {
  const headers: Record<string, string> = { Accept: "application/scim+json, application/json" };
  if (options.token !== undefined) headers.Authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers["Content-Type"] = "application/scim+json";
  const timeoutMs = options.timeoutMs ?? 15_000;
  let response: Response;
  try {
    response = await (options.fetchImpl ?? fetch)(url, {
      method: options.method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(timeoutMs),
      redirect: "manual",
    });
  } catch (err) {
    const e = describeNetworkError(err, url, timeoutMs);
    throw new NetworkError(maskSecrets(e.message, [options.token]), e.code);
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: response.status, body, text, contentType: response.headers.get("content-type") ?? "" };
}

/** The `detail` (and scimType) of a SCIM error response, or a short excerpt of the body. */
export function errorDetail(result: HttpResult, secrets: readonly (string | undefined)[] = []): string {
  const b = result.body as { detail?: unknown; scimType?: unknown; message?: unknown; error?: unknown } | undefined;
  let detail: string;
  if (b && typeof b === "object" && (b.detail !== undefined || b.message !== undefined || b.error !== undefined)) {
    const main = String(b.detail ?? b.message ?? (typeof b.error === "string" ? b.error : JSON.stringify(b.error)));
    detail = b.scimType ? `${String(b.scimType)}: ${main}` : main;
  } else {
    detail = result.text.replace(/\s+/g, " ").trim().slice(0, 200);
  }
  return maskSecrets(detail, secrets);
}
