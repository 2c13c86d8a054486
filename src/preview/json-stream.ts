/**
 * Streaming readers for user files: the elements of a top-level JSON array, of the `value` array of a
 * Graph list response (`{"@odata.context": …, "value": [...]}`), or the lines of an NDJSON file — one
 * element at a time, so memory stays flat however many users the file holds.
 */
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";

export class UserFileError extends Error {}

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
  private elements = 0;

  /** Feeds one chunk; returns the elements it completed. */
  push(chunk: string): unknown[] {
    const out: unknown[] = [];
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
      if (c === 10) this.line++;
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
      if (this.done) throw new UserFileError(`line ${this.line}: unexpected text after the end of the users array`);
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
        throw new UserFileError(`line ${this.line}: a users file is a JSON array of Graph users, a Graph list response ({"value": [...]}) or NDJSON`);
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
          if (c === 91) throw new UserFileError(`line ${this.line}: user ${this.elements + 1} is an array; each user is a JSON object`);
          this.elementStart = i;
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
            throw new UserFileError(`user ${this.elements} (ending at line ${this.line}): ${(err as Error).message}`);
          }
        } else if (this.elementDepth > 0 && this.depth === this.elementDepth - 1 && c === 93) {
          // The users array closed.
          if (this.mode === "array") this.done = true;
          else this.elementDepth = -1;
        }
        if (this.depth === 0) this.done = true;
        continue;
      }
      if (this.elementDepth > 0 && this.depth === this.elementDepth && !inElement && c !== 44 /* , */) {
        throw new UserFileError(`line ${this.line}: user ${this.elements + 1} is not a JSON object`);
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
    return out;
  }

  end(): void {
    if (this.mode === "unknown") throw new UserFileError("the users file is empty");
    if (this.mode === "object" && this.elementDepth === 0) throw new UserFileError('a Graph list response needs a "value" array of users');
    if (!this.done || this.inString || this.depth !== 0) throw new UserFileError(`line ${this.line}: the users file ends in the middle of the JSON`);
  }
}

/** Elements of a JSON users file, streamed. */
export async function* readJsonUsers(chunks: AsyncIterable<string | Buffer>): AsyncGenerator<unknown> {
  const splitter = new JsonArraySplitter();
  const decoder = new TextDecoder("utf-8");
  for await (const chunk of chunks) {
    const text = typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
    for (const element of splitter.push(text)) yield element;
  }
  const rest = decoder.decode();
  if (rest) for (const element of splitter.push(rest)) yield element;
  splitter.end();
}

/** NDJSON: one user object per line; blank lines are skipped. */
export async function* readNdjsonUsers(file: string): AsyncGenerator<unknown> {
  const lines = createInterface({ input: createReadStream(file, { encoding: "utf8" }), crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    n++;
    if (!line.trim()) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      throw new UserFileError(`${file}:${n}: ${(err as Error).message}`);
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) throw new UserFileError(`${file}:${n}: each line is one user object`);
    yield value;
  }
}

/** Reads users from a file, streamed: `.ndjson`/`.jsonl` line by line, anything else as JSON. */
export function readUsersFile(file: string): AsyncGenerator<unknown> {
  if (/\.(ndjson|jsonl)$/i.test(file)) return readNdjsonUsers(file);
  return readJsonUsers(createReadStream(file, { highWaterMark: 64 * 1024 }));
}
