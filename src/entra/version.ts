/**
 * Version of the Graph-backed dynamic providers in this folder. Bump it whenever provider behaviour
 * changes: it is the default `providerVersion` input of both resources, so a bump makes `pulumi up`
 * run `update` (with the new serialized code) on every instance instead of keeping code that is only
 * stored in state (pulumi-offline.md §2.4). An update that finds Graph already matching writes nothing.
 */
export const ENTRA_PROVIDER_VERSION = "scimops-entra/1.0.0";
