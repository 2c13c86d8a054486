/**
 * vitest globalSetup: makes actionlint available before any test worker starts (scripts/ensure-actionlint.sh,
 * which builds it from the Go module proxy once and caches it), in the main process and without blocking it,
 * and hands the binary's path to the workers as SCIMOPS_ACTIONLINT.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";

export const ACTIONLINT_ENV = "SCIMOPS_ACTIONLINT";

export function ensureActionlint(root = join(__dirname, "..", "..")): Promise<string> {
  return new Promise((resolve, reject) => {
    // stderr is the script's progress: shown as it comes.
    const child = spawn("bash", [join(root, "scripts", "ensure-actionlint.sh")], { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => {
      const bin = stdout.trim().split("\n").pop();
      if (code === 0 && bin) resolve(bin);
      else reject(new Error(`scripts/ensure-actionlint.sh exited ${code}: actionlint is not available`));
    });
  });
}

export default async function setup(): Promise<void> {
  if (!process.env[ACTIONLINT_ENV]) process.env[ACTIONLINT_ENV] = await ensureActionlint();
}
