import type { ActionTable } from "../action.js";
import type { AwsService } from "../supported-actions.js";
import { accessKeyActions } from "./access-keys.js";
import { accountActions } from "./account.js";
import { groupActions } from "./groups.js";
import { permissionActions } from "./permissions.js";
import { policyActions } from "./policies.js";
import { roleActions } from "./roles.js";
import { stsActions } from "./sts.js";
import { userActions } from "./users.js";

/** Every action the Query API answers, per service (names in supported-actions.ts). */
export const awsActions: Readonly<Record<AwsService, ActionTable>> = {
  iam: { ...userActions, ...groupActions, ...roleActions, ...policyActions, ...permissionActions, ...accessKeyActions, ...accountActions },
  sts: { ...stsActions },
};
