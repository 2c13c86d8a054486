/** Facts about Entra source attributes that the rules need. */

/** Entra user attributes whose values are email-shaped (name@domain). */
export const EMAIL_SHAPED_ATTRIBUTES: ReadonlySet<string> = new Set(["userPrincipalName", "mail", "otherMails", "proxyAddresses"]);

/**
 * One email address as Entra's notification email field takes it: local@domain with a dot in the domain,
 * no spaces or list separators (the portal field holds one address).
 */
export function isEmailAddress(value: string): boolean {
  return /^[^\s@,;<>"]+@[^\s@,;<>"]+\.[A-Za-z]{2,}$/.test(value);
}
