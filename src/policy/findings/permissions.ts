// What a statement grants: Allow with Not* elements, iam:PassRole on broad resources, and
// statements, actions or resources that add nothing (access-analyzer-reference-policy-checks).

import type { CheckContext, StatementView } from "./context.js";
import { at } from "./context.js";
import { covers } from "./glob-cover.js";
import { itemPath, member, stringsOf, type JsonNode } from "./json-ast.js";
import type { Location } from "./types.js";

const isAllow = (s: StatementView) => member(s.node, "Effect")?.type === "string" && (member(s.node, "Effect") as { value: string }).value === "Allow";

export function checkNotElements(ctx: CheckContext): void {
  for (const s of ctx.statements) {
    if (!isAllow(s)) continue;
    const warn = (key: string, code: string, message: string) => {
      const node = member(s.node, key);
      if (node) ctx.report("SECURITY_WARNING", code, message, at([...s.path, key], node));
    };
    // ALLOW_WITH_NOT_PRINCIPAL is AWS's check; the NotAction / NotResource pair is iamgraph's
    // own (same reasoning: the statement grants everything not listed, including the future).
    warn("NotPrincipal", "ALLOW_WITH_NOT_PRINCIPAL", "Using Allow with NotPrincipal can be overly permissive. We recommend that you use Principal instead.");
    warn("NotAction", "ALLOW_WITH_NOT_ACTION", "Using Allow with NotAction can be overly permissive because it allows every action not listed, including actions added later. We recommend that you list the allowed actions in Action instead.");
    warn("NotResource", "ALLOW_WITH_NOT_RESOURCE", "Using Allow with NotResource can be overly permissive because it allows every resource not listed, including resources created later. We recommend that you list the allowed resources in Resource instead.");
  }
}

const PASS_ROLE = "iam:PassRole";
const ANY_ROLE = "arn:aws:iam::111122223333:role/service-role/x9";

export function checkPassRole(ctx: CheckContext): void {
  for (const s of ctx.statements) {
    if (!isAllow(s)) continue;
    const cond = member(s.node, "Condition");
    if (cond?.type === "object" && cond.entries.some((op) => op.value.type === "object" && op.value.entries.some((k) => k.key.toLowerCase() === "iam:passedtoservice"))) continue;
    const actions = stringsOf(member(s.node, "Action"));
    const notActions = member(s.node, "NotAction");
    const passing = actions.filter((a) => covers(a.value, PASS_ROLE, true));
    const starInAction = passing.length > 0 && passing.every((a) => a.value.toLowerCase() !== PASS_ROLE.toLowerCase());
    const notActionAllows = notActions !== undefined && !stringsOf(notActions).some((a) => covers(a.value, PASS_ROLE, true));
    if (passing.length === 0 && !notActionAllows) continue;
    const broad = stringsOf(member(s.node, "Resource")).filter((r) => covers(r.value, ANY_ROLE, false));
    const notResource = member(s.node, "NotResource");
    const resLocs = broad.map((r) => at(itemPath([...s.path, "Resource"], r.index), r.node));
    const report = (code: string, message: string, locs: Location[]) => ctx.report("SECURITY_WARNING", code, message, ...locs);
    if (notActionAllows) {
      if (broad.length) report("PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION", "Using a resource with wildcards (*) and NotAction can be overly permissive because it allows iam:PassRole permissions on all resources. We recommend that you specify resource ARNs or add the iam:PassedToService condition key to your statement.", resLocs);
      else if (notResource) report("PASS_ROLE_WITH_NOT_ACTION_AND_NOT_RESOURCE", "Using NotAction with NotResource can be overly permissive because it can allow iam:PassRole permissions on multiple resources. We recommend that you specify resource ARNs instead.", [at([...s.path, "NotResource"], notResource)]);
    } else if (broad.length) {
      if (starInAction) report("PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE", "Using wildcards (*) in the action and the resource can be overly permissive because it allows iam:PassRole permissions on all resources. We recommend that you specify resource ARNs or add the iam:PassedToService condition key to your statement.", resLocs);
      else report("PASS_ROLE_WITH_STAR_IN_RESOURCE", "Using the iam:PassRole action with wildcards (*) in the resource can be overly permissive because it allows iam:PassRole permissions on multiple resources. We recommend that you specify resource ARNs or add the iam:PassedToService condition key to your statement.", resLocs);
    } else if (notResource) {
      const loc = [at([...s.path, "NotResource"], notResource)];
      if (starInAction) report("PASS_ROLE_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE", "Using an action with a wildcard (*) and NotResource can be overly permissive because it can allow iam:PassRole permissions on multiple resources. We recommend that you specify resource ARNs instead.", loc);
      else report("PASS_ROLE_WITH_NOT_RESOURCE", "Using the iam:PassRole action with NotResource can be overly permissive because it can allow iam:PassRole permissions on multiple resources. We recommend that you specify resource ARNs instead.", loc);
    }
  }
}

/** Actions (or resources) of one element already covered by another entry of the same element. */
function redundantEntries(node: JsonNode | undefined, ignoreCase: boolean) {
  const items = stringsOf(node);
  return items.filter((x, j) => items.some((y, i) => i !== j && covers(y.value, x.value, ignoreCase) && (!covers(x.value, y.value, ignoreCase) || i < j)));
}

export function checkRedundancy(ctx: CheckContext): void {
  for (const s of ctx.statements) {
    for (const [key, code, ignoreCase] of [["Action", "REDUNDANT_ACTION", true], ["Resource", "REDUNDANT_RESOURCE", false]] as const) {
      const extra = redundantEntries(member(s.node, key), ignoreCase);
      if (extra.length === 0) continue;
      const message =
        key === "Action"
          ? `The ${extra.length} action(s) are redundant because they provide similar permissions. Update the policy to remove the redundant action such as: ${extra.map((e) => e.value).join(", ")}.`
          : `The ${extra.length} resource ARN(s) are redundant because they reference the same resource. Review the use of wildcards (*).`;
      ctx.report("SUGGESTION", code, message, ...extra.map((e) => at(itemPath([...s.path, key], e.index), e.node)));
    }
  }
  // A statement whose every action and resource is covered by another statement with the same
  // effect (and the same principal), neither having conditions, adds nothing.
  const plain = ctx.statements.filter((s) => member(s.node, "Condition") === undefined && member(s.node, "Action") && member(s.node, "Resource"));
  plain.forEach((s, j) => {
    const other = plain.find((t, i) => i !== j && coversStatement(t, s) && (!coversStatement(s, t) || i < j));
    if (other) {
      ctx.report("SUGGESTION", "REDUNDANT_STATEMENT", "The statements are redundant because they provide identical permissions. Update the policy to remove the redundant statement.", at(s.path, s.node), at(other.path, other.node));
    }
  });
}

function coversStatement(general: StatementView, specific: StatementView): boolean {
  const text = (n: JsonNode | undefined) => (n?.type === "string" ? n.value : undefined);
  if (text(member(general.node, "Effect")) !== text(member(specific.node, "Effect"))) return false;
  if (JSON.stringify(plainValue(member(general.node, "Principal"))) !== JSON.stringify(plainValue(member(specific.node, "Principal")))) return false;
  const within = (key: string, ignoreCase: boolean) => {
    const g = stringsOf(member(general.node, key));
    const sp = stringsOf(member(specific.node, key));
    return sp.length > 0 && sp.every((x) => g.some((y) => covers(y.value, x.value, ignoreCase)));
  };
  return within("Action", true) && within("Resource", false);
}

function plainValue(n: JsonNode | undefined): unknown {
  if (n === undefined) return undefined;
  if (n.type === "object") return Object.fromEntries(n.entries.map((e) => [e.key, plainValue(e.value)]));
  if (n.type === "array") return n.items.map(plainValue);
  return n.type === "null" ? null : n.value;
}

