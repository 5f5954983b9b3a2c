import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { loadConfig } from "../../src/config/config.js";
import { pruneExpiredSessions } from "../../src/sts/session-retention.js";
import { allow, createCaller, policyOf, type TestCaller } from "../support/callers.js";
import { backends } from "../support/databases.js";
import { ok, startTestApp, type TestApp } from "../support/graphql.js";
import { testEnv } from "../support/root-key.js";

// role_sessions keeps an expired session's record for the retention period (the audit trail of
// who held a role when), then deletes it (src/sts/session-retention.ts). The clock is injected.

const ACCOUNT = "123456789012";
const ROLE = `arn:aws:iam::${ACCOUNT}:role/kept`;
const DAY = 86_400_000;

test("IAMGRAPH_ROLE_SESSION_RETENTION_DAYS: default a year, 0 keeps forever, nonsense refused", () => {
  expect(loadConfig(testEnv).roleSessionRetentionDays).toBe(365);
  expect(loadConfig({ ...testEnv, IAMGRAPH_ROLE_SESSION_RETENTION_DAYS: "0" }).roleSessionRetentionDays).toBe(0);
  expect(loadConfig({ ...testEnv, IAMGRAPH_ROLE_SESSION_RETENTION_DAYS: "30" }).roleSessionRetentionDays).toBe(30);
  for (const bad of ["-1", "1.5", "ever"]) expect(() => loadConfig({ ...testEnv, IAMGRAPH_ROLE_SESSION_RETENTION_DAYS: bad })).toThrow(/IAMGRAPH_ROLE_SESSION_RETENTION_DAYS/);
});

describe.each(backends)("role session retention on $name", (backend) => {
  let t: TestApp;
  let clock = Date.parse("2026-03-01T09:00:00.000Z");
  let user: TestCaller;
  const assume = async (name: string) =>
    ok(await user.client.request(`mutation { r: assumeRole(roleArn: "${ROLE}", roleSessionName: "${name}", durationSeconds: 900) { __typename ... on IamError { code message } } }`), "r");
  const held = async () => (ok(await t.client.request(`{ r: roleSessions(roleArn: "${ROLE}") { sessionName } }`), "r") as { sessionName: string }[]).map((s) => s.sessionName);

  beforeAll(async () => {
    t = await startTestApp(backend, { now: () => new Date(clock) });
    const trust = policyOf({ Effect: "Allow", Principal: { AWS: ACCOUNT }, Action: "sts:AssumeRole" });
    ok(await t.client.request(`mutation ($d: String!) { r: createRole(roleName: "kept", assumeRolePolicyDocument: $d) { __typename ... on IamError { code message } } }`, { d: JSON.stringify(trust) }), "r");
    user = await createCaller(t, { userName: "holder", policies: [policyOf(allow("sts:AssumeRole", ROLE))] });
  }, 120_000);
  afterAll(() => t?.close());

  test("records of sessions expired longer ago than the retention are deleted; the rest are kept", async () => {
    await assume("old-1");
    await assume("old-2");
    clock += 3 * DAY;
    await assume("recent");
    expect(await held()).toEqual(["recent", "old-2", "old-1"]);
    // Retention 5 days: the old ones expired 3 days ago, still kept.
    expect(await pruneExpiredSessions(t.app.sts.store, 5, new Date(clock))).toBe(0);
    // Retention 2 days: they go; "recent" (still active) stays.
    expect(await pruneExpiredSessions(t.app.sts.store, 2, new Date(clock))).toBe(2);
    expect(await held()).toEqual(["recent"]);
  });
});
