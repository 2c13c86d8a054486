/**
 * Simulate: replays against a real SCIM endpoint what Entra would do for each user the preview puts in
 * scope — match (GET by the matching attribute), create (POST), update one attribute (PATCH), deactivate
 * (PATCH after disabling the account) — and reports each request's result next to the preview's prediction.
 */
import type { AppPreviewer, UserPreview } from "./engine";
import { blockingViolations } from "./engine";
import { errorDetail, NetworkError, scimRequest, type HttpResult } from "./http";
import { LIST_RESPONSE_SCHEMA, requestUrl, type ScimRequest } from "./scim";
import { groupsOf, type SampleUser, withChanges } from "./users";

const NOT_QUERIED = new Set(["matching-attribute-missing", "matching-value-characters", "disabled-not-provisioned"]);

export type SimulateStep = "match" | "create" | "update" | "deactivate";
export const ALL_STEPS: readonly SimulateStep[] = ["match", "create", "update", "deactivate"];

export interface SimulateOptions {
  /** SCIM base URL (Entra's flags removed). */
  baseUrl: string;
  token: string;
  steps?: readonly SimulateStep[];
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
}

export interface StepResult {
  user: string;
  step: SimulateStep | "skip";
  method?: string;
  /** Request path as people read it (the id filled in). */
  path?: string;
  status?: number;
  ok: boolean;
  detail: string;
}

export interface UserOutcome {
  user: string;
  inScope: boolean;
  /** The preview's prediction: the target (or Entra) refuses the user. */
  predictedRejected: boolean;
  /** What happened: created (or matched an existing user), rejected by the target, or not sent by Entra. */
  result: "created" | "matched" | "rejected" | "not-sent" | "out-of-scope" | "failed";
  id?: string;
  steps: StepResult[];
  /** The outcome is what the preview predicted. */
  agrees: boolean;
}

function isEmptyListResponse(r: HttpResult): { ok: boolean; total?: number; id?: string } {
  const b = r.body as { schemas?: unknown; totalResults?: unknown; Resources?: unknown } | undefined;
  if (!b || !Array.isArray(b.schemas) || !b.schemas.includes(LIST_RESPONSE_SCHEMA)) return { ok: false };
  const resources = Array.isArray(b.Resources) ? (b.Resources as { id?: unknown }[]) : [];
  const total = typeof b.totalResults === "number" ? b.totalResults : resources.length;
  const first = resources[0];
  return { ok: true, total, id: first && typeof first.id === "string" ? first.id : undefined };
}

/** Simulates one user. Network failures end the user's replay with a failed step. */
export async function simulateUser(previewer: AppPreviewer, user: SampleUser, options: SimulateOptions): Promise<UserOutcome> {
  const steps = new Set(options.steps ?? ALL_STEPS);
  const preview: UserPreview = previewer.preview(user);
  const predictedRejected = preview.inScope && blockingViolations(preview).length > 0;
  const outcome: UserOutcome = { user: user.userPrincipalName, inScope: preview.inScope, predictedRejected, result: "out-of-scope", steps: [], agrees: true };
  if (!preview.inScope) {
    outcome.steps.push({ user: outcome.user, step: "skip", ok: true, detail: `not provisioned: ${preview.softDeletedBecause.join("; ")}` });
    return outcome;
  }
  const send = async (step: SimulateStep, request: ScimRequest, id?: string): Promise<{ result?: HttpResult; record: StepResult }> => {
    const path = id === undefined ? request.path : request.path.replace("{id}", id);
    const record: StepResult = { user: outcome.user, step, method: request.method, path, ok: false, detail: "" };
    outcome.steps.push(record);
    try {
      const result = await scimRequest(requestUrl(options.baseUrl, request, id), { method: request.method, token: options.token, body: request.body, timeoutMs: options.timeoutMs, fetchImpl: options.fetchImpl });
      record.status = result.status;
      return { result, record };
    } catch (err) {
      record.detail = err instanceof NetworkError ? err.message : String(err);
      return { record };
    }
  };

  // Entra sends nothing without a matching value or for a disabled user, and its query fails on special characters.
  const missingMatch = preview.violations.find((v) => NOT_QUERIED.has(v.rule));
  let id: string | undefined;
  // The matching attributes in precedence order: the next is tried when one finds nobody.
  for (const query of missingMatch || !steps.has("match") ? [] : preview.matchQueries) {
    const { result, record } = await send("match", query);
    if (!result) {
      outcome.result = "failed";
      outcome.agrees = false;
      return outcome;
    }
    const list = isEmptyListResponse(result);
    record.ok = result.status === 200 && list.ok;
    record.detail = record.ok
      ? list.total
        ? `matched existing user ${list.id ?? "?"}`
        : "no match"
      : result.status === 401 || result.status === 403
        ? `the target refused the secret token: ${errorDetail(result, [options.token])}`
        : `expected 200 and a ListResponse: ${errorDetail(result, [options.token])}`;
    if (!record.ok) {
      outcome.result = "failed";
      outcome.agrees = false;
      return outcome;
    }
    if (list.total && list.id) {
      id = list.id;
      outcome.result = "matched";
      break;
    }
  }
  if (id === undefined) {
    if (missingMatch || !preview.body) {
      outcome.result = "not-sent";
      const why = missingMatch
        ? `Entra sends no request: ${missingMatch.message}`
        : preview.violations.some((v) => v.rule === "disabled-not-provisioned")
          ? "Entra creates no user: the user is disabled"
          : "Entra creates no user (create is not a target object action)";
      outcome.steps.push({ user: outcome.user, step: "skip", ok: true, detail: why });
      outcome.agrees = predictedRejected || !preview.body;
      return outcome;
    }
    if (!steps.has("create")) return outcome;
    const { result, record } = await send("create", { method: "POST", path: "/Users", body: preview.body });
    if (!result) {
      outcome.result = "failed";
      outcome.agrees = false;
      return outcome;
    }
    const created = result.body as { id?: unknown } | undefined;
    record.ok = result.status === 201 && typeof created?.id === "string";
    if (!record.ok) {
      record.detail = errorDetail(result, [options.token]);
      outcome.result = result.status >= 400 && result.status < 500 && result.status !== 401 && result.status !== 403 && result.status !== 404 ? "rejected" : "failed";
      outcome.agrees = outcome.result === "rejected" && predictedRejected;
      return outcome;
    }
    id = created!.id as string;
    record.detail = `created ${id}`;
    outcome.result = "created";
  }
  outcome.id = id;
  outcome.agrees = !predictedRejected;

  const before = previewer.evaluate(user);
  const changed = withChanges(user, previewer.changeFor(user));
  const afterChange = previewer.evaluate(changed);
  if (steps.has("update")) {
    const request = previewer.updateRequest(before, afterChange);
    if (!request) outcome.steps.push({ user: outcome.user, step: "update", ok: true, detail: "no attribute changes: Entra sends no update" });
    else {
      const { result, record } = await send("update", request, id);
      if (result) {
        record.ok = result.status === 200 || result.status === 204;
        record.detail = record.ok ? `updated ${Object.keys(previewer.changeFor(user)).join(", ")}` : errorDetail(result, [options.token]);
      }
      if (!record.ok) outcome.agrees = false;
    }
  }
  if (steps.has("deactivate")) {
    const from = steps.has("update") ? afterChange : before;
    const disabled = previewer.evaluate(withChanges(steps.has("update") ? changed : user, { accountEnabled: false }));
    const request = previewer.updateRequest(from, disabled);
    if (!request) outcome.steps.push({ user: outcome.user, step: "deactivate", ok: true, detail: "no attribute changes when the account is disabled: Entra sends no update" });
    else {
      const { result, record } = await send("deactivate", request, id);
      if (result) {
        record.ok = result.status === 200 || result.status === 204;
        record.detail = record.ok ? "deactivated" : errorDetail(result, [options.token]);
      }
      if (!record.ok) outcome.agrees = false;
    }
  }
  return outcome;
}

export type GroupStep = "match" | "create" | "members" | "rename" | "remove-members" | "delete";
export const ALL_GROUP_STEPS: readonly GroupStep[] = ["match", "create", "members", "rename", "remove-members", "delete"];

export interface GroupStepResult extends Omit<StepResult, "step"> {
  step: GroupStep | "skip";
}

export interface GroupOutcome {
  group: string;
  inScope: boolean;
  predictedRejected: boolean;
  result: "created" | "matched" | "rejected" | "not-sent" | "out-of-scope" | "failed";
  id?: string;
  steps: GroupStepResult[];
  agrees: boolean;
}

/** Which target users belong to which group: filled as users are simulated (created or matched ones only). */
export class SimulatedMembers {
  private readonly byGroup = new Map<string, string[]>();
  add(user: SampleUser, outcome: UserOutcome): void {
    if (outcome.id === undefined || (outcome.result !== "created" && outcome.result !== "matched")) return;
    for (const g of groupsOf(user)) {
      const list = this.byGroup.get(g.displayName);
      if (list) list.push(outcome.id);
      else this.byGroup.set(g.displayName, [outcome.id]);
    }
  }
  of(group: string): readonly string[] {
    return this.byGroup.get(group) ?? [];
  }
}

/**
 * Replays the group requests the preview shows (after the users, as Entra syncs users before their
 * groups' memberships): match by displayName without members, create, add the members (the target ids of
 * the users simulate created), rename, remove the members, delete — and reports each result.
 */
export async function simulateGroups(previewer: AppPreviewer, members: SimulatedMembers, options: SimulateOptions & { groupSteps?: readonly GroupStep[] }): Promise<GroupOutcome[]> {
  const steps = new Set(options.groupSteps ?? ALL_GROUP_STEPS);
  const outcomes: GroupOutcome[] = [];
  for (const g of previewer.groupPreviews()) {
    const predictedRejected = g.inScope && g.violations.some((v) => v.severity === "error");
    const outcome: GroupOutcome = { group: g.displayName, inScope: g.inScope, predictedRejected, result: "out-of-scope", steps: [], agrees: true };
    outcomes.push(outcome);
    if (!g.inScope || !g.requests) {
      outcome.steps.push({ user: g.displayName, step: "skip", ok: true, detail: "Entra does not provision this group" });
      continue;
    }
    const send = async (step: GroupStep, request: ScimRequest, id?: string): Promise<{ result?: HttpResult; record: GroupStepResult }> => {
      const record: GroupStepResult = { user: g.displayName, step, method: request.method, path: id === undefined ? request.path : request.path.replace("{id}", id), ok: false, detail: "" };
      outcome.steps.push(record);
      try {
        const result = await scimRequest(requestUrl(options.baseUrl, request, id), { method: request.method, token: options.token, body: request.body, timeoutMs: options.timeoutMs, fetchImpl: options.fetchImpl });
        record.status = result.status;
        record.ok = result.status >= 200 && result.status < 300;
        if (!record.ok) record.detail = errorDetail(result, [options.token]);
        return { result, record };
      } catch (err) {
        record.detail = err instanceof NetworkError ? err.message : String(err);
        return { record };
      }
    };
    const unqueryable = g.violations.find((v) => NOT_QUERIED.has(v.rule));
    if (unqueryable || !g.matchQuery) {
      outcome.result = "not-sent";
      outcome.steps.push({ user: g.displayName, step: "skip", ok: true, detail: `Entra sends no request: ${unqueryable?.message ?? "no matching value"}` });
      outcome.agrees = predictedRejected;
      continue;
    }
    let id: string | undefined;
    if (steps.has("match")) {
      const { result, record } = await send("match", g.matchQuery);
      const list = result ? isEmptyListResponse(result) : { ok: false };
      record.ok = !!result && result.status === 200 && list.ok;
      if (!record.ok) {
        outcome.result = "failed";
        outcome.agrees = false;
        continue;
      }
      record.detail = list.total ? `matched existing group ${list.id ?? "?"}` : "no match";
      if (list.total && list.id) {
        id = list.id;
        outcome.result = "matched";
      }
    }
    if (id === undefined) {
      if (!g.body || !steps.has("create")) {
        outcome.result = "not-sent";
        continue;
      }
      const { result, record } = await send("create", { method: "POST", path: "/Groups", body: g.body });
      const created = result?.body as { id?: unknown } | undefined;
      if (!record.ok || typeof created?.id !== "string") {
        outcome.result = result && result.status >= 400 && result.status < 500 ? "rejected" : "failed";
        outcome.agrees = outcome.result === "rejected" && predictedRejected;
        continue;
      }
      id = created.id;
      record.detail = `created ${id}`;
      outcome.result = "created";
    }
    outcome.id = id;
    outcome.agrees = !predictedRejected;
    const ids = members.of(g.displayName);
    const groups = previewer.groups!;
    const plan: [GroupStep, ScimRequest | null][] = [
      ["members", g.requests.addMembers && ids.length ? groups.membersRequest("add", ids, (x) => x) : null],
      ["rename", g.requests.rename],
      ["remove-members", g.requests.removeMembers && ids.length ? groups.membersRequest("remove", ids, (x) => x) : null],
      ["delete", g.requests.delete],
    ];
    for (const [step, request] of plan) {
      if (!steps.has(step) || !request) continue;
      const { record } = await send(step, request, id);
      if (record.ok) record.detail = step === "members" ? `added ${ids.length} member(s)` : step === "remove-members" ? `removed ${ids.length} member(s)` : step === "rename" ? "renamed" : "deleted";
      else outcome.agrees = false;
    }
  }
  return outcomes;
}
