/**
 * Evaluation stage: a mapping's attributes compiled once (expression, what each reads, defaults, which
 * attribute a target's value ends up in) and one evaluation of them over one source record, kept as
 * arrays indexed like the attributes. Users and groups both go through it.
 */
import { attributesReferenced, compileExpression, type CompiledExpression, type SourceRecord } from "../expression";
import type { PlannedAttribute } from "../plan/types";
import type { Violation } from "./rules";
import type { AttributeValue } from "./scim";
import type { ScopingResult } from "./scoping";
import type { Assignment } from "./scope";


/** One evaluation of the mapping for one state of a user. */
export interface Evaluation {
  assignment: Assignment;
  scoping: ScopingResult;
  isSoftDeleted: boolean;
  softDeletedBecause: string[];
  inScope: boolean;
  /** Values flowing on create (defaults applied), references included; null for attributes not sent. */
  create: Map<string, AttributeValue | null>;
  /** Values that updates compare (apply: always, no defaults, no references). */
  current: Map<string, AttributeValue>;
  errors: Violation[];
  /** What the expressions read (kept so a variant of this state re-evaluates only what it changes). */
  attributes: Readonly<Record<string, string | string[] | null>>;
  record: SourceRecord;
  /** Per mapped attribute (mapping order): the evaluated value and whether it flows. */
  results: readonly { value: AttributeValue | null; flows: boolean }[];
}

export function normalize(value: string | string[] | null): AttributeValue | null {
  if (value === null) return null;
  if (Array.isArray(value)) return value.length ? value : null;
  return value;
}

export interface CompiledAttribute {
  spec: PlannedAttribute;
  target: string;
  evaluate: CompiledExpression | null;
  /** Source attributes the expression reads (IsSoftDeleted and appRoleAssignments included). */
  refs: ReadonlySet<string>;
  /** A reference attribute (`[manager]`): Entra exports it once the referenced user exists in the target. */
  reference: boolean;
  /** Updates compare it: apply always, not a reference. */
  compared: boolean;
  /** "Default value if null" (create only). */
  fallback: AttributeValue | null;
  /** The last attribute with the same target: the one a Map keyed by target ends up holding. */
  last: number;
}

/**
 * An Evaluation as arrays indexed like the app's attributes; the Maps of the Evaluation interface are
 * built on first use (the preview itself reads the arrays).
 */
export class EvalState implements Evaluation {
  private createMap?: Map<string, AttributeValue | null>;
  private currentMap?: Map<string, AttributeValue>;
  private attributesObject: Readonly<Record<string, string | string[] | null>> | null;
  /** Which of the plan's assignments matched, as a bit mask, when that alone decided the assignment (else -1). */
  assignmentMask = -1;

  constructor(
    readonly table: readonly CompiledAttribute[],
    public assignment: Assignment,
    public scoping: ScopingResult,
    public isSoftDeleted: boolean,
    public softDeletedBecause: string[],
    public inScope: boolean,
    public errors: Violation[],
    /** null: the record is the attributes plus IsSoftDeleted and appRoleAssignments (added last). */
    attributes: Readonly<Record<string, string | string[] | null>> | null,
    public record: SourceRecord,
    /** Per attribute: the evaluated value (NULL and empty lists as null) and whether it flows. */
    readonly values: (AttributeValue | null)[],
    readonly flows: boolean[],
    /** Per attribute: the value sent on create (default applied; null when it does not flow). */
    readonly createValues: (AttributeValue | null)[],
  ) {
    this.attributesObject = attributes;
  }

  get attributes(): Readonly<Record<string, string | string[] | null>> {
    if (!this.attributesObject) {
      const out: Record<string, string | string[] | null> = {};
      const record = this.record as Readonly<Record<string, string | string[] | null>>;
      for (const key in record) if (key !== "IsSoftDeleted" && key !== "appRoleAssignments") out[key] = record[key]!;
      this.attributesObject = out;
    }
    return this.attributesObject;
  }

  /** attributes[key] without building the attributes object. */
  attribute(key: string): unknown {
    return this.attributesObject ? this.attributesObject[key] : (this.record as Readonly<Record<string, unknown>>)[key];
  }

  get create(): Map<string, AttributeValue | null> {
    if (!this.createMap) {
      const map = new Map<string, AttributeValue | null>();
      for (let i = 0; i < this.table.length; i++) map.set(this.table[i]!.target, this.createValues[i]!);
      this.createMap = map;
    }
    return this.createMap;
  }

  get current(): Map<string, AttributeValue> {
    if (!this.currentMap) {
      const map = new Map<string, AttributeValue>();
      for (let i = 0; i < this.table.length; i++) {
        const v = currentValue(this, this.table[i]!, i);
        if (v !== null) map.set(this.table[i]!.target, v);
      }
      this.currentMap = map;
    }
    return this.currentMap;
  }

  get results(): readonly { value: AttributeValue | null; flows: boolean }[] {
    return this.values.map((value, i) => ({ value, flows: this.flows[i]! }));
  }

  /** A copy whose attributes `changed` hold new values (filled in by the caller). */
  derive(record: SourceRecord, attributes: Readonly<Record<string, string | string[] | null>> | null, isSoftDeleted: boolean): EvalState {
    return new EvalState(
      this.table,
      this.assignment,
      this.scoping,
      isSoftDeleted,
      this.softDeletedBecause,
      this.inScope,
      [...this.errors],
      attributes,
      record,
      this.values.slice(),
      this.flows.slice(),
      this.createValues.slice(),
    );
  }
}

/** The value updates compare for attribute i (null: not part of `current`). */
export function currentValue(ev: EvalState, a: CompiledAttribute, i: number): AttributeValue | null {
  return a.compared && ev.flows[i] ? ev.values[i]! : null;
}

export function sameValue(a: AttributeValue | null, b: AttributeValue | null): boolean {
  if (a === null || b === null) return a === b;
  if (typeof a === "string" || typeof b === "string") return a === b;
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Compiles a mapping's attributes (mapping order) and indexes who reads which source attribute. */
export function compileAttributes(attributes: readonly PlannedAttribute[], options: { now?: () => Date; random?: () => number }): {
  table: CompiledAttribute[];
  readers: Map<string, number[]>;
  lastIndex: Map<string, number>;
  uniqueTargets: boolean;
} {
  const lastIndex = new Map<string, number>();
  attributes.forEach((a, i) => lastIndex.set(a.target, i));
  const table = attributes.map((spec): CompiledAttribute => {
    const reference = spec.source?.kind === "attribute" && spec.source.name === "manager";
    return {
      spec,
      target: spec.target,
      evaluate: spec.source ? compileExpression(spec.source, options) : null,
      refs: new Set(spec.source ? attributesReferenced(spec.source) : []),
      reference,
      compared: spec.apply === "always" && !reference,
      fallback: spec.default ?? null,
      last: lastIndex.get(spec.target)!,
    };
  });
  const readers = new Map<string, number[]>();
  table.forEach((a, i) => {
    for (const ref of a.refs) {
      const list = readers.get(ref);
      if (list) list.push(i);
      else readers.set(ref, [i]);
    }
  });
  return { table, readers, lastIndex, uniqueTargets: lastIndex.size === attributes.length };
}

/** Evaluates attribute `a` against `record` into `values[k]` / `flows[k]`; a failure is an expression-error violation. */
export function evaluateAttribute(a: CompiledAttribute, record: SourceRecord, errors: Violation[], values: (AttributeValue | null)[], flows: boolean[], k: number): void {
  if (!a.evaluate) {
    values[k] = null;
    flows[k] = true;
    return;
  }
  try {
    const r = a.evaluate(record);
    values[k] = normalize(r.value);
    flows[k] = r.flows;
  } catch (err) {
    errors.push({ rule: "expression-error", severity: "error", attribute: a.target, message: `\`${a.target}\`: ${(err as Error).message}` });
    values[k] = null;
    flows[k] = true;
  }
}

const EMPTY: readonly number[] = [];

/** The attributes (ascending) whose expression reads one of `changed`. */
export function readersOf(readers: ReadonlyMap<string, readonly number[]>, count: number, changed: readonly string[]): readonly number[] {
  if (changed.length === 1) return readers.get(changed[0]!) ?? EMPTY;
  const marked = new Array<boolean>(count).fill(false);
  for (const key of changed) for (const i of readers.get(key) ?? EMPTY) marked[i] = true;
  const out: number[] = [];
  for (let i = 0; i < marked.length; i++) if (marked[i]) out.push(i);
  return out;
}
