/**
 * .NET date and time format strings, as FormatDateTime's inputFormat and outputFormat take them
 * (Microsoft Learn, "Custom date and time format strings" / "Standard date and time format strings").
 *
 * .NET copies a letter that is not a format specifier into the output unchanged, so `YYYY-MM-DD`
 * renders as `YYYY-05-DD` without any error: Entra accepts the mapping and provisions the wrong value.
 * A letter that only differs in case from a specifier is therefore an error here; `T` and `Z` stay
 * allowed, since ISO 8601 formats use them as literals (Microsoft's own example `yyyyMMddHHmmss.fZ`).
 */
import { tokenizeDateFormat } from "../expression/functions/datetime";

/** Custom format specifiers: d f F g h H K m M s t y z (and the separators `:` `/`). */
export const CUSTOM_DATE_SPECIFIERS: ReadonlySet<string> = new Set([..."dfFghHKmMstyz"]);
/** Single-letter standard formats. */
export const STANDARD_DATE_FORMATS: ReadonlySet<string> = new Set([..."dDfFgGmMoOrRstTuUyY"]);
const ISO_LITERALS = new Set(["T", "Z"]);

export interface DateFormatProblem {
  severity: "error" | "warning";
  message: string;
  fix: string;
}

export function dateFormatProblems(format: string): DateFormatProblem[] {
  try {
    tokenizeDateFormat(format);
  } catch (e) {
    return [{ severity: "error", message: (e as Error).message, fix: "use .NET custom format specifiers (yyyy, MM, dd, HH, mm, ss, fff, zzz) or a standard format letter" }];
  }
  if (format.length === 1) return [];
  const out: DateFormatProblem[] = [];
  for (const letter of unquotedLetters(format)) {
    if (CUSTOM_DATE_SPECIFIERS.has(letter) || ISO_LITERALS.has(letter)) continue;
    const other = letter === letter.toLowerCase() ? letter.toUpperCase() : letter.toLowerCase();
    if (CUSTOM_DATE_SPECIFIERS.has(other)) {
      out.push({ severity: "error", message: `\`${letter}\` is not a .NET date format specifier (it would be copied into the value as is)`, fix: `did you mean \`${other}\`? (${SPECIFIER_MEANING[other]})` });
    } else {
      out.push({ severity: "warning", message: `\`${letter}\` is not a .NET date format specifier and is copied into the value as is`, fix: `quote literal text: '${letter}'` });
    }
    break; // one message per format string
  }
  const letters = unquotedLetters(format).join("");
  if (!out.length && /m/.test(letters) && !/[hH]/.test(letters) && /[yd]/.test(letters)) {
    out.push({ severity: "warning", message: "`m` is minutes, and this format has no hours", fix: "write `MM` for the month" });
  }
  return out;
}

const SPECIFIER_MEANING: Record<string, string> = {
  d: "day", f: "fraction of a second", F: "fraction of a second", g: "era", h: "hour 1-12", H: "hour 0-23",
  K: "time zone", m: "minute", M: "month", s: "second", t: "AM/PM", y: "year", z: "UTC offset",
};

/** Letters outside quotes, escapes and `%` prefixes, in order. */
function unquotedLetters(format: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < format.length; i++) {
    const ch = format[i]!;
    if (ch === "'" || ch === '"') {
      const close = format.indexOf(ch, i + 1);
      i = close < 0 ? format.length : close;
    } else if (ch === "\\") {
      i++;
    } else if (/[A-Za-z]/.test(ch)) {
      out.push(ch);
    }
  }
  return out;
}
