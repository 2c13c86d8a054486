/**
 * The diff report as a GitHub pull-request comment: a summary table (one row per app and stack), the
 * warnings that matter most above it, then a collapsed `<details>` section per app. The comment is cut to
 * fit GitHub's limit (65,536 characters), users first, and says what was cut.
 */
import { formatDiagnostic } from "../spec/diagnostics";
import type { PlanChange } from "../plan/diff";
import { formatRange } from "./consequences";
import type { GroupChange } from "../preview";
import { MAX_LISTED_USER_CHANGES } from "./users";
import type { AppDiff, Consequence, DiffReport, StackDiff, UserChange, ValueChange, ViolationKey } from "./model";

/** GitHub's maximum comment body (characters). */
export const GITHUB_COMMENT_LIMIT = 65_536;

export interface MarkdownOptions {
  maxChars?: number;
}

const ICON: Record<Consequence["severity"], string> = { caution: "🛑", warning: "⚠️", info: "ℹ️" };

export function renderMarkdown(report: DiffReport, options: MarkdownOptions = {}): string {
  const limit = options.maxChars ?? GITHUB_COMMENT_LIMIT;
  const title = `## scimops diff: \`${report.base}\` → this branch`;
  if (!report.ok) return renderErrors(title, report);
  const changed = report.stacks.flatMap((s) => s.apps.filter((a) => a.status !== "unchanged").map((app) => ({ stack: s, app })));
  const stackChanges = report.stacks.filter((s) => s.settings.length || s.values.length || s.status === "added" || s.status === "removed");
  const head: string[] = [title, ""];
  for (const note of report.notes) head.push(`> ${note}`, "");
  if (!changed.length && !stackChanges.length) {
    head.push(`No provisioning changes in ${list(report.stacks.map((s) => `\`${s.stack}\``))} (${report.sampleUsers} sample users).`);
    return head.join("\n") + "\n";
  }
  const cautions = changed.flatMap(({ stack, app }) => app.consequences.filter((c) => c.severity === "caution").map((c) => `> **${stack.stack} · ${app.displayName}**: ${c.message}`));
  if (cautions.length) head.push("> [!CAUTION]", ...cautions.flatMap((line, i) => (i ? [">", line] : [line])), "");
  if (changed.length) head.push(...summaryTable(changed), "");
  const unchanged = report.stacks.flatMap((s) => s.apps.filter((a) => a.status === "unchanged").map((a) => `${s.stack} · ${a.displayName}`));
  if (unchanged.length) head.push(`Unchanged: ${unchanged.join(", ")}.`, "");
  head.push(`Sample users: ${report.sampleUsers} (the \`--users\` file), evaluated against both sides.`, "");

  const sections: Section[] = [];
  for (const stack of report.stacks) {
    if (stackChanges.includes(stack)) sections.push({ label: `stack ${stack.stack}`, users: [], total: 0, render: () => stackSection(stack) });
    for (const app of stack.apps.filter((a) => a.status !== "unchanged")) {
      const lines = app.users.map(userLine);
      sections.push({ label: `${stack.stack} · ${app.displayName}`, users: lines, total: lines.length + (app.usersNotListed ?? 0), render: (n) => appSection(stack, app, lines, n) });
    }
  }
  return fit(head.join("\n"), sections, limit);
}

interface Section {
  label: string;
  users: readonly string[];
  /** Changed users in all (the report lists the first MAX_LISTED_USER_CHANGES). */
  total: number;
  /** The section with at most `users` user lines. */
  render: (users: number) => string;
}

/**
 * Everything when it fits. Otherwise every section without its user list first (so no app disappears for
 * another's users), then user lines section by section while room is left; a section too big even without
 * its users becomes one line naming it.
 */
function fit(head: string, sections: readonly Section[], limit: number): string {
  const full = sections.map((s) => s.render(s.users.length));
  const whole = [head, ...full].join("\n");
  const listedAll = sections.every((s) => s.users.length === s.total);
  if (whole.length <= limit && listedAll) return whole;
  const json = listedAll ? "has everything" : `lists the first ${MAX_LISTED_USER_CHANGES.toLocaleString("en-US")} changed users of each app and counts the rest`;
  const note = (cut: readonly string[]) => `> [!NOTE]\n> Cut to fit a GitHub comment (${limit.toLocaleString("en-US")} characters): ${cut.join("; ")}. \`scimops diff --format json\` ${json}.\n`;
  const stub = (s: Section) => `- ${s.label}: not shown\n`;
  const texts = sections.map((s) => s.render(0));
  const shown = sections.map(() => 0);
  const stubbed = sections.map(() => false);
  const cutLabels = () => sections.flatMap((s, i) => (stubbed[i] ? [`${s.label} (whole section)`] : shown[i]! < s.total ? [`${s.label} (${s.total - shown[i]!} of ${s.total} users)`] : []));
  const size = () => [head, ...texts].join("\n").length + 1 + note(cutLabels()).length;
  for (let i = sections.length - 1; i >= 0 && size() > limit; i--) {
    texts[i] = stub(sections[i]!);
    stubbed[i] = true;
  }
  sections.forEach((s, i) => {
    if (stubbed[i] || !s.users.length) return;
    let lo = 0;
    let hi = s.users.length;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      const before = texts[i]!;
      texts[i] = s.render(mid);
      shown[i] = mid;
      const fits = size() <= limit;
      texts[i] = before;
      shown[i] = lo;
      if (fits) lo = mid;
      else hi = mid - 1;
    }
    texts[i] = s.render(lo);
    shown[i] = lo;
  });
  return [head, ...texts, note(cutLabels())].join("\n");
}

function summaryTable(rows: { stack: StackDiff; app: AppDiff }[]): string[] {
  const out = ["| Stack | App | Change | Rows changed | Users affected | Groups changed | Re-sync | New violations |", "|---|---|---|--:|--:|--:|---|--:|"];
  for (const { stack, app } of rows) {
    const estimate = app.consequences.find((c) => c.kind === "resync")?.estimate;
    const resync = app.summary.resync ? `yes${estimate ? `, ≈ ${formatRange(estimate)}` : ""}` : "no";
    const s = app.summary;
    out.push(`| ${cell(stack.stack)} | ${cell(app.displayName)} (\`${app.app}\`) | ${app.status} | ${s.rowsChanged} | ${s.usersAffected} | ${s.groupsChanged} | ${resync} | ${s.newViolations} |`);
  }
  return out;
}

function stackSection(stack: StackDiff): string {
  const lines = [`### Stack \`${stack.stack}\` (\`${stack.file}\`)${stack.status === "added" || stack.status === "removed" ? ` — ${stack.status}` : ""}`, ""];
  const rows = [...stack.settings.map((c) => ({ ...c, name: `scimops:${c.name}` })), ...stack.values.map((c) => ({ ...c, name: `scimops:${c.name}` }))];
  if (rows.length) lines.push(...valueTable("Stack setting", rows), "");
  return lines.join("\n");
}

function appSection(stack: StackDiff, app: AppDiff, userLines: readonly string[], maxUsers: number): string {
  const s = app.summary;
  const facts = [app.status, `${s.rowsChanged} row${s.rowsChanged === 1 ? "" : "s"}`, `${s.usersAffected} user${s.usersAffected === 1 ? "" : "s"}`, ...(s.groupsChanged ? [`${s.groupsChanged} group${s.groupsChanged === 1 ? "" : "s"}`] : []), ...(s.resync ? ["re-sync"] : []), ...(s.newViolations ? [`${s.newViolations} new violation${s.newViolations === 1 ? "" : "s"}`] : [])];
  const lines = ["<details>", `<summary><strong>${html(stack.stack)} · ${html(app.displayName)}</strong> (${html(app.app)}) — ${facts.join(", ")}</summary>`, ""];
  if (app.consequences.length) {
    lines.push("#### What Entra will do", "");
    for (const c of app.consequences) lines.push(`- ${ICON[c.severity]} ${c.message}`);
    lines.push("");
  }
  const settings: ValueChange[] = [...app.stackEntry.map((c) => ({ ...c, name: `stack entry › ${c.name}` })), ...app.changes.filter((c) => c.area === "app" || c.area === "settings" || c.area === "assignments")];
  if (settings.length) lines.push("#### Settings", "", ...valueTable("Setting", settings), "");
  const mappings = app.changes.filter((c) => c.area === "mapping");
  if (mappings.length) lines.push("#### Mappings", "", ...mappingTable(mappings), "");
  const okta = app.changes.filter((c) => c.area === "okta");
  if (okta.length) lines.push("#### Okta", "", ...valueTable("Field", okta), "");
  const target = app.changes.filter((c) => c.area === "target");
  if (target.length) lines.push("#### Target rules", "", ...valueTable("Rule", target), "");
  if (app.groups.length) lines.push("#### Groups", "", ...app.groups.map(groupLine), "");
  if (userLines.length) {
    const n = app.users.length + (app.usersNotListed ?? 0);
    lines.push(`#### Users (${n} sample user${n === 1 ? "" : "s"} change; in scope: ${app.usersInScope.before} → ${app.usersInScope.after})`, "", ...userLines.slice(0, maxUsers));
    if (maxUsers < n) lines.push(`- … ${n - Math.min(maxUsers, userLines.length)} more (cut to fit the comment)`);
    lines.push("");
  }
  lines.push("</details>", "");
  return lines.join("\n");
}

function valueTable(header: string, rows: readonly ValueChange[]): string[] {
  return [`| ${header} | Before | After |`, "|---|---|---|", ...rows.map((r) => `| ${cell(r.name)} | ${code(r.before)} | ${code(r.after)} |`)];
}

function mappingTable(rows: readonly PlanChange[]): string[] {
  const out = ["| Mapping | Row | Before | After |", "|---|---|---|---|"];
  for (const r of rows) out.push(`| ${r.mapping === "groups" ? "Groups" : "Users"} | ${cell(r.name)}${r.matching ? " 🛑 matching" : ""} | ${code(r.before)} | ${code(r.after)} |`);
  return out;
}

/** One line per group that changes: its changes, as the preview words them. */
export function groupLine(g: GroupChange): string {
  return `- \`${g.group}\`: ${g.changes.map((c) => c.replace(/\n/g, " ")).join("; ")}`;
}

/** One line per user: a scope change (with the policy it takes along), or what changes: attributes, violations, policy. */
export function userLine(u: UserChange): string {
  const who = `\`${u.userPrincipalName}\``;
  const policy = u.policy ? [`policy ${u.policy.before} → ${u.policy.after}`] : [];
  if (u.scope === "left") return `- ${who}: leaves scope → ${u.outcome ?? "deprovisioned"}${policy.length ? `; ${policy[0]}` : ""}`;
  const parts = u.attributes.map((a) => `\`${a.target}\` ${value(a.before)} → ${value(a.after)}`);
  parts.push(...u.newViolations.map((v) => `✗ ${violation(v)}`), ...u.fixedViolations.map((v) => `✓ fixed ${violation(v)}`), ...policy);
  if (u.scope === "entered") return `- ${who}: enters scope → created${parts.length ? `; ${parts.join("; ")}` : ""}`;
  return `- ${who}: ${parts.join("; ")}`;
}

function violation(v: ViolationKey): string {
  return `${v.rule}${v.attribute ? ` (\`${v.attribute}\`)` : ""}: ${v.message.replace(/\n/g, " ")}`;
}

function value(v: string | string[] | null): string {
  return v === null ? "(not sent)" : `\`${JSON.stringify(v).replace(/`/g, "'")}\``;
}

function renderErrors(title: string, report: DiffReport): string {
  const n = report.errors.length;
  const lines = [title, "", "> [!CAUTION]", `> The branch has ${n} error${n === 1 ? "" : "s"}; the diff is shown once ${n === 1 ? "it is" : "they are"} fixed (\`npx scimops validate\`).`, "", "```text"];
  for (const e of report.errors) lines.push(formatDiagnostic({ ...e, fix: e.fix ?? "" }));
  lines.push("```", "");
  return lines.join("\n");
}

function code(text: string | undefined): string {
  if (text === undefined) return "—";
  const inner = text.replace(/\n/g, " ");
  const fence = inner.includes("`") ? "``" : "`";
  return `${fence}${fence === "``" ? " " : ""}${inner.replace(/\|/g, "\\|")}${fence === "``" ? " " : ""}${fence}`;
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function html(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function list(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? "no stack") : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}
