import type { PolicyDocument } from "../policy/document.js";
import { parsePolicyDocument } from "../policy/parse.js";
import type { World } from "./world.js";

/** The trust policy of the role with this ARN in a world folded to some point, when it existed then. */
export function trustPolicyAt(world: World, roleArn: string): { readonly document: PolicyDocument; readonly text: string; readonly accountId: string } | undefined {
  for (const role of world.roles.values()) {
    if (role.status !== "active" || role.arn !== roleArn) continue;
    const parsed = parsePolicyDocument(role.assumeRolePolicyDocument, "trust");
    return parsed.ok ? { document: parsed.document, text: role.assumeRolePolicyDocument, accountId: roleArn.split(":")[4] ?? "" } : undefined;
  }
  return undefined;
}
