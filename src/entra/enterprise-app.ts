/**
 * EnterpriseApp: the enterprise app (application + service principal) of one target, created from a
 * gallery template (found by display name) or from the cloud's non-gallery template, or adopted.
 *
 * Calls per operation (docs/design.md §1):
 * - create: adopt (`adoptServicePrincipalId` set) = `GET /servicePrincipals/{id}` only, no write.
 *   Otherwise `GET /applicationTemplates?$filter=displayName eq '…'` (gallery apps only; the template id is
 *   resolved once and kept in state), `POST /applicationTemplates/{id}/instantiate`, then
 *   `GET /servicePrincipals/{id}` until it stops answering 404/403/409 (replication lag, graph-sync.md §1.2).
 * - diff: none. A changed template or adopted id replaces; a changed display name updates.
 * - update: `PATCH /applications/{id}` with the new display name (not for adopted apps), else nothing.
 * - read: `GET /servicePrincipals/{id}`; 404 ⇒ gone.
 * - delete: `DELETE /applications/{id}` when `allowDelete` and the app was created here, else nothing.
 *
 * Provider code: follows the serialization rule in helpers.ts.
 */
import type * as pulumi from "@pulumi/pulumi";
import { GraphDynamicResource } from "./dynamic-resource";
import { createGraphSession, type GraphConnection } from "./graph";
import type { CheckFailure } from "./provider-kit";
import { callContext, checkResult, graphFailures, outputsOf, readResult, unlessGone } from "./provider-kit";
import { UNKNOWN_VALUE, canonicalJson } from "./helpers";
import { deleteApplication, findApplicationTemplate, getServicePrincipal, instantiateApplicationTemplate, updateApplicationDisplayName } from "./sync-api";

export interface EnterpriseAppInputs {
  graph: GraphConnection;
  /** Name of the enterprise app in the tenant. */
  displayName: string;
  /** Gallery app to instantiate, by its display name in the gallery. */
  galleryName?: string;
  /** Application template to instantiate (the cloud's non-gallery template for non-gallery apps). */
  templateId?: string;
  /** An existing enterprise app's service principal id: adopted without a write. */
  adoptServicePrincipalId?: string;
  /** When true, deleting the resource deletes the app it created; adopted apps are never deleted. */
  allowDelete?: boolean;
  providerVersion: string;
}

export interface EnterpriseAppOutputs extends EnterpriseAppInputs {
  servicePrincipalId: string;
  /** Object id of the application (app registration); "" for an adopted app. */
  applicationObjectId: string;
  appId: string;
  /** The application template the app was made from, as resolved at creation. */
  applicationTemplateId: string;
  adopted: boolean;
}

const label = (i: { displayName?: string; adoptServicePrincipalId?: string }) => i.displayName || i.adoptServicePrincipalId || "enterprise app";

async function appCheck(_olds: unknown, news: Record<string, unknown>) {
  const inputs = { ...news } as unknown as EnterpriseAppInputs;
  const failures: CheckFailure[] = [...graphFailures(inputs.graph)];
  const str = (v: unknown) => v === UNKNOWN_VALUE || (typeof v === "string" && v !== "");
  if (!str(inputs.displayName)) failures.push({ property: "displayName", reason: "must be a non-empty string" });
  const sources = [inputs.galleryName, inputs.templateId].filter((v) => v !== undefined && v !== null);
  if (inputs.adoptServicePrincipalId === undefined || inputs.adoptServicePrincipalId === null) {
    if (sources.length !== 1) failures.push({ property: "templateId", reason: "give exactly one of galleryName and templateId (or adoptServicePrincipalId)" });
  } else if (!str(inputs.adoptServicePrincipalId)) failures.push({ property: "adoptServicePrincipalId", reason: "must be a service principal object id" });
  for (const k of ["galleryName", "templateId"] as const) if (inputs[k] !== undefined && inputs[k] !== null && !str(inputs[k])) failures.push({ property: k, reason: "must be a non-empty string" });
  return checkResult(inputs, failures);
}

async function appDiff(_id: string, olds: EnterpriseAppOutputs, news: EnterpriseAppInputs) {
  const identity = ["adoptServicePrincipalId", "galleryName", "templateId"] as const;
  const replaces: string[] = identity.filter((k) => news[k] === UNKNOWN_VALUE || (olds[k] ?? "") !== (news[k] ?? ""));
  const changes =
    replaces.length > 0 ||
    olds.displayName !== news.displayName ||
    !!olds.allowDelete !== !!news.allowDelete ||
    canonicalJson(olds.graph ?? null) !== canonicalJson(news.graph ?? null) ||
    olds.providerVersion !== news.providerVersion;
  return { changes, replaces, deleteBeforeReplace: false };
}

async function appCreate(i: EnterpriseAppInputs) {
  const session = createGraphSession(i.graph);
  const app = label(i);
  if (i.adoptServicePrincipalId) {
    const sp = await getServicePrincipal(session, i.adoptServicePrincipalId, { app });
    const outs = outputsOf<EnterpriseAppOutputs>(i, { servicePrincipalId: sp.id, applicationObjectId: "", appId: sp.appId, applicationTemplateId: sp.applicationTemplateId ?? "", adopted: true });
    return { id: sp.id, outs };
  }
  const templateId = i.templateId ?? (await findApplicationTemplate(session, i.galleryName!, { app })).id;
  const created = await instantiateApplicationTemplate(session, templateId, i.displayName, { app });
  // The service principal is what every later call addresses; it may 404 for a while after instantiate.
  const lag = callContext({ servicePrincipalId: created.servicePrincipal.id, appName: app }, session, true);
  const sp = await getServicePrincipal(session, created.servicePrincipal.id, lag);
  const outs = outputsOf<EnterpriseAppOutputs>(i, { servicePrincipalId: sp.id, applicationObjectId: created.application.id, appId: sp.appId, applicationTemplateId: templateId, adopted: false });
  return { id: sp.id, outs };
}

async function appRead(id: string, props: EnterpriseAppOutputs) {
  const session = createGraphSession(props.graph);
  const sp = await unlessGone(() => getServicePrincipal(session, props.servicePrincipalId || id, { app: label(props) }));
  if (!sp) return { id: "", props: {} };
  return readResult(id, props, { servicePrincipalId: sp.id, appId: sp.appId });
}

async function appUpdate(_id: string, olds: EnterpriseAppOutputs, news: EnterpriseAppInputs) {
  if (!olds.adopted && olds.displayName !== news.displayName && olds.applicationObjectId) {
    const session = createGraphSession(news.graph);
    await updateApplicationDisplayName(session, olds.applicationObjectId, news.displayName, { app: label(news) });
  }
  const kept = { servicePrincipalId: olds.servicePrincipalId, applicationObjectId: olds.applicationObjectId, appId: olds.appId, applicationTemplateId: olds.applicationTemplateId, adopted: olds.adopted };
  return { outs: outputsOf<EnterpriseAppOutputs>(news, kept) };
}

async function appDelete(_id: string, props: EnterpriseAppOutputs) {
  if (!props.allowDelete || props.adopted || !props.applicationObjectId) return;
  const session = createGraphSession(props.graph);
  await unlessGone(() => deleteApplication(session, props.applicationObjectId, { app: label(props) }));
}

export const enterpriseAppProvider = { check: appCheck, diff: appDiff, create: appCreate, read: appRead, update: appUpdate, delete: appDelete };

export interface EnterpriseAppArgs {
  graph: pulumi.Input<GraphConnection>;
  displayName: pulumi.Input<string>;
  galleryName?: pulumi.Input<string>;
  templateId?: pulumi.Input<string>;
  /** e.g. the `objectId` of an `@pulumi/azuread` ServicePrincipal of your own program, or an id from the stack. */
  adoptServicePrincipalId?: pulumi.Input<string>;
  allowDelete?: pulumi.Input<boolean>;
  providerVersion?: pulumi.Input<string>;
}

/** Type token: `pulumi-nodejs:dynamic/scimops:EnterpriseApp`; its id is the service principal id. */
export class EnterpriseApp extends GraphDynamicResource {
  declare readonly displayName: pulumi.Output<string>;
  declare readonly applicationObjectId: pulumi.Output<string>;
  declare readonly appId: pulumi.Output<string>;
  declare readonly applicationTemplateId: pulumi.Output<string>;
  declare readonly adopted: pulumi.Output<boolean>;

  constructor(name: string, args: EnterpriseAppArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      enterpriseAppProvider,
      "EnterpriseApp",
      name,
      { ...args, servicePrincipalId: undefined, applicationObjectId: undefined, appId: undefined, applicationTemplateId: undefined, adopted: undefined },
      opts,
    );
  }
}
