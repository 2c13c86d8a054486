/**
 * Base class of the Graph-backed dynamic resources of this folder. It runs in the Pulumi program
 * only (never inside a provider), so it may import `@pulumi/pulumi`; the provider objects it is
 * given are serialized by value by Pulumi (see helpers.ts for their rules).
 */
import * as pulumi from "@pulumi/pulumi";
import type { GraphConnection } from "./graph";
import { ENTRA_PROVIDER_VERSION } from "./version";

/** Resource arguments every Graph-backed resource takes. */
export interface GraphResourceArgs {
  graph: pulumi.Input<GraphConnection>;
  servicePrincipalId: pulumi.Input<string>;
  /** App display name for error messages. */
  appName?: pulumi.Input<string>;
}

/**
 * Registers `pulumi-nodejs:dynamic/scimops:<type>` with `provider`, filling `providerVersion` in
 * (default ENTRA_PROVIDER_VERSION) so that a provider change makes `diff` run `update`.
 */
export abstract class GraphDynamicResource extends pulumi.dynamic.Resource {
  declare readonly graph: pulumi.Output<GraphConnection>;
  declare readonly servicePrincipalId: pulumi.Output<string>;
  declare readonly appName: pulumi.Output<string | undefined>;
  declare readonly providerVersion: pulumi.Output<string>;

  protected constructor(
    provider: object,
    type: string,
    name: string,
    props: Record<string, unknown> & { providerVersion?: pulumi.Input<string> },
    opts?: pulumi.CustomResourceOptions,
  ) {
    super(
      provider as pulumi.dynamic.ResourceProvider,
      name,
      { ...props, providerVersion: props.providerVersion ?? ENTRA_PROVIDER_VERSION },
      opts,
      "scimops",
      type,
    );
  }
}
