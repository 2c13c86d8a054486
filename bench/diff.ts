/**
 * Diff benchmark: `scimops diff`'s report (buildReport) over generated users (bench/users.ts, lazily) for
 * one app, IronWifi in the dev stack (groups mapping on, policies), whose head changes the displayName
 * mapping to `ToUpper([displayName])` — nearly every user changes, so the report must count them without
 * holding them. Each size runs in a fresh process with --expose-gc; after the last user (before the report
 * is assembled) a full GC, and the heap in use plus ArrayBuffers is what the diff holds. Prints one line:
 *
 *   {"bench":"diff","apps":1,"smallUsers":100000,"largeUsers":1000000,"usersPerSecond":…,"retainedHeapMbSmall":…,
 *    "retainedHeapMbLarge":…,"retainedHeapRatio":…,"peakRssMbSmall":…,"peakRssMbLarge":…,"usersAffected":…,"usersListed":…}
 *
 * usersPerSecond: users per second through the large run (both sides, and the first pass of the
 * shared-matching-value rule). retainedHeapRatio: large / small; flat is ≤ 1.1 (docs/diff.md). No timing
 * is asserted. Run: npx tsx bench/diff.ts [--users LARGE] (small = LARGE / 10; default 1,000,000).
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { buildReport } from "../src/diff/report";
import { loadSnapshot, type Snapshot } from "../src/diff/snapshot";
import { generatePreviewUsers } from "./users";

const root = join(__dirname, "..");
const APP = "ironwifi";
const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : undefined;
};
const LARGE = arg("--users") ?? 1_000_000;
const MEASURE = arg("--measure");

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

/** The project with only APP in the dev stack; `head`: its displayName mapping upper-cased. */
function snapshot(head: boolean): Snapshot {
  const s = loadSnapshot(root);
  for (const name of [...s.apps.keys()]) if (name !== APP) s.apps.delete(name);
  const dev = s.stacks.get("dev")!;
  dev.settings.apps = dev.settings.apps.filter((a) => a.name === APP);
  for (const name of [...s.stacks.keys()]) if (name !== "dev") s.stacks.delete(name);
  if (head) {
    const spec = s.apps.get(APP)!.spec;
    const row = spec.entra!.mappings.users!.attributes.find((a) => a.target === "displayName")!;
    row.source = "ToUpper([displayName])";
  }
  return s;
}

/** One diff of `count` users in this process; the retained bytes after the last user. */
async function measure(count: number): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("run with --expose-gc");
  let retained = 0;
  function* users() {
    yield* generatePreviewUsers(count);
    // Every user has been through both sides; the report is not yet assembled.
    gc!();
    gc!();
    const m = process.memoryUsage();
    retained = Math.max(retained, m.heapUsed + m.arrayBuffers);
  }
  const started = process.hrtime.bigint();
  const report = await buildReport({ base: snapshot(false), head: snapshot(true), baseRevision: "bench", stacks: ["dev"], users: users });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const app = report.stacks[0]!.apps[0]!;
  if (report.sampleUsers !== count || app.summary.usersAffected === 0) throw new Error("the benchmark did no work");
  process.stdout.write(
    `${JSON.stringify({ users: count, seconds, retainedHeapMb: round(retained / 1024 / 1024, 1), peakRssMb: round(process.resourceUsage().maxRSS / 1024, 1), usersAffected: app.summary.usersAffected, usersListed: app.users.length })}\n`,
  );
}

interface Measured {
  users: number;
  seconds: number;
  retainedHeapMb: number;
  peakRssMb: number;
  usersAffected: number;
  usersListed: number;
}

function fresh(count: number): Measured {
  const out = execFileSync(process.execPath, [...process.execArgv, "--expose-gc", __filename, "--measure", String(count)], { encoding: "utf8", maxBuffer: 1 << 20 });
  return JSON.parse(out) as Measured;
}

async function main(): Promise<void> {
  if (MEASURE !== undefined) return measure(MEASURE);
  const small = fresh(Math.max(1, Math.round(LARGE / 10)));
  const large = fresh(LARGE);
  process.stdout.write(
    `${JSON.stringify({
      bench: "diff",
      apps: 1,
      smallUsers: small.users,
      largeUsers: large.users,
      usersPerSecond: Math.round(large.users / large.seconds),
      retainedHeapMbSmall: small.retainedHeapMb,
      retainedHeapMbLarge: large.retainedHeapMb,
      retainedHeapRatio: round(large.retainedHeapMb / small.retainedHeapMb, 2),
      peakRssMbSmall: small.peakRssMb,
      peakRssMbLarge: large.peakRssMb,
      usersAffected: large.usersAffected,
      usersListed: large.usersListed,
    })}\n`,
  );
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
