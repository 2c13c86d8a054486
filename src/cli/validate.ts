/**
 * `scimops validate [PATH...] [--quiet] [--format text|json]`: checks app files and stack files; exit 0 when
 * all is valid, 1 otherwise, 2 on usage errors. `--format json` prints one document for CI:
 * `{"valid": bool, "files": N, "errors": N, "warnings": N, "diagnostics": [...], "apps": [...]}`.
 */
import { relative, resolve } from "node:path";
import { statSync } from "node:fs";
import { parseArgs } from "node:util";
import { formatDiagnostic } from "../spec/diagnostics";
import { listAppFiles, listStackFiles, loadProject, projectRoot } from "../spec/project";
import type { CliIO } from "./io";
import { renderTable } from "./table";
import { describeApp } from "./summary";
import { paintDiagnostic } from "./style";
import { checkSecretFormats } from "../spec/check-secrets";
import { stackSecretReveal } from "./secrets";

export async function validateCommand(args: readonly string[], io: CliIO): Promise<number> {
  const root = projectRoot();
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], options: { quiet: { type: "boolean" }, format: { type: "string", default: "text" } }, allowPositionals: true, strict: true });
    if (parsed.values.format !== "text" && parsed.values.format !== "json") throw new Error("--format is text or json");
  } catch (err) {
    io.stderr(`scimops validate: ${(err as Error).message}\nusage: scimops validate [PATH...] [--quiet] [--format text|json]`);
    return 2;
  }
  const quiet = parsed.values.quiet === true;
  const json = parsed.values.format === "json";
  const paths = parsed.positionals;
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
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const checked = appFiles.length + stackFiles.length;
  const shown = [...apps.values()].filter((a) => appFiles.includes(resolve(a.file)));
  if (json) {
    const reported = diagnostics.filter((d) => !quiet || d.severity === "error").map((d) => ({ ...d, file: display(d.file) }));
    io.stdout(JSON.stringify({ valid: errors === 0, files: checked, errors, warnings: diagnostics.length - errors, diagnostics: reported, apps: shown.map((a) => describeApp(a.spec)) }));
    return errors ? 1 : 0;
  }
  // --quiet keeps what blocks: errors and the verdict line.
  const color = io.color?.stderr ?? false;
  for (const d of diagnostics) if (!quiet || d.severity === "error") io.stderr(paintDiagnostic(formatDiagnostic({ ...d, file: display(d.file) }), d.severity, color));
  if (!quiet && shown.length) io.stdout(renderTable(shown.map((a) => describeApp(a.spec))));
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
