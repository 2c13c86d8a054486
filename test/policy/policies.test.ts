import { readFileSync } from "node:fs";
/**
 * The policy pack's policies, tested the way CrossGuard's own guidance tests a pack: build the validation
 * arguments the engine would send, call `validateResource` / `validateStack`, and collect the violations.
 * (The pack through the real engine: test/e2e/policy.e2e.test.ts.)
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { PolicyResource, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { AZUREAD_ASSIGNMENT_TYPE, createPolicies, matchingAttributeOf, NO_SPECIFIC_ROLE_ID, SCHEMA_TYPE, SETTINGS_TYPE, STATUS_TYPE } from "../../policy/policies";
import { loadStackContext, stackOfUrn, type StackContext } from "../../policy/stack-context";

const root = join(__dirname, "..", "..");
const NOT_APPLICABLE = Symbol("notApplicable");

function context(over: Partial<StackContext> = {}): StackContext {
  return {
    stack: "prod",
    production: true,
    stackFile: "stacks/Pulumi.prod.yaml",
    appsByDisplayName: new Map([["JumpCloud", "jumpcloud"]]),
    acknowledgedMatching: new Map([["jumpcloud", "[mailNickname] → userName"]]),
    assignments: [],
    problems: [],
    ...over,
  };
}

const urn = (stack: string, type: string, name: string) => `urn:pulumi:${stack}::scimops::scimops:entra:ProvisionedApp$${type}::${name}`;
const parent = { urn: "urn:pulumi:prod::scimops::scimops:entra:ProvisionedApp::jumpcloud-entra" } as PolicyResource;

function resource(type: string, name: string, props: Record<string, unknown>, stack = "prod"): PolicyResource {
  return { type, name, props, urn: urn(stack, type, name), opts: {} as PolicyResource["opts"], parent, dependencies: [], propertyDependencies: {}, isType: () => false, asType: () => undefined } as unknown as PolicyResource;
}

const notApplicable = (): never => {
  throw NOT_APPLICABLE;
};

/** Runs a resource policy over one resource: its violations, or "not applicable". */
function runResourcePolicy(policy: ResourceValidationPolicy, r: PolicyResource): string[] | typeof NOT_APPLICABLE {
  const violations: string[] = [];
  const report: ReportViolation = (message) => void violations.push(message);
  const args = { ...r, stackTags: new Map(), getConfig: () => ({}), notApplicable } as unknown as ResourceValidationArgs;
  try {
    const validate = policy.validateResource;
    for (const v of Array.isArray(validate) ? validate : [validate]) void v!(args, report);
  } catch (e) {
    if (e === NOT_APPLICABLE) return NOT_APPLICABLE;
    throw e;
  }
  return violations;
}

function runStackPolicy(policy: StackValidationPolicy, resources: PolicyResource[]): string[] | typeof NOT_APPLICABLE {
  const violations: string[] = [];
  const args = { resources, stackTags: new Map(), getConfig: () => ({}), notApplicable } as unknown as StackValidationArgs;
  try {
    void policy.validateStack!(args, (message) => void violations.push(message));
  } catch (e) {
    if (e === NOT_APPLICABLE) return NOT_APPLICABLE;
    throw e;
  }
  return violations;
}

/** The violations of a run that must have applied. */
function found(result: string[] | typeof NOT_APPLICABLE): string[] {
  if (result === NOT_APPLICABLE) throw new Error("the policy was not applicable");
  return result;
}

function policies(ctx: StackContext | ((stack: string) => StackContext)) {
  const list = createPolicies(typeof ctx === "function" ? ctx : () => ctx);
  const byName = (name: string) => list.find((p) => p.name === name)!;
  return { list, resource: (name: string) => byName(name) as ResourceValidationPolicy, stack: (name: string) => byName(name) as StackValidationPolicy };
}

const goodSettings = {
  appName: "JumpCloud",
  syncAll: false,
  notifications: { enabled: true, recipients: "identity-ops@contoso.example", deleteThresholdEnabled: true, deleteThresholdValue: 500 },
  allowDelete: false,
};
const users = (attrs: { targetAttributeName: string; matchingPriority?: number; source?: object }[]) => [
  { name: "Provision Microsoft Entra ID Users", sourceObjectName: "User", targetObjectName: "User", attributeMappings: attrs },
  { name: "Provision Microsoft Entra ID Groups", sourceObjectName: "Group", targetObjectName: "Group", attributeMappings: [{ targetAttributeName: "displayName", matchingPriority: 1, source: { type: "Attribute", name: "displayName" } }] },
];
const mailNickname = { targetAttributeName: "userName", matchingPriority: 1, source: { type: "Attribute", name: "mailNickname", expression: "[mailNickname]" } };

describe("the pack", () => {
  it("has the seven guardrails, all mandatory", () => {
    const { list } = policies(context());
    expect(list.map((p) => p.name)).toEqual([
      "scope-assigned-users-and-groups",
      "accidental-deletion-threshold",
      "notification-email",
      "no-default-access-assignment",
      "provisioning-status-declared",
      "matching-attribute-acknowledged",
      "no-allow-deletion",
    ]);
    expect(list.every((p) => p.enforcementLevel === "mandatory")).toBe(true);
  });

  it("is not applicable on a stack that is not production", () => {
    const p = policies(context({ stack: "dev", production: false }));
    expect(runResourcePolicy(p.resource("scope-assigned-users-and-groups"), resource(SETTINGS_TYPE, "s", { ...goodSettings, syncAll: true }, "dev"))).toBe(NOT_APPLICABLE);
    expect(runStackPolicy(p.stack("no-allow-deletion"), [resource(SETTINGS_TYPE, "s", { ...goodSettings, allowDelete: true }, "dev")])).toBe(NOT_APPLICABLE);
  });

  it("reads the stack from the resource's URN", () => {
    const seen: string[] = [];
    const p = policies((stack) => (seen.push(stack), context({ stack })));
    runResourcePolicy(p.resource("notification-email"), resource(SETTINGS_TYPE, "s", goodSettings, "prod-eu"));
    expect(seen).toEqual(["prod-eu"]);
    expect(stackOfUrn("urn:pulumi:prod::scimops::pulumi:pulumi:Stack::scimops-prod")).toBe("prod");
  });
});

describe("settings policies", () => {
  const p = policies(context());
  const check = (name: string, props: Record<string, unknown>) => found(runResourcePolicy(p.resource(name), resource(SETTINGS_TYPE, "jumpcloud-entra-settings", props)));

  it("pass compliant settings", () => {
    for (const name of ["scope-assigned-users-and-groups", "accidental-deletion-threshold", "notification-email"]) expect(check(name, goodSettings), name).toEqual([]);
  });

  it("scope: all users and groups, or undeclared, is refused with the key to set", () => {
    expect(check("scope-assigned-users-and-groups", { ...goodSettings, syncAll: true })).toEqual([
      "JumpCloud (mappings/jumpcloud.yaml): provisioning scope is “Sync all users and groups” — set `entra.provisioning.scope: assignedUsersAndGroups` in mappings/jumpcloud.yaml, so only assigned users and groups are provisioned",
    ]);
    expect(check("scope-assigned-users-and-groups", { ...goodSettings, syncAll: undefined })[0]).toContain("provisioning scope is not declared");
  });

  it("accidental deletions: off, or on without a positive whole threshold, is refused", () => {
    const off = check("accidental-deletion-threshold", { ...goodSettings, notifications: { ...goodSettings.notifications, deleteThresholdEnabled: false } });
    expect(off).toHaveLength(1);
    expect(off[0]).toContain("“Prevent accidental deletions” is off — set `entra.provisioning.accidentalDeletion: { enabled: true, threshold: 500 }`");
    for (const value of [0, -1, 2.5, undefined]) {
      const bad = check("accidental-deletion-threshold", { ...goodSettings, notifications: { ...goodSettings.notifications, deleteThresholdValue: value } });
      expect(bad, String(value)).toHaveLength(1);
      expect(bad[0]).toContain("has no positive value");
    }
    expect(check("accidental-deletion-threshold", { ...goodSettings, notifications: undefined })).toHaveLength(1);
  });

  it("notification email: missing address or notifications off is refused, naming both files", () => {
    const missing = check("notification-email", { ...goodSettings, notifications: { ...goodSettings.notifications, recipients: "  " } });
    expect(missing).toEqual([
      "JumpCloud (mappings/jumpcloud.yaml): no notification email is set — set `entra.provisioning.notifications.email: { config: notificationEmail }` in mappings/jumpcloud.yaml and `scimops:notificationEmail` in stacks/Pulumi.prod.yaml",
    ]);
    const off = check("notification-email", { ...goodSettings, notifications: { ...goodSettings.notifications, enabled: false } });
    expect(off[0]).toContain("failure notifications are off — set `entra.provisioning.notifications.sendOnFailure: true`");
  });

  it("ignores other resource types", () => {
    expect(runResourcePolicy(p.resource("scope-assigned-users-and-groups"), resource(SCHEMA_TYPE, "x", { syncAll: true }))).toEqual([]);
  });
});

describe("Default Access", () => {
  it("refuses an assignment with Graph's no-specific-role id", () => {
    const p = policies(context());
    expect(found(runResourcePolicy(p.resource("no-default-access-assignment"), resource(AZUREAD_ASSIGNMENT_TYPE, "jumpcloud-entra-assign-0", { appRoleId: NO_SPECIFIC_ROLE_ID })))[0]).toContain(
      "uses appRoleId 00000000-0000-0000-0000-000000000000 (Default Access",
    );
    expect(runResourcePolicy(p.resource("no-default-access-assignment"), resource(AZUREAD_ASSIGNMENT_TYPE, "a", { appRoleId: "18d14569-c3bd-439b-9a66-3a2aee01d14f" }))).toEqual([]);
  });

  it("refuses a declared assignment with a refused role, at its line", () => {
    const p = policies(
      context({
        assignments: [
          { app: "jumpcloud", who: "group All Employees", role: "Default Access", refusedRoles: ["Default Access"], assignableRoles: ["User"], at: "stacks/Pulumi.prod.yaml:19:49" },
          { app: "jumpcloud", who: "group Pilots", role: "User", refusedRoles: ["Default Access"], assignableRoles: ["User"], at: "stacks/Pulumi.prod.yaml:20:49" },
        ],
      }),
    );
    expect(runStackPolicy(p.stack("no-default-access-assignment"), [resource(SETTINGS_TYPE, "s", goodSettings)])).toEqual([
      "stacks/Pulumi.prod.yaml:19:49: jumpcloud: group All Employees is assigned with the Default Access role, whose members are excluded from provisioning — assign one of User",
    ]);
  });

  it("reports files it could not read instead of passing silently", () => {
    const p = policies(context({ problems: ["stacks/Pulumi.prod.yaml is invalid — run `scimops validate stacks/Pulumi.prod.yaml`"] }));
    expect(runStackPolicy(p.stack("no-default-access-assignment"), [resource(SETTINGS_TYPE, "s", goodSettings)])).toHaveLength(1);
  });
});

describe("provisioning status", () => {
  const p = policies(context());
  const settings = resource(SETTINGS_TYPE, "jumpcloud-entra-settings", { ...goodSettings, jobId: "scim.j1" });
  it("passes when the app's job has a status on or off", () => {
    for (const status of ["on", "off"]) expect(runStackPolicy(p.stack("provisioning-status-declared"), [settings, resource(STATUS_TYPE, "st", { jobId: "scim.j1", status })])).toEqual([]);
  });
  it("refuses an app whose job has no status, or a status for another job", () => {
    const none = runStackPolicy(p.stack("provisioning-status-declared"), [settings]);
    expect(none).toEqual([
      'JumpCloud (mappings/jumpcloud.yaml): no Provisioning Status is declared for its job — declare `entra.provisioning.status: "on"` (or "off") in mappings/jumpcloud.yaml, so the job is started or paused on purpose',
    ]);
    expect(runStackPolicy(p.stack("provisioning-status-declared"), [settings, resource(STATUS_TYPE, "st", { jobId: "scim.other", status: "on" })])).toHaveLength(1);
  });
});

describe("matching attribute", () => {
  const p = policies(context());
  const schema = (attrs: Parameters<typeof users>[0]) => resource(SCHEMA_TYPE, "jumpcloud-entra-schema", { appName: "JumpCloud", objectMappings: users(attrs) });

  it("reads the users mapping's first matching attribute as the stack output shows it", () => {
    expect(matchingAttributeOf(users([{ targetAttributeName: "externalId", matchingPriority: 2, source: { type: "Attribute", name: "objectId" } }, mailNickname]))).toBe("[mailNickname] → userName");
    expect(matchingAttributeOf(users([{ targetAttributeName: "displayName" }]))).toBeUndefined();
  });

  it("passes the acknowledged attribute", () => {
    expect(runResourcePolicy(p.resource("matching-attribute-acknowledged"), schema([mailNickname]))).toEqual([]);
  });

  it("refuses a changed matching attribute, with both values and the line that acknowledges it", () => {
    const upn = { targetAttributeName: "userName", matchingPriority: 1, source: { type: "Attribute", name: "userPrincipalName", expression: "[userPrincipalName]" } };
    const [violation, ...rest] = runResourcePolicy(p.resource("matching-attribute-acknowledged"), schema([{ ...mailNickname, matchingPriority: 0 }, upn])) as string[];
    expect(rest).toEqual([]);
    expect(violation).toContain("changed from the acknowledged `[mailNickname] → userName` to `[userPrincipalName] → userName`");
    expect(violation).toContain('set `scimops-policy:matchingAttributes: { jumpcloud: "[userPrincipalName] → userName" }` in stacks/Pulumi.prod.yaml');
  });

  it("refuses a matching attribute the stack never acknowledged", () => {
    const q = policies(context({ acknowledgedMatching: new Map() }));
    expect(found(runResourcePolicy(q.resource("matching-attribute-acknowledged"), schema([mailNickname])))[0]).toContain("which stacks/Pulumi.prod.yaml does not acknowledge");
  });
});

describe("deletion", () => {
  it("refuses scimops:allowDeletion once, at its line, however many resources it reaches", () => {
    const p = policies(context({ allowDeletion: { at: "stacks/Pulumi.prod.yaml:3:26" } }));
    const resources = [resource(SETTINGS_TYPE, "a", { ...goodSettings, allowDelete: true }), resource(SCHEMA_TYPE, "b", { allowDelete: true })];
    expect(runStackPolicy(p.stack("no-allow-deletion"), resources)).toEqual([
      "stacks/Pulumi.prod.yaml:3:26: scimops:allowDeletion is true — remove it (or set false) in stacks/Pulumi.prod.yaml; a production stack leaves removed apps and mappings in the tenant",
    ]);
  });
  it("refuses resources with allowDelete even when the stack file does not say so", () => {
    const p = policies(context());
    expect(found(runStackPolicy(p.stack("no-allow-deletion"), [resource(SCHEMA_TYPE, "b", { allowDelete: true })]))[0]).toContain("b: allowDelete is true");
    expect(runStackPolicy(p.stack("no-allow-deletion"), [resource(SCHEMA_TYPE, "b", { allowDelete: false })])).toEqual([]);
  });
});

describe("the bundled stacks", () => {
  it("prod is production, acknowledges every app's matching attribute and assigns no refused role", () => {
    const ctx = loadStackContext(root, "prod");
    expect(ctx.problems).toEqual([]);
    expect(ctx.production).toBe(true);
    expect(ctx.allowDeletion).toBeUndefined();
    expect([...ctx.acknowledgedMatching.keys()].sort()).toEqual(["airstack", "ipass-smartconnect", "ironwifi", "jumpcloud", "spaceiq"]);
    expect(ctx.assignments.length).toBeGreaterThanOrEqual(7);
    expect(ctx.assignments.filter((a) => a.refusedRoles.includes(a.role))).toEqual([]);
    expect(ctx.assignments[0]!.at).toMatch(/^stacks\/Pulumi\.prod\.yaml:\d+:\d+$/);
    expect(ctx.appsByDisplayName.get("JumpCloud")).toBe("jumpcloud");
  });

  it("dev is not production and points at its allowDeletion line", () => {
    const ctx = loadStackContext(root, "dev");
    expect(ctx.production).toBe(false);
    const allowLine = readFileSync(join(root, "stacks", "Pulumi.dev.yaml"), "utf8").split("\n").findIndex((l) => l.includes("scimops:allowDeletion:")) + 1;
    expect(ctx.allowDeletion?.at).toBe(`stacks/Pulumi.dev.yaml:${allowLine}:26`);
  });

  it("a missing stack file is a problem, not a pass", () => {
    expect(loadStackContext(root, "nope").problems[0]).toContain("stacks/Pulumi.nope.yaml not found");
  });
});
