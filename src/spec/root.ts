import { existsSync } from "node:fs";
import { join, resolve } from "node:path";

/** The repository root: where Pulumi.yaml is (the CLI may run from a subfolder). */
export function projectRoot(from = process.cwd()): string {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, "Pulumi.yaml")) && existsSync(join(dir, "mappings"))) return dir;
    const parent = resolve(dir, "..");
    if (parent === dir) return resolve(from);
    dir = parent;
  }
}
