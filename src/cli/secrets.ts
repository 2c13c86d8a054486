/**
 * Reads one stack secret through the Pulumi CLI (`pulumi config get KEY --stack NAME`), which decrypts it
 * with the stack's own secrets provider. The value stays in this process's memory: stdout is captured,
 * never echoed, and pulumi's stderr (which never holds the value) is kept only for the reason shown.
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

/** A RevealSecret backed by the Pulumi CLI; unavailable without a passphrase for passphrase-encrypted stacks. */
export function pulumiReveal(options: PulumiRevealOptions): RevealSecret {
  const env = options.env ?? process.env;
  return (key) =>
    new Promise((resolve) => {
      const passphraseProvider = !env.PULUMI_CONFIG_PASSPHRASE && !env.PULUMI_CONFIG_PASSPHRASE_FILE;
      execFile(
        options.pulumi ?? "pulumi",
        ["config", "get", key, "--stack", stackNameOf(options.stackFile), "--non-interactive"],
        { cwd: options.cwd, env: { ...env, PULUMI_SKIP_UPDATE_CHECK: "true" }, encoding: "utf8", maxBuffer: 1 << 20, timeout: 60_000 },
        (err, stdout, stderr) => {
          if (!err) return resolve({ value: stdout.replace(/\r?\n$/, "") });
          const reason = (stderr || err.message).split("\n").map((l) => l.trim()).find((l) => l && !/^Usage:/.test(l)) ?? "pulumi failed";
          if (/not found|no value|configuration key .* not found/i.test(reason)) return resolve({ value: undefined });
          if ((err as NodeJS.ErrnoException).code === "ENOENT") return resolve({ unavailable: "the Pulumi CLI is not on PATH" });
          resolve({ unavailable: passphraseProvider && /passphrase/i.test(reason) ? "no passphrase is available (PULUMI_CONFIG_PASSPHRASE is not set)" : `pulumi config get failed (${reason.replace(/^error: /, "")})` });
        },
      );
    });
}
