import { lexicographicSortSchema } from "graphql";
import { builder } from "./builder.js";
import "./types/scalars.js";
import "./types/iam-error.js";
import "./types/tag.js";
import "./types/user.js";
import "./types/access-key.js";
import "./types/group.js";
import "./types/membership.js";
import "./types/role.js";
import "./types/policy.js";
import "./types/permissions.js";
import "./types/evaluation.js";
import "./types/context-keys.js";
import "./types/account.js";
import "./types/history.js";
import "./types/time-travel.js";
import "./types/permission-history.js";
import "./types/preview-change.js";
import "./types/restore.js";
import "./types/subscriptions.js";
import "./types/operations.js";
import "./types/role-session.js";
import "./types/oidc-provider.js";
import "./types/web-identity.js";
import "./types/account-snapshot.js";

/** The executable schema; `npm run schema:print` writes it to schema/schema.graphql. */
export const schema = lexicographicSortSchema(builder.toSchema());
