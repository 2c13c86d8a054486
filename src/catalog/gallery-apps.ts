/**
 * What the vendors' Entra tutorials say about their gallery apps (the seeds in /work/shared/seeds, README
 * there): the tenant URL to enter under Admin Credentials, and whether the connector is in public preview.
 * A file that names one of these gallery apps but points elsewhere most likely has a typo in the host.
 */
export interface GalleryAppFacts {
  /** The tenant URL as the tutorial gives it. */
  tenantUrl: string;
  /** "This connector is currently in Public Preview." */
  publicPreview: boolean;
  /** Where the fact comes from. */
  source: string;
}

export const GALLERY_APPS: Readonly<Record<string, GalleryAppFacts>> = {
  // seed 000: "input https://openmobile.ipass.com/moservices/scim/v1 in Tenant URL"
  "iPass SmartConnect": { tenantUrl: "https://openmobile.ipass.com/moservices/scim/v1", publicPreview: false, source: "Tutorial: Configure iPass SmartConnect for automatic user provisioning" },
  // seed 003: "input https://api-as.lenovosoftware.com/0/as/common/scim in Tenant URL"
  Airstack: { tenantUrl: "https://api-as.lenovosoftware.com/0/as/common/scim", publicPreview: false, source: "Tutorial: Configure Airstack for automatic user provisioning" },
  // seed 004: "This connector is currently in Public Preview." … "https://api.spaceiq.com/scim in Tenant URL"
  SpaceIQ: { tenantUrl: "https://api.spaceiq.com/scim", publicPreview: true, source: "Tutorial: Configure SpaceIQ for automatic user provisioning" },
};

export function galleryAppFacts(galleryName: string): GalleryAppFacts | undefined {
  return Object.prototype.hasOwnProperty.call(GALLERY_APPS, galleryName) ? GALLERY_APPS[galleryName] : undefined;
}

/** The notice validate and preview show for an app whose connector is in public preview. */
export function publicPreviewNotice(displayName: string): string {
  return `${displayName}'s provisioning connector is in public preview (Supplemental Terms of Use for Microsoft Azure Previews apply)`;
}

/** Flags Entra reads from the tenant URL's query string (graph-sync.md; Entra "SCIM compatibility" page). */
export const TENANT_URL_FLAGS = ["aadOptscim062020", "AzureAdScimPatch2017"] as const;
