/**
 * `scimops drift [--stack ENV] [PULUMI-ARGS...]`: the read-only check CI runs on a schedule.
 *
 * Runs `pulumi preview --refresh --json` (Graph sees reads only) and tells a scheduled job drift from
 * breakage by the exit status:
 *   0 no drift · 1 drift, naming each drifted resource and field · 3 no such stack · 4 a provider plugin
 *   is missing · 5 Graph refused the credentials · 6 Graph could not be reached · 2 anything else.
 */
import type { CliIO } from "./io";
import { projectRoot } from "../spec/project";
import { runPulumi, stackArgs, verboseRun, type Spawn } from "./pulumi";

export const DRIFT_EXIT = { none: 0, drift: 1, other: 2, noStack: 3, noPlugin: 4, credentials: 5, unreachable: 6 } as const;

/** What went wrong, by the words Pulumi and our Graph client use for it (first match wins). */
const FAILURES: readonly { exit: number; what: string; fix: string; pattern: RegExp }[] = [
  { exit: DRIFT_EXIT.noStack, what: "the stack does not exist", fix: "check --stack, and that `pulumi login` points at the stack's backend", pattern: /no stack named|stack '[^']*' (?:does not exist|not found)|could not find stack|no stack is selected/i },
  { exit: DRIFT_EXIT.noPlugin, what: "a provider plugin is missing", fix: "install it (README: the plugins `up` needs), e.g. `pulumi plugin install resource okta 7.0.0 --file …`", pattern: /no resource plugin|could not find plugin|failed to load plugin|plugin .* not found|could not load plugin/i },
  { exit: DRIFT_EXIT.unreachable, what: "Graph could not be reached", fix: "check the network, proxy and scimops:graphBaseUrl / scimops:cloud", pattern: /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|fetch failed|socket hang up|no response, code (?:NetworkError|Timeout)/i },
  { exit: DRIFT_EXIT.credentials, what: "Graph refused the credentials", fix: "check AZURE_CLIENT_ID / AZURE_TENANT_ID / AZURE_CLIENT_SECRET (or the federated token), and the app's Graph permissions", pattern: /could not authenticate|could not obtain a Microsoft Graph token|HTTP 401|HTTP 403|InvalidAuthenticationToken|Authorization_RequestDenied|Unauthorized|Forbidden|needs SCIMOPS_GRAPH_ACCESS_TOKEN|needs AZURE_\w+ in the environment/i },
];

/** How a failed preview is reported: which failure, and its exit status. */
export function classifyFailure(output: string): { exit: number; message: string } {
  const failure = FAILURES.find((f) => f.pattern.test(output));
  if (!failure) return { exit: DRIFT_EXIT.other, message: "drift check failed (not drift): the preview above says why" };
  return { exit: failure.exit, message: `drift check failed (not drift): ${failure.what} — ${failure.fix}` };
}

interface PreviewStep {
  op: string;
  urn: string;
  oldState?: { outputs?: Record<string, unknown>; inputs?: Record<string, unknown> };
  newState?: { inputs?: Record<string, unknown> };
  diffReasons?: string[];
  detailedDiff?: Record<string, unknown> | null;
}

/** Operations that change nothing in Entra. */
const NO_CHANGE = new Set(["same", "read", "refresh", "discard", "read-discard"]);

/** `name::type::name` → the resource's name, as people read it. */
function resourceName(urn: string): string {
  return urn.split("::").pop() ?? urn;
}

/** Each drifted resource and the fields that differ between Entra (refreshed state) and the files. */
export function driftedFields(steps: readonly PreviewStep[]): { resource: string; op: string; fields: string[] }[] {
  return steps
    .filter((s) => !NO_CHANGE.has(s.op))
    .map((s) => {
      const named = [...Object.keys(s.detailedDiff ?? {}), ...(s.diffReasons ?? [])];
      const fields = named.length ? [...new Set(named)] : differingPaths(s.oldState?.outputs ?? {}, s.newState?.inputs ?? {});
      return { resource: resourceName(s.urn), op: s.op, fields };
    });
}

/**
 * Paths where the desired inputs differ from what Entra holds, skipping outputs that are not inputs.
 * Array items are named by their `name` / `targetAttributeName` / `id` when they have one, so a changed
 * attribute mapping reads `attributeMappings[displayName].source.name`, not an index.
 */
export function differingPaths(live: unknown, desired: unknown, path = ""): string[] {
  if (desired === undefined || isSecret(desired) || isSecret(live)) return [];
  if (Array.isArray(desired) && Array.isArray(live)) {
    const key = (item: unknown, i: number) => labelOf(item) ?? String(i);
    const liveByKey = new Map(live.map((item, i) => [key(item, i), item]));
    return desired.flatMap((item, i) => {
      const label = key(item, i);
      return liveByKey.has(label) ? differingPaths(liveByKey.get(label), item, `${path}[${label}]`) : [`${path}[${label}]`];
    });
  }
  if (isObject(desired) && isObject(live)) {
    return Object.keys(desired).filter((k) => !k.startsWith("__") && k !== "providerVersion").flatMap((k) => differingPaths(live[k], desired[k], path ? `${path}.${k}` : k));
  }
  return JSON.stringify(live) === JSON.stringify(desired) ? [] : [path || "(value)"];
}

function labelOf(item: unknown): string | undefined {
  if (!isObject(item)) return undefined;
  for (const k of ["name", "targetAttributeName", "id"]) if (typeof item[k] === "string") return item[k] as string;
  return undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Pulumi's secret envelope (state JSON): never compared or printed. */
function isSecret(v: unknown): boolean {
  return isObject(v) && v["4dabf18193072939515e22adb298388d"] === "1b47061264138c4ac30d75fd1eb44270";
}

export async function driftCommand(args: string[], io: CliIO, run: Spawn = runPulumi, root = projectRoot()): Promise<number> {
  const { stack, rest } = stackArgs(args);
  const target = stack ? ["--stack", stack] : [];
  let result: Awaited<ReturnType<Spawn>>;
  let verbose: Awaited<ReturnType<typeof verboseRun>>;
  try {
    verbose = await verboseRun(["preview", "--refresh", "--json", "--non-interactive", ...target, ...rest], io, stack, root, run);
    result = await run(verbose.args, { ...verbose.options, capture: "both" });
  } catch (err) {
    io.stderr(`scimops drift: drift check failed (not drift): ${(err as Error).message}`);
    return DRIFT_EXIT.other;
  }
  let digest: { steps?: PreviewStep[]; diagnostics?: { message?: string; severity?: string }[] } | undefined;
  try {
    digest = JSON.parse(result.stdout);
  } catch {
    digest = undefined;
  }
  const stderr = result.stderr ?? "";
  const messages = [stderr, ...(digest?.diagnostics ?? []).map((d) => d.message ?? "")].join("\n");
  if (result.code !== 0 || !digest) {
    // Pulumi's own account of the failure (its JSON on stdout is not for people), then ours.
    const detail = (digest?.diagnostics ?? []).filter((d) => d.severity === "error").map((d) => (d.message ?? "").trim());
    for (const line of [stderr.trim(), ...detail].filter(Boolean)) io.stderr(line);
    const failure = classifyFailure(messages);
    io.stderr(`scimops drift: ${failure.message}`);
    return failure.exit;
  }
  // The verbose log that was asked for (redacted); without a verbose flag stderr holds nothing for people.
  if (verbose.options.redact && stderr.trim()) io.stderr(stderr.trim());
  const drifted = driftedFields(digest.steps ?? []);
  if (!drifted.length) {
    io.stdout("no drift: Entra matches the mapping files");
    return DRIFT_EXIT.none;
  }
  io.stdout(`drift: ${drifted.length} resource(s) differ from the mapping files (\`scimops up\` restores them):`);
  for (const d of drifted) io.stdout(`  ${d.resource} (${d.op}): ${d.fields.join(", ") || "(the provider reports a change)"}`);
  return DRIFT_EXIT.drift;
}
