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
import * as pulumi from "@pulumi/pulumi";
import type { GraphConnection } from "./graph";
import { createGraphSession } from "./graph";
import { getSynchronizationJob, listSynchronizationTemplates, pauseSynchronizationJob, startSynchronizationJob } from "./sync-api";
import { ENTRA_PROVIDER_VERSION } from "./version";

interface TemplateInputs {
  graph: GraphConnection;
  servicePrincipalId: string;
  appName?: string;
  providerVersion: string;
}

async function defaultTemplateId(i: TemplateInputs): Promise<string> {
  const session = createGraphSession(i.graph);
  const ctx = { app: i.appName ?? i.servicePrincipalId, replicationLagMs: 120_000 };
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
    const replaces = olds.servicePrincipalId !== news.servicePrincipalId ? ["servicePrincipalId"] : [];
    const changes = replaces.length > 0 || olds.providerVersion !== news.providerVersion;
    return { changes, replaces, deleteBeforeReplace: false };
  },
  async update(_id: string, _olds: TemplateInputs, news: TemplateInputs) {
    return { outs: { ...news, templateId: await defaultTemplateId(news) } };
  },
};

export interface SynchronizationTemplateDefaultArgs {
  graph: pulumi.Input<GraphConnection>;
  servicePrincipalId: pulumi.Input<string>;
  appName?: pulumi.Input<string>;
}

export class SynchronizationTemplateDefault extends pulumi.dynamic.Resource {
  declare readonly templateId: pulumi.Output<string>;
  constructor(name: string, args: SynchronizationTemplateDefaultArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      templateProvider as unknown as pulumi.dynamic.ResourceProvider,
      name,
      { ...args, providerVersion: ENTRA_PROVIDER_VERSION, templateId: undefined },
      opts,
      "scimops",
      "SynchronizationTemplateDefault",
    );
  }
}

interface StatusInputs {
  graph: GraphConnection;
  servicePrincipalId: string;
  jobId: string;
  appName?: string;
  status: "on" | "off";
  providerVersion: string;
}

async function applyStatus(i: StatusInputs): Promise<void> {
  const session = createGraphSession(i.graph);
  const ctx = { app: i.appName ?? i.servicePrincipalId };
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
    const job = await getSynchronizationJob(session, props.servicePrincipalId, props.jobId, { app: props.appName ?? props.servicePrincipalId });
    return { id, props: { ...props, status: job.schedule?.state === "Active" ? "on" : "off" } };
  },
  async diff(_id: string, olds: StatusInputs, news: StatusInputs) {
    const replaces = (["servicePrincipalId", "jobId"] as const).filter((k) => olds[k] !== news[k]);
    const changes = replaces.length > 0 || olds.status !== news.status || olds.providerVersion !== news.providerVersion;
    return { changes, replaces, deleteBeforeReplace: false };
  },
  async update(_id: string, _olds: StatusInputs, news: StatusInputs) {
    await applyStatus(news);
    return { outs: news };
  },
  // Deleting the status leaves the job as it is; the job itself belongs to azuread.SynchronizationJob.
  async delete() {},
};

export interface ProvisioningStatusArgs {
  graph: pulumi.Input<GraphConnection>;
  servicePrincipalId: pulumi.Input<string>;
  jobId: pulumi.Input<string>;
  appName?: pulumi.Input<string>;
  status: pulumi.Input<"on" | "off">;
}

export class ProvisioningStatus extends pulumi.dynamic.Resource {
  declare readonly status: pulumi.Output<"on" | "off">;
  constructor(name: string, args: ProvisioningStatusArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      provisioningStatusProvider as unknown as pulumi.dynamic.ResourceProvider,
      name,
      { ...args, providerVersion: ENTRA_PROVIDER_VERSION },
      opts,
      "scimops",
      "ProvisioningStatus",
    );
  }
}
