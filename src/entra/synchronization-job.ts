/**
 * SynchronizationJob: the provisioning job of one service principal, created paused (Graph creates jobs
 * with schedule state Disabled; ProvisioningStatus starts it once settings and schema are in place), or
 * adopted. Its id is Graph's job id, which every schema/settings/status call uses.
 *
 * Calls per operation (docs/design.md §1):
 * - create: adopt (`adoptJobId`) = `GET …/synchronization/jobs/{id}` only. Otherwise, when no `templateId`
 *   is given, `GET …/synchronization/templates` for the template marked `default` (gallery apps: their ids
 *   are not published). The template so resolved is kept in state, never re-read, so it cannot replace the
 *   job later. Then `GET …/jobs`: a job already made from that template is adopted (no write; Graph allows
 *   one per template); else `POST …/jobs {templateId}`. All retried through the replication-lag window.
 * - diff: none. A changed service principal, declared template or adopted id replaces.
 * - update: no call (only bookkeeping inputs can change without a replacement).
 * - read: `GET …/jobs/{id}`; 404 ⇒ gone.
 * - delete: `DELETE …/jobs/{id}` when `allowDelete` and the job was created here, else nothing.
 */
import type * as pulumi from "@pulumi/pulumi";
import { GraphDynamicResource, type GraphResourceArgs } from "./dynamic-resource";
import { createGraphSession } from "./graph";
import type { GraphResourceInputs } from "./provider-kit";
import { appLabel, callContext, checkResult, diffResult, graphFailures, outputsOf, readResult, requiredStringFailures, unlessGone } from "./provider-kit";
import { canonicalJson } from "./helpers";
import { createSynchronizationJob, deleteSynchronizationJob, getSynchronizationJob, listSynchronizationJobs, listSynchronizationTemplates } from "./sync-api";

export interface SynchronizationJobInputs extends GraphResourceInputs {
  /** Synchronization template (`scim` for non-gallery apps); by default the app's template marked `default`. */
  templateId?: string;
  /** An existing job to adopt without a write. */
  adoptJobId?: string;
  /** When true, deleting the resource deletes the job it created; adopted jobs are never deleted. */
  allowDelete?: boolean;
}

export interface SynchronizationJobOutputs extends SynchronizationJobInputs {
  jobId: string;
  /** The template the job was made from, resolved once at creation. */
  effectiveTemplateId: string;
  adopted: boolean;
}

async function jobCheck(_olds: unknown, news: Record<string, unknown>) {
  const inputs = { ...news } as unknown as SynchronizationJobInputs;
  const optional = (["templateId", "adoptJobId"] as const).filter((k) => inputs[k] !== undefined && inputs[k] !== null);
  return checkResult(inputs, [...requiredStringFailures(inputs, ["servicePrincipalId", ...optional]), ...graphFailures(inputs.graph)]);
}

async function jobDiff(_id: string, olds: SynchronizationJobOutputs, news: SynchronizationJobInputs) {
  const norm = { ...news, templateId: news.templateId ?? "", adoptJobId: news.adoptJobId ?? "" };
  const old = { ...olds, templateId: olds.templateId ?? "", adoptJobId: olds.adoptJobId ?? "" };
  return diffResult(
    old,
    norm,
    ["servicePrincipalId", "templateId", "adoptJobId"],
    () => !!olds.allowDelete !== !!news.allowDelete || (olds.appName ?? "") !== (news.appName ?? "") || canonicalJson(olds.graph ?? null) !== canonicalJson(news.graph ?? null) || olds.providerVersion !== news.providerVersion,
  );
}

async function defaultTemplateId(templates: { id?: string; default?: boolean }[], app: string): Promise<string> {
  const chosen = templates.find((t) => t.default) ?? (templates.length === 1 ? templates[0] : undefined);
  if (!chosen?.id) {
    throw new Error(`${app}: GET synchronization/templates returned ${templates.length} templates and none is marked default — this app may not support provisioning; check the gallery entry`);
  }
  return chosen.id;
}

async function jobCreate(i: SynchronizationJobInputs) {
  const session = createGraphSession(i.graph);
  const ctx = callContext(i, session, true);
  if (i.adoptJobId) {
    const job = await getSynchronizationJob(session, i.servicePrincipalId, i.adoptJobId, { app: ctx.app });
    return { id: job.id, outs: outputsOf<SynchronizationJobOutputs>(i, { jobId: job.id, effectiveTemplateId: job.templateId, adopted: true }) };
  }
  const templateId = i.templateId ?? (await defaultTemplateId(await listSynchronizationTemplates(session, i.servicePrincipalId, ctx), ctx.app));
  const existing = (await listSynchronizationJobs(session, i.servicePrincipalId, ctx)).find((j) => j.templateId === templateId);
  const job = existing ?? (await createSynchronizationJob(session, i.servicePrincipalId, templateId, ctx));
  return { id: job.id, outs: outputsOf<SynchronizationJobOutputs>(i, { jobId: job.id, effectiveTemplateId: templateId, adopted: existing !== undefined }) };
}

async function jobRead(id: string, props: SynchronizationJobOutputs) {
  const session = createGraphSession(props.graph);
  const job = await unlessGone(() => getSynchronizationJob(session, props.servicePrincipalId, props.jobId || id, { app: appLabel(props) }));
  if (!job) return { id: "", props: {} };
  return readResult(id, props, { jobId: job.id });
}

async function jobUpdate(_id: string, olds: SynchronizationJobOutputs, news: SynchronizationJobInputs) {
  return { outs: outputsOf<SynchronizationJobOutputs>(news, { jobId: olds.jobId, effectiveTemplateId: olds.effectiveTemplateId, adopted: olds.adopted }) };
}

async function jobDelete(_id: string, props: SynchronizationJobOutputs) {
  if (!props.allowDelete || props.adopted) return;
  const session = createGraphSession(props.graph);
  await unlessGone(() => deleteSynchronizationJob(session, props.servicePrincipalId, props.jobId, { app: appLabel(props) }));
}

export const synchronizationJobProvider = { check: jobCheck, diff: jobDiff, create: jobCreate, read: jobRead, update: jobUpdate, delete: jobDelete };

export interface SynchronizationJobArgs extends GraphResourceArgs {
  templateId?: pulumi.Input<string>;
  adoptJobId?: pulumi.Input<string>;
  allowDelete?: pulumi.Input<boolean>;
  providerVersion?: pulumi.Input<string>;
}

/** Type token: `pulumi-nodejs:dynamic/scimops:SynchronizationJob`; its id is Graph's job id. */
export class SynchronizationJob extends GraphDynamicResource {
  declare readonly jobId: pulumi.Output<string>;
  declare readonly effectiveTemplateId: pulumi.Output<string>;
  declare readonly adopted: pulumi.Output<boolean>;

  constructor(name: string, args: SynchronizationJobArgs, opts?: pulumi.CustomResourceOptions) {
    super(synchronizationJobProvider, "SynchronizationJob", name, { ...args, jobId: undefined, effectiveTemplateId: undefined, adopted: undefined }, opts);
  }
}
