/**
 * Reads a stack's secrets in memory, to check their formats before `up`:
 * - a stack whose secrets provider is the passphrase (its file has `encryptionsalt`) is decrypted here with
 *   PULUMI_CONFIG_PASSPHRASE / PULUMI_CONFIG_PASSPHRASE_FILE, exactly as Pulumi's passphrase secrets manager
 *   does it (PBKDF2-SHA256, 1,000,000 iterations, 32-byte key; AES-256-GCM values `v1:<nonce>:<ciphertext+tag>`;
 *   the salt line carries "pulumi" encrypted with the key, which tells a wrong passphrase) — no backend needed;
 * - any other stack through the Pulumi CLI (`pulumi config --show-secrets --json --stack NAME`, one call
 * per stack), which decrypts them with the stack's own secrets provider. The values stay in this process's
 * memory: stdout is parsed, never echoed, and pulumi's stderr (which never holds a value) is kept only for the
 * reason shown when the secrets cannot be read.
 */
import { execFile } from "node:child_process";
import { createDecipheriv, pbkdf2 } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { basename, join } from "node:path";
import type { RevealSecret } from "../spec/check-secrets";
import type { LoadedStack } from "../spec/stack";

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

/** The passphrase Pulumi would use, from the environment. */
export function configPassphrase(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.PULUMI_CONFIG_PASSPHRASE !== undefined) return env.PULUMI_CONFIG_PASSPHRASE;
  if (env.PULUMI_CONFIG_PASSPHRASE_FILE) return readFileSync(env.PULUMI_CONFIG_PASSPHRASE_FILE, "utf8").replace(/\r?\n$/, "");
  return undefined;
}

/** Decrypts `secure:` values of a passphrase-encrypted stack file in memory. */
export function passphraseReveal(stack: LoadedStack, passphrase: string): RevealSecret {
  const raw = (stack.source.toJS() ?? {}) as { encryptionsalt?: unknown; config?: Record<string, unknown> };
  let key: Promise<Buffer | undefined> | undefined;
  const deriveKey = (): Promise<Buffer | undefined> =>
    new Promise((resolve) => {
      const [version, salt, ...check] = String(raw.encryptionsalt ?? "").split(":");
      if (version !== "v1" || !salt) return resolve(undefined);
      pbkdf2(passphrase, Buffer.from(salt, "base64"), 1_000_000, 32, "sha256", (err, derived) => {
        if (err) return resolve(undefined);
        resolve(decrypt(derived, check.join(":")) === "pulumi" ? derived : undefined);
      });
    });
  return async (namespacedKey) => {
    const k = await (key ??= deriveKey());
    if (!k) return { unavailable: "the passphrase does not decrypt this stack's secrets" };
    const entry = raw.config?.[namespacedKey];
    const cipher = entry && typeof entry === "object" && "secure" in entry ? String((entry as { secure: unknown }).secure) : undefined;
    if (cipher === undefined) return { value: undefined };
    const value = decrypt(k, cipher);
    return value === undefined ? { unavailable: `\`${namespacedKey}\` is not a value this stack's passphrase encrypted` } : { value };
  };
}

function decrypt(key: Buffer, text: string): string | undefined {
  const [version, nonce, data] = text.split(":");
  if (version !== "v1" || !nonce || !data) return undefined;
  try {
    const bytes = Buffer.from(data, "base64");
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(nonce, "base64"));
    decipher.setAuthTag(bytes.subarray(bytes.length - 16));
    return Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - 16)), decipher.final()]).toString("utf8");
  } catch {
    return undefined;
  }
}

/** The Pulumi CLI: on PATH, else the copy scripts/ensure-pulumi.sh builds. */
export function pulumiCommand(env: NodeJS.ProcessEnv = process.env): string {
  const cached = join(env.SCIMOPS_PULUMI_CACHE ?? join(homedir(), ".cache", "scimops-pulumi"), "v3.259.0", "bin", "pulumi");
  const onPath = (env.PATH ?? "").split(":").some((dir) => dir && existsSync(join(dir, "pulumi")));
  return onPath || !existsSync(cached) ? "pulumi" : cached;
}

/** How validate and `up` read a stack's secrets: in memory with the passphrase when the stack uses one, else the CLI. */
export function stackSecretReveal(stack: LoadedStack, cwd: string, env: NodeJS.ProcessEnv = process.env): RevealSecret {
  const raw = (stack.source.toJS() ?? {}) as { encryptionsalt?: unknown };
  const passphrase = configPassphrase(env);
  if (typeof raw.encryptionsalt === "string") {
    return passphrase === undefined ? async () => ({ unavailable: "no passphrase is available (PULUMI_CONFIG_PASSPHRASE is not set)" }) : passphraseReveal(stack, passphrase);
  }
  return pulumiReveal({ cwd, stackFile: stack.file, env, pulumi: pulumiCommand(env) });
}

/**
 * Every `secure:` value of the stack file, decrypted in memory (as for the format checks), plus the
 * credentials the program reads from the environment: what a verbose Pulumi log must not show.
 * Values that cannot be decrypted are missing (Pulumi cannot decrypt them either, so cannot log them).
 */
export async function knownSecrets(stack: LoadedStack | undefined, cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  const out = ["SCIMOPS_GRAPH_ACCESS_TOKEN", "AZURE_CLIENT_SECRET", "OKTA_API_TOKEN", "PULUMI_CONFIG_PASSPHRASE"].map((name) => env[name]).filter((v): v is string => !!v);
  if (!stack) return out;
  const config = ((stack.source.toJS() ?? {}) as { config?: Record<string, unknown> }).config ?? {};
  const reveal = stackSecretReveal(stack, cwd, env);
  for (const [key, entry] of Object.entries(config)) {
    if (!entry || typeof entry !== "object" || !("secure" in entry)) continue;
    const revealed = await reveal(key);
    if ("value" in revealed && revealed.value) out.push(revealed.value);
  }
  return out;
}
