// Preview: evaluate a Plan over Entra users → SCIM requests and rule violations; simulate and check
// against a SCIM endpoint. See docs/preview.md.
export { AppPreviewer, blockingViolations, defaultChange, type Assignment, type Evaluation, PreviewError, type PreviewOptions, type ReferenceRequests, type UserPreview } from "./engine";
export { checkApp, checkToken, checkTenantUrl, connectionRequests, testConnection, testGroupConnection, type CheckItem, type CheckOptions } from "./check";
export { describeNetworkError, maskSecrets, NetworkError, scimRequest } from "./http";
export { JsonArraySplitter, readJsonUsers, readUsersFile, UserFileError } from "./json-stream";
export { createWriter, FORMATS, type Format, groupJson, JsonWriter, MarkdownWriter, policyText, type PreviewWriter, StreamSink, TableWriter, userJson, type AppSummary } from "./output";
export { DEFAULT_STACK, loadPreviewProject, ProjectError, type PreviewProject } from "./project";
export { checkUserRules, resolveAllowedDomains, type Violation } from "./rules";
export { fillSharedValueFilters, previewPasses, runPreview, type RunOptions, sampleUsers, type UserSource } from "./run";
export * from "./scim";
export { evaluateScoping, type ScopingResult } from "./scoping";
export { ALL_GROUP_STEPS, ALL_STEPS, type GroupOutcome, type GroupStep, SimulatedMembers, simulateGroups, simulateUser, type SimulateOptions, type SimulateStep, type StepResult, type UserOutcome } from "./simulate";
export { type GroupPolicy, type GroupPreview, GroupPreviewer, MAX_LISTED_MEMBERS } from "./groups";
export { asSampleUser, GRAPH_TO_SOURCE, groupsOf, type SampleUser, SampleUserError, sourceAttributes, withChanges } from "./users";
export { compareGroups, type GroupChange, userPolicyText } from "./changes";
