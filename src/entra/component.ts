/**
 * EntraProvisionedApp: everything the seed guides click together for one app, as one component, all of
 * it our own Graph-backed resources (no azuread provider plugin is needed; one `graph` connection drives
 * every call):
 *
 *   EnterpriseApp (gallery template by display name, or the cloud's non-gallery template; or adopted)
 *     ├ SynchronizationJob (created paused; template `scim` or the gallery default, resolved once; or adopted)
 *     │   ├ SynchronizationSettings  (tenant URL, token, scope, notifications, deletion threshold)
 *     │   ├ SynchronizationSchema    (the declared object mappings, complete)
 *     │   └ ProvisioningStatus       (start/pause, after settings and schema exist)
 *     ├ AppRoleAssignments (the set of assignments; role by name; Default Access refused)
 *     └ ProvisionOnDemand for declared test subjects (after the job runs and the subjects are assigned)
 *
 * Principals are names the provider looks up, or object ids from anywhere — e.g. `@pulumi/azuread`
 * `Group`/`User`/`ServicePrincipal` resources of the user's own program (their `objectId`).
 */
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import type * as azuread from "@pulumi/azuread";
import type { AppPlan, EntraPlan } from "../plan/types";
import type { GraphConnection } from "./graph";
import { EnterpriseApp } from "./enterprise-app";
import { SynchronizationJob } from "./synchronization-job";
import { SynchronizationSchema } from "./synchronization-schema";
import { SynchronizationSettings } from "./synchronization-settings";
import { ProvisioningStatus } from "./provisioning-status";
import { AppRoleAssignments } from "./app-role-assignments";
import { ProvisionOnDemand } from "./provision-on-demand";
import { canonicalJson } from "./helpers";
import { assignedRoleProblem, SKIPPED_ROLE_REASON } from "../catalog/roles";

/** A principal: a name, an object id, or an `@pulumi/azuread` resource (its `objectId` is used). */
export type PrincipalRef = pulumi.Input<string> | Pick<azuread.Group, "objectId"> | Pick<azuread.User, "objectId"> | Pick<azuread.ServicePrincipal, "objectId">;

/** An assignment given in code, in addition to the plan's (e.g. a group your own program creates with azuread). */
export type AssignmentInput = { role: string } & ({ group: PrincipalRef } | { user: PrincipalRef } | { servicePrincipal: PrincipalRef });

export interface EntraProvisionedAppArgs {
  plan: AppPlan;
  entra: EntraPlan;
  /** Where Graph is; every resource of the component uses this one connection. */
  graph: GraphConnection;
  secretToken: pulumi.Input<string>;
  notificationRecipients?: string;
  /** Adopt this existing enterprise app (service principal object id) instead of creating one: no writes. */
  adoptServicePrincipalId?: pulumi.Input<string>;
  /** Adopt this existing synchronization job of the app. */
  adoptJobId?: pulumi.Input<string>;
  additionalAssignments?: readonly AssignmentInput[];
  allowDeletion: boolean;
  retainOnDelete: boolean;
  protect: boolean;
}

function principalInput(ref: PrincipalRef): pulumi.Input<string> {
  return typeof ref === "object" && ref !== null && "objectId" in ref ? ref.objectId : (ref as pulumi.Input<string>);
}

function assignmentEntry(a: AssignmentInput) {
  if ("group" in a) return { principal: principalInput(a.group), principalType: "Group" as const, role: a.role };
  if ("user" in a) return { principal: principalInput(a.user), principalType: "User" as const, role: a.role };
  return { principal: principalInput(a.servicePrincipal), principalType: "ServicePrincipal" as const, role: a.role };
}

export class EntraProvisionedApp extends pulumi.ComponentResource {
  readonly servicePrincipalId: pulumi.Output<string>;
  readonly jobId: pulumi.Output<string>;
  readonly tenantUrl: pulumi.Output<string>;
  readonly matchingAttribute: pulumi.Output<string>;

  constructor(name: string, args: EntraProvisionedAppArgs, opts?: pulumi.ComponentResourceOptions) {
    super("scimops:entra:ProvisionedApp", name, {}, opts);
    const { plan, entra, graph } = args;
    if (!entra.tenantUrl) {
      throw new Error(`${plan.displayName}: the tenant URL ${entra.tenantUrlTemplate} needs parameters — set them under scimops:apps[].parameters in the stack`);
    }
    refuseSkippedRoles(plan, entra);
    const child: pulumi.CustomResourceOptions = { parent: this, retainOnDelete: args.retainOnDelete };
    const common = { graph, appName: plan.displayName, allowDelete: args.allowDeletion };

    const app = new EnterpriseApp(
      name,
      {
        graph,
        displayName: entra.app.displayName,
        ...(entra.app.kind === "gallery" ? { galleryName: entra.app.galleryName } : { templateId: entra.app.templateId }),
        ...(args.adoptServicePrincipalId !== undefined ? { adoptServicePrincipalId: args.adoptServicePrincipalId } : {}),
        allowDelete: args.allowDeletion,
      },
      { ...child, protect: args.protect },
    );
    const servicePrincipalId = app.servicePrincipalId;
    // Deleting the enterprise app takes its job, settings, schema and assignments with it: when the app
    // goes, their own deletes would be writes without a reason, so the engine skips them (deletedWith).
    const part: pulumi.CustomResourceOptions = { ...child, deletedWith: app };

    // Created paused: ProvisioningStatus starts it once settings and schema are in place.
    const job = new SynchronizationJob(
      `${name}-job`,
      { ...common, servicePrincipalId, ...(entra.syncTemplateId ? { templateId: entra.syncTemplateId } : {}), ...(args.adoptJobId !== undefined ? { adoptJobId: args.adoptJobId } : {}) },
      part,
    );
    const jobId = job.jobId;

    const settings = new SynchronizationSettings(
      `${name}-settings`,
      {
        ...common,
        servicePrincipalId,
        jobId,
        baseAddress: entra.tenantUrl,
        secretToken: pulumi.secret(args.secretToken),
        syncAll: entra.syncAll,
        notifications: {
          enabled: entra.notifications.enabled,
          ...(args.notificationRecipients ? { recipients: args.notificationRecipients } : {}),
          deleteThresholdEnabled: entra.deleteThreshold.enabled,
          deleteThresholdValue: entra.deleteThreshold.value,
        },
        skipOutOfScopeDeletions: entra.skipOutOfScopeDeletions,
      },
      part,
    );
    const schema = new SynchronizationSchema(`${name}-schema`, { ...common, servicePrincipalId, jobId, objectMappings: entra.mappings.map((m) => m.graph) }, part);
    const status = new ProvisioningStatus(
      `${name}-status`,
      { graph, appName: plan.displayName, servicePrincipalId, jobId, status: entra.status },
      { ...part, dependsOn: [settings, schema] },
    );

    const declared: AssignmentInput[] = entra.assignments.map((a) => ("group" in a ? { group: a.group, role: a.role } : { user: a.user, role: a.role }));
    const assignments = new AppRoleAssignments(
      `${name}-assignments`,
      { ...common, servicePrincipalId, assignments: [...declared, ...(args.additionalAssignments ?? [])].map(assignmentEntry) },
      part,
    );

    if (entra.provisionOnDemand.length && entra.status === "on") {
      new ProvisionOnDemand(
        `${name}-on-demand`,
        {
          graph,
          appName: plan.displayName,
          servicePrincipalId,
          jobId,
          ruleId: schema.effectiveRuleId,
          subjects: entra.provisionOnDemand.map((s) => ({ principal: s.user, principalType: "User" as const })),
          // Provision the test subjects again whenever the live mappings change.
          trigger: schema.objectMappings.apply((m) => createHash("sha256").update(canonicalJson(m)).digest("hex")),
        },
        { ...part, dependsOn: [status, assignments] },
      );
    }

    const users = entra.mappings.find((m) => m.key === "users");
    const matching = users?.attributes.filter((a) => a.matchingPrecedence > 0).sort((a, b) => a.matchingPrecedence - b.matchingPrecedence)[0];
    this.servicePrincipalId = servicePrincipalId;
    this.jobId = jobId;
    this.tenantUrl = pulumi.output(entra.tenantUrl);
    this.matchingAttribute = pulumi.output(matching ? `${matching.sourceText ?? ""} → ${matching.target}` : "");
    this.registerOutputs({ servicePrincipalId: this.servicePrincipalId, jobId: this.jobId, tenantUrl: this.tenantUrl, matchingAttribute: this.matchingAttribute });
  }
}

/** Refuse assignments whose members provisioning would skip (the role itself is resolved against the app at apply). */
function refuseSkippedRoles(plan: AppPlan, entra: EntraPlan): void {
  for (const a of entra.assignments) {
    const problem = assignedRoleProblem(plan.displayName, entra.roles, a.role);
    if (problem?.kind === "refused") {
      const who = "group" in a ? `group ${a.group}` : `user ${a.user}`;
      throw new Error(`${plan.displayName}: ${who} is assigned with the ${a.role} role, and ${SKIPPED_ROLE_REASON} — ${problem.fix}`);
    }
  }
}
