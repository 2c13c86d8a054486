/**
 * EntraProvisionedApp: everything the seed guides click together for one app, as one component.
 *
 *   enterprise app (gallery template by display name, or the cloud's non-gallery template)
 *     └ synchronization job (azuread, created paused; template `scim` or the gallery default)
 *         ├ SynchronizationSettings  (tenant URL, token, scope, notifications, deletion threshold)
 *         ├ SynchronizationSchema    (the declared object mappings, complete)
 *         └ ProvisioningStatus       (start/pause, after settings and schema exist)
 *     ├ app role assignments (role by name; Default Access refused)
 *     └ provision on demand for declared test subjects (after the job runs)
 */
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import * as azuread from "@pulumi/azuread";
import type { Cloud } from "../spec/schema";
import type { AppPlan, EntraPlan } from "../plan/types";
import type { GraphConnection } from "./graph";
import { SynchronizationSchema } from "./synchronization-schema";
import { SynchronizationSettings } from "./synchronization-settings";
import { ProvisioningStatus, SynchronizationTemplateDefault } from "./job-state";
import { canonicalJson } from "./helpers";
import { assignedRoleProblem, SKIPPED_ROLE_REASON } from "../catalog/roles";

export interface EntraProvisionedAppArgs {
  plan: AppPlan;
  entra: EntraPlan;
  cloud: Cloud;
  graphBaseUrl?: string;
  tenantId?: string;
  secretToken: pulumi.Input<string>;
  notificationRecipients?: string;
  allowDeletion: boolean;
  retainOnDelete: boolean;
  protect: boolean;
}

export class EntraProvisionedApp extends pulumi.ComponentResource {
  readonly servicePrincipalId: pulumi.Output<string>;
  readonly jobId: pulumi.Output<string>;
  readonly tenantUrl: pulumi.Output<string>;
  readonly matchingAttribute: pulumi.Output<string>;

  constructor(name: string, args: EntraProvisionedAppArgs, opts?: pulumi.ComponentResourceOptions) {
    super("scimops:entra:ProvisionedApp", name, {}, opts);
    const { plan, entra } = args;
    if (!entra.tenantUrl) {
      throw new Error(`${plan.displayName}: the tenant URL ${entra.tenantUrlTemplate} needs parameters — set them under scimops:apps[].parameters in the stack`);
    }
    refuseSkippedRoles(plan, entra);
    const child: pulumi.CustomResourceOptions = { parent: this, retainOnDelete: args.retainOnDelete };
    const graph: GraphConnection = {
      ...(args.graphBaseUrl ? { baseUrl: args.graphBaseUrl } : { cloud: args.cloud }),
      ...(args.tenantId ? { tenantId: args.tenantId } : {}),
    };

    const templateId =
      entra.app.kind === "gallery" ? azuread.getApplicationTemplateOutput({ displayName: entra.app.galleryName }, { parent: this }).templateId : pulumi.output(entra.app.templateId);
    const app = new azuread.ApplicationFromTemplate(name, { displayName: entra.app.displayName, templateId }, { ...child, protect: args.protect });
    const servicePrincipalId = app.servicePrincipalObjectId;

    const syncTemplateId = entra.syncTemplateId
      ? pulumi.output(entra.syncTemplateId)
      : new SynchronizationTemplateDefault(`${name}-sync-template`, { graph, servicePrincipalId, appName: plan.displayName }, child).templateId;
    // Created paused: ProvisioningStatus starts it once settings and schema are in place.
    const job = new azuread.SynchronizationJob(`${name}-job`, { servicePrincipalId, templateId: syncTemplateId, enabled: false }, { ...child, ignoreChanges: ["enabled"] });

    const settings = new SynchronizationSettings(
      `${name}-settings`,
      {
        graph,
        servicePrincipalId,
        jobId: job.id,
        appName: plan.displayName,
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
        allowDelete: args.allowDeletion,
      },
      child,
    );
    const schema = new SynchronizationSchema(
      `${name}-schema`,
      { graph, servicePrincipalId, jobId: job.id, appName: plan.displayName, objectMappings: entra.mappings.map((m) => m.graph), allowDelete: args.allowDeletion },
      child,
    );
    const status = new ProvisioningStatus(
      `${name}-status`,
      { graph, servicePrincipalId, jobId: job.id, appName: plan.displayName, status: entra.status },
      { ...child, dependsOn: [settings, schema] },
    );

    const roles = azuread.getServicePrincipalOutput({ objectId: servicePrincipalId }, { parent: this }).appRoles;
    entra.assignments.forEach((assignment, i) => {
      const principal =
        "group" in assignment
          ? azuread.getGroupOutput({ displayName: assignment.group, securityEnabled: true }, { parent: this }).objectId
          : azuread.getUserOutput({ userPrincipalName: assignment.user }, { parent: this }).objectId;
      const appRoleId = roles.apply((list) => {
        const role = list.find((r) => r.displayName === assignment.role || r.value === assignment.role);
        if (!role) throw new Error(`${plan.displayName}: the app has no role \`${assignment.role}\` (roles: ${list.map((r) => r.displayName).join(", ")})`);
        return role.id;
      });
      new azuread.AppRoleAssignment(`${name}-assign-${i}`, { appRoleId, principalObjectId: principal, resourceObjectId: servicePrincipalId }, child);
    });

    if (entra.provisionOnDemand.length && entra.status === "on") {
      new azuread.SynchronizationJobProvisionOnDemand(
        `${name}-on-demand`,
        {
          servicePrincipalId,
          synchronizationJobId: job.id,
          parameters: [
            {
              ruleId: schema.effectiveRuleId,
              subjects: entra.provisionOnDemand.map((s) => ({ objectId: azuread.getUserOutput({ userPrincipalName: s.user }, { parent: this }).objectId, objectTypeName: "User" })),
            },
          ],
          // Provision the test subjects again whenever the live mappings change.
          triggers: { mappings: schema.objectMappings.apply((m) => createHash("sha256").update(canonicalJson(m)).digest("hex")) },
        },
        { ...child, dependsOn: [status] },
      );
    }

    const users = entra.mappings.find((m) => m.key === "users");
    const matching = users?.attributes.filter((a) => a.matchingPrecedence > 0).sort((a, b) => a.matchingPrecedence - b.matchingPrecedence)[0];
    this.servicePrincipalId = servicePrincipalId;
    this.jobId = job.id;
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
