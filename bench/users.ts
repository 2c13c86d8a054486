/**
 * Deterministic users for the benchmarks (and seeded randomness for the tests): one PRNG, mulberry32,
 * and the two populations the benches run over. Same seed, same users, on every machine.
 *
 * - `generateSourceRecords` (bench/expressions.ts): engine-shaped source records, materialized.
 * - `generatePreviewUsers` (bench/preview.ts): Graph-shaped sample users, generated lazily one at a time
 *   (a fresh generator per pass), so nothing is held in memory.
 */
import type { SourceRecord } from "../src/expression";
import type { SampleUser } from "../src/preview";

/** Deterministic random numbers in [0, 1) (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---------------------------------------------------------------------------------------------
// bench/expressions.ts: the default SCIM user mapping's source attributes.

const EXPR_GIVEN = ["John", "Zoë", "Ana", "Wei", "Fatima", "Olivier", "Ngozi", "Åsa", "Mateo", "Priya"];
const EXPR_SURNAMES = ["Doe", "Smith", "Van der Berg", "García", "Nakamura", "O'Neil", "Kowalski", "Nguyen", "Müller", "Okafor"];
const EXPR_CITIES = ["Seattle", "Sydney", "Berlin", "São Paulo", "Lagos", "Tokyo"];
const EXPR_DEPARTMENTS = ["Sales", "Engineering", "Finance", "HR", ""];

/** `count` source records as the synchronization engine reads them. */
export function generateSourceRecords(count: number, seed = 20240501): SourceRecord[] {
  const rnd = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const maybe = (p: number, v: () => string): string | undefined => (rnd() < p ? v() : undefined);
  const users: SourceRecord[] = [];
  for (let i = 0; i < count; i++) {
    const given = maybe(0.95, () => pick(EXPR_GIVEN));
    const surname = maybe(0.95, () => pick(EXPR_SURNAMES));
    const nick = `${(given ?? "user").toLowerCase()}.${i}`;
    const u: Record<string, string | null> = {};
    const set = (k: string, v: string | null | undefined): void => {
      if (v !== undefined) u[k] = v;
    };
    set("userPrincipalName", `${nick}@contoso.com`);
    set("accountEnabled", rnd() < 0.9 ? "True" : "False");
    set("IsSoftDeleted", maybe(0.05, () => (rnd() < 0.5 ? "True" : "False")));
    set("displayName", maybe(0.98, () => `${given ?? ""} ${surname ?? ""}`.trim()));
    set("jobTitle", maybe(0.7, () => pick(["Engineer", "Manager", "Analyst", "Director"])));
    set("mail", maybe(0.9, () => `${nick}@contoso.com`));
    set("preferredLanguage", maybe(0.5, () => pick(["en-US", "fr-FR", "de-DE", "ja-JP"])));
    set("givenName", given);
    set("surname", surname);
    set("physicalDeliveryOfficeName", maybe(0.4, () => `Building ${1 + Math.floor(rnd() * 40)}`));
    set("streetAddress", maybe(0.5, () => `${1 + Math.floor(rnd() * 999)} Main Street`));
    set("city", maybe(0.6, () => pick(EXPR_CITIES)));
    set("state", maybe(0.5, () => pick(["WA", "NSW", "BE", "SP"])));
    set("postalCode", maybe(0.5, () => String(10000 + Math.floor(rnd() * 89999))));
    set("country", maybe(0.6, () => pick(["US", "AU", "DE", "BR"])));
    set("telephoneNumber", maybe(0.5, () => `+1 425555${String(Math.floor(rnd() * 10000)).padStart(4, "0")}`));
    set("mobile", maybe(0.4, () => `+1 206555${String(Math.floor(rnd() * 10000)).padStart(4, "0")}`));
    set("facsimileTelephoneNumber", maybe(0.05, () => "+1 4255550199"));
    set("mailNickname", nick);
    set("employeeId", maybe(0.8, () => String(100000 + i)));
    set("department", maybe(0.8, () => pick(EXPR_DEPARTMENTS)));
    set("manager", maybe(0.7, () => `00aa00aa-bb11-cc22-dd33-${String(i % 1000).padStart(12, "0")}`));
    if (rnd() < 0.02) u.department = null;
    users.push(u);
  }
  return users;
}

// ---------------------------------------------------------------------------------------------
// bench/preview.ts: Graph users with diacritics, guests, missing values, disabled and deleted accounts.

export const PREVIEW_SEED = 0x5c1a0b5;

const GIVEN = ["Adele", "José", "Megan", "Pradeep", "Zoë", "Liam", "Maximiliana Alexandrina", "Łukasz", "Søren", "Amélie", "Chen", "Oluwaseun"];
const SURNAMES = ["Vance", "Müller-Łukasiewicz", "Bowen", "Gupta", "Ångström", "O'Brien", "von Hohenzollern-Sigmaringen", "Nowak", "Kierkegaard", "Dubois", "Wei", "Adeyemi"];
const DEPARTMENTS = ["Retail", "IT", "Marketing", "Finance", "R&D", "Support", "Operations", null];
const GROUPS = ["Corporate-WiFi", "corporate-wifi", "Guest-WiFi", "Contractors"];

/** User i of a deterministic population (a fresh generator per pass, so nothing is held in memory). */
export function* generatePreviewUsers(count: number, seed = PREVIEW_SEED): Generator<SampleUser> {
  const random = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  for (let i = 0; i < count; i++) {
    const given = pick(GIVEN);
    const surname = pick(SURNAMES);
    const nick = `${given}.${surname}`.toLowerCase().replace(/[^a-z0-9.'-]/g, "") + i;
    const guest = random() < 0.05;
    const domain = random() < 0.03 ? "fabrikam-labs.example" : "contoso.example";
    const upn = guest ? `${nick}_fabrikam.example#EXT#@contoso.example` : `${nick}@${domain}`;
    const groups = [...(random() < 0.95 ? ["SCIM Pilot"] : []), ...(random() < 0.3 ? [pick(GROUPS)] : [])];
    yield {
      id: `00000000-0000-4000-8000-${i.toString(16).padStart(12, "0")}`,
      userPrincipalName: upn,
      displayName: `${given} ${surname}`,
      givenName: guest && random() < 0.5 ? null : given,
      surname: guest && random() < 0.5 ? null : surname,
      mail: random() < 0.1 ? null : `${nick}@${domain}`,
      mailNickname: random() < 0.02 ? undefined : guest ? `${nick}_fabrikam.example#EXT#` : nick,
      accountEnabled: random() >= 0.05,
      userType: guest ? "Guest" : "Member",
      jobTitle: random() < 0.8 ? "Engineer" : null,
      department: pick(DEPARTMENTS),
      employeeId: `E${100000 + i}`,
      city: "Seattle",
      country: "US",
      mobilePhone: random() < 0.5 ? `+1 425 555 ${String(i % 10000).padStart(4, "0")}` : null,
      businessPhones: random() < 0.5 ? ["+1 425 555 0100"] : [],
      deletedDateTime: random() < 0.01 ? "2025-05-02T09:14:00Z" : null,
      memberOf: groups,
    };
  }
}
