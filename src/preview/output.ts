/**
 * Streaming renderers for previews. Each takes lines out through `write` as users arrive and keeps at
 * most one block of rows (tables) — never the whole user list. `StreamSink` takes those lines to a
 * Writable (stdout) in chunks, with backpressure.
 *
 * JSON: one document per app, `{"app": NAME, "users": [...]}`, one user per line; several apps are
 * wrapped in a JSON array. The output is valid JSON either way (`JSON.parse` / `jq` read it whole).
 */
import type { AppPreviewer, UserPreview } from "./engine";
import type { GroupPreview } from "./groups";
import type { Writable } from "node:stream";
import type { Violation } from "./rules";

export type Format = "table" | "json" | "markdown";
export const FORMATS: readonly Format[] = ["table", "json", "markdown"];

export interface AppSummary {
  users: number;
  inScope: number;
  withErrors: number;
  withWarnings: number;
}

export interface PreviewWriter {
  beginApp(app: AppPreviewer): void;
  user(preview: UserPreview): void;
  /**
   * Optional: a writer that takes each user's JSON text (`JSON.stringify(userJson(preview))`) instead of
   * the preview. runPreview then has the previewer write that text directly (`AppPreviewer.previewJson`)
   * without building the UserPreview objects first.
   */
  userLine?(json: string): void;
  endApp(app: AppPreviewer, summary: AppSummary): void;
  /** After the last app. */
  finish(): void;
}

/** The JSON form of one user: the issue's fields first, then the details. */
export function userJson(p: UserPreview): Record<string, unknown> {
  return {
    userPrincipalName: p.userPrincipalName,
    inScope: p.inScope,
    body: p.body,
    violations: p.violations.map((v) => ({ rule: v.rule, message: v.message, severity: v.severity, ...(v.attribute ? { attribute: v.attribute } : {}) })),
    id: p.id,
    isSoftDeleted: p.isSoftDeleted,
    softDeletedBecause: p.softDeletedBecause,
    assignment: p.assignment,
    scoping: p.scoping,
    matchQuery: p.matchQuery,
    update: p.update,
    deprovision: p.deprovision,
    notes: p.notes,
    matchQueries: p.matchQueries,
    retrieve: p.retrieve,
    references: p.references,
    policies: p.policies,
  };
}

/** The JSON form of one group. */
export function groupJson(g: GroupPreview): Record<string, unknown> {
  return {
    displayName: g.displayName,
    id: g.id,
    inScope: g.inScope,
    body: g.body,
    violations: g.violations.map((v) => ({ rule: v.rule, message: v.message, severity: v.severity, ...(v.attribute ? { attribute: v.attribute } : {}) })),
    policy: g.policy,
    members: g.members,
    memberCount: g.memberCount,
    membersNotProvisioned: g.membersNotProvisioned,
    assignment: g.assignment,
    scoping: g.scoping,
    matchQuery: g.matchQuery,
    requests: g.requests,
    notes: g.notes,
  };
}

/** A policy in a few words: `VLAN 100, 100/100 Mbps, 12 h`. */
export function policyText(p: NonNullable<GroupPreview["policy"]>): string {
  const parts: string[] = [];
  if (p.vlan !== undefined) parts.push(`VLAN ${p.vlan}`);
  if (p.downloadMbps !== undefined || p.uploadMbps !== undefined) parts.push(`${p.downloadMbps ?? "?"}/${p.uploadMbps ?? "?"} Mbps`);
  if (p.sessionTimeoutHours !== undefined) parts.push(`${p.sessionTimeoutHours} h`);
  return `${p.group}: ${parts.join(", ") || "policy"}`;
}

function groupLine(g: GroupPreview): string {
  const scope = g.inScope ? `provisioned, ${g.memberCount} member(s)${g.membersNotProvisioned ? ` (+${g.membersNotProvisioned} not provisioned)` : ""}` : "not provisioned";
  return `group ${g.displayName}: ${scope}${g.policy ? ` — ${policyText(g.policy)}` : ""}`;
}

export class JsonWriter implements PreviewWriter {
  private apps = 0;
  private usersInApp = 0;
  constructor(
    private readonly write: (line: string) => void,
    /** true: several apps, wrapped in a JSON array. */
    private readonly many: boolean,
  ) {
    if (many) write("[");
  }
  beginApp(app: AppPreviewer): void {
    const head = `{"app":${JSON.stringify(app.app)},"users":[`;
    this.write(this.many && this.apps > 0 ? `,${head}` : head);
    this.apps++;
    this.usersInApp = 0;
  }
  user(p: UserPreview): void {
    this.userLine(JSON.stringify(userJson(p)));
  }
  userLine(line: string): void {
    this.write(this.usersInApp++ ? `,${line}` : line);
  }
  endApp(app: AppPreviewer): void {
    const groups = app.groupPreviews();
    if (!groups.length) {
      this.write('],"groups":[]}');
      return;
    }
    this.write('],"groups":[');
    groups.forEach((g, i) => this.write(`${i ? "," : ""}${JSON.stringify(groupJson(g))}`));
    this.write("]}");
  }
  finish(): void {
    if (this.many) this.write("]");
  }
}

const MARK = { error: "✗", warning: "⚠" } as const;

/** A short scope verdict for tables; the JSON form carries the full reasons. */
export function scopeCell(p: UserPreview): string {
  if (p.inScope) return p.isSoftDeleted ? "yes, disabled" : "yes";
  const reasons: string[] = [];
  if (!p.assignment.assigned) reasons.push(p.assignment.refusedRoles.length ? `${p.assignment.refusedRoles.join(", ")} only` : "not assigned");
  if (!p.scoping.passed) reasons.push("scoping filter");
  if (p.softDeletedBecause.some((r) => r.startsWith("soft-deleted"))) reasons.push("soft-deleted");
  return `no: ${reasons.join(", ") || "users mapping disabled"}`;
}

function valueCell(v: unknown): string {
  if (v === undefined || v === null) return "";
  return typeof v === "string" ? v : JSON.stringify(v);
}

function violationsCell(violations: readonly Violation[]): string {
  return violations.map((v) => `${MARK[v.severity]} ${v.rule}`).join(", ");
}

function counts(violations: readonly Violation[]) {
  return { errors: violations.filter((v) => v.severity === "error").length, warnings: violations.filter((v) => v.severity === "warning").length };
}

function summaryLine(app: AppPreviewer, s: AppSummary): string {
  return `${app.displayName}: ${s.users} user(s), ${s.inScope} in scope, ${s.withErrors} the target would reject, ${s.withWarnings} with warnings`;
}

function headerLines(app: AppPreviewer): string[] {
  const url = app.entra.tenantUrl ?? `${app.entra.tenantUrlTemplate} (parameters not set)`;
  return [`${app.displayName} (${app.app}) — ${url} — ${app.dialect === "legacy" ? "Entra legacy SCIM dialect" : "SCIM-compliant dialect (aadOptscim062020)"}`, ...app.warnings.map((w) => `warning: ${w}`)];
}

interface Row {
  user: string;
  inScope: string;
  userName: string;
  active: string;
  violations: string;
  details: string[];
}

function rowOf(p: UserPreview): Row {
  const body = p.body ?? {};
  return {
    user: p.userPrincipalName,
    inScope: scopeCell(p),
    userName: p.body ? valueCell(body.userName) : "",
    active: p.body ? valueCell(body.active) : "",
    violations: violationsCell(p.violations),
    details: [...p.policies.map((x) => `policy ${policyText(x)}`), ...p.violations.map((v) => `${MARK[v.severity]} ${v.rule}: ${v.message}`)],
  };
}

/** Plain-text tables, one per block of up to `blockSize` users; violation messages listed under each block. */
export class TableWriter implements PreviewWriter {
  private rows: Row[] = [];
  constructor(
    private readonly write: (line: string) => void,
    private readonly blockSize = 200,
  ) {}
  beginApp(app: AppPreviewer): void {
    this.write("");
    for (const line of headerLines(app)) this.write(line);
    this.rows = [];
  }
  user(p: UserPreview): void {
    this.rows.push(rowOf(p));
    if (this.rows.length >= this.blockSize) this.flush();
  }
  private flush(): void {
    if (!this.rows.length) return;
    const columns: [keyof Row, string][] = [
      ["user", "USER"],
      ["inScope", "IN SCOPE"],
      ["userName", "userName"],
      ["active", "active"],
      ["violations", "VIOLATIONS"],
    ];
    const width = columns.map(([k, title]) => Math.min(60, Math.max(title.length, ...this.rows.map((r) => (r[k] as string).length))));
    const line = (cells: string[]) => cells.map((c, i) => c.padEnd(width[i]!)).join("  ").trimEnd();
    this.write(line(columns.map(([, t]) => t)));
    this.write(line(width.map((w) => "-".repeat(w))));
    for (const r of this.rows) this.write(line(columns.map(([k]) => r[k] as string)));
    const details = this.rows.filter((r) => r.details.length);
    if (details.length) {
      this.write("");
      for (const r of details) {
        this.write(`${r.user}:`);
        for (const d of r.details) this.write(`  ${d}`);
      }
    }
    this.rows = [];
  }
  endApp(app: AppPreviewer, summary: AppSummary): void {
    this.flush();
    for (const g of app.groupPreviews()) {
      this.write(groupLine(g));
      for (const v of g.violations) this.write(`  ${MARK[v.severity]} ${v.rule}: ${v.message}`);
    }
    this.write(summaryLine(app, summary));
  }
  finish(): void {}
}

/** Table-cell text: pipes and HTML escaped; code spans (backticks) are kept, they render as code. */
function md(s: string): string {
  return s.replace(/\|/g, "\\|").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\r?\n/g, " ");
}

/** Markdown (for pull requests): a heading and a table per app, violations in bold. */
export class MarkdownWriter implements PreviewWriter {
  constructor(private readonly write: (line: string) => void) {}
  beginApp(app: AppPreviewer): void {
    const [title, ...warnings] = headerLines(app);
    this.write(`### ${md(title!)}`);
    this.write("");
    for (const w of warnings) this.write(`> ${md(w)}`);
    if (warnings.length) this.write("");
    this.write("| user | in scope | userName | active | violations |");
    this.write("|---|---|---|---|---|");
  }
  user(p: UserPreview): void {
    const r = rowOf(p);
    const violations = [...p.policies.map((x) => `policy ${md(policyText(x))}`), ...p.violations.map((v) => `**${MARK[v.severity]} ${md(v.rule)}**: ${md(v.message)}`)].join("<br>");
    this.write(`| ${md(r.user)} | ${md(r.inScope)} | ${md(r.userName)} | ${md(r.active)} | ${violations} |`);
  }
  endApp(app: AppPreviewer, summary: AppSummary): void {
    const groups = app.groupPreviews();
    if (groups.length) {
      this.write("");
      this.write("| group | provisioned | members | policy | violations |");
      this.write("|---|---|---|---|---|");
      for (const g of groups) {
        const violations = g.violations.map((v) => `**${MARK[v.severity]} ${md(v.rule)}**: ${md(v.message)}`).join("<br>");
        this.write(`| ${md(g.displayName)} | ${g.inScope ? "yes" : "no"} | ${g.memberCount} | ${g.policy ? md(policyText(g.policy)) : ""} | ${violations} |`);
      }
    }
    this.write("");
    this.write(md(summaryLine(app, summary)));
    this.write("");
  }
  finish(): void {}
}

export function createWriter(format: Format, write: (line: string) => void, manyApps: boolean): PreviewWriter {
  if (format === "json") return new JsonWriter(write, manyApps);
  if (format === "markdown") return new MarkdownWriter(write);
  return new TableWriter(write);
}

export function emptySummary(): AppSummary {
  return { users: 0, inScope: 0, withErrors: 0, withWarnings: 0 };
}

export function addToSummary(s: AppSummary, p: UserPreview): void {
  s.users++;
  if (p.inScope) s.inScope++;
  const c = counts(p.violations);
  if (c.errors) s.withErrors++;
  if (c.warnings) s.withWarnings++;
}

/**
 * Lines to a Writable (stdout): each line is encoded (UTF-8) into a chunk of about `chunkSize` bytes as
 * it arrives, a newline added when it has none (as the CLI's stdout does), and full chunks go to the
 * stream. `write` returning false is backpressure: `ready()` then gives a promise that settles when the
 * stream drains (or fails), and the producer waits for it (runPreview's `ready` option) — so however slow
 * the reader, at most the stream's buffer and one chunk are held in memory.
 */
export class StreamSink {
  private chunk: Buffer;
  private used = 0;
  private blocked: Promise<void> | undefined;
  private failed: Error | undefined;

  constructor(
    private readonly stream: Writable,
    private readonly chunkSize = 32 * 1024,
  ) {
    this.chunk = Buffer.allocUnsafe(chunkSize);
  }

  /** Queues one line (the writers' `write`). */
  readonly line = (text: string): void => {
    const newline = text.length === 0 || text.charCodeAt(text.length - 1) !== 10;
    // A UTF-16 code unit takes at most 3 bytes in UTF-8.
    const room = text.length * 3 + 1;
    if (this.used + room > this.chunk.length) {
      this.flush();
      if (room > this.chunk.length) {
        this.send(Buffer.from(newline ? `${text}\n` : text, "utf8"));
        return;
      }
    }
    this.used += this.chunk.write(text, this.used, "utf8");
    if (newline) this.chunk[this.used++] = 10;
  };

  /** Hands the queued lines to the stream. */
  flush(): void {
    if (!this.used) return;
    // A new chunk each time: the stream may hold on to the one written until its callback runs.
    const full = this.chunk.subarray(0, this.used);
    this.chunk = Buffer.allocUnsafe(this.chunkSize);
    this.used = 0;
    this.send(full);
  }

  /** undefined while the stream keeps up; else a promise to wait for before producing more. */
  ready(): Promise<void> | undefined {
    if (this.failed) return Promise.reject(this.failed);
    return this.blocked;
  }

  /** Flushes and waits until the stream has taken everything it was given. */
  async end(): Promise<void> {
    this.flush();
    while (this.blocked) await this.blocked;
    if (this.failed) throw this.failed;
    // The stream may still hold chunks it accepted without backpressure: an empty write's callback runs
    // once those before it were written.
    await new Promise<void>((resolve, reject) => this.stream.write(Buffer.alloc(0), (err) => (err ? reject(err) : resolve())));
  }

  private send(bytes: Buffer): void {
    if (!this.stream.write(bytes) && !this.blocked) this.blocked = this.waitForDrain();
  }

  private waitForDrain(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const done = (err?: Error) => {
        this.stream.off("drain", onDrain);
        this.stream.off("error", onError);
        this.stream.off("close", onClose);
        this.blocked = undefined;
        if (err) {
          this.failed = err;
          reject(err);
        } else resolve();
      };
      const onDrain = () => done();
      const onError = (err: Error) => done(err);
      const onClose = () => done(new Error("the output stream closed"));
      this.stream.on("drain", onDrain);
      this.stream.on("error", onError);
      this.stream.on("close", onClose);
    });
  }
}
