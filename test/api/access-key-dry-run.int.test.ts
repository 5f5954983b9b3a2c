import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { backends } from "../support/databases.js";
import { ok, startTestApp, type TestApp } from "../support/graphql.js";

// deleteAccessKey(dryRun: true): a key is a credential, not a permission. Its user's decisions
// do not flip, but every request signed with it stops authenticating — the preview says that,
// and what those requests could do, and appends nothing.

const deleteKey = `mutation ($userName: String, $accessKeyId: String!, $dryRun: Boolean) {
  deleteAccessKey(userName: $userName, accessKeyId: $accessKeyId, dryRun: $dryRun) {
    __typename
    ... on ChangePreview { principalsConsidered events { type streamId } flips { principalArn action }
      accessKeyImpact { accessKeyId userName userArn status lastUsedDate signedRequestsStop allowedActions otherActiveKeys } }
    ... on PositionPayload { position }
    ... on IamError { code message }
  }
}`;
const createKey = `mutation ($userName: String!) { createAccessKey(userName: $userName) { ... on AccessKeyPayload { accessKey { accessKeyId secretAccessKey } } ... on IamError { code message } } }`;
const doc = (...actions: string[]) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: actions, Resource: "*" }] });

describe.each(backends)("deleteAccessKey dryRun on $name", (backend) => {
  let t: TestApp;
  const must = async (query: string, variables: Record<string, unknown>) => {
    const r = await t.client.request(query, variables);
    const field = Object.keys(r.data ?? {})[0]!;
    const payload = ok(r, field);
    if (payload?.__typename === "IamError") throw new Error(`${field}: ${payload.code}: ${payload.message}`);
    return payload;
  };
  const whoAmI = (key: { accessKeyId: string; secretAccessKey: string }) => t.clientWith(key.accessKeyId, key.secretAccessKey).request(`{ callerIdentity { arn } }`);

  beforeAll(async () => {
    t = await startTestApp(backend);
    await must(`mutation { createUser(userName: "kim") { __typename ... on IamError { code message } } }`, {});
    await must(`mutation ($d: String!) { putUserPolicy(userName: "kim", policyName: "work", policyDocument: $d) { __typename ... on IamError { code message } } }`, { d: doc("iam:GetUser", "iam:ListUsers", "s3:GetObject") });
    await must(`mutation ($d: String!) { putUserPolicy(userName: "kim", policyName: "fence", policyDocument: $d) { __typename ... on IamError { code message } } }`, {
      d: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Deny", Action: "s3:GetObject", Resource: "*" }] }),
    });
  });
  afterAll(async () => t?.close());

  test("names what stops: the key's signed requests and what they could do; no decision flips, nothing appended", async () => {
    const first = (await must(createKey, { userName: "kim" })).accessKey;
    const second = (await must(createKey, { userName: "kim" })).accessKey;
    expect((await whoAmI(first)).data.callerIdentity.arn).toBe("arn:aws:iam::123456789012:user/kim");
    const before = await t.eventCount();

    const preview = await must(deleteKey, { userName: "kim", accessKeyId: first.accessKeyId, dryRun: true });
    expect(preview.__typename).toBe("ChangePreview");
    expect(preview.events).toEqual([{ type: "AccessKeyDeleted", streamId: expect.any(String) }]);
    // The user keeps every permission (another key, or a session, still has them).
    expect(preview.flips).toEqual([]);
    expect(preview.accessKeyImpact).toEqual({
      accessKeyId: first.accessKeyId,
      userName: "kim",
      userArn: "arn:aws:iam::123456789012:user/kim",
      status: "Active",
      lastUsedDate: expect.any(String),
      signedRequestsStop: true,
      // s3:GetObject is named, but denied: the key could not do it before either.
      allowedActions: ["iam:GetUser", "iam:ListUsers"],
      otherActiveKeys: [second.accessKeyId],
    });
    expect(await t.eventCount()).toBe(before);
    expect((await whoAmI(first)).data.callerIdentity.arn).toBe("arn:aws:iam::123456789012:user/kim");

    // Applied, it is what the preview said: the key is refused, the other key works.
    expect((await must(deleteKey, { userName: "kim", accessKeyId: first.accessKeyId })).__typename).toBe("PositionPayload");
    const refused = await whoAmI(first);
    expect(refused.status).toBe(401);
    expect(refused.errors?.[0]?.extensions?.code).toBe("InvalidClientTokenId");
    expect((await whoAmI(second)).data.callerIdentity.arn).toBe("arn:aws:iam::123456789012:user/kim");
  });

  test("an Inactive key stops nothing; a missing key and a caller without permission are refused as by the real call", async () => {
    const keys = (await t.client.request(`{ accessKeys(userName: "kim") { accessKeyId } }`)).data.accessKeys;
    const key = keys[0].accessKeyId as string;
    await must(`mutation ($k: String!) { updateAccessKey(userName: "kim", accessKeyId: $k, status: Inactive) { __typename ... on IamError { code message } } }`, { k: key });
    const inactive = (await must(deleteKey, { userName: "kim", accessKeyId: key, dryRun: true })).accessKeyImpact;
    expect(inactive).toMatchObject({ status: "Inactive", signedRequestsStop: false, allowedActions: [], otherActiveKeys: [] });

    const before = await t.eventCount();
    const missing = await t.client.request(deleteKey, { userName: "kim", accessKeyId: "AKIAAAAAAAAAAAAAAAAA", dryRun: true });
    expect(missing.data.deleteAccessKey.code).toBe("NoSuchEntity");

    // kim's own key may not delete keys (no iam:DeleteAccessKey): AccessDenied, dry run or not.
    await must(`mutation { createUser(userName: "lee") { __typename ... on IamError { code message } } }`, {});
    const lee = (await must(createKey, { userName: "lee" })).accessKey;
    const asLee = await t.clientWith(lee.accessKeyId, lee.secretAccessKey).request(deleteKey, { userName: "kim", accessKeyId: key, dryRun: true });
    expect(asLee.data?.deleteAccessKey?.code ?? asLee.errors?.[0]?.extensions?.code).toBe("AccessDenied");
    expect(await t.eventCount()).toBe(before + 2);
  });
});
