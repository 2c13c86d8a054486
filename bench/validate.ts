// Validates a 100k-row app file (test/spec/huge-app.ts) and prints one JSON line with the time each stage takes.
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hugeAppText, HUGE_ROWS } from "../test/spec/huge-app";
import { YamlSource } from "../src/spec/yaml-source";
import { loadProject } from "../src/spec/project";

const root = join(__dirname, "..");
const dir = mkdtempSync(join(tmpdir(), "scimops-bench-"));
const file = join(dir, "huge.yaml");
const { text } = hugeAppText(root);
writeFileSync(file, text);
let t = performance.now();
YamlSource.parse(file, text);
const yamlMs = performance.now() - t;
t = performance.now();
const { diagnostics } = loadProject([file], []);
const validateMs = performance.now() - t;
rmSync(dir, { recursive: true, force: true });
console.log(JSON.stringify({ bench: "validate", rows: HUGE_ROWS, bytes: text.length, errors: diagnostics.filter((d) => d.severity === "error").length, yamlParseMs: Math.round(yamlMs), validateMs: Math.round(validateMs) }));
