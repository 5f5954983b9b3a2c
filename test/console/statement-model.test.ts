import { describe, expect, test } from "vitest";
import { readDocument, writeDocument } from "../../src/console/editor/statement-model.js";
import { lineDiff } from "../../src/console/editor/line-diff.js";

// The policy editor's visual builder round-trips with the JSON (src/console/editor/).
describe("statement builder model", () => {
  const policy = {
    Version: "2012-10-17",
    Id: "kept",
    Statement: [
      { Sid: "Read", Effect: "Allow", Action: ["s3:GetObject", "s3:ListBucket"], Resource: "arn:aws:s3:::b/*", Condition: { StringEquals: { "aws:username": "alice" }, IpAddress: { "aws:SourceIp": ["10.0.0.0/8", "192.168.0.0/16"] } } },
      { Effect: "Deny", NotAction: "iam:*", Resource: "*" },
    ],
  };

  test("reads effect, actions, resources and conditions; writes back the same document", () => {
    const doc = readDocument(JSON.stringify(policy))!;
    expect(doc.statements[0]).toMatchObject({ sid: "Read", effect: "Allow", actions: ["s3:GetObject", "s3:ListBucket"], resources: ["arn:aws:s3:::b/*"] });
    expect(doc.statements[0]!.conditions).toEqual([
      { operator: "StringEquals", key: "aws:username", values: ["alice"] },
      { operator: "IpAddress", key: "aws:SourceIp", values: ["10.0.0.0/8", "192.168.0.0/16"] },
    ]);
    // NotAction, Id: members the builder does not show survive; one value stays a string.
    expect(JSON.parse(writeDocument(doc))).toEqual(policy);
  });

  test("an edit in the builder changes only what it touched", () => {
    const doc = readDocument(JSON.stringify(policy))!;
    doc.statements[0]!.conditions[0]!.operator = "StringLike";
    const out = JSON.parse(writeDocument(doc));
    expect(out.Statement[0].Condition).toEqual({ StringLike: { "aws:username": "alice" }, IpAddress: { "aws:SourceIp": ["10.0.0.0/8", "192.168.0.0/16"] } });
    expect(out.Statement[1]).toEqual(policy.Statement[1]);
  });

  test("text that is not a policy-shaped object has no builder view", () => {
    for (const text of ["{", "[]", "42", '{"Statement": [1]}']) expect(readDocument(text), text).toBeUndefined();
    expect(readDocument('{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}')?.statements).toHaveLength(1);
  });
});

describe("version diff", () => {
  test("marks removed and added lines between two versions", () => {
    expect(lineDiff("a\nb\nc", "a\nx\nc")).toEqual([
      { kind: "same", text: "a" },
      { kind: "removed", text: "b" },
      { kind: "added", text: "x" },
      { kind: "same", text: "c" },
    ]);
  });
});
