/**
 * What the preview commands need from the project: the apps' Plans compiled for one stack (its tenant-URL
 * parameters and assignments) and the stack's plain config values the app files reference.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { compileApp } from "../plan/compile";
import type { AppPlan } from "../plan/types";
import { formatDiagnostic, type Diagnostic } from "../spec/diagnostics";
import { listAppFiles, loadProject } from "../spec/project";
import type { LoadedApp } from "../spec/load";

export const DEFAULT_STACK = "dev";

export interface PreviewProject {
  plans: AppPlan[];
  /** Plain `scimops:` values of the stack (secrets are never read). */
  config: Record<string, string>;
  stackFile?: string;
  diagnostics: Diagnostic[];
  /** Compiles another version of an app file with this stack's choices (e.g. a pull request's base). */
  compile: (app: LoadedApp) => AppPlan;
}

export class ProjectError extends Error {}

/**
 * Loads the apps (all, or `appNames`) compiled for `stack` (default dev). An unknown app name is an
 * error; apps whose files have errors are left out and their diagnostics returned.
 */
export function loadPreviewProject(root: string, options: { apps?: readonly string[]; stack?: string } = {}): PreviewProject {
  const stackName = options.stack ?? DEFAULT_STACK;
  const stackFile = join(root, "stacks", `Pulumi.${stackName}.yaml`);
  const hasStack = existsSync(stackFile);
  if (options.stack !== undefined && !hasStack) throw new ProjectError(`stack \`${stackName}\` not found (${stackFile})`);
  const appFiles = listAppFiles(root);
  const { apps, stacks, diagnostics } = loadProject(appFiles, hasStack ? [stackFile] : [], appFiles);
  const stack = stacks[0];
  const wanted = options.apps?.length ? [...options.apps] : [...apps.keys()].sort();
  const known = new Set(appFiles.map((f) => f.replace(/^.*\//, "").replace(/\.ya?ml$/, "")));
  for (const name of wanted) {
    if (!known.has(name)) throw new ProjectError(`unknown app \`${name}\` (apps: ${[...known].sort().join(", ")})`);
    if (!apps.has(name)) {
      const problems = diagnostics.filter((d) => d.severity === "error" && d.file.endsWith(`/${name}.yaml`));
      throw new ProjectError(`app \`${name}\` has errors; run \`scimops validate\`\n${problems.map(formatDiagnostic).join("\n")}`);
    }
  }
  const compile = (app: LoadedApp) => compileApp(app, { cloud: stack?.settings.cloud, stackApp: stack?.settings.apps.find((a) => a.name === app.spec.name) });
  const plans = wanted.map((name) => compile(apps.get(name)!));
  const config: Record<string, string> = {};
  for (const [key, value] of Object.entries(stack?.values ?? {})) if (typeof value === "string") config[key] = value;
  return { plans, config, stackFile: hasStack ? stackFile : undefined, diagnostics, compile };
}
