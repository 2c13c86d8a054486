/** The Microsoft clouds scimops can target: Graph endpoint, login authority, non-gallery template. */
import type { Cloud } from "../spec/schema";

export interface CloudFacts {
  graphBaseUrl: string;
  authorityHost: string;
  /** "Integrate any other application you don't find in the gallery (Non-gallery)" template id. */
  nonGalleryTemplateId: string;
}

export const CLOUDS: Readonly<Record<Cloud, CloudFacts>> = {
  global: {
    graphBaseUrl: "https://graph.microsoft.com",
    authorityHost: "https://login.microsoftonline.com",
    nonGalleryTemplateId: "8adf8e6e-67b2-4cf2-a259-e3dc5476c621",
  },
  usgovernment: {
    graphBaseUrl: "https://graph.microsoft.us",
    authorityHost: "https://login.microsoftonline.us",
    nonGalleryTemplateId: "4602d0b4-76bb-404b-bca9-2652e1a39c6d",
  },
  china: {
    graphBaseUrl: "https://microsoftgraph.chinacloudapi.cn",
    authorityHost: "https://login.chinacloudapi.cn",
    nonGalleryTemplateId: "5a532e38-1581-4918-9658-008dc27c1d68",
  },
};

/** Synchronization template id for jobs of non-gallery SCIM apps. */
export const NON_GALLERY_SYNC_TEMPLATE = "scim";

/** The non-gallery app's roles: `User` is its default role; msiam_access is the legacy access role. */
export const NON_GALLERY_APP_ROLES = {
  User: "18d14569-c3bd-439b-9a66-3a2aee01d14f",
  msiam_access: "b9632174-c057-4f7e-951b-be3adc52bfe6",
} as const;
