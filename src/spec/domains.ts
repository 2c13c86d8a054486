/** Lists of registered domains, as `target.userName.allowedDomains` holds them (inline or from stack config). */

/** A comma-separated list of DNS domains (how target.userName.allowedDomains reads it from config). */
export function domainListProblem(value: string): { message: string; fix: string } | undefined {
  const separator = /[;|\s]/.exec(value.trim())?.[0];
  if (separator && value.split(",").some((d) => d.trim().includes(separator))) {
    const named = separator === ";" ? "semicolons" : separator === "|" ? "bars" : "spaces";
    return { message: `domains are separated by ${named}; the list is comma-separated`, fix: `write ${JSON.stringify(value.split(/[;|\s,]+/).filter(Boolean).join(","))}` };
  }
  const bad = value.split(",").map((d) => d.trim()).find((d) => !/^(?=.{1,253}$)([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/.test(d));
  if (bad !== undefined) return { message: `${JSON.stringify(bad)} is not a domain name`, fix: "list registered domains such as contoso.example, separated by commas" };
  return undefined;
}
