// @ts-check
/**
 * The scheduled drift check's report: one open issue per stack (label `drift`, title `Drift: stack <name>`),
 * created on the first drift, updated on the next ones, closed when the stack is clean again. Run by
 * actions/github-script after `scimops drift` (exit 0 = no drift, 1 = drift, ≥ 2 = error: the workflow fails
 * before this runs).
 */

const LABEL = "drift";
const title = (stack) => `Drift: stack ${stack}`;
const MAX_OUTPUT = 50_000;

/** Removes ANSI colour codes from CLI output. */
const plain = (text) => text.replace(/\u001b\[[0-9;]*m/g, "");

/**
 * The drifted fields in `pulumi preview --diff` output: the resource lines (`~ type: (update)`) and the
 * property lines under them (`~ name: old => new`, `+ name: …`, `- name: …`).
 * @param {string} output
 * @returns {string[]}
 */
function driftedFields(output) {
  const fields = [];
  for (const line of plain(output).split("\n")) {
    const m = /^\s*([~+-])\s+(\S.*?)\s*$/.exec(line);
    if (!m) continue;
    const text = m[2];
    // Resource rows end in (update)/(create)/(delete)…; property rows read `name: value`.
    if (/\((update|create|delete|replace|create-replacement|delete-replaced)\)$/.test(text) || /^[\w$".\[\]@:/-]+\s*:/.test(text)) fields.push(`${m[1]} ${text}`);
  }
  return [...new Set(fields)];
}

/** @param {{ stack: string, output: string, runUrl: string }} args */
function issueBody({ stack, output, runUrl }) {
  const fields = driftedFields(output);
  const tail = plain(output).slice(-MAX_OUTPUT);
  return [
    `\`scimops drift --stack ${stack}\` found that Entra no longer matches the files ([run](${runUrl})).`,
    "",
    "Drifted fields:",
    "",
    ...(fields.length ? fields.map((f) => `- \`${f.replace(/`/g, "'")}\``) : ["- (see the output below)"]),
    "",
    "Either `pulumi up` the stack to put the files' values back, or change the files to what the portal now holds.",
    "",
    "<details><summary>drift output</summary>",
    "",
    "```",
    tail,
    "```",
    "</details>",
  ].join("\n");
}

/**
 * @param {{ github: any, context: any, stack: string, exitCode: number, output: string }} args
 * @returns {Promise<{ action: "created" | "updated" | "closed" | "none", number?: number }>}
 */
async function reportDrift({ github, context, stack, exitCode, output }) {
  if (exitCode >= 2 || exitCode < 0) throw new Error(`scimops drift exited ${exitCode}: an error, not drift — no issue is written`);
  const { owner, repo } = context.repo;
  const runUrl = `${context.serverUrl}/${owner}/${repo}/actions/runs/${context.runId}`;
  const open = await github.paginate(github.rest.issues.listForRepo, { owner, repo, state: "open", labels: LABEL, per_page: 100 });
  const existing = open.find((i) => i.title === title(stack) && !i.pull_request);
  if (exitCode === 0) {
    if (!existing) return { action: "none" };
    await github.rest.issues.createComment({ owner, repo, issue_number: existing.number, body: `No drift any more ([run](${runUrl})): closing.` });
    await github.rest.issues.update({ owner, repo, issue_number: existing.number, state: "closed", state_reason: "completed" });
    return { action: "closed", number: existing.number };
  }
  const body = issueBody({ stack, output, runUrl });
  if (existing) {
    await github.rest.issues.update({ owner, repo, issue_number: existing.number, body });
    return { action: "updated", number: existing.number };
  }
  const created = await github.rest.issues.create({ owner, repo, title: title(stack), body, labels: [LABEL] });
  return { action: "created", number: created.data.number };
}

module.exports = { reportDrift, driftedFields, issueBody, title, LABEL };
