import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { previewCommand } from "../../src/cli/preview";
import { readUsersFile, UserFileError } from "../../src/preview";
import { capture } from "./helpers";

const dir = mkdtempSync(join(tmpdir(), "scimops-users-file-"));

/** A pretty-printed users file of `count` users (several 64 KiB chunks), with `bad` in place of user `at` (1-based). */
function usersText(count: number, at: number, bad: string): string {
  const users: string[] = [];
  for (let i = 1; i <= count; i++) {
    users.push(i === at ? bad : JSON.stringify({ userPrincipalName: `user${i}@contoso.example`, mailNickname: `user${i}`, displayName: `User ${i}`, memberOf: ["SCIM Pilot"] }, null, 2).replace(/^/gm, "  "));
  }
  return `[\n${users.join(",\n")}\n]\n`;
}

/** 1-based line and column of the first `needle` in `text`. */
function positionOf(text: string, needle: string): { line: number; column: number } {
  const offset = text.indexOf(needle);
  if (offset < 0) throw new Error(`no ${needle}`);
  const before = text.slice(0, offset).split("\n");
  return { line: before.length, column: before.at(-1)!.length + 1 };
}

/** Reads the file to the end: the users read before the error, and the error. */
async function read(file: string, label?: string): Promise<{ users: number; error: UserFileError }> {
  let users = 0;
  try {
    for await (const _ of readUsersFile(file, label)) users++;
  } catch (err) {
    if (err instanceof UserFileError) return { users, error: err };
    throw err;
  }
  throw new Error("the file was read without an error");
}

describe("users files are streamed, and a mistake deep in the stream is FILE:LINE:COL", () => {
  it("a JSON syntax error in user 2,500 of 3,000: the 2,499 before it are read, then one diagnostic at the exact character", async () => {
    const bad = '  {\n    "userPrincipalName": "broken@contoso.example"\n    "displayName": "No comma"\n  }';
    const text = usersText(3_000, 2_500, bad);
    expect(text.length).toBeGreaterThan(4 * 64 * 1024);
    const file = join(dir, "syntax.json");
    writeFileSync(file, text);
    const { users, error } = await read(file, "users/syntax.json");
    expect(users).toBe(2_499);
    const at = positionOf(text, '"displayName": "No comma"');
    expect(error.message).toBe(`users/syntax.json:${at.line}:${at.column}: error: user 2500: expected \`,\` or \`}\` after a property value, found \`"\` — correct the JSON there (a users file is a JSON array of user objects)`);
    expect([error.line, error.column]).toEqual([at.line, at.column]);
  });

  it("a user without userPrincipalName, a trailing comma, an unclosed user: each at its place", async () => {
    const noUpn = usersText(2_000, 1_234, '  {\n    "displayName": "Nobody"\n  }');
    writeFileSync(join(dir, "no-upn.json"), noUpn);
    const a = await read(join(dir, "no-upn.json"), "no-upn.json");
    expect(a.users).toBe(1_233);
    const brace = positionOf(noUpn, '{\n    "displayName": "Nobody"');
    expect(a.error.message).toMatch(new RegExp(`^no-upn\\.json:${brace.line}:${brace.column}: error: user 1234: \`userPrincipalName\` is required \\(a string\\) — give the user its userPrincipalName`));

    const trailing = usersText(10, 7, '  {"userPrincipalName": "t@contoso.example", }');
    writeFileSync(join(dir, "trailing.json"), trailing);
    const b = await read(join(dir, "trailing.json"));
    expect(b.users).toBe(6);
    const close = positionOf(trailing, '"t@contoso.example", }');
    expect([b.error.line, b.error.column]).toEqual([close.line, close.column + '"t@contoso.example", '.length]);
    expect(b.error.what).toBe("user 7: expected another property after `,` (a trailing comma is not JSON), found `}`");

    const cut = usersText(5, 0, "").slice(0, -40);
    writeFileSync(join(dir, "cut.json"), cut);
    const c = await read(join(dir, "cut.json"), "cut.json");
    expect(c.users).toBe(4);
    expect(c.error.message).toMatch(/^cut\.json:\d+:3: error: the users file ends in the middle of the JSON \(user 5, which starts here, is not closed\)/);
    expect(c.error.line).toBe(positionOf(cut, '{\n    "userPrincipalName": "user5@').line);
  });

  it("NDJSON: the line and column of the mistake", async () => {
    const lines = Array.from({ length: 500 }, (_, i) => JSON.stringify({ userPrincipalName: `user${i}@contoso.example` }));
    lines[321] = '{"userPrincipalName": "x@contoso.example", "memberOf": [SCIM Pilot]}';
    writeFileSync(join(dir, "users.ndjson"), `${lines.join("\n")}\n`);
    const { users, error } = await read(join(dir, "users.ndjson"), "users.ndjson");
    expect(users).toBe(321);
    expect(error.message).toBe(`users.ndjson:322:${lines[321]!.indexOf("SCIM") + 1}: error: expected a value, found \`S\` — correct the JSON of this line (each line is one user object)`);
    lines[321] = '  {"userPrincipalName": "x@contoso.example", "memberOf": "SCIM Pilot"}';
    writeFileSync(join(dir, "users.ndjson"), `${lines.join("\n")}\n`);
    const b = await read(join(dir, "users.ndjson"), "users.ndjson");
    expect(b.error.message).toMatch(/^users\.ndjson:322:3: error: user 322 \(x@contoso\.example\): `memberOf` is a list of groups — /);
  });

  it("scimops preview: the users before the mistake go out, then the diagnostic; exit 1", async () => {
    const text = usersText(300, 250, '  {"userPrincipalName": "bad@contoso.example", "accountEnabled": tru}');
    const file = join(dir, "preview.json");
    writeFileSync(file, text);
    const c = capture();
    expect(await previewCommand(["--app", "airstack", "--users", file, "--format", "json"], c.io)).toBe(1);
    expect(c.out.filter((l) => /"userPrincipalName":"user\d+@/.test(l))).toHaveLength(249);
    const at = positionOf(text, "tru}");
    expect(c.errText()).toBe(`scimops preview: ${file}:${at.line}:${at.column}: error: user 250: expected a value, found \`t\` — correct the JSON there (a users file is a JSON array of user objects)`);
  });
});
