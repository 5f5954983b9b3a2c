import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { backends } from "../support/databases.js";
import { ok, startTestApp, type GraphQLClient, type TestApp } from "../support/graphql.js";

// The users-and-groups API read as AWS's IAM walkthroughs, run on every backend and transport.
// Each test uses its own names and path, so the tests of one suite share one database.

const variants = backends.flatMap((backend) => [
  { name: `${backend.name} via yoga.fetch`, backend, transport: "yoga.fetch" as const },
  { name: `${backend.name} via HTTP`, backend, transport: "http" as const },
]);

const createGroup = `mutation ($groupName: String!, $path: String) {
  createGroup(groupName: $groupName, path: $path) {
    __typename
    ... on GroupPayload { position group { groupId groupName path arn } }
    ... on IamError { code message }
  }
}`;
const createUser = `mutation ($userName: String!, $path: String, $tags: [TagInput!]) {
  createUser(userName: $userName, path: $path, tags: $tags) {
    __typename
    ... on UserPayload { position user { userId userName path arn tags { key value } } }
    ... on IamError { code message }
  }
}`;
const updateUser = `mutation ($userName: String!, $newUserName: String, $newPath: String) {
  updateUser(userName: $userName, newUserName: $newUserName, newPath: $newPath) {
    __typename
    ... on UserPayload { position user { userId userName path arn } }
    ... on IamError { code message }
  }
}`;
const updateGroup = `mutation ($groupName: String!, $newGroupName: String, $newPath: String) {
  updateGroup(groupName: $groupName, newGroupName: $newGroupName, newPath: $newPath) {
    __typename
    ... on GroupPayload { position group { groupId groupName path arn } }
    ... on IamError { code message }
  }
}`;
const membership = (field: "addUserToGroup" | "removeUserFromGroup") => `mutation ($userName: String!, $groupName: String!) {
  ${field}(userName: $userName, groupName: $groupName) {
    __typename
    ... on PositionPayload { position }
    ... on IamError { code message }
  }
}`;
const deleteUser = `mutation ($userName: String!) {
  deleteUser(userName: $userName) { __typename ... on PositionPayload { position } ... on IamError { code message } }
}`;
const deleteGroup = `mutation ($groupName: String!) {
  deleteGroup(groupName: $groupName) { __typename ... on PositionPayload { position } ... on IamError { code message } }
}`;
const tagUser = `mutation ($userName: String!, $tags: [TagInput!]!) {
  tagUser(userName: $userName, tags: $tags) {
    __typename
    ... on UserPayload { position user { tags { key value } } }
    ... on IamError { code message }
  }
}`;
const untagUser = `mutation ($userName: String!, $tagKeys: [String!]!) {
  untagUser(userName: $userName, tagKeys: $tagKeys) {
    __typename
    ... on UserPayload { position user { tags { key value } } }
    ... on IamError { code message }
  }
}`;
const getUser = `query ($userName: String!) {
  user(userName: $userName) { userId userName path arn tags { key value } groups { groupName } }
}`;
const getGroup = `query ($groupName: String!) {
  group(groupName: $groupName) { groupId groupName path arn users { userName } }
}`;
const groupsForUser = `query ($userName: String!) { groupsForUser(userName: $userName) { groupName arn } }`;
const listUsers = `query ($pathPrefix: String, $first: Int, $after: String, $nameContains: String) {
  users(pathPrefix: $pathPrefix, first: $first, after: $after, nameContains: $nameContains) {
    edges { cursor node { userName path } }
    pageInfo { hasNextPage endCursor }
  }
}`;

describe.each(variants)("users and groups ($name)", ({ backend, transport }) => {
  let t: TestApp;
  let client: GraphQLClient;
  beforeAll(async () => {
    t = await startTestApp(backend, { transport });
    client = t.client;
  });
  afterAll(() => t?.close());

  /** Runs a mutation that must succeed and returns its payload. */
  const mutate = async (query: string, variables: Record<string, unknown>) => {
    const response = await client.request(query, variables);
    const field = Object.keys(response.data ?? {})[0] ?? "";
    return ok(response, field);
  };
  const query = async (text: string, variables: Record<string, unknown> = {}) => {
    const response = await client.request(text, variables);
    expect(response.errors).toBeUndefined();
    return response.data;
  };

  test("the first-IAM-user walkthrough: create group Admins, create a user, add them, list members and their groups", async () => {
    const group = await mutate(createGroup, { groupName: "Admins" });
    expect(group.group).toMatchObject({ groupName: "Admins", path: "/", arn: "arn:aws:iam::123456789012:group/Admins" });
    expect(group.group.groupId).toMatch(/^AGPA[A-Z0-9]{17}$/);

    const user = await mutate(createUser, { userName: "Bob" });
    expect(user.user).toMatchObject({ userName: "Bob", path: "/", arn: "arn:aws:iam::123456789012:user/Bob", tags: [] });
    expect(user.user.userId).toMatch(/^AIDA[A-Z0-9]{17}$/);

    await mutate(membership("addUserToGroup"), { userName: "Bob", groupName: "Admins" });

    expect(await query(getGroup, { groupName: "Admins" })).toEqual({
      group: { ...group.group, users: [{ userName: "Bob" }] },
    });
    expect(await query(groupsForUser, { userName: "Bob" })).toEqual({
      groupsForUser: [{ groupName: "Admins", arn: "arn:aws:iam::123456789012:group/Admins" }],
    });
    expect((await query(getUser, { userName: "Bob" })).user.groups).toEqual([{ groupName: "Admins" }]);
  });

  test("names are looked up ignoring case, as AWS does", async () => {
    await mutate(createUser, { userName: "CaseyJones" });
    expect((await query(getUser, { userName: "caseyjones" })).user.userName).toBe("CaseyJones");
  });

  test("adding a user to a group they are already in succeeds and changes nothing", async () => {
    await mutate(createGroup, { groupName: "Twice" });
    await mutate(createUser, { userName: "twice-user" });
    await mutate(membership("addUserToGroup"), { userName: "twice-user", groupName: "Twice" });
    const before = await t.eventCount();
    await mutate(membership("addUserToGroup"), { userName: "twice-user", groupName: "Twice" });
    expect(await t.eventCount()).toBe(before);
    expect((await query(getGroup, { groupName: "Twice" })).group.users).toEqual([{ userName: "twice-user" }]);
  });

  test("renaming a user changes its name, path and ARN, frees the old name and keeps its id and groups", async () => {
    await mutate(createGroup, { groupName: "Renamers" });
    const created = await mutate(createUser, { userName: "Richard" });
    await mutate(membership("addUserToGroup"), { userName: "Richard", groupName: "Renamers" });

    const renamed = await mutate(updateUser, { userName: "Richard", newUserName: "Rich", newPath: "/division_abc/subdivision_xyz/" });
    expect(renamed.user).toEqual({
      userId: created.user.userId,
      userName: "Rich",
      path: "/division_abc/subdivision_xyz/",
      arn: "arn:aws:iam::123456789012:user/division_abc/subdivision_xyz/Rich",
    });

    expect((await query(getUser, { userName: "Richard" })).user).toBeNull();
    expect((await query(getUser, { userName: "Rich" })).user.groups).toEqual([{ groupName: "Renamers" }]);
    expect((await query(getGroup, { groupName: "Renamers" })).group.users).toEqual([{ userName: "Rich" }]);

    const reused = await mutate(createUser, { userName: "Richard" });
    expect(reused.user.userId).not.toBe(created.user.userId);
  });

  test("renaming a group changes its ARN and keeps its members", async () => {
    await mutate(createGroup, { groupName: "OldTeam" });
    await mutate(createUser, { userName: "teammate" });
    await mutate(membership("addUserToGroup"), { userName: "teammate", groupName: "OldTeam" });

    const renamed = await mutate(updateGroup, { groupName: "OldTeam", newGroupName: "NewTeam", newPath: "/teams/" });
    expect(renamed.group).toMatchObject({ groupName: "NewTeam", path: "/teams/", arn: "arn:aws:iam::123456789012:group/teams/NewTeam" });
    expect((await query(getGroup, { groupName: "OldTeam" })).group).toBeNull();
    expect((await query(getGroup, { groupName: "NewTeam" })).group.users).toEqual([{ userName: "teammate" }]);
    expect((await query(groupsForUser, { userName: "teammate" })).groupsForUser.map((g: { groupName: string }) => g.groupName)).toEqual(["NewTeam"]);
  });

  test("tagging adds or overwrites tags (keys ignoring case); untagging removes them and ignores absent keys", async () => {
    await mutate(createUser, { userName: "tagged", tags: [{ key: "Department", value: "Engineering" }] });

    const tagged = await mutate(tagUser, { userName: "tagged", tags: [{ key: "CostCenter", value: "12345" }, { key: "department", value: "Accounting" }] });
    expect(sortTags(tagged.user.tags)).toEqual([
      { key: "CostCenter", value: "12345" },
      { key: "department", value: "Accounting" },
    ]);

    const untagged = await mutate(untagUser, { userName: "tagged", tagKeys: ["COSTCENTER", "NotThere"] });
    expect(untagged.user.tags).toEqual([{ key: "department", value: "Accounting" }]);
    expect((await query(getUser, { userName: "tagged" })).user.tags).toEqual([{ key: "department", value: "Accounting" }]);
  });

  test("a user in a group cannot be deleted (DeleteConflict); after removal it can, and its name is free", async () => {
    await mutate(createGroup, { groupName: "Sticky" });
    await mutate(createUser, { userName: "leaver" });
    await mutate(membership("addUserToGroup"), { userName: "leaver", groupName: "Sticky" });

    const before = await t.eventCount();
    const refused = await client.request(deleteUser, { userName: "leaver" });
    expect(refused.data?.deleteUser).toEqual({
      __typename: "IamError",
      code: "DeleteConflict",
      message: "Cannot delete entity, must remove user from all groups first.",
    });
    expect(await t.eventCount()).toBe(before);
    expect((await query(getUser, { userName: "leaver" })).user).not.toBeNull();

    await mutate(membership("removeUserFromGroup"), { userName: "leaver", groupName: "Sticky" });
    expect((await query(getGroup, { groupName: "Sticky" })).group.users).toEqual([]);
    await mutate(deleteUser, { userName: "leaver" });

    expect((await query(getUser, { userName: "leaver" })).user).toBeNull();
    await mutate(createUser, { userName: "leaver" });
  });

  test("a group with members cannot be deleted (DeleteConflict); once empty it can", async () => {
    await mutate(createGroup, { groupName: "Crowded" });
    await mutate(createUser, { userName: "member-1" });
    await mutate(membership("addUserToGroup"), { userName: "member-1", groupName: "Crowded" });

    const before = await t.eventCount();
    const refused = await client.request(deleteGroup, { groupName: "Crowded" });
    expect(refused.data?.deleteGroup).toEqual({
      __typename: "IamError",
      code: "DeleteConflict",
      message: "Cannot delete entity, must remove users from group first.",
    });
    expect(await t.eventCount()).toBe(before);

    await mutate(membership("removeUserFromGroup"), { userName: "member-1", groupName: "Crowded" });
    await mutate(deleteGroup, { groupName: "Crowded" });
    expect((await query(getGroup, { groupName: "Crowded" })).group).toBeNull();
    expect((await query(getUser, { userName: "member-1" })).user.groups).toEqual([]);
  });

  test("users(pathPrefix) lists only users under the prefix", async () => {
    await mutate(createUser, { userName: "eng-1", path: "/prefix-test/engineering/" });
    await mutate(createUser, { userName: "eng-2", path: "/prefix-test/engineering/backend/" });
    await mutate(createUser, { userName: "sales-1", path: "/prefix-test/sales/" });

    const names = async (pathPrefix: string) =>
      (await query(listUsers, { pathPrefix })).users.edges.map((e: { node: { userName: string } }) => e.node.userName).sort();
    expect(await names("/prefix-test/engineering/")).toEqual(["eng-1", "eng-2"]);
    expect(await names("/prefix-test/engineering/backend/")).toEqual(["eng-2"]);
    expect(await names("/prefix-test/")).toEqual(["eng-1", "eng-2", "sales-1"]);
    expect(await names("/prefix-test/nobody/")).toEqual([]);
    expect(await names("/")).toEqual(expect.arrayContaining(["eng-1", "eng-2", "sales-1"]));
  });

  test("users(first, after) pages through every user exactly once", async () => {
    const path = "/paging/";
    const expected = Array.from({ length: 12 }, (_, i) => `pager-${String(i).padStart(2, "0")}`);
    for (const userName of expected) await mutate(createUser, { userName, path });

    const seen: string[] = [];
    const pageSizes: number[] = [];
    let after: string | null = null;
    for (;;) {
      const page: any = (await query(listUsers, { pathPrefix: path, first: 5, after })).users;
      pageSizes.push(page.edges.length);
      seen.push(...page.edges.map((e: { node: { userName: string } }) => e.node.userName));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(pageSizes).toEqual([5, 5, 2]);
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort()).toEqual(expected);
  });

  test("users(nameContains) — iamgraph's search: case-insensitive, `_` literal, paged like ListUsers", async () => {
    const path = "/search-test/";
    for (const userName of ["Search_Ann", "search-bob", "searchXann", "other-1", "SEARCH_cid", "search_dee", "search_eve"]) await mutate(createUser, { userName, path });
    const names = async (nameContains: string, first?: number, after?: string | null) => {
      const page = (await query(listUsers, { pathPrefix: path, nameContains, first, after })).users;
      return { names: page.edges.map((e: { node: { userName: string } }) => e.node.userName), page };
    };
    // `_` is a character in a name, not LIKE's any-character: searchXann does not match.
    expect((await names("search_")).names.sort()).toEqual(["SEARCH_cid", "Search_Ann", "search_dee", "search_eve"]);
    expect((await names("ANN")).names.sort()).toEqual(["Search_Ann", "searchXann"]);
    expect((await names("nobody")).names).toEqual([]);
    // Paging through the filter lists each match once, and no page holds a non-match.
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const { names: page, page: raw }: any = await names("search_", 3, after);
      expect(page.length).toBeLessThanOrEqual(3);
      seen.push(...page);
      if (!raw.pageInfo.hasNextPage) break;
      after = raw.pageInfo.endCursor;
    }
    expect(seen.sort()).toEqual(["SEARCH_cid", "Search_Ann", "search_dee", "search_eve"]);
    // A filter that cannot be a name part is refused in AWS's words, not run.
    const bad = await client.request(listUsers, { nameContains: "a%b" });
    expect(bad.errors?.[0]?.extensions?.code).toBe("InvalidInput");
    expect(bad.errors?.[0]?.message).toContain("at 'nameContains' failed to satisfy constraint");
  });

  test("every mutation reports a position, and positions only grow", async () => {
    const positions: number[] = [];
    const record = (payload: { position: number }) => {
      expect(Number.isSafeInteger(payload.position)).toBe(true);
      positions.push(payload.position);
    };
    record(await mutate(createGroup, { groupName: "Positions" }));
    record(await mutate(createUser, { userName: "positioned" }));
    record(await mutate(tagUser, { userName: "positioned", tags: [{ key: "k", value: "v" }] }));
    record(await mutate(untagUser, { userName: "positioned", tagKeys: ["k"] }));
    record(await mutate(membership("addUserToGroup"), { userName: "positioned", groupName: "Positions" }));
    record(await mutate(updateUser, { userName: "positioned", newUserName: "positioned-2" }));
    record(await mutate(updateGroup, { groupName: "Positions", newGroupName: "Positions2" }));
    record(await mutate(membership("removeUserFromGroup"), { userName: "positioned-2", groupName: "Positions2" }));
    record(await mutate(deleteUser, { userName: "positioned-2" }));
    record(await mutate(deleteGroup, { groupName: "Positions2" }));

    for (let i = 1; i < positions.length; i++) expect(positions[i]).toBeGreaterThan(positions[i - 1]!);
  });

  test("reads see a mutation as soon as it has answered (read-your-writes)", async () => {
    for (let i = 0; i < 5; i++) {
      const userName = `ryw-${i}`;
      await mutate(createUser, { userName, path: "/ryw/" });
      expect((await query(getUser, { userName })).user.userName).toBe(userName);
      const listed = (await query(listUsers, { pathPrefix: "/ryw/" })).users.edges;
      expect(listed).toHaveLength(i + 1);
    }
    await mutate(createGroup, { groupName: "ryw-group" });
    await mutate(membership("addUserToGroup"), { userName: "ryw-0", groupName: "ryw-group" });
    expect((await query(getGroup, { groupName: "ryw-group" })).group.users).toEqual([{ userName: "ryw-0" }]);
  });
});

function sortTags(tags: { key: string; value: string }[]) {
  return [...tags].sort((a, b) => a.key.localeCompare(b.key));
}
