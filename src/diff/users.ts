/**
 * Sample users through both sides: each user's preview under the base plan and under the head plan, and
 * what changes between them — scope, the attribute values sent, violations, group policies — and the
 * groups those users make Entra provision. Violations are the same when their rule and attribute are
 * (their message quotes values, which may differ on both sides).
 */
import type { AppPlan } from "../plan/types";
import { AppPreviewer, compareGroups, type GroupChange, type SampleUser, type UserPreview, userPolicyText, type Violation } from "../preview";
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

export interface SidesPreview {
  pairs: UserPair[];
  /** The groups seen in the pass over the users, compared side by side. */
  groups: GroupChange[];
}

/** One pass over the users on each side; its groups come from the same previewers (each side's own config). */
export function previewSides(base: Side, head: Side, users: readonly SampleUser[]): SidesPreview {
  const before = previewer(base);
  const after = previewer(head);
  const pairs = users.map((user) => ({ user, before: before?.preview(user) ?? null, after: after?.preview(user) ?? null }));
  return { pairs, groups: compareGroups(before?.groupPreviews() ?? [], after?.groupPreviews() ?? []) };
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
