import { describe, expect, it } from "vitest";
import { countingUsers, Progress } from "../../src/cli/progress";
import { previewCommand } from "../../src/cli/preview";

describe("the progress line", () => {
  it("redraws at most once per interval and is cleared at the end", async () => {
    let clock = 0;
    const drawn: (string | undefined)[] = [];
    const progress = new Progress((line) => void drawn.push(line), 100, () => clock);
    const users = countingUsers(async function* () {
      for (let i = 0; i < 5; i++) {
        clock += 60;
        yield { i };
      }
    }, progress, ["previewing jumpcloud"]);
    const seen: unknown[] = [];
    for await (const u of users()) seen.push(u);
    progress.done();
    expect(seen).toHaveLength(5);
    // t=60 first draw, t=120 too soon, t=180 draws, t=240 too soon, t=300 draws.
    expect(drawn).toEqual(["previewing jumpcloud: 1 user(s)…", "previewing jumpcloud: 3 user(s)…", "previewing jumpcloud: 5 user(s)…", undefined]);
  });

  it("preview draws it on a terminal's stderr (IO with progress) and not otherwise", async () => {
    const drawn: (string | undefined)[] = [];
    const out: string[] = [];
    const err: string[] = [];
    const io = { stdout: (s: string) => void out.push(s), stderr: (s: string) => void err.push(s) };
    expect(await previewCommand(["--app", "jumpcloud", "--format", "json"], { ...io, progress: (line) => void drawn.push(line) })).toBe(0);
    // The first pass fills the shared-matching-value filter; each pass's label shows with its first user.
    expect(drawn[0]).toMatch(/^checking matching values for jumpcloud: 1 user\(s\)…$/);
    expect(drawn).toContain("previewing jumpcloud: 1 user(s)…");
    expect(drawn.at(-1)).toBeUndefined();
    const plain: string[] = [];
    expect(await previewCommand(["--app", "jumpcloud", "--format", "json"], { ...io, stdout: (s) => void plain.push(s) })).toBe(0);
    expect(plain.join("\n")).toBe(out.join("\n"));
    expect(err.join("")).not.toContain("user(s)…");
  });
});
