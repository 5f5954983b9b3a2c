import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { EntityFactsCache } from "../../src/api/authorization/entity-facts-cache.js";
import type { StoredEvent } from "../../src/eventstore/stored-event.js";
import { allow, createCaller, policyOf } from "../support/callers.js";
import { backends } from "../support/databases.js";
import { ok, startTestApp, type TestApp } from "../support/graphql.js";

// Self-authorization keeps what it reads about entities across requests; every change to an
// entity must be seen by the very next check (tags, path, deletion), and a read that raced with
// a change must not be kept.

const event = (streamId: string) => ({ streamId }) as StoredEvent;

test("an event of an entity's stream drops what is kept about it; a read older than an invalidation is not kept", () => {
  const cache = new EntityFactsCache();
  const facts = { arn: "arn:aws:iam::123456789012:user/a", path: "/", tags: [], boundaryArn: null };
  cache.set("user:a", "AIDAA", facts, cache.generation);
  cache.set("access-key:AKIA1", "AIDAA", facts, cache.generation);
  cache.set("user:b", "AIDAB", facts, cache.generation);
  cache.invalidate([event("user-AIDAA")]);
  expect([cache.get("user:a"), cache.get("access-key:AKIA1"), cache.get("user:b")]).toEqual([undefined, undefined, facts]);
  const before = cache.generation;
  cache.invalidate([event("group-AGPAX")]);
  cache.set("user:a", "AIDAA", facts, before); // read before that invalidation: dropped
  expect(cache.get("user:a")).toBeUndefined();
  const bounded = new EntityFactsCache(2);
  for (const k of ["x", "y", "z"]) bounded.set(`user:${k}`, k, facts, bounded.generation);
  expect([bounded.size, bounded.get("user:x"), bounded.get("user:z")]).toEqual([2, undefined, facts]);
});

describe.each(backends)("kept entity facts stay exact on $name", (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend);
  });
  afterAll(() => t?.close());

  test("aws:ResourceTag and the ARN's path follow tagging, untagging and moving the target at once", async () => {
    ok(await t.client.request(`mutation { r: createUser(userName: "efc-target") { __typename ... on IamError { code message } } }`), "r");
    const reader = await createCaller(t, {
      userName: "efc-reader",
      policies: [policyOf(allow("iam:GetUser", "arn:aws:iam::123456789012:user/*", { StringEquals: { "aws:ResourceTag/team": "blue" } }))],
    });
    const get = async () => {
      const r = await reader.client.request(`{ user(userName: "efc-target") { arn } }`);
      return r.errors ? r.errors[0]!.extensions!.code : r.data.user.arn;
    };
    expect(await get()).toBe("AccessDenied");
    expect(await get()).toBe("AccessDenied"); // now kept
    ok(await t.client.request(`mutation { r: tagUser(userName: "efc-target", tags: [{ key: "team", value: "blue" }]) { __typename ... on IamError { code message } } }`), "r");
    expect(await get()).toBe("arn:aws:iam::123456789012:user/efc-target");
    ok(await t.client.request(`mutation { r: updateUser(userName: "efc-target", newPath: "/moved/") { __typename ... on IamError { code message } } }`), "r");
    expect(await get()).toBe("arn:aws:iam::123456789012:user/moved/efc-target");
    ok(await t.client.request(`mutation { r: untagUser(userName: "efc-target", tagKeys: ["team"]) { __typename ... on IamError { code message } } }`), "r");
    expect(await get()).toBe("AccessDenied");
  });
});
