/**
 * `scimops check --app NAME [--target URL] [--token-env VAR] [--stack NAME] [--format text|json]`
 *
 * What the portal's Test Connection does — `GET /Users?filter=<matching attribute> eq "<random GUID>"` and,
 * when groups are provisioned, a random group by displayName, each expecting 200 and an empty ListResponse — plus the catalog's tenant-URL checks (https, required flags) and token-format
 * check. The tenant URL is the app's (resolved with the stack's parameters) unless --target is given; the
 * token comes from the environment variable VAR (default SCIMOPS_TOKEN) and is never printed.
 * `--format json` prints `{"app", "displayName", "ok", "checks": [{check, severity, message}]}` for CI.
 * Exit 0 when nothing is wrong, 1 when a check fails, 2 on usage errors.
 */
import { checkApp, loadPreviewProject, ProjectError } from "../preview";
import { maskingIO, parseCommandArgs, targetUrl, tokenFrom, UsageError } from "../preview/cli-support";
import { projectRoot } from "../spec/project";
import type { CliIO } from "./io";
import { paint } from "./style";

const USAGE = "scimops check --app NAME [--target URL] [--token-env VAR] [--stack NAME] [--format text|json]";
const MARK = { ok: "✓", warning: "⚠", error: "✗" } as const;
const MARK_STYLE = { ok: "green", warning: "yellow", error: "red" } as const;

export async function checkCommand(args: string[], rawIO: CliIO): Promise<number> {
  let io = rawIO;
  try {
    const values = parseCommandArgs(args, { app: { type: "string" }, target: { type: "string" }, "token-env": { type: "string" }, stack: { type: "string" }, format: { type: "string", default: "text" } }, USAGE);
    if (!values.app) throw new UsageError(`--app NAME is required\nusage: ${USAGE}`);
    if (values.format !== "text" && values.format !== "json") throw new UsageError(`--format is text or json\nusage: ${USAGE}`);
    const project = loadPreviewProject(projectRoot(), { apps: [values.app], stack: values.stack });
    const plan = project.plans[0]!;
    const { token, tokenVar } = tokenFrom(values["token-env"], plan.target.token?.pattern);
    io = maskingIO(rawIO, [token]);
    const items = await checkApp(plan, { target: targetUrl(values.target), token, tokenVar });
    const failed = items.some((i) => i.severity === "error");
    if (values.format === "json") {
      io.stdout(JSON.stringify({ app: plan.name, displayName: plan.displayName, ok: !failed, checks: items }));
      return failed ? 1 : 0;
    }
    const color = rawIO.color?.stdout ?? false;
    io.stdout(`${plan.displayName} (${plan.name})`);
    for (const item of items) io.stdout(`${paint(MARK_STYLE[item.severity], MARK[item.severity], color)} ${item.check}: ${item.message}`);
    return failed ? 1 : 0;
  } catch (err) {
    if (err instanceof UsageError || err instanceof ProjectError) {
      io.stderr(`scimops check: ${err.message}`);
      return 2;
    }
    throw err;
  }
}
