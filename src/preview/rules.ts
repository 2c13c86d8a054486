/**
 * What a target app enforces (the `target:` block of its file), checked for one user's create request.
 * `error`: the target (or Entra) refuses the user; `warning`: the user is provisioned but something the
 * target keys on will not work (e.g. an IronWifi group whose name differs only in case).
 */
import type { TargetRulesSpec } from "../spec/schema";
import { bareKey } from "../spec/config-refs";
import type { AttributeValue } from "./scim";

export interface Violation {
  rule: string;
  message: string;
  severity: "error" | "warning";
  /** The target attribute concerned, when there is one. */
  attribute?: string;
}

export interface RuleContext {
  appName: string;
  displayName: string;
  target: TargetRulesSpec;
  /** Domains registered with the target (resolved from config), lower-case; undefined when the rule is absent. */
  allowedDomains?: readonly string[];
  /** Matching attributes in precedence order. */
  matching: readonly string[];
  /** Group provisioning is enabled for this app. */
  groupsEnabled: boolean;
}

/** What the rules look at for one user. */
export interface RuleInput {
  /** Target → value of every attribute that flows on create (references included); null when not sent. */
  values: ReadonlyMap<string, AttributeValue | null>;
  /** The source expression of each target, for messages. */
  sources: ReadonlyMap<string, string | undefined>;
  /** The POST body's active value (true/false), or undefined when active is not sent. */
  active: unknown;
  groups: readonly string[];
}

/** Resolves `allowedDomains` (inline or `{config: key}`, comma-separated) against stack config values. */
export function resolveAllowedDomains(
  target: TargetRulesSpec,
  config: Readonly<Record<string, string>>,
): { domains?: string[]; missingConfig?: string } {
  const spec = target.userName?.allowedDomains;
  if (spec === undefined) return {};
  let text: string | undefined;
  if (typeof spec === "string") text = spec;
  else {
    const key = bareKey(spec.config);
    text = config[key] ?? config[`scimops:${key}`];
    if (text === undefined) return { missingConfig: key };
  }
  return {
    domains: text
      .split(",")
      .map((d) => d.trim().replace(/^@/, "").toLowerCase())
      .filter(Boolean),
  };
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Characters of a matching value that break Entra's filter query. known-issues.md: "Microsoft Entra ID
 * currently can't perform filter queries on values containing special characters … a provisioning attempt
 * on a resource (user or group) with a special character on filter attributes fails" — without naming
 * them. scimops counts those a SCIM filter string must escape (`"`, `\`) and control characters (the
 * choice is written down in docs/preview.md).
 */
export function filterBreakingCharacters(value: string): string[] {
  const bad: string[] = [];
  for (const c of value) {
    const code = c.charCodeAt(0);
    if ((c === '"' || c === "\\" || code < 0x20 || code === 0x7f) && !bad.includes(c)) bad.push(c);
  }
  return bad;
}

/** The violation for a matching value Entra cannot query (null: the value is fine). */
export function filterCharacterViolation(attribute: string, value: string, what: string): Violation | null {
  const bad = filterBreakingCharacters(value);
  if (!bad.length) return null;
  return {
    rule: "matching-value-characters",
    severity: "error",
    attribute,
    message: `\`${attribute}\` ${JSON.stringify(value)} contains ${bad.map((c) => JSON.stringify(c)).join(" ")}: Entra cannot query a filter on values with special characters, so the ${what} fails to provision`,
  };
}

function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** More than `max` code points (a string has at most as many code points as UTF-16 units). */
function longerThan(s: string, max: number): boolean {
  return s.length > max && codePoints(s) > max;
}

function firstString(v: AttributeValue | null | undefined): string | null {
  if (v === null || v === undefined) return null;
  return typeof v === "string" ? v : (v[0] ?? null);
}

function describeSource(source: string | undefined): string {
  return source ? ` (source ${source})` : "";
}

/** The one-character form of a simple `^[class]+$` pattern (`^[class]$`), or null for other patterns. */
function characterClassOf(pattern: string): RegExp | null {
  const m = /^\^(\[[^\]]+\])[+*]\$$/.exec(pattern);
  return m ? new RegExp(`^${m[1]}$`) : null;
}

/** Characters of `s` that the one-character pattern `one` does not allow (none without one). */
function offendingCharacters(s: string, one: RegExp | null): string[] {
  if (!one) return [];
  const bad: string[] = [];
  for (const c of s) if (!one.test(c) && !bad.includes(c)) bad.push(c);
  return bad;
}

interface CompiledRules {
  pattern?: RegExp | null;
  /** The pattern's one-character form, built the first time a user name fails the pattern. */
  characterClass?: RegExp | null;
  unsupported: Map<string, string>;
  supported?: Set<string>;
}
const compiledRules = new WeakMap<TargetRulesSpec, CompiledRules>();

function compile(target: TargetRulesSpec): CompiledRules {
  let c = compiledRules.get(target);
  if (!c) {
    let pattern: RegExp | null | undefined;
    if (target.userName?.pattern !== undefined) {
      try {
        pattern = new RegExp(target.userName.pattern);
      } catch {
        pattern = null;
      }
    }
    c = {
      pattern,
      unsupported: new Map(target.unsupportedAttributes.map((u) => [u.target.toLowerCase(), u.reason])),
      supported: target.supportedAttributes ? new Set(target.supportedAttributes.map((s) => s.toLowerCase())) : undefined,
    };
    compiledRules.set(target, c);
  }
  return c;
}

/**
 * The rules of one app checked for one user: `create[i]` is the create value of the attribute whose
 * target is `targets[i]` (null: not sent); `active` the POST body's `active` (undefined: not sent);
 * `groups` the user's group display names.
 */
export type RuleChecker = (create: readonly (AttributeValue | null)[], active: unknown, groups: readonly string[]) => Violation[];

/**
 * Prepares the checks of `ctx` once for an app whose attributes have `targets` (mapping order; a target
 * mapped twice counts with its last value, as in a Map) and `sources` (target → source expression):
 * messages that do not depend on the user, the target attributes each rule reads, the pattern. The
 * returned checker gives the same violations, in the same order, as `checkUserRules`.
 */
export function compileRuleChecker(ctx: RuleContext, targets: readonly string[], sources: ReadonlyMap<string, string | undefined>): RuleChecker {
  const compiled = compile(ctx.target);
  const { target } = ctx;
  const app = ctx.displayName;
  const lastIndex = new Map<string, number>();
  targets.forEach((t, i) => lastIndex.set(t, i));
  const indexOf = (t: string): number => lastIndex.get(t) ?? -1;

  const matching = ctx.matching.map(indexOf);
  const firstMatching = ctx.matching[0];
  const missingMatchMessage =
    firstMatching === undefined ? "" : `\`${firstMatching}\` has no value${describeSource(sources.get(firstMatching))}: Entra cannot match or create the user`;
  const required = target.requiredAttributes.map((attribute) => ({
    attribute,
    index: indexOf(attribute),
    skipWhenMatchMissing: attribute === firstMatching,
    message: sources.has(attribute)
      ? `${app} requires \`${attribute}\`, which has no value${describeSource(sources.get(attribute))}`
      : `${app} requires \`${attribute}\`, which is not mapped`,
  }));
  const userNameIndex = indexOf("userName");
  const userNameRules = target.userName;
  const maxLengths = Object.entries(target.maxLength).map(([attribute, max]) => ({ attribute, max, index: indexOf(attribute) }));
  // What the unsupported-attribute rule says about each target when it has a value (values.entries() order).
  const { unsupported, supported } = compiled;
  const flagged: { attribute: string; index: number; message: string }[] = [];
  const seen = new Set<string>();
  for (const attribute of targets) {
    if (seen.has(attribute)) continue;
    seen.add(attribute);
    const key = attribute.toLowerCase();
    const reason = unsupported.get(key);
    if (reason !== undefined) {
      flagged.push({ attribute, index: indexOf(attribute), message: `\`${attribute}\` is sent but ${reason}; unsupported attributes make provisioning fail` });
    } else if (supported && !supported.has(key)) {
      flagged.push({ attribute, index: indexOf(attribute), message: `\`${attribute}\` is sent but is not among the attributes ${app} accepts` });
    }
  }
  const groupRules = target.groups;
  const checkGroups = ctx.groupsEnabled && groupRules.supported && groupRules.caseSensitive && groupRules.known.length > 0;
  const knownLower = groupRules.known.map((k) => k.toLowerCase());
  const valueAt = (create: readonly (AttributeValue | null)[], i: number): AttributeValue | null => (i < 0 ? null : (create[i] ?? null));

  return (create, active, groups) => {
    const out: Violation[] = [];

    // Entra matches on the matching attribute; without a value it can neither match nor create the user.
    let missingMatch = matching.length > 0;
    for (let i = 0; missingMatch && i < matching.length; i++) {
      const s = firstString(valueAt(create, matching[i]!));
      if (s !== null && s !== "") missingMatch = false;
    }
    if (missingMatch) out.push({ rule: "matching-attribute-missing", severity: "error", attribute: firstMatching!, message: missingMatchMessage });
    else {
      // The first matching attribute with a value is the one Entra queries first.
      for (let i = 0; i < matching.length; i++) {
        const s = firstString(valueAt(create, matching[i]!));
        if (s === null || s === "") continue;
        const v = filterCharacterViolation(ctx.matching[i]!, s, "user");
        if (v) out.push(v);
        break;
      }
    }

    for (let r = 0; r < required.length; r++) {
      const req = required[r]!;
      if (missingMatch && req.skipWhenMatchMissing) continue;
      const v = firstString(valueAt(create, req.index));
      if (v === null || v === "") out.push({ rule: "required-attribute", severity: "error", attribute: req.attribute, message: req.message });
    }

    const userName = firstString(valueAt(create, userNameIndex));
    const rules = userNameRules;
    if (userName !== null && userName !== "" && rules) {
      if (rules.forbidEmail && EMAIL.test(userName)) {
        out.push({ rule: "userName-email", severity: "error", attribute: "userName", message: `userName \`${userName}\` is an email address; ${app} does not accept email addresses as user names` });
      }
      if (rules.pattern !== undefined && compiled.pattern) {
        if (!compiled.pattern.test(userName)) {
          if (compiled.characterClass === undefined) compiled.characterClass = characterClassOf(rules.pattern);
          const bad = offendingCharacters(userName, compiled.characterClass);
          const what = rules.patternDescription ?? `the pattern ${rules.pattern}`;
          const detail = bad.length ? ` (not allowed: ${bad.map((c) => JSON.stringify(c)).join(" ")})` : "";
          out.push({ rule: "userName-pattern", severity: "error", attribute: "userName", message: `userName \`${userName}\` does not match ${app}'s rule: ${what}${detail}` });
        }
      }
      if (rules.maxLength !== undefined && longerThan(userName, rules.maxLength)) {
        out.push({ rule: "max-length", severity: "error", attribute: "userName", message: `userName is ${codePoints(userName)} characters; ${app} accepts at most ${rules.maxLength}` });
      }
      if (ctx.allowedDomains) {
        const at = userName.lastIndexOf("@");
        const domain = at >= 0 ? userName.slice(at + 1).toLowerCase() : "";
        if (!domain) {
          out.push({ rule: "userName-domain", severity: "error", attribute: "userName", message: `userName \`${userName}\` has no domain; ${app} only accepts user names in its registered domains (${ctx.allowedDomains.join(", ")})` });
        } else if (!ctx.allowedDomains.includes(domain)) {
          out.push({ rule: "userName-domain", severity: "error", attribute: "userName", message: `userName domain \`${domain}\` is not registered in ${app} (registered: ${ctx.allowedDomains.join(", ") || "none"})` });
        }
      }
    }

    for (let m = 0; m < maxLengths.length; m++) {
      const { attribute, max, index } = maxLengths[m]!;
      const v = valueAt(create, index);
      if (v === null) continue;
      if (typeof v === "string") {
        if (longerThan(v, max)) out.push({ rule: "max-length", severity: "error", attribute, message: `\`${attribute}\` is ${codePoints(v)} characters; ${app} accepts at most ${max}` });
        continue;
      }
      for (const s of v) {
        if (longerThan(s, max)) {
          out.push({ rule: "max-length", severity: "error", attribute, message: `\`${attribute}\` is ${codePoints(s)} characters; ${app} accepts at most ${max}` });
          break;
        }
      }
    }

    for (let f = 0; f < flagged.length; f++) {
      const { attribute, index, message } = flagged[f]!;
      const v = valueAt(create, index);
      if (v === null || (Array.isArray(v) && v.length === 0)) continue;
      out.push({ rule: "unsupported-attribute", severity: "error", attribute, message });
    }

    if (!target.createsInactiveUsers && active === false) {
      out.push({ rule: "inactive-not-created", severity: "error", attribute: "active", message: `the user is inactive (active=false); ${app} does not create inactive users — create it manually if it must exist` });
    }
    if (active !== undefined && typeof active !== "boolean") {
      out.push({ rule: "active-not-boolean", severity: "error", attribute: "active", message: `active evaluates to ${JSON.stringify(active)}, not True or False` });
    }

    if (checkGroups) {
      for (const group of groups) {
        if (groupRules.known.includes(group)) continue;
        const lower = group.toLowerCase();
        const k = knownLower.indexOf(lower);
        if (k >= 0) {
          const folded = groupRules.known[k]!;
          out.push({
            rule: "group-name-case",
            severity: "warning",
            message: `group \`${group}\` differs in case from ${app} group \`${folded}\`; ${app} matches group ${groupRules.matchBy} case-sensitively, so its policies will not apply`,
          });
        }
      }
    }
    return out;
  };
}

export function checkUserRules(ctx: RuleContext, input: RuleInput): Violation[] {
  return compileRuleChecker(ctx, [...input.values.keys()], input.sources)([...input.values.values()], input.active, input.groups);
}
