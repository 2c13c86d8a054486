/**
 * `scimops plan [--app NAME]... [--stack ENV] [--format json|yaml]`
 *
 * The compiled Plan of each app as reviewers and support need it: what goes to Graph. For Entra, the
 * exact `objectMappings` the SynchronizationSchema resource would PUT (the same function builds them)
 * and the synchronization secrets collection the SynchronizationSettings resource would PUT, with the
 * token shown as `[secret]`; for Okta, the provider inputs with the token as `[secret]`. Reads no
 * secret and calls nothing. Exit 0, or 2 on usage errors and unknown or broken apps.
 */
import { stringify } from "yaml";
import { objectMappingAsPut } from "../entra/schema-merge";
import { buildSecretsCollection, parseSecrets } from "../entra/settings-model";
import type { SynchronizationSecretKeyStringValuePair } from "../graph/wire";
import type { AppPlan, EntraPlan, OktaPlan, StringOrConfigRef } from "../plan/types";
import { DEFAULT_STACK, loadPreviewProject, ProjectError } from "../preview/project";
import { parseCommandArgs, UsageError } from "../preview/cli-support";
import { projectRoot } from "../spec/project";
import type { CliIO } from "./io";

const USAGE = "scimops plan [--app NAME]... [--stack ENV] [--format json|yaml]";
const FORMATS = ["json", "yaml"] as const;
/** Stands in for every secret value; the real one never enters the plan. */
export const SECRET_PLACEHOLDER = "[secret]";

export interface PlanDocument {
  stack: string;
  apps: AppPlanDocument[];
}

export interface AppPlanDocument {
  name: string;
  displayName: string;
  file: string;
  entra?: ReturnType<typeof entraDocument>;
  okta?: ReturnType<typeof oktaDocument>;
}

/** The plan document for compiled apps; `config` holds the stack's plain values (for config references). */
export function planDocument(stack: string, plans: readonly AppPlan[], config: Readonly<Record<string, string>>): PlanDocument {
  return {
    stack,
    apps: plans.map((p) => ({
      name: p.name,
      displayName: p.displayName,
      file: p.file,
      ...(p.entra ? { entra: entraDocument(p.entra, config) } : {}),
      ...(p.okta ? { okta: oktaDocument(p.okta) } : {}),
    })),
  };
}

function configValue(ref: StringOrConfigRef | undefined, config: Readonly<Record<string, string>>): string | undefined {
  if (ref === undefined || typeof ref === "string") return ref;
  return config[ref.config] ?? `[config scimops:${ref.config}]`;
}

function entraDocument(entra: EntraPlan, config: Readonly<Record<string, string>>) {
  const recipients = configValue(entra.notifications.recipients, config);
  // The same builder the SynchronizationSettings resource uses, against an empty live collection.
  const secrets: SynchronizationSecretKeyStringValuePair[] = buildSecretsCollection(
    {
      baseAddress: entra.tenantUrl ?? `[unresolved: ${entra.tenantUrlTemplate}]`,
      syncAll: entra.syncAll,
      notifications: {
        enabled: entra.notifications.enabled,
        ...(recipients !== undefined ? { recipients } : {}),
        deleteThresholdEnabled: entra.deleteThreshold.enabled,
        deleteThresholdValue: entra.deleteThreshold.value,
      },
      skipOutOfScopeDeletions: entra.skipOutOfScopeDeletions,
    },
    SECRET_PLACEHOLDER,
    parseSecrets([]),
  );
  return {
    application: entra.app,
    synchronizationTemplateId: entra.syncTemplateId ?? "(the gallery template's default)",
    status: entra.status,
    roles: entra.roles,
    /** PUT /servicePrincipals/{id}/synchronization/secrets → `{ "value": … }` (keys scimops does not manage are kept as Entra has them). */
    secrets: { secretTokenConfig: `scimops:${entra.secretTokenKey}`, value: secrets },
    /** The declared entries of PUT …/jobs/{jobId}/schema → synchronizationRules[].objectMappings. */
    schema: { objectMappings: entra.mappings.map((m) => objectMappingAsPut(m.graph)) },
    assignments: entra.assignments,
    provisionOnDemand: entra.provisionOnDemand,
  };
}

function oktaDocument(okta: OktaPlan) {
  const { tokenKey, ...rest } = okta;
  return { ...rest, token: SECRET_PLACEHOLDER, tokenConfig: `scimops:${tokenKey}` };
}

export function renderPlan(doc: PlanDocument, format: (typeof FORMATS)[number]): string {
  return format === "yaml" ? stringify(doc, { lineWidth: 0 }) : JSON.stringify(doc, null, 2);
}

export async function planCommand(args: string[], io: CliIO): Promise<number> {
  try {
    const values = parseCommandArgs(args, { app: { type: "string", multiple: true }, stack: { type: "string" }, format: { type: "string" } }, USAGE);
    const format = (values.format ?? "json") as (typeof FORMATS)[number];
    if (!FORMATS.includes(format)) throw new UsageError(`--format is one of ${FORMATS.join(", ")}\nusage: ${USAGE}`);
    const apps = (values.app ?? []).flatMap((a) => a.split(",")).map((a) => a.trim()).filter(Boolean);
    const project = loadPreviewProject(projectRoot(), { apps, stack: values.stack });
    io.stdout(renderPlan(planDocument(values.stack ?? DEFAULT_STACK, project.plans, project.config), format));
    return 0;
  } catch (err) {
    if (err instanceof UsageError || err instanceof ProjectError) {
      io.stderr(`scimops plan: ${err.message}`);
      return 2;
    }
    throw err;
  }
}
