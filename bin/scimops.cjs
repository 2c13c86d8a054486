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
    process.stderr.write(`scimops: ${err && err.stack ? err.stack : String(err)}\n`);
    process.exitCode = 70;
  },
);
