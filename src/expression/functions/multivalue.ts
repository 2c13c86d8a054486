// Multi-valued attributes: Count, Item, RemoveDuplicates, and the app role functions
// (AppRoleAssignments, AppRoleAssignmentsComplex, AssertiveAppRoleAssignmentsComplex, SingleAppRoleAssignment).
//
// `appRoleAssignments` is the list of role names the user is assigned. The *Complex functions make the
// engine send SCIM `roles` objects at export time; locally they evaluate to the role names.

import { isNull, valuesOf } from "../values";
import { int } from "./args";
import { eager, type FunctionImplementation } from "./types";

const Count = eager(([v]) => String(v === undefined ? 0 : valuesOf(v).length));

const Item = eager(([attribute, index], fail) => {
  const i = int(index, "index", fail);
  if (attribute === undefined || i === null) return null;
  if (i < 1) return fail(`index is 1-based and must be 1 or more, got ${i}`);
  return valuesOf(attribute)[i - 1] ?? null;
});

const RemoveDuplicates = eager(([v]) => {
  if (v === undefined || v === null || typeof v === "string") return v ?? null;
  return [...new Set(v)];
});

const roleNames = eager(([v]) => (v === undefined || isNull(v) ? null : valuesOf(v).slice()));

const SingleAppRoleAssignment = eager(([v]) => (v === undefined ? null : (valuesOf(v)[0] ?? null)));

export const MULTIVALUE_FUNCTIONS: Readonly<Record<string, FunctionImplementation>> = {
  AppRoleAssignments: roleNames,
  AppRoleAssignmentsComplex: roleNames,
  AssertiveAppRoleAssignmentsComplex: roleNames,
  Count,
  Item,
  RemoveDuplicates,
  SingleAppRoleAssignment,
};
