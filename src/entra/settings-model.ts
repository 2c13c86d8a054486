/**
 * The provisioning settings that live in the service principal's synchronization secrets collection
 * (graph-sync.md §3): BaseAddress, SecretToken, SyncAll, SyncNotificationSettings (JSON in a string)
 * and SkipOutOfScopeDeletions. Decoding the live collection, comparing it with a declaration, and
 * building the one collection we PUT.
 *
 * Optional declared settings left undefined are not managed: their live values are kept as they are.
 * Keys we do not manage are carried over unchanged on every PUT (the PUT replaces the collection),
 * except masked ones (`*`), which cannot be round-tripped: their presence is an error rather than
 * silently erasing them.
 */
import type { SyncNotificationSettings, SynchronizationSecretKeyStringValuePair } from "../graph/wire";
import { canonicalJson } from "./helpers";

export interface NotificationSettingsInput {
  /** Portal "Send an email notification when a failure occurs". */
  enabled?: boolean;
  /** Portal "Notification Email" (a string as the service stores it). */
  recipients?: string;
  /** Portal "Prevent accidental deletions". */
  deleteThresholdEnabled?: boolean;
  /** Portal "Accidental deletion threshold". */
  deleteThresholdValue?: number;
}

export interface SettingsDeclaration {
  baseAddress: string;
  /** true = "Sync all users and groups", false = "Sync only assigned users and groups" (§3.3, inferred). */
  syncAll?: boolean;
  notifications?: NotificationSettingsInput;
  skipOutOfScopeDeletions?: boolean;
}

export interface LiveSettings {
  baseAddress: string | undefined;
  /** `set` when Graph returns the masked `*`, `empty` for "", `absent` when the key is missing. */
  secretToken: "set" | "empty" | "absent";
  syncAll: boolean | undefined;
  notifications: SyncNotificationSettings | undefined;
  /** Raw SyncNotificationSettings text when it is not a JSON object. */
  notificationsRaw: string | undefined;
  skipOutOfScopeDeletions: boolean | undefined;
  /** Keys we do not manage, with their (unmasked) values, in live order. */
  unmanaged: SynchronizationSecretKeyStringValuePair[];
  /** Unmanaged keys whose values came back masked. */
  maskedUnmanaged: string[];
}

export const MANAGED_KEYS = ["BaseAddress", "SecretToken", "SyncAll", "SyncNotificationSettings", "SkipOutOfScopeDeletions"];
export const MASK = "*";

function parseBool(v: string | undefined): boolean | undefined {
  if (v === undefined) return undefined;
  const t = v.trim().toLowerCase();
  if (t === "true") return true;
  if (t === "false") return false;
  return undefined;
}

/** Decodes a GET /synchronization/secrets answer. */
export function parseSecrets(list: SynchronizationSecretKeyStringValuePair[]): LiveSettings {
  const get = (k: string) => list.find((x) => x.key === k)?.value;
  const token = get("SecretToken");
  const rawNotif = get("SyncNotificationSettings");
  let notifications: SyncNotificationSettings | undefined;
  let notificationsRaw: string | undefined;
  if (rawNotif !== undefined && rawNotif !== "") {
    try {
      const parsed = JSON.parse(rawNotif) as unknown;
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) notifications = parsed as SyncNotificationSettings;
      else notificationsRaw = rawNotif;
    } catch {
      notificationsRaw = rawNotif;
    }
  }
  const unmanaged = list.filter((x) => !MANAGED_KEYS.includes(x.key));
  return {
    baseAddress: get("BaseAddress"),
    secretToken: token === undefined ? "absent" : token === "" ? "empty" : "set",
    syncAll: parseBool(get("SyncAll")),
    notifications,
    notificationsRaw,
    skipOutOfScopeDeletions: parseBool(get("SkipOutOfScopeDeletions")),
    unmanaged: unmanaged.filter((x) => x.value !== MASK),
    maskedUnmanaged: unmanaged.filter((x) => x.value === MASK).map((x) => x.key),
  };
}

const NOTIFICATION_FIELDS: [keyof NotificationSettingsInput, string][] = [
  ["enabled", "Enabled"],
  ["recipients", "Recipients"],
  ["deleteThresholdEnabled", "DeleteThresholdEnabled"],
  ["deleteThresholdValue", "DeleteThresholdValue"],
];

/** Differences between declared and live settings, excluding the token (which Graph masks). */
export function settingsDifferences(decl: SettingsDeclaration, live: LiveSettings): string[] {
  const out: string[] = [];
  if ((live.baseAddress ?? "") !== decl.baseAddress) out.push("BaseAddress");
  if (decl.syncAll !== undefined && live.syncAll !== decl.syncAll) out.push("SyncAll");
  if (decl.skipOutOfScopeDeletions !== undefined && live.skipOutOfScopeDeletions !== decl.skipOutOfScopeDeletions) out.push("SkipOutOfScopeDeletions");
  if (decl.notifications) {
    const ln = live.notifications ?? {};
    for (const [ours, theirs] of NOTIFICATION_FIELDS) {
      const want = decl.notifications[ours];
      if (want === undefined) continue;
      if (canonicalJson(ln[theirs]) !== canonicalJson(want)) out.push(`SyncNotificationSettings.${theirs}`);
    }
  }
  return out;
}

/** The declared settings as live state would show them (only the managed, declared parts). */
export function projectLiveSettings(decl: SettingsDeclaration, live: LiveSettings): SettingsDeclaration {
  const out: SettingsDeclaration = { baseAddress: live.baseAddress ?? "" };
  if (decl.syncAll !== undefined) out.syncAll = live.syncAll ?? (null as unknown as undefined);
  if (decl.skipOutOfScopeDeletions !== undefined) out.skipOutOfScopeDeletions = live.skipOutOfScopeDeletions ?? (null as unknown as undefined);
  if (decl.notifications) {
    const ln = live.notifications ?? {};
    const n: NotificationSettingsInput = {};
    for (const [ours, theirs] of NOTIFICATION_FIELDS) {
      if (decl.notifications[ours] === undefined) continue;
      (n as Record<string, unknown>)[ours] = ln[theirs] ?? null;
    }
    out.notifications = n;
  }
  return out;
}

/**
 * The complete collection to PUT: unmanaged keys as they are, then our keys. Undeclared optional
 * settings keep their live value (and are omitted when absent live).
 */
export function buildSecretsCollection(decl: SettingsDeclaration, secretToken: string, live: LiveSettings): SynchronizationSecretKeyStringValuePair[] {
  if (live.maskedUnmanaged.length) {
    throw new Error(
      `The synchronization secrets hold masked keys scimops does not manage (${live.maskedUnmanaged.join(", ")}); ` +
        "writing the collection would erase them. Remove them in Entra or manage this app's credentials outside scimops.",
    );
  }
  const out: SynchronizationSecretKeyStringValuePair[] = live.unmanaged.map((x) => ({ key: x.key, value: x.value }));
  out.push({ key: "BaseAddress", value: decl.baseAddress });
  out.push({ key: "SecretToken", value: secretToken });
  const syncAll = decl.syncAll ?? live.syncAll;
  if (syncAll !== undefined) out.push({ key: "SyncAll", value: syncAll ? "true" : "false" });
  if (decl.notifications || live.notifications || live.notificationsRaw !== undefined) {
    if (!decl.notifications && live.notificationsRaw !== undefined) {
      out.push({ key: "SyncNotificationSettings", value: live.notificationsRaw });
    } else {
      const merged: SyncNotificationSettings = { ...(live.notifications ?? {}) };
      for (const [ours, theirs] of NOTIFICATION_FIELDS) {
        const want = decl.notifications?.[ours];
        if (want !== undefined) merged[theirs] = want;
      }
      out.push({ key: "SyncNotificationSettings", value: JSON.stringify(merged) });
    }
  }
  const skip = decl.skipOutOfScopeDeletions ?? live.skipOutOfScopeDeletions;
  if (skip !== undefined) out.push({ key: "SkipOutOfScopeDeletions", value: skip ? "true" : "false" });
  return out;
}
