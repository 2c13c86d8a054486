/** `scimops` command dispatch. Each command lives in its own module and returns an exit code. */
import { processIO, type CliIO } from "./io";

type Command = (args: string[], io: CliIO) => Promise<number>;

const COMMANDS: Record<string, { summary: string; load: () => Command }> = {
  validate: { summary: "validate [PATH...]            check app files and stack files", load: () => (require("./validate") as typeof import("./validate")).validateCommand },
  eval: { summary: "eval EXPR [--user JSON|@FILE] [--now ISO]   evaluate an Entra mapping expression", load: () => (require("./eval") as typeof import("./eval")).evalCommand },
  runbook: { summary: "runbook --app NAME --idp okta|onelogin|jumpcloud|google   setup steps for an IdP without a Pulumi provider", load: () => (require("./runbook") as typeof import("./runbook")).runbookCommand },
  diff: { summary: "diff [--base REV] [--users FILE] [--format markdown|json]   what a mapping change does, for a pull request", load: () => (require("./diff") as typeof import("./diff")).diffCommand },
  up: { summary: "up [--stack ENV] [PULUMI ARGS]   pulumi up, then print the manual steps left", load: () => (require("./pulumi") as typeof import("./pulumi")).upCommand },
  drift: { summary: "drift [--stack ENV]           read-only drift check (exit non-zero on drift)", load: () => (require("./pulumi") as typeof import("./pulumi")).driftCommand },
  schema: { summary: "schema [--write|--check]      print, write or check schema/app.schema.json", load: () => (require("./schema") as typeof import("./schema")).schemaCommand },
  preview: { summary: "preview [--app NAME] [--users FILE] [--format table|json|markdown]   what every user becomes in every target", load: () => (require("./preview") as typeof import("./preview")).previewCommand },
  simulate: { summary: "simulate --app NAME --target URL [--token-env VAR] [--users FILE]   replay Entra's requests against a SCIM endpoint", load: () => (require("./simulate") as typeof import("./simulate")).simulateCommand },
  check: { summary: "check --app NAME [--target URL] [--token-env VAR]   Test Connection, tenant-URL and token checks", load: () => (require("./check") as typeof import("./check")).checkCommand },
  plan: { summary: "plan [--app NAME] [--stack ENV] [--format json|yaml]   the compiled plan: the exact Graph bodies (tokens as [secret])", load: () => (require("./plan") as typeof import("./plan")).planCommand },
};

export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    io.stdout(usage());
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr(`scimops: unknown command \`${name}\`\n${usage()}`);
    return 2;
  }
  // Commands load on demand so that `scimops eval` does not pay for Pulumi or the Graph client.
  return command.load()(args, io);
}

function usage(): string {
  return ["usage: scimops <command> [options]", "", ...Object.values(COMMANDS).map((c) => `  ${c.summary}`)].join("\n");
}
