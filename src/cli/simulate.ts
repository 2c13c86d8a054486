/**
 * `scimops simulate --app NAME --target URL [--token-env VAR] [--users FILE] [--stack NAME] [--format table|json]`
 *
 * Replays what Entra would do for each user against the SCIM endpoint at URL: match, create, update one
 * attribute, deactivate — then each group: match, create, members, rename, remove members, delete; prints each request's result and whether it agrees with the preview (users the
 * preview flags are the ones the target rejects). The dialect is the app's (its tenant URL's flags) unless
 * URL carries aadOptscim062020 / AzureAdScimPatch2017 itself. The token is read from the environment
 * variable VAR (default SCIMOPS_TOKEN) and never printed. Exit 0 when every outcome agrees, 1 otherwise.
 */
import { AppPreviewer, type GroupOutcome, loadPreviewProject, ProjectError, sampleUsers, SimulatedMembers, simulateGroups, simulateUser, type UserOutcome } from "../preview";
import { maskingIO, parseCommandArgs, tokenFrom, UsageError, userSourceFor, usersFile } from "../preview/cli-support";
import { UserFileError } from "../preview/json-stream";
import { SampleUserError } from "../preview/users";
import { scimBaseUrl, scimDialect } from "../catalog/tenant-url";
import { projectRoot } from "../spec/project";
import type { CliIO } from "./io";

const USAGE = "scimops simulate --app NAME --target URL [--token-env VAR] [--users FILE] [--stack NAME] [--format table|json]";

export async function simulateCommand(args: string[], rawIO: CliIO): Promise<number> {
  let io = rawIO;
  try {
    const values = parseCommandArgs(
      args,
      { app: { type: "string" }, target: { type: "string" }, "token-env": { type: "string" }, users: { type: "string" }, stack: { type: "string" }, format: { type: "string" } },
      USAGE,
    );
    if (!values.app) throw new UsageError(`--app NAME is required\nusage: ${USAGE}`);
    if (!values.target) throw new UsageError(`--target URL is required\nusage: ${USAGE}`);
    const format = values.format ?? "table";
    if (format !== "table" && format !== "json") throw new UsageError(`--format is table or json\nusage: ${USAGE}`);
    try {
      new URL(values.target);
    } catch {
      throw new UsageError(`--target must be a URL (the SCIM base, e.g. http://127.0.0.1:8080/scim/v2)`);
    }
    const root = projectRoot();
    const file = usersFile(root, values.users);
    const project = loadPreviewProject(root, { apps: [values.app], stack: values.stack });
    const plan = project.plans[0]!;
    const { token, tokenVar } = tokenFrom(values["token-env"], plan.target.token?.pattern);
    if (!token) throw new UsageError(`no secret token: set the environment variable ${tokenVar} (or pass --token-env VAR)`);
    io = maskingIO(rawIO, [token]);
    const ownFlags = /[?&](aadOptscim062020|AzureAdScimPatch2017)(=|&|$)/.test(values.target);
    const previewer = new AppPreviewer(plan, { config: project.config, dialect: ownFlags ? scimDialect(values.target) : undefined });
    for (const w of previewer.warnings) io.stderr(`warning: ${w}`);
    const baseUrl = scimBaseUrl(values.target);
    if (format === "json") io.stdout(`{"app":${JSON.stringify(plan.name)},"target":${JSON.stringify(baseUrl)},"dialect":${JSON.stringify(previewer.dialect)},"users":[`);
    else io.stdout(`${plan.displayName} → ${baseUrl} (${previewer.dialect === "legacy" ? "Entra legacy dialect" : "aadOptscim062020 dialect"})`);
    const totals = { users: 0, created: 0, matched: 0, rejected: 0, notSent: 0, outOfScope: 0, failed: 0, disagree: [] as string[] };
    const members = new SimulatedMembers();
    previewer.beginPass();
    for await (const user of sampleUsers(userSourceFor(file)())) {
      const outcome = await simulateUser(previewer, user, { baseUrl, token });
      members.add(user, outcome);
      tally(totals, outcome);
      if (format === "json") io.stdout(`${totals.users > 1 ? "," : ""}${JSON.stringify(outcome)}`);
      else printOutcome(io, outcome);
    }
    // Then the groups, with the target ids of the users created above.
    const groups = await simulateGroups(previewer, members, { baseUrl, token });
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
    if (err instanceof UsageError || err instanceof ProjectError) {
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
