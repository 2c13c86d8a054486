/** A git revision's app and stack files, written out to a temporary folder so they load like the working tree. */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

export class RevisionError extends Error {}

/** The folders of the project a diff compares (everything else in the revision is not read). */
const PROJECT_FOLDERS = ["mappings", "stacks"];

export interface RevisionTree {
  root: string;
  dispose: () => void;
}

export function writeRevision(projectRoot: string, rev: string): RevisionTree {
  const git = (...args: string[]) => execFileSync("git", args, { cwd: projectRoot, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 256 * 1024 * 1024 });
  try {
    git("rev-parse", "--verify", "--quiet", `${rev}^{commit}`);
  } catch {
    throw new RevisionError(`unknown revision \`${rev}\` (give --base a branch, tag or commit)`);
  }
  const root = mkdtempSync(join(tmpdir(), "scimops-base-"));
  try {
    // Paths relative to the project root, which may sit below the repository's top level.
    const files = git("ls-tree", "-r", "--name-only", rev, "--", ...PROJECT_FOLDERS).split("\n").filter(Boolean);
    for (const file of files) {
      const target = join(root, file);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, git("show", `${rev}:./${file}`));
    }
  } catch (err) {
    rmSync(root, { recursive: true, force: true });
    throw new RevisionError(`cannot read \`${rev}\`: ${(err as Error).message.split("\n")[0]}`);
  }
  return { root, dispose: () => rmSync(root, { recursive: true, force: true }) };
}
