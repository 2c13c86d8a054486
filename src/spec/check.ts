/**
 * Checks on a loaded app spec beyond its shape: expressions and scoping clauses are sound
 * (check-expressions.ts), mappings are coherent, and the mappings obey what the target app enforces —
 * the rules written in the file's `target:` block and the ones the catalog knows whatever the file says
 * (gallery-apps.ts: documented tenant URL, public preview; targets.ts: rules by endpoint host).
 */
import { attributesReferenced, tryParseExpression } from "../expression";
import { PORTAL_ONLY_SCOPING_OPERATORS, UNARY_SCOPING_OPERATORS, type AppSpec, type ObjectMappingSpec, type TenantUrlSpec } from "./schema";
import { nearest, type Diagnostic } from "./diagnostics";
import type { LoadedApp } from "./load";
import type { Path } from "./yaml-source";
import { hasCredentials, tenantUrlPlaceholders, urlTemplate } from "../catalog/tenant-url";
import { EMAIL_SHAPED_ATTRIBUTES, isEmailAddress } from "../catalog/attributes";
import { assignedRoleProblem } from "../catalog/roles";
import { SOURCE_OBJECTS, type DeclaredSourceAttribute } from "../catalog/entra-source-attributes";
import { galleryAppFacts, publicPreviewNotice, TENANT_URL_FLAGS } from "../catalog/gallery-apps";
import { checkExpressionText, checkScopingClause } from "./check-expressions";
import { domainListProblem } from "./domains";
import { knownTargetForUrl } from "../catalog/targets";
import { checkGroupsSupported } from "./check-groups";

type Report = (path: Path, message: string, fix: string, inside?: number, severity?: Diagnostic["severity"]) => void;

export function checkApp(app: LoadedApp): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const report: Report = (path, message, fix, inside, severity = "error") => {
    const pos = inside === undefined ? app.source.locate(path) : app.source.locateInside(path, inside);
    diagnostics.push({ file: app.file, line: pos.line, column: pos.column, severity, message, fix });
  };
  const { spec } = app;
  if (!spec.entra && !spec.okta) {
    report(["name"], "the app configures no identity provider", "add an `entra:` and/or an `okta:` section");
  }
  const expectedName = app.file.replace(/^.*\//, "").replace(/\.ya?ml$/, "");
  if (spec.name !== expectedName) {
    report(["name"], `name \`${spec.name}\` differs from the file name \`${expectedName}\``, `rename the file or set \`name: ${expectedName}\``);
  }
  checkPatterns(spec, report);
  if (spec.entra) checkEntra(spec, report);
  if (spec.okta) checkOkta(spec, report);
  checkGroupsSupported(spec, report);
  checkRunbooks(spec, report);
  return diagnostics;
}

function checkEntra(spec: AppSpec, report: Report): void {
  const entra = spec.entra!;
  const base = ["entra"];
  const urlPath = [...base, "provisioning", "tenantUrl"];
  checkTenantUrl(entra.provisioning.tenantUrl, urlPath, report);
  const template = urlTemplate(entra.provisioning.tenantUrl);
  const misspelt = checkTenantUrlFlags(template, typeof entra.provisioning.tenantUrl === "string" ? urlPath : [...urlPath, "template"], report);
  const flags = spec.target.tenantUrl?.requiredFlags ?? [];
  for (const flag of flags) {
    if (!misspelt.has(flag) && !new RegExp(`[?&]${flag}(?:[=&]|$)`).test(template)) {
      report(urlPath, `tenant URL lacks the \`${flag}\` flag ${spec.target.tenantUrl?.reason ? `(${spec.target.tenantUrl.reason})` : ""}`.trim(), `append \`?${flag}\` to the tenant URL`);
    }
  }
  checkGalleryApp(spec, urlPath, report);
  const email = entra.provisioning.notifications?.email;
  if (typeof email === "string" && !isEmailAddress(email)) {
    report([...base, "provisioning", "notifications", "email"], `notification email ${JSON.stringify(email)} is not an email address`, "write one address such as identity-ops@contoso.example, or `{ config: notificationEmail }`");
  }

  const mappings: ["users" | "groups", ObjectMappingSpec | undefined][] = [
    ["users", entra.mappings.users],
    ["groups", entra.mappings.groups],
  ];
  for (const [key, mapping] of mappings) {
    if (mapping) checkObjectMapping(mapping, [...base, "mappings", key], key, entra.sourceAttributes, report);
  }

  const users = entra.mappings.users;
  const usersPath = [...base, "mappings", "users", "attributes"];
  if (!users.enabled) report([...base, "mappings", "users", "enabled"], "the users mapping is disabled", "Entra does not support disabling user provisioning; set `enabled: true`");
  const parsedTargets = new Map(users.attributes.map((a, i) => [a.target, { a, i }]));

  for (const required of spec.target.requiredAttributes) {
    if (!parsedTargets.has(required)) {
      report(usersPath, `${spec.displayName} requires \`${required}\` but the users mapping does not map it`, `add \`- { target: '${required}', source: ... }\``);
    }
  }
  const unsupportedTargets = new Set(spec.target.unsupportedAttributes.map((u) => u.target));
  if (spec.target.supportedAttributes) {
    const supported = new Set(spec.target.supportedAttributes);
    users.attributes.forEach((a, i) => {
      // An attribute the file names as unsupported gets that message, with its reason, and only that one.
      if (!supported.has(a.target) && !unsupportedTargets.has(a.target)) {
        report([...usersPath, i, "target"], `${spec.displayName} does not accept \`${a.target}\`; unsupported attributes make provisioning fail`, "remove this mapping");
      }
    });
  }
  for (const unsupported of spec.target.unsupportedAttributes) {
    const hit = parsedTargets.get(unsupported.target);
    if (hit) report([...usersPath, hit.i, "target"], `\`${unsupported.target}\` is not supported: ${unsupported.reason}`, "remove this mapping");
  }
  const requiredSources = { ...knownTargetForUrl(template)?.requiredSources, ...spec.target.requiredSources };
  for (const [target, rule] of Object.entries(requiredSources)) {
    const hit = parsedTargets.get(target);
    if (!hit?.a.source) continue;
    const parsed = tryParseExpression(hit.a.source);
    if (parsed.ok && !attributesReferenced(parsed.expr).includes(rule.source)) {
      report([...usersPath, hit.i, "source"], `${spec.displayName} requires \`${target}\` to come from [${rule.source}] (${rule.reason}), not ${hit.a.source}`, `write \`source: "[${rule.source}]"\``);
    }
  }
  const groups = entra.mappings.groups;
  if (groups?.enabled && !spec.target.groups.supported) {
    report([...base, "mappings", "groups", "enabled"], `${spec.displayName} does not support group provisioning${spec.target.groups.reason ? ` (${spec.target.groups.reason})` : ""}`, "set `enabled: false` on the groups mapping");
  }

  const inlineDomains = spec.target.userName?.allowedDomains;
  if (typeof inlineDomains === "string") {
    const problem = domainListProblem(inlineDomains);
    if (problem) report(["target", "userName", "allowedDomains"], `target.userName.allowedDomains: ${problem.message}`, problem.fix);
  }
  const userNameRules = spec.target.userName;
  const userName = parsedTargets.get("userName");
  if (userNameRules?.forbidEmail && userName?.a.source) {
    const parsed = tryParseExpression(userName.a.source);
    if (parsed.ok && parsed.expr.kind === "attribute" && EMAIL_SHAPED_ATTRIBUTES.has(parsed.expr.name)) {
      report([...usersPath, userName.i, "source"], `${spec.displayName} user names may not be email addresses, but userName comes from [${parsed.expr.name}]`, "map userName from [mailNickname] (or an expression that strips the domain)");
    }
  }

  const roles = entra.roles;
  entra.assignments.forEach((assignment, i) => {
    const path = [...base, "assignments", i, "role"];
    const problem = assignedRoleProblem(spec.displayName, roles, assignment.role);
    if (problem) report(path, problem.message, problem.fix);
  });
  if (entra.provisioning.scope === "allUsersAndGroups") {
    users.attributes.forEach((a, i) => {
      if (a.source && /\b(AssertiveAppRoleAssignmentsComplex|AppRoleAssignmentsComplex|SingleAppRoleAssignment)\(/.test(a.source)) {
        report([...usersPath, i, "source"], "app-role-assignment functions are not compatible with scope allUsersAndGroups", "set `scope: assignedUsersAndGroups` or map another source");
      }
    });
  }
}

function checkObjectMapping(mapping: ObjectMappingSpec, path: Path, key: "users" | "groups", declared: readonly DeclaredSourceAttribute[], report: Report): void {
  const expectedObject = key === "users" ? "User" : "Group";
  if (mapping.sourceObject !== expectedObject) {
    const known = (SOURCE_OBJECTS as readonly string[]).includes(mapping.sourceObject);
    const guess = nearest(mapping.sourceObject, SOURCE_OBJECTS);
    report(
      [...path, "sourceObject"],
      known ? `the ${key} mapping reads Entra \`${expectedObject}\` objects, not \`${mapping.sourceObject}\`` : `\`${mapping.sourceObject}\` is not a Microsoft Entra source object (User, Group)`,
      guess && !known ? `did you mean \`${guess}\`?` : `write \`sourceObject: ${expectedObject}\``,
    );
  }
  // Attributes are checked against the object the mapping is meant to read, so a misspelt sourceObject is one message.
  const object = expectedObject;
  const seen = new Map<string, number>();
  const precedences = new Map<number, number>();
  mapping.attributes.forEach((a, i) => {
    const at = [...path, "attributes", i];
    const previous = seen.get(a.target);
    if (previous !== undefined) {
      report([...at, "target"], `target attribute \`${a.target}\` is mapped twice (also entry ${previous + 1})`, "keep one mapping per target attribute");
    } else {
      seen.set(a.target, i);
    }
    if (a.source === undefined && a.default === undefined) {
      report(at, `mapping for \`${a.target}\` has neither a source nor a default`, "add `source:` (an expression) or `default:` (mapping type None)");
    }
    if (a.source !== undefined) {
      for (const p of checkExpressionText(a.source, { object, declared, target: a.target })) {
        report([...at, "source"], p.message, p.fix, p.offset, p.severity);
      }
    }
    if (a.matchingPrecedence !== undefined) {
      const other = precedences.get(a.matchingPrecedence);
      if (other !== undefined) {
        report([...at, "matchingPrecedence"], `matching precedence ${a.matchingPrecedence} is used twice (also by \`${mapping.attributes[other]!.target}\`)`, "give each matching attribute its own precedence 1, 2, 3…");
      }
      precedences.set(a.matchingPrecedence, i);
      if (a.apply === "onCreate") report([...at, "apply"], "a matching attribute must apply always", "remove `apply: onCreate`");
      if (a.source === undefined) report(at, "a matching attribute needs a source", "add `source:`");
    }
  });
  if (mapping.enabled) {
    const ordered = [...precedences.keys()].sort((a, b) => a - b);
    if (ordered.length === 0) {
      report([...path, "attributes"], `mapping \`${mapping.name}\` has no matching attribute`, "set `matchingPrecedence: 1` on the attribute that identifies an object (e.g. userName)");
    } else if (ordered.some((p, i) => p !== i + 1)) {
      const i = precedences.get(ordered.find((p, j) => p !== j + 1)!)!;
      report([...path, "attributes", i, "matchingPrecedence"], `matching precedences must be 1, 2, 3… without gaps (found ${ordered.join(", ")})`, "renumber the matching precedences from 1");
    }
  }
  mapping.scopingFilters.forEach((filter, f) => {
    filter.clauses.forEach((clause, c) => {
      const at = [...path, "scopingFilters", f, "clauses", c];
      if ((PORTAL_ONLY_SCOPING_OPERATORS as readonly string[]).includes(clause.operator)) {
        report(
          [...at, "operator"],
          `operator \`${clause.operator}\` is documented for the portal but not listed by Graph's filterOperators, so the API may not accept it`,
          "prefer EQUALS, NOT EQUALS, REGEX MATCH, NOT REGEX MATCH, IS TRUE, IS FALSE, IS NULL or IS NOT NULL (e.g. REGEX MATCH `suffix$` for ENDS_WITH)",
          undefined,
          "warning",
        );
      }
      const unary = UNARY_SCOPING_OPERATORS.has(clause.operator);
      if (unary && clause.value !== undefined) report([...at, "value"], `operator \`${clause.operator}\` takes no value`, "remove `value:`");
      if (!unary && clause.value === undefined) report([...at, "operator"], `operator \`${clause.operator}\` needs a value`, "add `value:`");
      const values = clause.value === undefined ? [] : Array.isArray(clause.value) ? clause.value : [clause.value];
      if (clause.operator.startsWith("Greater_Than")) {
        for (const v of values) if (!/^-?\d+$/.test(v)) report([...at, "value"], `\`${clause.operator}\` compares integers, \`${v}\` is not one`, "use an integer value");
      }
      for (const p of checkScopingClause(clause, object, declared)) {
        report([...at, p.field, ...(p.index === undefined ? [] : [p.index])], p.message, p.fix, undefined, p.severity);
      }
    });
  });
  if (mapping.actions.length === 0 && mapping.enabled) {
    report([...path, "actions"], "no target object actions: nothing would be provisioned", "allow at least `create`, or set `enabled: false`");
  }
}

/** Query-string flags that look like a misspelt Entra flag; returns the flags they were meant to be. */
function checkTenantUrlFlags(template: string, path: Path, report: Report): Set<string> {
  const meant = new Set<string>();
  if (!template.includes("?")) {
    const flag = TENANT_URL_FLAGS.find((f) => new RegExp(`[&/]${f}(?:[=&]|$)`).test(template));
    if (flag) {
      meant.add(flag);
      report(path, `\`${flag}\` is in the tenant URL's path, not its query string`, `write \`?${flag}\` (a question mark starts the query string)`, template.indexOf(flag) - 1);
    }
  }
  const query = template.includes("?") ? template.slice(template.indexOf("?") + 1) : "";
  for (const part of query.split("&")) {
    const flag = part.split("=")[0]!;
    if (!flag || (TENANT_URL_FLAGS as readonly string[]).includes(flag)) continue;
    const guess = nearest(flag, TENANT_URL_FLAGS);
    if (!guess) continue; // a parameter of the vendor's own
    meant.add(guess);
    report(path, `unknown tenant URL flag \`${flag}\``, `did you mean \`${guess}\`?`, template.indexOf(flag));
  }
  return meant;
}

/** A gallery app's tenant URL host is the one its tutorial documents; its preview status is shown. */
function checkGalleryApp(spec: AppSpec, urlPath: Path, report: Report): void {
  const app = spec.entra!.app;
  if (!("gallery" in app)) return;
  const facts = galleryAppFacts(app.gallery);
  if (facts) {
    const host = hostOf(urlTemplate(spec.entra!.provisioning.tenantUrl));
    const documented = hostOf(facts.tenantUrl);
    if (host !== undefined && host !== documented) {
      report(urlPath, `tenant URL host \`${host}\` is not the host ${spec.displayName}'s tutorial documents (\`${documented}\`)`, `use ${facts.tenantUrl} (${facts.source})`);
    }
  }
  if (app.importedFrom === undefined) {
    // Until imported, the lists are the generic non-gallery default, not the vendor's: `up` would write them over the template's.
    report(
      ["entra", "app", "gallery"],
      `${spec.displayName}'s mapping lists have not been reconciled with its gallery template (no \`importedFrom\`)`,
      `run \`scimops import --app ${spec.name} --display-name "${app.displayName}" --force\` against a tenant (add --template for a freshly created app)`,
      undefined,
      "warning",
    );
  }
  if (app.preview || facts?.publicPreview) {
    report(["entra", "app", "gallery"], publicPreviewNotice(spec.displayName), app.preview ? "preview features may change; test with a pilot group first" : "set `preview: true` on entra.app", undefined, "warning");
  }
}

function hostOf(url: string): string | undefined {
  const m = /^https?:\/\/(?:[^/?#@]*@)?([^/?#:]+)/i.exec(url);
  return m ? m[1]!.toLowerCase() : undefined;
}

function checkTenantUrl(url: TenantUrlSpec, path: Path, report: Report): void {
  // A password pasted into the URL would be shown wherever the URL is (tables, previews, Graph's BaseAddress).
  if (hasCredentials(urlTemplate(url))) {
    report(typeof url === "string" ? path : [...path, "template"], "the URL carries credentials (`user:password@` before the host)", "remove them (the URL is shown in previews and reports); the token belongs in the stack as a secret: `pulumi config set --secret`");
  }
  if (typeof url === "string") {
    if (tenantUrlPlaceholders(url).length) report(path, "the tenant URL has `{…}` placeholders but no parameters", "write `tenantUrl: { template: …, parameters: { … } }`");
    return;
  }
  const used = new Set(tenantUrlPlaceholders(url.template));
  for (const name of used) if (!(name in url.parameters)) report([...path, "template"], `placeholder {${name}} has no parameter`, `declare \`parameters: { ${name}: { description: … } }\``);
  for (const name of Object.keys(url.parameters)) if (!used.has(name)) report([...path, "parameters", name], `parameter \`${name}\` is not used in the template`, `use {${name}} in the template or remove the parameter`);
}

function checkOkta(spec: AppSpec, report: Report): void {
  const okta = spec.okta!;
  checkTenantUrl(okta.provisioning.scimBaseUrl, ["okta", "provisioning", "scimBaseUrl"], report);
  if (okta.pushGroups.length && !okta.provisioning.supportedActions.includes("pushGroups")) {
    report(["okta", "pushGroups"], "groups are pushed but `pushGroups` is not a supported provisioning action", "add `pushGroups` to okta.provisioning.supportedActions");
  }
  checkGroupNames(spec, okta.pushGroups, ["okta", "pushGroups"], report);
  checkOktaApp(okta, report);
  okta.pushGroups.forEach((group, i) => {
    if (okta.assignments.groups.includes(group)) report(["okta", "pushGroups", i], oktaAssignedAndPushed(group), OKTA_SEPARATE_GROUPS_FIX);
  });
  const targets = new Set<string>();
  okta.profileMappings.forEach((m, i) => {
    if (m.target === "userName") {
      report(["okta", "profileMappings", i, "target"], "the app user's userName comes from the app's username template, not from a profile mapping", "remove this row and set okta.app.userNameTemplate (e.g. `{ template: \"${source.login}\", type: BUILT_IN }`)");
    }
    if (targets.has(m.target)) report(["okta", "profileMappings", i, "target"], `\`${m.target}\` is mapped twice`, "keep one mapping per target attribute");
    targets.add(m.target);
  });
  // userName is set by okta.app.userNameTemplate; any other unique identifier needs a mapping row.
  if (okta.provisioning.uniqueIdentifierField !== "userName" && !targets.has(okta.provisioning.uniqueIdentifierField)) {
    report(["okta", "provisioning", "uniqueIdentifierField"], `the unique identifier field \`${okta.provisioning.uniqueIdentifierField}\` has no profile mapping`, "add a profile mapping for it");
  }
}

/** Okta help "App assignments and Group Push": "Okta doesn't support using the same group for app assignment and Group Push." */
export function oktaAssignedAndPushed(group: string): string {
  return `Okta group \`${group}\` is both assigned to the app and pushed, and Okta does not support using the same group for app assignment and Group Push`;
}
export const OKTA_SEPARATE_GROUPS_FIX = "assign a separate group whose members should get the app (e.g. `IronWifi Users`), and push only the groups that carry the target's policies";

function checkOktaApp(okta: NonNullable<AppSpec["okta"]>, report: Report): void {
  const app = okta.app;
  if (app.signOnMode === "SWA" && !app.loginUrl) report(["okta", "app", "signOnMode"], "a custom SWA app needs the app's sign-in page URL", "add `loginUrl: https://…` under okta.app");
  if (app.signOnMode === "SAML_2_0" && !app.saml) report(["okta", "app", "signOnMode"], "a custom SAML 2.0 app needs its SAML settings", "add `saml: { ssoUrl: …, audience: … }` under okta.app");
  if (app.signOnMode !== "SWA" && app.loginUrl) report(["okta", "app", "loginUrl"], "`loginUrl` applies to SWA apps only", "remove it, or set `signOnMode: SWA`");
  if (app.signOnMode !== "SAML_2_0" && app.saml) report(["okta", "app", "saml"], "`saml` applies to SAML_2_0 apps only", "remove it, or set `signOnMode: SAML_2_0`");
  const { template, type } = app.userNameTemplate;
  const builtIn = /^\$\{.+\}$/.test(template);
  if (type === "BUILT_IN" && !builtIn) report(["okta", "app", "userNameTemplate", "template"], `a BUILT_IN username template is one of Okta's formats such as \`\${source.login}\`, not \`${template}\``, "use `${source.login}`/`${source.email}`, or set `type: CUSTOM` for an expression");
  if (type === "CUSTOM" && builtIn) report(["okta", "app", "userNameTemplate", "template"], "a CUSTOM username template is a plain Okta expression such as `user.email`, without `${…}`", "drop the `${…}` or set `type: BUILT_IN`");
}

function checkGroupNames(spec: AppSpec, names: readonly string[], path: Path, report: Report): void {
  const rules = spec.target.groups;
  if (!rules.known.length) return;
  names.forEach((name, i) => {
    if (rules.known.includes(name)) return;
    const folded = rules.known.find((k) => k.toLowerCase() === name.toLowerCase());
    if (folded && rules.caseSensitive) {
      report([...path, i], `group \`${name}\` differs in case from ${spec.displayName} group \`${folded}\`; ${spec.displayName} matches group ${rules.matchBy} case-sensitively`, `rename it to \`${folded}\``);
    } else if (!folded) {
      report([...path, i], `group \`${name}\` does not exist in ${spec.displayName} (known: ${rules.known.join(", ")})`, `create it in ${spec.displayName} first and add it to target.groups.known, or fix the name`);
    }
  });
}

function checkPatterns(spec: AppSpec, report: Report): void {
  const patterns: [Path, string | undefined][] = [
    [["target", "userName", "pattern"], spec.target.userName?.pattern],
    [["target", "token", "pattern"], spec.target.token?.pattern],
  ];
  for (const [path, pattern] of patterns) {
    if (pattern === undefined) continue;
    try {
      new RegExp(pattern);
    } catch (err) {
      report(path, `invalid regular expression: ${(err as Error).message}`, "fix the pattern (YAML double quotes need `\\\\` for a backslash)");
    }
  }
}

const RUNBOOK_PLACEHOLDERS = new Set(["scimBaseUrl", "tokenConfig", "groups", "appName"]);

function checkRunbooks(spec: AppSpec, report: Report): void {
  spec.otherIdps.forEach((idp, i) => {
    idp.steps.forEach((step, s) => {
      for (const m of step.matchAll(/\{(\w+)\}/g)) {
        if (!RUNBOOK_PLACEHOLDERS.has(m[1]!)) {
          report(["otherIdps", i, "steps", s], `unknown placeholder {${m[1]}}`, `use one of ${[...RUNBOOK_PLACEHOLDERS].map((p) => `{${p}}`).join(", ")}`);
        }
      }
    });
  });
}
