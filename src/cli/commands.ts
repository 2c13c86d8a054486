/**
 * Every `scimops` command, declared once: the help text, the option checks, the usage synopsis and the
 * README's command table (test/cli/readme-commands.test.ts) all come from this list.
 *
 * Adding a command: write `src/cli/NAME.ts` exporting a CommandRun `(args, io) => Promise<number>` (it gets
 * the raw arguments after the command name and parses them itself), then add one entry here and run
 * `npm run readme`.
 */
import type { CliIO } from "./io";

export type CommandRun = (args: string[], io: CliIO) => Promise<number>;

export interface OptionSpec {
  /** Commander flags, e.g. `--users <FILE>` or `--quiet`; the value name is shown in usage text. */
  flags: string;
  description: string;
  /** The only values allowed; shown as `a|b|c` in the synopsis. */
  choices?: readonly string[];
  /** Shown in help; the command module applies its own default. */
  defaultValue?: string;
  required?: boolean;
  repeatable?: boolean;
}

export interface CommandSpec {
  name: string;
  /** Positional arguments in Commander syntax: `<EXPR>`, `[PATH...]`. */
  args?: string;
  /** One line, plain text: used by `--help` and the README. */
  summary: string;
  options: readonly OptionSpec[];
  /** Unknown options and extra arguments go to the command (which hands them to Pulumi). */
  passThrough?: string;
  /** Extra help (exit codes, examples), plain text. */
  help?: string;
  /**
   * The module under src/cli/ and the CommandRun it exports; loaded on demand, so that `scimops eval`
   * does not pay for what `preview` or `up` load (test/cli/main.test.ts checks every pair).
   */
  module: string;
  handler: string;
}

const stack = (description: string, defaultValue: string | undefined = "dev"): OptionSpec => ({ flags: "--stack <ENV>", description, defaultValue });
const users: OptionSpec = { flags: "--users <FILE>", description: "sample users (JSON array or JSON lines)", defaultValue: "examples/users.json" };
const app: OptionSpec = { flags: "--app <NAME>", description: "app file name under mappings/, without .yaml", required: true };
const tokenEnv: OptionSpec = { flags: "--token-env <VAR>", description: "environment variable that holds the SCIM token (never printed)", defaultValue: "SCIMOPS_TOKEN" };
const target: OptionSpec = { flags: "--target <URL>", description: "SCIM base URL to talk to instead of the app's tenant URL" };
const textOrJson: OptionSpec = { flags: "--format <FORMAT>", description: "output format (json for CI)", choices: ["text", "json"], defaultValue: "text" };

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: "validate",
    args: "[PATH...]",
    summary: "check app files and stack files (default: all of them); errors as FILE:LINE:COL: error: what — how to fix; exit 1 on any error",
    options: [{ flags: "--quiet", description: "print only errors and the verdict" }, textOrJson],
    module: "validate",
    handler: "validateCommand",
  },
  {
    name: "preview",
    summary: "what every user and group becomes in every target: scope, attribute values, the SCIM requests Entra would send, rule violations, group policies",
    options: [
      { ...app, required: false, repeatable: true, description: "app to preview (repeat or comma-separate; default: every app with Entra ID)" },
      users,
      { flags: "--format <FORMAT>", description: "output format", choices: ["table", "json", "markdown"], defaultValue: "table" },
      stack("stack whose config supplies tenant-URL parameters, assignments and values"),
      { flags: "--on-demand", description: "the requests of provision on demand (which ignores the tenant URL's feature flags)" },
    ],
    module: "preview",
    handler: "previewCommand",
  },
  {
    name: "diff",
    summary: "what a branch does to provisioning against a base revision, per stack and app: settings, assignments and mapping rows that change, what Entra will do because of them, every sample user whose provisioning changes (a pull-request comment, or JSON); exit 1 when the branch has errors",
    options: [
      { flags: "--base <REV>", description: "git revision to compare the working tree with", defaultValue: "origin/main" },
      { ...stack("stack to compare (repeat or comma-separate; default: every stack in stacks/)", undefined), repeatable: true },
      users,
      { flags: "--format <FORMAT>", description: "output format", choices: ["markdown", "json"], defaultValue: "markdown" },
    ],
    module: "diff",
    handler: "diffCommand",
  },
  {
    name: "simulate",
    summary: "replay Entra's requests (users: match, create, update, deactivate; groups: match, create, members, rename, remove members, delete) against a SCIM endpoint and report each result; a target off loopback only with --allow-remote confirmed, --dry-run sends nothing",
    options: [
      app,
      { ...target, required: true, description: "SCIM base URL to send the requests to (loopback only, unless --allow-remote)" },
      tokenEnv,
      users,
      stack("stack whose config supplies tenant-URL parameters"),
      { flags: "--format <FORMAT>", description: "output format", choices: ["table", "json"], defaultValue: "table" },
      { flags: "--dry-run", description: "print the requests (as to a target holding none of the users) and send none" },
      { flags: "--allow-remote", description: "allow a target off the loopback range (127.0.0.0/8, ::1, localhost); asks to confirm the app and URL" },
      { flags: "--yes", description: "with --allow-remote off a terminal: the confirmation" },
    ],
    help: "Sample users are real people's data: a --target that is not loopback (every address its name resolves to) is refused with exit 2 and nothing sent, unless --allow-remote is given and confirmed (a prompt on a terminal; --yes off one).\nExit status: 0 every outcome agrees with the preview, 1 otherwise, 2 usage errors and refused targets.",
    module: "simulate",
    handler: "simulateCommand",
  },
  {
    name: "plan",
    summary: "the compiled plan per app, as it goes to Graph: the exact objectMappings the schema resource would PUT and the synchronization secrets it would set (token shown as [secret]); reads no secret, calls nothing",
    options: [
      { ...app, required: false, repeatable: true, description: "app to print (repeat or comma-separate; default: every app in the stack)" },
      stack("stack whose config supplies tenant-URL parameters and values"),
      { flags: "--format <FORMAT>", description: "output format", choices: ["json", "yaml"], defaultValue: "json" },
    ],
    module: "plan",
    handler: "planCommand",
  },
  {
    name: "check",
    summary: "the portal's Test Connection (a random GUID on the matching attribute, and a random group), plus the tenant-URL and token-format checks; exit 1 when a check fails",
    options: [app, target, tokenEnv, stack("stack whose config supplies tenant-URL parameters"), textOrJson],
    module: "check",
    handler: "checkCommand",
  },
  {
    name: "eval",
    args: "<EXPR>",
    summary: 'evaluate an Entra attribute-mapping expression for one user; prints {"value": …, "flows": …}',
    options: [
      { flags: "--user <JSON|@FILE>", description: "the user: a JSON object of Entra attribute names to values, or @FILE" },
      { flags: "--now <ISO-8601>", description: "the clock for Now() (default: the current time)" },
    ],
    module: "eval",
    handler: "evalCommand",
  },
  {
    name: "runbook",
    summary: "setup steps, from the app's file, for an identity provider without a Pulumi provider; for Okta, the two phases, which one the stack is in, and the Admin Console steps between them",
    options: [app, { flags: "--idp <IDP>", description: "identity provider", choices: ["okta", "onelogin", "jumpcloud", "google"], required: true }, stack("stack whose config supplies tenant-URL parameters"), textOrJson],
    module: "runbook",
    handler: "runbookCommand",
  },
  {
    name: "up",
    summary: "validate, check the stack's tokens against their documented formats (decrypted in memory only), then pulumi up, then print the Okta Admin Console steps of every app still provisioning: pending (of every Okta app when pulumi up failed), from the files; exits with pulumi's code",
    options: [stack("stack to apply (default: the selected stack)", undefined)],
    passThrough: "[PULUMI-ARGS...]",
    help: "Arguments scimops does not know (e.g. --yes) go to `pulumi up` unchanged. With Pulumi's verbose flags (-v N, --logflow, --logtostderr) its log goes to stderr, with the stack's secrets and the Graph credentials redacted (docs/secrets.md).",
    module: "pulumi",
    handler: "upCommand",
  },
  {
    name: "drift",
    summary: "read-only drift check: exit 0 no drift, 1 drift (each drifted field named), 2 or more for any other failure",
    options: [stack("stack to check (default: the selected stack)", undefined)],
    passThrough: "[PULUMI-ARGS...]",
    help: "Exit status: 0 no drift, 1 drift, 3 no such stack, 4 a provider plugin is missing, 5 Graph refused the credentials, 6 Graph could not be reached, 2 anything else.\nArguments scimops does not know (e.g. --cwd DIR) go to `pulumi preview` unchanged. With Pulumi's verbose flags (-v N, --logflow, --logtostderr) its log goes to stderr, with the stack's secrets and the Graph credentials redacted (docs/secrets.md).",
    module: "drift",
    handler: "driftCommand",
  },
  {
    name: "import",
    summary: "bring an app configured in the Entra portal under scimops with read-only Graph calls: writes mappings/NAME.yaml (complete attribute lists, scoping, settings; --template: the gallery template's defaults) and adds the app to the stack with its assignments and the ids `pulumi up` adopts without a write",
    options: [
      app,
      { flags: "--display-name <NAME>", description: "the enterprise app's name in Entra (or give --service-principal)" },
      { flags: "--service-principal <ID>", description: "the enterprise app's service principal object id" },
      stack("stack file to add the app to"),
      { flags: "--template", description: "read the gallery template's default schema (a freshly created app) instead of the job's" },
      { flags: "--force", description: "replace an existing app file and stack entry" },
      { flags: "--graph-base-url <URL>", description: "Graph root to read (e.g. the emulator); default: the stack's scimops:graphBaseUrl, else its cloud" },
    ],
    help: "Credentials as for `pulumi up` (SCIMOPS_GRAPH_ACCESS_TOKEN, workload identity, client secret, Azure CLI). Graph masks the token: the command prints the `pulumi config set --secret` to run.",
    module: "import",
    handler: "importCommand",
  },
  {
    name: "status",
    summary: "read-only provisioning health per Entra app of the stack: job status, last cycle, quarantine (and what to do), escrows, initial-cycle progress, schedule, whether the saved credentials work, recent provisioning log failures with the mapping row each names",
    options: [
      stack("stack whose apps to check"),
      { flags: "--format <FORMAT>", description: "output format", choices: ["table", "json"], defaultValue: "table" },
      { flags: "--graph-base-url <URL>", description: "Graph root to read instead of the stack's scimops:graphBaseUrl / cloud (e.g. an emulator)" },
    ],
    help: "Graph credentials as for up and drift (SCIMOPS_GRAPH_ACCESS_TOKEN, or AZURE_CLIENT_ID / AZURE_TENANT_ID / AZURE_CLIENT_SECRET …).\nExit status: 0 every app healthy, 1 an app quarantined or failing, 2 anything else (usage, stack errors, an app or job not found, Graph refused or unreachable).",
    module: "status",
    handler: "statusCommand",
  },
  {
    name: "schema",
    summary: "print, write or check schema/app.schema.json, the JSON Schema editors use for mapping files",
    options: [
      { flags: "--write", description: "write the file (npm run schema)" },
      { flags: "--check", description: "exit 1 when the file is stale" },
    ],
    module: "schema",
    handler: "schemaCommand",
  },
];

/** The value name of an option as usage text shows it: `--format text|json`, `--users FILE`, `--quiet`. */
export function optionSynopsis(option: OptionSpec): string {
  const [long] = option.flags.split(/[ ,]+/).filter((f) => f.startsWith("--"));
  const value = /<([^>]+)>/.exec(option.flags)?.[1];
  const shown = option.choices ? `${long} ${option.choices.join("|")}` : value ? `${long} ${value}` : long!;
  const once = option.required ? shown : `[${shown}]`;
  return option.repeatable ? `${once}...` : once;
}

/** `scimops check --app NAME [--target URL] …`: the one-line synopsis of a command. */
export function synopsis(command: CommandSpec): string {
  return ["scimops", command.name, ...(command.args ? [command.args] : []), ...command.options.map(optionSynopsis), ...(command.passThrough ? [command.passThrough] : [])].join(" ");
}

/** The README's command table (between the `commands` markers), generated from COMMANDS. */
export function commandTable(): string {
  const cell = (text: string) => text.replace(/\|/g, "\\|");
  return ["| command | what it does |", "|---|---|", ...COMMANDS.map((c) => `| \`${cell(synopsis(c))}\` | ${cell(c.summary)} |`)].join("\n");
}
