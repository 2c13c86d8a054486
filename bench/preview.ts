/**
 * Preview benchmark: 100,000 generated users through all five apps (full preview: scope, IsSoftDeleted,
 * attribute values, SCIM requests, rule checks, streamed JSON output), side by side with evaluating the
 * same mappings' expressions alone over the same users. Users are generated lazily from a seeded PRNG and
 * the JSON goes to a byte-counting sink, so memory stays flat. Prints one JSON line:
 *
 *   {"bench":"preview","users":100000,"apps":5,"usersPerSecond":…,"ratioToEvalOnly":…,"peakRssMb":…}
 *
 * usersPerSecond: users per second, each taken through all apps. ratioToEvalOnly: preview time / time of
 * expression evaluation alone. No timing is asserted. Run: npx tsx bench/preview.ts [--users N]
 */
import { join } from "node:path";
import { compileExpression, type CompiledExpression } from "../src/expression";
import { AppPreviewer, JsonWriter, loadPreviewProject, runPreview, type SampleUser, sourceAttributes } from "../src/preview";
import { toSourceRecord } from "../src/preview/users";

const root = join(__dirname, "..");
const argUsers = process.argv.indexOf("--users");
const USERS = argUsers > 0 ? Number(process.argv[argUsers + 1]) : 100_000;
const SEED = 0x5c1a0b5;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const GIVEN = ["Adele", "José", "Megan", "Pradeep", "Zoë", "Liam", "Maximiliana Alexandrina", "Łukasz", "Søren", "Amélie", "Chen", "Oluwaseun"];
const SURNAMES = ["Vance", "Müller-Łukasiewicz", "Bowen", "Gupta", "Ångström", "O'Brien", "von Hohenzollern-Sigmaringen", "Nowak", "Kierkegaard", "Dubois", "Wei", "Adeyemi"];
const DEPARTMENTS = ["Retail", "IT", "Marketing", "Finance", "R&D", "Support", "Operations", null];
const GROUPS = ["Corporate-WiFi", "corporate-wifi", "Guest-WiFi", "Contractors"];

/** User i of a deterministic population (a fresh generator per pass, so nothing is held in memory). */
function* generateUsers(count: number, seed = SEED): Generator<SampleUser> {
  const random = mulberry32(seed);
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

async function main(): Promise<void> {
  const project = loadPreviewProject(root);
  const previewers = project.plans.map((plan) => new AppPreviewer(plan, { config: project.config, now: () => new Date("2025-06-01T00:00:00Z") }));

  // Evaluation alone: the apps' compiled mapping expressions over each user's source record.
  const compiled: CompiledExpression[][] = project.plans.map((plan) =>
    plan.entra!.mappings.find((m) => m.key === "users")!.attributes.flatMap((a) => (a.source ? [compileExpression(a.source)] : [])),
  );
  const evalOnly = (count: number): number => {
    let checksum = 0;
    for (const user of generateUsers(count)) {
      const attrs = sourceAttributes(user);
      for (const expressions of compiled) {
        const record = toSourceRecord(attrs, false, ["User"]);
        for (const evaluate of expressions) {
          const v = evaluate(record).value;
          if (v !== null) checksum += typeof v === "string" ? v.length : v.length;
        }
      }
    }
    return checksum;
  };
  let bytes = 0;
  const preview = async (count: number) => {
    const writer = new JsonWriter((line) => void (bytes += line.length + 1), true);
    await runPreview(previewers, () => generateUsers(count), writer);
  };

  // Warm up both paths.
  evalOnly(2_000);
  await preview(2_000);

  let t = process.hrtime.bigint();
  const checksum = evalOnly(USERS);
  const evalSeconds = Number(process.hrtime.bigint() - t) / 1e9;
  bytes = 0;
  t = process.hrtime.bigint();
  await preview(USERS);
  const previewSeconds = Number(process.hrtime.bigint() - t) / 1e9;
  if (checksum === 0 || bytes === 0) throw new Error("the benchmark did no work");

  const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
  process.stdout.write(
    `${JSON.stringify({
      bench: "preview",
      users: USERS,
      apps: previewers.length,
      usersPerSecond: Math.round(USERS / previewSeconds),
      ratioToEvalOnly: round(previewSeconds / evalSeconds, 2),
      peakRssMb: round(process.resourceUsage().maxRSS / 1024, 1),
    })}\n`,
  );
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
