/**
 * Getting a job out of a credential quarantine once `up` has saved working credentials.
 *
 * Entra quarantines a job whose target refuses most calls, "for example invalid admin credentials"; it is "removed
 * from quarantine after all errors are fixed and the next sync cycle starts", and in quarantine "the frequency of
 * incremental cycles is gradually reduced to once per day" (MicrosoftDocs/entra-docs
 * docs/identity/app-provisioning/application-provisioning-quarantine-status.md). Saving new credentials does not
 * restart the job (that page lists attribute mappings and scoping filters as the changes that restart it), so
 * without a restart the fixed job could wait up to a day. The page's remedy: "After you've resolved the issue,
 * restart the provisioning job … clear quarantine (to remove the application from quarantine)".
 *
 * Policy (docs/reliability.md, docs/design.md §1): a restart only when this `up` wrote changed credentials (token or
 * tenant URL) AND the job is quarantined for credentials: `quarantine.reason` `EncounteredQuarantineException`, which
 * "indicates that invalid credentials were provided" (same page). A quarantine for any other reason (escrow
 * thresholds, TooManyDeletes, QuarantinedOnDemand, IngestionInterrupted, Unknown, or a `Quarantine` code without
 * details) is not caused by credentials, so new credentials are no reason to lift it; `scimops status` reports it.
 *
 * Provider code: follows the serialization rule in helpers.ts.
 */
import type { SynchronizationJob } from "../graph/wire";
import type { GraphSession } from "./graph";
import type { CallContext } from "./sync-api";
import { getSynchronizationJob, restartSynchronizationJob } from "./sync-api";

/**
 * synchronizationStatus (synchronization-synchronizationstatus.md): `code` `Quarantine` "Job is in quarantine…
 * critical errors such as revoked/expired credentials"; `quarantine` is a synchronizationQuarantine "If job is in
 * quarantine" (null otherwise).
 */
export function isQuarantined(job: Pick<SynchronizationJob, "status">): boolean {
  return job.status?.code === "Quarantine" || (job.status?.quarantine ?? null) !== null;
}

/** A quarantine that new credentials can fix: reason EncounteredQuarantineException (synchronization-synchronizationquarantine.md, quarantineReason). */
export function quarantinedForCredentials(job: Pick<SynchronizationJob, "status">): boolean {
  return isQuarantined(job) && job.status?.quarantine?.reason === "EncounteredQuarantineException";
}

/**
 * `resetScope` `QuarantineState` alone: "Temporarily lifts the quarantine" (microsoft-graph-docs-contrib
 * api-reference/v1.0/resources/synchronization-synchronizationjobrestartcriteria.md; CSDL
 * synchronizationJobRestartScope member QuarantineState = 8). Not the portal's "Restart provisioning" (an empty
 * scope, "similar to … QuarantineState, Watermark, and Escrows"): clearing the watermark would re-evaluate every
 * user, which fixed credentials give no reason for.
 */
export const LIFT_QUARANTINE_SCOPE = "QuarantineState";

/**
 * After changed credentials were saved: reads the job and, when it is quarantined for credentials, restarts it with
 * resetScope QuarantineState (`POST …/jobs/{id}/restart`, 204, synchronization-synchronizationjob-restart.md).
 * Returns whether it restarted. After a lost answer the job is read again: no longer quarantined means the restart
 * was applied, so it is not sent twice.
 */
export async function restartIfQuarantinedForCredentials(s: GraphSession, servicePrincipalId: string, jobId: string, ctx: CallContext): Promise<boolean> {
  const job = await getSynchronizationJob(s, servicePrincipalId, jobId, ctx);
  if (!quarantinedForCredentials(job)) return false;
  try {
    await restartSynchronizationJob(s, servicePrincipalId, jobId, LIFT_QUARANTINE_SCOPE, ctx, async () => (isQuarantined(await getSynchronizationJob(s, servicePrincipalId, jobId, ctx)) ? undefined : null));
  } catch (e) {
    throw new Error(
      `app "${ctx.app ?? servicePrincipalId}": the new credentials were saved, but restarting the quarantined provisioning job (resetScope ${LIFT_QUARANTINE_SCOPE}) failed, so it stays quarantined until Entra's next cycle (up to a day): ` +
        `run up again (after an update it saves the same settings and retries the restart) or select Restart provisioning in the portal. ${(e as Error).message}`,
    );
  }
  return true;
}
