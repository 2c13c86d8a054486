/** The e2e suite's globalSetup: the Pulumi CLI build's progress streams out while it runs, and its failure stops the suite. */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ensurePulumi } from "../e2e/global-setup";

const dir = mkdtempSync(join(tmpdir(), "scimops-setup-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("ensurePulumi (vitest globalSetup)", () => {
  it("streams the script's progress while it runs and returns the directory it prints last", async () => {
    // The fake build waits until its first progress line has been seen: if progress only came out at the
    // end, it would never finish (and this test would time out).
    const seen = join(dir, "seen");
    const script = join(dir, "slow-build.sh");
    writeFileSync(script, `echo "ensure-pulumi: building pulumi..." >&2\nwhile [ ! -e ${JSON.stringify(seen)} ]; do sleep 0.1; done\necho "ensure-pulumi: build finished" >&2\necho /some/other/line\necho /cache/v3.259.0/bin\n`);
    const lines: string[] = [];
    const bin = await ensurePulumi(script, (line) => {
      lines.push(line);
      if (!existsSync(seen)) writeFileSync(seen, "");
    });
    expect(bin).toBe("/cache/v3.259.0/bin");
    expect(lines).toEqual(["ensure-pulumi: building pulumi...", "ensure-pulumi: build finished"]);
  });

  it("fails with the script's exit status when the build fails", async () => {
    const script = join(dir, "failing-build.sh");
    writeFileSync(script, `echo "ensure-pulumi: error: no Go toolchain" >&2\nexit 1\n`);
    const lines: string[] = [];
    await expect(ensurePulumi(script, (l) => void lines.push(l))).rejects.toThrow(/exited with status 1/);
    expect(lines).toEqual(["ensure-pulumi: error: no Go toolchain"]);
  });
});
