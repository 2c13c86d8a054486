// @ts-check
/**
 * Writes the job's GitHub OIDC token (audience api://AzureADTokenExchange, the audience Entra expects of a
 * federated credential) to a file and exports what @azure/identity's WorkloadIdentityCredential reads
 * (AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_FEDERATED_TOKEN_FILE), plus the ARM_* form @pulumi/azuread reads.
 * Run by actions/github-script in .github/actions/login; the token itself is masked in the log.
 */
const { writeFileSync } = require("node:fs");
const { join } = require("node:path");

const AUDIENCE = "api://AzureADTokenExchange";

/** @param {{ core: { getIDToken(aud: string): Promise<string>, setSecret(s: string): void, exportVariable(k: string, v: string): void, setFailed(m: string): void }, env: Record<string, string | undefined> }} deps */
async function writeFederatedToken({ core, env }) {
  const clientId = env.CLIENT_ID;
  const tenantId = env.TENANT_ID;
  if (!clientId || !tenantId) {
    core.setFailed("Set the AZURE_CLIENT_ID and AZURE_TENANT_ID variables (Settings → Environments → <env> → Variables) — see docs/ci.md");
    return undefined;
  }
  const token = await core.getIDToken(AUDIENCE);
  core.setSecret(token);
  const file = join(env.RUNNER_TEMP || ".", "azure-federated-token");
  writeFileSync(file, token, { mode: 0o600 });
  const exported = {
    AZURE_CLIENT_ID: clientId,
    AZURE_TENANT_ID: tenantId,
    AZURE_FEDERATED_TOKEN_FILE: file,
    ARM_USE_OIDC: "true",
    ARM_CLIENT_ID: clientId,
    ARM_TENANT_ID: tenantId,
    ARM_OIDC_TOKEN_FILE_PATH: file,
  };
  for (const [k, v] of Object.entries(exported)) core.exportVariable(k, v);
  return file;
}

module.exports = { writeFederatedToken, AUDIENCE };
