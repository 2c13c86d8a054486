// String constants of the expression language, and the text form used to compare expressions.
// No imports on purpose: the schema resource's provider (src/entra/schema-merge.ts) uses these, and
// Pulumi serializes provider code by value (see src/entra/helpers.ts).
//
// Escapes (graph-sync.md §13.3; MicrosoftDocs/entra-docs reference-expressions.md "Syntax overview"):
// only `\"` and `\\` are escapes. Any other backslash is kept as it is, which Microsoft's own samples
// rely on: the group-DN sample `Replace([extension_<AppId>_GroupDN], "\,", , , "\2C", , )` and regexes
// such as `"\+(?<isdCode>49)"`.

/**
 * Quotes a string constant with as few escapes as the language allows: a backslash is doubled only
 * where it would otherwise be read as an escape (before `"`, before `\`, or at the end), so
 * `\,` prints as `"\,"` — the way Microsoft writes it — and reads back as the same value.
 */
export function quoteString(value: string): string {
  let out = '"';
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '"') out += '\\"';
    else if (c === "\\") {
      const next = value[i + 1];
      out += next === undefined || next === "\\" || next === '"' ? "\\\\" : "\\";
    } else out += c;
  }
  return out + '"';
}

/**
 * The value of a string constant whose opening quote is at `text[start]`, and the index just past its
 * closing quote; undefined when the constant is not terminated.
 */
export function readStringConstant(text: string, start: number): { value: string; end: number } | undefined {
  let value = "";
  for (let j = start + 1; j < text.length; j++) {
    const c = text[j]!;
    if (c === '"') return { value, end: j + 1 };
    if (c === "\\" && (text[j + 1] === '"' || text[j + 1] === "\\")) {
      value += text[++j];
      continue;
    }
    value += c;
  }
  return undefined;
}

/**
 * The form in which two expression texts are compared: white space outside string constants removed,
 * string constants re-quoted canonically (`"\\d"` and `"\d"` are the same constant). Function names
 * and attribute names keep their case (the engine is case-sensitive, §5.1). Never throws: text that
 * does not lex is compared as it is after white-space removal.
 */
export function comparableExpressionText(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; ) {
    const c = text[i]!;
    if (c === '"') {
      const s = readStringConstant(text, i);
      if (!s) return out + text.slice(i);
      out += quoteString(s.value);
      i = s.end;
    } else if (c === "[") {
      // Attribute names may contain spaces and quotes (`emails[type eq "work"].value` is a target, not a source,
      // but source names like `extension_..._Group DN` exist); copy up to the closing bracket.
      const close = text.indexOf("]", i);
      if (close < 0) return out + text.slice(i);
      out += text.slice(i, close + 1);
      i = close + 1;
    } else {
      if (!/\s/.test(c)) out += c;
      i++;
    }
  }
  return out;
}
