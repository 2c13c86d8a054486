/**
 * What every engine-driving e2e test needs around the Pulumi CLI: an isolated file backend and Pulumi home
 * under the test's own folder, the CLI from global-setup on PATH, and no network (no update check, no
 * plugin downloads). Each test adds its own variables (Graph token, transpile-only, …) on top.
 */
import { execFile } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { LocalWorkspace, PulumiCommand, type ConfigMap, type Stack } from "@pulumi/pulumi/automation";
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

/** The stack `stackName` of the project in `workDir`, driven by the CLI from global-setup with `env`. */
export async function openStack(stackName: string, workDir: string, env: Record<string, string>): Promise<Stack> {
  const pulumiCommand = await PulumiCommand.get({ root: dirname(pulumiBinDir()) });
  return LocalWorkspace.createOrSelectStack({ stackName, workDir }, { envVars: env, pulumiHome: env.PULUMI_HOME, pulumiCommand });
}

/** Config of the reduced program (test/e2e/program) adopting one seeded app of the emulator. */
export function reducedProgramConfig(app: { servicePrincipalId: string; jobId: string }, appFile: string, graphBaseUrl: string, secretToken: string): ConfigMap {
  return {
    "e2e:appFile": { value: appFile },
    "e2e:graphBaseUrl": { value: graphBaseUrl },
    "e2e:servicePrincipalId": { value: app.servicePrincipalId },
    "e2e:jobId": { value: app.jobId },
    "e2e:secretToken": { value: secretToken, secret: true },
    "e2e:allowDeletion": { value: "false" },
  };
}

/** After a first type-checked run, the later runs of `stack` transpile only, to keep a suite short. */
export function transpileOnlyFromNow(stack: Stack, env: Record<string, string>): void {
  env.PULUMI_NODEJS_TRANSPILE_ONLY = "true";
  (stack.workspace as LocalWorkspace).envVars.PULUMI_NODEJS_TRANSPILE_ONLY = "true";
}

/**
 * `pulumi ARGS --non-interactive --stack STACK` as CI runs it. Asynchronous: the emulator lives in the test's
 * process and must keep answering.
 */
export function pulumiCli(args: string[], stack: string, cwd: string, env: Record<string, string>): Promise<{ status: number; output: string }> {
  return new Promise((resolve) => {
    execFile("pulumi", [...args, "--non-interactive", "--stack", stack], { cwd, env: { ...process.env, ...env } }, (error, stdout, stderr) => {
      resolve({ status: error ? Number((error as NodeJS.ErrnoException & { code?: number }).code ?? 1) : 0, output: `${stdout}${stderr}` });
    });
  });
}
