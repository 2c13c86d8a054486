/**
 * Runs the Pulumi program under mocks for one stack file and records every registered resource, with
 * its parent and options (through a stack transform, which sees what mocks do not).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import type * as pulumiType from "@pulumi/pulumi";

export interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  parent?: string;
  retainOnDelete?: boolean;
  protect?: boolean;
  secretInputs: string[];
}

export const root = join(__dirname, "..", "..");
export const TOKENS: Record<string, string> = {
  ipassSmartConnectToken: "ipass-token-5e1a",
  ironwifiScimToken: `scim_${"ab12".repeat(16)}`,
  jumpcloudApiKey: "jc-api-key-77f0",
  airstackSecretToken: "airstack-token-9c3d",
  spaceiqScimToken: "spaceiq-token-41b8",
};

/** The `config:` block of a stack file, as the engine hands it to a program (objects as JSON text). */
export function stackFileConfig(stack: string, override?: (config: Record<string, unknown>) => void): Record<string, string> {
  const raw = parse(readFileSync(join(root, "stacks", `Pulumi.${stack}.yaml`), "utf8")).config as Record<string, unknown>;
  override?.(raw);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) out[k] = typeof v === "string" ? v : JSON.stringify(v);
  for (const [k, v] of Object.entries(TOKENS)) out[`scimops:${k}`] = v;
  return out;
}

export async function runProgram(stack: string, override?: (config: Record<string, unknown>) => void) {
  const pulumi: typeof pulumiType = require("@pulumi/pulumi");
  const registered: Registered[] = [];
  const pending: Promise<void>[] = [];
  pulumi.runtime.setAllConfig(stackFileConfig(stack, override), Object.keys(TOKENS).map((k) => `scimops:${k}`));
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const id = `${args.name}-id`;
        const state: Record<string, unknown> = { ...args.inputs };
        // Our Graph-backed resources' outputs in the shapes their providers return (tested against the emulator).
        if (args.type === "pulumi-nodejs:dynamic/scimops:EnterpriseApp") {
          const servicePrincipalId = String(args.inputs.adoptServicePrincipalId ?? `sp-${args.name}`);
          return { id: servicePrincipalId, state: { ...state, servicePrincipalId, applicationObjectId: `app-${args.name}`, adopted: args.inputs.adoptServicePrincipalId !== undefined } };
        }
        if (args.type === "pulumi-nodejs:dynamic/scimops:SynchronizationJob") {
          const jobId = String(args.inputs.adoptJobId ?? `${String(args.inputs.templateId ?? "galleryTemplate")}.job.${args.name}`);
          return { id: jobId, state: { ...state, jobId, effectiveTemplateId: args.inputs.templateId ?? "galleryTemplate" } };
        }
        if (args.type === "pulumi-nodejs:dynamic/scimops:SynchronizationSchema") Object.assign(state, { effectiveRuleId: "rule-1" });
        return { id, state };
      },
      call(args) {
        switch (args.token) {
          case "azuread:index/getApplicationTemplate:getApplicationTemplate":
            return { templateId: `tmpl-${String(args.inputs.displayName)}`, displayName: args.inputs.displayName };
          case "azuread:index/getServicePrincipal:getServicePrincipal":
            return { appRoles: [{ displayName: "User", id: "18d14569-c3bd-439b-9a66-3a2aee01d14f", value: "", enabled: true, allowedMemberTypes: ["User"], description: "User" }] };
          case "azuread:index/getGroup:getGroup":
            return { objectId: `group-${String(args.inputs.displayName)}`, displayName: args.inputs.displayName };
          case "azuread:index/getUser:getUser":
            return { objectId: `user-${String(args.inputs.userPrincipalName)}` };
          case "okta:group/getGroup:getGroup":
            return { id: `okta-group-${String(args.inputs.name)}`, name: args.inputs.name };
          case "okta:user/getUserProfileMappingSource:getUserProfileMappingSource":
            return { id: "okta-user-source", name: "user", type: "user" };
          default:
            throw new Error(`unexpected invoke ${args.token}`);
        }
      },
    },
    "scimops",
    stack,
    false,
  );
  const { runInPulumiStack } = require("@pulumi/pulumi/runtime/stack") as { runInPulumiStack: (init: () => Promise<unknown>) => Promise<unknown> };
  // Imported after setMocks, as Pulumi requires (a dynamic import so vitest compiles it).
  const program = await import("../../src/program");
  let outputs: unknown;
  // Stack transforms need the root stack resource, which only runInPulumiStack creates under mocks.
  await runInPulumiStack(async () => {
  pulumi.runtime.registerStackTransformation((args) => {
    const entry: Registered = {
      type: args.type,
      name: args.name,
      inputs: {},
      parent: args.opts.parent ? (args.opts.parent as unknown as { __name?: string }).__name : undefined,
      retainOnDelete: args.opts.retainOnDelete,
      protect: args.opts.protect,
      secretInputs: [],
    };
    registered.push(entry);
    for (const [key, value] of Object.entries(args.props ?? {})) {
      pending.push(
        (async () => {
          entry.inputs[key] = await unwrap(pulumi, value);
          if (pulumi.Output.isInstance(value) && (await pulumi.isSecret(value))) entry.secretInputs.push(key);
        })(),
      );
    }
    return undefined;
  });
    outputs = program.run(root);
    return undefined;
  });
  const resolved = await unwrap(pulumi, outputs);
  await Promise.all(pending);
  return { registered, outputs: resolved as Record<string, any>, pulumi };
}

async function unwrap(pulumi: typeof pulumiType, value: unknown): Promise<unknown> {
  const output: pulumiType.Output<unknown> = pulumi.output(value);
  return new Promise((resolve) => output.apply((v) => void resolve(v)));
}
