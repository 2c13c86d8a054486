/** Plain-text tables for people (the JSON forms are for machines). */
export type Row = Readonly<Record<string, string>>;

export function renderTable(rows: readonly Row[]): string {
  if (!rows.length) return "";
  const columns = Object.keys(rows[0]!);
  const width = columns.map((c) => Math.max(c.length, ...rows.map((r) => (r[c] ?? "").length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(width[i]!)).join("  ").trimEnd();
  return [line(columns), line(width.map((w) => "-".repeat(w))), ...rows.map((r) => line(columns.map((c) => r[c] ?? "")))].join("\n");
}

export function renderMarkdownTable(rows: readonly Row[]): string {
  if (!rows.length) return "";
  const columns = Object.keys(rows[0]!);
  const esc = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
  return [`| ${columns.join(" | ")} |`, `|${columns.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${columns.map((c) => esc(r[c] ?? "")).join(" | ")} |`)].join("\n");
}
