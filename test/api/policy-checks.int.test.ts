import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { allow, createCaller, policyOf, type TestCaller } from "../support/callers.js";
import { backends } from "../support/databases.js";
import { startTestApp, type TestApp } from "../support/graphql.js";

// checkNoNewAccess / checkAccessNotGranted through GraphQL: AWS's response shape, typed errors
// for bad input, and authorization as Access Analyzer's own actions.

const doc = (...statements: object[]) => JSON.stringify(policyOf(...statements));
const response = `__typename ... on PolicyCheckResponse { result message reasons { description statementIndex statementId action resource undecided } } ... on IamError { code message }`;
const noNewAccess = `query ($n: String!, $e: String!) { checkNoNewAccess(newPolicyDocument: $n, existingPolicyDocument: $e, policyType: IDENTITY_POLICY) { ${response} } }`;
const notGranted = `query ($p: String!, $a: [AccessInput!]!) { checkAccessNotGranted(policyDocument: $p, access: $a) { ${response} } }`;

describe.each(backends)("custom policy checks on $name", (backend) => {
  let t: TestApp;
  let checker: TestCaller;
  let other: TestCaller;
  beforeAll(async () => {
    t = await startTestApp(backend);
    checker = await createCaller(t, { userName: "checker", policies: [policyOf(allow(["access-analyzer:CheckNoNewAccess", "access-analyzer:CheckAccessNotGranted"]))] });
    other = await createCaller(t, { userName: "other", policies: [policyOf(allow("access-analyzer:ValidatePolicy"))] });
  });
  afterAll(() => t?.close());

  test("checkNoNewAccess: FAIL with the statement, action and resource; PASS with none", async () => {
    const fail = await checker.client.request(noNewAccess, { n: doc({ Sid: "Wide", ...allow("s3:GetObject", "arn:aws:s3:::b*") }), e: doc(allow("s3:GetObject", "arn:aws:s3:::b/*")) });
    expect(fail.errors).toBeUndefined();
    expect(fail.data.checkNoNewAccess).toMatchObject({ __typename: "PolicyCheckResponse", result: "FAIL", message: "The modified permissions grant new access compared to your existing policy." });
    expect(fail.data.checkNoNewAccess.reasons).toEqual([expect.objectContaining({ statementIndex: 0, statementId: "Wide", action: "s3:GetObject", resource: "arn:aws:s3:::b", undecided: false })]);
    const pass = await checker.client.request(noNewAccess, { n: doc(allow("s3:GetObject", "arn:aws:s3:::b/x")), e: doc(allow("s3:GetObject", "arn:aws:s3:::b/*")) });
    expect(pass.data.checkNoNewAccess).toMatchObject({ result: "PASS", reasons: [] });
  });

  test("checkNoNewAccess on a resource policy names the principal granted new access", async () => {
    const bucket = (principal: unknown) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: principal, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" }] });
    const query = `query ($n: String!, $e: String!) { checkNoNewAccess(newPolicyDocument: $n, existingPolicyDocument: $e, policyType: RESOURCE_POLICY) { __typename ... on PolicyCheckResponse { result reasons { statementIndex action principal } } } }`;
    const fail = await checker.client.request(query, { n: bucket("*"), e: bucket({ AWS: "111122223333" }) });
    expect(fail.errors).toBeUndefined();
    expect(fail.data.checkNoNewAccess).toEqual({ __typename: "PolicyCheckResponse", result: "FAIL", reasons: [{ statementIndex: 0, action: "s3:GetObject", principal: "a principal of an account no policy names" }] });
    const pass = await checker.client.request(query, { n: bucket({ AWS: "arn:aws:iam::111122223333:role/reader" }), e: bucket({ AWS: "111122223333" }) });
    expect(pass.data.checkNoNewAccess).toEqual({ __typename: "PolicyCheckResponse", result: "PASS", reasons: [] });
  });

  test("checkAccessNotGranted: a listed action on a listed resource fails", async () => {
    const r = await checker.client.request(notGranted, { p: doc(allow("s3:*", "*")), a: [{ actions: ["s3:PutBucketPolicy"], resources: ["arn:aws:s3:::my-sensitive-bucket"] }] });
    expect(r.data.checkAccessNotGranted).toMatchObject({ result: "FAIL", reasons: [expect.objectContaining({ statementIndex: 0, action: "s3:PutBucketPolicy", resource: "arn:aws:s3:::my-sensitive-bucket" })] });
  });

  test("bad input is a typed IamError", async () => {
    const malformed = await checker.client.request(noNewAccess, { n: "{", e: doc(allow("*")) });
    expect(malformed.data.checkNoNewAccess).toMatchObject({ __typename: "IamError", code: "MalformedPolicyDocument" });
    expect(malformed.data.checkNoNewAccess.message).toMatch(/^newPolicyDocument: /);
    const empty = await checker.client.request(notGranted, { p: doc(allow("*")), a: [{}] });
    expect(empty.data.checkAccessNotGranted).toEqual({ __typename: "IamError", code: "ValidationError", message: "access: list at least one action or resource." });
    const two = await checker.client.request(notGranted, { p: doc(allow("*")), a: [{ actions: ["s3:GetObject"] }, { actions: ["s3:PutObject"] }] });
    expect(two.data.checkAccessNotGranted).toMatchObject({ __typename: "IamError", code: "ValidationError" });
  });

  test("authorized as access-analyzer:CheckNoNewAccess / CheckAccessNotGranted", async () => {
    const a = await other.client.request(noNewAccess, { n: doc(allow("*")), e: doc(allow("*")) });
    const b = await other.client.request(notGranted, { p: doc(allow("*")), a: [{ actions: ["s3:GetObject"] }] });
    const denied = (action: string) => ({
      __typename: "IamError",
      code: "AccessDenied",
      message: `User: ${other.arn} is not authorized to perform: ${action} on resource: * because no identity-based policy allows the ${action} action`,
    });
    expect(a.data.checkNoNewAccess).toEqual(denied("access-analyzer:CheckNoNewAccess"));
    expect(b.data.checkAccessNotGranted).toEqual(denied("access-analyzer:CheckAccessNotGranted"));
    // The checker may (its policy allows exactly these two actions).
    expect((await checker.client.request(noNewAccess, { n: doc(allow("*")), e: doc(allow("*")) })).data.checkNoNewAccess.__typename).toBe("PolicyCheckResponse");
  });
});
