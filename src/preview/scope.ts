/**
 * Scope stage: who is in scope of assignment (direct roles, the plan's user and group assignments,
 * sync-all; refused roles do not count), and the reasons IsSoftDeleted is True. Users and groups both go
 * through it: a group is in scope when it is assigned itself.
 */
import type { EntraPlan } from "../plan/types";
import { jsonStrings } from "./json";
import type { ScopingResult } from "./scoping";

export interface Assignment {
  /** In scope of assignment: an effective role, or the app syncs all users. */
  assigned: boolean;
  /** Roles that count (app-specific roles), and refused ones (Default Access). */
  roles: string[];
  refusedRoles: string[];
  /** Where the assignments come from: `assignedRoles`, `user <upn>`, `group <name>`, `syncAll`. */
  via: string[];
}

export type GroupRef = { displayName: string; id?: string };

/** What an object (user or group) carries that decides its assignment. */
export interface Assignable {
  userPrincipalName?: string;
  id?: unknown;
  assignedRoles?: Readonly<Record<string, string | readonly string[]>>;
}

/** Up to 8 plan assignments: the assignment's JSON is cached per mask of matched ones (at most 256). */
const MAX_CACHED_ASSIGNMENTS = 8;

export function assignmentJson(a: Assignment): string {
  return `{"assigned":${a.assigned},"roles":${jsonStrings(a.roles)},"refusedRoles":${jsonStrings(a.refusedRoles)},"via":${jsonStrings(a.via)}}`;
}

/** The assignments of one app's plan, resolved per object. */
export class AssignmentResolver {
  /** `user <u>` / `group <g>` for each of the plan's assignments. */
  private readonly via: string[];
  private readonly refused: ReadonlySet<string>;
  /** Per mask of applying plan assignments (see mask): the assignment, its roles and its JSON. */
  readonly shared = new Map<number, { assignment: Assignment; roles: string[]; json: string }>();

  constructor(
    private readonly entra: EntraPlan,
    private readonly app: string,
  ) {
    this.refused = new Set(entra.roles.refused);
    this.via = entra.assignments.map((a) => ("user" in a ? `user ${a.user}` : `group ${a.group}`));
  }

  /** The plan's assignment k applies to the object (by user, or through one of its groups). */
  applies(k: number, object: Assignable, groups: readonly GroupRef[]): boolean {
    const a = this.entra.assignments[k]!;
    if ("user" in a) return a.user === object.userPrincipalName || a.user === object.id;
    for (let g = 0; g < groups.length; g++) {
      const group = groups[g]!;
      if (group.displayName === a.group || (group.id !== undefined && group.id === a.group)) return true;
    }
    return false;
  }

  /** The object's roles for this app: direct, through `groups` (for a group: itself), or sync-all. */
  assignmentFor(object: Assignable, groups: readonly GroupRef[]): Assignment {
    const roles: string[] = [];
    const via: string[] = [];
    const direct = object.assignedRoles?.[this.app] ?? object.assignedRoles?.["*"];
    if (direct !== undefined) {
      roles.push(...(typeof direct === "string" ? [direct] : direct));
      via.push("assignedRoles");
    }
    const assignments = this.entra.assignments;
    for (let k = 0; k < assignments.length; k++) {
      if (this.applies(k, object, groups)) {
        roles.push(assignments[k]!.role);
        via.push(this.via[k]!);
      }
    }
    const effective: string[] = [];
    const refusedRoles: string[] = [];
    for (const r of roles) {
      if (this.refused.has(r)) {
        if (!refusedRoles.includes(r)) refusedRoles.push(r);
      } else if (!effective.includes(r)) effective.push(r);
    }
    if (this.entra.syncAll) via.push("syncAll");
    return { assigned: this.entra.syncAll || effective.length > 0, roles: effective, refusedRoles, via };
  }

  /**
   * Which of the plan's assignments apply, as a bit mask, when they alone decide the object's assignment
   * (no direct `assignedRoles`, at most MAX_CACHED_ASSIGNMENTS assignments); else -1.
   */
  mask(object: Assignable, groups: readonly GroupRef[]): number {
    if ((object.assignedRoles?.[this.app] ?? object.assignedRoles?.["*"]) !== undefined) return -1;
    const n = this.entra.assignments.length;
    if (n > MAX_CACHED_ASSIGNMENTS) return -1;
    let mask = 0;
    for (let k = 0; k < n; k++) if (this.applies(k, object, groups)) mask |= 1 << k;
    return mask;
  }

  /** The assignment shared by every object with the same mask. */
  sharedFor(mask: number, object: Assignable, groups: readonly GroupRef[]): { assignment: Assignment; roles: string[]; json: string } {
    let shared = this.shared.get(mask);
    if (!shared) {
      const a = this.assignmentFor(object, groups);
      shared = { assignment: a, roles: [...a.roles], json: assignmentJson(a) };
      this.shared.set(mask, shared);
    }
    return shared;
  }
}

/** Why IsSoftDeleted is True (none: False), into `because` (cleared first). */
export function softDeletedReasons(because: string[], enabled: boolean, assignment: Assignment, scoping: ScopingResult, deletedDateTime: string | null): string[] {
  because.length = 0;
  if (!enabled) because.push("disabled (accountEnabled is false)");
  if (!assignment.assigned) {
    because.push(
      assignment.refusedRoles.length
        ? `not assigned: only the ${assignment.refusedRoles.join(", ")} role, which is excluded from provisioning`
        : "not assigned to the app",
    );
  }
  if (!scoping.passed) because.push(`out of scope: ${scoping.failures.map((f) => `${f.filter}: ${f.reason}`).join("; ")}`);
  if (deletedDateTime !== null) because.push(`soft-deleted (deletedDateTime ${deletedDateTime})`);
  return because;
}
