/**
 * Two small Graph-backed resources around the synchronization job that @pulumi/azuread manages:
 *
 * - SynchronizationTemplateDefault: which synchronization template a gallery app's job uses. Gallery
 *   template ids are not published, so it reads `GET …/synchronization/templates` and takes the
 *   template marked `default` (one GET on create and refresh; never a write).
 * - ProvisioningStatus: the portal's Provisioning Status On/Off as `start`/`pause` on the job. The job is
 *   created paused and this resource depends on the settings and the schema, so nothing is provisioned
 *   before the tenant URL, the token and the declared mappings are in place.
 *
 * Like the other providers here, they import everything they use inside the methods' module scope only
 * through functions, capture no clients, and carry a providerVersion.
 */
import type * as pulumi from "@pulumi/pulumi";
import { GraphDynamicResource, type GraphResourceArgs } from "./dynamic-resource";
import { createGraphSession } from "./graph";
import type { GraphResourceInputs } from "./provider-kit";
import { appLabel, diffResult } from "./provider-kit";
import { getSynchronizationJob, listSynchronizationTemplates, pauseSynchronizationJob, startSynchronizationJob } from "./sync-api";

type TemplateInputs = GraphResourceInputs;

async function defaultTemplateId(i: TemplateInputs): Promise<string> {
  const session = createGraphSession(i.graph);
  const ctx = { app: appLabel(i), replicationLagMs: 120_000 };
  const templates = await listSynchronizationTemplates(session, i.servicePrincipalId, ctx);
  const chosen = templates.find((t) => t.default) ?? (templates.length === 1 ? templates[0] : undefined);
  if (!chosen?.id) {
    throw new Error(
      `${ctx.app}: GET synchronization/templates returned ${templates.length} templates and none is marked default — ` +
        "this app may not support provisioning; check the gallery entry",
    );
  }
  return chosen.id;
}

const templateProvider = {
  async create(i: TemplateInputs) {
    const templateId = await defaultTemplateId(i);
    return { id: `${i.servicePrincipalId}/${templateId}`, outs: { ...i, templateId } };
  },
  async read(id: string, props: TemplateInputs & { templateId: string }) {
    return { id, props: { ...props, templateId: await defaultTemplateId(props) } };
  },
  async diff(_id: string, olds: TemplateInputs, news: TemplateInputs) {
    return diffResult(olds, news, ["servicePrincipalId"], () => olds.providerVersion !== news.providerVersion);
  },
  async update(_id: string, _olds: TemplateInputs, news: TemplateInputs) {
    return { outs: { ...news, templateId: await defaultTemplateId(news) } };
  },
};

export type SynchronizationTemplateDefaultArgs = GraphResourceArgs;

export class SynchronizationTemplateDefault extends GraphDynamicResource {
  declare readonly templateId: pulumi.Output<string>;
  constructor(name: string, args: SynchronizationTemplateDefaultArgs, opts?: pulumi.CustomResourceOptions) {
    super(templateProvider, "SynchronizationTemplateDefault", name, { ...args, templateId: undefined }, opts);
  }
}

interface StatusInputs extends GraphResourceInputs {
  jobId: string;
  status: "on" | "off";
}

async function applyStatus(i: StatusInputs): Promise<void> {
  const session = createGraphSession(i.graph);
  const ctx = { app: appLabel(i) };
  const job = await getSynchronizationJob(session, i.servicePrincipalId, i.jobId, ctx);
  const running = job.schedule?.state === "Active";
  // Start only when not running: Graph asks callers not to call start on a running job.
  if (i.status === "on" && !running) await startSynchronizationJob(session, i.servicePrincipalId, i.jobId, ctx);
  if (i.status === "off" && running) await pauseSynchronizationJob(session, i.servicePrincipalId, i.jobId, ctx);
}

export const provisioningStatusProvider = {
  async create(i: StatusInputs) {
    await applyStatus(i);
    return { id: `${i.servicePrincipalId}/${i.jobId}/status`, outs: i };
  },
  async read(id: string, props: StatusInputs) {
    const session = createGraphSession(props.graph);
    const job = await getSynchronizationJob(session, props.servicePrincipalId, props.jobId, { app: appLabel(props) });
    return { id, props: { ...props, status: job.schedule?.state === "Active" ? "on" : "off" } };
  },
  async diff(_id: string, olds: StatusInputs, news: StatusInputs) {
    return diffResult(olds, news, ["servicePrincipalId", "jobId"], () => olds.status !== news.status || olds.providerVersion !== news.providerVersion);
  },
  async update(_id: string, _olds: StatusInputs, news: StatusInputs) {
    await applyStatus(news);
    return { outs: news };
  },
  // Deleting the status leaves the job as it is; the job itself belongs to azuread.SynchronizationJob.
  async delete() {},
};

export interface ProvisioningStatusArgs extends GraphResourceArgs {
  jobId: pulumi.Input<string>;
  status: pulumi.Input<"on" | "off">;
}

export class ProvisioningStatus extends GraphDynamicResource {
  declare readonly status: pulumi.Output<"on" | "off">;
  constructor(name: string, args: ProvisioningStatusArgs, opts?: pulumi.CustomResourceOptions) {
    super(provisioningStatusProvider, "ProvisioningStatus", name, { ...args }, opts);
  }
}
