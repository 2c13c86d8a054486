/**
 * Provisioning health of one app, read-only: the job's synchronizationStatus (CSDL synchronizationStatus,
 * synchronizationQuarantine, synchronizationTaskExecution, synchronizationProgress in
 * ../shared/reference/graph-csdl-synchronization.xml), whether the saved credentials still work
 * (validateCredentials with useSavedCredentials), and the latest provisioning log entries of the service
 * principal (provisioningObjectSummary), each failure attributed to the app file's mapping row when the
 * error names the row's target attribute. The only POST is validateCredentials, which changes nothing.
 */
import type { GraphSession } from "../entra/graph";
import { isGraphCallError } from "../entra/graph";
import { findServicePrincipals, listProvisioningObjects, listSynchronizationJobs, validateCredentials } from "../entra/sync-api";
import type { ProvisioningObjectSummary, SynchronizationJob, SynchronizationQuarantine, SynchronizationTaskExecution } from "../graph/wire";

/** A mapping row of the app file: the target attribute and where the row is (`mappings/x.yaml:LINE:COL`). */
export interface MappingRow {
  mapping: "users" | "groups";
  target: string;
  location: string;
}

export interface AppHealthInput {
  app: string;
  /** The enterprise app's display name (found by it when no id is given). */
  displayName: string;
  servicePrincipalId?: string;
  rows: readonly MappingRow[];
  /** How many provisioning log entries to read. */
  logEntries?: number;
}

export interface ProvisioningFailure {
  when: string;
  action: string;
  identity: string;
  identityType: string;
  errorCode: string;
  reason: string;
  /** The mapping row the error names, when exactly one does. */
  row?: MappingRow;
}

export type Verdict = "healthy" | "failing" | "quarantined";

export interface AppHealth {
  app: string;
  displayName: string;
  servicePrincipalId: string;
  jobId: string;
  verdict: Verdict;
  /** Why the verdict is not healthy, one line each. */
  findings: string[];
  statusCode: SynchronizationJob["status"]["code"];
  schedule: SynchronizationJob["schedule"];
  lastExecution: SynchronizationTaskExecution | null;
  quarantine: (SynchronizationQuarantine & { advice: string }) | null;
  escrows: { countEscrowed: number; countEscrowedRaw: number; escrowsPruned: boolean };
  /** The initial cycle's progress (empty once steady state is reached or before it starts). */
  progress: { completedUnits: number; totalUnits: number; units: string; remainingUnits: number; percent: number; observed: string }[];
  steadyStateFirstAchieved: string | null;
  credentials: { ok: boolean; error?: string };
  failures: ProvisioningFailure[];
  /** Log entries read. */
  logEntriesRead: number;
}

/** An app that cannot be checked (no service principal, no job, Graph refused a read). */
export class HealthError extends Error {}

/** `0001-01-01T00:00:00Z`, the service's "never" for non-nullable DateTimeOffsets. */
const NEVER = /^0001-01-01/;

/**
 * What to do per quarantine reason, after "Application provisioning in quarantine status"
 * (learn.microsoft.com/entra/identity/app-provisioning/application-provisioning-quarantine-status): the job
 * leaves quarantine after the errors are fixed and the next cycle starts; after four weeks it is disabled.
 * Restarting with resetScope QuarantineState (CSDL synchronizationJobRestartScope) retries at once; `up` does that
 * itself after saving changed credentials for a job quarantined for credentials (src/entra/quarantine.ts).
 */
const QUARANTINE_ADVICE: Record<SynchronizationQuarantine["reason"], string> = {
  EncounteredQuarantineException:
    "the target refused most calls (often invalid credentials or tenant URL): put working ones in the stack and run scimops up — it tests them, saves them and restarts the job with resetScope QuarantineState; a token fixed elsewhere waits for the next cycle (up to a day) unless the job is restarted",
  EncounteredBaseEscrowThreshold: "too many entries failed (escrowed): fix the failures listed below, then restart the job with resetScope QuarantineState",
  EncounteredTotalEscrowThreshold: "too many entries failed (escrowed): fix the failures listed below, then restart the job with resetScope QuarantineState",
  EncounteredEscrowProportionThreshold: "most entries failed (escrowed): fix the failures listed below, then restart the job with resetScope QuarantineState",
  TooManyDeletes: "the cycle would delete more users than the accidental-deletion threshold: review the pending deletions, then allow them or fix the scope",
  QuarantinedOnDemand: "an administrator quarantined the job: restart it with resetScope QuarantineState when ready",
  IngestionInterrupted: "importing from the source was interrupted: restart the job with resetScope QuarantineState",
  Unknown: "see the error and the provisioning logs; restart the job with resetScope QuarantineState once fixed",
};

/** The one mapping row whose target attribute the error text names (the longest such target), if any. */
export function attributeFailure(text: string, rows: readonly MappingRow[], mapping: MappingRow["mapping"]): MappingRow | undefined {
  const named = rows.filter((r) => r.mapping === mapping && new RegExp(`(^|[^\\w.\\[:])${r.target.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}($|[^\\w\\[])`).test(text));
  if (named.length === 0) return undefined;
  const longest = Math.max(...named.map((r) => r.target.length));
  const best = named.filter((r) => r.target.length === longest);
  return best.length === 1 ? best[0] : undefined;
}

function failureOf(e: ProvisioningObjectSummary, rows: readonly MappingRow[]): ProvisioningFailure {
  const info = e.provisioningStatusInfo.errorInformation ?? {};
  const identity = e.sourceIdentity ?? e.targetIdentity;
  const identityType = identity?.identityType ?? "";
  const text = [info.reason, info.additionalDetails].filter(Boolean).join("\n");
  const row = attributeFailure(text, rows, /group/i.test(identityType) ? "groups" : "users");
  return {
    when: e.activityDateTime,
    action: e.provisioningAction,
    identity: identity?.displayName || identity?.id || "",
    identityType,
    errorCode: info.errorCode ?? "",
    reason: info.reason ?? "",
    ...(row ? { row } : {}),
  };
}

async function servicePrincipalOf(s: GraphSession, input: AppHealthInput): Promise<string> {
  if (input.servicePrincipalId) return input.servicePrincipalId;
  const found = await findServicePrincipals(s, input.displayName, { app: input.displayName });
  if (found.length === 0) throw new HealthError(`no enterprise app named "${input.displayName}" (run \`scimops up\`, or set the app's servicePrincipalId in the stack)`);
  if (found.length > 1) throw new HealthError(`${found.length} enterprise apps are named "${input.displayName}": set the app's servicePrincipalId in the stack (${found.map((f) => f.id).join(", ")})`);
  return found[0]!.id;
}

export async function appHealth(s: GraphSession, input: AppHealthInput): Promise<AppHealth> {
  const ctx = { app: input.displayName };
  const sp = await servicePrincipalOf(s, input);
  const jobs = await listSynchronizationJobs(s, sp, ctx);
  if (jobs.length === 0) throw new HealthError(`${input.displayName} has no provisioning job (run \`scimops up\`)`);
  const job = jobs[0]!;
  const status = job.status;
  let credentials: AppHealth["credentials"] = { ok: true };
  try {
    await validateCredentials(s, sp, job.id, "saved", ctx);
  } catch (err) {
    if (!isGraphCallError(err) || err.statusCode === 0 || err.statusCode === 401 || err.statusCode === 403) throw err;
    credentials = { ok: false, error: err.message };
  }
  const log = await listProvisioningObjects(s, sp, input.logEntries ?? 50, ctx);
  const failures = log.filter((e) => e.provisioningStatusInfo.status === "failure").map((e) => failureOf(e, input.rows));
  const last = status.lastExecution ?? null;
  const quarantine = status.quarantine ? { ...status.quarantine, advice: QUARANTINE_ADVICE[status.quarantine.reason] ?? QUARANTINE_ADVICE.Unknown } : null;
  const findings: string[] = [];
  if (status.code === "Quarantine" || quarantine) findings.push(`quarantined since ${quarantine?.currentBegan ?? "?"}: ${quarantine?.reason ?? "no reason given"}${quarantine?.error?.message ? ` — ${quarantine.error.message}` : ""}`);
  if (last?.state === "Failed") findings.push(`the last cycle failed${last.error?.message ? `: ${last.error.message}` : ""}`);
  if (last?.state === "EntryLevelErrors") findings.push(`the last cycle had entry-level errors (${last.countEscrowed} escrowed)`);
  if (!credentials.ok) findings.push(`the saved credentials do not work: ${credentials.error}`);
  if (failures.length) findings.push(`${failures.length} failed provisioning log entr${failures.length === 1 ? "y" : "ies"} of the last ${log.length}`);
  const verdict: Verdict = status.code === "Quarantine" || quarantine ? "quarantined" : findings.length ? "failing" : "healthy";
  return {
    app: input.app,
    displayName: input.displayName,
    servicePrincipalId: sp,
    jobId: job.id,
    verdict,
    findings,
    statusCode: status.code,
    schedule: job.schedule,
    lastExecution: last,
    quarantine,
    escrows: { countEscrowed: last?.countEscrowed ?? 0, countEscrowedRaw: last?.countEscrowedRaw ?? 0, escrowsPruned: status.escrowsPruned ?? false },
    progress: (status.progress ?? []).map((p) => ({
      completedUnits: p.completedUnits,
      totalUnits: p.totalUnits,
      units: p.units ?? "",
      remainingUnits: Math.max(0, p.totalUnits - p.completedUnits),
      percent: p.totalUnits > 0 ? Math.floor((100 * p.completedUnits) / p.totalUnits) : 0,
      observed: p.progressObservationDateTime,
    })),
    steadyStateFirstAchieved: status.steadyStateFirstAchievedTime && !NEVER.test(status.steadyStateFirstAchievedTime) ? status.steadyStateFirstAchievedTime : null,
    credentials,
    failures,
    logEntriesRead: log.length,
  };
}
