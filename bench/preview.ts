/**
 * Preview benchmark: 100,000 generated users through all five apps (full preview: scope, IsSoftDeleted,
 * attribute values, SCIM requests, rule checks, JSON output), side by side with evaluating the same
 * mappings' expressions alone over the same users; and the flat-memory check at 1,000,000 users. Users
 * are generated lazily from a seeded PRNG (bench/users.ts); the JSON goes the way `scimops preview
 * --format json` sends it to stdout — through a StreamSink (chunks, backpressure) into a Writable, here
 * one that only counts bytes. Prints one JSON line:
 *
 *   {"bench":"preview","users":100000,"apps":5,"usersPerSecond":…,"ratioToEvalOnly":…,"peakRssMb":…,"peakRssMb10k":…,
 *    "retainedHeapMb":…,"retainedHeapMb10k":…,"largeUsers":1000000,"usersPerSecondLarge":…,"peakRssMbLarge":…,
 *    "retainedHeapMbLarge":…,"retainedHeapRatio":…,"evalOnlyMs":…,"previewMs":…,"outputMb":…}
 *
 * usersPerSecond: users per second, each taken through all apps (with the shared-value rule's first pass).
 * ratioToEvalOnly: preview time / time of expression evaluation alone (medians of alternating rounds).
 * peakRssMb*: peak resident memory of a fresh process that previews USERS / 10,000 / LARGE users (same
 * code, same output path, default V8 settings). retainedHeapMb*: what those processes hold — after a full
 * garbage collection at the end of each app's users (before the pass lets go of anything), the heap in use
 * plus ArrayBuffers (the shared-value filters), the largest of the apps; it must not depend on the number
 * of users. retainedHeapRatio: LARGE / USERS, flat when ≤ 1.1 (docs/preview.md). usersPerSecondLarge: the
 * LARGE process's own rate. No timing is asserted.
 * Run: npx tsx bench/preview.ts [--users N] [--large M] (M defaults to 10 × N).
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { Writable } from "node:stream";
import { compileExpression, type CompiledExpression } from "../src/expression";
import { AppPreviewer, JsonWriter, loadPreviewProject, type PreviewWriter, runPreview, sourceAttributes, StreamSink } from "../src/preview";
import { toSourceRecord } from "../src/preview/users";
import { generatePreviewUsers } from "./users";

const root = join(__dirname, "..");
const argUsers = process.argv.indexOf("--users");
const USERS = argUsers > 0 ? Number(process.argv[argUsers + 1]) : 100_000;
const RSS_ONLY = process.argv.includes("--rss-only");
const SMALL = 10_000;
/** The flat-memory check: a fresh process previews LARGE users (default 10 × USERS, 1,000,000). */
const argLarge = process.argv.indexOf("--large");
const LARGE = argLarge > 0 ? Number(process.argv[argLarge + 1]) : USERS * 10;
const ROUNDS = 3;

const project = loadPreviewProject(root);
const previewers = project.plans.map((plan) => new AppPreviewer(plan, { config: project.config, now: () => new Date("2025-06-01T00:00:00Z") }));

/** Evaluation alone: the apps' compiled mapping expressions over each user's source record. */
const compiled: CompiledExpression[][] = project.plans.map((plan) =>
  plan.entra!.mappings.find((m) => m.key === "users")!.attributes.flatMap((a) => (a.source ? [compileExpression(a.source)] : [])),
);
function evalOnly(count: number): number {
  let checksum = 0;
  for (const user of generatePreviewUsers(count)) {
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
}

/**
 * What a run holds: after a full GC, the heap in use plus the ArrayBuffers outside it (the shared-value
 * filters are typed arrays), taken at the end of each app's users — before the app's pass lets go of
 * anything — and the largest kept.
 */
function retainedBytes(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("run with --expose-gc");
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** The full preview of `count` users, JSON streamed into a byte-counting Writable; returns the bytes. */
async function preview(count: number, sample?: (bytes: number) => void): Promise<number> {
  let bytes = 0;
  const sink = new StreamSink(
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        bytes += chunk.length;
        callback();
      },
    }),
  );
  const json = new JsonWriter(sink.line, true);
  const writer: PreviewWriter = sample ? { beginApp: (a) => json.beginApp(a), user: (p) => json.user(p), userLine: (l) => json.userLine(l), endApp: (a, s) => (sample(retainedBytes()), json.endApp(a)), finish: () => json.finish() } : json;
  await runPreview(previewers, () => generatePreviewUsers(count), writer, { ready: () => sink.ready() });
  await sink.end();
  return bytes;
}

const seconds = (started: bigint) => Number(process.hrtime.bigint() - started) / 1e9;
const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
const peakRssMb = () => round(process.resourceUsage().maxRSS / 1024, 1);

/** Peak RSS and retained heap of a fresh process that previews `count` users (this script with --rss-only). */
function memoryOf(count: number): { peakRssMb: number; retainedHeapMb: number; seconds: number } {
  const out = execFileSync(process.execPath, [...process.execArgv, "--expose-gc", __filename, "--users", String(count), "--rss-only"], { encoding: "utf8" });
  return JSON.parse(out) as { peakRssMb: number; retainedHeapMb: number; seconds: number };
}

async function main(): Promise<void> {
  if (RSS_ONLY) {
    let retained = 0;
    const started = process.hrtime.bigint();
    await preview(USERS, (bytes) => void (retained = Math.max(retained, bytes)));
    const elapsed = seconds(started);
    process.stdout.write(`${JSON.stringify({ users: USERS, peakRssMb: peakRssMb(), retainedHeapMb: round(retained / 1024 / 1024, 1), seconds: elapsed })}\n`);
    return;
  }
  // Warm up both paths, then alternate them; medians of the rounds.
  evalOnly(2_000);
  await preview(2_000);
  const evalTimes: number[] = [];
  const previewTimes: number[] = [];
  let checksum = 0;
  let bytes = 0;
  for (let r = 0; r < ROUNDS; r++) {
    let t = process.hrtime.bigint();
    checksum = evalOnly(USERS);
    evalTimes.push(seconds(t));
    t = process.hrtime.bigint();
    bytes = await preview(USERS);
    previewTimes.push(seconds(t));
  }
  if (checksum === 0 || bytes === 0) throw new Error("the benchmark did no work");
  const evalSeconds = median(evalTimes);
  const previewSeconds = median(previewTimes);
  const large = memoryOf(USERS);
  const small = memoryOf(SMALL);
  const huge = memoryOf(LARGE);
  process.stdout.write(
    `${JSON.stringify({
      bench: "preview",
      users: USERS,
      apps: previewers.length,
      usersPerSecond: Math.round(USERS / previewSeconds),
      ratioToEvalOnly: round(previewSeconds / evalSeconds, 2),
      peakRssMb: large.peakRssMb,
      peakRssMb10k: small.peakRssMb,
      retainedHeapMb: large.retainedHeapMb,
      retainedHeapMb10k: small.retainedHeapMb,
      largeUsers: LARGE,
      usersPerSecondLarge: Math.round(LARGE / huge.seconds),
      peakRssMbLarge: huge.peakRssMb,
      retainedHeapMbLarge: huge.retainedHeapMb,
      retainedHeapRatio: round(huge.retainedHeapMb / large.retainedHeapMb, 2),
      evalOnlyMs: Math.round(evalSeconds * 1000),
      previewMs: Math.round(previewSeconds * 1000),
      outputMb: round(bytes / 1024 / 1024, 1),
    })}\n`,
  );
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
