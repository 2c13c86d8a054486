/** Facts about Entra source attributes that the rules need. */

/** Entra user attributes whose values are email-shaped (name@domain). */
export const EMAIL_SHAPED_ATTRIBUTES: ReadonlySet<string> = new Set(["userPrincipalName", "mail", "otherMails", "proxyAddresses"]);
