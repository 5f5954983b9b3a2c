// ARN checks for Resource/NotResource and shape checks for Action/NotAction
// (access-analyzer-reference-policy-checks; ARN layout from reference_identifiers).

import type { CheckContext } from "./context.js";
import { at } from "./context.js";
import { itemPath, member, stringsOf } from "./json-ast.js";

const PARTITIONS = new Set(["aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"]);
const IAM_RESOURCE_TYPES = [
  "user/", "federated-user/", "role/", "group/", "instance-profile/", "mfa/", "server-certificate/", "policy/",
  "sms-mfa/", "saml-provider/", "oidc-provider/", "report/", "access-report/", "assumed-role/",
];
/** S3 resource types that carry a Region and an account; everything else is a bucket or object. */
const S3_REGIONAL_TYPES = ["accesspoint/", "job/", "storage-lens/", "storage-lens-group/", "async-request/", "access-grants/"];

const hasWildcard = (s: string) => /[*?]/.test(s);
const hasVariable = (s: string) => s.includes("${");

export function checkResources(ctx: CheckContext): void {
  for (const s of ctx.statements) {
    for (const key of ["Resource", "NotResource"]) {
      for (const { value, node, index } of stringsOf(member(s.node, key))) {
        const problem = arnProblem(value);
        if (problem) ctx.report("ERROR", problem.code, problem.message, at(itemPath([...s.path, key], index), node));
        else if (serviceWildcard(value)) {
          ctx.report("SUGGESTION", "WILDCARD_IN_SERVICE_NAME", "Avoid using wildcards (*, ?) in the service name because it might grant unintended access to other AWS services with similar names.", at(itemPath([...s.path, key], index), node));
        }
      }
    }
  }
}

function serviceWildcard(arn: string): boolean {
  const service = arn.split(":")[2];
  return service !== undefined && service !== "*" && hasWildcard(service);
}

export function arnProblem(arn: string): { code: string; message: string } | undefined {
  if (arn === "*") return undefined;
  if (!arn.startsWith("arn:")) return { code: "INVALID_ARN_PREFIX", message: "Add the required prefix (arn) to the resource ARN." };
  const f = arn.split(":");
  if (f.length < 6) {
    return {
      code: "MISSING_ARN_FIELD",
      message: "Resource ARNs must include at least 6 fields and include the following structure: arn:partition:service:region:account:resource.",
    };
  }
  const [, partition = "", service = "", region = "", account = ""] = f;
  const resource = f.slice(5).join(":");
  if (!PARTITIONS.has(partition) && !hasWildcard(partition) && !hasVariable(partition)) {
    return { code: "INVALID_PARTITION", message: `The resource ARN for the service ${service} does not support the partition ${partition}. Use the supported values: ${[...PARTITIONS].join(", ")}` };
  }
  if (service !== service.toLowerCase()) {
    return { code: "INVALID_ARN_SERVICE_CASE", message: "Update the service name in the resource ARN to use all lowercase letters." };
  }
  if (account !== "" && account !== "aws" && !/^\d{12}$/.test(account) && !hasWildcard(account) && !hasVariable(account)) {
    return { code: "INVALID_ARN_ACCOUNT", message: "The resource ARN account ID is not valid. Provide a 12-digit account ID." };
  }
  const regionless = service === "iam" || (service === "s3" && !S3_REGIONAL_TYPES.some((t) => resource.startsWith(t)));
  if (regionless && region !== "" && !hasWildcard(region)) {
    return { code: "ARN_REGION_NOT_ALLOWED", message: `The service ${service} does not support specifying a Region in the resource ARN.` };
  }
  if (service === "s3" && regionless && account !== "" && !hasWildcard(account)) {
    return { code: "ARN_ACCOUNT_NOT_ALLOWED", message: "The service s3 does not support specifying an account ID in the resource ARN." };
  }
  if (service === "iam" && !hasWildcard(resource.slice(0, 1)) && resource !== "root" && !IAM_RESOURCE_TYPES.some((t) => resource.startsWith(t))) {
    return { code: "INVALID_ARN_RESOURCE", message: "Resource ARN does not match the expected ARN format. Update the resource portion of the ARN." };
  }
  return undefined;
}

export function checkActions(ctx: CheckContext): void {
  for (const s of ctx.statements) {
    for (const key of ["Action", "NotAction"]) {
      for (const { value, node, index } of stringsOf(member(s.node, key))) {
        const loc = at(itemPath([...s.path, key], index), node);
        if (value === "*" || value.includes("${")) continue; // variables here are variables.ts's finding
        const parts = value.split(":");
        const vendor = parts[0] ?? "";
        if (parts.length !== 2 || vendor === "" || /[^a-zA-Z0-9.*?-]/.test(vendor)) {
          ctx.report("ERROR", "INVALID_ACTION", `The action ${value} does not exist. Use the format service:action.`, loc);
        } else if (hasWildcard(vendor) && vendor !== "*") {
          ctx.report("SUGGESTION", "WILDCARD_IN_SERVICE_NAME", "Avoid using wildcards (*, ?) in the service name because it might grant unintended access to other AWS services with similar names.", loc);
        }
      }
    }
  }
}
