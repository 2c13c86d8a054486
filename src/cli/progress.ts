/** The progress line long commands draw on a terminal's stderr (CliIO.progress) while they read users. */
import type { CliIO } from "./io";

/** Redraws at most every `intervalMs`, so a fast loop does not spend its time on the terminal. */
export class Progress {
  private last = 0;
  private drawn = false;

  constructor(
    private readonly draw: CliIO["progress"],
    private readonly intervalMs = 150,
    private readonly now: () => number = Date.now,
  ) {}

  /** `now`: draw even within the interval (a new pass's label shows at once). */
  update(line: () => string, now = false): void {
    if (!this.draw) return;
    const t = this.now();
    if (!now && this.drawn && t - this.last < this.intervalMs) return;
    this.last = t;
    this.drawn = true;
    this.draw(line());
  }

  /** Clears the line before the command's own last words. */
  done(): void {
    if (this.drawn) this.draw?.(undefined);
    this.drawn = false;
  }
}

/**
 * The users source, counting: the i-th pass over the users (one per app) is labelled `labels[i]`, and each
 * user read redraws `LABEL: N users`.
 */
export function countingUsers(source: () => AsyncIterable<unknown>, progress: Progress, labels: readonly string[]): () => AsyncIterable<unknown> {
  let pass = 0;
  return () => {
    const label = labels[pass++] ?? "users";
    return (async function* () {
      let count = 0;
      for await (const user of source()) {
        count++;
        progress.update(() => `${label}: ${count.toLocaleString("en-US")} user(s)…`, count === 1);
        yield user;
      }
    })();
  };
}
