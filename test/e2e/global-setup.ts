/**
 * vitest globalSetup of the e2e suite: makes the Pulumi CLI available before any test file starts.
 *
 * It runs in vitest's main process, asynchronously, so a first (empty-cache) Go build of 6–15 minutes
 * streams its progress to the console while vitest stays responsive; test workers never build, they
 * read the directory through test/e2e/pulumi-bin.ts.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import type { TestProject } from "vitest/node";

const root = join(__dirname, "..", "..");

/** Runs scripts/ensure-pulumi.sh (or $SCIMOPS_ENSURE_PULUMI, for tests of this setup) and returns the bin directory it prints last. */
export function ensurePulumi(script = process.env.SCIMOPS_ENSURE_PULUMI ?? join(root, "scripts", "ensure-pulumi.sh"), log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", [script], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let pending = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => {
      const lines = (pending + chunk.toString("utf8")).split("\n");
      pending = lines.pop()!;
      for (const line of lines) log(line);
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (pending) log(pending);
      const dir = stdout.trim().split("\n").pop();
      if (code === 0 && dir) resolve(dir);
      else reject(new Error(`${script} exited with status ${code}; its messages are above`));
    });
  });
}

export default async function setup(project: TestProject): Promise<void> {
  const started = Date.now();
  const dir = await ensurePulumi();
  process.stderr.write(`e2e: Pulumi CLI ready in ${dir} (${Math.round((Date.now() - started) / 1000)}s)\n`);
  project.provide("pulumiBin", dir);
}
