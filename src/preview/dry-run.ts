/**
 * `simulate --dry-run`: a fetch that sends nothing. It records each request simulate would send and answers
 * as a SCIM target holding none of the sample users would (an empty ListResponse for a query, 201 with a
 * placeholder id for a POST, 204 for a PATCH or DELETE), so the recorded requests are the ones a real run
 * against an empty target sends, in order. The Authorization header is never recorded.
 */
import { LIST_RESPONSE_SCHEMA } from "./scim";

export interface DryRunRequest {
  method: string;
  url: string;
  body?: unknown;
}

export function dryRunFetch(record: (request: DryRunRequest) => void): typeof fetch {
  let created = 0;
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const method = (init?.method ?? "GET").toUpperCase();
    const body = typeof init?.body === "string" ? (JSON.parse(init.body) as unknown) : undefined;
    record({ method, url: String(input), ...(body === undefined ? {} : { body }) });
    const json = (status: number, value: unknown) => new Response(JSON.stringify(value), { status, headers: { "content-type": "application/scim+json" } });
    if (method === "GET") return json(200, { schemas: [LIST_RESPONSE_SCHEMA], totalResults: 0, Resources: [] });
    if (method === "POST") return json(201, { ...(body as object), id: `dry-run-${++created}` });
    return new Response(null, { status: 204 });
  }) as typeof fetch;
}
