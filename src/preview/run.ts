/** Runs previews over a stream of users: one pass per app, one user at a time, output streamed. */
import type { AppPreviewer } from "./engine";
import { addToSummary, emptySummary, type AppSummary, type PreviewWriter } from "./output";
import { UserFileError } from "./json-stream";
import { asSampleUser, type SampleUser, SampleUserError } from "./users";

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
 * Calls `handle` with each user of `values`, validated, in order; `ready` after each (backpressure). A
 * synchronous source (a generator) is iterated without a promise per user; an asynchronous one (a file)
 * with `for await`. Values that are promises are awaited, as `for await` does.
 */
async function eachUser(values: AsyncIterable<unknown> | Iterable<unknown>, handle: (user: SampleUser) => void, ready?: () => Promise<void> | undefined): Promise<void> {
  let index = 0;
  if (Symbol.asyncIterator in Object(values)) {
    for await (const value of values as AsyncIterable<unknown>) {
      handle(asSampleUser(value, ++index));
      const wait = ready?.();
      if (wait) await wait;
    }
  } else {
    for (const value of values as Iterable<unknown>) {
      handle(asSampleUser(isThenable(value) ? await value : value, ++index));
      const wait = ready?.();
      if (wait) await wait;
    }
  }
}

/**
 * The first pass of a bounded-memory run: each of `previewers` that checks shared matching values notes
 * every user's matching value in its filter, for the pass that follows (`beginPass`). A user this pass
 * cannot read (bad input) ends it quietly: the pass that follows stops at the same user with the error.
 */
export async function fillSharedValueFilters(previewers: readonly (AppPreviewer | null)[], source: UserSource): Promise<void> {
  const checking = previewers.filter((p): p is AppPreviewer => p?.checksSharedValues === true);
  if (!checking.length) return;
  for (const p of checking) p.beginPrepass();
  try {
    await eachUser(source(), (user) => {
      for (const p of checking) p.observeMatching(user);
    });
  } catch (err) {
    if (!(err instanceof SampleUserError || err instanceof UserFileError)) throw err;
  }
}

/** What each of runPreview's reads of the source is for, in order (a progress line's labels). */
export function previewPasses(previewers: readonly AppPreviewer[]): string[] {
  const first = previewers[0];
  return [...(first?.checksSharedValues ? [`checking matching values for ${first.plan.name}`] : []), ...previewers.map((p) => `previewing ${p.plan.name}`)];
}

/**
 * Previews every user of `source` for each app in turn, handing each user to `writer` before the next
 * one is read. Memory stays flat: an app that checks shared matching values first reads the users once
 * to fill a fixed-size filter (shared-values.ts) — the pass over the previous app's users does that for
 * the next app, so N apps read the source N + 1 times. A user the first pass cannot read (bad input)
 * ends it quietly: the preview then stops at the same user with the error, after the users before it.
 */
export async function runPreview(previewers: readonly AppPreviewer[], source: UserSource, writer: PreviewWriter, options: RunOptions = {}): Promise<AppSummary[]> {
  const summaries: AppSummary[] = [];
  const ready = options.ready;
  const json = typeof writer.userLine === "function";
  await fillSharedValueFilters(previewers.slice(0, 1), source);
  for (let a = 0; a < previewers.length; a++) {
    const previewer = previewers[a]!;
    const next = previewers[a + 1]?.checksSharedValues ? previewers[a + 1]! : undefined;
    previewer.beginPass();
    next?.beginPrepass();
    writer.beginApp(previewer);
    const summary = emptySummary();
    await eachUser(
      source(),
      (user) => {
        if (json) writer.userLine!(previewer.previewJson(user, summary));
        else {
          const p = previewer.preview(user);
          addToSummary(summary, p);
          writer.user(p);
        }
        next?.observeMatching(user);
      },
      ready,
    );
    writer.endApp(previewer, summary);
    previewer.endPass();
    summaries.push(summary);
  }
  writer.finish();
  return summaries;
}
