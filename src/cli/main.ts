/**
 * `scimops` command line: Commander builds `--help`, `scimops help COMMAND`, `--version`, and usage
 * errors (exit 2) from the declarations in ./commands; each command's logic lives in its own module.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Command, CommanderError, Option } from "commander";
import { COMMANDS, type CommandRun, type CommandSpec, synopsis } from "./commands";
import { processIO, type CliIO } from "./io";

/** Exit status of a usage error (unknown command or option, missing value). */
export const USAGE_EXIT = 2;

function version(): string {
  return (JSON.parse(readFileSync(join(__dirname, "..", "..", "package.json"), "utf8")) as { version: string }).version;
}

function buildProgram(io: CliIO, run: (spec: CommandSpec) => void): Command {
  const program = new Command("scimops")
    .description("SCIM provisioning as code: Entra ID and Okta app provisioning as a TypeScript Pulumi project")
    .usage("<command> [options]")
    .version(version(), "-V, --version", "print the version")
    .helpOption("-h, --help", "print help")
    .helpCommand("help [COMMAND]", "print help for a command")
    .configureOutput({
      writeOut: (text) => io.stdout(text),
      writeErr: (text) => io.stderr(text),
      getOutHasColors: () => io.color?.stdout ?? false,
      getErrHasColors: () => io.color?.stderr ?? false,
    })
    .showHelpAfterError("(run `scimops help` for the list of commands)")
    .exitOverride();
  for (const spec of COMMANDS) {
    const command = program
      .command(spec.name)
      .description(spec.summary)
      .usage(synopsis(spec).replace(/^scimops \S+ /, ""))
      .helpOption("-h, --help", "print help")
      .showHelpAfterError(`usage: ${synopsis(spec)}\n(run \`scimops help ${spec.name}\` for details)`);
    if (spec.args) command.argument(spec.args);
    for (const o of spec.options) {
      const option = new Option(o.flags, o.description);
      if (o.choices) option.choices(o.choices);
      if (o.defaultValue !== undefined) option.default(o.defaultValue);
      if (o.required) option.makeOptionMandatory();
      if (o.repeatable) option.argParser((value: string, previous: unknown) => [...(Array.isArray(previous) ? previous : []), value]);
      command.addOption(option);
    }
    if (spec.passThrough) command.allowUnknownOption().allowExcessArguments();
    if (spec.help) command.addHelpText("after", `\n${spec.help}`);
    command.action(() => run(spec));
  }
  return program;
}

export type LoadCommand = (spec: CommandSpec) => CommandRun | Promise<CommandRun>;

const requireCommand: LoadCommand = (spec) => (require(`./${spec.module}`) as Record<string, CommandRun>)[spec.handler]!;

export async function main(argv: string[], io: CliIO = processIO, load: LoadCommand = requireCommand): Promise<number> {
  let chosen: CommandSpec | undefined;
  const program = buildProgram(io, (spec) => (chosen = spec));
  if (argv.length === 0) {
    io.stderr(program.helpInformation());
    return USAGE_EXIT;
  }
  if (argv[0] === "help" && argv[1] !== undefined && !COMMANDS.some((c) => c.name === argv[1])) {
    io.stderr(`error: unknown command '${argv[1]}'\n${program.helpInformation()}`);
    return USAGE_EXIT;
  }
  try {
    program.parse(argv, { from: "user" });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : USAGE_EXIT;
    throw err;
  }
  if (!chosen) return USAGE_EXIT;
  // Commander has checked the arguments; the module reads them itself (its own defaults and messages),
  // from the raw list after the command name (options never come before it: the program has none that take values).
  const run = await load(chosen);
  return run(argv.slice(argv.indexOf(chosen.name) + 1), io);
}

