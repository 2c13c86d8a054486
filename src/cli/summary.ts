/** One line per app for people: which IdPs, where it provisions, what it maps. */
import type { AppSpec } from "../spec/schema";
import type { Row } from "./table";
import { urlTemplate } from "../catalog/tenant-url";
import { galleryAppFacts } from "../catalog/gallery-apps";

export function describeApp(spec: AppSpec): Row {
  const entra = spec.entra;
  const declared = entra?.provisioning.tenantUrl ?? spec.okta?.provisioning.scimBaseUrl;
  const url = declared === undefined ? "" : urlTemplate(declared);
  const idps = [entra ? "entra" : "", spec.okta ? "okta" : "", ...spec.otherIdps.map((o) => `${o.idp}(runbook)`)].filter(Boolean);
  const users = entra?.mappings.users.attributes.length ?? 0;
  const groups = entra?.mappings.groups;
  return {
    app: spec.name,
    name: spec.displayName,
    entraApp: entra ? ("gallery" in entra.app ? `gallery: ${entra.app.gallery}${entra.app.preview || galleryAppFacts(entra.app.gallery)?.publicPreview ? " (public preview)" : ""}` : "non-gallery") : "-",
    idps: idps.join(", "),
    tenantUrl: url,
    userMappings: String(users),
    groups: groups ? (groups.enabled ? `${groups.attributes.length} mappings` : "off") : "-",
  };
}
