/**
 * Rules a target enforces whatever an app file's `target:` block says, recognised by the SCIM endpoint's
 * host, from the vendor guides in /work/shared/seeds. An app file can add rules of its own
 * (`target.requiredSources`); these ones cannot be dropped by copying an older file.
 */
import type { TargetRulesSpec } from "../spec/schema";

export interface KnownTarget {
  name: string;
  requiredSources: TargetRulesSpec["requiredSources"];
}

const KNOWN_TARGETS: Readonly<Record<string, KnownTarget>> = {
  // seed 002: "The attribute, mail needs to be edited to adjust the source attribute to userPrincipalName. The
  // primary email in JumpCloud is the work email which serves as the userPrincipalName in Entra."
  "api.jumpcloud.com": {
    name: "JumpCloud",
    requiredSources: {
      'emails[type eq "work"].value': { source: "userPrincipalName", reason: "JumpCloud's primary (company) email is the work email, which is the userPrincipalName in Entra" },
    },
  },
};

export function knownTargetForUrl(url: string): KnownTarget | undefined {
  const host = /^https?:\/\/([^/?#:]+)/i.exec(url)?.[1]?.toLowerCase();
  return host && Object.prototype.hasOwnProperty.call(KNOWN_TARGETS, host) ? KNOWN_TARGETS[host] : undefined;
}
