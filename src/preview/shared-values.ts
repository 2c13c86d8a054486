/**
 * The "matching value shared" rule with bounded memory: which earlier user (if any) computed the same
 * matching value as this one. Remembering every user's value would grow with the users file, so a
 * streamed run reads the users twice:
 *
 * 1. `RepeatFilter` (the first pass): a fixed-size filter of the values seen — two bit sets, "seen" and
 *    "seen again", K slots per value. A value added twice has all its slots in "seen again": the filter
 *    never misses a repeated value; it can only name a few unique ones as repeated (false positives).
 * 2. `SharedValues` (the second pass): only the values the filter names are remembered, as exact strings,
 *    with the first user that computed them. A false positive costs one remembered value, never a
 *    wrong finding: the finding is decided by comparing the strings.
 *
 * Without a first pass (users previewed one by one) every value is remembered — the same findings.
 * Values are compared case-insensitively (SCIM compares userName so), per UTF-16 code unit. See
 * docs/preview.md ("Bounded memory").
 */

/** Bits per bit set (2^25: 4 MiB each); with K = 3, about 6 false positives per 100 million unique values at 1M users. */
export const FILTER_BITS = 1 << 25;
const K = 3;

/** One code unit folded as the rule compares: ASCII letters and every non-ASCII letter lower-cased on its own. */
function foldUnit(value: string, i: number): number {
  const c = value.charCodeAt(i);
  if (c >= 65 && c <= 90) return c + 32;
  if (c > 127) return value[i]!.toLowerCase().charCodeAt(0);
  return c;
}

/** The value as the rule compares it (`foldUnit` over each code unit), prefixed by the matching attribute's position. */
export function sharedValueKey(index: number, value: string): string {
  let out = "";
  for (let i = 0; i < value.length; i++) out += String.fromCharCode(foldUnit(value, i));
  return `${index}\u0000${out}`;
}

/** Two 32-bit hashes (FNV-1a and a murmur-style mix) of the folded value and its attribute position. */
function hashes(index: number, value: string, out: Uint32Array): void {
  let h1 = 0x811c9dc5 ^ index;
  let h2 = 0x01000193 ^ (index << 8);
  for (let i = 0; i < value.length; i++) {
    const c = foldUnit(value, i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) ^ (h2 >>> 15);
  }
  out[0] = h1 >>> 0;
  // Odd, so the K slots h1 + j·h2 are distinct.
  out[1] = (h2 | 1) >>> 0;
}

/** The first pass: a fixed-size filter of repeated values (see the module comment). */
export class RepeatFilter {
  private readonly seen: Uint32Array;
  private readonly again: Uint32Array;
  private readonly mask: number;
  private readonly h = new Uint32Array(2);
  private readonly slots = new Uint32Array(K);

  constructor(bits = FILTER_BITS) {
    if (bits < 32 || (bits & (bits - 1)) !== 0) throw new RangeError("the filter size is a power of two, at least 32 bits");
    this.seen = new Uint32Array(bits >>> 5);
    this.again = new Uint32Array(bits >>> 5);
    this.mask = bits - 1;
  }

  /** Fills `slots` with the value's K bit positions. */
  private slotsOf(index: number, value: string): Uint32Array {
    hashes(index, value, this.h);
    const h1 = this.h[0]!;
    const h2 = this.h[1]!;
    for (let j = 0; j < K; j++) this.slots[j] = ((h1 + j * h2) >>> 0) & this.mask;
    return this.slots;
  }

  add(index: number, value: string): void {
    const slots = this.slotsOf(index, value);
    for (let j = 0; j < K; j++) {
      const slot = slots[j]!;
      const word = slot >>> 5;
      const bit = 1 << (slot & 31);
      if (this.seen[word]! & bit) this.again[word]! |= bit;
      else this.seen[word]! |= bit;
    }
  }

  /** The value was added at least twice (always true then), or is a false positive. */
  mayRepeat(index: number, value: string): boolean {
    const slots = this.slotsOf(index, value);
    for (let j = 0; j < K; j++) if (!(this.again[slots[j]! >>> 5]! & (1 << (slots[j]! & 31)))) return false;
    return true;
  }
}

/** The second pass (or the only one): the first user of each value that may repeat. */
export class SharedValues {
  private readonly firstBy = new Map<string, string>();

  /** `filter`: the first pass over the same users (null: remember every value). */
  constructor(private readonly filter: RepeatFilter | null = null) {}

  /** The first user that computed the value when it is not `user`, else undefined; remembers `user` for the value. */
  firstOther(index: number, value: string, user: string): string | undefined {
    if (this.filter && !this.filter.mayRepeat(index, value)) return undefined;
    const key = sharedValueKey(index, value);
    const first = this.firstBy.get(key);
    if (first === undefined) {
      this.firstBy.set(key, user);
      return undefined;
    }
    return first === user ? undefined : first;
  }

  /** Values remembered (the memory this pass holds). */
  get remembered(): number {
    return this.firstBy.size;
  }
}
