/** Plain-text tables for people. */
export type Row = Readonly<Record<string, string>>;

export function renderTable(rows: readonly Row[]): string {
  if (!rows.length) return "";
  const columns = Object.keys(rows[0]!);
  const width = columns.map((c) => Math.max(c.length, ...rows.map((r) => (r[c] ?? "").length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(width[i]!)).join("  ").trimEnd();
  return [line(columns), line(width.map((w) => "-".repeat(w))), ...rows.map((r) => line(columns.map((c) => r[c] ?? "")))].join("\n");
}
