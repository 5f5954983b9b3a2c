import type { ActionTable } from "../action.js";
import type { AwsService } from "../supported-actions.js";
import { userActions } from "./users.js";

/** Every action the Query API answers, per service (names in supported-actions.ts). */
export const awsActions: Readonly<Record<AwsService, ActionTable>> = {
  iam: { ...userActions },
  sts: {},
};
