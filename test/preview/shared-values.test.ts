import { describe, expect, it } from "vitest";
import { JsonWriter, runPreview, type SampleUser } from "../../src/preview";
import { RepeatFilter, SharedValues, sharedValueKey } from "../../src/preview/shared-values";
import { seededRandom } from "../../bench/users";
import { previewer } from "./helpers";

/** The rule as a plain Map of every value: the findings the bounded version must reproduce. */
function naive(values: readonly [number, string, string][]): (string | undefined)[] {
  const first = new Map<string, string>();
  return values.map(([index, value, upn]) => {
    const key = `${index}\u0000${[...value].map((ch) => (ch.length === 1 ? (ch.charCodeAt(0) < 128 ? ch.toLowerCase() : ch.toLowerCase()[0]!) : ch)).join("")}`;
    const seen = first.get(key);
    if (seen === undefined) first.set(key, upn);
    return seen === upn ? undefined : seen;
  });
}

/** Both passes: the filter over every value, then the findings. */
function bounded(values: readonly [number, string, string][], bits?: number): { findings: (string | undefined)[]; remembered: number } {
  const filter = new RepeatFilter(bits);
  for (const [index, value] of values) filter.add(index, value);
  const shared = new SharedValues(filter);
  const findings = values.map(([index, value, upn]) => shared.firstOther(index, value, upn));
  return { findings, remembered: shared.remembered };
}

const crafted: [number, string, string][] = [
  [0, "adele.vance", "adele@contoso.example"],
  [0, "Adele.Vance", "megan@contoso.example"], // case differs: the same SCIM userName
  [1, "adele.vance", "alex@contoso.example"], // the same text under another matching attribute: not shared
  [0, "adele.vance", "adele@contoso.example"], // the same user again: not a finding
  [0, "ångström", "a1@contoso.example"],
  [0, "ÅNGSTRÖM", "a2@contoso.example"], // non-ASCII letters fold too
  [0, "zoë", "z1@contoso.example"],
  [0, "zoe", "z2@contoso.example"], // a different letter: not shared
  [0, "", "empty1@contoso.example"],
  [0, "", "empty2@contoso.example"],
  [0, "adele.vance", "third@contoso.example"], // the first user is still the one named
];

describe("shared matching values in bounded memory", () => {
  it("finds what a set of every value finds, on crafted values", () => {
    const expected = naive(crafted);
    expect(expected).toEqual([undefined, "adele@contoso.example", undefined, undefined, undefined, "a1@contoso.example", undefined, undefined, undefined, "empty1@contoso.example", "adele@contoso.example"]);
    expect(bounded(crafted).findings).toEqual(expected);
    expect(new SharedValues().firstOther(0, "x", "u")).toBeUndefined();
  });

  it("stays exact when every value collides in the filter (a 32-bit filter names every value as repeated)", () => {
    const random = seededRandom(7);
    const values: [number, string, string][] = [];
    for (let i = 0; i < 5_000; i++) {
      // Few distinct values among many users, in mixed case, under two matching attributes.
      const n = Math.floor(random() * 3_000);
      const value = random() < 0.5 ? `user${n}` : `USER${n}`;
      values.push([random() < 0.9 ? 0 : 1, value, `u${Math.floor(random() * 4_500)}@contoso.example`]);
    }
    const expected = naive(values);
    expect(expected.filter(Boolean).length).toBeGreaterThan(500);
    const tiny = bounded(values, 32);
    expect(tiny.findings).toEqual(expected);
    const full = bounded(values);
    expect(full.findings).toEqual(expected);
    // Every distinct value is remembered when all collide; with the full filter only the repeated ones.
    const distinct = new Set(values.map(([i, v]) => sharedValueKey(i, v))).size;
    expect(tiny.remembered).toBe(distinct);
    const repeated = new Map<string, number>();
    for (const [i, v] of values) repeated.set(sharedValueKey(i, v), (repeated.get(sharedValueKey(i, v)) ?? 0) + 1);
    expect(full.remembered).toBe([...repeated.values()].filter((n) => n > 1).length);
  });

  it("the filter never misses a value added twice", () => {
    const filter = new RepeatFilter(1 << 12);
    for (let i = 0; i < 2_000; i++) filter.add(0, `value-${i}`);
    for (let i = 0; i < 2_000; i += 7) filter.add(0, `VALUE-${i}`);
    for (let i = 0; i < 2_000; i += 7) expect(filter.mayRepeat(0, `value-${i}`)).toBe(true);
    expect(() => new RepeatFilter(100)).toThrow(RangeError);
  });

  it("runPreview (first pass, then the preview) gives the findings of previewing one by one, and remembers only repeated values", async () => {
    const users: SampleUser[] = [];
    for (let i = 0; i < 3_000; i++) users.push({ userPrincipalName: `user${i}@contoso.example`, mailNickname: `user${i}`, givenName: "U", surname: String(i), memberOf: ["SCIM Pilot"] });
    // Three users computing another's userName (JumpCloud matches on mailNickname), one in another case.
    users.push({ ...users[10]!, userPrincipalName: "late@contoso.example" });
    users.push({ ...users[20]!, userPrincipalName: "later@contoso.example", mailNickname: "USER20" });
    users.push({ ...users[2999]!, userPrincipalName: "last@contoso.example" });
    const oneByOne = previewer("jumpcloud");
    oneByOne.beginPass();
    const expected = users.map((u) => oneByOne.preview(u).violations.filter((v) => v.rule === "matching-value-shared").map((v) => v.message));
    expect(expected.filter((v) => v.length)).toHaveLength(3);
    expect(oneByOne.sharedValuesRemembered).toBe(3_000);

    const streamed = previewer("jumpcloud");
    const lines: string[] = [];
    let remembered = -1;
    const writer = new JsonWriter((line) => void lines.push(line), false);
    const endApp = writer.endApp.bind(writer);
    writer.endApp = (app) => {
      remembered = streamed.sharedValuesRemembered;
      endApp(app);
    };
    await runPreview([streamed], () => users, writer);
    // One user per line after the app's head line: `{…}`, then `,{…}`.
    const got = lines
      .filter((l) => l.startsWith('{"userPrincipalName"') || l.startsWith(',{"userPrincipalName"'))
      .map((l) => (JSON.parse(l.replace(/^,/, "")) as { violations: { rule: string; message: string }[] }).violations.filter((v) => v.rule === "matching-value-shared").map((v) => v.message));
    expect(got).toEqual(expected);
    expect(remembered).toBe(3);
  });
});
