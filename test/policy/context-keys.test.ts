import { describe, expect, test } from "vitest";
import { contextKeysOf } from "../../src/policy/context-keys.js";
import { parsePolicyDocument } from "../../src/policy/parse.js";

const parse = (doc: object) => {
  const parsed = parsePolicyDocument(JSON.stringify(doc), "identity");
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.document;
};

describe("contextKeysOf", () => {
  test("AWS's own example: a Resource variable, then a condition key, in that order", () => {
    const doc = parse({
      Version: "2012-10-17",
      Statement: { Effect: "Allow", Action: "dynamodb:*", Resource: "arn:aws:dynamodb:us-west-2:123456789012:table/${aws:username}", Condition: { DateGreaterThan: { "aws:CurrentTime": "2015-08-16T12:00:00Z" } } },
    });
    expect(contextKeysOf([doc])).toEqual(["aws:username", "aws:CurrentTime"]);
  });

  test("each key once across statements and documents, ignoring case; first spelling kept", () => {
    const a = parse({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*", Condition: { StringEquals: { "aws:PrincipalTag/team": "blue", "s3:prefix": "${aws:userid}/" } } }] });
    const b = parse({ Version: "2012-10-17", Statement: [{ Effect: "Deny", Action: "s3:*", NotResource: "arn:aws:s3:::${AWS:UserId}/*", Condition: { Bool: { "aws:MultiFactorAuthPresent": "false" }, StringLike: { "AWS:PRINCIPALTAG/TEAM": "x" } } }] });
    expect(contextKeysOf([a, b])).toEqual(["aws:PrincipalTag/team", "s3:prefix", "aws:userid", "aws:MultiFactorAuthPresent"]);
  });

  test("a 2008-10-17 document has no variables: `${…}` is literal text there", () => {
    const old = parse({ Version: "2008-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::${aws:username}" }] });
    expect(contextKeysOf([old])).toEqual([]);
  });

  test("a default value is not part of the key", () => {
    const doc = parse({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::${aws:PrincipalTag/team, 'none'}/*" }] });
    expect(contextKeysOf([doc])).toEqual(["aws:PrincipalTag/team"]);
  });
});
