/** A 100k-row app file (airstack's, with extra mapping rows) and one misspelt source attribute near its end. */
import { readFileSync } from "node:fs";
import { join } from "node:path";

export const HUGE_ROWS = 100_000;

export function hugeAppText(root: string, rows = HUGE_ROWS): { text: string; brokenLine: number } {
  const seed = readFileSync(join(root, "mappings", "airstack.yaml"), "utf8").replace("name: airstack\n", "name: huge\n");
  const anchor = '        - { target: externalId, source: "[mailNickname]" }\n';
  const at = seed.indexOf(anchor) + anchor.length;
  const extra: string[] = [];
  for (let i = 0; i < rows; i++) extra.push(`        - { target: "urn:ietf:params:scim:schemas:extension:huge:2.0:User:attr${i}", source: "[department]" }\n`);
  const broken = '        - { target: nickName, source: "[departmnet]" }\n';
  const before = seed.slice(0, at) + extra.join("");
  return { text: before + broken + seed.slice(at), brokenLine: before.split("\n").length };
}
