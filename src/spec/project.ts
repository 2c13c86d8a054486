/** Finding and loading the project's app files and stack files. */
import { existsSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
export { projectRoot } from "./root";
import type { Diagnostic } from "./diagnostics";
import { checkApp } from "./check";
import { loadAppFile, type LoadedApp } from "./load";
import { checkStack } from "./check-stack";
import { loadStackFile, type LoadedStack } from "./stack";

export function listAppFiles(root: string, dir = "mappings"): string[] {
  const folder = join(root, dir);
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => join(folder, f));
}

export function listStackFiles(root: string): string[] {
  const folder = join(root, "stacks");
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((f) => /^Pulumi\..+\.ya?ml$/.test(f))
    .sort()
    .map((f) => join(folder, f));
}

export interface ProjectLoad {
  apps: Map<string, LoadedApp>;
  stacks: LoadedStack[];
  diagnostics: Diagnostic[];
}

/** Loads and checks app files, then stack files against the apps (all of `mappings/` when a stack is checked). */
export function loadProject(appFiles: readonly string[], stackFiles: readonly string[], allAppFiles: readonly string[] = appFiles): ProjectLoad {
  const diagnostics: Diagnostic[] = [];
  const apps = new Map<string, LoadedApp>();
  const wanted = new Set(appFiles.map((f) => resolve(f)));
  for (const file of new Set([...appFiles, ...(stackFiles.length ? allAppFiles : [])].map((f) => resolve(f)))) {
    const result = loadAppFile(file);
    const report = wanted.has(file);
    if (report) diagnostics.push(...result.diagnostics);
    if (!result.ok) continue;
    const problems = checkApp(result.app);
    if (report) diagnostics.push(...problems);
    if (!problems.some((d) => d.severity === "error")) apps.set(result.app.spec.name, result.app);
  }
  const stacks: LoadedStack[] = [];
  for (const file of stackFiles) {
    const result = loadStackFile(file);
    diagnostics.push(...result.diagnostics);
    if (!result.ok) continue;
    diagnostics.push(...checkStack(result.stack, apps));
    stacks.push(result.stack);
  }
  return { apps, stacks, diagnostics };
}
