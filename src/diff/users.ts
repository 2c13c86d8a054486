/**
 * Sample users through both sides: each user's preview under the base plan and under the head plan, and
 * what changes between them — scope, the attribute values sent, violations, group policies — and the
 * groups those users make Entra provision, tallied as the users stream past. Violations are the same when their rule and attribute are
 * (their message quotes values, which may differ on both sides).
 */
import type { AppPlan } from "../plan/types";
import { AppPreviewer, compareGroups, fillSharedValueFilters, type GroupChange, type SampleUser, sampleUsers, type UserPreview, type UserSource, userPolicyText, type Violation } from "../preview";
import { scopeExitOutcome } from "./consequences";
import type { UserChange, ViolationKey } from "./model";

export interface Side {
  plan: AppPlan | undefined;
  config: Readonly<Record<string, string>>;
}

export interface UserPair {
  user: SampleUser;
  before: UserPreview | null;
  after: UserPreview | null;
}

/** A fixed clock and randomness: Now() and Guid() must not show as changes. */
const FIXED = { now: () => new Date("2026-01-01T00:00:00Z"), random: () => 0.5 };

function previewer(side: Side): AppPreviewer | null {
  return side.plan?.entra ? new AppPreviewer(side.plan, { ...FIXED, config: side.config }) : null;
}

/** Changed users listed per app in the report; the rest are counted (`usersNotListed`). */
export const MAX_LISTED_USER_CHANGES = 1000;

/** What the pass over the users leaves: counts, the first changed users, the groups — nothing per user beyond that. */
export interface SidesTally {
  /** Users read (the --users file). */
  users: number;
  inScope: { before: number; after: number };
  /** The first MAX_LISTED_USER_CHANGES changed users (in file order), and how many changed in all. */
  changes: UserChange[];
  changed: number;
  /** Violations new in the head, over every changed user. */
  newViolations: number;
  /** Users in scope in the base and not in the head: how many, per outcome text, and how many of them are disabled. */
  leaving: { users: number; disabled: number; outcomes: Map<string, number> };
  /** The groups seen in the pass over the users, compared side by side. */
  groups: GroupChange[];
}

export interface TallyOptions {
  /** The head's plan leaving-scope outcomes are described with (undefined: the app is removed from the head). */
  head: AppPlan | undefined;
  /** List and count user changes (false: a removed app, whose users are the appRemoved consequence's). */
  changes: boolean;
  maxListed?: number;
}

/**
 * Each user previewed on both sides, one at a time (a first pass fills the shared-matching-value filters,
 * as runPreview's does), folded into a SidesTally: memory does not grow with the users file.
 */
export async function tallySides(base: Side, head: Side, source: UserSource, options: TallyOptions): Promise<SidesTally> {
  const before = previewer(base);
  const after = previewer(head);
  const max = options.maxListed ?? MAX_LISTED_USER_CHANGES;
  const tally: SidesTally = { users: 0, inScope: { before: 0, after: 0 }, changes: [], changed: 0, newViolations: 0, leaving: { users: 0, disabled: 0, outcomes: new Map() }, groups: [] };
  await fillSharedValueFilters([before, after], source);
  before?.beginPass();
  after?.beginPass();
  for await (const user of sampleUsers(source())) {
    tally.users++;
    const pair: UserPair = { user, before: before?.preview(user) ?? null, after: after?.preview(user) ?? null };
    if (pair.before?.inScope) tally.inScope.before++;
    if (pair.after?.inScope) tally.inScope.after++;
    const exit = pair.before?.inScope && !pair.after?.inScope && options.head?.entra ? scopeExitOutcome(options.head, pair.before) : undefined;
    if (exit) {
      tally.leaving.users++;
      tally.leaving.outcomes.set(exit.text, (tally.leaving.outcomes.get(exit.text) ?? 0) + 1);
      if (exit.outcome === "disabled") tally.leaving.disabled++;
    }
    if (!options.changes) continue;
    const c = userChange(pair);
    if (!c) continue;
    if (c.scope === "left") c.outcome = (exit ?? scopeExitOutcome(options.head!, pair.before)).text;
    tally.changed++;
    tally.newViolations += c.newViolations.length;
    if (tally.changes.length < max) tally.changes.push(c);
  }
  tally.groups = compareGroups(before?.groupPreviews() ?? [], after?.groupPreviews() ?? []);
  before?.endPass();
  after?.endPass();
  return tally;
}

/** The change of one user, or null when its provisioning is the same on both sides. */
export function userChange(pair: UserPair): UserChange | null {
  const was = pair.before?.inScope ?? false;
  const is = pair.after?.inScope ?? false;
  if (!was && !is) return null;
  const upn = pair.user.userPrincipalName;
  const policy = policyChange(pair);
  if (!was) return { userPrincipalName: upn, scope: "entered", attributes: [], newViolations: difference(pair.after!.violations, []), fixedViolations: [], ...policy };
  if (!is) return { userPrincipalName: upn, scope: "left", attributes: [], newViolations: [], fixedViolations: [], ...policy };
  const a = pair.before!.attributes;
  const b = pair.after!.attributes;
  const attributes: UserChange["attributes"] = [];
  for (const target of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const x = a[target] ?? null;
    const y = b[target] ?? null;
    if (JSON.stringify(x) !== JSON.stringify(y)) attributes.push({ target, before: x, after: y });
  }
  const newViolations = difference(pair.after!.violations, pair.before!.violations);
  const fixedViolations = difference(pair.before!.violations, pair.after!.violations);
  if (!attributes.length && !newViolations.length && !fixedViolations.length && !policy.policy) return null;
  return { userPrincipalName: upn, scope: "stayed", attributes, newViolations, fixedViolations, ...policy };
}

/** `{ policy }` when the policies the user receives differ (an out-of-scope side receives none). */
function policyChange(pair: UserPair): Pick<UserChange, "policy"> {
  const before = userPolicyText(pair.before?.inScope ? pair.before : null);
  const after = userPolicyText(pair.after?.inScope ? pair.after : null);
  return before === after ? {} : { policy: { before, after } };
}

const identity = (v: Violation) => `${v.rule}\u0000${v.attribute ?? ""}`;

function difference(these: readonly Violation[], those: readonly Violation[]): ViolationKey[] {
  const known = new Set(those.map(identity));
  const seen = new Set<string>();
  const out: ViolationKey[] = [];
  for (const v of these) {
    const id = identity(v);
    if (known.has(id) || seen.has(id)) continue;
    seen.add(id);
    out.push(key(v));
  }
  return out;
}

function key(v: Violation): ViolationKey {
  return { rule: v.rule, ...(v.attribute ? { attribute: v.attribute } : {}), severity: v.severity, message: v.message };
}
