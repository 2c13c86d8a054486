/** `scimops validate [PATH...]`: checks app files and stack files; exit 0 when all is valid, 1 otherwise. */
import { relative, resolve } from "node:path";
import { statSync } from "node:fs";
import { formatDiagnostic } from "../spec/diagnostics";
import { listAppFiles, listStackFiles, loadProject, projectRoot } from "../spec/project";
import type { CliIO } from "./io";
import { renderTable } from "./table";
import { describeApp } from "./summary";
import { checkSecretFormats } from "../spec/check-secrets";
import { stackSecretReveal } from "./secrets";

export async function validateCommand(args: readonly string[], io: CliIO): Promise<number> {
  const root = projectRoot();
  const quiet = args.includes("--quiet");
  const paths = args.filter((a) => !a.startsWith("--"));
  let appFiles: string[];
  let stackFiles: string[];
  if (paths.length === 0) {
    appFiles = listAppFiles(root);
    stackFiles = listStackFiles(root);
  } else {
    const files = paths.flatMap((p) => (isDirectory(p) ? listAppFiles(resolve(p), ".") : [resolve(p)]));
    stackFiles = files.filter((f) => /(^|\/)Pulumi\.[^/]+\.ya?ml$/.test(f));
    appFiles = files.filter((f) => !stackFiles.includes(f));
  }
  const { apps, stacks, diagnostics } = loadProject(appFiles, stackFiles, listAppFiles(root));
  // Tokens stored in a stack are decrypted (in memory, by the Pulumi CLI) only to check their documented format.
  for (const stack of stacks) diagnostics.push(...(await checkSecretFormats(stack, apps, stackSecretReveal(stack, root))));
  const display = (file: string) => relative(process.cwd(), file) || file;
  // --quiet keeps what blocks: errors and the verdict line.
  for (const d of diagnostics) if (!quiet || d.severity === "error") io.stderr(formatDiagnostic({ ...d, file: display(d.file) }));
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const checked = appFiles.length + stackFiles.length;
  if (!quiet && apps.size) {
    const shown = [...apps.values()].filter((a) => appFiles.includes(resolve(a.file)));
    io.stdout(renderTable(shown.map((a) => describeApp(a.spec))));
  }
  io.stdout(errors ? `${errors} error(s) in ${checked} file(s)` : `${checked} file(s) valid`);
  return errors ? 1 : 0;
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
