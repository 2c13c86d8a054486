/** Pulumi entry point (Pulumi.yaml `main`). Stack outputs: per app, the ids, tenant URL, matching attribute and manual steps. */
import { run } from "./program";

export const apps = run();
