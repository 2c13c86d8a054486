/**
 * SynchronizationSettings: the provisioning settings of ONE service principal, stored in its
 * synchronization secrets collection (graph-sync.md §3): BaseAddress (tenant URL), SecretToken,
 * SyncAll (scope), SyncNotificationSettings (notification email, accidental-deletion threshold) and
 * SkipOutOfScopeDeletions, always written as ONE `PUT /servicePrincipals/{id}/synchronization/secrets`
 * of the whole collection.
 *
 * Interface the rest of scimops relies on:
 * - `secretToken` is a Pulumi secret input (the class wraps it with `pulumi.secret`). It is never an
 *   output: state outputs keep only `secretTokenSalt` + `secretTokenHash` (HMAC-SHA256, both marked
 *   secret), enough for `diff` to notice a changed token without storing it.
 * - `graph` holds no credentials (see graph.ts); `providerVersion` defaults to ENTRA_PROVIDER_VERSION.
 * - Optional settings left undefined are not managed (their live values are kept).
 *
 * Calls per operation (see docs/design.md): create = GET secrets + validateCredentials + PUT secrets, or,
 * adopting settings Entra already holds (token set, nothing else differs), GET + validateCredentials only;
 * diff = none; update = GET secrets, then nothing if nothing differs, else (validateCredentials when
 * BaseAddress or token changed) + one PUT; read = GET secrets; delete = GET + PUT clearing BaseAddress
 * and SecretToken when `allowDelete`, else none. After a PUT that changed BaseAddress or the token (create
 * or update): GET job, and when it is quarantined for credentials one `POST …/restart` with resetScope
 * QuarantineState (quarantine.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import { GraphDynamicResource, type GraphResourceArgs } from "./dynamic-resource";
import { createGraphSession, isGraphCallError } from "./graph";
import { canonicalJson, containsUnknown, hashSecret, newSalt, secretMatchesHash, UNKNOWN_VALUE } from "./helpers";
import type { GraphResourceInputs } from "./provider-kit";
import { appLabel, callContext, checkResult, diffResult, graphFailures, outputsOf, requiredStringFailures, unlessGone } from "./provider-kit";
import type { NotificationSettingsInput, SettingsDeclaration } from "./settings-model";
import { buildSecretsCollection, parseSecrets, projectLiveSettings, settingsDifferences } from "./settings-model";
import { restartIfQuarantinedForCredentials } from "./quarantine";
import { getSecrets, putSecrets, validateCredentials } from "./sync-api";

export interface SynchronizationSettingsInputs extends GraphResourceInputs {
  /** Job used for validateCredentials. */
  jobId: string;
  /** Tenant URL of the SCIM endpoint. */
  baseAddress: string;
  /** Bearer token for the target (plaintext inside the provider only; secret everywhere else). "" = none. */
  secretToken: string;
  syncAll?: boolean;
  notifications?: NotificationSettingsInput;
  skipOutOfScopeDeletions?: boolean;
  /** Test new credentials with validateCredentials before saving them. Default true. */
  validateCredentials?: boolean;
  /** When true, deleting the resource clears BaseAddress and SecretToken in Entra; otherwise delete leaves Entra as it is. */
  allowDelete?: boolean;
}

/** State. Note: no `secretToken`. */
export interface SynchronizationSettingsOutputs extends Omit<SynchronizationSettingsInputs, "secretToken"> {
  secretTokenSalt: string;
  /** Salted hash of the token last written; "" when the live token was found missing by a refresh. */
  secretTokenHash: string;
}

function declarationOf(i: Pick<SynchronizationSettingsInputs, "baseAddress" | "syncAll" | "notifications" | "skipOutOfScopeDeletions">): SettingsDeclaration {
  return {
    baseAddress: i.baseAddress,
    ...(i.syncAll !== undefined && i.syncAll !== null ? { syncAll: i.syncAll } : {}),
    ...(i.notifications ? { notifications: i.notifications } : {}),
    ...(i.skipOutOfScopeDeletions !== undefined && i.skipOutOfScopeDeletions !== null ? { skipOutOfScopeDeletions: i.skipOutOfScopeDeletions } : {}),
  };
}

/** State outputs: the inputs without the token, plus its salt and salted hash. */
function settingsOutputs(i: SynchronizationSettingsInputs, salt: string, hash: string): SynchronizationSettingsOutputs {
  return outputsOf(i, { secretTokenSalt: salt, secretTokenHash: hash }, ["secretToken"]);
}

async function settingsCheck(_olds: unknown, news: Record<string, unknown>) {
  const inputs = { ...news } as unknown as SynchronizationSettingsInputs;
  const failures = requiredStringFailures(inputs, ["servicePrincipalId", "jobId"]);
  if (inputs.baseAddress !== UNKNOWN_VALUE) {
    let ok = false;
    try {
      const u = new URL(String(inputs.baseAddress));
      ok = u.protocol === "https:" || u.protocol === "http:";
    } catch {
      ok = false;
    }
    if (!ok) failures.push({ property: "baseAddress", reason: "must be an absolute http(s) URL (the SCIM tenant URL)" });
  }
  if (inputs.secretToken !== UNKNOWN_VALUE && typeof inputs.secretToken !== "string") failures.push({ property: "secretToken", reason: "must be a string (\"\" for none)" });
  for (const k of ["syncAll", "skipOutOfScopeDeletions", "validateCredentials", "allowDelete"] as const) {
    const v: unknown = inputs[k];
    if (v !== undefined && v !== null && v !== UNKNOWN_VALUE && typeof v !== "boolean") failures.push({ property: k, reason: "must be a boolean" });
  }
  const n = inputs.notifications;
  if (n !== undefined && n !== null && !containsUnknown(n)) {
    if (typeof n !== "object") failures.push({ property: "notifications", reason: "must be an object" });
    else {
      if (n.enabled !== undefined && typeof n.enabled !== "boolean") failures.push({ property: "notifications.enabled", reason: "must be a boolean" });
      if (n.deleteThresholdEnabled !== undefined && typeof n.deleteThresholdEnabled !== "boolean") failures.push({ property: "notifications.deleteThresholdEnabled", reason: "must be a boolean" });
      if (n.recipients !== undefined && typeof n.recipients !== "string") failures.push({ property: "notifications.recipients", reason: "must be a string" });
      if (n.deleteThresholdValue !== undefined && !(Number.isInteger(n.deleteThresholdValue) && n.deleteThresholdValue >= 0)) {
        failures.push({ property: "notifications.deleteThresholdValue", reason: "must be an integer >= 0" });
      }
    }
  }
  failures.push(...graphFailures(inputs.graph));
  return checkResult(inputs, failures);
}

async function settingsDiff(_id: string, olds: SynchronizationSettingsOutputs, news: SynchronizationSettingsInputs) {
  return diffResult<Omit<SynchronizationSettingsInputs, "secretToken">>(
    olds,
    news,
    ["servicePrincipalId"],
    () =>
      containsUnknown(news) ||
      !secretMatchesHash(news.secretToken, olds.secretTokenSalt, olds.secretTokenHash) ||
      canonicalJson(declarationOf(olds)) !== canonicalJson(declarationOf(news)) ||
      olds.jobId !== news.jobId ||
      canonicalJson(olds.graph ?? null) !== canonicalJson(news.graph ?? null) ||
      (olds.appName ?? "") !== (news.appName ?? "") ||
      (olds.validateCredentials ?? true) !== (news.validateCredentials ?? true) ||
      !!olds.allowDelete !== !!news.allowDelete ||
      olds.providerVersion !== news.providerVersion,
  );
}

/**
 * Writes the settings if (and only if) something differs. `previous` is the old state on update.
 * Returns the salt and hash to record.
 */
async function reconcileSettings(inputs: SynchronizationSettingsInputs, previous: SynchronizationSettingsOutputs | undefined): Promise<{ salt: string; hash: string }> {
  const session = createGraphSession(inputs.graph);
  const token = inputs.secretToken ?? "";
  const ctx = { ...callContext(inputs, session, !previous), sensitive: [token] };
  const live = parseSecrets(await getSecrets(session, inputs.servicePrincipalId, ctx));
  const decl = declarationOf(inputs);
  const tokenMatchesState = previous ? secretMatchesHash(token, previous.secretTokenSalt, previous.secretTokenHash) : false;
  const liveTokenOk = token === "" ? live.secretToken !== "set" : live.secretToken === "set";
  const tokenChanged = !previous || !tokenMatchesState || !liveTokenOk;
  const differences = settingsDifferences(decl, live);
  if (!tokenChanged && differences.length === 0) {
    return { salt: previous!.secretTokenSalt, hash: previous!.secretTokenHash };
  }
  // Adoption (`scimops import`): the settings are already in Entra. Graph masks the live token, so it cannot
  // be compared; the stack's token is checked with validateCredentials instead, and nothing is rewritten.
  const adopting = !previous && token !== "" && live.secretToken === "set" && differences.length === 0;
  const credentialsChanged = tokenChanged || differences.includes("BaseAddress");
  if ((adopting || credentialsChanged) && inputs.validateCredentials !== false) {
    try {
      await validateCredentials(
        session,
        inputs.servicePrincipalId,
        inputs.jobId,
        [
          { key: "BaseAddress", value: inputs.baseAddress },
          { key: "SecretToken", value: token },
        ],
        ctx,
      );
    } catch (e) {
      if (isGraphCallError(e) && e.statusCode >= 400 && e.statusCode < 500 && e.statusCode !== 404 && e.statusCode !== 429) {
        throw new Error(
          `app "${appLabel(inputs)}": the provisioning target rejected the credentials (tenant URL ${inputs.baseAddress}); ` +
            `the synchronization secrets were NOT changed. ${e.message}`,
        );
      }
      throw e;
    }
  }
  if (adopting) {
    const salt = newSalt();
    return { salt, hash: hashSecret(token, salt) };
  }
  await putSecrets(session, inputs.servicePrincipalId, buildSecretsCollection(decl, token, live), ctx);
  // Saved credentials do not restart a job quarantined for credentials; without a restart it waits for Entra's
  // next cycle, up to a day away (quarantine.ts).
  if (credentialsChanged) await restartIfQuarantinedForCredentials(session, inputs.servicePrincipalId, inputs.jobId, ctx);
  if (!tokenChanged && previous) return { salt: previous.secretTokenSalt, hash: previous.secretTokenHash };
  const salt = newSalt();
  return { salt, hash: hashSecret(token, salt) };
}

async function settingsCreate(inputs: SynchronizationSettingsInputs) {
  const { salt, hash } = await reconcileSettings(inputs, undefined);
  return { id: `${inputs.servicePrincipalId}/synchronization/secrets`, outs: settingsOutputs(inputs, salt, hash) };
}

async function settingsUpdate(_id: string, olds: SynchronizationSettingsOutputs, news: SynchronizationSettingsInputs) {
  const { salt, hash } = await reconcileSettings(news, olds);
  return { outs: settingsOutputs(news, salt, hash) };
}

async function settingsRead(id: string, props: SynchronizationSettingsOutputs) {
  const session = createGraphSession(props.graph);
  const list = await unlessGone(() => getSecrets(session, props.servicePrincipalId, { app: appLabel(props) }));
  if (list === undefined) return { id: "", props: {} };
  const live = parseSecrets(list);
  const projected = projectLiveSettings(declarationOf(props), live);
  const out: Record<string, unknown> = { ...props, ...projected };
  // The token itself comes back masked; only its disappearance is visible.
  if (live.secretToken !== "set") out.secretTokenHash = "";
  delete out.__provider;
  return { id, props: out as unknown as SynchronizationSettingsOutputs };
}

async function settingsDelete(_id: string, props: SynchronizationSettingsOutputs) {
  if (!props.allowDelete) return;
  const session = createGraphSession(props.graph);
  const ctx = { app: appLabel(props) };
  await unlessGone(async () => {
    const live = parseSecrets(await getSecrets(session, props.servicePrincipalId, ctx));
    const cleared = buildSecretsCollection({ ...declarationOf(props), baseAddress: "" }, "", live);
    await putSecrets(session, props.servicePrincipalId, cleared, ctx);
  });
}

/** The dynamic provider; exported so tests can drive its methods directly. */
export const synchronizationSettingsProvider = {
  check: settingsCheck,
  diff: settingsDiff,
  create: settingsCreate,
  read: settingsRead,
  update: settingsUpdate,
  delete: settingsDelete,
};

export interface SynchronizationSettingsArgs extends GraphResourceArgs {
  jobId: pulumi.Input<string>;
  baseAddress: pulumi.Input<string>;
  /** Made secret by the resource even if given as a plain string. */
  secretToken: pulumi.Input<string>;
  syncAll?: pulumi.Input<boolean>;
  notifications?: pulumi.Input<NotificationSettingsInput>;
  skipOutOfScopeDeletions?: pulumi.Input<boolean>;
  validateCredentials?: pulumi.Input<boolean>;
  allowDelete?: pulumi.Input<boolean>;
  providerVersion?: pulumi.Input<string>;
}

/** Type token: `pulumi-nodejs:dynamic/scimops:SynchronizationSettings`. */
export class SynchronizationSettings extends GraphDynamicResource {
  declare readonly jobId: pulumi.Output<string>;
  declare readonly baseAddress: pulumi.Output<string>;
  declare readonly syncAll: pulumi.Output<boolean | undefined>;
  declare readonly notifications: pulumi.Output<NotificationSettingsInput | undefined>;
  declare readonly skipOutOfScopeDeletions: pulumi.Output<boolean | undefined>;
  declare readonly validateCredentials: pulumi.Output<boolean | undefined>;
  declare readonly allowDelete: pulumi.Output<boolean | undefined>;
  declare readonly secretTokenSalt: pulumi.Output<string>;
  declare readonly secretTokenHash: pulumi.Output<string>;

  constructor(name: string, args: SynchronizationSettingsArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      synchronizationSettingsProvider,
      "SynchronizationSettings",
      name,
      {
        graph: args.graph,
        servicePrincipalId: args.servicePrincipalId,
        jobId: args.jobId,
        appName: args.appName,
        baseAddress: args.baseAddress,
        secretToken: pulumi.secret(args.secretToken),
        syncAll: args.syncAll,
        notifications: args.notifications,
        skipOutOfScopeDeletions: args.skipOutOfScopeDeletions,
        validateCredentials: args.validateCredentials,
        allowDelete: args.allowDelete,
        providerVersion: args.providerVersion,
        secretTokenSalt: undefined,
        secretTokenHash: undefined,
      },
      {
        ...opts,
        additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "secretTokenSalt", "secretTokenHash"],
      },
    );
  }
}
