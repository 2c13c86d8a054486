// Benchmark: the default SCIM user mapping set (graph-sync.md §6.1) over 100,000 generated users,
// compiled expressions vs hand-written TypeScript computing the same outputs, side by side in one
// process. Rounds alternate which side runs first; the figures are medians. Prints one JSON line:
//   {"bench":"expressions","users":100000,"ratio":<ours / hand-written>, ...}
// Run: npx tsx bench/expressions.ts   (no assertions on time; `identical` checks the outputs agree)

import { compileExpression, type EvalResult, parseExpression, type SourceRecord } from "../src/expression";
import { generateSourceRecords } from "./users";

const USERS = 100_000;
const ROUNDS = 9;
const WARMUP_ROUNDS = 3;

/** §6.1 "Provision Microsoft Entra ID Users": target ← source expression (Direct rows are [attribute]). */
export const DEFAULT_USER_MAPPINGS: readonly { target: string; source: string }[] = [
  { target: "userName", source: "[userPrincipalName]" },
  { target: "active", source: 'Switch([IsSoftDeleted], , "False", "True", "True", "False")' },
  { target: "displayName", source: "[displayName]" },
  { target: "title", source: "[jobTitle]" },
  { target: 'emails[type eq "work"].value', source: "[mail]" },
  { target: "preferredLanguage", source: "[preferredLanguage]" },
  { target: "name.givenName", source: "[givenName]" },
  { target: "name.familyName", source: "[surname]" },
  { target: "name.formatted", source: 'Join(" ", [givenName], [surname])' },
  { target: 'addresses[type eq "work"].formatted', source: "[physicalDeliveryOfficeName]" },
  { target: 'addresses[type eq "work"].streetAddress', source: "[streetAddress]" },
  { target: 'addresses[type eq "work"].locality', source: "[city]" },
  { target: 'addresses[type eq "work"].region', source: "[state]" },
  { target: 'addresses[type eq "work"].postalCode', source: "[postalCode]" },
  { target: 'addresses[type eq "work"].country', source: "[country]" },
  { target: 'phoneNumbers[type eq "work"].value', source: "[telephoneNumber]" },
  { target: 'phoneNumbers[type eq "mobile"].value', source: "[mobile]" },
  { target: 'phoneNumbers[type eq "fax"].value', source: "[facsimileTelephoneNumber]" },
  { target: "externalId", source: "[mailNickname]" },
  { target: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber", source: "[employeeId]" },
  { target: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", source: "[department]" },
  { target: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager", source: "[manager]" },
];

// ---------------------------------------------------------------------------------------------
// The two implementations. Both return, per user, one EvalResult per mapping row, in order.

type Evaluate = (user: SourceRecord) => EvalResult[];

export function compiledMappingSet(): Evaluate {
  const compiled = DEFAULT_USER_MAPPINGS.map((m) => compileExpression(parseExpression(m.source)));
  const n = compiled.length;
  return (user) => {
    const out = new Array<EvalResult>(n);
    for (let i = 0; i < n; i++) out[i] = (compiled[i] as (u: SourceRecord) => EvalResult)(user);
    return out;
  };
}

/** A Direct row: the attribute's value (NULL when absent, arrays copied). */
function direct(v: string | readonly string[] | null | undefined): EvalResult {
  return { value: typeof v === "string" ? v : v === undefined || v === null ? null : v.slice(), flows: true };
}

/** What a person would write by hand for the same 22 rows (same NULL / array / IsSoftDeleted rules). */
export const handWrittenMappingSet: Evaluate = (u) => {
  // active: Switch([IsSoftDeleted], , "False", "True", "True", "False"); IsSoftDeleted falls back to accountEnabled.
  const soft = u.IsSoftDeleted;
  let softValue: string | null;
  if (soft === undefined) {
    const enabled = u.accountEnabled;
    const e = typeof enabled === "string" ? enabled : enabled == null ? null : (enabled[0] ?? null);
    softValue = e !== null && e.trim().toLowerCase() === "false" ? "True" : "False";
  } else {
    softValue = typeof soft === "string" ? soft : soft === null ? null : (soft[0] ?? null);
  }
  const active = softValue === "False" ? "True" : softValue === "True" ? "False" : null;
  // name.formatted: Join(" ", [givenName], [surname]) — NULL and "" skipped, every value of arrays.
  const g = u.givenName;
  const s = u.surname;
  let formatted: string;
  if (typeof g === "string" && typeof s === "string") formatted = g === "" ? s : s === "" ? g : `${g} ${s}`;
  else {
    const parts: string[] = [];
    for (const v of [g, s]) {
      if (typeof v === "string") {
        if (v !== "") parts.push(v);
      } else if (v) for (const x of v) if (x !== "") parts.push(x);
    }
    formatted = parts.join(" ");
  }
  return [
    direct(u.userPrincipalName),
    { value: active, flows: true },
    direct(u.displayName),
    direct(u.jobTitle),
    direct(u.mail),
    direct(u.preferredLanguage),
    direct(g),
    direct(s),
    { value: formatted, flows: true },
    direct(u.physicalDeliveryOfficeName),
    direct(u.streetAddress),
    direct(u.city),
    direct(u.state),
    direct(u.postalCode),
    direct(u.country),
    direct(u.telephoneNumber),
    direct(u.mobile),
    direct(u.facsimileTelephoneNumber),
    direct(u.mailNickname),
    direct(u.employeeId),
    direct(u.department),
    direct(u.manager),
  ];
};

// ---------------------------------------------------------------------------------------------

/** Runs one implementation over every user; returns elapsed ms and a checksum the JIT cannot drop. */
function timeRun(evaluate: Evaluate, users: readonly SourceRecord[]): { ms: number; checksum: number } {
  // Start each run from a clean heap when the runtime allows it (node --expose-gc), so that one side
  // does not pay for the other's garbage.
  (globalThis as { gc?: () => void }).gc?.();
  let checksum = 0;
  const started = process.hrtime.bigint();
  for (let i = 0; i < users.length; i++) {
    const out = evaluate(users[i] as SourceRecord);
    for (let j = 0; j < out.length; j++) {
      const v = (out[j] as EvalResult).value;
      checksum += v === null ? 1 : v.length;
    }
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  return { ms, checksum };
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};
const round3 = (x: number): number => Math.round(x * 1000) / 1000;

function sameOutputs(a: Evaluate, b: Evaluate, users: readonly SourceRecord[]): boolean {
  for (const u of users) {
    const x = a(u);
    const y = b(u);
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) {
      const p = x[i] as EvalResult;
      const q = y[i] as EvalResult;
      if (p.flows !== q.flows || JSON.stringify(p.value) !== JSON.stringify(q.value)) return false;
    }
  }
  return true;
}

function main(): void {
  const users = generateSourceRecords(USERS);
  const compileStarted = process.hrtime.bigint();
  const ours = compiledMappingSet();
  const compileMs = Number(process.hrtime.bigint() - compileStarted) / 1e6;
  const hand = handWrittenMappingSet;

  const identical = sameOutputs(ours, hand, users);
  for (let i = 0; i < WARMUP_ROUNDS; i++) {
    timeRun(ours, users);
    timeRun(hand, users);
  }
  const oursMs: number[] = [];
  const handMs: number[] = [];
  const ratios: number[] = [];
  let checksumsAgree = true;
  for (let r = 0; r < ROUNDS; r++) {
    const [first, second] = r % 2 === 0 ? [ours, hand] : [hand, ours];
    const a = timeRun(first, users);
    const b = timeRun(second, users);
    const o = first === ours ? a : b;
    const h = first === ours ? b : a;
    oursMs.push(o.ms);
    handMs.push(h.ms);
    ratios.push(o.ms / h.ms);
    checksumsAgree &&= o.checksum === h.checksum;
  }
  const result = {
    bench: "expressions",
    users: USERS,
    ratio: round3(median(oursMs) / median(handMs)),
    medianRoundRatio: round3(median(ratios)),
    oursMs: round3(median(oursMs)),
    handWrittenMs: round3(median(handMs)),
    oursNsPerUser: Math.round((median(oursMs) * 1e6) / USERS),
    handWrittenNsPerUser: Math.round((median(handMs) * 1e6) / USERS),
    mappings: DEFAULT_USER_MAPPINGS.length,
    rounds: ROUNDS,
    compileMs: round3(compileMs),
    identical: identical && checksumsAgree,
    node: process.version,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (require.main === module) main();
