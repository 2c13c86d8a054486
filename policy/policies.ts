/**
 * scimops' production guardrails as CrossGuard policies. Every policy is mandatory on a production stack
 * and not applicable elsewhere; each message names the file and key to change.
 *
 * The policies read the resource inputs the engine sees (scimops' Graph-backed resources, type tokens
 * below) and, for what no resource carries (role names, acknowledgements, the stack's deletion setting),
 * the stack's own files through `StackContext`.
 */
import { UnknownValueError, type PolicyResource, type ReportViolation, type ResourceValidationPolicy, type StackValidationPolicy } from "@pulumi/policy";
import { POLICY_NAMESPACE, stackOfUrn, type StackContext } from "./stack-context";

export const SETTINGS_TYPE = "pulumi-nodejs:dynamic/scimops:SynchronizationSettings";
export const SCHEMA_TYPE = "pulumi-nodejs:dynamic/scimops:SynchronizationSchema";
export const STATUS_TYPE = "pulumi-nodejs:dynamic/scimops:ProvisioningStatus";
export const AZUREAD_ASSIGNMENT_TYPE = "azuread:index/appRoleAssignment:AppRoleAssignment";
/**
 * Graph's appRoleId for "assigned without any specific app role" (appRoleAssignment resource docs:
 * "the default app role ID of 00000000-0000-0000-0000-000000000000"); its members are not provisioned.
 */
export const NO_SPECIFIC_ROLE_ID = "00000000-0000-0000-0000-000000000000";

export type ContextFor = (stack: string) => StackContext;
type Policies = (ResourceValidationPolicy | StackValidationPolicy)[];

/** A property that may be unknown during a preview: undefined instead of the policy SDK's UnknownValueError. */
function known<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (e) {
    if (e instanceof UnknownValueError) return undefined;
    throw e;
  }
}

/** `<app> (mappings/<name>.yaml)` for a resource's `appName` input. */
function appLabel(ctx: StackContext, appName: unknown): { name?: string; label: string; file: string } {
  const display = typeof appName === "string" ? appName : "the app";
  const name = typeof appName === "string" ? ctx.appsByDisplayName.get(appName) : undefined;
  const file = name ? `mappings/${name}.yaml` : "the app's mapping file";
  return { name, label: `${display} (${file})`, file };
}

/** The users mapping's first matching attribute as `<source> → <target>` (how the stack output shows it). */
export function matchingAttributeOf(objectMappings: unknown): string | undefined {
  if (!Array.isArray(objectMappings)) return undefined;
  const users = objectMappings.find((m) => m?.sourceObjectName === "User");
  const candidates = ((users?.attributeMappings ?? []) as { targetAttributeName: string; matchingPriority?: number; source?: { type?: string; name?: string; expression?: string } | null }[])
    .filter((a) => (a.matchingPriority ?? 0) > 0)
    .sort((a, b) => a.matchingPriority! - b.matchingPriority!);
  const first = candidates[0];
  if (!first) return undefined;
  const s = first.source;
  const source = s?.expression ?? (s?.type === "Attribute" ? `[${s.name}]` : s?.type === "Constant" ? `"${s.name}"` : (s?.name ?? ""));
  return `${source} → ${first.targetAttributeName}`;
}

/** Runs `check` on production stacks only; other stacks get "not applicable". */
function production<A extends { urn?: string; notApplicable(reason?: string): never }>(contextFor: ContextFor, urn: string | undefined, args: A): StackContext | undefined {
  if (!urn) return undefined;
  const ctx = contextFor(stackOfUrn(urn));
  if (!ctx.production) args.notApplicable(`stack ${ctx.stack} is not a production stack (set ${POLICY_NAMESPACE}:production: true in its file to apply these policies)`);
  return ctx;
}

export function createPolicies(contextFor: ContextFor): Policies {
  const settingsPolicy = (name: string, description: string, check: (props: Record<string, unknown>, ctx: StackContext, report: ReportViolation) => void): ResourceValidationPolicy => ({
    name,
    description,
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
      if (args.type !== SETTINGS_TYPE) return;
      const ctx = production(contextFor, args.urn, args);
      if (ctx) check(args.props, ctx, report);
    },
  });

  return [
    settingsPolicy("scope-assigned-users-and-groups", "Provisioning scope is “Sync only assigned users and groups”", (props, ctx, report) => {
      const syncAll = known(() => props.syncAll);
      if (syncAll === false) return;
      const app = appLabel(ctx, props.appName);
      report(
        `${app.label}: provisioning scope is ${syncAll === true ? "“Sync all users and groups”" : "not declared"} — set \`entra.provisioning.scope: assignedUsersAndGroups\` in ${app.file}, so only assigned users and groups are provisioned`,
      );
    }),
    settingsPolicy("accidental-deletion-threshold", "“Prevent accidental deletions” is on with a threshold", (props, ctx, report) => {
      const n = known(() => props.notifications as { deleteThresholdEnabled?: boolean; deleteThresholdValue?: number } | undefined);
      const enabled = n?.deleteThresholdEnabled === true;
      const value = n?.deleteThresholdValue;
      if (enabled && typeof value === "number" && Number.isInteger(value) && value > 0) return;
      const app = appLabel(ctx, props.appName);
      report(
        enabled
          ? `${app.label}: the accidental-deletion threshold is on but has no positive value (${String(value)}) — set \`entra.provisioning.accidentalDeletion.threshold\` to a whole number ≥ 1 in ${app.file}`
          : `${app.label}: “Prevent accidental deletions” is off — set \`entra.provisioning.accidentalDeletion: { enabled: true, threshold: 500 }\` (or your own threshold) in ${app.file}`,
      );
    }),
    settingsPolicy("notification-email", "Failure notifications go to an email address", (props, ctx, report) => {
      const n = known(() => props.notifications as { enabled?: boolean; recipients?: string } | undefined);
      const recipients = typeof n?.recipients === "string" ? n.recipients.trim() : "";
      if (n?.enabled === true && recipients !== "") return;
      const app = appLabel(ctx, props.appName);
      report(
        recipients === ""
          ? `${app.label}: no notification email is set — set \`entra.provisioning.notifications.email: { config: notificationEmail }\` in ${app.file} and \`scimops:notificationEmail\` in ${ctx.stackFile}`
          : `${app.label}: failure notifications are off — set \`entra.provisioning.notifications.sendOnFailure: true\` in ${app.file}`,
      );
    }),
    {
      name: "no-default-access-assignment",
      description: "No user or group is assigned with Default Access (its members are not provisioned)",
      enforcementLevel: "mandatory",
      validateResource: (args, report) => {
        if (args.type !== AZUREAD_ASSIGNMENT_TYPE) return;
        const ctx = production(contextFor, args.urn, args);
        if (ctx && known(() => args.props.appRoleId) === NO_SPECIFIC_ROLE_ID) {
          report(`assignment ${args.name} uses appRoleId ${NO_SPECIFIC_ROLE_ID} (Default Access: its members are excluded from provisioning) — assign an application-specific role instead`);
        }
      },
      validateStack: (args, report) => {
        const ctx = production(contextFor, args.resources[0]?.urn, args);
        if (!ctx) return;
        // Files that could not be read leave assignments unchecked: say so rather than pass silently.
        for (const problem of ctx.problems) report(problem);
        for (const a of ctx.assignments) {
          if (!a.refusedRoles.includes(a.role)) continue;
          report(`${a.at}: ${a.app}: ${a.who} is assigned with the ${a.role} role, whose members are excluded from provisioning — assign one of ${a.assignableRoles.join(", ")}`);
        }
      },
    },
    {
      name: "provisioning-status-declared",
      description: "Every provisioned app declares its Provisioning Status (on or off)",
      enforcementLevel: "mandatory",
      validateStack: (args, report) => {
        const ctx = production(contextFor, args.resources[0]?.urn, args);
        if (!ctx) return;
        const statuses = args.resources.filter((r) => r.type === STATUS_TYPE);
        const sameJob = (a: PolicyResource, b: PolicyResource) => {
          const [ja, jb] = [known(() => a.props.jobId), known(() => b.props.jobId)];
          return typeof ja === "string" && typeof jb === "string" ? ja === jb : a.parent?.urn === b.parent?.urn;
        };
        for (const settings of args.resources.filter((r) => r.type === SETTINGS_TYPE)) {
          const status = statuses.find((s) => s.parent?.urn === settings.parent?.urn && sameJob(s, settings));
          const value = status ? known(() => status.props.status) : undefined;
          if (value === "on" || value === "off") continue;
          const app = appLabel(ctx, known(() => settings.props.appName));
          report(
            status
              ? `${app.label}: Provisioning Status is \`${String(value)}\` — set \`entra.provisioning.status\` to "on" or "off" in ${app.file}`
              : `${app.label}: no Provisioning Status is declared for its job — declare \`entra.provisioning.status: "on"\` (or "off") in ${app.file}, so the job is started or paused on purpose`,
          );
        }
      },
    },
    {
      name: "matching-attribute-acknowledged",
      description: "The users mapping's matching attribute is the one the stack acknowledges",
      enforcementLevel: "mandatory",
      validateResource: (args, report) => {
        if (args.type !== SCHEMA_TYPE) return;
        const ctx = production(contextFor, args.urn, args);
        if (!ctx) return;
        const matching = matchingAttributeOf(known(() => args.props.objectMappings));
        if (matching === undefined) return;
        const app = appLabel(ctx, known(() => args.props.appName));
        const key = app.name ?? String(known(() => args.props.appName));
        const acknowledged = ctx.acknowledgedMatching.get(key);
        if (acknowledged === matching) return;
        const fix = `set \`${POLICY_NAMESPACE}:matchingAttributes: { ${key}: "${matching}" }\` in ${ctx.stackFile} (reviewed: Entra matches existing target users by this attribute, so a change can leave provisioned users unmatched or duplicated)`;
        report(
          acknowledged === undefined
            ? `${app.label}: the users mapping matches on \`${matching}\`, which ${ctx.stackFile} does not acknowledge — ${fix}`
            : `${app.label}: the users mapping's matching attribute changed from the acknowledged \`${acknowledged}\` to \`${matching}\` — revert the matchingPrecedence change in ${app.file}, or ${fix}`,
        );
      },
    },
    {
      name: "no-allow-deletion",
      description: "A production stack never deletes what leaves its files",
      enforcementLevel: "mandatory",
      validateStack: (args, report) => {
        const ctx = production(contextFor, args.resources[0]?.urn, args);
        if (!ctx) return;
        if (ctx.allowDeletion) {
          report(`${ctx.allowDeletion.at}: scimops:allowDeletion is true — remove it (or set false) in ${ctx.stackFile}; a production stack leaves removed apps and mappings in the tenant`);
          return;
        }
        const deleting = args.resources.filter((r) => (r.type === SETTINGS_TYPE || r.type === SCHEMA_TYPE) && known(() => r.props.allowDelete) === true);
        if (deleting.length) {
          report(`${deleting.map((r) => r.name).join(", ")}: allowDelete is true — deploy production with scimops:allowDeletion unset or false in ${ctx.stackFile}`);
        }
      },
    },
  ];
}
