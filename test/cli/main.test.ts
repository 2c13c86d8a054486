import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main as cliMain, type LoadCommand } from "../../src/cli/main";
import { COMMANDS, synopsis, type CommandRun } from "../../src/cli/commands";
import { colorAllowed, type CliIO } from "../../src/cli/io";
import { withCommandTable } from "../../src/cli/readme";

const root = join(__dirname, "..", "..");

// bin/scimops.cjs loads commands with require (through tsx); under vitest the same modules come by import().
const importCommand: LoadCommand = async (spec) => ((await import(`../../src/cli/${spec.module}.ts`)) as Record<string, CommandRun>)[spec.handler]!;
const main = (argv: string[], io: CliIO) => cliMain(argv, io, importCommand);

function capture(extra: Partial<CliIO> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = { stdout: (s) => void out.push(s), stderr: (s) => void err.push(s), ...extra };
  return { io, out: () => out.join(""), err: () => err.join("") };
}

describe("scimops help", () => {
  it.each(COMMANDS.map((c) => c.name))("`%s --help` and `help %s` print the command's usage and options without running it", async (name) => {
    const spec = COMMANDS.find((c) => c.name === name)!;
    const a = capture();
    expect(await main([name, "--help"], a.io)).toBe(0);
    expect(a.out()).toContain(`Usage: ${synopsis(spec)}`);
    for (const option of spec.options) expect(a.out()).toContain(option.flags);
    expect(a.err()).toBe("");
    const b = capture();
    expect(await main(["help", name], b.io)).toBe(0);
    expect(b.out()).toBe(a.out());
  });

  it("lists every command; no command at all is a usage error", async () => {
    const c = capture();
    expect(await main(["--help"], c.io)).toBe(0);
    for (const spec of COMMANDS) expect(c.out()).toContain(spec.name);
    const none = capture();
    expect(await main([], none.io)).toBe(2);
    expect(none.err()).toContain("Usage: scimops <command>");
  });

  it("--version prints package.json's version", async () => {
    const c = capture();
    expect(await main(["--version"], c.io)).toBe(0);
    expect(c.out().trim()).toBe(JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version);
  });
});

describe("usage errors exit 2 with the command's usage, never a stack trace", () => {
  it.each([
    [["validate", "--bogus"], "unknown option '--bogus'", "usage: scimops validate"],
    [["validate", "--format", "xml"], "Allowed choices are text, json", "usage: scimops validate"],
    [["check"], "required option '--app <NAME>'", "usage: scimops check --app NAME"],
    [["eval"], "missing required argument 'EXPR'", "usage: scimops eval <EXPR>"],
    [["runbook", "--app", "ironwifi", "--idp", "ldap"], "Allowed choices are okta", "usage: scimops runbook"],
    [["nope"], "unknown command 'nope'", "scimops help"],
    [["help", "nope"], "unknown command 'nope'", "Usage: scimops <command>"],
    [["drift", "--stack"], "argument missing", "usage: scimops drift"],
  ])("%j", async (argv, message, usage) => {
    const c = capture();
    expect(await main(argv, c.io)).toBe(2);
    expect(c.err()).toContain(message);
    expect(c.err()).toContain(usage);
    expect(c.err()).not.toMatch(/\n\s+at /);
    expect(c.out()).toBe("");
  });
});

describe("the command list", () => {
  it.each(COMMANDS.map((c) => [c.name, c.module, c.handler]))("%s runs %s.%s, a function", async (_name, module, handler) => {
    const spec = COMMANDS.find((c) => c.module === module && c.handler === handler)!;
    expect(typeof (await importCommand(spec))).toBe("function");
  });
});

describe("the README's command table", () => {
  it("is the table generated from the command definitions (run `npm run readme` after changing a command)", () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    expect(withCommandTable(readme)).toBe(readme);
    for (const spec of COMMANDS) expect(readme).toContain(`\`${synopsis(spec).replace(/\|/g, "\\|")}\``);
  });
});

describe("--format json for CI", () => {
  it("validate prints one JSON document with the verdict and every diagnostic", async () => {
    const c = capture();
    expect(await main(["validate", "--format", "json", join(root, "test", "fixtures", "broken")], c.io)).toBe(1);
    const doc = JSON.parse(c.out());
    expect(doc.valid).toBe(false);
    expect(doc.errors).toBeGreaterThan(0);
    expect(doc.diagnostics[0]).toMatchObject({ file: expect.any(String), line: expect.any(Number), column: expect.any(Number), severity: expect.stringMatching(/error|warning/), message: expect.any(String) });
    expect(c.err()).toBe("");
  });

  it("runbook prints the steps as data", async () => {
    const c = capture();
    expect(await main(["runbook", "--app", "ironwifi", "--idp", "onelogin", "--format", "json"], c.io)).toBe(0);
    const doc = JSON.parse(c.out());
    expect(doc).toMatchObject({ app: "ironwifi", idp: "onelogin", method: expect.any(String) });
    expect(doc.steps.length).toBeGreaterThan(1);
  });

  it("check prints each check with its severity", async () => {
    const c = capture();
    delete process.env.SCIMOPS_TOKEN;
    expect(await main(["check", "--app", "jumpcloud", "--format", "json"], c.io)).toBe(1);
    const doc = JSON.parse(c.out());
    expect(doc).toMatchObject({ app: "jumpcloud", ok: false });
    expect(doc.checks.find((i: { check: string }) => i.check === "token")).toMatchObject({ severity: "error" });
  });
});

describe("colour", () => {
  it("only on a terminal, never with NO_COLOR, always with FORCE_COLOR", () => {
    const tty = { isTTY: true, hasColors: () => true };
    expect(colorAllowed(tty, {})).toBe(true);
    expect(colorAllowed({ isTTY: false }, {})).toBe(false);
    expect(colorAllowed(tty, { NO_COLOR: "1" })).toBe(false);
    expect(colorAllowed({ isTTY: false }, { FORCE_COLOR: "1" })).toBe(true);
    expect(colorAllowed(tty, { FORCE_COLOR: "0" })).toBe(false);
  });

  it("validate colours the severity word only when the IO allows it", async () => {
    const broken = join(root, "test", "fixtures", "broken");
    const plain = capture({ color: { stdout: false, stderr: false } });
    await main(["validate", broken], plain.io);
    expect(plain.err()).toContain(": error: ");
    expect(plain.err()).not.toContain("\u001b[");
    const coloured = capture({ color: { stdout: true, stderr: true } });
    await main(["validate", broken], coloured.io);
    expect(coloured.err()).toContain("\u001b[31merror");
  });
});
