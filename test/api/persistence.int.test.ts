import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import { afterAll, beforeAll, expect, test } from "vitest";
import { loadConfig } from "../../src/config/config.js";
import { startIamgraph, type Iamgraph } from "../../src/runtime.js";
import { basicAuthorization } from "../../src/auth/authorization-header.js";
import { fetchClient, ok } from "../support/graphql.js";

// `npm start` without DATABASE_URL keeps its data in an embedded database on disk
// (IAMGRAPH_DATA_DIR): what was created before a restart is there after it. With no root key
// configured, the first start generates one (shown once) and later starts accept it.

let dataDir: string;
beforeAll(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "iamgraph-persistence-"));
});
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

const start = () =>
  startIamgraph(loadConfig({ NODE_ENV: "test", IAMGRAPH_DATA_DIR: dataDir }), { logger: pino({ level: "silent" }) });

const everything = `{
  users { edges { node { userId userName path arn tags { key value } groups { groupName } } } }
  groups { edges { node { groupId groupName users { userName } } } }
}`;

test("users, groups, tags and memberships survive a restart of the embedded store", async () => {
  let app: Iamgraph = await start();
  let before: unknown;
  let eventsBefore: number;
  const generated = app.generatedRootKey;
  expect(generated?.accessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
  expect(generated?.secretAccessKey).toHaveLength(40);
  const rootAuthorization = basicAuthorization(generated!.accessKeyId, generated!.secretAccessKey);
  try {
    // Only the hash is stored.
    const stored = await app.db.prisma.rootCredential.findUniqueOrThrow({ where: { id: 1 } });
    expect(stored.accessKeyId).toBe(generated!.accessKeyId);
    expect(stored.secretHash).toMatch(/^scrypt\$15\$8\$1\$/);
    expect(stored.secretHash).not.toContain(generated!.secretAccessKey);
    const client = fetchClient(app.yoga, rootAuthorization);
    ok(await client.request(`mutation { r: createGroup(groupName: "Admins") { __typename ... on IamError { code message } } }`), "r");
    ok(await client.request(`mutation { r: createUser(userName: "Alice", path: "/staff/", tags: [{ key: "team", value: "core" }]) { __typename ... on IamError { code message } } }`), "r");
    ok(await client.request(`mutation { r: createUser(userName: "Bob") { __typename ... on IamError { code message } } }`), "r");
    ok(await client.request(`mutation { r: addUserToGroup(userName: "Alice", groupName: "Admins") { __typename ... on IamError { code message } } }`), "r");
    before = (await client.request(everything)).data;
    eventsBefore = await app.db.prisma.event.count();
  } finally {
    await app.close();
  }
  expect(before).toMatchObject({
    users: { edges: [expect.anything(), expect.anything()] },
    groups: { edges: [{ node: { groupName: "Admins", users: [{ userName: "Alice" }] } }] },
  });

  app = await start();
  try {
    expect(app.generatedRootKey).toBeUndefined();
    const client = fetchClient(app.yoga, rootAuthorization);
    const wrong = await fetchClient(app.yoga, basicAuthorization(generated!.accessKeyId, "x".repeat(40))).request(everything);
    expect(wrong).toMatchObject({ status: 401, errors: [{ extensions: { code: "SignatureDoesNotMatch" } }] });
    expect((await client.request(everything)).data).toEqual(before);
    expect(await app.db.prisma.event.count()).toBe(eventsBefore);

    // …and it keeps working on top of what it found: the old names are still taken, new writes land.
    const duplicate = await client.request(`mutation { r: createUser(userName: "alice") { __typename ... on IamError { code message } } }`);
    expect(duplicate.data).toEqual({ r: { __typename: "IamError", code: "EntityAlreadyExists", message: "User with name alice already exists." } });
    ok(await client.request(`mutation { r: addUserToGroup(userName: "Bob", groupName: "Admins") { __typename ... on IamError { code message } } }`), "r");
    const admins = await client.request(`{ group(groupName: "Admins") { users { userName } } }`);
    expect(admins.data.group.users.map((u: { userName: string }) => u.userName).sort()).toEqual(["Alice", "Bob"]);
  } finally {
    await app.close();
  }
});
