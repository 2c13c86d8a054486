import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runEval } from "./helpers";

const dir = mkdtempSync(join(tmpdir(), "scimops-eval-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("scimops eval (evalCommand)", () => {
  it("prints one line of JSON and exits 0", async () => {
    const run = await runEval(['Join(" ", [givenName], [surname])', "--user", '{"givenName":"John","surname":"Doe"}']);
    expect(run).toEqual({ code: 0, stdout: '{"value":"John Doe","flows":true}\n', stderr: "" });
  });

  it("evaluates without a user (all attributes NULL)", async () => {
    expect((await runEval(["[mail]"])).stdout).toBe('{"value":null,"flows":true}\n');
    expect((await runEval(["IgnoreFlowIfNullOrEmpty([mail])"])).stdout).toBe('{"value":null,"flows":false}\n');
  });

  it("prints multi-valued results as arrays", async () => {
    const run = await runEval(['Split([x], ",")', "--user", '{"x":"a,b"}']);
    expect(JSON.parse(run.stdout)).toEqual({ value: ["a", "b"], flows: true });
  });

  it("accepts --user=JSON, @FILE, booleans, numbers, null and arrays", async () => {
    const file = join(dir, "user.json");
    writeFileSync(file, JSON.stringify({ accountEnabled: false, employeeId: 42, proxyAddresses: ["a", true, 7], mail: null }));
    const active = 'Switch([IsSoftDeleted], , "False", "True", "True", "False")';
    expect(JSON.parse((await runEval([active, `--user=@${file}`])).stdout).value).toBe("False");
    expect(JSON.parse((await runEval(["[employeeId]", "--user", `@${file}`])).stdout).value).toBe("42");
    expect(JSON.parse((await runEval(["[proxyAddresses]", "--user", `@${file}`])).stdout).value).toEqual(["a", "True", "7"]);
    expect(JSON.parse((await runEval(["IsNull([mail])", "--user", `@${file}`])).stdout).value).toBe("True");
    expect(JSON.parse((await runEval(["[accountEnabled]", '--user={"accountEnabled":true}'])).stdout).value).toBe("True");
  });

  it("uses --now for Now()", async () => {
    expect((await runEval(["Now()", "--now", "2021-07-02T15:33:38Z"])).stdout).toBe('{"value":"7/2/2021 3:33:38 PM","flows":true}\n');
    expect((await runEval(["Now()", "--now=2021-07-02T17:33:38+02:00"])).stdout).toBe('{"value":"7/2/2021 3:33:38 PM","flows":true}\n');
  });

  it("takes an expression that looks like an option after --, and negative numbers as they are", async () => {
    expect((await runEval(["--", "-10"])).stdout).toBe('{"value":"-10","flows":true}\n');
    expect((await runEval(["-10"])).stdout).toBe('{"value":"-10","flows":true}\n');
  });

  it("a parse error exits 2 with the column, a caret and the hint", async () => {
    const run = await runEval(['Swich([IsSoftDeleted], , "False", "True")']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe(
      ["column 1: error: unknown function 'Swich'", '  Swich([IsSoftDeleted], , "False", "True")', "  ^~~~~", "  hint: did you mean 'Switch'?", ""].join("\n"),
    );
  });

  it("an arity error exits 2 with the signature", async () => {
    const run = await runEval(["Mid([x], 1)"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("column 11: error: Mid takes 3 arguments, got 2");
    expect(run.stderr).toContain("hint: Mid(source, start, length)");
  });

  it("compile-time and evaluation errors exit 2 too", async () => {
    const bad = await runEval(['Replace([x], , "(", , "", , )']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("column 16: error: Replace: invalid regexPattern");
    const run = await runEval(["CDate([d])", "--user", '{"d":"someday"}']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('column 1: error: CDate: expression "someday" is not a date');
  });

  it.each([
    [[], /missing EXPR/],
    [["[a]", "[b]"], /exactly one expression/],
    [["[a]", "--frob"], /unknown option --frob/],
    [["[a]", "--user"], /--user needs a value/],
    [["[a]", "--user", "{nope"], /not valid JSON/],
    [["[a]", "--user", "[1,2]"], /JSON object/],
    [["[a]", "--user", '{"a":{"b":1}}'], /attribute a must be/],
    [["[a]", "--user", '{"a":[["x"]]}'], /a\[0\] must be/],
    [["[a]", "--user", "@/nonexistent/user.json"], /cannot read/],
    [["[a]", "--now", "yesterday"], /not an ISO 8601 date-time/],
    [["[a]", "--now", "1/2/2020"], /not an ISO 8601 date-time/],
    [["[a]", "--user", "{}", "--user", "{}"], /given twice/],
  ])("usage error %j exits 2", async (args, message) => {
    const run = await runEval(args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toContain("usage: scimops eval");
  });

  it("--help prints the usage and exits 0", async () => {
    const run = await runEval(["--help"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("usage: scimops eval EXPR [--user JSON|@FILE] [--now ISO-8601]");
  });
});

describe("scimops eval through the real bin", () => {
  const bin = join(__dirname, "..", "..", "bin", "scimops.cjs");
  const run = (args: string[]) => spawnSync(process.execPath, [bin, "eval", ...args], { encoding: "utf8", timeout: 60_000 });

  it("evaluates the default active mapping", () => {
    const r = run(['Switch([IsSoftDeleted], , "False", "True", "True", "False")', "--user", '{"IsSoftDeleted":"False"}']);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('{"value":"True","flows":true}\n');
  });

  it("exits 2 with the column on a parse error", () => {
    const r = run(["Mid([x], 1)"]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("column 11: error: Mid takes 3 arguments, got 2");
  });
});
