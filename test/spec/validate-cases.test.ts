import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { validateCommand } from "../../src/cli/validate";
import { loadAppText } from "../../src/spec/load";
import { checkApp } from "../../src/spec/check";
import { checkExpressionText, checkScopingClause } from "../../src/spec/check-expressions";
import { checkSecretFormats, type RevealSecret } from "../../src/spec/check-secrets";
import { loadProject, listAppFiles } from "../../src/spec/project";
import { diagnosticRecord, formatDiagnostic, type Diagnostic } from "../../src/spec/diagnostics";
import { loadStackFile } from "../../src/spec/stack";
import { hugeAppText } from "./huge-app";
import { previewer } from "../preview/helpers";

const root = join(__dirname, "..", "..");
const work = mkdtempSync(join(tmpdir(), "scimops-validate-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: (s: string) => void out.push(s), stderr: (s: string) => void err.push(s) }, out, err };
}

/** airstack.yaml renamed to `name`, with `edit` applied to its text; loaded and checked. */
function checkEdited(name: string, edit: (text: string) => string): Diagnostic[] {
  const text = edit(readFileSync(join(root, "mappings", "airstack.yaml"), "utf8").replace("name: airstack\n", `name: ${name}\n`));
  const loaded = loadAppText(join(work, `${name}.yaml`), text);
  if (!loaded.ok) return loaded.diagnostics;
  return [...loaded.diagnostics, ...checkApp(loaded.app)];
}

const errorsOf = (ds: Diagnostic[]) => ds.filter((d) => d.severity === "error");
const user = { object: "User", declared: [], target: "x" };

describe("a 100k-row app file", () => {
  it("is read and its one mistake reported at its line", { timeout: 180_000 }, async () => {
    const { text, brokenLine } = hugeAppText(root);
    expect(text.split("\n").length).toBeGreaterThan(100_000);
    const file = join(work, "huge.yaml");
    writeFileSync(file, text);
    const { io, err } = capture();
    expect(await validateCommand([file, "--quiet"], io)).toBe(1);
    const errors = err.filter((l) => l.includes(": error: "));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(`huge.yaml:${brokenLine}:`);
    expect(errors[0]).toContain("did you mean `department`?");
  });
});

describe("source attributes", () => {
  it("accepts directory extensions and attributes the file declares", () => {
    const ds = checkEdited("custom-sources", (t) =>
      t
        .replace("  roles:\n", "  sourceAttributes:\n    - { name: badgeNumber }\n    - { name: isContractor, type: Boolean }\n  roles:\n")
        .replace('        - { target: externalId, source: "[mailNickname]" }\n', '        - { target: externalId, source: "[badgeNumber]" }\n        - { target: locale, source: "[extension_9d98a8f2b51f4f2d9a3d3b7e5f6a1c2d_locale]" }\n')
        .replace("      actions: [create, update, delete]\n      attributes:\n        - { target: userName", "      actions: [create, update, delete]\n      scopingFilters:\n        - name: Staff\n          clauses:\n            - { attribute: isContractor, operator: IS FALSE }\n      attributes:\n        - { target: userName"),
    );
    expect(errorsOf(ds)).toEqual([]);
  });

  it("without the declaration the same attribute is an error naming the way to declare it", () => {
    const ds = checkEdited("undeclared-source", (t) => t.replace('source: "[mailNickname]" }', 'source: "[badgeNumber]" }'));
    expect(errorsOf(ds).map((d) => d.message)).toEqual(["`badgeNumber` is not a Microsoft Entra user attribute the provisioning service offers"]);
    expect(errorsOf(ds)[0]!.fix).toContain("entra.sourceAttributes");
  });

  it("checks group mappings against group attributes", () => {
    expect(checkExpressionText("[members]", { ...user, object: "Group" })).toEqual([]);
    expect(checkExpressionText("[members]", user).map((p) => p.severity)).toEqual(["error"]);
    expect(checkExpressionText("[jobTitle]", { ...user, object: "Group" })[0]!.message).toContain("Microsoft Entra group attribute");
  });

  it("a name that differs only in case is a warning with the exact spelling", () => {
    const problems = checkExpressionText("[jobtitle]", user);
    expect(problems).toMatchObject([{ severity: "warning", fix: "write `jobTitle` (the previewer reads attributes by their exact name)" }]);
  });
});

describe("expression arguments", () => {
  it("accepts Microsoft's documented examples", () => {
    for (const text of [
      'FormatDateTime([extensionAttribute1], , "yyyyMMddHHmmss.fZ", "yyyy-MM-dd")',
      "Mid([userPrincipalName], 1, 8)",
      'Join(" ", [givenName], [surname])',
      'Switch([IsSoftDeleted], , "False", "True", "True", "False")',
      'Replace([userPrincipalName], , "(?<user>[^@]+)@.*", , "x", , )',
      "Left([displayName], 51)",
      "Mid([mail], [employeeId], 2)",
    ]) {
      expect(checkExpressionText(text, user), text).toEqual([]);
    }
  });

  it("reports one problem, at the argument, for each kind of mistake", () => {
    const cases: [string, string, number][] = [
      ['Left([displayName], "ten")', "must be a whole number", 20],
      ['Mid([mail], "a", 2)', "start must be a whole number", 12],
      ["Mid([mail], [manager], 2)", "[manager] is a Reference attribute", 12],
      ["Mid([mail], [displayName], 2)", "[displayName] holds text", 12],
      ['Replace([mail], , "[a-z", , "", , )', "is not a valid .NET regular expression", 18],
      ['Replace([mail], , "a{3,1}", , "", , )', "is not a valid .NET regular expression", 18],
      ['FormatDateTime([employeeHireDate], , "yyyy-MM-dd", "DD.MM.YYYY")', "`D` is not a .NET date format specifier", 51],
      ['FormatDateTime([employeeHireDate], , "yyyy-MM-dd", "q")', "is not a standard date format", 51],
    ];
    for (const [text, message, offset] of cases) {
      const problems = checkExpressionText(text, user);
      expect(problems, text).toHaveLength(1);
      expect(problems[0]!.message, text).toContain(message);
      expect(problems[0]!.offset, text).toBe(offset);
      expect(problems[0]!.severity).toBe("error");
    }
  });
});

describe("regular expressions", () => {
  it("a valid .NET construct the previewer cannot run is a warning, not a false error", () => {
    const problems = checkExpressionText('Replace([mail], , "a(?(x)b|c)", , "", , )', user);
    expect(problems).toMatchObject([{ severity: "warning", message: expect.stringContaining("uses a .NET construct scimops cannot evaluate") }]);
  });
});

describe("scoping clauses", () => {
  it("accept what Entra accepts", () => {
    expect(checkScopingClause({ attribute: "accountEnabled", operator: "IS TRUE" }, "User", [])).toEqual([]);
    expect(checkScopingClause({ attribute: "userPrincipalName", operator: "REGEX MATCH", value: ".*\\@contoso\\.com" }, "User", [])).toEqual([]);
  });

  it("reject Boolean operators on other types, unsupported attributes and .NET-invalid patterns, whatever the operator's spelling", () => {
    expect(checkScopingClause({ attribute: "department", operator: "IS_TRUE" }, "User", [])[0]!.message).toContain("applies to Boolean attributes");
    expect(checkScopingClause({ attribute: "userType", operator: "EQUALS", value: "Member" }, "User", [])[0]!.message).toContain("not supported in scoping filters");
    expect(checkScopingClause({ attribute: "employeeId", operator: "NOT_REGEX_MATCH", value: ["(1", "2"] }, "User", [])).toMatchObject([{ field: "value", index: 0 }]);
  });
});

describe("target rules that do not depend on the file", () => {
  it("JumpCloud's primary email must come from userPrincipalName even in a file without requiredSources", () => {
    const text = readFileSync(join(root, "mappings", "jumpcloud.yaml"), "utf8")
      .replace("name: jumpcloud\n", "name: old-jumpcloud\n")
      .replace(/  # "The attribute, mail[^\n]*\n  requiredSources:\n(    [^\n]*\n)+/, "")
      .replace(`'emails[type eq "work"].value', source: "[userPrincipalName]"`, `'emails[type eq "work"].value', source: "[mail]"`);
    expect(text).not.toContain("requiredSources");
    const loaded = loadAppText(join(work, "old-jumpcloud.yaml"), text);
    expect(loaded.ok && errorsOf(checkApp(loaded.app)).map((d) => d.message)).toEqual([expect.stringContaining("to come from [userPrincipalName]")]);
  });
});

describe("roles without a roles: section", () => {
  it("validate rejects Default Access, and preview skips the same assignment", () => {
    const broken = join(root, "test", "fixtures", "broken", "default-access-no-roles.yaml");
    const loaded = loadAppText(broken, readFileSync(broken, "utf8"));
    expect(loaded.ok && errorsOf(checkApp(loaded.app)).map((d) => d.message)).toEqual([expect.stringContaining("role `Default Access` is skipped by provisioning")]);
    const p = previewer("jumpcloud").preview({ userPrincipalName: "pat@contoso.example", mailNickname: "pat", accountEnabled: true, assignedRoles: { jumpcloud: "Default Access" } });
    expect(p.assignment).toMatchObject({ assigned: false, refusedRoles: ["Default Access"] });
  });
});

describe("public preview", () => {
  it("validate shows SpaceIQ's preview status, and so does preview", async () => {
    const { io, err } = capture();
    expect(await validateCommand([join(root, "mappings", "spaceiq.yaml")], io)).toBe(0);
    expect(err.join("\n")).toMatch(/spaceiq\.yaml:\d+:\d+: warning: SpaceIQ's provisioning connector is in public preview/);
    expect(previewer("spaceiq").warnings).toContain("SpaceIQ's provisioning connector is in public preview (Supplemental Terms of Use for Microsoft Azure Previews apply)");
    expect(previewer("airstack").warnings.join()).not.toContain("public preview");
  });
});

describe("diagnostics as data", () => {
  it("every diagnostic of the broken corpus carries file, line, col, severity, message and fix", () => {
    const dir = join(root, "test", "fixtures", "broken");
    const files = readdirSync(dir).filter((f) => f.endsWith(".yaml")).map((f) => join(dir, f));
    const stacks = files.filter((f) => /Pulumi\./.test(f));
    const { diagnostics } = loadProject(files.filter((f) => !stacks.includes(f)), stacks, listAppFiles(root));
    expect(diagnostics.length).toBeGreaterThan(files.length - 1);
    for (const d of diagnostics) {
      const r = diagnosticRecord(d);
      expect(Object.keys(r)).toEqual(["file", "line", "col", "severity", "message", "fix"]);
      expect(r.line).toBeGreaterThanOrEqual(1);
      expect(r.col).toBeGreaterThanOrEqual(1);
      expect(r.message.length && r.fix.length, formatDiagnostic(d)).toBeTruthy();
    }
  });
});

describe("validate decrypts a passphrase stack's token in memory", () => {
  // Written by pulumi v3.259.0 (`stack init --secrets-provider passphrase`, passphrase "pw", then
  // `config set --secret scimops:ironwifiScimToken scim_abc`): the salt line and the secure value as Pulumi stores them.
  const stackFile = join(work, "Pulumi.pw.yaml");
  writeFileSync(stackFile, [
    "encryptionsalt: v1:MlVCSFF0G+g=:v1:6ByLegCYS47x7Lqi:jIMRVHUIY02zJmeEAxCWsUEousI8Pg==",
    "config:",
    "  scimops:notificationEmail: ops@contoso.example",
    "  scimops:apps:",
    "    - name: ironwifi",
    "      parameters: { region: us-east }",
    "  scimops:ironwifiScimToken:",
    "    secure: v1:iMN+7q4/6Sx2rrUY:dw/J+kMzs99EywiFdlAF5FsXcsT9UJ7Y",
    "",
  ].join("\n"));

  it("with PULUMI_CONFIG_PASSPHRASE: an error at the secret, without its value", { timeout: 60_000 }, async () => {
    const saved = process.env.PULUMI_CONFIG_PASSPHRASE;
    process.env.PULUMI_CONFIG_PASSPHRASE = "pw";
    try {
      const { io, err } = capture();
      expect(await validateCommand([stackFile], io)).toBe(1);
      const errors = err.filter((l) => l.includes(": error: "));
      expect(errors).toEqual([expect.stringMatching(/Pulumi\.pw\.yaml:8:\d+: error: `scimops:ironwifiScimToken` is not an IronWifi token/)]);
      expect(err.join("\n")).not.toContain("scim_abc");
    } finally {
      if (saved === undefined) delete process.env.PULUMI_CONFIG_PASSPHRASE;
      else process.env.PULUMI_CONFIG_PASSPHRASE = saved;
    }
  });

  it("without it: a note that the check was skipped, and no error", async () => {
    const saved = process.env.PULUMI_CONFIG_PASSPHRASE;
    delete process.env.PULUMI_CONFIG_PASSPHRASE;
    try {
      const { io, err } = capture();
      expect(await validateCommand([stackFile], io)).toBe(0);
      expect(err.join("\n")).toContain("warning: the format of `scimops:ironwifiScimToken` was not checked: no passphrase is available");
    } finally {
      if (saved !== undefined) process.env.PULUMI_CONFIG_PASSPHRASE = saved;
    }
  });
});

describe("secret formats before up", () => {
  const stackFile = join(work, "Pulumi.secrets.yaml");
  writeFileSync(stackFile, "config:\n  scimops:notificationEmail: ops@contoso.example\n  scimops:apps:\n    - name: ironwifi\n      idps: [entra, okta]\n      parameters: { region: us-east }\n  scimops:ironwifiScimToken:\n    secure: v1:AAAA:BBBB\n");
  const apps = loadProject([], [stackFile], listAppFiles(root)).apps;
  const stack = () => {
    const loaded = loadStackFile(stackFile);
    if (!loaded.ok) throw new Error(loaded.diagnostics.map(formatDiagnostic).join("\n"));
    return loaded.stack;
  };
  const revealing = (value: string): RevealSecret => async () => ({ value });

  it("a token that is not scim_ + 64 hex is an error that never shows the token", async () => {
    const token = "scim_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde"; // 63 hex digits
    const ds = await checkSecretFormats(stack(), apps, revealing(token));
    expect(ds.map((d) => [d.severity, d.line])).toEqual([["error", 8]]);
    expect(ds[0]!.message).toContain("IronWifi tokens are scim_ followed by 64 hexadecimal characters");
    expect(formatDiagnostic(ds[0]!)).not.toContain("0123456789");
  });

  it("a well-formed token passes; an unreadable one is a single note", async () => {
    expect(await checkSecretFormats(stack(), apps, revealing(`scim_${"a1".repeat(32)}`))).toEqual([]);
    const skipped = await checkSecretFormats(stack(), apps, async () => ({ unavailable: "no passphrase is available (PULUMI_CONFIG_PASSPHRASE is not set)" }));
    expect(skipped.map((d) => d.severity)).toEqual(["warning"]);
  });
});

describe("credentials in a URL", () => {
  it("a tenant URL with `user:password@` is one error at the URL that does not repeat the password", () => {
    const ds = errorsOf(checkEdited("airstack-creds", (t) => t.replace("tenantUrl: https://", "tenantUrl: https://admin:pasted-Secret-71f@")));
    expect(ds.map((d) => d.message)).toEqual(["the URL carries credentials (`user:password@` before the host)"]);
    expect(ds.map(formatDiagnostic).join("\n")).not.toContain("pasted-Secret-71f");
    // An @ in the path or query is not a credential.
    expect(errorsOf(checkEdited("airstack-at", (t) => t.replace(/tenantUrl: (https:\/\/[^\s]+)/, "tenantUrl: $1?owner=ops@contoso.example")))).toEqual([]);
  });
});
