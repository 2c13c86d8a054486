// NormalizeDiacritics: the documented table (graph-sync.md §5.2 #27).
//
//   ä à â ã å á ą ă ā … → a     æ ǣ → ae      ç č ć → c       ď → d
//   ë è é ê ę ě ė ē …   → e     ğ → g         ï î ì í ı ī → i ľ ł → l
//   ñ ń ň → n           ö ò ő õ ô ó ō … → o   ø œ̄ → oe        ř → r
//   ß → ss              š ś ș ş → s           ť ț → t
//   ü ù û ú ů ű ū …     → u     ÿ ý ȳ → y     ź ž ż → z       upper case likewise (Æ → AE, Ø → OE)
//
// The table's rows are "base letter + combining marks" (including the stacked forms such as ā́, ǟ, ṓ),
// so the rule is: a letter of the table's alphabet (a c d e g i l n o p r s t u y z) followed by any
// combining marks loses the marks; the special letters map as listed. Letters outside the table (e.g.
// ŵ, ḱ, plain œ) are left unchanged.

const TABLE_BASES = new Set([..."acdegilnoprstuyzACDEGILNOPRSTUYZ"]);

/** Letters that are not "base + combining mark" in Unicode, with their documented replacement. */
const SPECIAL: Readonly<Record<string, string>> = {
  "\u00E6": "ae", // æ
  "\u00C6": "AE", // Æ
  "\u01E3": "ae", // ǣ
  "\u01E2": "AE", // Ǣ
  "\u00F8": "oe", // ø
  "\u00D8": "OE", // Ø
  "\u01FF": "oe", // ǿ (ø with acute)
  "\u01FE": "OE",
  "\u00DF": "ss", // ß
  "\u1E9E": "SS", // ẞ
  "\u0142": "l", // ł
  "\u0141": "L", // Ł
  "\u0131": "i", // ı
};

const COMBINING = /[\u0300-\u036F]/;
const NEEDS_WORK = /[^\x00-\x7F]/;

export function normalizeDiacritics(s: string): string {
  if (!NEEDS_WORK.test(s)) return s;
  const decomposed = s.normalize("NFD");
  let out = "";
  const chars = Array.from(decomposed);
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] as string;
    let j = i + 1;
    while (j < chars.length && COMBINING.test(chars[j] as string)) j++;
    const marks = chars.slice(i + 1, j).join("");
    if (TABLE_BASES.has(ch) && marks.length > 0) {
      out += ch;
    } else if ((ch === "\u0153" || ch === "\u0152") && marks === "\u0304") {
      out += ch === "\u0153" ? "oe" : "OE"; // œ̄ → oe (plain œ is not in the table)
    } else if (SPECIAL[ch] !== undefined) {
      out += SPECIAL[ch]; // marks dropped too: ǣ is æ + macron after NFD, ø̄ is ø + macron
    } else {
      out += ch + marks;
    }
    i = j - 1;
  }
  return out.normalize("NFC");
}
