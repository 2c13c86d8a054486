/** A problem found in an input file, reported as `FILE:LINE:COL: error: what is wrong — how to fix it`. */
export interface Diagnostic {
  file: string;
  line: number;
  column: number;
  severity: "error" | "warning";
  /** What is wrong, naming the field. */
  message: string;
  /** How to fix it. */
  fix: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  const how = d.fix ? ` — ${d.fix}` : "";
  return `${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message}${how}`;
}

/** A diagnostic as data (`validate --format json`): the same fields as the text form, named for tools. */
export interface DiagnosticRecord {
  file: string;
  line: number;
  col: number;
  severity: Diagnostic["severity"];
  message: string;
  fix: string;
}

export function diagnosticRecord(d: Diagnostic): DiagnosticRecord {
  return { file: d.file, line: d.line, col: d.column, severity: d.severity, message: d.message, fix: d.fix };
}

/** Thrown when an input file cannot be used; carries every problem found, not just the first. */
export class SpecError extends Error {
  constructor(readonly diagnostics: readonly Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join("\n"));
    this.name = "SpecError";
  }
}

/** Closest candidate by edit distance, for "did you mean" hints; undefined when nothing is close. */
export function nearest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestScore = Infinity;
  for (const c of candidates) {
    const score = editDistance(word.toLowerCase(), c.toLowerCase());
    if (score < bestScore) {
      bestScore = score;
      best = c;
    }
  }
  return best !== undefined && bestScore <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}
