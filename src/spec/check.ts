/**
 * Checks on a loaded app spec beyond its shape: expressions parse, mappings are coherent, and the
 * mappings obey what the target app enforces (catalog rules written in the file's `target:` block).
 */
import { tryParseExpression } from "../expression";
import { UNARY_SCOPING_OPERATORS, type AppSpec, type ObjectMappingSpec, type TenantUrlSpec } from "./schema";
import type { Diagnostic } from "./diagnostics";
import type { LoadedApp } from "./load";
import type { Path } from "./yaml-source";
import { tenantUrlPlaceholders, urlTemplate } from "../catalog/tenant-url";
import { EMAIL_SHAPED_ATTRIBUTES } from "../catalog/attributes";
import { assignedRoleProblem } from "../catalog/roles";
import { checkGroupsSupported } from "./check-groups";

type Report = (path: Path, message: string, fix: string, inside?: number) => void;

export function checkApp(app: LoadedApp): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const report: Report = (path, message, fix, inside) => {
    const pos = inside === undefined ? app.source.locate(path) : app.source.locateInside(path, inside);
    diagnostics.push({ file: app.file, line: pos.line, column: pos.column, severity: "error", message, fix });
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
  checkTenantUrl(entra.provisioning.tenantUrl, [...base, "provisioning", "tenantUrl"], report);
  const flags = spec.target.tenantUrl?.requiredFlags ?? [];
  const template = urlTemplate(entra.provisioning.tenantUrl);
  for (const flag of flags) {
    if (!new RegExp(`[?&]${flag}(?:[=&]|$)`).test(template)) {
      report([...base, "provisioning", "tenantUrl"], `tenant URL lacks the \`${flag}\` flag ${spec.target.tenantUrl?.reason ? `(${spec.target.tenantUrl.reason})` : ""}`.trim(), `append \`?${flag}\` to the tenant URL`);
    }
  }

  const mappings: [string, ObjectMappingSpec | undefined][] = [
    ["users", entra.mappings.users],
    ["groups", entra.mappings.groups],
  ];
  for (const [key, mapping] of mappings) {
    if (mapping) checkObjectMapping(mapping, [...base, "mappings", key], report);
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
  if (spec.target.supportedAttributes) {
    const supported = new Set(spec.target.supportedAttributes);
    users.attributes.forEach((a, i) => {
      if (!supported.has(a.target)) {
        report([...usersPath, i, "target"], `${spec.displayName} does not accept \`${a.target}\`; unsupported attributes make provisioning fail`, "remove this mapping");
      }
    });
  }
  for (const unsupported of spec.target.unsupportedAttributes) {
    const hit = parsedTargets.get(unsupported.target);
    if (hit) report([...usersPath, hit.i, "target"], `\`${unsupported.target}\` is not supported: ${unsupported.reason}`, "remove this mapping");
  }
  const groups = entra.mappings.groups;
  if (groups?.enabled && !spec.target.groups.supported) {
    report([...base, "mappings", "groups", "enabled"], `${spec.displayName} does not support group provisioning${spec.target.groups.reason ? ` (${spec.target.groups.reason})` : ""}`, "set `enabled: false` on the groups mapping");
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

function checkObjectMapping(mapping: ObjectMappingSpec, path: Path, report: Report): void {
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
      const parsed = tryParseExpression(a.source);
      if (!parsed.ok) {
        report([...at, "source"], `expression for \`${a.target}\` does not parse: ${parsed.error.reason}`, parsed.error.hint ?? "fix the expression (see docs/expressions.md)", parsed.error.offset);
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
      const unary = UNARY_SCOPING_OPERATORS.has(clause.operator);
      if (unary && clause.value !== undefined) report([...at, "value"], `operator \`${clause.operator}\` takes no value`, "remove `value:`");
      if (!unary && clause.value === undefined) report([...at, "operator"], `operator \`${clause.operator}\` needs a value`, "add `value:`");
      const values = clause.value === undefined ? [] : Array.isArray(clause.value) ? clause.value : [clause.value];
      if (clause.operator.startsWith("Greater_Than")) {
        for (const v of values) if (!/^-?\d+$/.test(v)) report([...at, "value"], `\`${clause.operator}\` compares integers, \`${v}\` is not one`, "use an integer value");
      }
      if (clause.operator.endsWith("REGEX MATCH")) {
        for (const v of values) {
          try {
            new RegExp(v);
          } catch (err) {
            report([...at, "value"], `invalid regular expression: ${(err as Error).message}`, "fix the pattern");
          }
        }
      }
    });
  });
  if (mapping.actions.length === 0 && mapping.enabled) {
    report([...path, "actions"], "no target object actions: nothing would be provisioned", "allow at least `create`, or set `enabled: false`");
  }
}

function checkTenantUrl(url: TenantUrlSpec, path: Path, report: Report): void {
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
  const targets = new Set<string>();
  okta.profileMappings.forEach((m, i) => {
    if (targets.has(m.target)) report(["okta", "profileMappings", i, "target"], `\`${m.target}\` is mapped twice`, "keep one mapping per target attribute");
    targets.add(m.target);
  });
  if (!targets.has(okta.provisioning.uniqueIdentifierField)) {
    report(["okta", "provisioning", "uniqueIdentifierField"], `the unique identifier field \`${okta.provisioning.uniqueIdentifierField}\` has no profile mapping`, "add a profile mapping for it");
  }
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
