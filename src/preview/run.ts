/** Runs previews over a stream of users: one pass per app, one user at a time, output streamed. */
import type { AppPreviewer } from "./engine";
import { addToSummary, emptySummary, type AppSummary, type PreviewWriter } from "./output";
import { asSampleUser, type SampleUser } from "./users";

/** A re-readable source of users (each call starts a new pass: a file is streamed again). */
export type UserSource = () => AsyncIterable<unknown> | Iterable<unknown>;

/** Validated sample users from raw JSON values. */
export async function* sampleUsers(values: AsyncIterable<unknown> | Iterable<unknown>): AsyncGenerator<SampleUser> {
  let i = 0;
  for await (const value of values) yield asSampleUser(value, ++i);
}

export async function runPreview(previewers: readonly AppPreviewer[], source: UserSource, writer: PreviewWriter): Promise<AppSummary[]> {
  const summaries: AppSummary[] = [];
  for (const previewer of previewers) {
    writer.beginApp(previewer);
    const summary = emptySummary();
    for await (const user of sampleUsers(source())) {
      const p = previewer.preview(user);
      addToSummary(summary, p);
      writer.user(p);
    }
    writer.endApp(previewer, summary);
    summaries.push(summary);
  }
  writer.finish();
  return summaries;
}
