// The Entra attribute-mapping expression language: parse, print, compile/evaluate, Graph form.

export {
  type Argument,
  type AttributeExpr,
  attributesReferenced,
  build,
  type CallExpr,
  type ComparisonExpr,
  type ComparisonOperator,
  COMPARISON_OPERATORS,
  type EmptyArg,
  ENUM_IDENTIFIERS,
  type EnumExpr,
  type EnumName,
  type Expr,
  exprEquals,
  functionsCalled,
  type HexExpr,
  type NumberExpr,
  type Operand,
  type StringExpr,
  walk,
  withoutPositions,
} from "./ast";
export { type CompiledExpression, compileExpression, type CompileOptions } from "./compile";
export { type ExpressionDiagnostic, lintExpression } from "./diagnostics";
export { ExpressionError, type ExpressionErrorCode, isExpressionError, type SourceLocation } from "./errors";
export {
  DOCUMENTED_FUNCTION_NAMES,
  FUNCTIONS,
  type FunctionSignature,
  lookupFunction,
  nearestFunctionName,
  type ParameterSpec,
} from "./functions/catalog";
export { type AttributeMappingParameter, type AttributeMappingSource, fromGraphSource, toGraphSource } from "./graph";
export { MAX_NESTING, parseExpression, type ParseResult, sourceTextOf, tryParseExpression } from "./parser";
export { normalizeExpressionText, printExpression, quoteString } from "./print";
export { type EvalResult, type SourceRecord, type Value } from "./values";
