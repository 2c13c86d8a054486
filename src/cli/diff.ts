/**
 * `scimops diff [--base REV] [--stack ENV]... [--users FILE] [--format markdown|json]`: what a pull
 * request does to provisioning — per stack and app, the settings, assignments and mapping rows that
 * change in Entra, what Entra will do because of them (re-sync, matching, users leaving scope, deletions),
 * and every sample user whose provisioning changes; base revision vs the working tree.
 */
import { parseArgs } from "node:util";
import { buildReport, UnknownStackError } from "../diff/report";
import { renderMarkdown } from "../diff/markdown";
import { RevisionError, writeRevision } from "../diff/revision";
import { loadSnapshot } from "../diff/snapshot";
import { SampleUserError, UserFileError } from "../preview";
import { DEFAULT_USERS_FILE, UsageError, userSourceFor, usersFile } from "../preview/cli-support";
import { projectRoot } from "../spec/root";
import type { CliIO } from "./io";
import { countingUsers, Progress } from "./progress";

export interface DiffOptions {
  /** Base revision (branch, tag or commit). */
  base: string;
  /** Stacks to compare; empty: every stack in stacks/ on either side. */
  stacks: string[];
  /** Sample users file; default examples/users.json. */
  users?: string;
  format: "markdown" | "json";
}

export const DIFF_USAGE = "usage: scimops diff [--base REV] [--stack ENV]... [--users FILE] [--format markdown|json]";

export function parseDiffOptions(args: readonly string[]): { ok: true; options: DiffOptions } | { ok: false; message: string } {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: { base: { type: "string", default: "origin/main" }, stack: { type: "string", multiple: true, default: [] }, users: { type: "string" }, format: { type: "string", default: "markdown" } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    return { ok: false, message: `scimops diff: ${(err as Error).message}\n${DIFF_USAGE}` };
  }
  if (values.format !== "markdown" && values.format !== "json") return { ok: false, message: `scimops diff: --format must be markdown or json\n${DIFF_USAGE}` };
  const stacks = values.stack.flatMap((s) => s.split(",")).map((s) => s.trim()).filter(Boolean);
  return { ok: true, options: { base: values.base, stacks, ...(values.users ? { users: values.users } : {}), format: values.format } };
}

export async function diffCommand(args: string[], io: CliIO): Promise<number> {
  const parsed = parseDiffOptions(args);
  if (!parsed.ok) {
    io.stderr(parsed.message);
    return 2;
  }
  const options = parsed.options;
  const root = projectRoot();
  let file: string;
  try {
    file = usersFile(root, options.users);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr(`scimops: ${err.message}`);
    return 1;
  }
  // The users file is streamed, once per app and side pair (and once more for its first pass): never held.
  const progress = new Progress(io.progress);
  const source = userSourceFor(file, options.users ?? DEFAULT_USERS_FILE);
  const users = io.progress ? countingUsers(source, progress, []) : source;
  let base;
  try {
    base = writeRevision(root, options.base);
  } catch (err) {
    io.stderr(`scimops: ${(err as Error).message}`);
    return 1;
  }
  try {
    // The progress line is cleared before the command's own output (or error).
    const report = await buildReport({ base: loadSnapshot(base.root), head: loadSnapshot(root), baseRevision: options.base, stacks: options.stacks, users }).finally(() => progress.done());
    io.stdout(options.format === "json" ? JSON.stringify(report, null, 2) : renderMarkdown(report));
    return report.ok ? 0 : 1;
  } catch (err) {
    if (!(err instanceof UnknownStackError || err instanceof RevisionError || err instanceof UserFileError || err instanceof SampleUserError)) throw err;
    io.stderr(`scimops: ${err.message}`);
    return 1;
  } finally {
    base.dispose();
  }
}
