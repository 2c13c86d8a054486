/** Runs previews over a stream of users: one pass per app, one user at a time, output streamed. */
import type { AppPreviewer } from "./engine";
import { addToSummary, emptySummary, type AppSummary, type PreviewWriter } from "./output";
import { asSampleUser, type SampleUser } from "./users";

/** A re-readable source of users (each call starts a new pass: a file is streamed again). */
export type UserSource = () => AsyncIterable<unknown> | Iterable<unknown>;

export interface RunOptions {
  /**
   * Backpressure: called after each user; when it returns a promise (the output is behind, e.g.
   * `StreamSink.ready`), the next user is read only once it settles.
   */
  ready?: () => Promise<void> | undefined;
}

/** Validated sample users from raw JSON values. */
export async function* sampleUsers(values: AsyncIterable<unknown> | Iterable<unknown>): AsyncGenerator<SampleUser> {
  let i = 0;
  for await (const value of values) yield asSampleUser(value, ++i);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && typeof value === "object" && typeof (value as { then?: unknown }).then === "function";
}

/**
 * Previews every user of `source` for each app in turn, handing each user to `writer` before the next
 * one is read. A synchronous source (a generator) is iterated without a promise per user; an
 * asynchronous one (a file) with `for await`. Values that are promises are awaited, as `for await` does.
 */
export async function runPreview(previewers: readonly AppPreviewer[], source: UserSource, writer: PreviewWriter, options: RunOptions = {}): Promise<AppSummary[]> {
  const summaries: AppSummary[] = [];
  const ready = options.ready;
  const json = typeof writer.userLine === "function";
  for (const previewer of previewers) {
    previewer.beginPass();
    writer.beginApp(previewer);
    const summary = emptySummary();
    const values = source();
    let index = 0;
    const handle = (value: unknown): void => {
      const user = asSampleUser(value, ++index);
      if (json) writer.userLine!(previewer.previewJson(user, summary));
      else {
        const p = previewer.preview(user);
        addToSummary(summary, p);
        writer.user(p);
      }
    };
    if (Symbol.asyncIterator in Object(values)) {
      for await (const value of values as AsyncIterable<unknown>) {
        handle(value);
        const wait = ready?.();
        if (wait) await wait;
      }
    } else {
      for (const value of values as Iterable<unknown>) {
        handle(isThenable(value) ? await value : value);
        const wait = ready?.();
        if (wait) await wait;
      }
    }
    writer.endApp(previewer, summary);
    summaries.push(summary);
  }
  writer.finish();
  return summaries;
}
