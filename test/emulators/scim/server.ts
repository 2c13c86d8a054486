/**
 * A SCIM 2.0 target for tests: scimmy (resources, schemas, filters, PatchOp) mounted with scimmy-routers
 * on express, an in-memory store, a bearer token, and optionally one target app's rules (what JumpCloud,
 * iPass or IronWifi reject) and Entra's legacy dialect quirks.
 *
 *   const server = await startScimServer({ token, rules: jumpcloud.target, dialect: "scim" });
 *   server.url        // http://127.0.0.1:PORT/scim/v2
 *   server.users()    // stored users (SCIM JSON, as GET returns them)
 *   server.requests   // every request: method, path, status, body, whether it was authorized
 *   await server.close();
 *
 * dialect "legacy" accepts what Entra sends without `aadOptscim062020` (capitalised ops, "True"/"False"
 * strings for booleans); "scim" is strict RFC 7644: ops must be "add"/"remove"/"replace" and booleans JSON
 * booleans (scimmy itself rejects the strings with 400 invalidValue).
 *
 * scimmy keeps declared resources in process-wide state, so the handlers are declared once and dispatch to
 * the server instance that scimmy-routers passes as context: several servers may run in one test file.
 */
import { randomUUID, timingSafeEqual } from "node:crypto";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import express from "express";
import SCIMMY from "scimmy";
import SCIMMYRouters from "scimmy-routers";
import type { TargetRulesSpec } from "../../../src/spec/schema";

export type ScimDialectMode = "legacy" | "scim";

export interface ScimServerOptions {
  /** The bearer token requests must carry. */
  token: string;
  /** The target app's rules (the `target:` block of its file); none: a plain SCIM server. */
  rules?: TargetRulesSpec;
  /** Name used in error messages. */
  appName?: string;
  /** Registered user-name domains (iPass). */
  allowedDomains?: readonly string[];
  /** Default "legacy" (accepts both dialects); "scim" rejects Entra's legacy quirks. */
  dialect?: ScimDialectMode;
  /** Mount path of the SCIM endpoint (default /scim/v2). */
  basePath?: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  status: number;
  authorized: boolean;
  body?: unknown;
  response?: unknown;
}

type Json = Record<string, unknown>;

export interface ScimServer {
  url: string;
  close(): Promise<void>;
  users(): Json[];
  groups(): Json[];
  /** What a user receives from its groups in the target (`rules.groups.policies`, matched by exact name). */
  policiesOf(userId: string): Json[];
  requests: RecordedRequest[];
  reset(): void;
}

class Instance {
  readonly users = new Map<string, Json>();
  readonly groups = new Map<string, Json>();
  readonly requests: RecordedRequest[] = [];
  constructor(readonly options: ScimServerOptions) {}

  fail(status: number, scimType: string | null, message: string): never {
    throw new SCIMMY.Types.Error(status, scimType as never, message);
  }

  /** Paths of the value-bearing attributes a resource holds, in the target-attribute spelling Entra uses. */
  attributePaths(user: Json): string[] {
    const out: string[] = [];
    const walk = (obj: Json, prefix: string) => {
      for (const [key, value] of Object.entries(obj)) {
        if (["schemas", "meta", "id"].includes(key) && !prefix) continue;
        if (value === null || value === undefined) continue;
        if (key.startsWith("urn:") && typeof value === "object" && !Array.isArray(value)) {
          for (const [sub, v] of Object.entries(value as Json)) {
            if (v === null || v === undefined) continue;
            if (v && typeof v === "object" && !Array.isArray(v)) for (const s of Object.keys(v as Json)) out.push(`${key}:${sub}.${s}`);
            else out.push(`${key}:${sub}`);
          }
          continue;
        }
        if (Array.isArray(value)) {
          for (const entry of value) {
            if (entry && typeof entry === "object") {
              const e = entry as Json;
              for (const [sub, v] of Object.entries(e)) {
                if (sub === "type" || sub === "primary" || v === null || v === undefined) continue;
                out.push(typeof e.type === "string" ? `${prefix}${key}[type eq "${e.type}"].${sub}` : `${prefix}${key}.${sub}`);
              }
            } else out.push(`${prefix}${key}`);
          }
        } else if (typeof value === "object") {
          for (const [sub, v] of Object.entries(value as Json)) if (v !== null && v !== undefined) out.push(`${prefix}${key}.${sub}`);
        } else out.push(`${prefix}${key}`);
      }
    };
    walk(user, "");
    return out;
  }

  /** The value at a target-attribute path (`name.givenName`, `emails[type eq "work"].value`, `urn:…:department`). */
  valueAt(user: Json, path: string): unknown {
    let obj: Json = user;
    let rest = path;
    if (path.startsWith("urn:")) {
      const i = path.lastIndexOf(":");
      obj = (user[path.slice(0, i)] ?? {}) as Json;
      rest = path.slice(i + 1);
    }
    const m = /^(\w+)\[type eq "([^"]*)"\]\.(\w+)$/.exec(rest);
    if (m) {
      const list = obj[m[1]!];
      const entry = Array.isArray(list) ? (list as Json[]).find((e) => e.type === m[2]) : undefined;
      return entry?.[m[3]!];
    }
    const [head, sub] = rest.split(".", 2) as [string, string | undefined];
    const v = obj[head];
    return sub === undefined ? v : v && typeof v === "object" ? (v as Json)[sub] : undefined;
  }

  /**
   * Groups: "Groups must have uniqueness on the 'displayName' value" (use-scim-to-provision-users-and-groups.md)
   * — case-insensitively unless the target matches group names case-sensitively (IronWifi) — and members
   * must be users of this target.
   */
  enforceGroup(group: Json): void {
    const name = typeof group.displayName === "string" ? group.displayName : "";
    if (!name) this.fail(400, "invalidValue", "displayName is required");
    const caseSensitive = this.options.rules?.groups.caseSensitive ?? false;
    for (const existing of this.groups.values()) {
      const other = String(existing.displayName);
      if (existing.id !== group.id && (caseSensitive ? other === name : other.toLowerCase() === name.toLowerCase())) {
        this.fail(409, "uniqueness", `a group named ${name} already exists`);
      }
    }
    for (const m of (group.members as Json[] | undefined) ?? []) {
      if (typeof m.value !== "string" || !this.users.has(m.value)) this.fail(400, "invalidValue", `member ${String(m.value)} is not a user of this target`);
    }
  }

  /** What the target app refuses, checked on the resource scimmy parsed. */
  enforce(user: Json, creating: boolean): void {
    const rules = this.options.rules;
    const app = this.options.appName ?? "the target";
    const userName = typeof user.userName === "string" ? user.userName : "";
    for (const existing of this.users.values()) {
      if (existing.id !== user.id && String(existing.userName).toLowerCase() === userName.toLowerCase()) {
        this.fail(409, "uniqueness", `userName ${userName} is already in use`);
      }
    }
    if (!rules) return;
    for (const required of rules.requiredAttributes) {
      const v = this.valueAt(user, required);
      if (v === undefined || v === null || v === "") this.fail(400, "invalidValue", `${app}: ${required} is required`);
    }
    const un = rules.userName;
    if (un) {
      if (un.forbidEmail && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(userName)) this.fail(400, "invalidValue", `${app}: userName may not be an email address`);
      if (un.pattern && !new RegExp(un.pattern).test(userName)) this.fail(400, "invalidValue", `${app}: userName contains characters that are not allowed`);
      if (un.maxLength !== undefined && [...userName].length > un.maxLength) this.fail(400, "invalidValue", `${app}: userName is longer than ${un.maxLength}`);
      if (this.options.allowedDomains) {
        const domain = userName.includes("@") ? userName.slice(userName.lastIndexOf("@") + 1).toLowerCase() : "";
        if (!this.options.allowedDomains.map((d) => d.toLowerCase()).includes(domain)) {
          this.fail(400, "invalidValue", `${app}: the domain of userName ${userName} is not registered`);
        }
      }
    }
    for (const [path, max] of Object.entries(rules.maxLength)) {
      const v = this.valueAt(user, path);
      if (typeof v === "string" && [...v].length > max) this.fail(400, "invalidValue", `${app}: ${path} is longer than ${max}`);
    }
    const present = this.attributePaths(user).map((p) => p.toLowerCase());
    for (const u of rules.unsupportedAttributes) {
      const t = u.target.toLowerCase();
      if (present.some((p) => p === t || p.startsWith(`${t}.`))) this.fail(400, "invalidValue", `${app}: attribute ${u.target} is not supported`);
    }
    if (rules.supportedAttributes) {
      const allowed = new Set(rules.supportedAttributes.map((s) => s.toLowerCase()));
      for (const p of present) {
        if (!allowed.has(p)) this.fail(400, "invalidValue", `${app}: attribute ${p} is not supported`);
      }
    }
    if (creating && rules.createsInactiveUsers === false && user.active === false) {
      this.fail(400, "invalidValue", `${app}: inactive users are not created`);
    }
  }
}

const plain = (value: unknown): Json => JSON.parse(JSON.stringify(value)) as Json;

let declared = false;
function declareResources(): void {
  if (declared) return;
  declared = true;
  const now = () => new Date().toISOString();
  SCIMMY.Resources.declare(SCIMMY.Resources.User.extend(SCIMMY.Schemas.EnterpriseUser as never, false))
    .ingress((resource, data, ctx) => {
      const server = ctx as unknown as Instance;
      const incoming = plain(data);
      const id = resource.id;
      if (id !== undefined && !server.users.has(id)) server.fail(404, null, `Resource ${id} not found`);
      const stored: Json = { ...incoming, id: id ?? randomUUID() };
      const previous = id !== undefined ? server.users.get(id) : undefined;
      stored.meta = { resourceType: "User", created: (previous?.meta as Json | undefined)?.created ?? now(), lastModified: now() };
      server.enforce(stored, id === undefined);
      server.users.set(stored.id as string, stored);
      return stored as never;
    })
    .egress((resource, ctx) => {
      const server = ctx as unknown as Instance;
      if (resource.id !== undefined) {
        const user = server.users.get(resource.id);
        if (!user) server.fail(404, null, `Resource ${resource.id} not found`);
        return user as never;
      }
      const all = [...server.users.values()];
      return (resource.filter ? resource.filter.match(all) : all) as never;
    })
    .degress((resource, ctx) => {
      const server = ctx as unknown as Instance;
      const id = resource.id!;
      const user = server.users.get(id);
      if (!user) return server.fail(404, null, `Resource ${id} not found`);
      // IronWifi: "When a user is deleted via SCIM (HTTP DELETE), IronWifi performs a soft delete".
      if (server.options.rules?.deleteIsSoftDelete) user.active = false;
      else server.users.delete(id);
    });
  SCIMMY.Resources.declare(SCIMMY.Resources.Group)
    .ingress((resource, data, ctx) => {
      const server = ctx as unknown as Instance;
      if (resource.id !== undefined && !server.groups.has(resource.id)) server.fail(404, null, `Resource ${resource.id} not found`);
      const stored: Json = { ...plain(data), id: resource.id ?? randomUUID(), meta: { resourceType: "Group", created: now(), lastModified: now() } };
      server.enforceGroup(stored);
      server.groups.set(stored.id as string, stored);
      return stored as never;
    })
    .egress((resource, ctx) => {
      const server = ctx as unknown as Instance;
      if (resource.id !== undefined) {
        const group = server.groups.get(resource.id);
        if (!group) server.fail(404, null, `Resource ${resource.id} not found`);
        return group as never;
      }
      const all = [...server.groups.values()];
      return (resource.filter ? resource.filter.match(all) : all) as never;
    })
    .degress((resource, ctx) => {
      const server = ctx as unknown as Instance;
      if (!server.groups.delete(resource.id!)) server.fail(404, null, `Resource ${resource.id} not found`);
    });
}

/** Entra's legacy dialect: "True"/"False" strings for booleans (capitalised ops scimmy already accepts). */
function legacyToScim(body: unknown): unknown {
  const fixBooleans = (obj: Json) => {
    for (const key of Object.keys(obj)) {
      const v = obj[key];
      if (key.toLowerCase() === "active" && typeof v === "string" && /^(true|false)$/i.test(v)) obj[key] = v.toLowerCase() === "true";
    }
  };
  if (!body || typeof body !== "object") return body;
  const b = body as Json;
  if (Array.isArray(b.Operations)) {
    for (const op of b.Operations as Json[]) {
      if (!op || typeof op !== "object") continue;
      if (typeof op.path === "string" && op.path.toLowerCase() === "active" && typeof op.value === "string" && /^(true|false)$/i.test(op.value)) {
        op.value = op.value.toLowerCase() === "true";
      } else if (op.value && typeof op.value === "object" && !Array.isArray(op.value)) fixBooleans(op.value as Json);
    }
  } else fixBooleans(b);
  return b;
}

function scimError(status: number, scimType: string | null, detail: string): Json {
  return { schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"], status: String(status), ...(scimType ? { scimType } : {}), detail };
}

function tokenMatches(header: string | undefined, token: string): boolean {
  if (!header || !/^Bearer /i.test(header)) return false;
  const given = Buffer.from(header.slice(7).trim());
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

export async function startScimServer(options: ScimServerOptions): Promise<ScimServer> {
  declareResources();
  const instance = new Instance(options);
  const basePath = (options.basePath ?? "/scim/v2").replace(/\/+$/, "");
  const dialect = options.dialect ?? "legacy";
  const app = express();
  app.disable("x-powered-by");
  app.use(express.json({ type: ["application/scim+json", "application/json"], limit: "1mb" }));
  app.use((req, res, next) => {
    const record: RecordedRequest = {
      method: req.method,
      path: req.originalUrl,
      status: 0,
      authorized: tokenMatches(req.header("authorization"), options.token),
      body: req.body && Object.keys(req.body as object).length ? structuredClone(req.body) : undefined,
    };
    instance.requests.push(record);
    const send = res.send.bind(res);
    res.send = (payload?: unknown) => {
      try {
        record.response = typeof payload === "string" ? JSON.parse(payload) : payload;
      } catch {
        record.response = payload;
      }
      return send(payload);
    };
    res.on("finish", () => {
      record.status = res.statusCode;
    });
    next();
  });
  app.use(basePath, (req, res, next) => {
    if (!tokenMatches(req.header("authorization"), options.token)) return next();
    if (req.method === "PATCH" && req.body && Array.isArray((req.body as Json).Operations)) {
      if (dialect === "scim") {
        const bad = ((req.body as Json).Operations as Json[]).find((op) => typeof op?.op === "string" && !["add", "remove", "replace"].includes(op.op));
        if (bad) {
          res.status(400).type("application/scim+json").send(scimError(400, "invalidSyntax", `Invalid operation '${String(bad.op)}': op must be "add", "remove" or "replace"`));
          return;
        }
      }
    }
    if (dialect === "legacy" && (req.method === "PATCH" || req.method === "POST" || req.method === "PUT")) req.body = legacyToScim(req.body);
    next();
  });
  app.use(
    basePath,
    new SCIMMYRouters({
      type: "bearer",
      handler: (req) => {
        if (!tokenMatches(req.header("authorization"), options.token)) throw new Error("Bearer token is missing or invalid");
        return "scimops-test";
      },
      context: () => instance,
    }) as unknown as express.Router,
  );
  app.use((req, res) => {
    res.status(404).type("application/scim+json").send(scimError(404, null, `No SCIM endpoint at ${req.path}`));
  });
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
    s.on("error", reject);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}${basePath}`,
    requests: instance.requests,
    users: () => [...instance.users.values()].map((u) => plain(u)),
    groups: () => [...instance.groups.values()].map((g) => plain(g)),
    policiesOf: (userId) => {
      const policies = options.rules?.groups.policies ?? [];
      const names = [...instance.groups.values()].filter((g) => ((g.members as Json[] | undefined) ?? []).some((m) => m.value === userId)).map((g) => g.displayName);
      return policies.filter((p) => names.includes(p.group)).map((p) => ({ ...p }));
    },
    reset: () => {
      instance.users.clear();
      instance.groups.clear();
      instance.requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections?.();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
