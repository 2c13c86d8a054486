/**
 * Example: scimops inside your own Pulumi program that also uses `@pulumi/azuread`.
 *
 * Your program owns the directory objects (here a security group for the pilot, and optionally an
 * existing enterprise app as an azuread `ServicePrincipal`); scimops takes their `objectId`s as inputs —
 * for its assignments, or to adopt the app — and does the provisioning part with its own Graph-backed
 * resources. Only the azuread resources you create need the azuread provider; scimops' need none.
 *
 *   import { deploy } from "scimops/examples/azuread-interop";
 *   export const jumpcloud = deploy();
 */
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as azuread from "@pulumi/azuread";
import { EntraProvisionedApp } from "../src/entra/component";
import type { GraphConnection } from "../src/entra/graph";
import { compileApp } from "../src/plan/compile";
import { formatDiagnostic } from "../src/spec/diagnostics";
import { loadAppFile } from "../src/spec/load";

export interface InteropOptions {
  /** Mapping file to deploy; default JumpCloud's. */
  mappingFile?: string;
  /** Your program's existing enterprise app for it, if any (adopted without a write). */
  existingApp?: azuread.ServicePrincipal;
  graph?: GraphConnection;
}

export function deploy(options: InteropOptions = {}) {
  const config = new pulumi.Config("scimops");
  const loaded = loadAppFile(options.mappingFile ?? join(__dirname, "..", "mappings", "jumpcloud.yaml"));
  if (!loaded.ok) throw new Error(loaded.diagnostics.map(formatDiagnostic).join("\n"));
  const plan = compileApp(loaded.app, { stackApp: { name: loaded.app.spec.name, idps: ["entra"], parameters: {} } });

  // A group your program manages with azuread…
  const pilots = new azuread.Group("jumpcloud-pilots", { displayName: "JumpCloud Pilots", securityEnabled: true });

  // …assigned to the app by scimops, next to the assignments of the mapping file.
  const app = new EntraProvisionedApp("jumpcloud-entra", {
    plan,
    entra: plan.entra!,
    graph: options.graph ?? { cloud: "global" },
    secretToken: config.requireSecret(plan.entra!.secretTokenKey),
    additionalAssignments: [{ group: pilots, role: "User" }],
    ...(options.existingApp ? { adoptServicePrincipalId: options.existingApp.objectId } : {}),
    allowDeletion: false,
    retainOnDelete: true,
    protect: false,
  });
  return { servicePrincipalId: app.servicePrincipalId, jobId: app.jobId, pilotsGroupId: pilots.objectId };
}
