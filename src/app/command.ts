import type { AccessKeyCommand } from "../domain/access-keys/decide.js";
import type { GroupCommand } from "../domain/groups/decide.js";
import type { OidcProviderCommand } from "../domain/oidc-providers/decide.js";
import type { PermissionsCommand } from "../domain/permissions/decide.js";
import type { PolicyCommand } from "../domain/policies/decide.js";
import type { RoleCommand } from "../domain/roles/decide.js";
import type { UserCommand } from "../domain/users/decide.js";

/** Every command the pipeline accepts. */
export type Command = UserCommand | GroupCommand | RoleCommand | PolicyCommand | PermissionsCommand | AccessKeyCommand | OidcProviderCommand;
