// Advice about expressions that parse and compile but that Entra documents as unsupported or risky
// (graph-sync.md §5.2). The validator shows these as warnings; they never stop a deployment.

import { type Argument, type CallExpr, type Expr, walk } from "./ast";
import { lookupFunction } from "./functions/catalog";
import { REPLACE_POSITIONS, replaceModeOf } from "./functions/replace-mode";

export interface ExpressionDiagnostic {
  readonly severity: "warning" | "info";
  readonly code: string;
  readonly message: string;
  /** 0-based offsets into the expression text. */
  readonly offset: number;
  readonly end: number;
  readonly hint?: string;
}

const PRESENCE_TESTS = new Set(["IsPresent", "IsNull", "IsNullOrEmpty", "IsNothing"]);

export function lintExpression(expr: Expr): ExpressionDiagnostic[] {
  const out: ExpressionDiagnostic[] = [];
  const at = (node: Argument, severity: ExpressionDiagnostic["severity"], code: string, message: string, hint?: string): void => {
    out.push({ severity, code, message, offset: node.start, end: Math.max(node.end, node.start + 1), ...(hint ? { hint } : {}) });
  };
  walk(expr, (node, parent) => {
    if (node.kind !== "call") return;
    const call: CallExpr = node;
    const sig = lookupFunction(call.name);
    if (sig && !sig.documented && call.name !== "AssertiveAppRoleAssignmentsComplex") {
      at(call, "info", "engine-only-function", `${call.name} is not in the documented function reference`, "it exists in the engine's functions API; its behaviour here is inferred");
    }
    if (call.name === "SelectUniqueValue") {
      if (parent !== null) at(call, "warning", "select-unique-nested", "SelectUniqueValue must be the top-level function, not nested");
      at(call, "info", "select-unique-scim", "SelectUniqueValue is only supported for Workday/SuccessFactors/API-driven provisioning to Active Directory, not for SCIM apps");
    }
    if (call.name === "IIF") {
      const condition = call.args[0];
      if (condition?.kind === "call" && PRESENCE_TESTS.has(condition.name)) {
        at(condition, "warning", "iif-presence-condition", `IIF with ${condition.name} as condition is documented as unsupported (the condition check fails when the attribute is empty)`, 'use Switch([attr], [attr], "", "Other")');
      }
      if (condition?.kind === "comparison" && (isEmptyString(condition.left) || isEmptyString(condition.right))) {
        at(condition, "warning", "iif-empty-comparison", 'IIF comparing with "" is documented as unsupported (the condition check fails when the attribute is empty)', 'use Switch([attr], [attr], "", "Other")');
      }
    }
    if (call.name === "Switch") {
      const source = call.args[0];
      if (source?.kind === "call" && PRESENCE_TESTS.has(source.name)) {
        at(source, "warning", "switch-presence-source", `do not use ${source.name} as the Switch source`, 'detect an empty value with a "" key: Switch([attr], "default", "", "empty")');
      }
    }
    if (call.name === "Replace") {
      const present = call.args.map((a) => a.kind !== "empty");
      const mode = replaceModeOf(present);
      if (mode.ok) {
        const used: Record<string, readonly number[]> = {
          literal: [REPLACE_POSITIONS.oldValue, REPLACE_POSITIONS.replacementValue],
          template: [REPLACE_POSITIONS.oldValue, REPLACE_POSITIONS.template],
          regex: [REPLACE_POSITIONS.regexPattern, REPLACE_POSITIONS.replacementValue],
          regexGroup: [REPLACE_POSITIONS.regexPattern, REPLACE_POSITIONS.regexGroupName, REPLACE_POSITIONS.replacementValue],
          regexGroupFromAttribute: [REPLACE_POSITIONS.regexPattern, REPLACE_POSITIONS.regexGroupName, REPLACE_POSITIONS.replacementAttributeName],
        };
        call.args.forEach((arg, i) => {
          if (i === 0 || arg.kind === "empty" || (used[mode.mode] ?? []).includes(i)) return;
          const name = sig?.parameters[i]?.name ?? `argument ${i + 1}`;
          at(arg, "warning", "replace-ignored-argument", `Replace ignores ${name} in this mode (${mode.mode})`);
        });
      }
    }
  });
  return out;
}

function isEmptyString(node: Argument): boolean {
  return node.kind === "string" && node.value === "";
}
