// @ts-check
/**
 * One pull-request comment per marker, updated in place on every push instead of a new comment each time.
 * Run by actions/github-script (`github` = an authenticated Octokit, `context` = the event).
 */

/** Hidden first line that identifies the comment. */
const marker = (name) => `<!-- scimops:${name} -->`;

/** GitHub rejects comment bodies over 65536 characters. */
const MAX_BODY = 65_000;

/**
 * @param {{ github: any, context: any, name: string, body: string }} args
 * @returns {Promise<{ action: "created" | "updated", id: number }>}
 */
async function upsertComment({ github, context, name, body }) {
  const { owner, repo } = context.repo;
  const issue_number = context.issue.number;
  const head = marker(name);
  let text = `${head}\n${body}`;
  if (text.length > MAX_BODY) text = `${text.slice(0, MAX_BODY)}\n\n… (truncated: the full output is in the job log)`;
  const comments = await github.paginate(github.rest.issues.listComments, { owner, repo, issue_number, per_page: 100 });
  const mine = comments.find((c) => c.user?.type === "Bot" && typeof c.body === "string" && c.body.startsWith(head));
  if (mine) {
    await github.rest.issues.updateComment({ owner, repo, comment_id: mine.id, body: text });
    return { action: "updated", id: mine.id };
  }
  const created = await github.rest.issues.createComment({ owner, repo, issue_number, body: text });
  return { action: "created", id: created.data.id };
}

module.exports = { upsertComment, marker, MAX_BODY };
