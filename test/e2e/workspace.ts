/**
 * What every engine-driving e2e test needs around the Pulumi CLI: an isolated file backend and Pulumi home
 * under the test's own folder, the CLI from global-setup on PATH, and no network (no update check, no
 * plugin downloads). Each test adds its own variables (Graph token, transpile-only, …) on top.
 */
import { mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { pulumiBinDir } from "./pulumi-bin";

const root = join(__dirname, "..", "..");

export function isolatedPulumiEnv(work: string, passphrase: string) {
  const backend = join(work, "backend");
  const home = join(work, "pulumi-home");
  for (const dir of [backend, home]) mkdirSync(dir, { recursive: true });
  return {
    PATH: `${pulumiBinDir()}:${join(root, "node_modules", ".bin")}:${process.env.PATH}`,
    PULUMI_BACKEND_URL: `file://${backend}`,
    PULUMI_CONFIG_PASSPHRASE: passphrase,
    PULUMI_HOME: home,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
  };
}

/** Everything the file backend holds (state, history, backups), as one text to search for secrets. */
export function backendText(work: string): string {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else files.push(readFileSync(p, "utf8"));
    }
  };
  walk(join(work, "backend"));
  return files.join("\n");
}
