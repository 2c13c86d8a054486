/**
 * `scimops preview [--app NAME]... [--users FILE] [--format table|json|markdown] [--stack NAME]`
 *
 * What every user becomes in every target: scope, IsSoftDeleted, the SCIM requests Entra sends and the
 * target's rules checked per user. Without --users the bundled examples/users.json is used; the stack
 * (default dev) supplies tenant-URL parameters, assignments and config values such as
 * ipassRegisteredDomains; `--on-demand` previews provision on demand, which ignores the aadOptscim062020 flag. `--format json` prints `{"app": NAME, "users": [...]}` for one app, and a JSON
 * array of those documents when several apps are previewed. Exit 0 when the preview ran (violations are
 * findings, not failures), 1 when the users file is invalid, 2 on usage errors.
 */
import { AppPreviewer, createWriter, FORMATS, type Format, loadPreviewProject, previewPasses, ProjectError, runPreview, StreamSink } from "../preview";
import { DEFAULT_USERS_FILE, parseCommandArgs, UsageError, userSourceFor, usersFile } from "../preview/cli-support";
import { UserFileError } from "../preview/json-stream";
import { SampleUserError } from "../preview/users";
import { projectRoot } from "../spec/project";
import { type CliIO, processIO } from "./io";
import { countingUsers, Progress } from "./progress";

const USAGE = "scimops preview [--app NAME]... [--users FILE] [--format table|json|markdown] [--stack NAME] [--on-demand]";

export async function previewCommand(args: string[], io: CliIO): Promise<number> {
  let values;
  // On the real stdout, lines go out in chunks with backpressure (a slow reader pauses the preview
  // instead of the output piling up in memory); an IO given by a caller (tests) gets each line.
  const sink = io === processIO ? new StreamSink(process.stdout) : undefined;
  try {
    const parsed = parseCommandArgs(args, { app: { type: "string", multiple: true }, users: { type: "string" }, format: { type: "string" }, stack: { type: "string" }, "on-demand": { type: "boolean" } }, USAGE);
    values = parsed;
    const format = (values.format ?? "table") as Format;
    if (!FORMATS.includes(format)) throw new UsageError(`--format is one of ${FORMATS.join(", ")}\nusage: ${USAGE}`);
    const root = projectRoot();
    const appNames = (values.app ?? []).flatMap((a) => a.split(",")).map((a) => a.trim()).filter(Boolean);
    const file = usersFile(root, values.users);
    const project = loadPreviewProject(root, { apps: appNames, stack: values.stack });
    const previewers = project.plans.filter((p) => p.entra).map((plan) => new AppPreviewer(plan, { config: project.config, onDemand: parsed["on-demand"] }));
    if (!previewers.length) throw new UsageError("no app with an Entra ID configuration to preview");
    const writer = createWriter(format, sink ? sink.line : (line) => io.stdout(line), !(appNames.length === 1));
    // On a terminal, a progress line on stderr while a large users file is read (never in a pipe or log).
    const progress = new Progress(io.progress);
    const source = userSourceFor(file, values.users ?? DEFAULT_USERS_FILE);
    const users = io.progress ? countingUsers(source, progress, previewPasses(previewers)) : source;
    try {
      await runPreview(previewers, users, writer, { ready: sink && (() => sink.ready()) });
    } finally {
      progress.done();
    }
    await sink?.end();
    return 0;
  } catch (err) {
    // What was previewed before the error goes out before the error message.
    sink?.flush();
    if (err instanceof UsageError || err instanceof ProjectError) {
      io.stderr(`scimops preview: ${err.message}`);
      return 2;
    }
    if (err instanceof UserFileError) {
      io.stderr(`scimops preview: ${err.message}`);
      return 1;
    }
    if (err instanceof SampleUserError) {
      io.stderr(`scimops preview: ${values?.users ?? DEFAULT_USERS_FILE}: ${err.message}`);
      return 1;
    }
    throw err;
  }
}
