/**
 * Streaming readers for user files: the elements of a top-level JSON array, of the `value` array of a
 * Graph list response (`{"@odata.context": …, "value": [...]}`), or the lines of an NDJSON file — one
 * element at a time, so memory stays flat however many users the file holds. A mistake anywhere in the
 * file, however far into it, is one `FILE:LINE:COL: error: what — how to fix` (the users before it have
 * been handed on by then: the preview of a 1,000,000-user file does not wait for the whole file).
 */
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { formatDiagnostic } from "../spec/diagnostics";
import { locateJsonError, positionIn } from "./json-error";
import { asSampleUser, type SampleUser, SampleUserError } from "./users";

/** A users file that cannot be read: where (1-based line and column), what and how to fix it. */
export class UserFileError extends Error {
  constructor(
    readonly what: string,
    readonly line: number,
    readonly column: number,
    readonly fix: string,
    readonly file?: string,
  ) {
    super(file === undefined ? `line ${line}, column ${column}: ${what} — ${fix}` : formatDiagnostic({ file, line, column, severity: "error", message: what, fix }));
  }

  /** The same error, naming the file (its message is then the FILE:LINE:COL diagnostic). */
  in(file: string): UserFileError {
    return new UserFileError(this.what, this.line, this.column, this.fix, file);
  }
}

const FIX_JSON = "correct the JSON there (a users file is a JSON array of user objects)";

/** Splits a stream of JSON text into the elements of its top-level array (or of a Graph list's `value`). */
export class JsonArraySplitter {
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** Depth at which elements live: 1 for `[...]`, 2 for `{"value": [...]}`; 0 = not inside the array yet. */
  private elementDepth = 0;
  private mode: "unknown" | "array" | "object" = "unknown";
  private done = false;
  /** Text of the current element collected from earlier chunks. */
  private pieces: string[] = [];
  private elementStart = -1;
  /** The last string seen at depth 1 of a top-level object (candidate key), and where it started. */
  private keyStart = -1;
  private keyPieces: string[] = [];
  private lastKey: string | null = null;
  private line = 1;
  /** Offset (in the whole text) of the current chunk's first character, and of the current line's. */
  private offset = 0;
  private lineStart = 0;
  /** Where the current element starts. */
  private startLine = 0;
  private startColumn = 0;
  private elements = 0;
  /** Line and column of each element the last `push` returned: [line0, column0, line1, column1, …]. */
  readonly starts: number[] = [];

  private error(what: string, i: number, fix = FIX_JSON): UserFileError {
    return new UserFileError(what, this.line, this.offset + i - this.lineStart + 1, fix);
  }

  /** The mistake `push` stopped at, thrown by the next `push` or `end` (after the users before it). */
  private failure: UserFileError | null = null;

  /**
   * Feeds one chunk; returns the elements it completed (their positions in `starts`). At a mistake it
   * returns the elements before it, and the next call (`push`, `end` or `check`) throws the error.
   */
  push(chunk: string): unknown[] {
    this.check();
    const out: unknown[] = [];
    this.starts.length = 0;
    try {
      this.scan(chunk, out);
    } catch (err) {
      if (!(err instanceof UserFileError)) throw err;
      this.failure = err;
    }
    return out;
  }

  /** Throws the mistake the last `push` stopped at, if any. */
  check(): void {
    if (this.failure) throw this.failure;
  }

  private scan(chunk: string, out: unknown[]): void {
    const last = chunk.length - 1;
    for (let i = 0; i < chunk.length; i++) {
      let c = chunk.charCodeAt(i);
      // Skip the characters the steps below do nothing with: inside a string, all but a quote, a
      // backslash or a newline; inside a user, all but quotes, brackets, braces and newlines.
      if (this.inString) {
        if (!this.escaped) while (c !== 34 && c !== 92 && c !== 10 && i < last) c = chunk.charCodeAt(++i);
      } else if (this.elementStart >= 0) {
        while (c !== 34 && c !== 91 && c !== 93 && c !== 123 && c !== 125 && c !== 10 && i < last) c = chunk.charCodeAt(++i);
      }
      if (c === 10) {
        this.line++;
        this.lineStart = this.offset + i + 1;
      }
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 92 /* \ */) this.escaped = true;
        else if (c === 34 /* " */) {
          this.inString = false;
          if (this.keyStart >= 0) {
            this.keyPieces.push(chunk.slice(this.keyStart, i));
            this.lastKey = this.keyPieces.join("");
            this.keyPieces = [];
            this.keyStart = -1;
          }
        }
        continue;
      }
      if (c === 32 || c === 9 || c === 10 || c === 13 || (c === 0xfeff && this.mode === "unknown")) continue;
      if (this.done) throw this.error("unexpected text after the end of the users array", i, "remove it: a users file holds one array of users");
      if (this.mode === "unknown") {
        if (c === 91 /* [ */) {
          this.mode = "array";
          this.elementDepth = 1;
          this.depth = 1;
          continue;
        }
        if (c === 123 /* { */) {
          this.mode = "object";
          this.depth = 1;
          continue;
        }
        throw this.error("a users file is a JSON array of Graph users, a Graph list response ({\"value\": [...]}) or NDJSON", i, "start the file with `[`, or name it .ndjson / .jsonl for one user per line");
      }
      const inElement = this.elementStart >= 0;
      if (c === 34) {
        this.inString = true;
        if (!inElement && this.mode === "object" && this.depth === 1) {
          this.keyStart = i + 1;
          this.keyPieces = [];
        }
        continue;
      }
      if (c === 91 || c === 123) {
        if (this.elementDepth > 0 && this.depth === this.elementDepth) {
          if (c === 91) throw this.error(`user ${this.elements + 1} is an array; each user is a JSON object`, i, "write the user as an object `{...}`");
          this.elementStart = i;
          this.startLine = this.line;
          this.startColumn = this.offset + i - this.lineStart + 1;
        } else if (this.elementDepth === 0 && this.mode === "object" && this.depth === 1 && c === 91 && this.lastKey === "value") {
          this.elementDepth = 2;
        }
        this.depth++;
        continue;
      }
      if (c === 93 || c === 125) {
        this.depth--;
        if (this.elementDepth > 0 && this.depth === this.elementDepth && inElement) {
          const tail = chunk.slice(this.elementStart, i + 1);
          const text = this.pieces.length ? this.pieces.join("") + tail : tail;
          this.pieces = [];
          this.elementStart = -1;
          this.elements++;
          try {
            out.push(JSON.parse(text));
          } catch (err) {
            throw this.parseError(text, err as Error);
          }
          this.starts.push(this.startLine, this.startColumn);
        } else if (this.elementDepth > 0 && this.depth === this.elementDepth - 1 && c === 93) {
          // The users array closed.
          if (this.mode === "array") this.done = true;
          else this.elementDepth = -1;
        }
        if (this.depth === 0) this.done = true;
        continue;
      }
      if (this.elementDepth > 0 && this.depth === this.elementDepth && !inElement && c !== 44 /* , */) {
        throw this.error(`user ${this.elements + 1} is not a JSON object`, i, "each element of the users array is one user object `{...}`");
      }
    }
    // An element or key that continues into the next chunk: keep its text, and resume at position 0.
    if (this.elementStart >= 0) {
      this.pieces.push(chunk.slice(this.elementStart));
      this.elementStart = 0;
    }
    if (this.keyStart >= 0) {
      this.keyPieces.push(chunk.slice(this.keyStart));
      this.keyStart = 0;
    }
    this.offset += chunk.length;
  }

  /** The element `text` (starting at startLine:startColumn) is not JSON: the first place it stops being JSON. */
  private parseError(text: string, err: Error): UserFileError {
    const at = locateJsonError(text);
    const where = positionIn(text, at?.offset ?? 0, this.startLine, this.startColumn);
    return new UserFileError(`user ${this.elements}: ${at?.what ?? err.message}`, where.line, where.column, FIX_JSON);
  }

  end(): void {
    this.check();
    const here = () => this.offset - this.lineStart + 1;
    if (this.mode === "unknown") throw new UserFileError("the users file is empty", this.line, here(), "write a JSON array of users: `[{\"userPrincipalName\": ...}]`");
    if (this.mode === "object" && this.elementDepth === 0) throw new UserFileError('a Graph list response needs a "value" array of users', this.line, here(), 'put the users in `"value": [...]`');
    if (!this.done || this.inString || this.depth !== 0) {
      const line = this.elementStart >= 0 ? this.startLine : this.line;
      const column = this.elementStart >= 0 ? this.startColumn : here();
      const what = this.elementStart >= 0 ? `the users file ends in the middle of the JSON (user ${this.elements + 1}, which starts here, is not closed)` : "the users file ends in the middle of the JSON";
      throw new UserFileError(what, line, column, "close the open strings, objects and the array (`]`); a file cut short is not read");
    }
  }
}

/** A user the reader parsed, checked as asSampleUser checks it; a mistake is a UserFileError at the user's first `{`. */
function checked(value: unknown, index: number, line: number, column: number): SampleUser {
  try {
    return asSampleUser(value, index);
  } catch (err) {
    if (err instanceof SampleUserError) throw new UserFileError(err.message, line, column, err.fix);
    throw err;
  }
}

/** The chunks as text, UTF-8 decoded across chunk boundaries (the decoder's rest last). */
async function* decoded(chunks: AsyncIterable<string | Buffer>): AsyncGenerator<string> {
  const decoder = new TextDecoder("utf-8");
  for await (const chunk of chunks) yield typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
  const rest = decoder.decode();
  if (rest) yield rest;
}

/** Users of a JSON users file, streamed and checked; errors name `file` when given. */
export async function* readJsonUsers(chunks: AsyncIterable<string | Buffer>, file?: string): AsyncGenerator<SampleUser> {
  const splitter = new JsonArraySplitter();
  let index = 0;
  try {
    for await (const text of decoded(chunks)) {
      const elements = splitter.push(text);
      const starts = splitter.starts;
      for (let k = 0; k < elements.length; k++) yield checked(elements[k], ++index, starts[2 * k]!, starts[2 * k + 1]!);
      splitter.check();
    }
    splitter.end();
  } catch (err) {
    throw err instanceof UserFileError && file !== undefined ? err.in(file) : err;
  }
}

/** NDJSON: one user object per line; blank lines are skipped. */
export async function* readNdjsonUsers(file: string, label = file): AsyncGenerator<SampleUser> {
  const lines = createInterface({ input: createReadStream(file, { encoding: "utf8" }), crlfDelay: Infinity });
  let n = 0;
  let index = 0;
  for await (const raw of lines) {
    n++;
    const line = n === 1 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
    if (!line.trim()) continue;
    const column = line.length - line.trimStart().length + 1;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      const at = locateJsonError(line);
      const where = positionIn(line, at?.offset ?? 0, n, 1);
      throw new UserFileError(at?.what ?? (err as Error).message, where.line, where.column, "correct the JSON of this line (each line is one user object)", label);
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) throw new UserFileError("each line is one user object", n, column, "write the user as `{...}` on one line", label);
    try {
      yield checked(value, ++index, n, column);
    } catch (err) {
      throw err instanceof UserFileError ? err.in(label) : err;
    }
  }
}

/**
 * Reads users from a file, streamed and checked: `.ndjson`/`.jsonl` line by line, anything else as JSON.
 * Errors are `LABEL:LINE:COL: error: …` (`label`: the path as the user gave it; default the path).
 */
export function readUsersFile(file: string, label = file): AsyncGenerator<SampleUser> {
  if (/\.(ndjson|jsonl)$/i.test(file)) return readNdjsonUsers(file, label);
  return readJsonUsers(createReadStream(file, { highWaterMark: 64 * 1024 }), label);
}
