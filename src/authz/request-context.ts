import type { ContextEntry } from "../policy/request.js";
import type { Principal } from "./principal.js";

/**
 * The global condition keys the server knows about a principal and the moment of the request
 * (reference_policies_condition-keys). Caller-supplied entries come after and win.
 */
export function principalContext(principal: Principal, now: Date): ContextEntry[] {
  const entries: ContextEntry[] = [
    { key: "aws:PrincipalArn", type: "string", values: [principal.arn] },
    { key: "aws:PrincipalAccount", type: "string", values: [principal.accountId] },
    { key: "aws:PrincipalType", type: "string", values: [principal.type === "user" ? "User" : "AssumedRole"] },
    { key: "aws:userid", type: "string", values: [principal.id] },
    { key: "aws:CurrentTime", type: "date", values: [now.toISOString()] },
    { key: "aws:EpochTime", type: "numeric", values: [String(Math.floor(now.getTime() / 1000))] },
  ];
  if (principal.type === "user") entries.push({ key: "aws:username", type: "string", values: [principal.name] });
  for (const tag of principal.tags) entries.push({ key: `aws:PrincipalTag/${tag.key}`, type: "string", values: [tag.value] });
  return entries;
}
