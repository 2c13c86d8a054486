/**
 * Whether a person has done the Admin Console part: Okta lists an app's enabled provisioning features on
 * the app (`features`, read here through the provider's `okta_apps` data source). A custom app lists none
 * until SCIM is on; a SCIM app with To App and Push Groups on lists e.g. PUSH_NEW_USERS,
 * PUSH_USER_DEACTIVATION, SCIM_PROVISIONING, GROUP_PUSH, REACTIVATE_USERS, PUSH_PROFILE_UPDATES
 * (terraform-provider-okta test/fixtures/vcr/idaas/TestAccResourceOktaAppSignOnPolicyRule_AUTH_METHOD_CHAIN,
 * commit e59c130b; names as in Okta's Application.features enum).
 */
import type { OktaPlan } from "../plan/types";

/** The features the plan's manual steps turn on; the enabled phase needs every one of them. */
export function requiredFeatures(okta: OktaPlan): string[] {
  return [
    "SCIM_PROVISIONING",
    ...(okta.toApp.createUsers ? ["PUSH_NEW_USERS"] : []),
    ...(okta.toApp.updateUserAttributes ? ["PUSH_PROFILE_UPDATES"] : []),
    ...(okta.toApp.deactivateUsers ? ["PUSH_USER_DEACTIVATION"] : []),
    // Okta: "You must have provisioning enabled in the target app to use group push mappings".
    ...(okta.pushGroups.length ? ["GROUP_PUSH"] : []),
  ];
}

export function missingFeatures(okta: OktaPlan, features: readonly string[] | undefined): string[] {
  return requiredFeatures(okta).filter((f) => !features?.includes(f));
}
