// Name → implementation for every function of the catalogue.

import { FUNCTIONS } from "./catalog";
import { DATE_FUNCTIONS } from "./dates";
import { GENERATOR_FUNCTIONS } from "./generators";
import { LOGIC_FUNCTIONS } from "./logic";
import { MULTIVALUE_FUNCTIONS } from "./multivalue";
import { Replace } from "./replace";
import { STRING_FUNCTIONS } from "./strings";
import type { FunctionImplementation } from "./types";

export const IMPLEMENTATIONS: Readonly<Record<string, FunctionImplementation>> = Object.freeze({
  ...STRING_FUNCTIONS,
  ...LOGIC_FUNCTIONS,
  ...DATE_FUNCTIONS,
  ...MULTIVALUE_FUNCTIONS,
  ...GENERATOR_FUNCTIONS,
  Replace,
});

export function implementationOf(name: string): FunctionImplementation | undefined {
  return Object.prototype.hasOwnProperty.call(IMPLEMENTATIONS, name) ? IMPLEMENTATIONS[name] : undefined;
}

// Every catalogued function has an implementation and vice versa (checked once at load).
for (const name of Object.keys(FUNCTIONS)) {
  if (!implementationOf(name)) throw new Error(`expression library: no implementation for ${name}`);
}
for (const name of Object.keys(IMPLEMENTATIONS)) {
  if (!(name in FUNCTIONS)) throw new Error(`expression library: ${name} is implemented but not catalogued`);
}
