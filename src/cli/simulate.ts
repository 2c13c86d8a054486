/**
 * `scimops simulate --app NAME --target URL [--token-env VAR] [--users FILE] [--stack NAME] [--format table|json]`
 *
 * Replays what Entra would do for each user against the SCIM endpoint at URL: match, create, update one
 * attribute, deactivate — then each group: match, create, members, rename, remove members, delete; prints each request's result and whether it agrees with the preview (users the
 * preview flags are the ones the target rejects). The dialect is the app's (its tenant URL's flags) unless
 * URL carries aadOptscim062020 / AzureAdScimPatch2017 itself. The token is read from the environment
 * variable VAR (default SCIMOPS_TOKEN) and never printed. Exit 0 when every outcome agrees, 1 otherwise.
 *
 * Sample users are real people's data: a target off the loopback range (127.0.0.0/8, ::1, a name resolving
 * only to those) is refused (exit 2, nothing sent) unless `--allow-remote` is given and the app and URL shown
 * are confirmed — at a prompt on a terminal, with `--yes` off one. `--dry-run` prints the requests, sends none.
 */
import { AppPreviewer, type GroupOutcome, loadPreviewProject, ProjectError, sampleUsers, SimulatedMembers, simulateGroups, simulateUser, type UserOutcome } from "../preview";
import { maskingIO, parseCommandArgs, targetUrl, tokenFrom, UsageError, userSourceFor, usersFile } from "../preview/cli-support";
import { UserFileError } from "../preview/json-stream";
import { SampleUserError } from "../preview/users";
import { scimBaseUrl, scimDialect } from "../catalog/tenant-url";
import { checkTarget, type Lookup, TargetResolveError } from "../preview/target-guard";
import { dryRunFetch, type DryRunRequest } from "../preview/dry-run";
import { projectRoot } from "../spec/project";
import type { CliIO } from "./io";

const USAGE = "scimops simulate --app NAME --target URL [--token-env VAR] [--users FILE] [--stack NAME] [--format table|json] [--dry-run] [--allow-remote] [--yes]";

/** What simulate reaches the world through; tests pass their own. */
export interface SimulateDeps {
  lookup?: Lookup;
  fetchImpl?: typeof fetch;
  /** A person answers prompts (default: stdin and stderr are terminals). */
  interactive?: boolean;
  /** Asks the question, resolves true only for an explicit yes (default: a readline prompt). */
  confirm?: (question: string) => Promise<boolean>;
}

async function promptYes(question: string): Promise<boolean> {
  const { createInterface } = await import("node:readline/promises");
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^(y|yes)$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

export async function simulateCommand(args: string[], rawIO: CliIO, deps: SimulateDeps = {}): Promise<number> {
  let io = rawIO;
  try {
    const values = parseCommandArgs(
      args,
      {
        app: { type: "string" },
        target: { type: "string" },
        "token-env": { type: "string" },
        users: { type: "string" },
        stack: { type: "string" },
        format: { type: "string" },
        "dry-run": { type: "boolean" },
        "allow-remote": { type: "boolean" },
        yes: { type: "boolean" },
      },
      USAGE,
    );
    if (!values.app) throw new UsageError(`--app NAME is required\nusage: ${USAGE}`);
    if (!values.target) throw new UsageError(`--target URL is required\nusage: ${USAGE}`);
    const format = values.format ?? "table";
    if (format !== "table" && format !== "json") throw new UsageError(`--format is table or json\nusage: ${USAGE}`);
    targetUrl(values.target);
    const root = projectRoot();
    const file = usersFile(root, values.users);
    const project = loadPreviewProject(root, { apps: [values.app], stack: values.stack });
    const plan = project.plans[0]!;
    const dryRun = values["dry-run"] === true;
    const { token: envToken, tokenVar } = tokenFrom(values["token-env"], plan.target.token?.pattern);
    if (!envToken && !dryRun) throw new UsageError(`no secret token: set the environment variable ${tokenVar} (or pass --token-env VAR)`);
    const token = envToken ?? "";
    io = maskingIO(rawIO, [envToken]);
    if (!dryRun && !(await remoteConsent(io, deps, { app: `${plan.displayName} (${plan.name})`, target: values.target, tenantUrl: plan.entra?.tenantUrl, allowRemote: values["allow-remote"] === true, yes: values.yes === true }))) return 2;
    const requests: DryRunRequest[] = [];
    const fetchImpl = dryRun ? dryRunFetch((r) => requests.push(r)) : deps.fetchImpl;
    const ownFlags = /[?&](aadOptscim062020|AzureAdScimPatch2017)(=|&|$)/.test(values.target);
    const previewer = new AppPreviewer(plan, { config: project.config, dialect: ownFlags ? scimDialect(values.target) : undefined });
    for (const w of previewer.warnings) io.stderr(`warning: ${w}`);
    const baseUrl = scimBaseUrl(values.target);
    if (dryRun) return await printDryRun(io, format, { previewer, file, baseUrl, fetchImpl: fetchImpl!, requests, app: plan.name, displayName: plan.displayName });
    if (format === "json") io.stdout(`{"app":${JSON.stringify(plan.name)},"target":${JSON.stringify(baseUrl)},"dialect":${JSON.stringify(previewer.dialect)},"users":[`);
    else io.stdout(`${plan.displayName} → ${baseUrl} (${previewer.dialect === "legacy" ? "Entra legacy dialect" : "aadOptscim062020 dialect"})`);
    const totals = { users: 0, created: 0, matched: 0, rejected: 0, notSent: 0, outOfScope: 0, failed: 0, disagree: [] as string[] };
    const members = new SimulatedMembers();
    previewer.beginPass();
    for await (const user of sampleUsers(userSourceFor(file)())) {
      const outcome = await simulateUser(previewer, user, { baseUrl, token, fetchImpl });
      members.add(user, outcome);
      tally(totals, outcome);
      if (format === "json") io.stdout(`${totals.users > 1 ? "," : ""}${JSON.stringify(outcome)}`);
      else printOutcome(io, outcome);
    }
    // Then the groups, with the target ids of the users created above.
    const groups = await simulateGroups(previewer, members, { baseUrl, token, fetchImpl });
    for (const g of groups) if (!g.agrees) totals.disagree.push(`group ${g.group}`);
    if (format === "json") io.stdout(`],"groups":${JSON.stringify(groups)}`);
    else for (const g of groups) printGroupOutcome(io, g);
    const agrees = totals.disagree.length === 0;
    const summary = `${totals.users} user(s): ${totals.created} created, ${totals.matched} matched existing, ${totals.rejected} rejected by the target, ${totals.notSent} not sent by Entra, ${totals.outOfScope} out of scope, ${totals.failed} failed`;
    const groupSummary = `${groups.length} group(s): ${groups.filter((g) => g.result === "created").length} created, ${groups.filter((g) => g.result === "matched").length} matched existing, ${groups.filter((g) => g.result === "out-of-scope").length} not provisioned`;
    if (format === "json") io.stdout(`,"summary":${JSON.stringify({ ...totals, groups: groups.length, disagree: totals.disagree, agreesWithPreview: agrees })}}`);
    else {
      io.stdout("");
      io.stdout(summary);
      if (groups.length) io.stdout(groupSummary);
      io.stdout(agrees ? "simulate agrees with the preview" : `simulate disagrees with the preview for: ${totals.disagree.join(", ")}`);
    }
    return agrees ? 0 : 1;
  } catch (err) {
    if (err instanceof UsageError || err instanceof ProjectError || err instanceof TargetResolveError) {
      io.stderr(`scimops simulate: ${err.message}`);
      return 2;
    }
    if (err instanceof UserFileError || err instanceof SampleUserError) {
      io.stderr(`scimops simulate: ${err.message}`);
      return 1;
    }
    throw err;
  }
}

/**
 * True when simulate may send to the target: it is loopback, or `--allow-remote` was given and the app and
 * URL shown were confirmed (a prompt on a terminal, `--yes` off one). Otherwise explains and returns false.
 */
async function remoteConsent(io: CliIO, deps: SimulateDeps, o: { app: string; target: string; tenantUrl?: string; allowRemote: boolean; yes: boolean }): Promise<boolean> {
  const target = await checkTarget(o.target, deps.lookup);
  if (target.loopback) return true;
  const resolved = target.addresses.length === 1 && target.addresses[0] === target.host ? "" : `${target.host} resolves to ${target.addresses.join(", ")}: `;
  const where = `${o.target} (${resolved}not a loopback address)`;
  if (!o.allowRemote) {
    io.stderr(`scimops simulate: refusing to send sample users to ${where}: simulate creates, updates and deactivates users there. Nothing was sent.\n  To send them anyway pass --allow-remote and confirm; to see the requests only, pass --dry-run.`);
    return false;
  }
  io.stderr(`simulate will create, update and deactivate the sample users of ${o.app} at ${where}${o.tenantUrl && o.tenantUrl !== o.target ? ` (the app's tenant URL in this stack: ${o.tenantUrl})` : ""}.`);
  const interactive = deps.interactive ?? Boolean(process.stdin.isTTY && process.stderr.isTTY);
  if (!interactive) {
    if (o.yes) return true;
    io.stderr("scimops simulate: not on a terminal, so nobody can confirm: pass --yes with --allow-remote to send to this target. Nothing was sent.");
    return false;
  }
  if (await (deps.confirm ?? promptYes)(`Send them to ${o.target} for ${o.app}? Type yes to continue: `)) return true;
  io.stderr("scimops simulate: not confirmed. Nothing was sent.");
  return false;
}

/** `--dry-run`: the requests simulate would send to a target holding none of the users, none sent. */
async function printDryRun(
  io: CliIO,
  format: string,
  o: { previewer: AppPreviewer; file: string; baseUrl: string; fetchImpl: typeof fetch; requests: DryRunRequest[]; app: string; displayName: string },
): Promise<number> {
  const members = new SimulatedMembers();
  o.previewer.beginPass();
  for await (const user of sampleUsers(userSourceFor(o.file)())) members.add(user, await simulateUser(o.previewer, user, { baseUrl: o.baseUrl, token: "", fetchImpl: o.fetchImpl }));
  await simulateGroups(o.previewer, members, { baseUrl: o.baseUrl, token: "", fetchImpl: o.fetchImpl });
  if (format === "json") {
    io.stdout(JSON.stringify({ app: o.app, target: o.baseUrl, dialect: o.previewer.dialect, dryRun: true, requests: o.requests }));
    return 0;
  }
  io.stdout(`${o.displayName} → ${o.baseUrl}: dry run, nothing sent (the requests to a target holding none of these users; ids are placeholders)`);
  for (const r of o.requests) {
    io.stdout(`${r.method} ${r.url}`);
    if (r.body !== undefined) io.stdout(JSON.stringify(r.body, null, 2).replace(/^/gm, "  "));
  }
  io.stdout(`${o.requests.length} request(s), none sent`);
  return 0;
}

function tally(t: { users: number; created: number; matched: number; rejected: number; notSent: number; outOfScope: number; failed: number; disagree: string[] }, o: UserOutcome): void {
  t.users++;
  if (o.result === "created") t.created++;
  else if (o.result === "matched") t.matched++;
  else if (o.result === "rejected") t.rejected++;
  else if (o.result === "not-sent") t.notSent++;
  else if (o.result === "out-of-scope") t.outOfScope++;
  else t.failed++;
  if (!o.agrees) t.disagree.push(o.user);
}

function printGroupOutcome(io: CliIO, o: GroupOutcome): void {
  io.stdout(`group ${o.group}: ${o.result}${o.agrees ? "" : "  ✗ the preview predicted otherwise"}`);
  for (const s of o.steps) {
    const request = s.method ? `${s.method} ${s.path}` : "";
    const status = s.status === undefined ? "" : ` → ${s.status}`;
    io.stdout(`  ${s.ok ? "✓" : "✗"} ${s.step.padEnd(14)} ${request}${status}${s.detail ? `  ${s.detail}` : ""}`);
  }
}

function printOutcome(io: CliIO, o: UserOutcome): void {
  const verdict = o.agrees ? "" : o.predictedRejected ? "  ✗ the preview predicted a rejection" : "  ✗ the preview predicted success";
  io.stdout(`${o.user}: ${o.result}${verdict}`);
  for (const s of o.steps) {
    const request = s.method ? `${s.method} ${s.path}` : "";
    const status = s.status === undefined ? "" : ` → ${s.status}`;
    io.stdout(`  ${s.ok ? "✓" : "✗"} ${s.step.padEnd(10)} ${request}${status}${s.detail ? `  ${s.detail}` : ""}`);
  }
}
