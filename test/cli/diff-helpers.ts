/** A real git repository in a temporary folder holding the project's files, and the diff command run in it. */
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Root, RootContent, Table } from "mdast";
import { fromMarkdown } from "mdast-util-from-markdown";
import { gfmFromMarkdown } from "mdast-util-gfm";
import { gfm } from "micromark-extension-gfm";
import { diffCommand } from "../../src/cli/diff";
import type { DiffReport } from "../../src/diff/model";

const projectRoot = join(__dirname, "..", "..");

export class TestRepo {
  readonly dir = mkdtempSync(join(tmpdir(), "scimops-diff-"));

  constructor() {
    for (const d of ["mappings", "stacks", "examples"]) cpSync(join(projectRoot, d), join(this.dir, d), { recursive: true });
    cpSync(join(projectRoot, "Pulumi.yaml"), join(this.dir, "Pulumi.yaml"));
    this.git("init", "-q", "-b", "main");
    this.commit("base");
  }

  git(...args: string[]): string {
    return execFileSync("git", ["-c", "user.email=t@example.com", "-c", "user.name=t", ...args], { cwd: this.dir, encoding: "utf8" });
  }

  commit(message: string): void {
    this.git("add", "-A");
    this.git("commit", "-qm", message);
  }

  /** Edits a file of the working tree; every `[from, to]` must match. */
  edit(file: string, ...replacements: [string, string][]): void {
    const path = join(this.dir, file);
    let text = readFileSync(path, "utf8");
    for (const [from, to] of replacements) {
      if (!text.includes(from)) throw new Error(`${file}: no ${JSON.stringify(from)}`);
      text = text.replace(from, to);
    }
    writeFileSync(path, text);
  }

  write(file: string, text: string): void {
    writeFileSync(join(this.dir, file), text);
  }

  /** Back to the base commit. */
  reset(): void {
    this.git("checkout", "-q", "--", ".");
    this.git("clean", "-fdq");
  }

  async run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const cwd = process.cwd();
    process.chdir(this.dir);
    try {
      const code = await diffCommand(["--base", "main", ...args], { stdout: (s) => void out.push(s), stderr: (s) => void err.push(s) });
      return { code, out: out.join("\n"), err: err.join("\n") };
    } finally {
      process.chdir(cwd);
    }
  }

  async json(...args: string[]): Promise<DiffReport> {
    const { out, err } = await this.run("--format", "json", ...args);
    if (!out) throw new Error(err);
    return JSON.parse(out) as DiffReport;
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

// ---- The comment as GitHub renders it: parsed with a GFM parser, then read as tables and sections. ----

export function parse(markdown: string): Root {
  return fromMarkdown(markdown, { extensions: [gfm()], mdastExtensions: [gfmFromMarkdown()] });
}

export function text(node: unknown): string {
  const n = node as { value?: string; children?: unknown[]; type?: string };
  if (n.type === "html") return "";
  if (typeof n.value === "string") return n.value;
  return (n.children ?? []).map(text).join("");
}

/** A table's rows (header first) as cell texts. */
export function rows(table: Table): string[][] {
  return table.children.map((row) => row.children.map((cell) => text(cell).trim()));
}

export function tables(nodes: readonly RootContent[]): Table[] {
  return nodes.filter((n): n is Table => n.type === "table");
}

/** The summary table: the comment's first table, as objects keyed by its header. */
export function summary(tree: Root): Record<string, string>[] {
  const first = tables(tree.children)[0];
  if (!first) return [];
  const [header, ...body] = rows(first);
  return body.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i]!])));
}

export interface DetailsSection {
  summary: string;
  nodes: RootContent[];
  /** The texts of the headings inside. */
  headings: string[];
  /** List items' texts under the heading starting with `title`. */
  items: (title: string) => string[];
  /** The table under the heading starting with `title`, keyed by its header. */
  table: (title: string) => Record<string, string>[];
}

/** Each `<details>` block: its `<summary>` text and the Markdown nodes inside it. */
export function details(tree: Root): DetailsSection[] {
  const out: DetailsSection[] = [];
  let current: RootContent[] | null = null;
  let title = "";
  for (const node of tree.children) {
    if (node.type === "html" && node.value.startsWith("<details>")) {
      current = [];
      title = /<summary>([\s\S]*)<\/summary>/.exec(node.value)?.[1]?.replace(/<[^>]+>/g, "") ?? "";
      continue;
    }
    if (node.type === "html" && node.value.startsWith("</details>") && current) {
      out.push(section(title, current));
      current = null;
      continue;
    }
    current?.push(node);
  }
  return out;
}

function section(summaryText: string, nodes: RootContent[]): DetailsSection {
  const under = (title: string): RootContent[] => {
    const start = nodes.findIndex((n) => n.type === "heading" && text(n).startsWith(title));
    if (start < 0) return [];
    const end = nodes.findIndex((n, i) => i > start && n.type === "heading");
    return nodes.slice(start + 1, end < 0 ? undefined : end);
  };
  return {
    summary: summaryText,
    nodes,
    headings: nodes.filter((n) => n.type === "heading").map(text),
    items: (title) => under(title).flatMap((n) => (n.type === "list" ? n.children.map((li) => text(li).trim()) : [])),
    table: (title) => {
      const t = tables(under(title))[0];
      if (!t) return [];
      const [header, ...body] = rows(t);
      return body.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i]!])));
    },
  };
}
