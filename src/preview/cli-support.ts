/** Shared pieces of the preview / simulate / check commands: arguments, users, tokens, masked output. */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";
import type { CliIO } from "../cli/io";
import { hasCredentials } from "../catalog/tenant-url";
import { maskSecrets } from "./http";
import { readUsersFile } from "./json-stream";

export const DEFAULT_USERS_FILE = join("examples", "users.json");
export const DEFAULT_TOKEN_ENV = "SCIMOPS_TOKEN";

export class UsageError extends Error {}

export function parseCommandArgs<T extends NonNullable<ParseArgsConfig["options"]>>(args: readonly string[], options: T, usage: string) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: false, strict: true }).values;
  } catch (err) {
    throw new UsageError(`${(err as Error).message.replace(/\. To specify.*$/s, "")}\nusage: ${usage}`);
  }
}

/** The users file to read: `--users FILE` (relative to the working directory) or the bundled sample. */
export function usersFile(root: string, given: string | undefined): string {
  const file = given === undefined ? join(root, DEFAULT_USERS_FILE) : resolve(given);
  if (!existsSync(file)) throw new UsageError(`users file not found: ${given ?? file}`);
  return file;
}

/** The users of `file`, re-read on each call; errors name the file as `label` (as the user gave it). */
export function userSourceFor(file: string, label = file): () => AsyncIterable<unknown> {
  return () => readUsersFile(file, label);
}

/** The token from `--token-env VAR` (default SCIMOPS_TOKEN); undefined when unset or empty. */
export function tokenFrom(varName: string | undefined, tokenPattern?: string): { token?: string; tokenVar: string } {
  const tokenVar = varName ?? DEFAULT_TOKEN_ENV;
  const notAName = "--token-env takes the name of an environment variable that holds the token, not the token itself (the value given is not shown)";
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(tokenVar)) throw new UsageError(notAName);
  const token = process.env[tokenVar];
  if (token === undefined && varName !== undefined) {
    // An unset name is shown back only when it has a variable name's shape (UPPER_SNAKE_CASE, no long
    // run of digits): a 40-character hex API key is a valid name too, and must not be echoed.
    let looksLikeToken = varName.length > 40 || !/^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/.test(varName) || /\d{5}/.test(varName);
    try {
      if (tokenPattern && tokenPattern !== "^\\S+$" && new RegExp(tokenPattern).test(varName)) looksLikeToken = true;
    } catch {
      /* an invalid pattern is reported by validate */
    }
    if (looksLikeToken) throw new UsageError(notAName);
  }
  return { token: token === "" ? undefined : token, tokenVar };
}

/** An IO that masks the secret in everything written. */
export function maskingIO(io: CliIO, secrets: readonly (string | undefined)[]): CliIO {
  return { stdout: (t) => io.stdout(maskSecrets(t, secrets)), stderr: (t) => io.stderr(maskSecrets(t, secrets)) };
}

/** `--target URL`, refused (without being shown) when it is not a URL or carries credentials. */
export function targetUrl(given: string | undefined): string | undefined {
  if (given === undefined) return undefined;
  try {
    new URL(given);
  } catch {
    throw new UsageError("--target must be a URL (the SCIM base, e.g. http://127.0.0.1:8080/scim/v2)");
  }
  if (hasCredentials(given)) throw new UsageError("--target carries credentials (`user:password@` before the host; the URL is not shown): remove them and put the token in the variable --token-env names");
  return given;
}
