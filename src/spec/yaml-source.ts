/**
 * A YAML file parsed with positions, so that every problem can point at the exact line of the value.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node, type Pair, type YAMLError } from "yaml";
import type { Diagnostic } from "./diagnostics";

export type Path = readonly (string | number)[];

/** Alias expansions allowed when a document becomes plain values (yaml's resource-exhaustion guard). */
export const MAX_ALIAS_COUNT = 100;

export interface Position {
  line: number;
  column: number;
}

export class YamlSource {
  private constructor(
    readonly file: string,
    readonly text: string,
    private readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
  ) {}

  static parse(file: string, text: string): { source: YamlSource; diagnostics: Diagnostic[] } {
    const lines = new LineCounter();
    const binary = binaryProblem(text);
    // A binary file would parse as one long scalar; say what it is instead.
    const doc = parseDocument(binary ? "" : text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    const source = new YamlSource(file, text, doc, lines);
    if (binary) return { source, diagnostics: [{ file, line: 1, column: 1, severity: "error", message: binary, fix: "give the path of a YAML text file (UTF-8)" }] };
    const at = (offset: number) => lines.linePos(offset);
    const toDiagnostic = (e: YAMLError, severity: Diagnostic["severity"]): Diagnostic => {
      const explained = explainYamlError(e, text);
      const pos = at(explained.offset ?? e.pos[0]);
      return { file, line: pos.line, column: pos.col, severity, message: explained.message, fix: explained.fix };
    };
    // After a syntax error the parser's later complaints are mostly consequences of it: one mistake, one
    // message. Duplicate keys are independent mistakes, each reported.
    const syntax = doc.errors.filter((e) => e.code !== "DUPLICATE_KEY");
    const errors = syntax.length ? [syntax[0]!] : doc.errors;
    const diagnostics: Diagnostic[] = [...errors.map((e) => toDiagnostic(e, "error")), ...doc.warnings.map((e) => toDiagnostic(e, "warning"))];
    // A list or mapping used as a key (`? key: value`, `[a]: b`) is valid YAML that no scimops file means; the
    // yaml library would stringify it with a process warning and the line would silently vanish.
    if (!diagnostics.some((d) => d.severity === "error")) {
      visit(doc, {
        Pair(_, pair) {
          const key = pair.key as Node | null;
          if (!(isMap(key) || isSeq(key))) return undefined;
          // A block map's own range can start after its first entry; its first item is where it is written.
          const first = key.items[0] as Pair<Node, Node> | Node | undefined;
          const firstNode = first && "key" in (first as object) ? (first as Pair<Node, Node>).key : (first as Node | undefined);
          const start = Math.min(key.range?.[0] ?? Infinity, firstNode?.range?.[0] ?? Infinity);
          const pos = at(Number.isFinite(start) ? start : 0);
          diagnostics.push({ file, line: pos.line, column: pos.col, severity: "error", message: "a list or mapping is used as a key (an explicit `? ` key, or `[…]:` / `{…}:`)", fix: "write `key: value` with a plain name as the key" });
          return visit.BREAK;
        },
      });
    }
    if (!diagnostics.some((d) => d.severity === "error")) {
      try {
        source.value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
      } catch (err) {
        if (!(err instanceof ReferenceError)) throw err;
        // yaml's guard against "billion laughs": aliases that expand to more nodes than any real file needs.
        const alias = /(^|[\s[{,:-])\*[^\s,\]}]+/m.exec(text);
        const pos = at(alias ? alias.index + alias[1]!.length : 0);
        diagnostics.push({ file, line: pos.line, column: pos.col, severity: "error", message: `YAML aliases expand to too many values (${err.message.toLowerCase()})`, fix: `write the values out instead of nesting aliases (at most ${MAX_ALIAS_COUNT} alias expansions)` });
      }
    }
    return { source, diagnostics };
  }

  private value: unknown;

  /** The plain JS value of the document (undefined when empty), computed once by `parse`. */
  toJS(): unknown {
    return this.value;
  }

  /** Where the value at `path` starts; falls back to the nearest ancestor that exists. */
  locate(path: Path): Position {
    return this.offsetToPosition(this.nodeAt(path)?.range?.[0] ?? 0);
  }

  /** Where the key `key` of the mapping at `path` is written (for unknown-key errors). */
  locateKey(path: Path, key: string): Position {
    const node = this.nodeAt(path);
    if (isMap(node)) {
      const pair = node.items.find((p: Pair) => isScalar(p.key) && p.key.value === key);
      const keyNode = pair?.key as Node | undefined;
      if (keyNode?.range) return this.offsetToPosition(keyNode.range[0]);
    }
    return this.locate(path);
  }

  /** Position of a character offset inside the scalar at `path` (offset counted in the scalar's text). */
  locateInside(path: Path, offsetInValue: number): Position {
    const node = this.nodeAt(path);
    if (isScalar(node) && node.range) {
      const raw = this.text.slice(node.range[0], node.range[1]);
      const quoted = raw.startsWith('"') || raw.startsWith("'");
      const plainOnOneLine = !raw.includes("\n") && (node.type === "PLAIN" || node.type === "QUOTE_SINGLE");
      // Offsets map one to one only where YAML adds nothing but the opening quote; otherwise the value start is the best we know.
      if (plainOnOneLine || (node.type === "QUOTE_DOUBLE" && !raw.includes("\\") && !raw.includes("\n"))) {
        return this.offsetToPosition(node.range[0] + (quoted ? 1 : 0) + offsetInValue);
      }
      return this.offsetToPosition(node.range[0]);
    }
    return this.locate(path);
  }

  private nodeAt(path: Path): Node | undefined {
    let node: unknown = this.doc.contents;
    let last: Node | undefined = node as Node | undefined;
    for (const part of path) {
      if (isMap(node)) {
        const pair = node.items.find((p: Pair) => isScalar(p.key) && p.key.value === part);
        node = pair?.value ?? pair?.key;
      } else if (isSeq(node) && typeof part === "number") {
        node = node.items[part];
      } else {
        break;
      }
      if (node === undefined || node === null) break;
      last = node as Node;
    }
    return last;
  }

  private offsetToPosition(offset: number): Position {
    const p = this.lines.linePos(offset);
    return { line: p.line, column: p.col };
  }
}

function firstLine(s: string): string {
  return s.split("\n")[0] ?? s;
}

/** NUL bytes or undecodable bytes (U+FFFD from the UTF-8 decoder) mean this is not a text file. */
function binaryProblem(text: string): string | undefined {
  const sample = text.slice(0, 8192);
  if (sample.includes("\u0000")) return "this is a binary file (it contains NUL bytes), not YAML";
  const undecodable = sample.match(/\uFFFD/g)?.length ?? 0;
  if (undecodable > 0 && undecodable * 100 > sample.length) return "this is not a UTF-8 text file, so not YAML";
  return undefined;
}

interface ExplainedError {
  message: string;
  fix: string;
  /** Where the mistake is, when the parser noticed it later. */
  offset?: number;
}

function explainYamlError(e: YAMLError, text: string): ExplainedError {
  const what = firstLine(e.message);
  if (e.code === "DUPLICATE_KEY") return { message: `YAML duplicate key: ${what}`, fix: "remove or rename one of the two keys" };
  if (/Maximum call stack size exceeded/.test(what)) return { message: "YAML nesting is too deep to read (the parser ran out of stack here)", fix: "app and stack files nest a few levels deep; flatten this structure" };
  if (e.code === "TAB_AS_INDENT") return { message: "YAML syntax error: a tab indents this line; YAML indentation is spaces only", fix: "replace the tab with spaces" };
  if (/^Flow (map|sequence)/.test(what) || e.code === "MISSING_CHAR") {
    const close = /sequence|\]/.test(what) ? "]" : "}";
    const open = close === "]" ? "[" : "{";
    const offset = unclosedOpening(text, e.pos[0], open, close);
    if (offset !== undefined) return { message: `YAML syntax error: the \`${open}\` opened here is never closed`, fix: `add the closing \`${close}\` at the end of this line`, offset };
  }
  return { message: `YAML syntax error: ${what}`, fix: "fix the YAML syntax (indentation, quoting, `key: value`)" };
}

/** The last `open` before `before` that no `close` balances (quotes and comments skipped). */
function unclosedOpening(text: string, before: number, open: string, close: string): number | undefined {
  const stack: number[] = [];
  let quote: string | undefined;
  for (let i = 0; i < before && i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === quote) quote = undefined;
      else if (ch === "\\" && quote === '"') i++;
      continue;
    }
    if (ch === '"' || ch === "'") quote = ch;
    else if (ch === "#" && (i === 0 || /\s/.test(text[i - 1]!))) while (i < text.length && text[i] !== "\n") i++;
    else if (ch === open) stack.push(i);
    else if (ch === close) stack.pop();
  }
  return stack.pop();
}
