/**
 * ProvisioningStatus: the portal's Provisioning Status On/Off as `start`/`pause` on the job. The job is
 * created paused and this resource depends on the settings and the schema, so nothing is provisioned
 * before the tenant URL, the token and the declared mappings are in place.
 *
 * Calls: create/update = `GET …/jobs/{id}`, then `POST …/start` or `…/pause` only when the job is not
 * already in the declared state; read = `GET …/jobs/{id}`; diff, delete = none.
 */
import type * as pulumi from "@pulumi/pulumi";
import { GraphDynamicResource, type GraphResourceArgs } from "./dynamic-resource";
import { createGraphSession } from "./graph";
import type { GraphResourceInputs } from "./provider-kit";
import { appLabel, diffResult } from "./provider-kit";
import { getSynchronizationJob, pauseSynchronizationJob, startSynchronizationJob } from "./sync-api";

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
  // Deleting the status leaves the job as it is; the job itself belongs to SynchronizationJob.
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
