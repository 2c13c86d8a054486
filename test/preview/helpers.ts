import { readFileSync } from "node:fs";
import { join } from "node:path";
import { AppPreviewer, loadPreviewProject, type PreviewOptions, type SampleUser } from "../../src/preview";
import { compileApp } from "../../src/plan/compile";
import type { AppPlan } from "../../src/plan/types";
import { loadAppFile } from "../../src/spec/load";
import { loadStackFile } from "../../src/spec/stack";
import type { AppSpec } from "../../src/spec/schema";

export const root = join(__dirname, "..", "..");
export const usersPath = join(root, "examples", "users.json");
export const APPS = ["airstack", "ipass-smartconnect", "ironwifi", "jumpcloud", "spaceiq"] as const;

export function sampleUsers(): SampleUser[] {
  return JSON.parse(readFileSync(usersPath, "utf8")) as SampleUser[];
}

export function user(upnPrefix: string): SampleUser {
  const u = sampleUsers().find((x) => x.userPrincipalName.startsWith(upnPrefix));
  if (!u) throw new Error(`no sample user ${upnPrefix}`);
  return u;
}

const devConfig = () => loadPreviewProject(root).config;

/** The app compiled for the dev stack, optionally with its spec changed first. */
export function plan(name: string, mutate?: (spec: AppSpec) => void): AppPlan {
  const loaded = loadAppFile(join(root, "mappings", `${name}.yaml`));
  if (!loaded.ok) throw new Error(`cannot load ${name}`);
  const spec = structuredClone(loaded.app.spec);
  mutate?.(spec);
  const stack = loadStackFile(join(root, "stacks", "Pulumi.dev.yaml"));
  if (!stack.ok) throw new Error("cannot load the dev stack");
  return compileApp({ ...loaded.app, spec }, { cloud: stack.stack.settings.cloud, stackApp: stack.stack.settings.apps.find((a) => a.name === name) });
}

export function previewer(name: string, options: PreviewOptions & { mutate?: (spec: AppSpec) => void } = {}): AppPreviewer {
  const { mutate, ...rest } = options;
  return new AppPreviewer(plan(name, mutate), { config: devConfig(), ...rest });
}

export function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: (s: string) => void out.push(s), stderr: (s: string) => void err.push(s) }, out, err, text: () => out.join("\n"), errText: () => err.join("\n") };
}
