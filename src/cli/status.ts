/**
 * `scimops status [--stack ENV] [--format table|json] [--graph-base-url URL]`: the provisioning health of
 * every Entra app of the stack, read-only (see src/health/status.ts). Graph is reached as the stack says
 * (`scimops:graphBaseUrl`, else `scimops:cloud`), or at `--graph-base-url`; credentials as every Graph
 * call of scimops (SCIMOPS_GRAPH_ACCESS_TOKEN, AZURE_* …). Exit 0 healthy, 1 an app quarantined or
 * failing, 2 any other failure (usage, stack, an app or job not found, Graph unreachable or refusing).
 */
import { existsSync } from "node:fs";
import { join, relative } from "node:path";
import { createGraphSession, type GraphConnection } from "../entra/graph";
import { appHealth, type AppHealth, HealthError, type MappingRow } from "../health/status";
import { compileApp } from "../plan/compile";
import { parseCommandArgs, UsageError } from "../preview/cli-support";
import { formatDiagnostic } from "../spec/diagnostics";
import type { LoadedApp } from "../spec/load";
import { listAppFiles, loadProject, projectRoot } from "../spec/project";
import type { CliIO } from "./io";

const USAGE = "scimops status [--stack ENV] [--format table|json] [--graph-base-url URL]";

/** The mapping rows of an app file with where each is written. */
function mappingRows(root: string, app: LoadedApp): MappingRow[] {
  const rows: MappingRow[] = [];
  for (const mapping of ["users", "groups"] as const) {
    const attributes = app.spec.entra?.mappings?.[mapping]?.attributes ?? [];
    attributes.forEach((a, i) => {
      const at = app.source.locate(["entra", "mappings", mapping, "attributes", i]);
      rows.push({ mapping, target: a.target, location: `${relative(root, app.file)}:${at.line}:${at.column}` });
    });
  }
  return rows;
}

export async function statusCommand(args: string[], io: CliIO): Promise<number> {
  try {
    const values = parseCommandArgs(args, { stack: { type: "string" }, format: { type: "string" }, "graph-base-url": { type: "string" } }, USAGE);
    const format = values.format ?? "table";
    if (format !== "table" && format !== "json") throw new UsageError(`--format is table or json\nusage: ${USAGE}`);
    const root = projectRoot();
    const stackName = values.stack ?? "dev";
    const stackFile = join(root, "stacks", `Pulumi.${stackName}.yaml`);
    if (!existsSync(stackFile)) throw new UsageError(`stack \`${stackName}\` not found (${stackFile})`);
    const appFiles = listAppFiles(root);
    const { apps, stacks, diagnostics } = loadProject(appFiles, [stackFile], appFiles);
    const errors = diagnostics.filter((d) => d.severity === "error");
    const stack = stacks[0];
    if (errors.length || !stack) throw new UsageError(`the project has errors (run \`scimops validate\`):\n${errors.map(formatDiagnostic).join("\n")}`);
    const baseUrl = values["graph-base-url"] ?? stack.settings.graphBaseUrl;
    const graph: GraphConnection = { ...(baseUrl ? { baseUrl } : { cloud: stack.settings.cloud }), ...(stack.settings.tenantId ? { tenantId: stack.settings.tenantId } : {}) };
    const session = createGraphSession(graph);
    const reports: AppHealth[] = [];
    const failed: { app: string; error: string }[] = [];
    for (const entry of stack.settings.apps) {
      const loaded = apps.get(entry.name);
      if (!loaded || !entry.idps.includes("entra")) continue;
      const plan = compileApp(loaded, { cloud: stack.settings.cloud, stackApp: entry });
      if (!plan.entra) continue;
      try {
        reports.push(
          await appHealth(session, {
            app: entry.name,
            displayName: plan.entra.app.displayName,
            ...(entry.servicePrincipalId ? { servicePrincipalId: entry.servicePrincipalId } : {}),
            rows: mappingRows(root, loaded),
          }),
        );
      } catch (err) {
        failed.push({ app: entry.name, error: err instanceof Error ? err.message : String(err) });
      }
    }
    if (format === "json") io.stdout(JSON.stringify({ stack: stackName, apps: reports, errors: failed }, null, 2));
    else {
      for (const r of reports) printHealth(io, r);
      for (const f of failed) io.stderr(`${f.app}: error: ${f.error}`);
    }
    if (failed.length) return 2;
    return reports.some((r) => r.verdict !== "healthy") ? 1 : 0;
  } catch (err) {
    if (err instanceof UsageError || err instanceof HealthError) {
      io.stderr(`scimops status: ${err.message}`);
      return 2;
    }
    throw err;
  }
}

function printHealth(io: CliIO, r: AppHealth): void {
  io.stdout(`${r.app} (${r.displayName}): ${r.verdict}`);
  io.stdout(`  job         ${r.jobId} (service principal ${r.servicePrincipalId})`);
  io.stdout(`  status      ${r.statusCode}; schedule ${r.schedule.state}, every ${r.schedule.interval}`);
  const last = r.lastExecution;
  io.stdout(
    last
      ? `  last cycle  ${last.state} ${last.timeBegan} → ${last.timeEnded}: ${last.countImported} imported, ${last.countExported} exported, ${last.countEscrowed} escrowed${last.error?.message ? `; error ${last.error.code ?? ""}: ${last.error.message}` : ""}`
      : "  last cycle  none yet",
  );
  if (r.quarantine) {
    const q = r.quarantine;
    io.stdout(`  quarantine  ${q.reason} since ${q.currentBegan} (series of ${q.seriesCount} since ${q.seriesBegan}; next attempt ${q.nextAttempt})${q.error?.message ? `: ${q.error.message}` : ""}`);
    io.stdout(`              what to do: ${q.advice}`);
  }
  io.stdout(`  escrows     ${r.escrows.countEscrowed} (raw ${r.escrows.countEscrowedRaw})${r.escrows.escrowsPruned ? ", some pruned" : ""}`);
  for (const p of r.progress) io.stdout(`  initial     ${p.completedUnits}/${p.totalUnits} ${p.units} (${p.percent}%), ${p.remainingUnits} left as of ${p.observed}`);
  if (!r.progress.length) io.stdout(`  initial     ${r.steadyStateFirstAchieved ? `done (steady state first reached ${r.steadyStateFirstAchieved})` : "no progress reported"}`);
  io.stdout(`  credentials ${r.credentials.ok ? "the saved credentials work" : `do not work: ${r.credentials.error}`}`);
  io.stdout(`  log         ${r.failures.length} failure(s) in the last ${r.logEntriesRead} entries`);
  for (const f of r.failures) {
    io.stdout(`    ✗ ${f.when} ${f.action} ${f.identityType} ${f.identity}: ${f.errorCode}${f.reason ? ` — ${f.reason}` : ""}`);
    if (f.row) io.stdout(`      → the ${f.row.target} row of ${f.row.location}`);
  }
}
