/**
 * The preview's compiled paths against the reference ones: the JSON line written from the evaluated
 * values (`previewJson`) against `JSON.stringify(userJson(preview(user)))`, the compiled POST body
 * against `buildUserBody`, the per-app record builder against `sourceAttributes`, and the streamed output
 * (chunks, backpressure) against the lines themselves.
 */
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import {
  type AppPreviewer,
  buildUserBody,
  JsonWriter,
  runPreview,
  type SampleUser,
  sourceAttributes,
  StreamSink,
  userJson,
} from "../../src/preview";
import { compileBodyLayout } from "../../src/preview/body";
import { addToSummary, emptySummary } from "../../src/preview/output";
import { compileRecordBuilder } from "../../src/preview/users";
import type { AppSpec } from "../../src/spec/schema";
import { seededRandom } from "../../bench/users";
import { APPS, previewer, sampleUsers } from "./helpers";

const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/** Users mixing the sample users' fields with odd values: escapes, lists, aliases, extension attributes, changes. */
function mixedUsers(count: number, seed: number): SampleUser[] {
  const random = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const base = sampleUsers();
  const odd: unknown[] = [undefined, null, "", " ", 'a"b\\c', "tab\there", "ctl\u0001x", "lone\ud800", "Zoë 😀", "x".repeat(70), "ü".repeat(1030), 17, true, [], ["m1", "m2"], "Retail", "False"];
  const keys = ["displayName", "givenName", "surname", "mail", "mailNickname", "jobTitle", "department", "employeeId", "city", "country", "preferredLanguage", "employeeType", "extensionAttribute1", "mobile", "mobilePhone", "officeLocation", "businessPhones", "telephoneNumber", "faxNumber"];
  const updates: unknown[] = [undefined, undefined, {}, { displayName: "Renamed" }, { givenName: "Ana", surname: null }, { mobilePhone: "+1 5", businessPhones: [] }, { accountEnabled: false }, { memberOf: [] }, { mobile: "+1 6" }, { manager: { id: "m9" } }, { department: "Support" }];
  return Array.from({ length: count }, (_, i) => {
    const u: Record<string, unknown> = { ...pick(base), userPrincipalName: `${pick(["user", 'q"uote', "ünï", "emoji😀", "sp ace"])}${i}@${pick(["contoso.example", "fabrikam-labs.example"])}` };
    for (let k = 0; k < 4; k++) {
      const v = pick(odd);
      if (v === undefined) delete u[pick(keys)];
      else u[pick(keys)] = v;
    }
    if (random() < 0.2) u.onPremisesExtensionAttributes = { extensionAttribute1: pick(["20240101120000.0Z", "bad", null]), mobile: "+9 ext" };
    if (random() < 0.2) u.manager = pick([null, "mgr", { id: "m1" }, { userPrincipalName: "boss@contoso.example" }, {}]);
    if (random() < 0.1) u.assignedRoles = pick([{ "*": ["User", "Default Access"] }, { airstack: "Default Access" }, { ironwifi: "User" }]);
    if (random() < 0.1) u.accountEnabled = pick([false, "false", null]);
    if (random() < 0.05) u.deletedDateTime = "2025-05-02T09:14:00Z";
    const update = pick(updates);
    if (update === undefined) delete u.update;
    else u.update = update;
    return u as SampleUser;
  });
}

const users = (s: AppSpec) => s.entra!.mappings.users;
/** Plans that take the other branches: scoping filters, defaults, flow control, odd targets, dialects, actions. */
const VARIANTS: [string, string, (s: AppSpec) => void][] = [
  ["airstack", "scoping filters", (s) => {
    users(s).scopingFilters = [
      { name: "Retail", clauses: [{ attribute: "department", operator: "EQUALS", value: "Retail" }] },
      { name: "Named", clauses: [{ attribute: "displayName", operator: "IS NOT NULL" }, { attribute: "mobile", operator: "IS NULL" }] },
    ];
  }],
  ["airstack", "defaults, onCreate, flow control, other schemas and filters", (s) => {
    const a = users(s).attributes as Record<string, unknown>[];
    a.push({ target: "userType", source: "[employeeType]", apply: "always", default: "Employee" });
    a.push({ target: "nickName", source: "[mailNickname]", apply: "onCreate" });
    a.push({ target: "locale", source: "IgnoreFlowIfNullOrEmpty([preferredLanguage])" });
    a.push({ target: "urn:ietf:params:scim:schemas:extension:custom:2.0:User:badge", source: 'FormatDateTime([extensionAttribute1], , "yyyyMMddHHmmss.fZ", "yyyy-MM-dd")' });
    a.push({ target: 'emails[type eq "other"].value', source: "[otherMails]" });
    a.push({ target: 'emails[type eq "work"].primary', source: '"True"' });
    a.push({ target: 'entitlements[value eq "a\\"b"].display', source: "[department]" });
  }],
  ["airstack", "a body the compiled layout leaves to buildUserBody", (s) => {
    const a = users(s).attributes as Record<string, unknown>[];
    a.push({ target: "name.middleName", source: "[employeeType]" });
    a.push({ target: "0", source: "[city]" });
  }],
  ["jumpcloud", "legacy dialect, unsupported attributes, active not boolean", (s) => {
    s.entra!.provisioning.tenantUrl = "https://api.jumpcloud.com/scim/v2/";
    const a = users(s).attributes as Record<string, unknown>[];
    a.push({ target: `${ENTERPRISE}:manager`, source: "[manager]", apply: "always" });
    a.push({ target: "active", source: '"Maybe"' });
  }],
  ["airstack", "no create, no update", (s) => void (users(s).actions = ["delete"])],
  ["ironwifi", "IsSoftDeleted read twice, skip out-of-scope deletions", (s) => {
    s.entra!.provisioning.skipOutOfScopeDeletions = true;
    const a = users(s).attributes as Record<string, unknown>[];
    a.find((x) => x.target === "active")!.source = 'Switch([IsSoftDeleted], , "False", "True", "True", "False")';
    a.push({ target: "title", source: 'IIF([IsSoftDeleted]="True", "gone", [jobTitle])' });
  }],
];

function previewers(): [string, AppPreviewer][] {
  const clock = { now: () => new Date("2025-06-01T00:00:00Z") };
  return [
    ...APPS.map((app): [string, AppPreviewer] => [app, previewer(app, clock)]),
    ...VARIANTS.map(([app, name, mutate]): [string, AppPreviewer] => [`${app}: ${name}`, previewer(app, { ...clock, mutate })]),
  ];
}

describe("the JSON line written from the evaluated values", () => {
  const population = [...sampleUsers(), ...mixedUsers(400, 11)];

  for (const [name, p] of previewers()) {
    it(`${name}: previewJson(user) is JSON.stringify(userJson(preview(user))), and counts the user alike`, () => {
      const fast = emptySummary();
      const reference = emptySummary();
      for (const u of population) {
        const expected = JSON.stringify(userJson(p.preview(u)));
        expect(p.previewJson(u, fast), u.userPrincipalName).toBe(expected);
        addToSummary(reference, p.preview(u));
      }
      expect(fast).toEqual(reference);
    });
  }

  it("JsonWriter gives the same document through runPreview as through its user() method", async () => {
    const p = previewer("jumpcloud");
    const viaLines: string[] = [];
    await runPreview([p], () => population, new JsonWriter((l) => void viaLines.push(l), false));
    const viaObjects: string[] = [];
    const writer = new JsonWriter((l) => void viaObjects.push(l), false);
    await runPreview([p], () => population, { beginApp: (a) => writer.beginApp(a), user: (u) => writer.user(u), endApp: (a) => writer.endApp(a), finish: () => writer.finish() });
    expect(viaLines).toEqual(viaObjects);
  });
});

describe("the compiled POST body", () => {
  const TARGETS = [
    "userName",
    "active",
    "displayName",
    "name.givenName",
    "name.familyName",
    'emails[type eq "work"].value',
    'emails[type eq "other"].value',
    'emails[type eq "work"].primary',
    'addresses[type eq "work"].locality',
    'addresses[type eq "work"].country',
    'phoneNumbers[type eq "mobile"].value',
    `${ENTERPRISE}:department`,
    `${ENTERPRISE}:employeeNumber`,
    "urn:ietf:params:scim:schemas:extension:custom:2.0:User:badge",
    "roles",
    'entitlements[value eq "x"].display',
    "Active",
    "name",
    "meta.x",
    "0",
    'emails[display eq "w"].value',
    'emails[type eq "work"].type',
  ];
  const VALUES = ["v", "True", " false ", 'q"', "", ["a", "b"], ["c"]];

  it("writes what JSON.stringify(buildUserBody(values)) writes, for every layout it compiles", () => {
    const random = seededRandom(5);
    let compiled = 0;
    for (let round = 0; round < 3000; round++) {
      const targets = [...new Set(Array.from({ length: 1 + Math.floor(random() * 8) }, () => TARGETS[Math.floor(random() * TARGETS.length)]!))];
      const layout = compileBodyLayout(targets.map((target, index) => ({ index, target })));
      if (!layout) continue;
      compiled++;
      for (let k = 0; k < 5; k++) {
        const create = targets.map(() => (random() < 0.3 ? null : VALUES[Math.floor(random() * VALUES.length)]!));
        const values = targets.flatMap((t, i) => (create[i] === null ? [] : [[t, create[i]!] as const]));
        expect(layout.json(create), JSON.stringify(targets)).toBe(JSON.stringify(buildUserBody(values)));
      }
    }
    expect(compiled).toBeGreaterThan(1000);
  });

  it("leaves irregular layouts to buildUserBody", () => {
    const none = (targets: string[]) => compileBodyLayout(targets.map((target, index) => ({ index, target })));
    expect(none(["name", "name.givenName"])).toBeNull();
    expect(none(['emails[type eq "work"].value', 'emails[display eq "w"].value'])).toBeNull();
    expect(none(["0"])).toBeNull();
    expect(none(["meta"])).toBeNull();
    expect(none(["name.givenName", "displayName", "name.familyName"])).toBeNull();
    expect(none(["name.givenName", "name.familyName", "displayName"])).not.toBeNull();
  });
});

describe("the per-app record builder", () => {
  it("holds what sourceAttributes holds for the attributes it reads", () => {
    const names = ["userPrincipalName", "displayName", "mobile", "telephoneNumber", "physicalDeliveryOfficeName", "objectId", "facsimileTelephoneNumber", "manager", "extensionAttribute1", "mobilePhone", "memberOf", "otherMails", "accountEnabled", "employeeId", "missing"];
    const build = compileRecordBuilder(names)!;
    for (const u of [...sampleUsers(), ...mixedUsers(2000, 3)]) {
      const full = sourceAttributes(u);
      const record = build(u);
      for (const n of names) expect(record[n], `${u.userPrincipalName} ${n}`).toEqual(full[n]);
    }
  });

  it("is not built for names that are properties of every object", () => {
    expect(compileRecordBuilder(["constructor"])).toBeNull();
    expect(compileRecordBuilder(["__proto__"])).toBeNull();
    expect(compileRecordBuilder(["a b"])).toBeNull();
  });
});

describe("streamed output", () => {
  /** A Writable that takes `delay` ms per chunk; records the most bytes it ever had waiting. */
  function slowStream(highWaterMark: number, delay: number) {
    const chunks: Buffer[] = [];
    let maxWaiting = 0;
    const stream = new Writable({
      highWaterMark,
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk);
        setTimeout(callback, delay);
      },
    });
    const write = stream.write.bind(stream);
    stream.write = ((chunk: Buffer, ...rest: never[]) => {
      const ok = write(chunk, ...rest);
      maxWaiting = Math.max(maxWaiting, stream.writableLength);
      return ok;
    }) as typeof stream.write;
    return { stream, text: () => Buffer.concat(chunks).toString("utf8"), maxWaiting: () => maxWaiting };
  }

  it("waits for a slow reader: the output is complete and at most one chunk waits beyond the stream's buffer", async () => {
    const population = mixedUsers(600, 21);
    const p = previewer("airstack");
    const lines: string[] = [];
    await runPreview([p], () => population, new JsonWriter((l) => void lines.push(l), false));

    const slow = slowStream(16 * 1024, 1);
    const sink = new StreamSink(slow.stream, 8 * 1024);
    let waits = 0;
    await runPreview([p], () => population, new JsonWriter(sink.line, false), {
      ready: () => {
        const wait = sink.ready();
        if (wait) waits++;
        return wait;
      },
    });
    await sink.end();
    expect(slow.text()).toBe(`${lines.join("\n")}\n`);
    expect(waits).toBeGreaterThan(0);
    // A line is at most ~4 KB here: one chunk of 8 KB (plus the line that did not fit) on top of the buffer.
    expect(slow.maxWaiting()).toBeLessThan(16 * 1024 + 8 * 1024 + 16 * 1024);
  });

  it("adds the newline a line lacks, writes long lines whole, and reports a failed stream", async () => {
    const chunks: string[] = [];
    const sink = new StreamSink(
      new Writable({
        write(chunk: Buffer, _e, cb) {
          chunks.push(chunk.toString("utf8"));
          cb();
        },
      }),
      64,
    );
    sink.line("a");
    sink.line("b\n");
    sink.line("");
    sink.line("é".repeat(100));
    await sink.end();
    expect(chunks.join("")).toBe(`a\nb\n\n${"é".repeat(100)}\n`);

    const failing = new Writable({
      highWaterMark: 1,
      write(_chunk, _e, cb) {
        setImmediate(() => cb(new Error("disk full")));
      },
    });
    failing.on("error", () => {});
    const broken = new StreamSink(failing, 8);
    broken.line("0123456789");
    await expect(broken.end()).rejects.toThrow("disk full");
  });

  it("a synchronous source's values that are promises are awaited, as `for await` does", async () => {
    const u = sampleUsers()[0]!;
    const seen: string[] = [];
    await runPreview([previewer("airstack")], () => [Promise.resolve(u), u], { beginApp() {}, user: (p) => void seen.push(p.userPrincipalName), endApp() {}, finish() {} });
    expect(seen).toEqual([u.userPrincipalName, u.userPrincipalName]);
  });
});
