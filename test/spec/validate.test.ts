import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { validateCommand } from "../../src/cli/validate";
import { listAppFiles, listStackFiles, loadProject } from "../../src/spec/project";
import { formatDiagnostic } from "../../src/spec/diagnostics";

const root = join(__dirname, "..", "..");
const brokenDir = join(root, "test", "fixtures", "broken");

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: (s: string) => void out.push(s), stderr: (s: string) => void err.push(s) }, out, err };
}

describe("the seed apps", () => {
  it("all five app files and both stacks validate", async () => {
    const { io, out, err } = capture();
    const code = await validateCommand([], io);
    expect(err.filter((l) => l.includes(": error:"))).toEqual([]);
    expect(code).toBe(0);
    for (const app of ["ipass-smartconnect", "ironwifi", "jumpcloud", "airstack", "spaceiq"]) {
      expect(out.join("\n")).toContain(app);
    }
  });

  it("loads every seed fact the later stages need", () => {
    const { apps, diagnostics } = loadProject(listAppFiles(root), listStackFiles(root));
    expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const jumpcloud = apps.get("jumpcloud")!.spec;
    expect(jumpcloud.entra!.provisioning.tenantUrl).toBe("https://api.jumpcloud.com/scim/v2/?aadOptscim062020");
    expect(jumpcloud.entra!.mappings.groups!.enabled).toBe(false);
    const jcUsers = jumpcloud.entra!.mappings.users.attributes;
    expect(jcUsers.find((a) => a.target === "userName")?.source).toBe("[mailNickname]");
    expect(jcUsers.find((a) => a.target === 'emails[type eq "work"].value')?.source).toBe("[userPrincipalName]");
    expect(jcUsers.some((a) => a.target.endsWith(":manager"))).toBe(false);
    expect(jumpcloud.target.createsInactiveUsers).toBe(false);
    const ironwifi = apps.get("ironwifi")!.spec;
    expect(ironwifi.target.token?.pattern).toBe("^scim_[0-9a-f]{64}$");
    expect(ironwifi.target.groups.caseSensitive).toBe(true);
    expect(ironwifi.okta?.app.signOnMode).toBe("SWA");
    expect(ironwifi.otherIdps.map((o) => o.idp).sort()).toEqual(["google", "jumpcloud", "onelogin"]);
    expect(apps.get("ipass-smartconnect")!.spec.entra!.provisioning.tenantUrl).toBe("https://openmobile.ipass.com/moservices/scim/v1");
    expect(apps.get("airstack")!.spec.entra!.provisioning.tenantUrl).toBe("https://api-as.lenovosoftware.com/0/as/common/scim");
    expect(apps.get("spaceiq")!.spec.entra!.provisioning.tenantUrl).toBe("https://api.spaceiq.com/scim");
  });
});

describe("broken files", () => {
  const fixtures = readdirSync(brokenDir).filter((f) => f.endsWith(".yaml"));

  it("the corpus is not empty", () => expect(fixtures.length).toBeGreaterThan(15));

  for (const fixture of fixtures) {
    it(`${fixture} fails at the marked line`, async () => {
      const file = join(brokenDir, fixture);
      const expectations = readFileSync(file, "utf8")
        .split(/\r?\n/)
        .flatMap((line, i) => {
          const m = /# expect-error: (.*)$/.exec(line);
          return m ? [{ line: i + 1, text: m[1]!.trim() }] : [];
        });
      expect(expectations.length).toBeGreaterThan(0);
      const { io, err } = capture();
      const code = await validateCommand([file], io);
      expect(code).toBe(1);
      const errors = err.filter((l) => l.includes(": error: "));
      for (const { line, text } of expectations) {
        const atLine = errors.filter((l) => l.includes(`${fixture}:${line}:`));
        expect(atLine, `expected an error at line ${line} containing "${text}"; got:\n${errors.join("\n")}`).not.toEqual([]);
        expect(atLine.join("\n")).toContain(text);
        // FILE:LINE:COL: error: what — how
        expect(atLine[0]).toMatch(/^.+\.yaml:\d+:\d+: error: .+ — .+$/);
      }
      // One mistake, one message: nothing but the marked errors.
      expect(errors, errors.join("\n")).toHaveLength(expectations.length);
    });
  }
});

describe("diagnostic format", () => {
  it("is FILE:LINE:COL: error: what — how", () => {
    expect(formatDiagnostic({ file: "a.yaml", line: 3, column: 5, severity: "error", message: "bad", fix: "fix it" })).toBe("a.yaml:3:5: error: bad — fix it");
  });
});

describe("scoping operators (Graph's filterOperators spellings, graph-sync.md §13.1)", () => {
  const base = readFileSync(join(brokenDir, "bad-operator.yaml"), "utf8");
  const withClause = async (clause: string) => {
    const dir = mkdtempSync(join(tmpdir(), "scimops-op-"));
    const file = join(dir, "bad-operator.yaml");
    writeFileSync(file, base.replace(/- \{ attribute: department, operator: EQUAL, value: Sales \}.*$/m, clause));
    const { io, err } = capture();
    const code = await validateCommand([file], io);
    return { code, err };
  };

  it("warns, without failing, about an operator the portal documents but filterOperators does not list", async () => {
    const { code, err } = await withClause("- { attribute: department, operator: ENDS_WITH, value: les }");
    expect(code).toBe(0);
    expect(err.join("\n")).toMatch(/bad-operator\.yaml:37:\d+: warning: operator `ENDS_WITH` is documented for the portal but not listed by Graph's filterOperators/);
  });

  it("accepts the listed spelling silently and rejects the underscore guess", async () => {
    // The fixture is a copy of the (not yet imported) Airstack gallery file: its reconcile warning is not about operators.
    const about = (l: string) => /warning|error/.test(l) && !/reconciled with its gallery template/.test(l);
    expect((await withClause("- { attribute: accountEnabled, operator: IS TRUE }")).err.filter(about)).toEqual([]);
    const bad = await withClause("- { attribute: accountEnabled, operator: IS_TRUE }");
    expect(bad.code).toBe(1);
    expect(bad.err.join("\n")).toMatch(/error: .*IS TRUE/);
  });
});
