/**
 * SynchronizationSchema: the attribute mappings, scoping filters, target object actions and
 * enabled flags of ONE synchronization job, managed through
 * `GET/PUT/DELETE /servicePrincipals/{id}/synchronization/jobs/{jobId}/schema`.
 *
 * Interface the rest of scimops relies on:
 * - `objectMappings` are ALREADY IN GRAPH FORM (name, enabled, flowTypes, sourceObjectName,
 *   targetObjectName, scope filter, complete attributeMappings whose `source` is an
 *   attributeMappingSource tree) as produced by the Plan compiler. Each declared mapping is owned
 *   completely; undeclared mappings, other rules and the directories stay as Entra has them.
 * - `graph` describes where Graph is (cloud/baseUrl, tenant, auth method name) and holds NO
 *   credentials: the provider reads them from the environment at run time (see graph.ts).
 * - `providerVersion` defaults to ENTRA_PROVIDER_VERSION; a change runs `update`.
 *
 * Calls per operation (see docs/design.md): create = 1 GET + (1 PUT only if different);
 * diff = none; update = 1 GET + (1 PUT only if different); read = 1 GET; delete = 1 DELETE when
 * `allowDelete`, else none.
 */
import type * as pulumi from "@pulumi/pulumi";
import { GraphDynamicResource, type GraphResourceArgs } from "./dynamic-resource";
import { createGraphSession } from "./graph";
import type { AttributeDefinition, ObjectMapping } from "../graph/wire";
import { canonicalJson, containsUnknown } from "./helpers";
import type { GraphResourceInputs } from "./provider-kit";
import { appLabel, callContext, checkResult, diffResult, graphFailures, outputsOf, requiredStringFailures, unlessGone } from "./provider-kit";
import {
  declaredMappingListsEquivalent,
  planSchema,
  projectCustomTargetAttributes,
  projectLiveMappings,
  validateDeclaration,
} from "./schema-merge";
import { deleteJobSchema, getJobSchema, putJobSchema } from "./sync-api";

/** Plain (resolved) inputs the provider receives. */
export interface SynchronizationSchemaInputs extends GraphResourceInputs {
  jobId: string;
  /** Rule to edit; by default the rule holding mappings with the declared names. */
  ruleId?: string;
  objectMappings: ObjectMapping[];
  customTargetAttributes?: Record<string, AttributeDefinition[]>;
  /** When true, deleting the resource restores the template default schema; otherwise delete leaves Entra as it is. */
  allowDelete?: boolean;
}

/** State: the inputs (objectMappings as live after a refresh) plus the rule actually edited. */
export interface SynchronizationSchemaOutputs extends SynchronizationSchemaInputs {
  effectiveRuleId: string;
}

function declarationOf(i: SynchronizationSchemaInputs) {
  return {
    objectMappings: i.objectMappings,
    ...(i.ruleId ? { ruleId: i.ruleId } : {}),
    ...(i.customTargetAttributes ? { customTargetAttributes: i.customTargetAttributes } : {}),
  };
}

async function schemaCheck(_olds: unknown, news: Record<string, unknown>) {
  const inputs = { ...news } as unknown as SynchronizationSchemaInputs;
  const failures = [...requiredStringFailures(inputs, ["servicePrincipalId", "jobId"]), ...graphFailures(inputs.graph)];
  if (!containsUnknown(inputs.objectMappings) && !containsUnknown(inputs.customTargetAttributes)) {
    failures.push(...validateDeclaration(declarationOf(inputs)));
  }
  return checkResult(inputs, failures);
}

async function schemaDiff(_id: string, olds: SynchronizationSchemaOutputs, news: SynchronizationSchemaInputs) {
  return diffResult<SynchronizationSchemaInputs>(
    olds,
    news,
    ["servicePrincipalId", "jobId"],
    () =>
      containsUnknown(news) ||
      !declaredMappingListsEquivalent(olds.objectMappings, news.objectMappings) ||
      canonicalJson(olds.customTargetAttributes ?? null) !== canonicalJson(news.customTargetAttributes ?? null) ||
      (olds.ruleId ?? "") !== (news.ruleId ?? "") ||
      canonicalJson(olds.graph ?? null) !== canonicalJson(news.graph ?? null) ||
      (olds.appName ?? "") !== (news.appName ?? "") ||
      !!olds.allowDelete !== !!news.allowDelete ||
      olds.providerVersion !== news.providerVersion,
  );
}

/** GET, merge, and PUT only when something declared really differs. */
async function reconcileSchema(inputs: SynchronizationSchemaInputs, justCreated: boolean): Promise<string> {
  const session = createGraphSession(inputs.graph);
  const ctx = callContext(inputs, session, justCreated);
  const live = await getJobSchema(session, inputs.servicePrincipalId, inputs.jobId, ctx);
  let plan;
  try {
    plan = planSchema(live, declarationOf(inputs));
  } catch (e) {
    throw new Error(`app "${appLabel(inputs)}": cannot merge the declared mappings into job ${inputs.jobId}: ${(e as Error).message}`);
  }
  if (plan.changed) await putJobSchema(session, inputs.servicePrincipalId, inputs.jobId, plan.schema, ctx);
  return plan.ruleId;
}

async function schemaCreate(inputs: SynchronizationSchemaInputs) {
  const ruleId = await reconcileSchema(inputs, true);
  return { id: `${inputs.servicePrincipalId}/${inputs.jobId}/schema`, outs: outputsOf<SynchronizationSchemaOutputs>(inputs, { effectiveRuleId: ruleId }) };
}

async function schemaUpdate(_id: string, _olds: SynchronizationSchemaOutputs, news: SynchronizationSchemaInputs) {
  const ruleId = await reconcileSchema(news, false);
  return { outs: outputsOf<SynchronizationSchemaOutputs>(news, { effectiveRuleId: ruleId }) };
}

async function schemaRead(id: string, props: SynchronizationSchemaOutputs) {
  const session = createGraphSession(props.graph);
  const live = await unlessGone(() => getJobSchema(session, props.servicePrincipalId, props.jobId, { app: appLabel(props) }));
  if (live === undefined) return { id: "", props: {} };
  const ruleId = props.effectiveRuleId || props.ruleId || "";
  const out: SynchronizationSchemaOutputs = { ...props, objectMappings: projectLiveMappings(live, ruleId, props.objectMappings ?? []) };
  const custom = projectCustomTargetAttributes(live, ruleId, props.customTargetAttributes);
  if (custom) out.customTargetAttributes = custom;
  delete (out as unknown as Record<string, unknown>).__provider;
  return { id, props: out };
}

async function schemaDelete(_id: string, props: SynchronizationSchemaOutputs) {
  if (!props.allowDelete) return;
  const session = createGraphSession(props.graph);
  await unlessGone(() => deleteJobSchema(session, props.servicePrincipalId, props.jobId, { app: appLabel(props) }));
}

/**
 * The dynamic provider. Exported so tests can drive its methods directly; its methods only reach
 * plain functions of this folder (serialized by value) and `require()` runtime modules inside them.
 */
export const synchronizationSchemaProvider = {
  check: schemaCheck,
  diff: schemaDiff,
  create: schemaCreate,
  read: schemaRead,
  update: schemaUpdate,
  delete: schemaDelete,
};

/** Resource arguments (Pulumi inputs). */
export interface SynchronizationSchemaArgs extends GraphResourceArgs {
  jobId: pulumi.Input<string>;
  ruleId?: pulumi.Input<string>;
  objectMappings: pulumi.Input<pulumi.Input<ObjectMapping>[]>;
  customTargetAttributes?: pulumi.Input<Record<string, AttributeDefinition[]>>;
  allowDelete?: pulumi.Input<boolean>;
  providerVersion?: pulumi.Input<string>;
}

/** Type token: `pulumi-nodejs:dynamic/scimops:SynchronizationSchema`. */
export class SynchronizationSchema extends GraphDynamicResource {
  declare readonly jobId: pulumi.Output<string>;
  declare readonly ruleId: pulumi.Output<string | undefined>;
  /** Live state of the declared mappings after create/update/refresh, mapping by mapping. */
  declare readonly objectMappings: pulumi.Output<ObjectMapping[]>;
  declare readonly customTargetAttributes: pulumi.Output<Record<string, AttributeDefinition[]> | undefined>;
  declare readonly allowDelete: pulumi.Output<boolean | undefined>;
  /** The synchronization rule the mappings live in. */
  declare readonly effectiveRuleId: pulumi.Output<string>;

  constructor(name: string, args: SynchronizationSchemaArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      synchronizationSchemaProvider,
      "SynchronizationSchema",
      name,
      {
        graph: args.graph,
        servicePrincipalId: args.servicePrincipalId,
        jobId: args.jobId,
        appName: args.appName,
        ruleId: args.ruleId,
        objectMappings: args.objectMappings,
        customTargetAttributes: args.customTargetAttributes,
        allowDelete: args.allowDelete,
        providerVersion: args.providerVersion,
        effectiveRuleId: undefined,
      },
      opts,
    );
  }
}
