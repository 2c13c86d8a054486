/**
 * A provider-true stand-in for @pulumi/okta 7.0.0 under Pulumi mocks: one fixture Okta org, the
 * provider's input validators and required inputs, Okta's id shapes and the data sources' matching
 * rules. A rule here that the real provider or Okta does not have is a defect; so is a missing one.
 *
 * Sources (cited beside each rule):
 * - TF = okta/terraform-provider-okta @ e59c130b0b6e4b9f76aacbba437515cd5e95cc71 (v6.12.0), the code
 *   @pulumi/okta bridges; pulumi/pulumi-okta @ 82924e83d9d762da3b6b4ae017cb89190383e875 for the tokens.
 * - VCR = recorded Okta API responses in TF's test/fixtures/vcr/idaas/… (same commit): id shapes,
 *   app `name`s, `features` of SCIM apps.
 * - PY = okta/okta-sdk-python docs (Okta's OpenAPI, rendered): required fields and API rules.
 * - HELP = help.okta.com pages named beside the rule.
 */
import { createHash } from "node:crypto";
import type { MockCallArgs, MockResourceArgs } from "@pulumi/pulumi/runtime";

export type GroupType = "OKTA_GROUP" | "APP_GROUP" | "BUILT_IN";

export interface FixtureGroup {
  name: string;
  type: GroupType;
  /** APP_GROUP only: the label of the app it was imported from (the mock resolves it to that app's id). */
  sourceAppLabel?: string;
}

export interface FixtureOrg {
  /** `<orgName>.<baseUrl>`: what the explicit provider must be configured with. */
  host: string;
  groups: FixtureGroup[];
  /**
   * Apps whose SCIM connection a person enabled in the Admin Console, by label, with the `features`
   * Okta then lists on the app (the manual step no API can do for a custom app).
   */
  provisioned: Record<string, string[]>;
}

/**
 * Okta's SCIM-app features once SCIM provisioning, To App (create, update, deactivate) and Push Groups are on:
 * VCR TestAccResourceOktaAppSignOnPolicyRule_AUTH_METHOD_CHAIN/classic-00.yaml (GET /api/v1/apps, app
 * okta_atspoke_sso): ["PUSH_NEW_USERS","PUSH_USER_DEACTIVATION","SCIM_PROVISIONING","GROUP_PUSH","REACTIVATE_USERS","PUSH_PROFILE_UPDATES"].
 */
export const SCIM_FEATURES = ["PUSH_NEW_USERS", "PUSH_USER_DEACTIVATION", "SCIM_PROVISIONING", "GROUP_PUSH", "REACTIVATE_USERS", "PUSH_PROFILE_UPDATES"];

/**
 * The fixture org: IronWifi's policy groups, a prefix sibling (`Contractors-EU`), a group differing only in
 * case (Okta group names are case-sensitive and unique, HELP usgp-about-profiles: "Name … is a case-sensitive,
 * required attribute and must be unique"), and an APP_GROUP with the same name as an Okta group.
 */
export function fixtureOrg(overrides: Partial<FixtureOrg> = {}): FixtureOrg {
  return {
    host: "contoso.oktapreview.com",
    groups: [
      { name: "Everyone", type: "BUILT_IN" },
      { name: "SCIM Pilot", type: "OKTA_GROUP" },
      { name: "IronWifi Users", type: "OKTA_GROUP" },
      { name: "Corporate-WiFi", type: "OKTA_GROUP" },
      { name: "Guest-WiFi", type: "OKTA_GROUP" },
      { name: "Contractors", type: "OKTA_GROUP" },
      { name: "Contractors-EU", type: "OKTA_GROUP" },
      // An IronWifi group Okta imported into the IronWifi app: linkable by id (a group push target).
      { name: "Guest-WiFi", type: "APP_GROUP", sourceAppLabel: "IronWifi SCIM" },
    ],
    provisioned: {},
    ...overrides,
  };
}

/**
 * App-user schema properties. Before SCIM a custom SWA/SAML app's user has only `userName`
 * (TF app.go: `user_name_template` is the app's username); once SCIM is on, Okta adds the SCIM 2.0 base
 * attributes (variable names as Okta's SCIM app profile lists them: givenName, familyName, middleName,
 * honorificPrefix, honorificSuffix, email, primaryEmailType, secondEmail, secondaryEmailType, primaryPhone,
 * primaryPhoneType, mobilePhone — documented by vendors' Okta SCIM pages, e.g. help.signinsolutions.com
 * "Okta attributes and mappings … via SCIM", help.ninjio.com "Okta SCIM Default Attributes").
 */
const APP_USER_BASE = ["userName"];
const APP_USER_SCIM = ["givenName", "familyName", "middleName", "honorificPrefix", "honorificSuffix", "email", "primaryEmailType", "secondEmail", "secondaryEmailType", "primaryPhone", "primaryPhoneType", "mobilePhone"];

/** Okta ids: a 3-character type prefix and 17 base62 characters (VCR: 0oakwuobi3emVfs9l1d7, 00gwpev92li11GLj81d7, gPmwpev92mwURPsWt1d7, prmkwuqd60E6Ymi8K1d7, oty5ptm052JMcoADv1d7). */
export const OKTA_ID = { app: /^0oa[0-9A-Za-z]{17}$/, group: /^00g[0-9A-Za-z]{17}$/, userType: /^oty[0-9A-Za-z]{17}$/, mapping: /^prm[0-9A-Za-z]{17}$/, pushMapping: /^gPm[0-9A-Za-z]{17}$/ };
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
export function oktaId(prefix: "0oa" | "00g" | "oty" | "prm" | "gPm", seed: string): string {
  const bytes = createHash("sha256").update(seed).digest();
  return prefix + [...bytes.subarray(0, 17)].map((b) => BASE62[b % 62]).join("");
}

interface Group { id: string; name: string; type: GroupType; sourceAppLabel?: string }
interface App { id: string; name: string; label: string; signOnMode: string; status: string }

export const PROVIDER_TYPE = "pulumi:providers:okta";

export class OktaOrgMock {
  readonly groups: Group[];
  readonly apps = new Map<string, App>();
  /** App id → assigned group ids (AppGroupAssignments). */
  readonly assigned = new Map<string, Set<string>>();
  /** Every error the mock raised, so a test can name the rule that failed. */
  readonly errors: string[] = [];
  private providerRef?: string;
  readonly userTypeId: string;

  constructor(readonly fixture: FixtureOrg) {
    this.groups = fixture.groups.map((g) => ({ ...g, id: oktaId("00g", `${g.type}:${g.sourceAppLabel ?? ""}:${g.name}`) }));
    this.userTypeId = oktaId("oty", "user");
  }

  private fail(message: string): never {
    this.errors.push(message);
    throw new Error(message);
  }

  /** The provider every resource and invoke must use (the explicit okta.Provider, not the default one). */
  private requireProvider(what: string, provider: string | undefined): void {
    if (!this.providerRef || !provider || !provider.includes("pulumi:providers:okta")) this.fail(`${what} does not use the stack's explicit okta.Provider`);
  }

  /** Returns undefined for tokens that are not Okta's, so the caller's own mocks answer them. */
  newResource(args: MockResourceArgs): { id: string; state: Record<string, unknown> } | undefined {
    const inputs = args.inputs as Record<string, any>;
    if (args.type === PROVIDER_TYPE) return this.provider(args.name, inputs);
    if (!args.type.startsWith("okta:")) return undefined;
    this.requireProvider(`${args.type} ${args.name}`, args.provider);
    switch (args.type) {
      case "okta:app/autoLogin:AutoLogin":
        return this.autoLogin(inputs);
      case "okta:app/saml:Saml":
        return this.saml(inputs);
      case "okta:app/swa:Swa":
        return this.templateSwa(inputs);
      case "okta:index/appGroupAssignments:AppGroupAssignments":
        return this.appGroupAssignments(inputs);
      case "okta:profile/mapping:Mapping":
        return this.profileMapping(inputs);
      case "okta:index/pushGroup:PushGroup":
        return this.pushGroup(inputs);
      default:
        return this.fail(`the Okta mock does not model ${args.type}; add it with the provider's rules before using it`);
    }
  }

  call(args: MockCallArgs): Record<string, unknown> | undefined {
    if (!args.token.startsWith("okta:")) return undefined;
    this.requireProvider(`invoke ${args.token}`, args.provider);
    const inputs = args.inputs as Record<string, any>;
    switch (args.token) {
      case "okta:group/getGroup:getGroup":
        return this.getGroup(inputs);
      case "okta:index/getGroups:getGroups":
        return this.getGroups(inputs);
      case "okta:index/getApps:getApps":
        return this.getApps(inputs);
      case "okta:user/getUserProfileMappingSource:getUserProfileMappingSource":
        // TF data_source_okta_user_profile_mapping_source.go L41-56: the `user`/`user` side of a mapping, an oty… user type id.
        return { id: this.userTypeId, name: "user", type: "user" };
      default:
        return this.fail(`the Okta mock does not model invoke ${args.token}`);
    }
  }

  private provider(name: string, inputs: Record<string, any>) {
    // TF okta/provider.go: org_name and base_url name the org (OKTA_ORG_NAME/OKTA_BASE_URL otherwise; none under mocks).
    if (!inputs.orgName) this.fail(`provider ${name}: orgName is required`);
    const host = `${inputs.orgName}.${inputs.baseUrl ?? "okta.com"}`;
    if (host !== this.fixture.host) this.fail(`provider ${name} manages ${host}, but the org is ${this.fixture.host}`);
    if (inputs.apiToken !== undefined) this.fail(`provider ${name}: the API token must come from OKTA_API_TOKEN, not from program inputs`);
    const id = `${name}-provider`;
    this.providerRef = id;
    return { id, state: inputs };
  }

  /** TF app.go baseAppSchema + baseAppSwaSchema (BuildAppSwaSchema), resource_okta_app_auto_login.go. */
  private autoLogin(inputs: Record<string, any>) {
    if (!inputs.label) this.fail("okta:app/autoLogin:AutoLogin: label is required (TF app.go baseAppSchema \"label\" Required)");
    const custom = !inputs.preconfiguredApp;
    // PY AutoLoginApplicationSettingsSignOn.md: login_url is required; TF sends it as settings.signOn.loginUrl (buildAppAutoLogin).
    if (custom && !inputs.signOnUrl) this.fail("okta:app/autoLogin:AutoLogin: a custom AUTO_LOGIN app needs signOnUrl (Okta: settings.signOn.loginUrl is required)");
    this.checkUserNameTemplate("okta:app/autoLogin:AutoLogin", inputs);
    const schemes = ["EDIT_USERNAME_AND_PASSWORD", "ADMIN_SETS_CREDENTIALS", "EDIT_PASSWORD_ONLY", "EXTERNAL_PASSWORD_SYNC", "SHARED_USERNAME_AND_PASSWORD"];
    const scheme = inputs.credentialsScheme ?? "EDIT_USERNAME_AND_PASSWORD"; // TF default
    if (!schemes.includes(scheme)) this.fail(`okta:app/autoLogin:AutoLogin: credentialsScheme ${scheme} is not one of ${schemes.join(", ")}`);
    return this.createApp(inputs, "AUTO_LOGIN", { credentialsScheme: scheme });
  }

  /** TF resource_okta_app_saml.go buildSamlApp: a custom SAML app must carry customAppSamlRequiredFields and sign something. */
  private saml(inputs: Record<string, any>) {
    if (!inputs.label) this.fail("okta:app/saml:Saml: label is required");
    if (!inputs.preconfiguredApp) {
      const required = ["ssoUrl", "recipient", "destination", "audience", "subjectNameIdTemplate", "subjectNameIdFormat", "signatureAlgorithm", "digestAlgorithm", "authnContextClassRef"];
      const missing = required.filter((k) => !inputs[k]);
      if (missing.length) this.fail(`okta:app/saml:Saml: Custom SAML applications must contain these fields: ${missing.join(", ")}`);
      if (!inputs.responseSigned && !inputs.assertionSigned) this.fail("okta:app/saml:Saml: custom SAML apps must either have response_signed or assertion_signed set to true");
    }
    this.checkUserNameTemplate("okta:app/saml:Saml", inputs);
    return this.createApp(inputs, "SAML_2_0", {});
  }

  /**
   * okta.app.Swa is Okta's catalog "Template Plugin App": TF sdk/v2_swaApplication.go NewSwaApplication()
   * posts name template_swa, signOnMode BROWSER_PLUGIN; PY SwaApplicationSettingsApplication.md requires
   * url, usernameField, passwordField and buttonField for template_swa.
   */
  private templateSwa(inputs: Record<string, any>) {
    if (!inputs.preconfiguredApp && !inputs.appSettingsJson) {
      const missing = ["url", "usernameField", "passwordField", "buttonField"].filter((k) => !inputs[k]);
      if (missing.length) this.fail(`okta:app/swa:Swa: a template_swa (BROWSER_PLUGIN) app requires ${missing.join(", ")}`);
    }
    return this.createApp(inputs, "BROWSER_PLUGIN", {}, "template_swa");
  }

  /** TF app.go baseAppSwaSchema: user_name_template default ${source.login}, type default BUILT_IN; push status PUSH|DONT_PUSH. */
  private checkUserNameTemplate(type: string, inputs: Record<string, any>) {
    const t = inputs.userNameTemplateType ?? "BUILT_IN";
    if (!["BUILT_IN", "CUSTOM", "NONE"].includes(t)) this.fail(`${type}: userNameTemplateType ${t} is not BUILT_IN, CUSTOM or NONE`);
    if (inputs.userNameTemplatePushStatus !== undefined && !["PUSH", "DONT_PUSH"].includes(inputs.userNameTemplatePushStatus)) {
      this.fail(`${type}: userNameTemplatePushStatus must be PUSH or DONT_PUSH`);
    }
  }

  private createApp(inputs: Record<string, any>, signOnMode: string, extra: Record<string, unknown>, name?: string) {
    const [orgName] = this.fixture.host.split(".");
    // VCR: a custom app's name is `<org>_<label, lower-case alphanumerics>_<n>` (classic-00_swa_1, classic-00_testacc3149839261_5).
    const appName = inputs.preconfiguredApp ?? name ?? `${orgName}_${String(inputs.label).toLowerCase().replace(/[^a-z0-9]/g, "")}_1`;
    const id = oktaId("0oa", `app:${inputs.label}:${signOnMode}`);
    const status = inputs.status ?? "ACTIVE"; // TF baseAppSchema status default ACTIVE
    this.apps.set(id, { id, name: appName, label: inputs.label, signOnMode, status });
    return {
      id,
      state: {
        ...inputs,
        ...extra,
        name: appName,
        signOnMode,
        status,
        userNameTemplate: inputs.userNameTemplate ?? "${source.login}",
        userNameTemplateType: inputs.userNameTemplateType ?? "BUILT_IN",
      },
    };
  }

  private app(appId: unknown, what: string): App {
    const app = typeof appId === "string" ? this.apps.get(appId) : undefined;
    if (!app) this.fail(`${what}: appId ${String(appId)} is not an app in this org`);
    return app;
  }

  private groupById(id: unknown, what: string): Group {
    const group = this.groups.find((g) => g.id === id);
    if (!group) this.fail(`${what}: group ${String(id)} does not exist (a group id looks like 00g…)`);
    return group;
  }

  /** Features Okta lists on the app (empty until a person enabled SCIM: VCR `"features":[]` on custom apps). */
  features(app: App): string[] {
    return this.fixture.provisioned[app.label] ?? [];
  }

  /** TF resource_okta_app_group_assignments.go L59-90: app_id Required ForceNew; group.id Required; group.profile Required, JSON. */
  private appGroupAssignments(inputs: Record<string, any>) {
    const what = "okta:index/appGroupAssignments:AppGroupAssignments";
    const app = this.app(inputs.appId, what);
    const ids = new Set<string>();
    for (const [i, g] of ((inputs.groups ?? []) as Record<string, any>[]).entries()) {
      if (!g.id) this.fail(`${what}: groups[${i}].id is required`);
      if (typeof g.profile !== "string") this.fail(`${what}: groups[${i}].profile is required (a JSON object as text, e.g. "{}")`);
      try {
        JSON.parse(g.profile);
      } catch {
        this.fail(`${what}: groups[${i}].profile is not JSON`);
      }
      if (g.priority !== undefined && !Number.isInteger(g.priority)) this.fail(`${what}: groups[${i}].priority must be an integer`);
      this.groupById(g.id, what);
      ids.add(g.id);
    }
    this.assigned.set(app.id, ids);
    return { id: app.id, state: inputs }; // TF: the resource's id is the app id (importer sets app_id = id)
  }

  /**
   * TF resource_okta_profile_mapping.go: source_id, target_id Required (L32-56), no ForceNew; Create looks the
   * mapping up by source and target (L107-113) and writes its properties; mappings[].id and expression Required,
   * push_status default DONT_PUSH (L85-101). Okta refuses a property the target's app-user schema lacks.
   */
  private profileMapping(inputs: Record<string, any>) {
    const what = "okta:profile/mapping:Mapping";
    if (!inputs.sourceId || !inputs.targetId) this.fail(`${what}: sourceId and targetId are required`);
    if (inputs.sourceId !== this.userTypeId) this.fail(`${what}: no profile mappings found for source ID '${inputs.sourceId}' and target ID '${inputs.targetId}'`);
    const app = this.app(inputs.targetId, what);
    const schema = new Set([...APP_USER_BASE, ...(this.features(app).includes("SCIM_PROVISIONING") ? APP_USER_SCIM : [])]);
    for (const [i, m] of ((inputs.mappings ?? []) as Record<string, any>[]).entries()) {
      if (!m.id || !m.expression) this.fail(`${what}: mappings[${i}] needs id and expression`);
      if (m.pushStatus !== undefined && !["PUSH", "DONT_PUSH"].includes(m.pushStatus)) this.fail(`${what}: mappings[${i}].pushStatus must be PUSH or DONT_PUSH`);
      if (!schema.has(m.id)) this.fail(`${what}: failed to create profile mapping: the ${app.label} app user has no property \`${m.id}\` (its schema: ${[...schema].join(", ")})`);
    }
    const id = oktaId("prm", `mapping:user:${app.id}`);
    return { id, state: { ...inputs, sourceType: "user", sourceName: "user", targetType: "appuser", targetName: app.name } };
  }

  /**
   * TF resource_okta_push_group.go: app_id and source_group_id Required, RequiresReplace; status OneOf ACTIVE,
   * INACTIVE (default ACTIVE); delete_target_group_on_destroy default true. PY GroupPushMappingApi.md: "Either
   * targetGroupId or targetGroupName must be provided, but not both … targetGroupId … links to an existing group …
   * targetGroupName … creates a new group". HELP usgp-group-push-prerequisites: provisioning must be enabled in
   * the target app; HELP app-assignments-group-push: "Okta doesn't support using the same group for app
   * assignment and Group Push".
   */
  private pushGroup(inputs: Record<string, any>) {
    const what = "okta:index/pushGroup:PushGroup";
    if (!inputs.appId || !inputs.sourceGroupId) this.fail(`${what}: appId and sourceGroupId are required`);
    const app = this.app(inputs.appId, what);
    const status = inputs.status ?? "ACTIVE";
    if (!["ACTIVE", "INACTIVE"].includes(status)) this.fail(`${what}: status must be ACTIVE or INACTIVE`);
    if (!this.features(app).includes("GROUP_PUSH")) this.fail(`${what}: Error creating Okta Push Group: You must have provisioning enabled in the target app to use group push mappings`);
    const source = this.groupById(inputs.sourceGroupId, what);
    if (source.type !== "OKTA_GROUP") this.fail(`${what}: source group ${source.name} is a ${source.type}; only Okta-sourced groups are pushed`);
    if (this.assigned.get(app.id)?.has(source.id)) this.fail(`${what}: group ${source.name} is assigned to ${app.label}; Okta doesn't support using the same group for app assignment and Group Push`);
    let targetGroupName = inputs.targetGroupName;
    if (targetGroupName && inputs.targetGroupId) this.fail(`${what}: Either targetGroupId or targetGroupName must be provided, but not both`);
    if (!targetGroupName && !inputs.targetGroupId) targetGroupName = source.name; // TF Create: falls back to the source group's name
    let targetGroupId = inputs.targetGroupId;
    if (targetGroupId) {
      const target = this.groupById(targetGroupId, what);
      if (target.type !== "APP_GROUP" || target.sourceAppLabel !== app.label) this.fail(`${what}: target group ${target.name} is not a group of ${app.label}`);
    } else {
      // A new group in the app, mirrored in Okta as an APP_GROUP (VCR: targetGroupId 00g… in the mapping).
      targetGroupId = oktaId("00g", `pushed:${app.id}:${targetGroupName}`);
    }
    const id = oktaId("gPm", `push:${app.id}:${source.id}`);
    return { id, state: { ...inputs, status, targetGroupId, deleteTargetGroupOnDestroy: inputs.deleteTargetGroupOnDestroy ?? true } };
  }

  /**
   * TF data_source_okta_group.go findGroup (L80-146): by id, or `q=name` — Okta's query is a startsWith match on
   * the group name (L90-91; PY GroupApi.md "q … Finds a group that matches the name property"), taken here as
   * case-insensitive; `type` filters; more than one hit → the exact (case-sensitive Go ==) name, else an error;
   * no hit → "does not exist"; exactly one hit → returned even when its name differs (L139-144).
   */
  private getGroup(inputs: Record<string, any>) {
    let group: Group | undefined;
    if (inputs.id) {
      group = this.groups.find((g) => g.id === inputs.id);
      if (!group) this.fail(`failed get group by ID: ${inputs.id} not found`);
    } else {
      const name = String(inputs.name ?? "");
      const hits = this.query(name, inputs.type);
      if (hits.length > 1) {
        group = hits.find((g) => g.name === name && (!inputs.type || g.type === inputs.type));
        if (!group) this.fail(inputs.type ? `group starting with name "${name}" and type "${inputs.type}" matches ${hits.length} groups, select a more precise name parameter` : `group starting with name "${name}" matches ${hits.length} groups, select a more precise name parameter`);
      } else if (hits.length === 0) {
        this.fail(inputs.type ? `group with name "${name}" and type "${inputs.type}" does not exist` : `group with name "${name}" does not exist`);
      } else {
        group = hits[0]!;
      }
    }
    return { id: group.id, name: group.name, type: group.type, description: "", users: [] };
  }

  /** TF data_source_okta_groups.go: q (name query), type filter; each group's `source` is the app an APP_GROUP came from. */
  private getGroups(inputs: Record<string, any>) {
    const hits = inputs.q === undefined ? this.groups.filter((g) => !inputs.type || g.type === inputs.type) : this.query(String(inputs.q), inputs.type);
    return {
      id: "groups",
      groups: hits.map((g) => ({ id: g.id, name: g.name, type: g.type, description: "", customProfileAttributes: "{}", source: g.sourceAppLabel ? this.appIdByLabel(g.sourceAppLabel) ?? "" : "" })),
    };
  }

  /** TF data_source_okta_apps.go Read: `label eq "…"` filter (L162-163); each app with its `features`. */
  private getApps(inputs: Record<string, any>) {
    const apps = [...this.apps.values()].filter((a) => inputs.label === undefined || a.label === inputs.label);
    return { apps: apps.map((a) => ({ id: a.id, name: a.name, label: a.label, status: a.status, signOnMode: a.signOnMode, features: this.features(a), adminNote: "", enduserNote: "", created: "", lastUpdated: "" })) };
  }

  private query(q: string, type: string | undefined): Group[] {
    return this.groups.filter((g) => g.name.toLowerCase().startsWith(q.toLowerCase()) && (!type || g.type === type));
  }

  private appIdByLabel(label: string): string | undefined {
    return [...this.apps.values()].find((a) => a.label === label)?.id;
  }
}
