/**
 * OktaProvisionedApp: one target app provisioned from Okta with @pulumi/okta, in two phases around the
 * step no API can do. Okta cannot enable provisioning or set the SCIM connection of a custom app through
 * its API (the Connections and Features APIs serve a few catalog apps; `okta_app_saml.features` is
 * read-only), so:
 * - pending (the stack's `okta.provisioning`, default): the App Integration Wizard app — SWA (AUTO_LOGIN)
 *   or SAML, never the catalog's template_swa — with its username template, and the group assignments;
 *   the Admin Console steps are exported as `manualSteps`.
 * - enabled: the app's features must show SCIM and the To App / Push Groups toggles (else the update fails
 *   with the steps), then the profile mapping and push groups follow the assignments.
 */
import * as pulumi from "@pulumi/pulumi";
import * as okta from "@pulumi/okta";
import type { AppPlan, OktaPlan } from "../plan/types";
import { oktaManualSteps } from "../plan/runbook";
import { oktaAssignedAndPushed, OKTA_SEPARATE_GROUPS_FIX } from "../spec/check";
import { missingFeatures } from "./features";

export interface OktaProvisionedAppArgs {
  plan: AppPlan;
  /** The stack's one explicit Okta provider (its org from `scimops:oktaOrg`). */
  provider: okta.Provider;
  /** The stack name, for the rerun instruction in the manual steps. */
  stack: string;
  /** Retain the app and its children when removed from the stack. */
  retainOnDelete: boolean;
  protect: boolean;
}

export class OktaProvisionedApp extends pulumi.ComponentResource {
  readonly appId: pulumi.Output<string>;
  readonly provisioning: pulumi.Output<string>;
  /** What a person must still click in the Okta Admin Console, with the exact values (empty once enabled). */
  readonly manualSteps: pulumi.Output<string[]>;
  readonly profileMappingId: pulumi.Output<string | undefined>;
  readonly pushGroupIds: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: OktaProvisionedAppArgs, opts?: pulumi.ComponentResourceOptions) {
    super("scimops:okta:ProvisionedApp", name, {}, opts);
    const { plan, provider } = args;
    const oktaPlan = plan.okta;
    if (!oktaPlan) throw new Error(`${plan.displayName} has no okta section in ${plan.file}`);
    if (!oktaPlan.scimBaseUrl) {
      throw new Error(`${plan.displayName}: the SCIM base URL ${oktaPlan.scimBaseUrlTemplate} needs parameters — set them under scimops:apps[].parameters in the stack`);
    }
    for (const group of oktaPlan.pushGroups) {
      if (oktaPlan.assignedGroups.includes(group)) throw new Error(`${plan.displayName}: ${oktaAssignedAndPushed(group)} — ${OKTA_SEPARATE_GROUPS_FIX} (run \`scimops validate\`)`);
    }
    const steps = oktaManualSteps(plan, oktaPlan, args.stack);
    const invoke = { parent: this, provider };
    const child = { parent: this, provider, retainOnDelete: args.retainOnDelete };

    const app = createApp(name, oktaPlan, { ...child, protect: args.protect });
    const groupId = (group: string, type?: "OKTA_GROUP") => exactGroupId(plan, group, type, invoke);
    const assignments = oktaPlan.assignedGroups.length
      ? new okta.AppGroupAssignments(
          `${name}-assignments`,
          { appId: app.id, groups: oktaPlan.assignedGroups.map((g, priority) => ({ id: groupId(g), priority, profile: "{}" })) },
          child,
        )
      : undefined;

    let profileMappingId: pulumi.Output<string | undefined> = pulumi.output(undefined);
    const pushGroupIds: Record<string, pulumi.Output<string>> = {};
    if (oktaPlan.provisioning === "enabled") {
      const after = { ...child, dependsOn: assignments ? [assignments] : [] };
      const appId = provisioningEnabled(plan, oktaPlan, app, steps, invoke);
      if (oktaPlan.profileMappings.length) {
        const userType = okta.user.getUserProfileMappingSourceOutput(invoke);
        const mapping = new okta.profile.Mapping(
          `${name}-profile`,
          {
            sourceId: userType.id,
            targetId: appId,
            deleteWhenAbsent: false,
            alwaysApply: true,
            mappings: oktaPlan.profileMappings.map((m) => ({ id: m.target, expression: m.source, pushStatus: "PUSH" })),
          },
          {
            ...after,
            // The provider has no ForceNew on source_id/target_id: a replaced app would keep writing the old
            // mapping id. Its delete nulls every property but `login`; the mapping goes with its app instead.
            replaceOnChanges: ["sourceId", "targetId"],
            retainOnDelete: true,
          },
        );
        profileMappingId = mapping.id;
      }
      for (const group of oktaPlan.pushGroups) {
        // A group the app already has in Okta (imported from the target) is linked by id; otherwise Okta creates it by name.
        const linkedId = pulumi
          .all([appId, okta.getGroupsOutput({ q: appId.apply(() => group), type: "APP_GROUP" }, invoke)])
          .apply(([id, found]) => found.groups.find((g) => g.source === id && g.name === group)?.id);
        const push = new okta.PushGroup(
          `${name}-push-${slug(group)}`,
          {
            appId,
            sourceGroupId: groupId(group, "OKTA_GROUP"),
            targetGroupId: linkedId,
            targetGroupName: linkedId.apply((id) => (id ? undefined : group)),
            status: "ACTIVE",
            // The target's groups carry its policies (IronWifi: VLAN, bandwidth, sessions): never delete them.
            deleteTargetGroupOnDestroy: false,
          },
          after,
        );
        pushGroupIds[group] = push.id;
      }
    }

    this.appId = app.id;
    this.provisioning = pulumi.output(oktaPlan.provisioning);
    this.manualSteps = pulumi.output(oktaPlan.provisioning === "pending" ? steps : []);
    this.profileMappingId = profileMappingId;
    this.pushGroupIds = pulumi.output(pushGroupIds);
    this.registerOutputs({ appId: this.appId, provisioning: this.provisioning, manualSteps: this.manualSteps, profileMappingId, pushGroupIds: this.pushGroupIds });
  }
}

/** The App Integration Wizard custom app: SWA is Okta's AUTO_LOGIN sign-on mode (okta.app.Swa would be the catalog's template_swa). */
function createApp(name: string, plan: OktaPlan, opts: pulumi.CustomResourceOptions): okta.app.AutoLogin | okta.app.Saml {
  const userName = plan.userNameTemplate;
  const common = {
    label: plan.label,
    status: "ACTIVE",
    userNameTemplate: userName.template,
    userNameTemplateType: userName.type,
    userNameTemplatePushStatus: userName.pushStatus,
  };
  if (plan.signOnMode === "SWA") return new okta.app.AutoLogin(name, { ...common, signOnUrl: plan.loginUrl }, opts);
  const saml = plan.saml;
  if (!saml) throw new Error(`${plan.label}: a SAML_2_0 app needs okta.app.saml (run \`scimops validate\`)`);
  return new okta.app.Saml(
    name,
    {
      ...common,
      ssoUrl: saml.ssoUrl,
      recipient: saml.recipient ?? saml.ssoUrl,
      destination: saml.destination ?? saml.ssoUrl,
      audience: saml.audience,
      subjectNameIdTemplate: saml.subjectNameIdTemplate,
      subjectNameIdFormat: saml.subjectNameIdFormat,
      // What Okta's App Integration Wizard proposes for a new SAML app.
      signatureAlgorithm: "RSA_SHA256",
      digestAlgorithm: "SHA256",
      authnContextClassRef: "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport",
      responseSigned: true,
      assertionSigned: true,
    },
    opts,
  );
}

/**
 * The app's id once its features (provider data source `okta_apps`) show that a person enabled SCIM with the
 * plan's toggles; otherwise the update fails here, with the steps, before anything that needs SCIM is sent.
 */
function provisioningEnabled(plan: AppPlan, oktaPlan: OktaPlan, app: okta.app.AutoLogin | okta.app.Saml, steps: string[], invoke: pulumi.InvokeOutputOptions): pulumi.Output<string> {
  const listed = okta.getAppsOutput({ label: app.label }, invoke);
  return pulumi.all([app.id, listed]).apply(([id, result]) => {
    const found = result.apps.find((a) => a.id === id);
    const missing = missingFeatures(oktaPlan, found?.features);
    if (missing.length) {
      throw new Error(
        [
          `${plan.displayName}: provisioning is not enabled in Okta for ${oktaPlan.label} (app ${id}; missing ${missing.join(", ")}), but the stack says \`okta: { provisioning: enabled }\`.`,
          `Do these steps in the Okta Admin Console, then run \`scimops up\` again:`,
          ...steps.slice(0, -1).map((s, i) => `  ${i + 1}. ${s}`),
        ].join("\n"),
      );
    }
    return id;
  });
}

/**
 * The id of the Okta group named exactly `group`. The provider's getGroup queries Okta's name prefix match and
 * accepts a lone hit whose name differs (Contractors-EU for Contractors, guest-wifi for Guest-WiFi); the
 * target matches names case-sensitively, so anything but the exact name is refused.
 */
function exactGroupId(plan: AppPlan, group: string, type: "OKTA_GROUP" | undefined, invoke: pulumi.InvokeOutputOptions): pulumi.Output<string> {
  return okta.group.getGroupOutput({ name: group, ...(type ? { type } : {}) }, invoke).apply((found) => {
    if (found.name !== group) {
      throw new Error(`${plan.displayName}: Okta group \`${group}\` does not exist (Okta's name lookup found only \`${found.name}\`); create \`${group}\` in Okta or fix the name — ${plan.displayName} matches group names exactly`);
    }
    return found.id;
  });
}

export function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
}
