/**
 * What the policies know about the stack being deployed beyond the resources themselves: whether it is a
 * production stack, its acknowledgements, and the assignments and deletion setting its files declare. Read
 * from the same files the engine reads (Pulumi.yaml's stackConfigDir, the stack file, mappings/).
 */
import { existsSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { parse } from "yaml";
import { loadAppFile } from "../src/spec/load";
import { loadStackFile } from "../src/spec/stack";
import type { Position } from "../src/spec/yaml-source";

/** Config namespace of the keys this pack reads from a stack file (outside `scimops:`, which the program owns). */
export const POLICY_NAMESPACE = "scimops-policy";
/** Stacks with this name are production unless their file sets `scimops-policy:production: false`. */
export const DEFAULT_PRODUCTION_STACK = "prod";
/** The refused role every app has unless its file lists others (src/spec/schema.ts `roles.refused`). */
export const DEFAULT_REFUSED_ROLES = ["Default Access"];

export interface Located {
  /** `FILE:LINE:COL`, relative to the project. */
  at: string;
}

export interface DeclaredAssignment extends Located {
  app: string;
  who: string;
  role: string;
  refusedRoles: readonly string[];
  assignableRoles: readonly string[];
}

export interface StackContext {
  stack: string;
  production: boolean;
  /** `stacks/Pulumi.<stack>.yaml`, relative to the project. */
  stackFile: string;
  /** App display name (the resources' `appName`) → app name (`mappings/<name>.yaml`). */
  appsByDisplayName: ReadonlyMap<string, string>;
  /** App name → acknowledged users-mapping matching attribute, `<source> → <target>`. */
  acknowledgedMatching: ReadonlyMap<string, string>;
  assignments: readonly DeclaredAssignment[];
  /** Where the stack sets `scimops:allowDeletion: true`, if it does. */
  allowDeletion?: Located;
  /** Problems reading the files (reported by the policies that need them). */
  problems: readonly string[];
}

const at = (root: string, file: string, pos: Position) => `${relative(root, file) || file}:${pos.line}:${pos.column}`;

/** The stack name in a URN: `urn:pulumi:<stack>::<project>::<type>::<name>`. */
export function stackOfUrn(urn: string): string {
  return urn.split("::")[0]!.replace(/^urn:pulumi:/, "");
}

function stackConfigDir(root: string): string {
  const projectFile = join(root, "Pulumi.yaml");
  if (!existsSync(projectFile)) return root;
  const project = parse(readFileSync(projectFile, "utf8")) as { stackConfigDir?: string } | null;
  return resolve(root, project?.stackConfigDir ?? ".");
}

/** Reads the stack's context from the project at `root` (the engine runs the pack with the project as cwd). */
export function loadStackContext(root: string, stack: string): StackContext {
  const stackFile = join(stackConfigDir(root), `Pulumi.${stack}.yaml`);
  const ctx: StackContext = {
    stack,
    production: stack === DEFAULT_PRODUCTION_STACK,
    stackFile: relative(root, stackFile),
    appsByDisplayName: new Map(),
    acknowledgedMatching: new Map(),
    assignments: [],
    problems: [],
  };
  if (!existsSync(stackFile)) return { ...ctx, problems: [`${ctx.stackFile} not found (the policies read it for acknowledgements and assignments)`] };
  // The pack's own keys first, so a stack file the loader rejects still counts as production if it says so.
  const config = ((parse(readFileSync(stackFile, "utf8")) ?? {}) as { config?: Record<string, unknown> }).config ?? {};
  const production = config[`${POLICY_NAMESPACE}:production`];
  const acknowledged = config[`${POLICY_NAMESPACE}:matchingAttributes`];
  const base = {
    ...ctx,
    production: production === true || production === "true" ? true : production === false || production === "false" ? false : ctx.production,
    acknowledgedMatching: new Map(acknowledged && typeof acknowledged === "object" ? Object.entries(acknowledged as Record<string, unknown>).map(([k, v]) => [k, String(v)]) : []),
  };
  const loaded = loadStackFile(stackFile);
  if (!loaded.ok) return { ...base, problems: [`${ctx.stackFile} is invalid — run \`scimops validate ${ctx.stackFile}\``] };
  const { settings, source } = loaded.stack;
  const problems: string[] = [];
  const appsByDisplayName = new Map<string, string>();
  const assignments: DeclaredAssignment[] = [];
  settings.apps.forEach((entry, i) => {
    const file = resolve(root, settings.mappingsDir, `${entry.name}.yaml`);
    const app = loadAppFile(file);
    if (!app.ok) {
      problems.push(`${relative(root, file)} is invalid — run \`scimops validate\``);
      return;
    }
    const { spec } = app.app;
    appsByDisplayName.set(spec.displayName, entry.name);
    if (!spec.entra || !entry.idps.includes("entra")) return;
    const refusedRoles = spec.entra.roles?.refused ?? DEFAULT_REFUSED_ROLES;
    const assignableRoles = spec.entra.roles?.assignable ?? ["User"];
    // The stack's list replaces the file's (src/spec/stack.ts StackApp.assignments).
    const fromStack = entry.assignments !== undefined;
    const list = entry.assignments ?? spec.entra.assignments;
    list.forEach((a, j) => {
      const path = fromStack ? ["config", "scimops:apps", i, "assignments", j, "role"] : ["entra", "assignments", j, "role"];
      const where = fromStack ? at(root, stackFile, source.locate(path)) : at(root, file, app.app.source.locate(path));
      assignments.push({ app: entry.name, who: "group" in a ? `group ${a.group}` : `user ${a.user}`, role: a.role, refusedRoles, assignableRoles, at: where });
    });
  });
  return {
    ...base,
    appsByDisplayName,
    assignments,
    ...(settings.allowDeletion ? { allowDeletion: { at: at(root, stackFile, source.locate(["config", "scimops:allowDeletion"])) } } : {}),
    problems,
  };
}
