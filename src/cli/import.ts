/**
 * `scimops import --app NAME (--display-name "…" | --service-principal ID) [--stack ENV] [--template] [--force] [--graph-base-url URL]`
 *
 * Brings an app configured in the Entra portal under scimops: reads it with GET calls only (src/import/read.ts,
 * the same Graph client and credentials as the resources), writes mappings/NAME.yaml and adds the app to the
 * stack file with its assignments, parameters and the ids `pulumi up` adopts without a write. Existing files
 * are kept unless --force. Exit 0; 1 when Graph or the tenant says no; 2 on usage errors.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { createGraphSession, type GraphConnection } from "../entra/graph";
import { ImportError, readLiveApp, type AppSelector } from "../import/read";
import { renderImport } from "../import/render";
import { addAppToStack, stackFacts } from "../import/stack-file";
import { loadAppFile } from "../spec/load";
import { projectRoot } from "../spec/project";
import type { Cloud } from "../spec/schema";
import { parseCommandArgs, UsageError } from "../preview/cli-support";
import type { CliIO } from "./io";

const USAGE = 'scimops import --app NAME (--display-name "…" | --service-principal ID) [--stack ENV] [--template] [--force] [--graph-base-url URL]';

export interface ImportRequest {
  root: string;
  app: string;
  selector: AppSelector;
  stack: string;
  template: boolean;
  force: boolean;
  graphBaseUrl?: string;
}

export interface ImportResult {
  appFile: string;
  stackFile: string;
  tokenKey: string;
  notes: string[];
  servicePrincipalId: string;
  jobId?: string;
}

/** The import itself, for the command and for tests. */
export async function runImport(req: ImportRequest): Promise<ImportResult> {
  if (!/^[a-z][a-z0-9-]*$/.test(req.app)) throw new UsageError(`--app is the file name under mappings/: lower-case letters, digits and dashes (got ${JSON.stringify(req.app)})`);
  const stackFile = join(req.root, "stacks", `Pulumi.${req.stack}.yaml`);
  const facts = stackFacts(stackFile);
  const appFile = join(req.root, facts.mappingsDir ?? "mappings", `${req.app}.yaml`);
  if (existsSync(appFile) && !req.force) throw new ImportError(`${relative(req.root, appFile)} exists — pass --force to replace it`);
  const cloud = (facts.cloud ?? "global") as Cloud;
  const baseUrl = req.graphBaseUrl ?? facts.graphBaseUrl;
  // The connection the Pulumi program builds from the same stack (src/program.ts).
  const graph: GraphConnection = { ...(baseUrl ? { baseUrl } : { cloud }), ...(facts.tenantId ? { tenantId: facts.tenantId } : {}) };
  const session = createGraphSession(graph);
  const live = await readLiveApp(session, req.selector, { template: req.template });
  const previous = existsSync(appFile) ? loadAppFile(appFile) : undefined;
  const rendered = renderImport(live, {
    name: req.app,
    cloud,
    schemaPath: relative(dirname(appFile), join(req.root, "schema", "app.schema.json")),
    ...(facts.notificationEmail !== undefined ? { stackNotificationEmail: facts.notificationEmail } : {}),
    ...(previous?.ok && previous.app.spec.entra ? { previousTenantUrl: previous.app.spec.entra.provisioning.tenantUrl } : {}),
  });
  if (session.stats.writes !== 0) throw new Error(`scimops import made ${session.stats.writes} write(s) to Graph; it must only read`);
  const stackText = addAppToStack(stackFile, rendered.stackEntry, { force: req.force, extra: rendered.setNotificationEmail ? { notificationEmail: rendered.setNotificationEmail } : {} });
  mkdirSync(dirname(appFile), { recursive: true });
  writeFileSync(appFile, rendered.yaml);
  mkdirSync(dirname(stackFile), { recursive: true });
  writeFileSync(stackFile, stackText);
  return {
    appFile,
    stackFile,
    tokenKey: rendered.tokenKey,
    notes: rendered.notes,
    servicePrincipalId: live.servicePrincipal.id,
    ...(live.job ? { jobId: live.job.id } : {}),
  };
}

export async function importCommand(args: string[], io: CliIO): Promise<number> {
  let req: ImportRequest;
  try {
    const v = parseCommandArgs(
      args,
      {
        app: { type: "string" },
        "display-name": { type: "string" },
        "service-principal": { type: "string" },
        stack: { type: "string" },
        template: { type: "boolean" },
        force: { type: "boolean" },
        "graph-base-url": { type: "string" },
      },
      USAGE,
    );
    if (!v.app) throw new UsageError(`--app is required\nusage: ${USAGE}`);
    const byName = v["display-name"];
    const byId = v["service-principal"];
    if ((byName === undefined) === (byId === undefined)) throw new UsageError(`give exactly one of --display-name and --service-principal\nusage: ${USAGE}`);
    req = {
      root: projectRoot(),
      app: v.app,
      selector: byId !== undefined ? { servicePrincipalId: byId } : { displayName: byName! },
      stack: v.stack ?? "dev",
      template: v.template === true,
      force: v.force === true,
      ...(v["graph-base-url"] ? { graphBaseUrl: v["graph-base-url"] } : {}),
    };
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`scimops import: ${err.message}`);
      return 2;
    }
    throw err;
  }
  try {
    const result = await runImport(req);
    const rel = (f: string) => relative(req.root, f);
    io.stdout(`wrote ${rel(result.appFile)} and added ${req.app} to ${rel(result.stackFile)} (service principal ${result.servicePrincipalId}${result.jobId ? `, job ${result.jobId}` : ""})`);
    for (const note of result.notes) io.stdout(`note: ${note}`);
    io.stdout(`next: Graph masks the token, so set it in the stack:\n  pulumi config set --secret --stack ${req.stack} scimops:${result.tokenKey}\nthen \`scimops validate\` and \`pulumi up --stack ${req.stack}\` (adopts the app: no writes when nothing differs)`);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`scimops import: ${err.message}`);
      return 2;
    }
    io.stderr(`scimops import: ${(err as Error).message}`);
    return 1;
  }
}
