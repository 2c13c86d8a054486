/**
 * Runs the Pulumi program under mocks for one stack file and records every registered resource, with
 * its parent and options (through a stack transform, which sees what mocks do not).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import type * as pulumiType from "@pulumi/pulumi";
import { fixtureOrg, OktaOrgMock } from "./okta-mock";

export interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  parent?: string;
  retainOnDelete?: boolean;
  protect?: boolean;
  secretInputs: string[];
  /** Okta resources: the explicit provider's name, dependsOn names and replaceOnChanges. */
  provider?: string;
  dependsOn: string[];
  replaceOnChanges?: string[];
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

/** The fixture Okta org, at the host the stack file's `scimops:oktaOrg` names. */
function stackOktaOrg(stack: string): OktaOrgMock {
  const host = parse(readFileSync(join(root, "stacks", `Pulumi.${stack}.yaml`), "utf8")).config["scimops:oktaOrg"] as string | undefined;
  return new OktaOrgMock(fixtureOrg(host ? { host } : {}));
}

export async function runProgram(stack: string, override?: (config: Record<string, unknown>) => void, okta: OktaOrgMock = stackOktaOrg(stack)) {
  const pulumi: typeof pulumiType = require("@pulumi/pulumi");
  const registered: Registered[] = [];
  const pending: Promise<void>[] = [];
  pulumi.runtime.setAllConfig(stackFileConfig(stack, override), Object.keys(TOKENS).map((k) => `scimops:${k}`));
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const fromOkta = okta.newResource(args);
        if (fromOkta) return fromOkta;
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
        const fromOkta = okta.call(args);
        if (fromOkta) return fromOkta;
        // The Entra part makes its own Graph calls: any other invoke is a program the mocks do not know.
        throw new Error(`unexpected invoke ${args.token}`);
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
  // A program fails the way Pulumi's language host fails it: by an unhandled rejection (an apply that throws,
  // a resource the provider refuses). Such a run rejects here instead of hanging on outputs that never resolve.
  const failures = programFailures();
  try {
  // Stack transforms need the root stack resource, which only runInPulumiStack creates under mocks.
  await failures.race(runInPulumiStack(async () => {
  pulumi.runtime.registerStackTransformation((args) => {
    const entry: Registered = {
      type: args.type,
      name: args.name,
      inputs: {},
      parent: args.opts.parent ? (args.opts.parent as unknown as { __name?: string }).__name : undefined,
      retainOnDelete: args.opts.retainOnDelete,
      protect: args.opts.protect,
      secretInputs: [],
      provider: (args.opts.provider as unknown as { __name?: string } | undefined)?.__name,
      dependsOn: ([] as unknown[]).concat(args.opts.dependsOn ?? []).map((d) => (d as { __name?: string }).__name ?? "?"),
      replaceOnChanges: args.opts.replaceOnChanges,
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
  }));
  const resolved = await failures.race(unwrap(pulumi, outputs));
  await failures.race(Promise.all(pending));
  await failures.settle();
  return { registered, outputs: resolved as Record<string, any>, pulumi, okta };
  } catch (err) {
    await failures.settle();
    throw failures.all() ?? err;
  }
}

/** Collects the program's unhandled rejections (as Pulumi's run.ts does) while one run is in flight. */
function programFailures() {
  const saved = process.listeners("unhandledRejection");
  process.removeAllListeners("unhandledRejection");
  let fail: (reason: unknown) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => (fail = reject));
  failed.catch(() => undefined);
  const reasons: unknown[] = [];
  const listener = (reason: unknown) => {
    reasons.push(reason);
    fail(reason);
  };
  process.on("unhandledRejection", listener);
  const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs: () => Promise<void> };
  return {
    race: <T>(p: Promise<T>): Promise<T> => Promise.race([p, failed]),
    /** Every distinct failure message of the run in one error (the first is often a wrapper of a later one). */
    all(): Error | undefined {
      if (!reasons.length) return undefined;
      const messages = [...new Set(reasons.map((r) => (r instanceof Error ? r.message : String(r))))];
      return new Error(messages.join("\n"));
    },
    /** Lets the run's remaining registrations finish (and fail) before the test's own handlers come back. */
    async settle() {
      await settings.waitForRPCs().catch(() => undefined);
      await new Promise((r) => setImmediate(r));
      process.removeListener("unhandledRejection", listener);
      for (const l of saved) process.on("unhandledRejection", l);
    },
  };
}

async function unwrap(pulumi: typeof pulumiType, value: unknown): Promise<unknown> {
  const output: pulumiType.Output<unknown> = pulumi.output(value);
  return new Promise((resolve) => output.apply((v) => void resolve(v)));
}
