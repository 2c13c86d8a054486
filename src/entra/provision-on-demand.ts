/**
 * ProvisionOnDemand: the portal's "Provision on demand" for declared test subjects, run after the job is
 * configured and again whenever `trigger` (e.g. a hash of the live mappings) or the subjects change.
 * Graph answers 200 even when it skipped a subject, so the response body decides: anything but `Success`
 * fails the step with Graph's reason (graph-sync.md §7).
 *
 * Calls per operation (docs/design.md §1):
 * - create/update: `GET /users?$filter=userPrincipalName eq '…'` per subject given by name, then one
 *   `POST …/jobs/{id}/provisionOnDemand` per subject (Graph takes one subject per request; its limit of
 *   5 requests per 10 s answers 429 with Retry-After, which the client honours).
 * - diff, read, delete: none (an action, not an object: read keeps the recorded results).
 */
import type * as pulumi from "@pulumi/pulumi";
import { GraphDynamicResource, type GraphResourceArgs } from "./dynamic-resource";
import { createGraphSession } from "./graph";
import { canonicalJson, containsUnknown } from "./helpers";
import type { GraphResourceInputs } from "./provider-kit";
import { appLabel, checkResult, diffResult, graphFailures, outputsOf, readResult, requiredStringFailures } from "./provider-kit";
import { resolvePrincipalId } from "./principals";
import { provisionOnDemand, type ProvisionOnDemandResult } from "./sync-api";

export interface OnDemandSubject {
  /** Object id or userPrincipalName (users), object id or display name (groups). */
  principal: string;
  principalType: "User" | "Group";
}

export interface OnDemandOutcome {
  principal: string;
  objectId: string;
  result: string;
  action?: string;
}

export interface ProvisionOnDemandInputs extends GraphResourceInputs {
  jobId: string;
  ruleId: string;
  subjects: OnDemandSubject[];
  /** Any value; a change provisions the subjects again. */
  trigger?: string;
}

export interface ProvisionOnDemandOutputs extends ProvisionOnDemandInputs {
  results: OnDemandOutcome[];
}

type Json = Record<string, unknown>;
const asObject = (v: unknown): Json | undefined => (v && typeof v === "object" && !Array.isArray(v) ? (v as Json) : Array.isArray(v) && v[0] && typeof v[0] === "object" ? (v[0] as Json) : undefined);

/**
 * The outcome in a provisionOnDemand response. Documented shape: `key` = {"result", "details": {errorCode,
 * errorMessage}}, `value` = a provisioning-log entry with `action`, `provisioningSteps[{status, description}]`
 * and `statusInfo`; the cross-tenant example has a plain `key` and an array `value` (§7 CONFLICT), so the
 * result then comes from `statusInfo.status` or the steps.
 */
export function onDemandOutcome(res: ProvisionOnDemandResult): { result: string; reason: string; action?: string } {
  const key = asObject(res.key);
  const value = asObject(res.value) ?? {};
  const steps = Array.isArray(value.provisioningSteps) ? (value.provisioningSteps as Json[]) : [];
  const statusInfo = asObject(value.statusInfo);
  const badStep = steps.find((s) => typeof s.status === "string" && !/^success$/i.test(s.status));
  const fromSteps = badStep ? String(badStep.status) : steps.length ? "Success" : "";
  const result = String(key?.result ?? statusInfo?.status ?? fromSteps) || "Unknown";
  const details = asObject(key?.details);
  const reason = [details?.errorCode, details?.errorMessage, statusInfo?.reason, badStep ? `${String(badStep.name ?? "step")}: ${String(badStep.description ?? badStep.status)}` : undefined]
    .filter((x) => typeof x === "string" && x !== "")
    .join(" — ");
  return { result, reason: reason || "Graph gave no reason", ...(typeof value.action === "string" ? { action: value.action } : {}) };
}

async function runOnDemand(i: ProvisionOnDemandInputs): Promise<OnDemandOutcome[]> {
  const session = createGraphSession(i.graph);
  const ctx = { app: appLabel(i) };
  const results: OnDemandOutcome[] = [];
  for (const subject of i.subjects) {
    const objectId = await resolvePrincipalId(session, subject.principalType, subject.principal, ctx);
    const res = await provisionOnDemand(session, i.servicePrincipalId, i.jobId, [{ ruleId: i.ruleId, subjects: [{ objectId, objectTypeName: subject.principalType }] }], ctx);
    const outcome = onDemandOutcome(res);
    if (!/^success$/i.test(outcome.result)) {
      throw new Error(`${ctx.app}: provision on demand of ${subject.principalType.toLowerCase()} ${subject.principal} ended ${outcome.result}: ${outcome.reason}`);
    }
    results.push({ principal: subject.principal, objectId, result: outcome.result, ...(outcome.action ? { action: outcome.action } : {}) });
  }
  return results;
}

async function onDemandCheck(_olds: unknown, news: Record<string, unknown>) {
  const inputs = { ...news } as unknown as ProvisionOnDemandInputs;
  const failures = [...requiredStringFailures(inputs, ["servicePrincipalId", "jobId", "ruleId"]), ...graphFailures(inputs.graph)];
  if (Array.isArray(inputs.subjects)) {
    inputs.subjects.forEach((s, n) => {
      if (containsUnknown(s)) return;
      if (s?.principalType !== "User" && s?.principalType !== "Group") failures.push({ property: `subjects[${n}].principalType`, reason: "must be User or Group" });
      if (typeof s?.principal !== "string" || s.principal === "") failures.push({ property: `subjects[${n}].principal`, reason: "must be an object id or a name" });
    });
  } else if (!containsUnknown(inputs.subjects)) failures.push({ property: "subjects", reason: "must be a list" });
  return checkResult(inputs, failures);
}

async function onDemandDiff(_id: string, olds: ProvisionOnDemandOutputs, news: ProvisionOnDemandInputs) {
  return diffResult(
    olds,
    news,
    ["servicePrincipalId", "jobId"],
    () =>
      containsUnknown(news) ||
      olds.ruleId !== news.ruleId ||
      (olds.trigger ?? "") !== (news.trigger ?? "") ||
      canonicalJson(olds.subjects) !== canonicalJson(news.subjects) ||
      canonicalJson(olds.graph ?? null) !== canonicalJson(news.graph ?? null) ||
      olds.providerVersion !== news.providerVersion,
  );
}

export const provisionOnDemandProvider = {
  check: onDemandCheck,
  diff: onDemandDiff,
  async create(i: ProvisionOnDemandInputs) {
    return { id: `${i.servicePrincipalId}/${i.jobId}/provisionOnDemand`, outs: outputsOf<ProvisionOnDemandOutputs>(i, { results: await runOnDemand(i) }) };
  },
  async update(_id: string, _olds: ProvisionOnDemandOutputs, news: ProvisionOnDemandInputs) {
    return { outs: outputsOf<ProvisionOnDemandOutputs>(news, { results: await runOnDemand(news) }) };
  },
  async read(id: string, props: ProvisionOnDemandOutputs) {
    return readResult(id, props);
  },
  async delete() {},
};

export interface ProvisionOnDemandArgs extends GraphResourceArgs {
  jobId: pulumi.Input<string>;
  ruleId: pulumi.Input<string>;
  subjects: pulumi.Input<pulumi.Input<{ principal: pulumi.Input<string>; principalType: "User" | "Group" }>[]>;
  trigger?: pulumi.Input<string>;
  providerVersion?: pulumi.Input<string>;
}

/** Type token: `pulumi-nodejs:dynamic/scimops:ProvisionOnDemand`. */
export class ProvisionOnDemand extends GraphDynamicResource {
  declare readonly results: pulumi.Output<OnDemandOutcome[]>;
  constructor(name: string, args: ProvisionOnDemandArgs, opts?: pulumi.CustomResourceOptions) {
    super(provisionOnDemandProvider, "ProvisionOnDemand", name, { ...args, results: undefined }, opts);
  }
}
