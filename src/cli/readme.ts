/** Keeps README.md's command table (between the markers) equal to the one generated from ./commands. */
import { commandTable } from "./commands";

export const TABLE_BEGIN = "<!-- commands:begin (generated from src/cli/commands.ts by `npm run readme`) -->";
export const TABLE_END = "<!-- commands:end -->";

/** README text with the generated table in place; throws when the markers are missing. */
export function withCommandTable(readme: string): string {
  const begin = readme.indexOf(TABLE_BEGIN);
  const end = readme.indexOf(TABLE_END);
  if (begin < 0 || end < begin) throw new Error(`README.md lacks the markers ${TABLE_BEGIN} … ${TABLE_END}`);
  return `${readme.slice(0, begin + TABLE_BEGIN.length)}\n${commandTable()}\n${readme.slice(end)}`;
}

if (require.main === module) {
  // `npm run readme`: rewrite the table in place.
  const { readFileSync, writeFileSync } = require("node:fs") as typeof import("node:fs");
  const { join } = require("node:path") as typeof import("node:path");
  const file = join(__dirname, "..", "..", "README.md");
  writeFileSync(file, withCommandTable(readFileSync(file, "utf8")));
}
