/**
 * One side of a diff: the app files and stack files of a folder (the working tree, or a revision written
 * out by `revision.ts`), loaded and checked the way `validate` does, with one message per mistake: a stack
 * that names an app whose file has errors is not checked (its "no app file" and "unknown setting"
 * messages would only repeat the app file's error); the broken app is absent from it.
 */
import { basename } from "node:path";
import { checkApp } from "../spec/check";
import { checkStack } from "../spec/check-stack";
import type { Diagnostic } from "../spec/diagnostics";
import { loadAppFile, type LoadedApp } from "../spec/load";
import { listAppFiles, listStackFiles } from "../spec/project";
import { loadStackFile, type LoadedStack } from "../spec/stack";

export interface Snapshot {
  root: string;
  apps: Map<string, LoadedApp>;
  /** App names (file names) whose files have errors. */
  brokenApps: Set<string>;
  stacks: Map<string, LoadedStack>;
  /** Stack names whose files have errors. */
  brokenStacks: Set<string>;
  /** Errors and warnings, one per mistake. */
  diagnostics: Diagnostic[];
}

export function loadSnapshot(root: string): Snapshot {
  const snapshot: Snapshot = { root, apps: new Map(), brokenApps: new Set(), stacks: new Map(), brokenStacks: new Set(), diagnostics: [] };
  for (const file of listAppFiles(root)) {
    const name = basename(file).replace(/\.ya?ml$/, "");
    const result = loadAppFile(file);
    snapshot.diagnostics.push(...result.diagnostics);
    const problems = result.ok ? checkApp(result.app) : [];
    snapshot.diagnostics.push(...problems);
    if (result.ok && !problems.some(isError)) snapshot.apps.set(result.app.spec.name, result.app);
    else snapshot.brokenApps.add(name);
  }
  for (const file of listStackFiles(root)) {
    const name = stackName(file);
    const result = loadStackFile(file);
    snapshot.diagnostics.push(...result.diagnostics);
    if (!result.ok) {
      snapshot.brokenStacks.add(name);
      continue;
    }
    const namesBroken = result.stack.settings.apps.some((a) => snapshot.brokenApps.has(a.name));
    const problems = namesBroken ? [] : checkStack(result.stack, snapshot.apps);
    snapshot.diagnostics.push(...problems);
    // Kept when only its apps' files are broken: those apps are absent, the rest of the stack still counts.
    if (problems.some(isError)) snapshot.brokenStacks.add(name);
    else snapshot.stacks.set(name, result.stack);
  }
  return snapshot;
}

/** `stacks/Pulumi.dev.yaml` → `dev`. */
export function stackName(file: string): string {
  return basename(file).replace(/^Pulumi\./, "").replace(/\.ya?ml$/, "");
}

const isError = (d: Diagnostic) => d.severity === "error";
