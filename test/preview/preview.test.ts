import { readFileSync } from "node:fs";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import {
  AppPreviewer,
  JsonWriter,
  ENTERPRISE_USER_SCHEMA,
  CORE_USER_SCHEMA,
  PATCH_OP_SCHEMA,
  requestUrl,
  runPreview,
  sourceAttributes,
  withChanges,
  type PreviewWriter,
  type SampleUser,
  type UserPreview,
} from "../../src/preview";
import { clauseFailure, evaluateScoping } from "../../src/preview/scoping";
import { JsonArraySplitter, UserFileError } from "../../src/preview/json-stream";
import { APPS, plan, previewer, sampleUsers, user, usersPath } from "./helpers";

/** Error-severity rules the preview must flag, per app and user (UPN prefix); every other user has none. */
const DISABLED = ["disabled-not-provisioned"];
const EXPECTED_ERRORS: Record<string, Record<string, string[]>> = {
  airstack: { "pradeep.gupta": DISABLED },
  spaceiq: { "pradeep.gupta": DISABLED },
  "ipass-smartconnect": { "nestor.wilke": ["userName-domain"], "pradeep.gupta": DISABLED },
  ironwifi: { jane_fabrikam: ["required-attribute", "required-attribute"], "pradeep.gupta": DISABLED },
  jumpcloud: {
    "pradeep.gupta": DISABLED,
    jane_fabrikam: ["userName-pattern"],
    "liam.obrien": ["userName-pattern"],
    "sam.taylor": ["matching-attribute-missing"],
    "zoe.angstrom": ["userName-pattern"],
  },
};
const EXPECTED_WARNINGS: Record<string, Record<string, string[]>> = {
  ironwifi: { jane_fabrikam: ["group-name-case"], "liam.obrien": ["group-name-case"], "lee.gu": ["group-name-case"] },
};
const OUT_OF_SCOPE = ["isaiah.langer", "diego.siciliani", "grady.archie", "alex.wilber"];

const prefix = (upn: string) => upn.split("@")[0]!.replace(/#EXT#$/, "").replace(/\.example$/, "").replace(/^jane_fabrikam.*/, "jane_fabrikam");

describe("the bundled sample users", () => {
  const users = sampleUsers();

  it("has at least 12 users covering the documented cases", () => {
    expect(users.length).toBeGreaterThanOrEqual(12);
    expect(users.some((u) => /[éüłŁ]/.test(String(u.displayName)))).toBe(true);
    expect(users.some((u) => u.mail === null || u.mail === undefined)).toBe(true);
    expect(users.some((u) => u.accountEnabled === false)).toBe(true);
    expect(users.some((u) => u.userType === "Guest" && u.userPrincipalName.includes("#EXT#"))).toBe(true);
    expect(users.some((u) => String(u.displayName).length > 60)).toBe(true);
    expect(users.some((u) => u.mailNickname === undefined)).toBe(true);
    expect(users.some((u) => !u.userPrincipalName.endsWith("@contoso.example"))).toBe(true);
  });

  for (const app of APPS) {
    it(`${app}: scope, bodies and exactly the expected violations`, () => {
      const p = previewer(app);
      for (const u of users) {
        const r = p.preview(u);
        const key = prefix(u.userPrincipalName);
        const outOfScope = OUT_OF_SCOPE.includes(key) && !(app === "ironwifi" && key === "alex.wilber");
        expect(r.inScope, `${app} ${key} inScope`).toBe(!outOfScope);
        if (outOfScope) {
          expect(r.body).toBeNull();
          expect(r.violations).toEqual([]);
          continue;
        }
        if (key === "pradeep.gupta") {
          // Disabled before ever being provisioned: Entra does not create the user.
          expect(r.body, `${app} ${key} body`).toBeNull();
          expect(r.notes.some((n) => n.includes("provisioning a user that is disabled in Microsoft Entra ID isn't supported"))).toBe(true);
          continue;
        }
        expect(r.body, `${app} ${key} body`).not.toBeNull();
        expect(r.body!.schemas).toEqual([CORE_USER_SCHEMA, ENTERPRISE_USER_SCHEMA]);
        expect(r.body!.meta).toEqual({ resourceType: "User" });
        const errors = r.violations.filter((v) => v.severity === "error").map((v) => v.rule).sort();
        const warnings = r.violations.filter((v) => v.severity === "warning").map((v) => v.rule).sort();
        expect(errors, `${app} ${key} errors`).toEqual([...(EXPECTED_ERRORS[app]![key] ?? [])].sort());
        expect(warnings, `${app} ${key} warnings`).toEqual([...(EXPECTED_WARNINGS[app]?.[key] ?? [])].sort());
        for (const v of r.violations) expect(v.message.length).toBeGreaterThan(20);
      }
    });
  }
});

describe("POST /Users bodies", () => {
  it("airstack: the default SCIM mapping shaped like Entra's Create User request", () => {
    const r = previewer("airstack").preview(user("adele.vance"));
    expect(r.body).toEqual({
      schemas: [CORE_USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
      userName: "adele.vance@contoso.example",
      active: true,
      displayName: "Adele Vance",
      title: "Retail Manager",
      emails: [{ type: "work", value: "adele.vance@contoso.example", primary: true }],
      preferredLanguage: "en-US",
      name: { givenName: "Adele", familyName: "Vance", formatted: "Adele Vance" },
      addresses: [{ type: "work", formatted: "18/2111", streetAddress: "One Contoso Way", locality: "Seattle", region: "WA", postalCode: "98101", country: "US" }],
      // Only the work email is marked primary, as in Entra's Create User request; the phoneNumbers sample has none.
      phoneNumbers: [
        { type: "work", value: "+1 425 555 0109" },
        { type: "mobile", value: "+1 425 555 0110" },
      ],
      externalId: "adele.vance",
      [ENTERPRISE_USER_SCHEMA]: { employeeNumber: "E1001", department: "Retail" },
      meta: { resourceType: "User" },
    });
    // Keys in mapping order, schemas first.
    expect(Object.keys(r.body!)).toEqual(["schemas", "userName", "active", "displayName", "title", "emails", "preferredLanguage", "name", "addresses", "phoneNumbers", "externalId", ENTERPRISE_USER_SCHEMA, "meta"]);
    // The manager is a reference: not in the POST body, linked by a later update.
    expect(r.attributes[`${ENTERPRISE_USER_SCHEMA}:manager`]).toBe("1f6c2b9e-8a3d-4e71-9b0c-000000000003");
    expect(r.notes.some((n) => n.includes(":manager` is a reference"))).toBe(true);
    expect(r.matchQuery).toEqual({ method: "GET", path: '/Users?filter=userName eq "adele.vance@contoso.example"', query: { filter: 'userName eq "adele.vance@contoso.example"' } });
  });

  it("jumpcloud: userName from mailNickname, work email from the UPN, only supported attributes", () => {
    const r = previewer("jumpcloud").preview(user("jose.mueller"));
    expect(r.body).toEqual({
      schemas: [CORE_USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
      userName: "jose.mueller-lukasiewicz",
      active: true,
      displayName: "José Müller-Łukasiewicz",
      title: "Ingeniero de Redes",
      emails: [{ type: "work", value: "jose.mueller-lukasiewicz@contoso.example", primary: true }],
      name: { givenName: "José", familyName: "Müller-Łukasiewicz" },
      [ENTERPRISE_USER_SCHEMA]: { employeeNumber: "E1002", department: "IT" },
      meta: { resourceType: "User" },
    });
    expect(r.matchQuery?.path).toBe('/Users?filter=userName eq "jose.mueller-lukasiewicz"');
  });

  it("ironwifi: active from accountEnabled, mobile phone only, missing mail leaves emails out", () => {
    const p = previewer("ironwifi");
    expect(p.preview(user("pradeep.gupta")).body).toBeNull();
    const megan = p.preview(user("megan.bowen")).body!;
    expect(megan.emails).toBeUndefined();
    expect(megan).toMatchObject({ userName: "megan.bowen@contoso.example", active: true, name: { givenName: "Megan", familyName: "Bowen" } });
    expect(p.preview(user("jose.mueller")).body!.phoneNumbers).toEqual([{ type: "mobile", value: "+48 12 555 0199" }]);
  });

  it("a default value is sent on create only", () => {
    const p = previewer("airstack", {
      mutate: (s) => void s.entra!.mappings.users.attributes.push({ target: "userType", source: "[employeeType]", apply: "always", default: "Employee" }),
    });
    const before = p.evaluate(user("adele.vance"));
    expect(p.bodyOf(before).userType).toBe("Employee");
    expect(before.current.has("userType")).toBe(false);
    const after = p.evaluate(withChanges(user("adele.vance"), { employeeType: "Contractor" }));
    expect(p.updateRequest(before, after)?.body).toEqual({ schemas: [PATCH_OP_SCHEMA], Operations: [{ op: "Add", path: "userType", value: "Contractor" }] });
  });
});

describe("IsSoftDeleted, assignments and scoping filters", () => {
  const p = previewer("airstack");

  it("is True for disabled, unassigned, Default-Access-only and soft-deleted users, with the reason", () => {
    const cases: [string, RegExp, boolean][] = [
      ["pradeep.gupta", /^disabled/, true],
      ["isaiah.langer", /^not assigned to the app/, false],
      ["diego.siciliani", /Default Access role, which is excluded/, false],
      ["grady.archie", /^soft-deleted \(deletedDateTime 2025-05-02/, false],
    ];
    for (const [who, reason, inScope] of cases) {
      const r = p.preview(user(who));
      expect(r.isSoftDeleted, who).toBe(true);
      expect(r.softDeletedBecause.some((b) => reason.test(b)), `${who}: ${r.softDeletedBecause.join("; ")}`).toBe(true);
      expect(r.inScope, who).toBe(inScope);
    }
    // A disabled user is not created ("provisioning a user that is disabled in Microsoft Entra ID isn't supported").
    const pradeep = p.preview(user("pradeep.gupta"));
    expect(pradeep.body).toBeNull();
    expect(pradeep.violations.map((v) => v.rule)).toEqual(["disabled-not-provisioned"]);
    const adele = p.preview(user("adele.vance"));
    expect(adele.isSoftDeleted).toBe(false);
    expect(adele.assignment).toEqual({ assigned: true, roles: ["User"], refusedRoles: [], via: ["group SCIM Pilot"] });
  });

  it("direct assignments (assignedRoles) count per app; sync-all puts every user in scope", () => {
    // `via` also lists the stack's groups the user is in (they change with the stack): only the direct assignment is asserted there.
    const direct = previewer("ironwifi").preview(user("alex.wilber")).assignment;
    expect(direct.assigned).toBe(true);
    expect(direct.via).toContain("assignedRoles");
    expect(previewer("jumpcloud").preview(user("alex.wilber")).inScope).toBe(false);
    const all = previewer("airstack", { mutate: (s) => void (s.entra!.provisioning.scope = "allUsersAndGroups") });
    expect(all.preview(user("isaiah.langer")).inScope).toBe(true);
    expect(all.preview(user("grady.archie")).inScope).toBe(false);
  });

  it("reports which scoping-filter clause failed; filters are OR-ed, clauses AND-ed", () => {
    const scoped = previewer("airstack", {
      mutate: (s) => {
        s.entra!.mappings.users.scopingFilters = [
          { name: "Retail", clauses: [{ attribute: "department", operator: "EQUALS", value: "Retail" }] },
          {
            name: "Engineers abroad",
            clauses: [
              { attribute: "jobTitle", operator: "REGEX MATCH", value: "Engineer" },
              { attribute: "country", operator: "IS NOT NULL" },
            ],
          },
        ];
      },
    });
    const adele = scoped.preview(user("adele.vance"));
    expect(adele.scoping).toEqual({ passed: true, matchedFilter: "Retail", failures: [] });
    expect(adele.inScope).toBe(true);
    const liam = scoped.preview(user("liam.obrien"));
    expect(liam.inScope).toBe(false);
    expect(liam.body).toBeNull();
    expect(liam.scoping.failures.map((f) => [f.filter, f.attribute, f.operator])).toEqual([
      ["Retail", "department", "EQUALS"],
      ["Engineers abroad", "country", "IS NOT NULL"],
    ]);
    expect(liam.scoping.failures[0]!.reason).toBe('department is "Support", not "Retail" (case-sensitive)');
    expect(liam.softDeletedBecause.some((r) => r.startsWith("out of scope: Retail: department"))).toBe(true);
    const jose = scoped.preview(user("jose.mueller"));
    expect(jose.scoping.failures[1]).toMatchObject({ attribute: "jobTitle", reason: 'jobTitle "Ingeniero de Redes" does not match "Engineer"' });
  });

  it("implements each documented operator", () => {
    const attrs = { dept: "Sales", n: "42", flag: "True", off: "false", empty: "", upn: "john@contoso.com", multi: ["a", "b"] };
    const holds = (attribute: string, operator: string, value?: string | string[]) =>
      clauseFailure({ attribute, operator: operator as never, value }, attrs) === null;
    expect(holds("dept", "EQUALS", "Sales")).toBe(true);
    expect(holds("dept", "EQUALS", "sales")).toBe(false);
    expect(holds("dept", "NOT EQUALS", "sales")).toBe(true);
    expect(holds("dept", "NOT EQUALS", "Sales")).toBe(false);
    expect(holds("missing", "NOT EQUALS", "Sales")).toBe(false);
    expect(holds("dept", "ENDS_WITH", "les")).toBe(true);
    expect(holds("dept", "Includes", "al")).toBe(true);
    expect(holds("dept", "Includes", "AL")).toBe(false);
    expect(holds("dept", "&", "Sales,Marketing")).toBe(true);
    expect(holds("dept", "!&", "Sales,Marketing")).toBe(false);
    expect(holds("dept", "!&", "HR,IT")).toBe(true);
    expect(holds("n", "Greater_Than", "41")).toBe(true);
    expect(holds("n", "Greater_Than", "42")).toBe(false);
    expect(holds("n", "Greater_Than_OR_EQUALS", "42")).toBe(true);
    expect(holds("dept", "Greater_Than", "1")).toBe(false);
    expect(holds("flag", "IS TRUE")).toBe(true);
    expect(holds("off", "IS FALSE")).toBe(true);
    expect(holds("flag", "IS FALSE")).toBe(false);
    expect(holds("empty", "IS NULL")).toBe(true);
    expect(holds("missing", "IS NULL")).toBe(true);
    expect(holds("dept", "IS NULL")).toBe(false);
    expect(holds("dept", "IS NOT NULL")).toBe(true);
    expect(holds("upn", "REGEX MATCH", ".*\\@contoso.com")).toBe(true);
    expect(holds("upn", "NOT REGEX MATCH", ".*\\@contoso.com")).toBe(false);
    expect(holds("missing", "NOT REGEX MATCH", "x")).toBe(false);
    expect(holds("multi", "EQUALS", "a")).toBe(false);
    expect(evaluateScoping([], attrs)).toEqual({ passed: true, failures: [] });
  });
});

describe("PATCH requests in each dialect", () => {
  const ops = (p: AppPreviewer, u: SampleUser, changes: Record<string, unknown>) => {
    const req = p.updateRequest(p.evaluate(u), p.evaluate(withChanges(u, changes)));
    return req && (req.body as { schemas: string[]; Operations: unknown[] });
  };

  it("legacy (no aadOptscim062020): capitalised ops, one per attribute, booleans as strings", () => {
    const ipass = previewer("ipass-smartconnect");
    expect(ipass.dialect).toBe("legacy");
    const adele = ipass.preview(user("adele.vance"));
    expect(adele.update!.request!.body).toEqual({ schemas: [PATCH_OP_SCHEMA], Operations: [{ op: "Replace", path: "displayName", value: "Adele Vance (renamed)" }] });
    expect(adele.deprovision!.scopeExit!.body).toEqual({ schemas: [PATCH_OP_SCHEMA], Operations: [{ op: "Replace", path: "active", value: "False" }] });
    expect(adele.deprovision!.hardDelete).toEqual({ method: "DELETE", path: "/Users/{id}" });
    // A value that was absent is added.
    expect(ipass.preview(user("johanna.lorenz")).update!.request!.body).toEqual({ schemas: [PATCH_OP_SCHEMA], Operations: [{ op: "Add", path: "displayName", value: "johanna.lorenz (renamed)" }] });
    // A cleared value is not sent: Entra does not provision nulls (known-issues.md).
    expect(ops(ipass, user("adele.vance"), { givenName: "Adela", mobilePhone: null })!.Operations).toEqual([
      { op: "Replace", path: "name.givenName", value: "Adela" },
      { op: "Replace", path: "name.formatted", value: "Adela Vance" },
    ]);
    expect(ops(ipass, user("adele.vance"), { mobilePhone: null })).toBeNull();
    expect(ipass.preview({ ...user("adele.vance"), update: { mobilePhone: null } }).notes).toContain("a value the change clears is not sent: Entra does not provision null values, the target keeps the old value");
  });

  it("aadOptscim062020: lower-case ops, JSON booleans, filtered paths apart, other changes grouped", () => {
    const jc = previewer("jumpcloud");
    expect(jc.dialect).toBe("aadOptscim062020");
    const adele = jc.preview(user("adele.vance"));
    expect(adele.update!.request!.body).toEqual({ schemas: [PATCH_OP_SCHEMA], Operations: [{ op: "replace", path: "displayName", value: "Adele Vance (renamed)" }] });
    expect(adele.deprovision!.scopeExit!.body).toEqual({ schemas: [PATCH_OP_SCHEMA], Operations: [{ op: "replace", path: "active", value: false }] });
    expect(ops(jc, user("adele.vance"), { userPrincipalName: "adele.v@contoso.example", displayName: "Adele V", jobTitle: "Buyer" })!.Operations).toEqual([
      { op: "replace", path: 'emails[type eq "work"].value', value: "adele.v@contoso.example" },
      { op: "replace", value: { displayName: "Adele V", title: "Buyer" } },
    ]);
    // The same tenant URL without the flag selects the legacy dialect.
    const legacy = previewer("jumpcloud", { mutate: (s) => void (s.entra!.provisioning.tenantUrl = "https://api.jumpcloud.com/scim/v2/") });
    expect(legacy.dialect).toBe("legacy");
    expect(legacy.preview(user("adele.vance")).deprovision!.scopeExit!.body).toEqual({ schemas: [PATCH_OP_SCHEMA], Operations: [{ op: "Replace", path: "active", value: "False" }] });
  });

  it("ironwifi maps no IsSoftDeleted: nothing is sent on scope exit; disabling the account deactivates", () => {
    const iw = previewer("ironwifi");
    const adele = iw.preview(user("adele.vance"));
    expect(adele.deprovision!.scopeExit).toBeNull();
    expect(adele.notes).toContain("no mapping reads IsSoftDeleted: Entra sends nothing when the user is unassigned or leaves scope");
    expect(ops(iw, user("adele.vance"), { accountEnabled: false })!.Operations).toEqual([{ op: "Replace", path: "active", value: "False" }]);
  });

  it("the preview's incremental evaluation gives the same requests as evaluating the changed user in full", () => {
    const changeSets: Record<string, unknown>[] = [
      { displayName: "Renamed" },
      { givenName: "Ana", surname: null },
      { mobilePhone: "+1 555 0000", businessPhones: [] },
      { department: "Retail", jobTitle: null, employeeId: "X1" },
      { mailNickname: "new.nick", userPrincipalName: "new.nick@contoso.example" },
      { accountEnabled: false },
      { memberOf: [] },
      { mobile: "+1 555 1111" },
    ];
    let compared = 0;
    for (const app of APPS) {
      const p = previewer(app);
      for (const u of sampleUsers()) {
        const base = p.evaluate(u);
        for (const changes of changeSets) {
          const fast = p.changedVariant(base, u, changes);
          const full = p.evaluate(withChanges(u, changes));
          expect(p.updateRequest(base, fast), `${app} ${u.userPrincipalName} ${JSON.stringify(changes)}`).toEqual(p.updateRequest(base, full));
          expect(p.bodyOf(fast)).toEqual(p.bodyOf(full));
          compared++;
        }
        expect(p.bodyOf(p.softDeletedVariant(base))).toEqual(p.bodyOf(p.evaluate(u, true)));
      }
    }
    expect(compared).toBe(APPS.length * sampleUsers().length * changeSets.length);
  });

  it("the match query escapes the value as a SCIM string, and is URL-encoded on the wire", () => {
    const jc = previewer("jumpcloud");
    const odd = { ...user("adele.vance"), mailNickname: 'a"b\\c' };
    const r = jc.preview(odd);
    expect(r.matchQuery!.path).toBe('/Users?filter=userName eq "a\\"b\\\\c"');
    expect(requestUrl("https://api.jumpcloud.com/scim/v2", r.matchQuery!)).toBe("https://api.jumpcloud.com/scim/v2/Users?filter=userName%20eq%20%22a%5C%22b%5C%5Cc%22");
  });
});

describe("target rules per user", () => {
  it("iPass: registered domains come from the stack config; without it the rule is reported as unchecked", () => {
    const more = previewer("ipass-smartconnect", { config: { ipassRegisteredDomains: "contoso.example, Fabrikam-Labs.example" } });
    expect(more.preview(user("nestor.wilke")).violations).toEqual([]);
    const none = previewer("ipass-smartconnect", { config: {} });
    expect(none.warnings.join()).toContain("`ipassRegisteredDomains` is not set");
    expect(none.preview(user("nestor.wilke")).violations).toEqual([]);
    const dev = previewer("ipass-smartconnect").preview(user("nestor.wilke")).violations;
    expect(dev).toEqual([
      { rule: "userName-domain", severity: "error", attribute: "userName", message: "userName domain `fabrikam-labs.example` is not registered in iPass SmartConnect (registered: contoso.example)" },
    ]);
  });

  it("JumpCloud: unsupported and unlisted attributes are flagged for the users who send them", () => {
    const jc = previewer("jumpcloud", {
      mutate: (s) => {
        s.entra!.mappings.users.attributes.push({ target: `${ENTERPRISE_USER_SCHEMA}:manager`, source: "[manager]", apply: "always" });
        s.entra!.mappings.users.attributes.push({ target: 'addresses[type eq "work"].locality', source: "[city]", apply: "always" });
      },
    });
    const adele = jc.preview(user("adele.vance")).violations.map((v) => `${v.rule} ${v.attribute}`);
    expect(adele).toEqual([`unsupported-attribute ${ENTERPRISE_USER_SCHEMA}:manager`, 'unsupported-attribute addresses[type eq "work"].locality']);
    expect(jc.preview(user("megan.bowen")).violations).toEqual([]);
  });

  it("JumpCloud: user names that are email addresses or too long", () => {
    const jc = previewer("jumpcloud");
    expect(jc.preview({ ...user("adele.vance"), mailNickname: "adele@contoso.example" }).violations.map((v) => v.rule)).toEqual(["userName-email", "userName-pattern"]);
    const long = jc.preview({ ...user("adele.vance"), mailNickname: "a".repeat(1025) }).violations;
    expect(long.map((v) => v.rule)).toEqual(["max-length"]);
    expect(long[0]!.message).toBe("userName is 1025 characters; JumpCloud accepts at most 1024");
  });
});

describe("sample-user format", () => {
  it("maps Graph property names to the engine's source attribute names", () => {
    const a = sourceAttributes(user("adele.vance"));
    expect(a).toMatchObject({
      objectId: "1f6c2b9e-8a3d-4e71-9b0c-000000000001",
      physicalDeliveryOfficeName: "18/2111",
      telephoneNumber: "+1 425 555 0109",
      mobile: "+1 425 555 0110",
      facsimileTelephoneNumber: null,
      accountEnabled: "True",
      manager: "1f6c2b9e-8a3d-4e71-9b0c-000000000003",
    });
    expect(a).not.toHaveProperty("memberOf");
    expect(sourceAttributes({ userPrincipalName: "x@y", mobilePhone: "1", mobile: "2" }).mobile).toBe("2");
    expect(sourceAttributes({ userPrincipalName: "x@y", onPremisesExtensionAttributes: { extensionAttribute3: "E3" } }).extensionAttribute3).toBe("E3");
  });

  it("streams a JSON array, however it is chunked, and a Graph list response", () => {
    const text = readFileSync(usersPath, "utf8");
    const expected = JSON.parse(text) as unknown[];
    for (const size of [1, 7, 4096]) {
      const s = new JsonArraySplitter();
      const got: unknown[] = [];
      for (let i = 0; i < text.length; i += size) got.push(...s.push(text.slice(i, i + size)));
      s.end();
      expect(got).toEqual(expected);
    }
    const graph = JSON.stringify({ "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users", "@odata.nextLink": "value", value: expected.slice(0, 3) });
    const s = new JsonArraySplitter();
    const got: unknown[] = [];
    for (const ch of graph) got.push(...s.push(ch));
    s.end();
    expect(got).toEqual(expected.slice(0, 3));
    const bom = new JsonArraySplitter();
    expect(bom.push('\uFEFF[{"userPrincipalName": "a@b"}]')).toEqual([{ userPrincipalName: "a@b" }]);
    bom.end();
  });

  it("rejects malformed user files with a position", () => {
    const run = (text: string) => {
      const s = new JsonArraySplitter();
      s.push(text);
      s.end();
    };
    expect(() => run('"users"')).toThrow(UserFileError);
    expect(() => run('[{"userPrincipalName": "a@b"}')).toThrow(/ends in the middle/);
    expect(() => run('[{"a": 1}, 3]')).toThrow(/user 2 is not a JSON object/);
    expect(() => run('{"users": []}')).toThrow(/"value" array/);
    expect(() => run("[{\"a\": }]")).toThrow(/user 1/);
  });
});

describe("streaming", () => {
  it("hands each user to the writer before the next one is read", async () => {
    let generated = 0;
    const seenAt: number[] = [];
    // Each pass reads the users anew (a first pass fills the shared-matching-value filter): count per pass.
    function* source() {
      generated = 0;
      for (let i = 0; i < 500; i++) {
        generated++;
        yield { userPrincipalName: `user${i}@contoso.example`, mailNickname: `user${i}`, givenName: "U", surname: String(i), memberOf: ["SCIM Pilot"] };
      }
    }
    const writer: PreviewWriter = { beginApp() {}, user: (_p: UserPreview) => void seenAt.push(generated), endApp() {}, finish() {} };
    const [summary] = await runPreview([previewer("jumpcloud")], source, writer);
    expect(summary).toEqual({ users: 500, inScope: 500, withErrors: 0, withWarnings: 0 });
    expect(seenAt.every((g, i) => g === i + 1)).toBe(true);
  });

  it("the heap does not grow with the number of users (JSON output streamed to a sink)", async () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const p = previewer("airstack");
    function* generated(n: number) {
      for (let i = 0; i < n; i++) {
        yield { userPrincipalName: `user${i}@contoso.example`, mailNickname: `user${i}`, givenName: "Ann", surname: `Lee${i}`, displayName: `Ann Lee${i}`, mail: `user${i}@contoso.example`, mobilePhone: "+1 555 0100", memberOf: ["SCIM Pilot"] };
      }
    }
    const heapAfter = async (n: number) => {
      let bytes = 0;
      await runPreview([p], () => generated(n), new JsonWriter((line) => void (bytes += line.length), false));
      gc();
      gc();
      return { heap: process.memoryUsage().heapUsed, bytes };
    };
    await heapAfter(500);
    const small = await heapAfter(1_000);
    const large = await heapAfter(10_000);
    expect(large.bytes).toBeGreaterThan(9 * small.bytes);
    expect(large.bytes).toBeGreaterThan(10 * 1024 * 1024);
    // Output ten times larger, heap within a few MB of the small run's.
    expect(large.heap - small.heap).toBeLessThan(4 * 1024 * 1024);
  });

  it("a plan is compiled once and reused for every user", () => {
    const p = new AppPreviewer(plan("airstack"), {});
    const a = p.preview(user("adele.vance"));
    const b = p.preview(user("adele.vance"));
    expect(a).toEqual(b);
  });
});
