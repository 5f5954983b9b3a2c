import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { backends } from "../support/databases.js";
import { httpClient, ok, startTestApp, type GraphQLClient, type TestApp } from "../support/graphql.js";
import { rootAuthorization } from "../support/root-key.js";

// Every refusal names the AWS error code and message, appends nothing to the event log, and
// leaves the server answering. Fixtures (an existing user "Alice" in group "Developers", another
// user "Bob", a group "Testers") are created once per backend; no case may change them.

const userResult = `__typename ... on UserPayload { user { userName } } ... on IamError { code message }`;
const groupResult = `__typename ... on GroupPayload { group { groupName } } ... on IamError { code message }`;
const positionResult = `__typename ... on PositionPayload { position } ... on IamError { code message }`;

const createUser = `mutation ($userName: String!, $path: String, $tags: [TagInput!]) { result: createUser(userName: $userName, path: $path, tags: $tags) { ${userResult} } }`;
const updateUser = `mutation ($userName: String!, $newUserName: String, $newPath: String) { result: updateUser(userName: $userName, newUserName: $newUserName, newPath: $newPath) { ${userResult} } }`;
const deleteUser = `mutation ($userName: String!) { result: deleteUser(userName: $userName) { ${positionResult} } }`;
const tagUser = `mutation ($userName: String!, $tags: [TagInput!]!) { result: tagUser(userName: $userName, tags: $tags) { ${userResult} } }`;
const untagUser = `mutation ($userName: String!, $tagKeys: [String!]!) { result: untagUser(userName: $userName, tagKeys: $tagKeys) { ${userResult} } }`;
const createGroup = `mutation ($groupName: String!, $path: String) { result: createGroup(groupName: $groupName, path: $path) { ${groupResult} } }`;
const updateGroup = `mutation ($groupName: String!, $newGroupName: String, $newPath: String) { result: updateGroup(groupName: $groupName, newGroupName: $newGroupName, newPath: $newPath) { ${groupResult} } }`;
const deleteGroup = `mutation ($groupName: String!) { result: deleteGroup(groupName: $groupName) { ${positionResult} } }`;
const addUserToGroup = `mutation ($userName: String!, $groupName: String!) { result: addUserToGroup(userName: $userName, groupName: $groupName) { ${positionResult} } }`;
const removeUserFromGroup = `mutation ($userName: String!, $groupName: String!) { result: removeUserFromGroup(userName: $userName, groupName: $groupName) { ${positionResult} } }`;

const a = (n: number) => "a".repeat(n);
const tags = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: "v" }));
const lengthError = (value: string, field: string, max: number) =>
  `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: Member must have length between 1 and ${max}`;
const patternError = (value: string, field: string) =>
  `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+`;
const pathError = (field: string) =>
  `The specified value for ${field} is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.`;

interface RefusedMutation {
  readonly name: string;
  readonly query: string;
  readonly variables: Record<string, unknown>;
  readonly code: string;
  readonly message: string;
}

const refusedMutations: RefusedMutation[] = [
  // Names: [\w+=,.@-]+, users 1–64, groups 1–128.
  { name: "user name with a space", query: createUser, variables: { userName: "John Smith" }, code: "InvalidInput", message: patternError("John Smith", "userName") },
  { name: "user name of 65 characters", query: createUser, variables: { userName: a(65) }, code: "InvalidInput", message: lengthError(a(65), "userName", 64) },
  { name: "empty user name", query: createUser, variables: { userName: "" }, code: "InvalidInput", message: lengthError("", "userName", 64) },
  { name: "user name with a slash", query: createUser, variables: { userName: "a/b" }, code: "InvalidInput", message: patternError("a/b", "userName") },
  { name: "group name with a space", query: createGroup, variables: { groupName: "My Group" }, code: "InvalidInput", message: patternError("My Group", "groupName") },
  { name: "group name of 129 characters", query: createGroup, variables: { groupName: a(129) }, code: "InvalidInput", message: lengthError(a(129), "groupName", 128) },
  { name: "empty group name", query: createGroup, variables: { groupName: "" }, code: "InvalidInput", message: lengthError("", "groupName", 128) },
  { name: "rename a user to an invalid name", query: updateUser, variables: { userName: "Alice", newUserName: "Alice Smith" }, code: "InvalidInput", message: patternError("Alice Smith", "newUserName") },
  { name: "rename a group to 129 characters", query: updateGroup, variables: { groupName: "Developers", newGroupName: a(129) }, code: "InvalidInput", message: lengthError(a(129), "newGroupName", 128) },

  // Paths: `/` or `/…/`, at most 512 characters.
  { name: "user path without a trailing slash", query: createUser, variables: { userName: "pathless", path: "/engineering" }, code: "InvalidInput", message: pathError("path") },
  { name: "user path without a leading slash", query: createUser, variables: { userName: "pathless", path: "engineering/" }, code: "InvalidInput", message: pathError("path") },
  { name: "user path of 513 characters", query: createUser, variables: { userName: "pathless", path: `/${a(511)}/` }, code: "InvalidInput", message: lengthError(`/${a(511)}/`, "path", 512) },
  { name: "group path without a trailing slash", query: createGroup, variables: { groupName: "pathless", path: "/teams" }, code: "InvalidInput", message: pathError("path") },
  { name: "new user path without a trailing slash", query: updateUser, variables: { userName: "Alice", newPath: "/x" }, code: "InvalidInput", message: pathError("newPath") },
  { name: "new group path of 513 characters", query: updateGroup, variables: { groupName: "Developers", newPath: `/${a(511)}/` }, code: "InvalidInput", message: lengthError(`/${a(511)}/`, "newPath", 512) },

  // Tags: key 1–128, value ≤ 256, no `aws:` keys, at most 50 per user.
  { name: "tag key of 129 characters", query: tagUser, variables: { userName: "Alice", tags: [{ key: a(129), value: "v" }] }, code: "InvalidInput", message: lengthError(a(129), "tags.1.member.key", 128) },
  { name: "empty tag key", query: createUser, variables: { userName: "tagless", tags: [{ key: "", value: "v" }] }, code: "InvalidInput", message: lengthError("", "tags.1.member.key", 128) },
  { name: "tag value of 257 characters", query: tagUser, variables: { userName: "Alice", tags: [{ key: "ok", value: "ok" }, { key: "long", value: a(257) }] }, code: "InvalidInput", message: "1 validation error detected: Value at 'tags.2.member.value' failed to satisfy constraint: Member must have length less than or equal to 256" },
  { name: "tag key with the reserved aws: prefix", query: tagUser, variables: { userName: "Alice", tags: [{ key: "aws:cloudformation:stack", value: "v" }] }, code: "InvalidInput", message: "Tag keys starting with 'aws:' are reserved for AWS use: aws:cloudformation:stack" },
  { name: "tag key with the reserved AWS: prefix in another case", query: createUser, variables: { userName: "tagless", tags: [{ key: "AWS:x", value: "v" }] }, code: "InvalidInput", message: "Tag keys starting with 'aws:' are reserved for AWS use: AWS:x" },
  { name: "the same tag key twice, ignoring case", query: tagUser, variables: { userName: "Alice", tags: [{ key: "Team", value: "a" }, { key: "team", value: "b" }] }, code: "InvalidInput", message: "Duplicate tag key: team. Tag keys are case insensitive." },
  { name: "51 tags on a new user", query: createUser, variables: { userName: "tagless", tags: tags(51) }, code: "LimitExceeded", message: "Cannot exceed quota for TagsPerUser: 50" },
  { name: "51 tags added to a user", query: tagUser, variables: { userName: "Alice", tags: tags(51) }, code: "LimitExceeded", message: "Cannot exceed quota for TagsPerUser: 50" },
  { name: "untag with an empty key", query: untagUser, variables: { userName: "Alice", tagKeys: [""] }, code: "InvalidInput", message: lengthError("", "tagKeys.1", 128) },

  // Unknown entities.
  { name: "rename an unknown user", query: updateUser, variables: { userName: "Nobody", newUserName: "Somebody" }, code: "NoSuchEntity", message: "The user with name Nobody cannot be found." },
  { name: "delete an unknown user", query: deleteUser, variables: { userName: "Nobody" }, code: "NoSuchEntity", message: "The user with name Nobody cannot be found." },
  { name: "tag an unknown user", query: tagUser, variables: { userName: "Nobody", tags: [{ key: "k", value: "v" }] }, code: "NoSuchEntity", message: "The user with name Nobody cannot be found." },
  { name: "untag an unknown user", query: untagUser, variables: { userName: "Nobody", tagKeys: ["k"] }, code: "NoSuchEntity", message: "The user with name Nobody cannot be found." },
  { name: "add an unknown user to a group", query: addUserToGroup, variables: { userName: "Nobody", groupName: "Developers" }, code: "NoSuchEntity", message: "The user with name Nobody cannot be found." },
  { name: "add a user to an unknown group", query: addUserToGroup, variables: { userName: "Alice", groupName: "Nowhere" }, code: "NoSuchEntity", message: "The group with name Nowhere cannot be found." },
  { name: "remove a user from an unknown group", query: removeUserFromGroup, variables: { userName: "Alice", groupName: "Nowhere" }, code: "NoSuchEntity", message: "The group with name Nowhere cannot be found." },
  { name: "remove a user from a group they are not in", query: removeUserFromGroup, variables: { userName: "Bob", groupName: "Developers" }, code: "NoSuchEntity", message: "User Bob is not in group Developers." },
  { name: "rename an unknown group", query: updateGroup, variables: { groupName: "Nowhere", newGroupName: "Somewhere" }, code: "NoSuchEntity", message: "The group with name Nowhere cannot be found." },
  { name: "delete an unknown group", query: deleteGroup, variables: { groupName: "Nowhere" }, code: "NoSuchEntity", message: "The group with name Nowhere cannot be found." },

  // Names are unique per account, ignoring case.
  { name: "create a user whose name exists", query: createUser, variables: { userName: "Alice" }, code: "EntityAlreadyExists", message: "User with name Alice already exists." },
  { name: "create a user whose name exists in another case", query: createUser, variables: { userName: "ALICE" }, code: "EntityAlreadyExists", message: "User with name ALICE already exists." },
  { name: "rename a user to another user's name in another case", query: updateUser, variables: { userName: "Bob", newUserName: "alice" }, code: "EntityAlreadyExists", message: "User with name alice already exists." },
  { name: "create a group whose name exists in another case", query: createGroup, variables: { groupName: "developers" }, code: "EntityAlreadyExists", message: "Group with name developers already exists." },
  { name: "rename a group to another group's name in another case", query: updateGroup, variables: { groupName: "Testers", newGroupName: "DEVELOPERS" }, code: "EntityAlreadyExists", message: "Group with name DEVELOPERS already exists." },

  // Conflicts.
  { name: "delete a user who is in a group", query: deleteUser, variables: { userName: "Alice" }, code: "DeleteConflict", message: "Cannot delete entity, must remove user from all groups first." },
  { name: "delete a group that has members", query: deleteGroup, variables: { groupName: "Developers" }, code: "DeleteConflict", message: "Cannot delete entity, must remove users from group first." },
];

const stillAnswers = `{ user(userName: "Alice") { userName groups { groupName } } }`;

describe.each(backends)("bad input ($name)", (backend) => {
  let t: TestApp;
  let client: GraphQLClient;
  beforeAll(async () => {
    t = await startTestApp(backend);
    client = t.client;
    ok(await client.request(createGroup, { groupName: "Developers" }), "result");
    ok(await client.request(createGroup, { groupName: "Testers" }), "result");
    ok(await client.request(createUser, { userName: "Alice" }), "result");
    ok(await client.request(createUser, { userName: "Bob" }), "result");
    ok(await client.request(addUserToGroup, { userName: "Alice", groupName: "Developers" }), "result");
  });
  afterAll(() => t?.close());

  /** Runs `attempt`, then checks the log did not grow and the server still serves a query. */
  async function expectNothingAppended(attempt: () => Promise<void>) {
    const before = await t.eventCount();
    await attempt();
    expect(await t.eventCount()).toBe(before);
    const after = await client.request(stillAnswers);
    expect(after.data).toEqual({ user: { userName: "Alice", groups: [{ groupName: "Developers" }] } });
  }

  test.each(refusedMutations)("$name → $code", async ({ query, variables, code, message }) => {
    await expectNothingAppended(async () => {
      const response = await client.request(query, variables);
      expect(response.status).toBe(200);
      expect(response.errors).toBeUndefined();
      expect(response.data).toEqual({ result: { __typename: "IamError", code, message } });
    });
  });

  test("ListGroupsForUser of an unknown user → NoSuchEntity as a GraphQL error", async () => {
    await expectNothingAppended(async () => {
      const response = await client.request(`{ groupsForUser(userName: "Nobody") { groupName } }`);
      expect(response.data).toBeNull();
      expect(response.errors).toEqual([
        expect.objectContaining({ message: "The user with name Nobody cannot be found.", extensions: { code: "NoSuchEntity" } }),
      ]);
    });
  });

  test("GetUser and GetGroup of unknown names answer null", async () => {
    const response = await client.request(`{ user(userName: "Nobody") { userName } group(groupName: "Nowhere") { groupName } }`);
    expect(response).toMatchObject({ status: 200, data: { user: null, group: null } });
    expect(response.errors).toBeUndefined();
  });

  test("ListUsers with a path prefix not starting with / → InvalidInput", async () => {
    const response = await client.request(`{ users(pathPrefix: "engineering/") { edges { cursor } } }`);
    expect(response.data).toBeNull();
    expect(response.errors).toEqual([expect.objectContaining({ message: pathError("pathPrefix"), extensions: { code: "InvalidInput" } })]);
  });

  // GraphQL over HTTP: with `application/graphql-response+json` a request that cannot be parsed or
  // validated is a 4xx; the legacy `application/json` keeps 200 with only `errors` (spec §6.4.1).
  describe.each([
    { accept: "application/graphql-response+json", status: 400 },
    { accept: "application/json", status: 200 },
  ])("documents that fail before execution (Accept: $accept)", ({ accept, status }) => {
    test.each([
      { name: "a syntax error", query: "{ users { ", code: "GRAPHQL_PARSE_FAILED", message: "Syntax Error: Expected Name, found <EOF>." },
      { name: "an unknown field", query: "{ users { edges { node { password } } } }", code: "GRAPHQL_VALIDATION_FAILED", message: 'Cannot query field "password" on type "User".' },
      { name: "an unknown mutation", query: 'mutation { createUsers(userName: "x") { __typename } }', code: "GRAPHQL_VALIDATION_FAILED", message: 'Cannot query field "createUsers" on type "Mutation". Did you mean "createUser", "updateUser", "createGroup", "createRole", or "deleteUser"?' },
      { name: "a missing required argument", query: "mutation { deleteUser { __typename } }", code: "GRAPHQL_VALIDATION_FAILED", message: 'Field "deleteUser" argument "userName" of type "String!" is required, but it was not provided.' },
    ])("$name → HTTP " + status + " with $code", async ({ query, code, message }) => {
      await expectNothingAppended(async () => {
        const response = await client.request(query, {}, { accept });
        expect(response.status).toBe(status);
        expect(response.contentType).toContain(accept);
        expect(response.data).toBeUndefined();
        expect(response.errors).toEqual([expect.objectContaining({ message, extensions: { code } })]);
      });
    });

    // Yoga answers a variable that cannot be coerced with 400 whatever the Accept header; the spec
    // allows it for application/json (200 there is a SHOULD, not a MUST).
    test("a variable of the wrong type → HTTP 400", async () => {
      await expectNothingAppended(async () => {
        const response = await client.request(deleteUser, { userName: 42 }, { accept });
        expect(response.status).toBe(400);
        expect(response.data).toBeUndefined();
        expect(response.errors).toEqual([
          expect.objectContaining({ message: 'Variable "$userName" got invalid value 42; String cannot represent a non string value: 42' }),
        ]);
      });
    });
  });

  test("a body that is not JSON → HTTP 400", async () => {
    await expectNothingAppended(async () => {
      for (const accept of ["application/json", "application/graphql-response+json"]) {
        const response = await client.post('{"query": "{ users { edges { cursor } } }"', { accept });
        expect(response.status).toBe(400);
        const body = await response.json();
        expect(body.errors).toEqual([expect.objectContaining({ message: "POST body sent invalid JSON.", extensions: expect.objectContaining({ code: "BAD_REQUEST" }) })]);
      }
    });
  });

  test("a small body sent chunked, without a Content-Length, is still served", async () => {
    const http = await httpClient(t.app.yoga);
    try {
      const response = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest(http.url, { method: "POST", headers: { "content-type": "application/json", "transfer-encoding": "chunked", authorization: rootAuthorization } }, (res) => {
          let body = "";
          res.setEncoding("utf8").on("data", (chunk: string) => (body += chunk)).on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on("error", reject);
        const body = JSON.stringify({ query: stillAnswers });
        req.write(body.slice(0, 10));
        req.end(body.slice(10));
      });
      expect(response.status).toBe(200);
      expect(JSON.parse(response.body).data.user.userName).toBe("Alice");
    } finally {
      await http.close();
    }
  });

  test("a JSON body without a query → HTTP 400", async () => {
    await expectNothingAppended(async () => {
      const response = await client.post(JSON.stringify({ variables: {} }));
      expect(response.status).toBe(400);
    });
  });

  describe("request bodies over 1 MB → HTTP 413, before anything is parsed", () => {
    let http: Awaited<ReturnType<typeof httpClient>>;
    beforeAll(async () => {
      http = await httpClient(t.app.yoga);
    });
    afterAll(() => http?.close());

    const oversized = () => JSON.stringify({ query: createUser, variables: { userName: "big", tags: [{ key: "k", value: a(1_100_000) }] } });

    test("with a Content-Length", async () => {
      await expectNothingAppended(async () => {
        const response = await http.post(oversized());
        expect(response.status).toBe(413);
        expect(await response.json()).toEqual({
          errors: [{ message: `Request body of ${Buffer.byteLength(oversized())} bytes exceeds the limit of 1000000 bytes`, extensions: { code: "InvalidInput" } }],
        });
      });
    });

    test("sent chunked, without a Content-Length", async () => {
      await expectNothingAppended(async () => {
        const response = await new Promise<{ status: number; body: string }>((resolve, reject) => {
          const req = httpRequest(http.url, { method: "POST", headers: { "content-type": "application/json", "transfer-encoding": "chunked", authorization: rootAuthorization } }, (res) => {
            let body = "";
            res.setEncoding("utf8").on("data", (chunk: string) => (body += chunk)).on("end", () => resolve({ status: res.statusCode ?? 0, body }));
          });
          req.on("error", reject);
          const body = oversized();
          for (let i = 0; i < body.length; i += 64_000) req.write(body.slice(i, i + 64_000));
          req.end();
        });
        expect(response.status).toBe(413);
        expect(JSON.parse(response.body)).toEqual({
          errors: [{ message: "Request body exceeds the limit of 1000000 bytes", extensions: { code: "InvalidInput" } }],
        });
      });
    });

    // Node's HTTP parser refuses such a header on a socket; an in-process caller (yoga.fetch) is
    // refused by iamgraph's own limit, which is the only one (Yoga's is switched off).
    test.each(["1, 2", "-1", "ten", "1e3"])("a Content-Length that is not one non-negative integer (%j) → HTTP 400", async (declared) => {
      await expectNothingAppended(async () => {
        const body = JSON.stringify({ query: createUser, variables: { userName: "smuggled" } });
        const response = await t.app.yoga.fetch("http://localhost/graphql", {
          method: "POST",
          headers: { "content-type": "application/json", "content-length": declared, authorization: rootAuthorization },
          body,
        });
        expect(response.status).toBe(400);
        expect(await response.json()).toEqual({ errors: [{ message: "Content-Length header is invalid.", extensions: { code: "InvalidInput" } }] });
      });
    });
  });
});
