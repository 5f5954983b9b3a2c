import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { backends } from "../support/databases.js";
import { startTestApp, type TestApp } from "../support/graphql.js";

// A page of users with their tags, groups and those groups' members costs the same handful of SQL
// statements whether the page holds 10 users or 100: each level is one batched statement, never one
// per row (the N+1 pattern). Today that is six: users, tags, memberships, groups, memberships, users.

const deepQuery = `query ($first: Int!) {
  users(first: $first) {
    edges { node { userName tags { key } groups { groupName users { userName } } } }
  }
}`;

const groupCount = 10;
const userCount = 100;

describe.each(backends)("SQL statements per users page ($name)", (backend) => {
  let t: TestApp;
  const statements: string[] = [];
  beforeAll(async () => {
    t = await startTestApp(backend, { onQuery: (sql) => statements.push(sql) });
    // Set up through the command pipeline directly: the writes are not what is measured here.
    const send = (command: Parameters<TestApp["app"]["commands"]["handle"]>[0]) => t.app.commands.handle(command, { actor: "test" });
    for (let g = 0; g < groupCount; g++) await send({ type: "CreateGroup", groupName: `group-${g}`, path: "/" });
    for (let u = 0; u < userCount; u++) {
      const userName = `user-${String(u).padStart(3, "0")}`;
      await send({ type: "CreateUser", userName, path: "/", tags: [{ key: "team", value: `t${u % 7}` }, { key: "level", value: `${u % 3}` }] });
      // Two or three groups each, spread so that every group has many members.
      const memberships = 2 + (u % 2);
      for (let m = 0; m < memberships; m++) await send({ type: "AddUserToGroup", userName, groupName: `group-${(u + m * 3) % groupCount}` });
    }
  }, 300_000); // ~360 commands, one transaction each
  afterAll(() => t?.close());

  async function measure(first: number) {
    statements.length = 0;
    const response = await t.client.request(deepQuery, { first });
    expect(response.errors).toBeUndefined();
    return { edges: response.data.users.edges as { node: { userName: string; tags: unknown[]; groups: { users: unknown[] }[] } }[], statements: [...statements] };
  }

  test("the query answers the whole graph", async () => {
    const { edges } = await measure(userCount);
    expect(edges).toHaveLength(userCount);
    for (const { node } of edges) {
      expect(node.tags).toHaveLength(2);
      expect(node.groups.length).toBeGreaterThanOrEqual(2);
      expect(node.groups.length).toBeLessThanOrEqual(3);
      for (const group of node.groups) expect(group.users.map((u: any) => u.userName)).toContain(node.userName);
    }
  });

  test("100 users cost as many statements as 10, and only a few", async () => {
    const ten = await measure(10);
    const hundred = await measure(userCount);
    expect(ten.edges).toHaveLength(10);
    expect(hundred.edges).toHaveLength(userCount);
    expect(hundred.statements.length, hundred.statements.join("\n")).toBe(ten.statements.length);
    expect(hundred.statements.length, hundred.statements.join("\n")).toBeLessThanOrEqual(6);
  });
});
