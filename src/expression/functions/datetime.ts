// .NET-style DateTime values: 100-ns ticks since 0001-01-01, parsing (DateTime.Parse / ParseExact
// with custom format strings) and formatting (en-US, the culture the Entra engine renders dates in:
// `M/d/yyyy h:mm:ss tt`). The provisioning service runs in UTC, so "local" time is UTC here.

export type DateTimeKind = "Utc" | "Local" | "Unspecified";

export interface DateTimeValue {
  /** 100-ns ticks since 0001-01-01T00:00:00 (wall clock, already converted to UTC when an offset was given). */
  readonly ticks: bigint;
  readonly kind: DateTimeKind;
}

export interface DateFields {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** Fraction of a second in ticks, 0 … 9 999 999. */
  fraction: number;
}

export const TICKS_PER_MS = 10_000n;
export const TICKS_PER_SECOND = 10_000_000n;
export const TICKS_PER_DAY = 864_000_000_000n;
/** Ticks of 1970-01-01T00:00:00Z. */
export const UNIX_EPOCH_TICKS = 621_355_968_000_000_000n;
/** Ticks of 1601-01-01T00:00:00Z, the Windows FILETIME / AD integer date epoch. */
export const FILETIME_EPOCH_TICKS = 504_911_232_000_000_000n;
/** Ticks of 9999-12-31T23:59:59.9999999. */
export const MAX_TICKS = 3_155_378_975_999_999_999n;

const DAYS_0001_TO_1970 = 719_162;

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function civilFromDays(z: number): { year: number; month: number; day: number } {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp + (mp < 10 ? 3 : -9);
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

export const isLeapYear = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
export function daysInMonth(y: number, m: number): number {
  return m === 2 ? (isLeapYear(y) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31;
}

/** Ticks of the given fields, or undefined when a field is out of range. */
export function ticksFromFields(f: DateFields): bigint | undefined {
  if (!Number.isInteger(f.year) || f.year < 1 || f.year > 9999) return undefined;
  if (f.month < 1 || f.month > 12 || f.day < 1 || f.day > daysInMonth(f.year, f.month)) return undefined;
  if (f.hour < 0 || f.hour > 23 || f.minute < 0 || f.minute > 59 || f.second < 0 || f.second > 59) return undefined;
  if (f.fraction < 0 || f.fraction > 9_999_999) return undefined;
  const days = daysFromCivil(f.year, f.month, f.day) + DAYS_0001_TO_1970;
  const seconds = f.hour * 3600 + f.minute * 60 + f.second;
  return BigInt(days) * TICKS_PER_DAY + BigInt(seconds) * TICKS_PER_SECOND + BigInt(f.fraction);
}

export function fieldsFromTicks(ticks: bigint): DateFields {
  const days = Number(ticks / TICKS_PER_DAY);
  const rest = ticks % TICKS_PER_DAY;
  const seconds = Number(rest / TICKS_PER_SECOND);
  const fraction = Number(rest % TICKS_PER_SECOND);
  const { year, month, day } = civilFromDays(days - DAYS_0001_TO_1970);
  return {
    year,
    month,
    day,
    hour: Math.floor(seconds / 3600),
    minute: Math.floor((seconds % 3600) / 60),
    second: seconds % 60,
    fraction,
  };
}

/** 0 = Sunday … 6 = Saturday. */
export function dayOfWeek(ticks: bigint): number {
  const days = Number(ticks / TICKS_PER_DAY);
  return (days + 1) % 7; // 0001-01-01 was a Monday
}

export function inRange(ticks: bigint): boolean {
  return ticks >= 0n && ticks <= MAX_TICKS;
}

export function fromJsDate(d: Date): DateTimeValue {
  return { ticks: UNIX_EPOCH_TICKS + BigInt(Math.trunc(d.getTime())) * TICKS_PER_MS, kind: "Utc" };
}

export function toJsDate(v: DateTimeValue): Date {
  return new Date(Number((v.ticks - UNIX_EPOCH_TICKS) / TICKS_PER_MS));
}

// ---------------------------------------------------------------------------------------------
// en-US culture data

export const MONTH_NAMES = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
] as const;
export const DAY_NAMES = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"] as const;

/** en-US standard format strings (single character) as custom patterns. */
const STANDARD_FORMATS: Record<string, string> = {
  d: "M/d/yyyy",
  D: "dddd, MMMM d, yyyy",
  f: "dddd, MMMM d, yyyy h:mm tt",
  F: "dddd, MMMM d, yyyy h:mm:ss tt",
  g: "M/d/yyyy h:mm tt",
  G: "M/d/yyyy h:mm:ss tt",
  m: "MMMM d",
  M: "MMMM d",
  o: "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK",
  O: "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK",
  r: "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
  R: "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
  s: "yyyy'-'MM'-'dd'T'HH':'mm':'ss",
  t: "h:mm tt",
  T: "h:mm:ss tt",
  u: "yyyy'-'MM'-'dd HH':'mm':'ss'Z'",
  U: "dddd, MMMM d, yyyy h:mm:ss tt",
  y: "MMMM yyyy",
  Y: "MMMM yyyy",
};

/** The rendering Entra uses for every date result: `M/d/yyyy h:mm:ss tt` (e.g. `3/16/2020 7:00:00 AM`). */
export function formatEntraDate(v: DateTimeValue): string {
  const f = fieldsFromTicks(v.ticks);
  const h12 = f.hour % 12 === 0 ? 12 : f.hour % 12;
  return `${f.month}/${f.day}/${f.year} ${h12}:${pad2(f.minute)}:${pad2(f.second)} ${f.hour < 12 ? "AM" : "PM"}`;
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));
const padN = (n: number, width: number): string => String(n).padStart(width, "0");

// ---------------------------------------------------------------------------------------------
// .NET custom format strings

export type FormatToken =
  | { readonly type: "field"; readonly spec: string; readonly count: number }
  | { readonly type: "literal"; readonly text: string };

const SPECIFIERS = new Set(["d", "f", "F", "g", "h", "H", "K", "m", "M", "s", "t", "y", "z"]);

/** Tokenizes a .NET date/time format string. Throws Error with a message when it is malformed. */
export function tokenizeDateFormat(format: string): FormatToken[] {
  if (format.length === 0) throw new Error("empty date format");
  if (format.length === 1) {
    const standard = STANDARD_FORMATS[format];
    if (standard === undefined) throw new Error(`'${format}' is not a standard date format (use d, D, f, F, g, G, M, o, r, s, t, T, u, U or Y)`);
    return tokenizeDateFormat(standard);
  }
  const tokens: FormatToken[] = [];
  const literal = (text: string): void => {
    const last = tokens[tokens.length - 1];
    if (last && last.type === "literal") tokens[tokens.length - 1] = { type: "literal", text: last.text + text };
    else tokens.push({ type: "literal", text });
  };
  let i = 0;
  while (i < format.length) {
    const ch = format[i] as string;
    if (SPECIFIERS.has(ch)) {
      let j = i + 1;
      while (format[j] === ch) j++;
      const count = j - i;
      if ((ch === "f" || ch === "F") && count > 7) throw new Error(`'${ch.repeat(count)}': at most 7 fraction digits`);
      tokens.push({ type: "field", spec: ch, count });
      i = j;
    } else if (ch === ":") {
      literal(":");
      i++;
    } else if (ch === "/") {
      literal("/");
      i++;
    } else if (ch === "'" || ch === '"') {
      let j = i + 1;
      let text = "";
      while (j < format.length && format[j] !== ch) {
        if (format[j] === "\\" && j + 1 < format.length) j++;
        text += format[j];
        j++;
      }
      if (j >= format.length) throw new Error(`unterminated quoted text in date format '${format}'`);
      literal(text);
      i = j + 1;
    } else if (ch === "%") {
      const nextCh = format[i + 1];
      if (nextCh === undefined || !SPECIFIERS.has(nextCh) || format[i + 2] === nextCh) throw new Error(`invalid '%' in date format '${format}'`);
      tokens.push({ type: "field", spec: nextCh, count: 1 });
      i += 2;
    } else if (ch === "\\") {
      const nextCh = format[i + 1];
      if (nextCh === undefined) throw new Error(`date format '${format}' ends with '\\'`);
      literal(nextCh);
      i += 2;
    } else {
      literal(ch);
      i++;
    }
  }
  return tokens;
}

/** Renders a date with a tokenized .NET format (en-US names, local time = UTC). */
export function formatDate(v: DateTimeValue, tokens: readonly FormatToken[]): string {
  const f = fieldsFromTicks(v.ticks);
  let out = "";
  for (const t of tokens) {
    if (t.type === "literal") {
      out += t.text;
      continue;
    }
    const n = t.count;
    switch (t.spec) {
      case "d":
        if (n === 1) out += f.day;
        else if (n === 2) out += pad2(f.day);
        else {
          const name = DAY_NAMES[dayOfWeek(v.ticks)] as string;
          out += n === 3 ? name.slice(0, 3) : name;
        }
        break;
      case "f":
      case "F": {
        let digits = padN(f.fraction, 7).slice(0, n);
        if (t.spec === "F") {
          digits = digits.replace(/0+$/, "");
          if (digits === "" && out.endsWith(".")) out = out.slice(0, -1);
        }
        out += digits;
        break;
      }
      case "g":
        out += "A.D.";
        break;
      case "h": {
        const h12 = f.hour % 12 === 0 ? 12 : f.hour % 12;
        out += n === 1 ? String(h12) : pad2(h12);
        break;
      }
      case "H":
        out += n === 1 ? String(f.hour) : pad2(f.hour);
        break;
      case "K":
        out += v.kind === "Utc" ? "Z" : v.kind === "Local" ? "+00:00" : "";
        break;
      case "m":
        out += n === 1 ? String(f.minute) : pad2(f.minute);
        break;
      case "M":
        if (n === 1) out += f.month;
        else if (n === 2) out += pad2(f.month);
        else {
          const name = MONTH_NAMES[f.month - 1] as string;
          out += n === 3 ? name.slice(0, 3) : name;
        }
        break;
      case "s":
        out += n === 1 ? String(f.second) : pad2(f.second);
        break;
      case "t":
        out += n === 1 ? (f.hour < 12 ? "A" : "P") : f.hour < 12 ? "AM" : "PM";
        break;
      case "y":
        if (n === 1) out += String(f.year % 100);
        else if (n === 2) out += pad2(f.year % 100);
        else out += padN(f.year, n);
        break;
      case "z":
        out += n === 1 ? "+0" : n === 2 ? "+00" : "+00:00";
        break;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Parsing

export interface DateParseStyles {
  allowLeadingWhite: boolean;
  allowTrailingWhite: boolean;
  allowInnerWhite: boolean;
  roundtripKind: boolean;
  adjustToUniversal: boolean;
  assumeUniversal: boolean;
  noCurrentDateDefault: boolean;
}

export const DEFAULT_DATE_STYLES: DateParseStyles = {
  allowLeadingWhite: true,
  allowTrailingWhite: true,
  allowInnerWhite: false,
  roundtripKind: true,
  adjustToUniversal: false,
  assumeUniversal: false,
  noCurrentDateDefault: false,
};

const STYLE_NAMES = [
  "None",
  "AllowLeadingWhite",
  "AllowTrailingWhite",
  "AllowInnerWhite",
  "AllowWhiteSpaces",
  "NoCurrentDateDefault",
  "AdjustToUniversal",
  "AssumeLocal",
  "AssumeUniversal",
  "RoundtripKind",
] as const;

/** Parses a DateTimeStyles list ("RoundtripKind, AllowLeadingWhite"). Throws Error for unknown names. */
export function parseDateStyles(text: string): DateParseStyles {
  const styles: DateParseStyles = {
    allowLeadingWhite: false,
    allowTrailingWhite: false,
    allowInnerWhite: false,
    roundtripKind: false,
    adjustToUniversal: false,
    assumeUniversal: false,
    noCurrentDateDefault: false,
  };
  for (const raw of text.split(/[,|]/)) {
    const name = raw.trim();
    if (name === "") continue;
    const known = STYLE_NAMES.find((s) => s.toLowerCase() === name.toLowerCase());
    if (!known) throw new Error(`unknown DateTimeStyles value '${name}' (known: ${STYLE_NAMES.join(", ")})`);
    switch (known) {
      case "AllowLeadingWhite":
        styles.allowLeadingWhite = true;
        break;
      case "AllowTrailingWhite":
        styles.allowTrailingWhite = true;
        break;
      case "AllowInnerWhite":
        styles.allowInnerWhite = true;
        break;
      case "AllowWhiteSpaces":
        styles.allowLeadingWhite = styles.allowTrailingWhite = styles.allowInnerWhite = true;
        break;
      case "NoCurrentDateDefault":
        styles.noCurrentDateDefault = true;
        break;
      case "AdjustToUniversal":
        styles.adjustToUniversal = true;
        break;
      case "AssumeUniversal":
        styles.assumeUniversal = true;
        break;
      case "RoundtripKind":
        styles.roundtripKind = true;
        break;
      default:
        break;
    }
  }
  return styles;
}

const MONTH_ALTERNATIVES = MONTH_NAMES.map((m) => (m.length > 3 ? `${m}|${m.slice(0, 3)}` : m)).join("|");
const TIME = String.raw`(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,7})\d*)?)?\s*([AaPp][Mm])?`;
const ZONE = String.raw`(Z|GMT|UTC|[+-]\d{1,2}(?::?\d{2})?)`;
const ISO_RE = new RegExp(String.raw`^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:T|\s+)${TIME})?\s*${ZONE}?$`, "i");
const SLASH_YMD_RE = new RegExp(String.raw`^(\d{4})/(\d{1,2})/(\d{1,2})(?:\s+${TIME})?\s*${ZONE}?$`, "i");
const US_RE = new RegExp(String.raw`^(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+${TIME})?\s*${ZONE}?$`, "i");
const NAMED_RE = new RegExp(
  String.raw`^(?:(?:${DAY_NAMES.map((d) => `${d}|${d.slice(0, 3)}`).join("|")}),?\s+)?` +
    String.raw`(?:(\d{1,2})\s+(${MONTH_ALTERNATIVES})\.?,?\s+(\d{4})|(${MONTH_ALTERNATIVES})\.?\s+(\d{1,2}),?\s+(\d{4}))` +
    String.raw`(?:,?\s+${TIME})?\s*${ZONE}?$`,
  "i",
);

function monthIndex(name: string): number {
  const lower = name.toLowerCase();
  return MONTH_NAMES.findIndex((m) => m.toLowerCase() === lower || m.slice(0, 3).toLowerCase() === lower) + 1;
}

/** Offset in minutes of a zone designator ("Z", "+08:00", "-0700", "+5"), or undefined. */
function zoneOffsetMinutes(zone: string | undefined): number | undefined {
  if (zone === undefined) return undefined;
  const upper = zone.toUpperCase();
  if (upper === "Z" || upper === "GMT" || upper === "UTC") return 0;
  const m = /^([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(zone);
  if (!m) return undefined;
  const hours = Number(m[2]);
  const minutes = Number(m[3] ?? 0);
  if (hours > 14 || minutes > 59) return undefined;
  return (m[1] === "-" ? -1 : 1) * (hours * 60 + minutes);
}

function build(
  year: number,
  month: number,
  day: number,
  time: readonly (string | undefined)[],
  zone: string | undefined,
): DateTimeValue | undefined {
  let hour = time[0] === undefined ? 0 : Number(time[0]);
  const minute = time[1] === undefined ? 0 : Number(time[1]);
  const second = time[2] === undefined ? 0 : Number(time[2]);
  const fraction = time[3] === undefined ? 0 : Number((time[3] as string).padEnd(7, "0"));
  const ampm = time[4]?.toUpperCase();
  if (ampm !== undefined) {
    if (hour < 1 || hour > 12) return undefined;
    if (ampm === "AM" && hour === 12) hour = 0;
    else if (ampm === "PM" && hour !== 12) hour += 12;
  }
  const ticks = ticksFromFields({ year, month, day, hour, minute, second, fraction });
  if (ticks === undefined) return undefined;
  if (zone === undefined) return { ticks, kind: "Unspecified" };
  const offset = zoneOffsetMinutes(zone);
  if (offset === undefined) return undefined;
  const utc = ticks - BigInt(offset) * 60n * TICKS_PER_SECOND;
  return inRange(utc) ? { ticks: utc, kind: "Utc" } : undefined;
}

/**
 * DateTime.Parse as far as the engine's inputs go: ISO 8601 dates and date-times with an optional
 * zone (`2020-03-16-07:00`, `2009-06-15T01:45:30-07:00`, `2021-08-24`), US dates (`8/25/2021 5:41:18 PM`),
 * `yyyy/MM/dd`, and dates with English month names (`January 1, 2012 11:00 PM`, RFC 1123).
 * A zone converts the value to UTC; without one the value is taken as UTC. undefined when unparseable.
 */
export function parseDateTime(input: string): DateTimeValue | undefined {
  const s = input.trim();
  if (s.length === 0 || s.length > 100) return undefined;
  let m = ISO_RE.exec(s) ?? SLASH_YMD_RE.exec(s);
  if (m) return build(Number(m[1]), Number(m[2]), Number(m[3]), m.slice(4, 9), m[9]);
  m = US_RE.exec(s);
  if (m) return build(Number(m[3]), Number(m[1]), Number(m[2]), m.slice(4, 9), m[9]);
  m = NAMED_RE.exec(s);
  if (m) {
    if (m[1] !== undefined) return build(Number(m[3]), monthIndex(m[2] as string), Number(m[1]), m.slice(7, 12), m[12]);
    return build(Number(m[6]), monthIndex(m[4] as string), Number(m[5]), m.slice(7, 12), m[12]);
  }
  return undefined;
}

/**
 * DateTime.ParseExact with a tokenized custom format. `today` supplies the date when the format has
 * no date part (as .NET does). undefined when the input does not match.
 */
export function parseDateExact(
  input: string,
  tokens: readonly FormatToken[],
  styles: DateParseStyles,
  today: () => DateTimeValue,
): DateTimeValue | undefined {
  let s = input;
  if (styles.allowLeadingWhite) s = s.replace(/^\s+/, "");
  if (styles.allowTrailingWhite) s = s.replace(/\s+$/, "");
  let i = 0;
  let year: number | undefined;
  let month: number | undefined;
  let day: number | undefined;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let fraction = 0;
  let pm: boolean | undefined;
  let twelveHour = false;
  let offset: number | undefined;
  let utcMarker = false;

  const digits = (min: number, max: number): number | undefined => {
    let j = i;
    while (j < s.length && j - i < max && s.charCodeAt(j) >= 48 && s.charCodeAt(j) <= 57) j++;
    if (j - i < min) return undefined;
    const v = Number(s.slice(i, j));
    i = j;
    return v;
  };
  const word = (candidates: readonly string[]): number | undefined => {
    // longest match first, case-insensitive
    let best = -1;
    let bestLen = 0;
    candidates.forEach((c, idx) => {
      if (c.length > bestLen && s.slice(i, i + c.length).toLowerCase() === c.toLowerCase()) {
        best = idx;
        bestLen = c.length;
      }
    });
    if (best < 0) return undefined;
    i += bestLen;
    return best;
  };
  const skipInnerWhite = (): void => {
    if (styles.allowInnerWhite) while (i < s.length && /\s/.test(s[i] as string)) i++;
  };

  for (const t of tokens) {
    skipInnerWhite();
    if (t.type === "literal") {
      for (const ch of t.text) {
        if (ch === "Z" && s[i] === "Z") {
          utcMarker = true;
          i++;
          continue;
        }
        if (/\s/.test(ch) && styles.allowInnerWhite) {
          skipInnerWhite();
          continue;
        }
        if (s[i] !== ch) return undefined;
        i++;
      }
      continue;
    }
    const n = t.count;
    let v: number | undefined;
    switch (t.spec) {
      case "y":
        v = n <= 2 ? digits(1, 2) : digits(n, n);
        if (v === undefined) return undefined;
        year = n <= 2 ? (v < 50 ? 2000 + v : 1900 + v) : v;
        break;
      case "M":
        if (n <= 2) {
          v = n === 1 ? digits(1, 2) : digits(2, 2);
          if (v === undefined) return undefined;
          month = v;
        } else {
          const idx = word(n === 3 ? MONTH_NAMES.map((x) => x.slice(0, 3)) : MONTH_NAMES);
          if (idx === undefined) return undefined;
          month = idx + 1;
        }
        break;
      case "d":
        if (n <= 2) {
          v = n === 1 ? digits(1, 2) : digits(2, 2);
          if (v === undefined) return undefined;
          day = v;
        } else if (word(n === 3 ? DAY_NAMES.map((x) => x.slice(0, 3)) : DAY_NAMES) === undefined) return undefined;
        break;
      case "h":
      case "H":
        v = n === 1 ? digits(1, 2) : digits(2, 2);
        if (v === undefined) return undefined;
        hour = v;
        if (t.spec === "h") twelveHour = true;
        break;
      case "m":
        v = n === 1 ? digits(1, 2) : digits(2, 2);
        if (v === undefined) return undefined;
        minute = v;
        break;
      case "s":
        v = n === 1 ? digits(1, 2) : digits(2, 2);
        if (v === undefined) return undefined;
        second = v;
        break;
      case "f":
      case "F": {
        const start = i;
        v = t.spec === "f" ? digits(n, n) : digits(0, n);
        if (v === undefined) return undefined;
        const text = s.slice(start, i);
        fraction = text === "" ? 0 : Number(text.padEnd(7, "0"));
        break;
      }
      case "t": {
        const idx = word(n === 1 ? ["A", "P"] : ["AM", "PM"]);
        if (idx === undefined) return undefined;
        pm = idx === 1;
        break;
      }
      case "z":
      case "K": {
        const m = /^(Z|[+-]\d{1,2}(?::?\d{2})?)/.exec(s.slice(i));
        if (!m) {
          if (t.spec === "K") break;
          return undefined;
        }
        const o = zoneOffsetMinutes(m[1]);
        if (o === undefined) return undefined;
        if (m[1] === "Z") utcMarker = true;
        offset = o;
        i += (m[1] as string).length;
        break;
      }
      case "g":
        if (word(["A.D.", "AD"]) === undefined) return undefined;
        break;
    }
  }
  if (i !== s.length) return undefined;
  if (twelveHour || pm !== undefined) {
    if (twelveHour && (hour < 1 || hour > 12)) return undefined;
    if (pm !== undefined) {
      if (hour > 12) return undefined;
      if (pm && hour < 12) hour += 12;
      else if (!pm && hour === 12) hour = 0;
    }
  }
  if (year === undefined && month === undefined && day === undefined) {
    const t = fieldsFromTicks(today().ticks);
    if (styles.noCurrentDateDefault) {
      year = 1;
      month = 1;
      day = 1;
    } else {
      year = t.year;
      month = t.month;
      day = t.day;
    }
  }
  const ticks = ticksFromFields({ year: year ?? 1, month: month ?? 1, day: day ?? 1, hour, minute, second, fraction });
  if (ticks === undefined) return undefined;
  if (offset === undefined && !utcMarker) {
    return { ticks, kind: styles.assumeUniversal || styles.adjustToUniversal ? "Utc" : "Unspecified" };
  }
  const utc = ticks - BigInt(offset ?? 0) * 60n * TICKS_PER_SECOND;
  if (!inRange(utc)) return undefined;
  const kind: DateTimeKind = styles.adjustToUniversal || (styles.roundtripKind && utcMarker) ? "Utc" : "Local";
  return { ticks: utc, kind };
}

// ---------------------------------------------------------------------------------------------
// Arithmetic (VB DateAdd / DateDiff)

export type DateInterval = "yyyy" | "q" | "m" | "y" | "d" | "w" | "ww" | "h" | "n" | "s";
export const DATE_INTERVALS: readonly DateInterval[] = ["yyyy", "q", "m", "y", "d", "w", "ww", "h", "n", "s"];

export function parseInterval(text: string): DateInterval | undefined {
  const lower = text.trim().toLowerCase();
  return (DATE_INTERVALS as readonly string[]).includes(lower) ? (lower as DateInterval) : undefined;
}

/** .NET AddMonths: the day is clamped to the end of the target month. */
function addMonths(v: DateTimeValue, months: number): DateTimeValue | undefined {
  const f = fieldsFromTicks(v.ticks);
  const total = f.year * 12 + (f.month - 1) + months;
  const year = Math.floor(total / 12);
  const month = (total % 12) + 1;
  if (year < 1 || year > 9999) return undefined;
  const ticks = ticksFromFields({ ...f, year, month, day: Math.min(f.day, daysInMonth(year, month)) });
  return ticks === undefined ? undefined : { ticks, kind: v.kind };
}

/** VB DateAdd. undefined when the result leaves the DateTime range. */
export function dateAdd(interval: DateInterval, amount: number, v: DateTimeValue): DateTimeValue | undefined {
  const n = Math.trunc(amount);
  const plus = (unit: bigint): DateTimeValue | undefined => {
    const ticks = v.ticks + BigInt(n) * unit;
    return inRange(ticks) ? { ticks, kind: v.kind } : undefined;
  };
  switch (interval) {
    case "yyyy":
      return addMonths(v, n * 12);
    case "q":
      return addMonths(v, n * 3);
    case "m":
      return addMonths(v, n);
    case "y":
    case "d":
    case "w":
      return plus(TICKS_PER_DAY);
    case "ww":
      return plus(7n * TICKS_PER_DAY);
    case "h":
      return plus(3600n * TICKS_PER_SECOND);
    case "n":
      return plus(60n * TICKS_PER_SECOND);
    case "s":
      return plus(TICKS_PER_SECOND);
  }
}

/** VB DateDiff (Microsoft.VisualBasic.DateAndTime.DateDiff, week starting Sunday). */
export function dateDiff(interval: DateInterval, d1: DateTimeValue, d2: DateTimeValue): bigint {
  const span = d2.ticks - d1.ticks; // bigint division truncates toward zero, like Fix
  switch (interval) {
    case "yyyy":
      return BigInt(fieldsFromTicks(d2.ticks).year - fieldsFromTicks(d1.ticks).year);
    case "q": {
      const a = fieldsFromTicks(d1.ticks);
      const b = fieldsFromTicks(d2.ticks);
      return BigInt((b.year - a.year) * 4 + Math.floor((b.month - 1) / 3) - Math.floor((a.month - 1) / 3));
    }
    case "m": {
      const a = fieldsFromTicks(d1.ticks);
      const b = fieldsFromTicks(d2.ticks);
      return BigInt((b.year - a.year) * 12 + b.month - a.month);
    }
    case "y":
    case "d":
      return span / TICKS_PER_DAY;
    case "w":
      return span / (7n * TICKS_PER_DAY);
    case "ww": {
      const start1 = d1.ticks - BigInt(dayOfWeek(d1.ticks)) * TICKS_PER_DAY;
      const start2 = d2.ticks - BigInt(dayOfWeek(d2.ticks)) * TICKS_PER_DAY;
      return (start2 - start1) / (7n * TICKS_PER_DAY);
    }
    case "h":
      return span / (3600n * TICKS_PER_SECOND);
    case "n":
      return span / (60n * TICKS_PER_SECOND);
    case "s":
      return span / TICKS_PER_SECOND;
  }
}
