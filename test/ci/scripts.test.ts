/**
 * The scripts the workflows run through actions/github-script, against a fake of the GitHub REST client that
 * keeps comments and issues in memory: one sticky comment per pull request, one drift issue per stack.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { upsertComment, marker, MAX_BODY } = require("../../.github/scripts/sticky-comment.cjs");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { reportDrift, driftedFields, title } = require("../../.github/scripts/drift-issue.cjs");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { writeFederatedToken, AUDIENCE } = require("../../.github/scripts/federated-token.cjs");

interface Comment { id: number; body: string; user: { type: string } }
interface Issue { number: number; title: string; body: string; state: string; labels: string[]; pull_request?: object }

function fakeGitHub() {
  const comments: Comment[] = [];
  const issues: Issue[] = [];
  const calls: string[] = [];
  let next = 1;
  const rest = {
    issues: {
      listComments: async () => ({ data: comments }),
      createComment: async ({ body }: { body: string }) => (calls.push("createComment"), comments.push({ id: next, body, user: { type: "Bot" } }), { data: { id: next++ } }),
      updateComment: async ({ comment_id, body }: { comment_id: number; body: string }) => (calls.push("updateComment"), (comments.find((c) => c.id === comment_id)!.body = body), { data: {} }),
      listForRepo: async ({ state, labels }: { state: string; labels: string }) => ({ data: issues.filter((i) => i.state === state && i.labels.includes(labels)) }),
      create: async ({ title, body, labels }: { title: string; body: string; labels: string[] }) => (calls.push("create"), issues.push({ number: next, title, body, labels, state: "open" }), { data: { number: next++ } }),
      update: async ({ issue_number, body, state }: { issue_number: number; body?: string; state?: string }) => {
        calls.push(state ? `update:${state}` : "update");
        const issue = issues.find((i) => i.number === issue_number)!;
        if (body) issue.body = body;
        if (state) issue.state = state;
        return { data: {} };
      },
    },
  };
  const github = { rest, paginate: async (fn: (a: object) => Promise<{ data: unknown[] }>, args: object) => (await fn(args)).data };
  const context = { repo: { owner: "contoso", repo: "identity" }, issue: { number: 7 }, serverUrl: "https://github.com", runId: 42 };
  return { github, context, comments, issues, calls };
}

describe("sticky pull-request comment", () => {
  it("creates one comment, then updates it in place", async () => {
    const gh = fakeGitHub();
    gh.comments.push({ id: 99, body: `${marker("diff")}\nfrom a person quoting the bot`, user: { type: "User" } });
    const first = await upsertComment({ github: gh.github, context: gh.context, name: "diff", body: "### 1 mapping changed" });
    const second = await upsertComment({ github: gh.github, context: gh.context, name: "diff", body: "### 2 mappings changed" });
    expect(first.action).toBe("created");
    expect(second).toEqual({ action: "updated", id: first.id });
    const bot = gh.comments.filter((c) => c.user.type === "Bot");
    expect(bot).toHaveLength(1);
    expect(bot[0]!.body).toBe(`${marker("diff")}\n### 2 mappings changed`);
    expect(gh.calls).toEqual(["createComment", "updateComment"]);
  });

  it("keeps a body GitHub would reject under its limit", async () => {
    const gh = fakeGitHub();
    await upsertComment({ github: gh.github, context: gh.context, name: "diff", body: "x".repeat(200_000) });
    expect(gh.comments[0]!.body.length).toBeLessThan(MAX_BODY + 200);
    expect(gh.comments[0]!.body).toContain("truncated");
  });
});

const DRIFT_OUTPUT = [
  "Previewing update (prod):",
  "\u001b[33m~ pulumi-nodejs:dynamic/scimops:SynchronizationSchema: (update)\u001b[0m",
  "    [urn=urn:pulumi:prod::scimops::scimops:entra:ProvisionedApp$pulumi-nodejs:dynamic/scimops:SynchronizationSchema::jumpcloud-entra-schema]",
  '  ~ objectMappings: [',
  '      ~ [0]: {',
  '          ~ attributeMappings: [',
  '              ~ [2]: {',
  '                      ~ source: { name: "mail" => "displayName" }',
  "Resources:",
  "    ~ 1 to update",
].join("\n");

describe("drift issue", () => {
  it("names the drifted resources and fields from the preview's diff", () => {
    const fields = driftedFields(DRIFT_OUTPUT);
    expect(fields).toContain("~ pulumi-nodejs:dynamic/scimops:SynchronizationSchema: (update)");
    expect(fields).toContain('~ source: { name: "mail" => "displayName" }');
    expect(fields).toContain("~ objectMappings: [");
    expect(fields.join("\n")).not.toContain("1 to update");
  });

  it("opens one issue per stack on drift, updates it on the next drift, closes it when clean", async () => {
    const gh = fakeGitHub();
    const base = { github: gh.github, context: gh.context };
    expect(await reportDrift({ ...base, stack: "prod", exitCode: 0, output: "" })).toEqual({ action: "none" });
    const opened = await reportDrift({ ...base, stack: "prod", exitCode: 1, output: DRIFT_OUTPUT });
    const dev = await reportDrift({ ...base, stack: "dev", exitCode: 1, output: DRIFT_OUTPUT });
    const updated = await reportDrift({ ...base, stack: "prod", exitCode: 1, output: DRIFT_OUTPUT.replace('"mail"', '"userPrincipalName"') });
    expect(opened.action).toBe("created");
    expect(dev.action).toBe("created");
    expect(updated).toEqual({ action: "updated", number: opened.number });
    const prod = gh.issues.find((i) => i.title === title("prod"))!;
    expect(gh.issues.filter((i) => i.title === title("prod"))).toHaveLength(1);
    expect(prod.labels).toEqual(["drift"]);
    expect(prod.body).toContain('`~ source: { name: "userPrincipalName" => "displayName" }`');
    expect(prod.body).toContain("https://github.com/contoso/identity/actions/runs/42");
    expect(prod.body).not.toContain("\u001b[");
    const closed = await reportDrift({ ...base, stack: "prod", exitCode: 0, output: "no drift" });
    expect(closed).toEqual({ action: "closed", number: opened.number });
    expect(prod.state).toBe("closed");
    expect(gh.issues.find((i) => i.title === title("dev"))!.state).toBe("open");
  });

  it("refuses to report an error (exit ≥ 2) as drift", async () => {
    const gh = fakeGitHub();
    await expect(reportDrift({ github: gh.github, context: gh.context, stack: "prod", exitCode: 3, output: "error: no stack named prod" })).rejects.toThrow(/exited 3: an error, not drift/);
    expect(gh.calls).toEqual([]);
  });
});

describe("federated token for Entra", () => {
  const temp = mkdtempSync(join(tmpdir(), "scimops-oidc-"));
  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  it("writes the OIDC token for Entra's audience to a private file and exports what @azure/identity reads", async () => {
    const exported: Record<string, string> = {};
    const secrets: string[] = [];
    const audiences: string[] = [];
    const core = {
      getIDToken: async (aud: string) => (audiences.push(aud), "eyJ.header.signature"),
      setSecret: (s: string) => void secrets.push(s),
      exportVariable: (k: string, v: string) => void (exported[k] = v),
      setFailed: (m: string) => {
        throw new Error(m);
      },
    };
    const file = await writeFederatedToken({ core, env: { CLIENT_ID: "11111111-2222-3333-4444-555555555555", TENANT_ID: "contoso.onmicrosoft.com", RUNNER_TEMP: temp } });
    expect(audiences).toEqual([AUDIENCE]);
    expect(AUDIENCE).toBe("api://AzureADTokenExchange");
    expect(readFileSync(file, "utf8")).toBe("eyJ.header.signature");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(secrets).toEqual(["eyJ.header.signature"]);
    expect(exported).toMatchObject({ AZURE_CLIENT_ID: "11111111-2222-3333-4444-555555555555", AZURE_TENANT_ID: "contoso.onmicrosoft.com", AZURE_FEDERATED_TOKEN_FILE: file, ARM_USE_OIDC: "true" });
    expect(Object.values(exported)).not.toContain("eyJ.header.signature");
  });

  it("fails the step with what to set when the identity is not configured", async () => {
    const failures: string[] = [];
    const core = { getIDToken: async () => "t", setSecret: () => undefined, exportVariable: () => undefined, setFailed: (m: string) => void failures.push(m) };
    await writeFederatedToken({ core, env: { TENANT_ID: "t" } });
    expect(failures[0]).toMatch(/Set the AZURE_CLIENT_ID and AZURE_TENANT_ID variables/);
  });
});
