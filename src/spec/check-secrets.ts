/**
 * Secret formats checked before `pulumi up`: a stack's encrypted token must have the shape its target
 * documents (IronWifi: `scim_` + 64 hex). The value is decrypted by the caller's `reveal` (the Pulumi
 * CLI, in memory), tested, and dropped; no message ever contains it, or any part of it.
 */
import type { Diagnostic } from "./diagnostics";
import type { LoadedApp } from "./load";
import { NAMESPACE, type LoadedStack } from "./stack";
import { secretConfigKeys } from "./config-refs";

/** The decrypted value of `scimops:<key>`, `undefined` when it is not set, or why it cannot be read. */
export type RevealSecret = (namespacedKey: string) => Promise<{ value: string | undefined } | { unavailable: string }>;

export async function checkSecretFormats(stack: LoadedStack, apps: ReadonlyMap<string, LoadedApp>, reveal: RevealSecret): Promise<Diagnostic[]> {
  const out: Diagnostic[] = [];
  const checked = new Set<string>();
  for (const entry of stack.settings.apps) {
    const app = apps.get(entry.name);
    const rule = app?.spec.target.token;
    if (!app || !rule) continue;
    for (const key of secretConfigKeys(app.spec, entry.idps)) {
      if (checked.has(key) || typeof stack.values[key] !== "object") continue;
      checked.add(key);
      const namespaced = `${NAMESPACE}:${key}`;
      const pos = stack.source.locate(["config", namespaced]);
      const at = { file: stack.file, line: pos.line, column: pos.column };
      const revealed = await reveal(namespaced);
      if ("unavailable" in revealed) {
        // Reported once per stack: every secret has the same reason.
        out.push({ ...at, severity: "warning", message: `the format of \`${namespaced}\` was not checked: ${revealed.unavailable}`, fix: "set PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE) for this stack's passphrase secrets provider, or log in to its backend, and run validate again" });
        return out;
      }
      if (revealed.value !== undefined && !new RegExp(rule.pattern).test(revealed.value)) {
        out.push({
          ...at,
          severity: "error",
          message: `\`${namespaced}\` is not ${/^[aeiou]/i.test(app.spec.displayName) ? "an" : "a"} ${app.spec.displayName} token: ${app.spec.displayName} tokens are ${rule.description}`,
          fix: `${rule.howToObtain ? `${rule.howToObtain} Then run` : "run"} \`pulumi config set --secret ${namespaced}\` with the whole token`,
        });
      }
    }
  }
  return out;
}
