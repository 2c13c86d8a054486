/** Checks a stack file against the app files it names: apps exist, secrets are secure, parameters are set. */
import type { Diagnostic } from "./diagnostics";
import { nearest } from "./diagnostics";
import type { LoadedApp } from "./load";
import type { LoadedStack, StackApp } from "./stack";
import { NAMESPACE, STACK_SETTING_KEYS } from "./stack";
import { resolveTenantUrl, TenantUrlError } from "../catalog/tenant-url";
import { bareKey, secretConfigKeys, plainConfigKeys } from "./config-refs";
import { assignedRoleProblem } from "../catalog/roles";
import { isEmailAddress } from "../catalog/attributes";
import { domainListProblem } from "./domains";
import type { AppSpec } from "./schema";
import { OKTA_SEPARATE_GROUPS_FIX, oktaAssignedAndPushed } from "./check";

export function checkStack(stack: LoadedStack, apps: ReadonlyMap<string, LoadedApp>): Diagnostic[] {
  const out: Diagnostic[] = [];
  const report = (path: (string | number)[], severity: Diagnostic["severity"], message: string, fix: string) => {
    const pos = stack.source.locate(["config", ...path]);
    out.push({ file: stack.file, line: pos.line, column: pos.column, severity, message, fix });
  };
  const appsKey = `${NAMESPACE}:apps`;
  const unsetSecrets = new Set<string>();
  const listed = new Map<string, number>();
  stack.settings.apps.forEach((entry, i) => {
    const first = listed.get(entry.name);
    if (first !== undefined) {
      report([appsKey, i, "name"], "error", `${entry.name} is listed twice in \`${appsKey}\` (also entry ${first + 1})`, "keep one entry per app; list every identity provider under its `idps:`");
      return;
    }
    listed.set(entry.name, i);
    const app = apps.get(entry.name);
    if (!app) {
      const guess = nearest(entry.name, apps.keys());
      report([appsKey, i, "name"], "error", `no app file mappings/${entry.name}.yaml`, guess ? `did you mean \`${guess}\`?` : `add mappings/${entry.name}.yaml or remove this entry`);
      return;
    }
    const { spec } = app;
    const galleryApp = spec.entra?.app;
    if (entry.idps.includes("entra") && galleryApp && "gallery" in galleryApp && !galleryApp.clouds.includes(stack.settings.cloud)) {
      report([appsKey, i, "name"], "error", `${spec.displayName} is not in the ${stack.settings.cloud} cloud's application gallery (only: ${galleryApp.clouds.join(", ")})`, `remove it from this stack or change \`${NAMESPACE}:cloud\``);
    }
    for (const idp of entry.idps) {
      if (!spec[idp]) report([appsKey, i, "idps"], "error", `${spec.displayName} has no \`${idp}:\` section in ${app.file}`, `remove \`${idp}\` or add the section`);
    }
    const urls = [entry.idps.includes("entra") ? spec.entra?.provisioning.tenantUrl : undefined, entry.idps.includes("okta") ? spec.okta?.provisioning.scimBaseUrl : undefined];
    // Entra and Okta often share one template: a missing parameter is one message, not one per identity provider.
    const urlProblems = new Set<string>();
    for (const url of urls) {
      if (url === undefined) continue;
      try {
        resolveTenantUrl(url, entry.parameters);
      } catch (err) {
        if (!(err instanceof TenantUrlError)) throw err;
        urlProblems.add(err.message);
      }
    }
    for (const problem of urlProblems) report([appsKey, i, "parameters"], "error", `${spec.displayName}: ${problem}`, "set it under `parameters:` of this app entry");
    checkPlainValues(spec, stack, report);
    checkOktaEntry(entry, i, spec, stack, (path, message, fix) => report([appsKey, i, ...path], "error", message, fix));
    const roles = spec.entra?.roles;
    (entry.assignments ?? []).forEach((a, j) => {
      const problem = assignedRoleProblem(spec.displayName, roles, a.role);
      if (problem) report([appsKey, i, "assignments", j, "role"], "error", problem.message, problem.fix);
    });
    for (const key of secretConfigKeys(spec, entry.idps)) {
      const value = stack.values[key];
      if (typeof value === "string") {
        report([`${NAMESPACE}:${key}`], "error", `\`${NAMESPACE}:${key}\` holds a token in plain text`, `remove it from the file, rotate the token, and run \`pulumi config set --secret ${NAMESPACE}:${key}\``);
      } else if (value === undefined) {
        unsetSecrets.add(key);
      }
    }
    for (const key of plainConfigKeys(spec)) {
      if (stack.values[key] === undefined) {
        report([appsKey, i, "name"], "warning", `${spec.displayName} reads \`${NAMESPACE}:${key}\`, which this stack does not set`, `run \`pulumi config set ${NAMESPACE}:${key} <value>\``);
      }
    }
  });
  if (unsetSecrets.size) {
    const keys = [...unsetSecrets].map((k) => `${NAMESPACE}:${k}`);
    report([appsKey], "warning", `secrets not set in this stack yet: ${keys.join(", ")}`, `before \`pulumi up\`, run \`pulumi config set --secret <key>\` for each`);
  }
  const referenced = new Set(stack.settings.apps.flatMap((entry) => {
    const app = apps.get(entry.name);
    return app ? [...secretConfigKeys(app.spec, entry.idps), ...plainConfigKeys(app.spec)] : [];
  }));
  for (const key of Object.keys(stack.values)) {
    if (referenced.has(key)) continue;
    const guess = nearest(key, [...STACK_SETTING_KEYS, ...referenced]);
    report([`${NAMESPACE}:${key}`], "error", `unknown setting \`${NAMESPACE}:${key}\``, guess ? `did you mean \`${NAMESPACE}:${guess}\`?` : "no app of this stack reads it; remove it");
  }
  return out;
}

type StackReport = (path: (string | number)[], severity: Diagnostic["severity"], message: string, fix: string) => void;

/** The plain values an app reads from the stack have the shape the app needs. */
function checkPlainValues(spec: LoadedApp["spec"], stack: LoadedStack, report: StackReport): void {
  const email = spec.entra?.provisioning.notifications?.email;
  if (email && typeof email === "object") {
    const key = bareKey(email.config);
    const value = stack.values[key];
    if (typeof value === "string" && !isEmailAddress(value)) {
      report([`${NAMESPACE}:${key}`], "error", `\`${NAMESPACE}:${key}\` is ${JSON.stringify(value)}, not an email address (${spec.displayName} sends failure notifications to it)`, "set one address, e.g. identity-ops@contoso.example");
    }
  }
  const domains = spec.target.userName?.allowedDomains;
  if (domains && typeof domains === "object") {
    const key = bareKey(domains.config);
    const value = stack.values[key];
    if (typeof value === "string") {
      const problem = domainListProblem(value);
      if (problem) report([`${NAMESPACE}:${key}`], "error", `\`${NAMESPACE}:${key}\`: ${problem.message}`, problem.fix);
    }
  }
}

/** The stack's Okta settings for one app: an org to deploy to, and assignments that are not also pushed. */
function checkOktaEntry(entry: StackApp, i: number, spec: AppSpec, stack: LoadedStack, report: (path: (string | number)[], message: string, fix: string) => void): void {
  if (!entry.idps.includes("okta")) {
    if (entry.okta) report(["okta"], `\`okta:\` is set but ${spec.displayName} is not deployed with Okta in this stack`, "add `okta` to `idps` or remove `okta:`");
    return;
  }
  if (!spec.okta) return;
  if (!stack.settings.oktaOrg) report(["idps"], `${spec.displayName} is deployed with Okta but the stack sets no \`${NAMESPACE}:oktaOrg\``, `set \`${NAMESPACE}:oktaOrg: <org>.okta.com\` (the explicit okta provider's org)`);
  const pushed = new Set(spec.okta.pushGroups);
  // The groups Okta assigns are the stack's okta.assignments, else its assignments' groups (compileOkta).
  if (entry.okta?.assignments) {
    entry.okta.assignments.forEach((group, j) => {
      if (pushed.has(group)) report(["okta", "assignments", j], oktaAssignedAndPushed(group), OKTA_SEPARATE_GROUPS_FIX);
    });
  } else {
    (entry.assignments ?? []).forEach((a, j) => {
      if ("group" in a && pushed.has(a.group)) report(["assignments", j, "group"], `${oktaAssignedAndPushed(a.group)} (these assignments also reach Okta)`, `give this app \`okta: { assignments: [...] }\` with other groups; ${OKTA_SEPARATE_GROUPS_FIX}`);
    });
  }
}
