/**
 * Reads a stack's secrets through the Pulumi CLI (`pulumi config --show-secrets --json --stack NAME`, one call
 * per stack), which decrypts them with the stack's own secrets provider. The values stay in this process's
 * memory: stdout is parsed, never echoed, and pulumi's stderr (which never holds a value) is kept only for the
 * reason shown when the secrets cannot be read.
 */
import { execFile } from "node:child_process";
import { basename } from "node:path";
import type { RevealSecret } from "../spec/check-secrets";

export interface PulumiRevealOptions {
  /** The project folder (where Pulumi.yaml is). */
  cwd: string;
  /** The stack file, e.g. stacks/Pulumi.dev.yaml; the stack name is taken from it. */
  stackFile: string;
  env?: NodeJS.ProcessEnv;
  pulumi?: string;
}

export function stackNameOf(stackFile: string): string {
  return basename(stackFile).replace(/^Pulumi\./, "").replace(/\.ya?ml$/, "");
}

type StackConfig = { values: Map<string, string> } | { unavailable: string };

/** A RevealSecret backed by the Pulumi CLI; unavailable without a passphrase for passphrase-encrypted stacks. */
export function pulumiReveal(options: PulumiRevealOptions): RevealSecret {
  const env = options.env ?? process.env;
  let config: Promise<StackConfig> | undefined;
  const read = (): Promise<StackConfig> =>
    new Promise((resolve) => {
      execFile(
        options.pulumi ?? "pulumi",
        ["config", "--show-secrets", "--json", "--stack", stackNameOf(options.stackFile), "--non-interactive"],
        { cwd: options.cwd, env: { ...env, PULUMI_SKIP_UPDATE_CHECK: "true" }, encoding: "utf8", maxBuffer: 16 << 20, timeout: 120_000 },
        (err, stdout, stderr) => {
          if (err) {
            if ((err as NodeJS.ErrnoException).code === "ENOENT") return resolve({ unavailable: "the Pulumi CLI is not on PATH" });
            const reason = (stderr || err.message).split("\n").map((l) => l.trim()).find((l) => l && !/^Usage:/.test(l)) ?? "pulumi failed";
            const noPassphrase = !env.PULUMI_CONFIG_PASSPHRASE && !env.PULUMI_CONFIG_PASSPHRASE_FILE && /passphrase/i.test(reason);
            return resolve({ unavailable: noPassphrase ? "no passphrase is available (PULUMI_CONFIG_PASSPHRASE is not set)" : `pulumi config failed (${reason.replace(/^error: /, "")})` });
          }
          const values = new Map<string, string>();
          for (const [key, entry] of Object.entries(JSON.parse(stdout || "{}") as Record<string, { value?: unknown }>)) {
            if (typeof entry?.value === "string") values.set(key, entry.value);
          }
          resolve({ values });
        },
      );
    });
  return async (key) => {
    const c = await (config ??= read());
    return "unavailable" in c ? c : { value: c.values.get(key) };
  };
}
