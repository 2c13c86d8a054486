// The function catalogue: every function of the reference (graph-sync.md §5.2, 43 functions) plus
// AssertiveAppRoleAssignmentsComplex and the engine-only functions of §5.3 (AppRoleAssignments,
// DefaultDomain, IsNothing, Prepend) and Trim (cloud-sync reference, §13.3). Signatures drive arity checks, hints, and the Graph form
// (`engineName` is the `parameters[].key` Entra uses).

export type ParameterType = "String" | "Integer" | "Boolean" | "DateTime" | "Any";

export interface ParameterSpec {
  /** Name in the reference documentation (§5.2). */
  readonly name: string;
  /** Key used in attributeMappingSource.parameters (§5.3 where known). */
  readonly engineName: string;
  /** false = the position may be left empty (`F(a, , c)`) or, at the end, left out. */
  readonly required: boolean;
  readonly type: ParameterType;
  /** For constant Integer arguments: the smallest / largest value that can work (checked at compile time). */
  readonly min?: number;
  readonly max?: number;
}

export interface FunctionSignature {
  readonly name: string;
  readonly parameters: readonly ParameterSpec[];
  /**
   * The repeated tail: parameters[from …] may occur again and again in groups of `group`
   * (Join: from 1 group 1; Switch: from 2 group 2 — key/value pairs; Coalesce: from 0 group 1).
   */
  readonly repeat?: { readonly from: number; readonly group: number };
  readonly minArgs: number;
  /** Infinity when the tail repeats. */
  readonly maxArgs: number;
  /** When rebuilding text from the Graph form, pad the argument list to at least this many positions. */
  readonly canonicalArgs?: number;
  /**
   * Other complete parameter lists, chosen by argument count (FormatDateTime's 3-argument form).
   * `parameters` is the longest form and the one used for any other count.
   */
  readonly forms?: readonly (readonly ParameterSpec[])[];
  /** Human-readable call pattern, e.g. `Join(separator, source1, …, sourceN)`. */
  readonly usage: string;
  readonly description: string;
  /** Listed in the reference (§5.2) — false for the engine-only functions. */
  readonly documented: boolean;
  /**
   * Parameter keys come from Microsoft's published material: the Graph `functions` response
   * (test/fixtures/microsoft/functions-response.json, microsoft-graph-docs beta
   * synchronization_synchronizationschema_functions.md; checked by test/graph/microsoft-fixtures.test.ts)
   * or a published tree (Trim: entra-docs cloud-sync how-to-transformation.md). Otherwise the keys are the
   * doc names, unconfirmed; comparison never depends on them (src/entra/schema-merge.ts).
   */
  readonly engineNamesConfirmed: boolean;
  /** Same inputs always give the same output (Now, Guid, RandomString are not). */
  readonly deterministic: boolean;
}

const p = (name: string, type: ParameterType = "String", required = true, engineName?: string): ParameterSpec => ({
  name,
  engineName: engineName ?? name.charAt(0).toLowerCase() + name.slice(1),
  required,
  type,
});
const bounded = (spec: ParameterSpec, min: number, max?: number): ParameterSpec => ({
  ...spec,
  min,
  ...(max !== undefined ? { max } : {}),
});
const opt = (name: string, type: ParameterType = "String", engineName?: string): ParameterSpec => p(name, type, false, engineName);

interface Def {
  params: ParameterSpec[];
  usage?: string;
  repeat?: { from: number; group: number };
  min?: number;
  canonicalArgs?: number;
  forms?: ParameterSpec[][];
  description: string;
  documented?: boolean;
  confirmed?: boolean;
  deterministic?: boolean;
}

const DEFS: Record<string, Def> = {
  Append: {
    params: [p("source"), p("suffix")],
    description: "Concatenates suffix to the end of source.",
    confirmed: true,
  },
  AppRoleAssignmentsComplex: {
    params: [p("source", "Any")],
    usage: "AppRoleAssignmentsComplex([appRoleAssignments])",
    description: "All app roles assigned to the user, sent as the SCIM complex 'roles' attribute (PATCH Add only).",
  },
  AssertiveAppRoleAssignmentsComplex: {
    params: [p("source", "Any")],
    usage: "AssertiveAppRoleAssignmentsComplex([appRoleAssignments])",
    description: "Like AppRoleAssignmentsComplex but PATCH replaces roles, so removed roles are removed in the target.",
    documented: false,
  },
  BitAnd: {
    params: [p("value1", "Integer"), p("value2", "Integer")],
    description: "Bitwise AND of two integers (decimal or &H hex).",
  },
  CBool: {
    params: [p("Expression", "Any")],
    description: 'Returns "True" if the expression evaluates to true or a non-zero number, else "False".',
  },
  CDate: {
    params: [p("expression", "String")],
    description: "Parses a date/time string; returns the UTC date rendered M/d/yyyy h:mm:ss tt.",
  },
  Coalesce: {
    params: [p("source", "Any")],
    usage: "Coalesce(source1, …, sourceN, defaultValue)",
    repeat: { from: 0, group: 1 },
    min: 1,
    description: "The first argument that is not NULL (the last one acts as the default value).",
  },
  ConvertToBase64: { params: [p("source")], description: "Base64 of the UTF-16LE bytes of source." },
  ConvertToUTF8Hex: { params: [p("source")], description: "Upper-case hex of the UTF-8 bytes of source." },
  Count: { params: [p("attribute", "Any")], description: "Number of values of a multi-valued attribute." },
  CStr: { params: [p("value", "Any")], description: "Converts a value to its string form." },
  DateAdd: {
    params: [p("interval"), p("value", "Integer"), p("dateTime", "DateTime")],
    description: "Adds value intervals (yyyy, q, m, y, d, w, ww, h, n, s) to dateTime; renders M/d/yyyy h:mm:ss tt.",
  },
  DateDiff: {
    params: [p("interval"), p("date1", "DateTime"), p("date2", "DateTime")],
    description: "Number of intervals from date1 to date2 (positive if date2 is later), VB DateDiff rules.",
  },
  DateFromNum: {
    params: [p("value", "Integer")],
    description: "Converts an AD integer date (100-ns ticks since 1601-01-01 UTC) to a date.",
  },
  FormatDateTime: {
    // Two documented forms: 3 arguments per the Graph `functions` response (source, inputFormat,
    // outputFormat; microsoft-graph-docs-contrib beta synchronization-synchronizationschema-functions.md)
    // and the cloud-sync reference; 4 with dateTimeStyles second per the app-provisioning reference (§5.2 #14).
    params: [p("source", "DateTime"), opt("dateTimeStyles"), p("inputFormat"), p("outputFormat")],
    forms: [[p("source", "DateTime"), p("inputFormat"), p("outputFormat")]],
    min: 3,
    usage: "FormatDateTime(source, [dateTimeStyles], inputFormat, outputFormat)",
    description: "Parses source with the .NET inputFormat and renders it with the .NET outputFormat (dateTimeStyles optional).",
    confirmed: true,
  },
  Guid: { params: [], description: "A new random GUID.", deterministic: false },
  IgnoreFlowIfNullOrEmpty: {
    params: [p("expression", "Any")],
    description: "The attribute does not flow at all when the inner value is NULL or empty.",
  },
  IIF: {
    // First key `one`: a real exported job schema (graph-sync.md §13.2). The keys of the other two
    // positions are unconfirmed (doc names kept); comparison and reading never depend on them.
    params: [p("condition", "Boolean", true, "one"), p("valueIfTrue", "Any"), p("valueIfFalse", "Any")],
    description: "valueIfTrue when the condition holds, else valueIfFalse (no AND/OR: nest IIFs).",
  },
  InStr: {
    params: [p("value1"), p("value2"), bounded(opt("start", "Integer"), 1), opt("compareType")],
    description: "1-based position of value2 in value1 (0 when absent); compareType vbBinaryCompare | vbTextCompare.",
  },
  IsNull: { params: [p("Expression", "Any")], description: '"True" when the value is NULL (attribute absent).' },
  IsNullOrEmpty: { params: [p("Expression", "Any")], description: '"True" when the value is NULL or "".' },
  // Key `source`: a real exported job schema (graph-sync.md §13.2); the keys of IsNull, IsNullOrEmpty,
  // IsString and CBool are unconfirmed (doc names kept).
  IsPresent: { params: [p("Expression", "Any", true, "source")], description: '"True" when the value is neither NULL nor "".' },
  IsString: { params: [p("Expression", "Any")], description: '"True" when the value is a (single) string.' },
  Item: {
    params: [p("attribute", "Any"), bounded(p("index", "Integer"), 1)],
    description: "The index-th value (1-based) of a multi-valued attribute.",
  },
  Join: {
    params: [p("separator"), p("source", "Any")],
    usage: "Join(separator, source1, …, sourceN)",
    repeat: { from: 1, group: 1 },
    min: 2,
    description: "Joins the non-empty values (every value of multi-valued sources) with separator.",
    confirmed: true,
  },
  Left: {
    params: [p("String"), p("NumChars", "Integer")],
    description: "The NumChars leftmost characters.",
  },
  Mid: {
    params: [p("source"), bounded(p("start", "Integer"), 1), bounded(p("length", "Integer"), 0)],
    description: "length characters of source from the 1-based position start.",
    confirmed: true,
  },
  NormalizeDiacritics: {
    params: [p("source")],
    description: "Replaces the letters of the documented diacritics table with their ASCII forms.",
  },
  Not: {
    params: [p("source", "Boolean")],
    description: 'Returns "False" when source is "True", otherwise "True".',
    confirmed: true,
  },
  Now: { params: [], description: "The current UTC date and time, M/d/yyyy h:mm:ss tt.", deterministic: false },
  NumFromDate: {
    params: [p("value", "DateTime")],
    description: "Converts an ISO 8601 date to an AD integer date (100-ns ticks since 1601-01-01 UTC).",
  },
  PCase: {
    params: [p("source"), opt("wordSeparators")],
    description: "Title case: first letter of each word upper-case, the rest lower-case (.NET ToTitleCase words by default).",
  },
  RandomString: {
    params: [
      bounded(p("Length", "Integer"), 0, 256),
      bounded(p("MinimumNumbers", "Integer"), 0),
      bounded(p("MinimumSpecialCharacters", "Integer"), 0),
      bounded(p("MinimumCapital", "Integer"), 0),
      bounded(p("MinimumLowerCase", "Integer"), 0),
      opt("CharactersToAvoid"),
    ],
    description: "A random string with at least the given numbers of digits, special, upper- and lower-case characters.",
    deterministic: false,
  },
  Redact: {
    params: [p("source", "Any")],
    usage: "Redact(attribute/value)",
    description: 'Returns the value unchanged; provisioning logs show "[Redact]" instead.',
  },
  RemoveDuplicates: {
    params: [p("attribute", "Any")],
    description: "The values of a multi-valued attribute without duplicates (first occurrence kept).",
  },
  Replace: {
    params: [
      p("source"),
      opt("oldValue", "String", "Find"),
      opt("regexPattern", "String", "RegularExpression"),
      opt("regexGroupName", "String", "RegularExpressionGroupName"),
      opt("replacementValue", "String", "Replacement"),
      opt("replacementAttributeName", "Any", "ReplacementPropertyName"),
      opt("template", "String", "Template"),
    ],
    min: 2,
    canonicalArgs: 7,
    description:
      "Replaces text; the mode depends on which arguments are given (oldValue+replacementValue, oldValue+template, " +
      "regexPattern+replacementValue, regexPattern+regexGroupName+replacementValue, " +
      "regexPattern+regexGroupName+replacementAttributeName).",
    confirmed: true,
  },
  SelectUniqueValue: {
    params: [p("uniqueValueRule1", "Any"), p("uniqueValueRule", "Any")],
    usage: "SelectUniqueValue(uniqueValueRule1, uniqueValueRule2, …)",
    repeat: { from: 1, group: 1 },
    min: 2,
    description: "The first rule whose value is not already taken in the target (top level only; not for SCIM apps).",
  },
  SingleAppRoleAssignment: {
    params: [p("source", "Any")],
    usage: "SingleAppRoleAssignment([appRoleAssignments])",
    description: "The user's single app role assignment as a role name.",
    confirmed: true,
  },
  Split: {
    params: [p("source"), opt("delimiter")],
    description: "Splits source into a multi-valued result at every delimiter.",
    confirmed: true,
  },
  StripSpaces: { params: [p("source")], description: "Removes every space (U+0020).", confirmed: true },
  Switch: {
    params: [p("source", "Any"), opt("defaultValue", "Any"), p("key", "String", true, "switchValue"), p("value", "Any", true, "switchValue")],
    usage: "Switch(source, defaultValue, key1, value1, key2, value2, …)",
    repeat: { from: 2, group: 2 },
    min: 4,
    description: "The value paired with the first key equal (case-sensitive) to source, else defaultValue.",
    confirmed: true,
  },
  ToLower: {
    params: [p("source"), opt("culture")],
    description: "Lower-case (invariant culture, or the RFC 4646 culture given).",
  },
  ToUpper: {
    params: [p("source"), opt("culture")],
    description: "Upper-case (invariant culture, or the RFC 4646 culture given).",
  },
  Trim: {
    // Graph key `source`: the Trim tree in MicrosoftDocs/entra-docs cloud-sync how-to-transformation.md.
    params: [p("source", "Any")],
    description: "Removes leading and trailing white space (every value of a multi-valued attribute).",
    documented: false,
    confirmed: true,
  },
  Word: {
    params: [p("String"), p("WordNumber", "Integer"), p("Delimiters")],
    description: "The WordNumber-th (1-based) word, words being separated by any character of Delimiters.",
  },
  // Engine-only functions (§5.3 `functions` API; not in the reference list).
  AppRoleAssignments: {
    params: [p("source", "Any")],
    description: "The user's app role assignments as a multi-valued list of role names (engine-only).",
    documented: false,
    confirmed: true,
  },
  DefaultDomain: {
    params: [],
    description: "The tenant's default verified domain (engine-only; needs the compile option defaultDomain).",
    documented: false,
    confirmed: true,
  },
  IsNothing: {
    params: [p("source", "Any")],
    description: 'Same as IsNull: "True" when the value is NULL (engine-only).',
    documented: false,
    confirmed: true,
  },
  Prepend: {
    params: [p("prefix"), p("source")],
    description: "Concatenates prefix in front of source (engine-only).",
    documented: false,
    confirmed: true,
  },
};

function makeSignature(name: string, def: Def): FunctionSignature {
  const minArgs = def.min ?? (def.repeat ? def.params.length : lastRequiredIndex(def.params) + 1);
  const usage = def.usage ?? `${name}(${def.params.map((x) => (x.required ? x.name : `[${x.name}]`)).join(", ")})`;
  return Object.freeze({
    name,
    parameters: Object.freeze(def.params.slice()),
    ...(def.repeat ? { repeat: Object.freeze({ ...def.repeat }) } : {}),
    minArgs,
    maxArgs: def.repeat ? Infinity : def.params.length,
    ...(def.canonicalArgs !== undefined ? { canonicalArgs: def.canonicalArgs } : {}),
    ...(def.forms ? { forms: Object.freeze(def.forms.map((f) => Object.freeze(f.slice()))) } : {}),
    usage,
    description: def.description,
    documented: def.documented ?? true,
    engineNamesConfirmed: def.confirmed ?? false,
    deterministic: def.deterministic ?? true,
  });
}

function lastRequiredIndex(params: readonly ParameterSpec[]): number {
  for (let i = params.length - 1; i >= 0; i--) if ((params[i] as ParameterSpec).required) return i;
  return -1;
}

/** The function library catalogue, by exact (case-sensitive) name. */
export const FUNCTIONS: Readonly<Record<string, FunctionSignature>> = Object.freeze(
  Object.fromEntries(Object.entries(DEFS).map(([name, def]) => [name, makeSignature(name, def)])),
);

/** The names documented in the reference §5.2 (+ AssertiveAppRoleAssignmentsComplex), alphabetical. */
export const DOCUMENTED_FUNCTION_NAMES: readonly string[] = Object.freeze(
  Object.values(FUNCTIONS)
    .filter((f) => f.documented || f.name === "AssertiveAppRoleAssignmentsComplex")
    .map((f) => f.name)
    .sort((a, b) => a.localeCompare(b, "en")),
);

export function lookupFunction(name: string): FunctionSignature | undefined {
  return Object.prototype.hasOwnProperty.call(FUNCTIONS, name) ? FUNCTIONS[name] : undefined;
}

/** The parameter list a call with `count` arguments uses (one of `forms`, else `parameters`). */
export function parametersFor(sig: FunctionSignature, count: number): readonly ParameterSpec[] {
  return sig.forms?.find((f) => f.length === count) ?? sig.parameters;
}

/**
 * The parameter an argument position binds to (following the repeated tail), or undefined past the
 * end. `count`, the call's argument count, selects among alternative forms when the function has any.
 */
export function parameterAt(sig: FunctionSignature, index: number, count?: number): ParameterSpec | undefined {
  if (count !== undefined && sig.forms) {
    const form = parametersFor(sig, count);
    if (form !== sig.parameters) return form[index];
  }
  if (index < sig.parameters.length) return sig.parameters[index];
  if (!sig.repeat || index >= sig.maxArgs) return undefined;
  const { from, group } = sig.repeat;
  return sig.parameters[from + ((index - from) % group)];
}

/** The closest catalogue name to `name` (case-insensitive edit distance), if any is reasonably close. */
export function nearestFunctionName(name: string): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of Object.keys(FUNCTIONS)) {
    const c = candidate.toLowerCase();
    if (c === lower) return candidate;
    const d = editDistance(lower, c);
    if (d < bestDistance || (d === bestDistance && best !== undefined && candidate.length < best.length)) {
      best = candidate;
      bestDistance = d;
    }
  }
  if (best === undefined) return undefined;
  const limit = name.length <= 4 ? 1 : 2;
  if (bestDistance <= limit) return best;
  // A prefix of a long name ("Normalize" → "NormalizeDiacritics") is a good guess too.
  const prefixed = Object.keys(FUNCTIONS).filter((c) => lower.length >= 4 && c.toLowerCase().startsWith(lower));
  return prefixed.length === 1 ? prefixed[0] : undefined;
}

/** Optimal-string-alignment distance (Levenshtein + adjacent transpositions). */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  if (m === 0) return n;
  if (n === 0) return m;
  let prev2 = new Array<number>(n + 1).fill(0);
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  let cur = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= m; i++) {
    cur[0] = i;
    for (let j = 1; j <= n; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let v = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a.charCodeAt(i - 1) === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === b.charCodeAt(j - 1)) {
        v = Math.min(v, (prev2[j - 2] as number) + 1);
      }
      cur[j] = v;
    }
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[n] as number;
}
