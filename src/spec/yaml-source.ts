/**
 * A YAML file parsed with positions, so that every problem can point at the exact line of the value.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type Pair } from "yaml";
import type { Diagnostic } from "./diagnostics";

export type Path = readonly (string | number)[];

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
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    const source = new YamlSource(file, text, doc, lines);
    const diagnostics: Diagnostic[] = [...doc.errors, ...doc.warnings].map((e) => {
      const pos = lines.linePos(e.pos[0]);
      return {
        file,
        line: pos.line,
        column: pos.col,
        severity: doc.errors.includes(e) ? "error" : "warning",
        message: `YAML ${e.code === "DUPLICATE_KEY" ? "duplicate key" : "syntax error"}: ${firstLine(e.message)}`,
        fix:
          e.code === "DUPLICATE_KEY"
            ? "remove or rename one of the two keys"
            : "fix the YAML syntax (indentation, quoting, `key: value`)",
      };
    });
    return { source, diagnostics };
  }

  /** The plain JS value of the document (undefined when empty). */
  toJS(): unknown {
    return this.doc.toJS({ maxAliasCount: 100 });
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
