/**
 * OktaProvisionedApp: one target app provisioned from Okta with @pulumi/okta — the app, profile mappings,
 * group assignments and push groups. Okta's API cannot set the SCIM base URL and token of a custom app
 * (Admin UI only; the Connections API serves Org2Org/Zscaler, app features a few OIN apps), so the
 * component exports those steps as `manualSteps` with the exact values instead of pretending.
 */
import * as pulumi from "@pulumi/pulumi";
import * as okta from "@pulumi/okta";
import type { AppPlan, OktaPlan } from "../plan/types";
import { oktaManualSteps } from "../plan/runbook";

export interface OktaProvisionedAppArgs {
  plan: AppPlan;
  /** Retain the app and its children when removed from the stack. */
  retainOnDelete: boolean;
  protect: boolean;
}

const SIGN_ON_MODE_UNSUPPORTED = new Set(["SAML_2_0", "OIDC", "BOOKMARK"]);

export class OktaProvisionedApp extends pulumi.ComponentResource {
  readonly appId: pulumi.Output<string>;
  readonly scimBaseUrl: pulumi.Output<string>;
  /** What a person must still click in the Okta Admin Console, with the exact values. */
  readonly manualSteps: pulumi.Output<string[]>;

  constructor(name: string, args: OktaProvisionedAppArgs, opts?: pulumi.ComponentResourceOptions) {
    super("scimops:okta:ProvisionedApp", name, {}, opts);
    const oktaPlan = args.plan.okta;
    if (!oktaPlan) throw new Error(`${args.plan.displayName} has no okta section in ${args.plan.file}`);
    if (SIGN_ON_MODE_UNSUPPORTED.has(oktaPlan.signOnMode)) {
      throw new Error(`${args.plan.file}: okta.app.signOnMode ${oktaPlan.signOnMode} is not supported by scimops yet — use SWA as the vendor guide does`);
    }
    if (!oktaPlan.scimBaseUrl) {
      throw new Error(`${args.plan.displayName}: the SCIM base URL ${oktaPlan.scimBaseUrlTemplate} needs parameters — set them under scimops:apps[].parameters in the stack`);
    }
    const child = { parent: this, retainOnDelete: args.retainOnDelete };
    const app = new okta.app.Swa(name, { label: oktaPlan.label, status: "ACTIVE" }, { ...child, protect: args.protect });

    const userSource = okta.user.getUserProfileMappingSourceOutput({ parent: this });
    new okta.profile.Mapping(
      `${name}-profile`,
      {
        sourceId: userSource.id,
        targetId: app.id,
        deleteWhenAbsent: false,
        alwaysApply: true,
        mappings: oktaPlan.profileMappings.map((m) => ({ id: m.target, expression: m.source, pushStatus: "PUSH" })),
      },
      child,
    );

    const groupIds = groupsById(oktaPlan, this);
    if (oktaPlan.assignedGroups.length) {
      new okta.AppGroupAssignments(
        `${name}-assignments`,
        { appId: app.id, groups: oktaPlan.assignedGroups.map((g, priority) => ({ id: groupIds.get(g)!, priority, profile: "{}" })) },
        child,
      );
    }
    for (const group of oktaPlan.pushGroups) {
      // Targets that match groups by name (IronWifi, case-sensitive) get the exact name pushed.
      new okta.PushGroup(
        `${name}-push-${slug(group)}`,
        { appId: app.id, sourceGroupId: groupIds.get(group)!, targetGroupName: group, deleteTargetGroupOnDestroy: false },
        { ...child, dependsOn: [app] },
      );
    }

    this.appId = app.id;
    this.scimBaseUrl = pulumi.output(oktaPlan.scimBaseUrl);
    this.manualSteps = pulumi.output(oktaManualSteps(args.plan, oktaPlan));
    this.registerOutputs({ appId: this.appId, scimBaseUrl: this.scimBaseUrl, manualSteps: this.manualSteps });
  }
}

function groupsById(plan: OktaPlan, parent: pulumi.Resource): Map<string, pulumi.Output<string>> {
  const ids = new Map<string, pulumi.Output<string>>();
  for (const group of new Set([...plan.assignedGroups, ...plan.pushGroups])) {
    ids.set(group, okta.group.getGroupOutput({ name: group }, { parent }).id);
  }
  return ids;
}

export function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
}
