/**
 * Loading an app file: YAML with positions → zod → AppSpec, with every problem as a Diagnostic that
 * names the file, line and field and says how to fix it.
 */
import { readFileSync } from "node:fs";
import type { z } from "zod";
import { AppSpec } from "./schema";
import { nearest, type Diagnostic } from "./diagnostics";
import { YamlSource, type Path } from "./yaml-source";
// zod does not report the allowed keys of a strict object; the JSON Schema walker knows them.
import { allowedKeys } from "./schema-keys";

export interface LoadedApp {
  file: string;
  spec: AppSpec;
  source: YamlSource;
}

export type LoadResult = { ok: true; app: LoadedApp; diagnostics: Diagnostic[] } | { ok: false; diagnostics: Diagnostic[] };

const SECRET_FIELDS = new Set(["secretToken", "token"]);

export function loadAppFile(file: string): LoadResult {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === "ENOENT" ? "file not found" : String(err);
    return {
      ok: false,
      diagnostics: [{ file, line: 1, column: 1, severity: "error", message: reason, fix: "check the path" }],
    };
  }
  return loadAppText(file, text);
}

export function loadAppText(file: string, text: string): LoadResult {
  const { source, diagnostics } = YamlSource.parse(file, text);
  if (diagnostics.some((d) => d.severity === "error")) return { ok: false, diagnostics };
  const raw = source.toJS();
  if (raw === null || raw === undefined) {
    return { ok: false, diagnostics: [{ file, line: 1, column: 1, severity: "error", message: "the file is empty (no YAML content, only comments or blank lines)", fix: "start from one of the files in mappings/" }] };
  }
  if (typeof raw !== "object" || Array.isArray(raw)) {
    return {
      ok: false,
      diagnostics: [
        {
          file,
          line: 1,
          column: 1,
          severity: "error",
          message: "an app file is a YAML mapping with `name`, `displayName` and `entra` and/or `okta`",
          fix: "start from one of the files in mappings/",
        },
      ],
    };
  }
  const parsed = AppSpec.safeParse(raw);
  if (!parsed.success) {
    return { ok: false, diagnostics: [...diagnostics, ...issuesToDiagnostics(parsed.error.issues, source, raw)] };
  }
  return { ok: true, app: { file, spec: parsed.data, source }, diagnostics };
}

/** Turns zod issues into positioned diagnostics; for unions, reports the branch the author most likely meant. */
export function issuesToDiagnostics(issues: readonly z.core.$ZodIssue[], source: YamlSource, raw: unknown, keysAt: KeysAt = allowedKeys): Diagnostic[] {
  const flat = flattenIssues(issues, raw);
  // A misspelt required key is one mistake: "unknown key `sourceObjet` — did you mean `sourceObject`?" says it
  // all, so the "missing required field `sourceObject`" that follows from it is dropped.
  const meant = new Set<string>();
  for (const issue of flat) {
    if (issue.code !== "unrecognized_keys") continue;
    const parent = issue.path as (string | number)[];
    for (const key of issue.keys) {
      const guess = nearest(key, keysAt(parent));
      if (guess) meant.add(JSON.stringify([...parent, guess]));
    }
  }
  const kept = flat.filter((issue) => !(issue.code === "invalid_type" && valueAt(raw, issue.path as Path) === undefined && meant.has(JSON.stringify(issue.path))));
  return kept.map((issue) => issueToDiagnostic(issue, source, raw, keysAt));
}

/** Which keys the schema allows at a path (for "did you mean"). */
export type KeysAt = (path: readonly (string | number)[]) => string[];

function flattenIssues(issues: readonly z.core.$ZodIssue[], raw: unknown, prefix: Path = []): z.core.$ZodIssue[] {
  const out: z.core.$ZodIssue[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...(issue.path as (string | number)[])];
    if (issue.code === "invalid_union" && issue.errors.length > 0) {
      const value = valueAt(raw, path);
      // A string where an object is expected is its own message (e.g. a literal secret); otherwise the
      // branch with the fewest and deepest problems is the one the author was writing.
      const branches = issue.errors.map((branch) => flattenIssues(branch, raw, path));
      const ranked = branches
        .map((b) => ({ b, score: b.length * 10 - Math.max(0, ...b.map((i) => i.path.length)) }))
        .sort((x, y) => x.score - y.score);
      const best = typeof value === "object" && value !== null ? ranked.find((r) => !isTopLevelTypeMismatch(r.b, path)) : ranked[0];
      out.push(...(best ?? ranked[0])!.b);
      continue;
    }
    out.push({ ...issue, path } as z.core.$ZodIssue);
  }
  return out;
}

function isTopLevelTypeMismatch(issues: z.core.$ZodIssue[], path: Path): boolean {
  return issues.length === 1 && issues[0]!.code === "invalid_type" && issues[0]!.path.length === path.length;
}

function issueToDiagnostic(issue: z.core.$ZodIssue, source: YamlSource, raw: unknown, keysAt: KeysAt): Diagnostic {
  const path = issue.path as (string | number)[];
  const field = path.length ? path.join(".") : "(top level)";
  const at = (p = source.locate(path)) => ({ file: source.file, line: p.line, column: p.column, severity: "error" as const });
  const value = valueAt(raw, path);
  const last = path[path.length - 1];

  if (typeof last === "string" && SECRET_FIELDS.has(last) && typeof value === "string") {
    return {
      ...at(),
      message: `${field} holds a literal secret; secrets never go in mapping files`,
      fix: `write \`${last}: { config: <key> }\` and store the value with \`pulumi config set --secret <key>\`; rotate the exposed token`,
    };
  }
  switch (issue.code) {
    case "unrecognized_keys": {
      const parentSchemaKeys = keysAt(path);
      const key = issue.keys[0]!;
      const guess = nearest(key, parentSchemaKeys);
      const unusual = [...new Set([...key].filter((c) => c < " " || c > "~"))].map((c) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`);
      return {
        ...at(source.locateKey(path, key)),
        message: `unknown key \`${key}\` in ${field}${unusual.length ? ` (it contains ${unusual.join(", ")}, which looks like a plain letter or is invisible)` : ""}`,
        fix: guess
          ? `did you mean \`${guess}\`?`
          : parentSchemaKeys.length
            ? `allowed keys here: ${parentSchemaKeys.join(", ")}`
            : "remove it",
      };
    }
    case "invalid_type":
      if (value === undefined) {
        const parent = path.slice(0, -1);
        return { ...at(source.locate(parent)), message: `missing required field \`${field}\``, fix: `add \`${String(last)}:\` (${issue.expected})` };
      }
      if (issue.expected === "array" && typeof value === "string") {
        // `domains: a.example; b.example` — one text where YAML wants a list.
        const items = value.split(/\s*[;,]\s*/).filter(Boolean);
        const separated = items.length > 1 ? ` (${value.includes(";") ? "semicolons" : "commas"} do not make a YAML list)` : "";
        return { ...at(), message: `${field} must be a list, not the text ${JSON.stringify(value)}${separated}`, fix: `write [${items.join(", ")}]` };
      }
      if (last === "source" && issue.expected === "string" && Array.isArray(value)) {
        // `source: [mail]` is a YAML list holding "mail", not the expression [mail].
        return { ...at(), message: `${field} is a YAML list, not an expression: unquoted [ ] starts a list in YAML`, fix: `quote the expression: source: "[${value.map(String).join(", ")}]"` };
      }
      return {
        ...at(),
        message: `${field} must be ${article(issue.expected)}, not ${describe(value)}`,
        fix: `write ${article(issue.expected)} here`,
      };
    case "invalid_value": {
      const allowed = issue.values.map(String);
      const guess = typeof value === "string" ? nearest(value, allowed) : undefined;
      return {
        ...at(),
        message: `${field}: ${JSON.stringify(value)} is not allowed`,
        fix: guess ? `did you mean ${JSON.stringify(guess)}? (one of ${allowed.join(", ")})` : `use one of ${allowed.join(", ")}`,
      };
    }
    case "too_small":
      return { ...at(), message: `${field}: ${issue.message}`, fix: Array.isArray(value) ? "add at least one entry" : "use a larger value" };
    case "too_big":
      return { ...at(), message: `${field}: ${issue.message}`, fix: "use a smaller value" };
    default:
      return { ...at(), message: `${field}: ${issue.message}`, fix: "see schema/app.schema.json for the allowed form" };
  }
}


function valueAt(raw: unknown, path: Path): unknown {
  let v: unknown = raw;
  for (const p of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string | number, unknown>)[p];
  }
  return v;
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a mapping";
  return `${typeof v} ${JSON.stringify(v)}`;
}

function article(expected: string): string {
  const noun = expected === "object" ? "mapping" : expected === "array" ? "list" : expected;
  return /^[aeiou]/.test(noun) ? `an ${noun}` : `a ${noun}`;
}
