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

function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function firstString(v: AttributeValue | null | undefined): string | null {
  if (v === null || v === undefined) return null;
  return typeof v === "string" ? v : (v[0] ?? null);
}

function describeSource(source: string | undefined): string {
  return source ? ` (source ${source})` : "";
}

/** Characters of `s` that `pattern` does not allow, when the pattern is a simple `^[class]+$`. */
function offendingCharacters(s: string, pattern: string): string[] {
  const m = /^\^(\[[^\]]+\])[+*]\$$/.exec(pattern);
  if (!m) return [];
  const one = new RegExp(`^${m[1]}$`);
  return [...new Set([...s].filter((c) => !one.test(c)))];
}

interface CompiledRules {
  pattern?: RegExp | null;
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

export function checkUserRules(ctx: RuleContext, input: RuleInput): Violation[] {
  const compiled = compile(ctx.target);
  const out: Violation[] = [];
  const { target } = ctx;
  const app = ctx.displayName;
  const valueOf = (t: string) => input.values.get(t) ?? null;

  // Entra matches on the matching attribute; without a value it can neither match nor create the user.
  const missingMatch = ctx.matching.length > 0 && ctx.matching.every((t) => firstString(valueOf(t)) === null || firstString(valueOf(t)) === "");
  if (missingMatch) {
    const t = ctx.matching[0]!;
    out.push({
      rule: "matching-attribute-missing",
      severity: "error",
      attribute: t,
      message: `\`${t}\` has no value${describeSource(input.sources.get(t))}: Entra cannot match or create the user`,
    });
  }

  for (const required of target.requiredAttributes) {
    if (missingMatch && required === ctx.matching[0]) continue;
    const v = firstString(valueOf(required));
    if (v === null || v === "") {
      const mapped = input.sources.has(required);
      out.push({
        rule: "required-attribute",
        severity: "error",
        attribute: required,
        message: mapped
          ? `${app} requires \`${required}\`, which has no value${describeSource(input.sources.get(required))}`
          : `${app} requires \`${required}\`, which is not mapped`,
      });
    }
  }

  const userName = firstString(valueOf("userName"));
  const rules = target.userName;
  if (userName !== null && userName !== "" && rules) {
    if (rules.forbidEmail && EMAIL.test(userName)) {
      out.push({ rule: "userName-email", severity: "error", attribute: "userName", message: `userName \`${userName}\` is an email address; ${app} does not accept email addresses as user names` });
    }
    if (rules.pattern !== undefined && compiled.pattern) {
      if (!compiled.pattern.test(userName)) {
        const bad = offendingCharacters(userName, rules.pattern);
        const what = rules.patternDescription ?? `the pattern ${rules.pattern}`;
        const detail = bad.length ? ` (not allowed: ${bad.map((c) => JSON.stringify(c)).join(" ")})` : "";
        out.push({ rule: "userName-pattern", severity: "error", attribute: "userName", message: `userName \`${userName}\` does not match ${app}'s rule: ${what}${detail}` });
      }
    }
    if (rules.maxLength !== undefined && codePoints(userName) > rules.maxLength) {
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

  for (const [attribute, max] of Object.entries(target.maxLength)) {
    const v = valueOf(attribute);
    for (const s of v === null ? [] : typeof v === "string" ? [v] : v) {
      if (codePoints(s) > max) {
        out.push({ rule: "max-length", severity: "error", attribute, message: `\`${attribute}\` is ${codePoints(s)} characters; ${app} accepts at most ${max}` });
        break;
      }
    }
  }

  const { unsupported, supported } = compiled;
  for (const [attribute, v] of input.values) {
    if (v === null || (Array.isArray(v) && v.length === 0)) continue;
    const key = attribute.toLowerCase();
    const reason = unsupported.get(key);
    if (reason !== undefined) {
      out.push({ rule: "unsupported-attribute", severity: "error", attribute, message: `\`${attribute}\` is sent but ${reason}; unsupported attributes make provisioning fail` });
    } else if (supported && !supported.has(key)) {
      out.push({ rule: "unsupported-attribute", severity: "error", attribute, message: `\`${attribute}\` is sent but is not among the attributes ${app} accepts` });
    }
  }

  if (!target.createsInactiveUsers && input.active === false) {
    out.push({ rule: "inactive-not-created", severity: "error", attribute: "active", message: `the user is inactive (active=false); ${app} does not create inactive users — create it manually if it must exist` });
  }
  if (input.active !== undefined && typeof input.active !== "boolean") {
    out.push({ rule: "active-not-boolean", severity: "error", attribute: "active", message: `active evaluates to ${JSON.stringify(input.active)}, not True or False` });
  }

  const groupRules = target.groups;
  if (ctx.groupsEnabled && groupRules.supported && groupRules.caseSensitive && groupRules.known.length) {
    for (const group of input.groups) {
      if (groupRules.known.includes(group)) continue;
      const folded = groupRules.known.find((k) => k.toLowerCase() === group.toLowerCase());
      if (folded) {
        out.push({
          rule: "group-name-case",
          severity: "warning",
          message: `group \`${group}\` differs in case from ${app} group \`${folded}\`; ${app} matches group ${groupRules.matchBy} case-sensitively, so its policies will not apply`,
        });
      }
    }
  }
  return out;
}
