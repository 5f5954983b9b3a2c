import { entityCheck, policyCheck, type EntityKind } from "../../authz/entity-checks.js";
import type { ContextEntry } from "../../policy/request.js";
import type { Context } from "../context.js";
import { resourceLookup } from "./resource-lookup.js";

/** entityCheck and policyCheck (src/authz/entity-checks.ts) for rules that have the request's context at hand. */
export const entityCheckFor = (ctx: Context, kind: EntityKind, name: string, action: string, context?: readonly ContextEntry[]) =>
  entityCheck(resourceLookup(ctx), ctx.accountId, kind, name, action, context);
export const policyCheckFor = (ctx: Context, policyArn: string, action: string) => policyCheck(resourceLookup(ctx), policyArn, action);
