/**
 * `npm run emulator -- [--seed FILE] [--port N]`: the Graph emulator on 127.0.0.1 for people trying scimops
 * without a tenant, seeded with portal-configured apps (docs/emulator.md). Prints its URL and token; Ctrl-C stops it.
 */
import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { startGraphEmulator } from "../test/emulators/graph";
import { applySeed, readSeedFile } from "../test/emulators/graph/seed";

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { seed: { type: "string" }, port: { type: "string" }, token: { type: "string" } }, strict: true });
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port takes a port number, not ${values.port}`);
  const emulator = await startGraphEmulator({ port, ...(values.token ? { token: values.token } : {}) });
  const apps = values.seed ? await applySeed(emulator, readSeedFile(resolve(values.seed))) : [];
  const lines = [
    `Graph emulator at ${emulator.url}`,
    `token: ${emulator.token}`,
    "",
    "Point scimops at it:",
    `  export SCIMOPS_GRAPH_ACCESS_TOKEN=${emulator.token}`,
    `  scimops import --graph-base-url ${emulator.url} --app NAME --display-name "…" --stack dev`,
    `  (and \`pulumi config set --stack dev scimops:graphBaseUrl ${emulator.url}\` for pulumi up)`,
  ];
  for (const a of apps) lines.push(`seeded ${a.displayName}: service principal ${a.servicePrincipalId}, job ${a.jobId}`);
  process.stdout.write(`${lines.join("\n")}\n`);
  const stop = () => void emulator.close().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`emulator: ${(e as Error).message}\n`);
  process.exit(2);
});
