/**
 * scimops' CrossGuard policy pack (PulumiPolicy.yaml). The engine runs it from this folder; the project
 * whose stack and mapping files the policies read is this folder's parent, or SCIMOPS_PROJECT_DIR.
 */
import { resolve } from "node:path";
import { PolicyPack } from "@pulumi/policy";
import { createPolicies } from "./policies";
import { loadStackContext, type StackContext } from "./stack-context";

const projectDir = resolve(process.env.SCIMOPS_PROJECT_DIR || resolve(__dirname, ".."));
const contexts = new Map<string, StackContext>();
const contextFor = (stack: string): StackContext => {
  let ctx = contexts.get(stack);
  if (!ctx) contexts.set(stack, (ctx = loadStackContext(projectDir, stack)));
  return ctx;
};

new PolicyPack("scimops-guardrails", { policies: createPolicies(contextFor) });
