#!/usr/bin/env node
// Entry point of the `scimops` command. The sources are TypeScript; tsx compiles them on load
// so that there is no separate build step to forget.
require("tsx/cjs");
// `scimops preview | head` closes the pipe early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (err) => {
    if (err && err.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw err;
  });
}
const { main } = require("../src/cli/main.ts");
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    // A failure no command anticipated: its message, and the stack only when asked for (SCIMOPS_DEBUG=1).
    const message = err && err.message ? err.message : String(err);
    const detail = process.env.SCIMOPS_DEBUG ? (err && err.stack) || message : `${message}\n(set SCIMOPS_DEBUG=1 for the stack trace)`;
    process.stderr.write(`scimops: internal error: ${detail}\n`);
    process.exitCode = 70;
  },
);
