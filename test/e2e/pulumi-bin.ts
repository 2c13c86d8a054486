/** Where the e2e tests find the Pulumi CLI: the directory test/e2e/global-setup.ts prepared before the suite. */
import { inject } from "vitest";

export function pulumiBinDir(): string {
  const dir = inject("pulumiBin");
  if (!dir) throw new Error("no Pulumi CLI: run the e2e tests with --config vitest.e2e.config.ts (its globalSetup provides it)");
  return dir;
}

declare module "vitest" {
  export interface ProvidedContext {
    /** The directory holding pulumi, pulumi-language-nodejs and the dynamic-provider shim. */
    pulumiBin: string;
  }
}
