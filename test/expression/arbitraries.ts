// fast-check generators: valid expression trees (by construction), expression-like text, and users.
import fc from "fast-check";
import {
  type Argument,
  build as b,
  COMPARISON_OPERATORS,
  ENUM_IDENTIFIERS,
  type Expr,
  FUNCTIONS,
  type FunctionSignature,
  type Operand,
} from "../../src/expression";
import { parameterAt } from "../../src/expression/functions/catalog";
import { REPLACE_POSITIONS } from "../../src/expression/functions/replace-mode";

export const ATTRIBUTE_NAMES = ["givenName", "surname", "mail", "userPrincipalName", "IsSoftDeleted", "proxyAddresses", "a", "b", "x.y:z-1"];

const attribute = fc.oneof(
  fc.constantFrom(...ATTRIBUTE_NAMES),
  fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.:-]{0,12}$/),
).map((name) => b.attribute(name));
const stringLiteral = fc
  .oneof(fc.string({ maxLength: 12 }), fc.string({ unit: "grapheme", maxLength: 6 }), fc.constantFrom("", "True", "False", "\\", '"', "2021-08-24", "d", "1", "-", "(?<g>a)"))
  .map((v) => b.string(v));
const number = fc.stringMatching(/^-?[0-9]{1,12}$/).map((t) => b.number(t));
const hex = fc.stringMatching(/^[0-9A-F]{1,12}$/).map((d) => b.hex(d));
const enumLiteral = fc.constantFrom(...ENUM_IDENTIFIERS).map((n) => b.enumName(n));
const leaf: fc.Arbitrary<Operand> = fc.oneof({ weight: 4, arbitrary: attribute }, { weight: 4, arbitrary: stringLiteral }, number, hex, enumLiteral);

const FUNCTION_NAMES = Object.keys(FUNCTIONS);
const REPLACE_MODES: readonly (readonly number[])[] = [
  [REPLACE_POSITIONS.oldValue, REPLACE_POSITIONS.replacementValue],
  [REPLACE_POSITIONS.oldValue, REPLACE_POSITIONS.template],
  [REPLACE_POSITIONS.regexPattern, REPLACE_POSITIONS.replacementValue],
  [REPLACE_POSITIONS.regexPattern, REPLACE_POSITIONS.regexGroupName, REPLACE_POSITIONS.replacementValue],
  [REPLACE_POSITIONS.regexPattern, REPLACE_POSITIONS.regexGroupName, REPLACE_POSITIONS.replacementAttributeName],
];

/** A valid call of `sig`: argument count within the signature, required positions filled. */
function callOf(sig: FunctionSignature, arg: fc.Arbitrary<Expr>): fc.Arbitrary<Operand> {
  const empty = fc.constant(b.empty());
  if (sig.name === "Replace") {
    return fc.tuple(fc.constantFrom(...REPLACE_MODES), fc.array(arg, { minLength: 7, maxLength: 7 })).map(([mode, values]) =>
      b.call(
        "Replace",
        values.map((v, i) => (i === 0 || mode.includes(i) ? v : b.empty())),
      ),
    );
  }
  const extra = sig.maxArgs === Infinity ? 4 : sig.maxArgs - sig.minArgs;
  return fc.integer({ min: 0, max: extra }).chain((more) => {
    let count = sig.minArgs + more;
    if (sig.name === "Switch" && count % 2 === 1) count++;
    const positions = Array.from({ length: count }, (_, i) => (parameterAt(sig, i, count)?.required ? arg : fc.oneof(arg, empty)));
    return fc.tuple(...positions).map((args) => b.call(sig.name, args as Argument[]));
  });
}

/** Valid expression trees (every one parses back from its printed text). */
export const expressionTree: fc.Arbitrary<Expr> = fc.letrec<{ operand: Operand; arg: Expr }>((tie) => ({
  operand: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    { weight: 3, arbitrary: leaf },
    { weight: 2, arbitrary: fc.constantFrom(...FUNCTION_NAMES).chain((name) => callOf(FUNCTIONS[name] as FunctionSignature, tie("arg"))) },
  ),
  arg: fc.oneof(
    { weight: 5, arbitrary: tie("operand") },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...COMPARISON_OPERATORS), leaf, tie("operand")).map(([op, l, r]) => b.comparison(op, l, r)) },
  ),
})).operand;

const TOKENS = [
  "Join(", "Switch(", "Replace(", "IIF(", "Mid(", "CDate(", "FormatDateTime(", "Now()", "Coalesce(", "Frob(", "switch(",
  "[a]", "[mail]", "[", "]", "[]", '"x"', '""', '"', '\\"', "\\\\", "\\d", ",", ", ", ")", "(", " ", "\n", "=", "<>", ">=", "<",
  "&HF", "&H", "&", "-1", "1", "1.5", "vbTextCompare", "vbtextcompare", "True", "mail", "#", "'", "\u00e9", "\u{1F600}",
];

/** Text made of expression-like fragments (many near-misses of valid expressions). */
export const expressionLikeText: fc.Arbitrary<string> = fc.array(fc.constantFrom(...TOKENS), { maxLength: 30 }).map((parts) => parts.join(""));

const value = fc.oneof(
  fc.constant(null),
  fc.string({ maxLength: 10 }),
  fc.constantFrom("", "True", "False", "0", "12", "2021-08-24", "8/25/2021 5:41:18 PM", "+91 9998887777", "Zoë", "a,b, c"),
  fc.array(fc.string({ maxLength: 6 }), { maxLength: 3 }),
);

/** Random users over the attribute names the trees use most. */
export const user = fc.dictionary(fc.constantFrom(...ATTRIBUTE_NAMES, "accountEnabled"), value, { maxKeys: 8 });
