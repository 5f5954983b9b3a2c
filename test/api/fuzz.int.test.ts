import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { errorCodes } from "../../src/domain/shared/domain-error.js";
import { incrementalEffective, recomputeEffective } from "../projections/effective-model.js";
import { backends } from "../support/databases.js";
import { ok, startTestApp, type GraphQLClient, type TestApp } from "../support/graphql.js";
import { prng } from "../support/prng.js";

// Issue 6, part 5: random operations with random (often hostile) arguments, from root and from
// a limited IAM user, plus random bodies and documents. Whatever arrives, the server answers with
// a typed error or a result — never an internal failure, never a crash — and afterwards the log
// is consistent: every stream's versions run 1..n, and the incrementally maintained effective
// permissions equal a from-scratch recomputation. Seeded: a failure prints its seed and path.
// Policy documents and argument values are generated (randomDocument, randomText below), not
// picked from a fixed list: structurally valid and invalid, oversized, deeply nested, unicode.

const SEED = Number(process.env.IAMGRAPH_FUZZ_SEED ?? 20261128);
type Rng = ReturnType<typeof prng>;

/**
 * Text from a pool of units chosen to hurt: ASCII name characters, separators, wildcards, JSON
 * and SQL metacharacters, homoglyphs, zero-width and bidi controls, combining marks, emoji, and
 * lone surrogates (\ud800, \udfff: refused at the edge since a group name holding one reached
 * the authorizer's lookup on PGlite and failed as InternalFailure — issue 19's report).
 */
const UNITS = [
  ..."abcXYZ019_+=,.@-", "/", ":", "*", "?", "$", "{", "}", " ", "'", '"', "\\", ";", "%", "\n",
  "а", "İ", "ß", "\u200b", "\u202e", "\u0301", "😀", "\u2028", "\uffff", "\ud800", "\udfff",
];
function randomText(rng: Rng, max = 40, units: readonly string[] = UNITS): string {
  let out = "";
  const length = rng.next() < 0.1 ? max * 4 : rng.int(max + 1);
  for (let i = 0; i < length; i++) out += rng.pick(units);
  return out;
}
/** What AWS lets a policy document hold: tab, newline, CR and U+0020–U+00FF. */
const LATIN1 = [..."abcXYZ019_+=,.@-/:*?$ '\\;%", "ß", "é", "ÿ", "\t"];

const OPERATORS = ["StringEquals", "StringLike", "StringNotEqualsIgnoreCase", "ForAnyValue:StringLike", "ForAllValues:ArnLike", "NumericLessThan", "DateGreaterThanIfExists", "Bool", "IpAddress", "Null", "BinaryEquals", "StringEquals\u0000", "ForSomeValues:StringEquals", ""];
const ACTION_PARTS = ["iam:GetUser", "iam:*", "s3:Get*", "*", "ec2:?un*", "iam", ":", "iam:", "IAM:getuser"];

/** A JSON value nested `depth` deep (arrays and objects), for documents that test parser depth. */
function nested(rng: Rng, depth: number): unknown {
  let v: unknown = randomText(rng, 5);
  for (let i = 0; i < depth; i++) v = rng.next() < 0.5 ? [v] : { [randomText(rng, 3) || "k"]: v };
  return v;
}

function randomValue(rng: Rng, fallback: () => unknown): unknown {
  const r = rng.next();
  if (r < 0.7) return fallback();
  if (r < 0.8) return [fallback(), fallback()];
  return rng.pick([null, 42, true, {}, [], "", nested(rng, 1 + rng.int(4))]);
}

/** A statement; `clean` ones use only well-formed pieces (unicode stays in Sid, resources and condition values). */
function randomStatement(rng: Rng, clean: boolean): unknown {
  const hostile = (p: number) => !clean && rng.next() < p;
  const s: Record<string, unknown> = {};
  if (rng.next() < 0.3) s.Sid = clean ? `S${rng.int(1000)}` : randomText(rng, 10);
  // (Sid must be alphanumeric in AWS, hence the plain one when clean.)
  s.Effect = hostile(0.3) ? rng.pick(["allow", "", "Maybe", 1]) : rng.pick(["Allow", "Deny"]);
  const action = () => (hostile(0.3) ? randomText(rng, 20) : rng.pick(ACTION_PARTS.slice(0, 5)));
  const many = (make: () => unknown) => (hostile(0.3) ? randomValue(rng, make) : rng.next() < 0.7 ? make() : [make(), make()]);
  s[rng.next() < 0.85 ? "Action" : "NotAction"] = many(action);
  const text = (max: number) => randomText(rng, max, clean ? LATIN1 : UNITS);
  const resource = () => (rng.next() < 0.6 ? rng.pick(["*", "arn:aws:s3:::b/*", "arn:aws:iam::123456789012:user/${aws:username}"]) : `arn:aws:s3:::${text(60)}`);
  if (!hostile(0.1)) s[rng.next() < 0.85 ? "Resource" : "NotResource"] = many(resource);
  if (rng.next() < 0.4) {
    const condition: Record<string, unknown> = {};
    for (let i = rng.int(3); i >= 0; i--) {
      const operator = hostile(0.3) ? rng.pick([...OPERATORS.slice(-3), randomText(rng, 12)]) : rng.pick(OPERATORS.slice(0, 4));
      condition[operator] = { [hostile(0.2) ? randomText(rng, 12) : "aws:username"]: many(() => text(15)) };
    }
    s.Condition = condition;
  }
  if (hostile(0.1)) s.Principal = "*";
  if (hostile(0.1)) s[randomText(rng, 8) || "Extra"] = "x";
  return s;
}

/** A policy document as text: mostly well formed, often invalid in one way, sometimes oversized, deep or broken JSON. */
function randomDocument(rng: Rng): string {
  const doc: Record<string, unknown> = {};
  const v = rng.next();
  if (v < 0.85) doc.Version = "2012-10-17";
  else if (v < 0.93) doc.Version = rng.pick(["2008-10-17", "2012-10-18", "", 2012]);
  const clean = rng.next() < 0.5;
  const count = clean ? 1 + rng.int(4) : rng.int(5);
  doc.Statement = count === 1 && rng.next() < 0.5 ? randomStatement(rng, clean) : Array.from({ length: count }, () => randomStatement(rng, clean));
  const shape = rng.next();
  if (shape < 0.06) (doc.Statement as unknown[] | Record<string, unknown>) = Array.from({ length: 40 }, () => ({ Effect: "Allow", Action: "s3:GetObject", Resource: `arn:aws:s3:::${"b".repeat(200)}/*` })); // over the size quotas
  else if (shape < 0.1) (doc as Record<string, unknown>).Statement = [{ Effect: "Allow", Action: "s3:*", Resource: "*", Condition: { StringEquals: { "aws:username": nested(rng, 20 + rng.int(200)) } } }]; // deep
  else if (shape < 0.13) doc[randomText(rng, 10) || "Extra"] = nested(rng, 3);
  const text = JSON.stringify(doc);
  const broken = rng.next();
  if (broken < 0.06) return text.slice(0, rng.int(text.length)); // truncated JSON
  if (broken < 0.08) return text.replace("{", `{"Version":"2012-10-17",`); // a duplicate key
  if (broken < 0.09) return `${text} trailing`;
  return text;
}

/** Argument values: the fixed hostile lists, or generated text, in equal measure. */
const generated = (pool: readonly unknown[], make: (rng: Rng) => unknown) =>
  fc.oneof(fc.constantFrom(...pool), fc.integer().map((seed) => make(prng(seed))));

const ACCOUNT = "123456789012";

const names = [
  "alice", "bob", "Admins", "devs", "carol",
  // hostile: empty, too long, homoglyphs, zero-width, bidi override, NUL, traversal, SQL, emoji, case-folding traps
  "", "a".repeat(129), "аdmin", "admin\u200b", "\u202eadmin", "ad min", "nul\u0000byte", "../../etc", "robert'); DROP TABLE users;--", "😀", "İstanbul", "straße", "Alice",
];
const paths = ["/", "/eng/", "eng", "/a//b/", "/\u0000/", `/${"x".repeat(520)}/`, "/ünï/"];
const policyArns = [
  `arn:aws:iam::${ACCOUNT}:policy/p1`, `arn:aws:iam::${ACCOUNT}:policy/p2`, "arn:aws:iam::aws:policy/AdministratorAccess",
  "arn:aws:iam::aws:policy/IAMReadOnlyAccess", "arn:aws:iam::999999999999:policy/p1", "arn:aws:iam::aws:policy/NoSuchPolicy", "not-an-arn", "",
];
const documents = [
  JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "iam:Get*", Resource: "*" }] }),
  JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Deny", Action: "*", Resource: "*" }] }),
  JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }),
  JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] }),
  "{", "null", "[]", "{}", JSON.stringify({ Version: "2008-10-17", Statement: [] }),
  JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "x".repeat(7000) }] }),
  JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "iam:\u202eGetUser", Resource: "*", Condition: { "StringEquals\u0000": {} } }] }),
];
const tagLists = [[], [{ key: "team", value: "core" }], [{ key: "", value: "x" }], [{ key: "aws:reserved", value: "x" }], Array.from({ length: 51 }, (_, i) => ({ key: `k${i}`, value: "v" }))];
const keyIds = ["AKIAAAAAAAAAAAAAAAAA", "AKIA'; DROP", "", "x".repeat(200)];

type Arg = "name" | "path" | "arn" | "doc" | "tags" | "tagKeys" | "bool" | "keyId" | "status" | "versionId";
const pools: Record<Arg, readonly unknown[]> = {
  name: names, path: paths, arn: policyArns, doc: documents, tags: tagLists, tagKeys: [["team"], [], ["x".repeat(200)]],
  bool: [true, false], keyId: keyIds, status: ["Active", "Inactive"], versionId: ["v1", "v2", "v9", "", "V1"],
};
const graphqlType: Record<Arg, string> = {
  name: "String!", path: "String", arn: "String!", doc: "String!", tags: "[TagInput!]!", tagKeys: "[String!]!", bool: "Boolean", keyId: "String!", status: "AccessKeyStatus!", versionId: "String!",
};

/** Every mutation worth mutating, with the kind of each argument. */
const operations: Record<string, Record<string, Arg>> = {
  createUser: { userName: "name", path: "path", tags: "tags" },
  updateUser: { userName: "name", newUserName: "name" },
  deleteUser: { userName: "name" },
  tagUser: { userName: "name", tags: "tags" },
  untagUser: { userName: "name", tagKeys: "tagKeys" },
  createGroup: { groupName: "name", path: "path" },
  updateGroup: { groupName: "name", newGroupName: "name" },
  deleteGroup: { groupName: "name" },
  addUserToGroup: { userName: "name", groupName: "name" },
  removeUserFromGroup: { userName: "name", groupName: "name" },
  createPolicy: { policyName: "name", policyDocument: "doc", path: "path" },
  createPolicyVersion: { policyArn: "arn", policyDocument: "doc", setAsDefault: "bool" },
  setDefaultPolicyVersion: { policyArn: "arn", versionId: "versionId" },
  deletePolicy: { policyArn: "arn" },
  attachUserPolicy: { userName: "name", policyArn: "arn" },
  detachUserPolicy: { userName: "name", policyArn: "arn" },
  attachGroupPolicy: { groupName: "name", policyArn: "arn" },
  putUserPolicy: { userName: "name", policyName: "name", policyDocument: "doc" },
  deleteUserPolicy: { userName: "name", policyName: "name" },
  putGroupPolicy: { groupName: "name", policyName: "name", policyDocument: "doc" },
  putUserPermissionsBoundary: { userName: "name", permissionsBoundary: "arn" },
  deleteUserPermissionsBoundary: { userName: "name" },
  createRole: { roleName: "name", assumeRolePolicyDocument: "doc" },
  attachRolePolicy: { roleName: "name", policyArn: "arn" },
  deleteRole: { roleName: "name" },
  createAccessKey: { userName: "name" },
  updateAccessKey: { userName: "name", accessKeyId: "keyId", status: "status" },
  deleteAccessKey: { userName: "name", accessKeyId: "keyId" },
};

const generators: Partial<Record<Arg, (rng: Rng) => unknown>> = {
  name: (rng) => randomText(rng, 70),
  path: (rng) => `/${randomText(rng, 30)}/`,
  arn: (rng) => rng.pick([`arn:aws:iam::${ACCOUNT}:policy/`, "arn:aws:iam::aws:policy/", "arn:aws:s3:::", ""]) + randomText(rng, 30),
  doc: randomDocument,
  tags: (rng) => Array.from({ length: rng.next() < 0.1 ? 51 : rng.int(4) }, () => ({ key: randomText(rng, 130), value: randomText(rng, 260) })),
  tagKeys: (rng) => Array.from({ length: rng.int(4) }, () => randomText(rng, 130)),
  keyId: (rng) => `AKIA${randomText(rng, 16)}`,
};
const argument = (kind: Arg) => {
  const make = generators[kind];
  return make === undefined ? fc.constantFrom(...pools[kind]) : generated(pools[kind], make);
};

const operation = fc.constantFrom(...Object.keys(operations)).chain((field) =>
  fc.record(Object.fromEntries(Object.entries(operations[field]!).map(([arg, kind]) => [arg, argument(kind)]))).map((variables) => ({ field, variables })),
);

function mutationText(field: string): string {
  const args = Object.entries(operations[field]!);
  const decls = args.map(([a, kind]) => `$${a}: ${graphqlType[kind]}`).join(", ");
  return `mutation (${decls}) { r: ${field}(${args.map(([a]) => `${a}: $${a}`).join(", ")}) { __typename ... on IamError { code message } } }`;
}

const knownCodes = new Set<string>([...errorCodes, "GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED", "BAD_USER_INPUT", "BAD_REQUEST"]);

/** What any answer must look like: a result or a typed error, never an internal failure. */
function assertWellFormed(status: number, body: { data?: any; errors?: { message: string; extensions?: { code?: string } }[] }, what: string): void {
  expect([200, 400, 413], `${what}: HTTP ${status} ${JSON.stringify(body)}`).toContain(status);
  for (const e of body.errors ?? []) {
    expect(e.extensions?.code, `${what}: untyped error ${JSON.stringify(e)}`).toBeTypeOf("string");
    expect(e.extensions?.code, `${what}: ${JSON.stringify(e)}`).not.toBe("InternalFailure");
    expect(e.message, what).not.toMatch(/\bat \S+ \(|prisma|node_modules|\.ts:\d+/i);
  }
  const r = body.data?.r;
  if (r?.__typename === "IamError") {
    expect(knownCodes.has(r.code) || r.code === "AccessDenied", `${what}: unknown code ${r.code}`).toBe(true);
    expect(r.message.length, what).toBeGreaterThan(0);
  }
}

async function assertLogConsistent(t: TestApp): Promise<void> {
  const streams = await t.db.prisma.event.groupBy({ by: ["streamId"], _count: { _all: true }, _max: { streamVersion: true }, _min: { streamVersion: true } });
  for (const s of streams) expect({ stream: s.streamId, min: s._min.streamVersion, max: s._max.streamVersion }).toEqual({ stream: s.streamId, min: 1, max: s._count._all });
  expect(await incrementalEffective(t.db.prisma)).toEqual(await recomputeEffective(t.db.prisma));
}

describe.each(backends)("fuzz on $name", (backend) => {
  let t: TestApp;
  let limited: GraphQLClient;
  beforeAll(async () => {
    t = await startTestApp(backend, { transport: "http" });
    // A user allowed some IAM actions only: its random requests exercise the denial paths too.
    ok(await t.client.request(`mutation { r: createUser(userName: "fuzz-limited") { __typename ... on IamError { code message } } }`), "r");
    const grant = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["iam:CreateUser", "iam:TagUser", "iam:AttachUserPolicy"], Resource: "*", Condition: { StringNotEquals: { "iam:PolicyARN": "arn:aws:iam::aws:policy/AdministratorAccess" } } }] });
    ok(await t.client.request(`mutation ($d: String!) { r: putUserPolicy(userName: "fuzz-limited", policyName: "some", policyDocument: $d) { __typename ... on IamError { code message } } }`, { d: grant }), "r");
    const key = ok(await t.client.request(`mutation { createAccessKey(userName: "fuzz-limited") { __typename ... on AccessKeyPayload { accessKey { accessKeyId secretAccessKey } } ... on IamError { code message } } }`), "createAccessKey");
    limited = t.clientWith(key.accessKey.accessKeyId, key.accessKey.secretAccessKey);
  });
  afterAll(() => t?.close());

  test("random mutations with hostile arguments, from root and a limited user: typed answers only, consistent log", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.boolean(), operation), { minLength: 15, maxLength: 30 }), async (steps) => {
        for (const [asRoot, { field, variables }] of steps) {
          const client = asRoot ? t.client : limited;
          const response = await client.post(JSON.stringify({ query: mutationText(field), variables }));
          const body = await response.json();
          assertWellFormed(response.status, body, `${asRoot ? "root" : "limited"} ${field}(${JSON.stringify(variables).slice(0, 300)})`);
        }
        await assertLogConsistent(t);
      }),
      { numRuns: 40, seed: SEED, endOnFailure: true },
    );
    // Still up and answering.
    expect((await t.client.request(`{ callerIdentity { arn } }`)).data.callerIdentity.arn).toBe(`arn:aws:iam::${ACCOUNT}:root`);
  });

  test("unicode tricks in names: homoglyphs, zero-width, bidi overrides and NUL are refused with the exact error; case is folded", async () => {
    ok(await t.client.request(`mutation { r: createUser(userName: "uni-admin") { __typename ... on IamError { code message } } }`), "r");
    const before = await t.eventCount();
    const pattern = (v: string) =>
      `1 validation error detected: Value '${v}' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+`;
    for (const trick of ["uni-\u0430dmin", "uni-admin\u200b", "\u202euni-admin", "uni-İ", "uni admin", "uni-😀"]) {
      const r = await t.client.request(`mutation ($n: String!) { r: createUser(userName: $n) { __typename ... on IamError { code message } } }`, { n: JSON.parse(`"${trick}"`) });
      expect(r.data.r, trick).toEqual({ __typename: "IamError", code: "InvalidInput", message: pattern(JSON.parse(`"${trick}"`)) });
    }
    // Names are unique ignoring case, as in AWS.
    const upper = await t.client.request(`mutation { r: createUser(userName: "UNI-ADMIN") { __typename ... on IamError { code message } } }`);
    expect(upper.data.r).toEqual({ __typename: "IamError", code: "EntityAlreadyExists", message: "User with name UNI-ADMIN already exists." });
    // NUL cannot be stored by PostgreSQL at all: refused before anything runs, in variables and in the document.
    for (const [query, variables] of [
      [`mutation ($n: String!) { r: createUser(userName: $n) { __typename } }`, { n: "uni\u0000admin" }],
      [`mutation { r: createUser(userName: "uni\\u0000admin") { __typename } }`, {}],
      [`mutation ($d: String!) { r: putUserPolicy(userName: "uni-admin", policyName: "p", policyDocument: $d) { __typename } }`, { d: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"\u0000"}]}' }],
    ] as const) {
      const r = await t.client.request(query, JSON.parse(JSON.stringify(variables)));
      expect(r.status).toBe(400);
      expect(r.errors).toEqual([{ message: "The request contains the NUL character (U+0000), which no IAM name, path, tag or document may hold.", extensions: { code: "InvalidInput" } }]);
    }
    // A lone surrogate is no character at all (no UTF-8 form): refused before any lookup, as a
    // group name (the authorizer looks the group up before the command checks the name) and in a tag.
    for (const [query, variables] of [
      [`mutation ($g: String!) { r: addUserToGroup(groupName: $g, userName: "uni-admin") { __typename } }`, { g: "grp\ud800" }],
      [`mutation ($v: String!) { r: tagUser(userName: "uni-admin", tags: [{ key: "k", value: $v }]) { __typename } }`, { v: "x\udfffy" }],
    ] as const) {
      const r = await t.client.request(query, variables);
      expect(r.status).toBe(400);
      expect(r.errors).toEqual([
        { message: "The request contains a lone UTF-16 surrogate (U+D800–U+DFFF unpaired), which is not a Unicode character: no IAM name, path, tag or document may hold it.", extensions: { code: "InvalidInput" } },
      ]);
    }
    expect(await t.eventCount()).toBe(before);
  });

  test("random bodies (text, JSON, binary, broken queries): 4xx with typed errors, nothing written", async () => {
    const before = await t.eventCount();
    const body = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.json({ maxDepth: 4 }),
      fc.record({ query: fc.string({ maxLength: 200 }) }).map((o) => JSON.stringify(o)),
      fc.record({ query: fc.constantFrom("mutation { createUser(userName: ", "{ users { edges { node { ", "query { __schema { types { name } } }"), variables: fc.json() }).map((o) => JSON.stringify(o)),
      fc.string({ unit: "binary", maxLength: 100 }),
    );
    await fc.assert(
      fc.asyncProperty(body, async (raw) => {
        const response = await t.client.post(raw);
        const text = await response.text();
        let parsed: { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] };
        try {
          parsed = JSON.parse(text);
        } catch {
          throw new Error(`not JSON for ${JSON.stringify(raw)}: HTTP ${response.status} ${text.slice(0, 200)}`);
        }
        assertWellFormed(response.status, parsed, `body ${JSON.stringify(raw).slice(0, 200)}`);
      }),
      { numRuns: 300, seed: SEED },
    );
    expect(await t.eventCount()).toBe(before);
  });

  test("random policy documents, generated: each one is stored or refused with a typed error, and the log holds exactly the stored ones", async () => {
    ok(await t.client.request(`mutation { r: createUser(userName: "fuzz-docs") { __typename ... on IamError { code message } } }`), "r");
    const documentCodes = new Set(["MalformedPolicyDocument", "LimitExceeded", "InvalidInput", "EntityAlreadyExists"]);
    const shapes = { stored: 0, refused: 0 };
    let i = 0;
    await fc.assert(
      fc.asyncProperty(fc.integer(), fc.boolean(), async (seed, managed) => {
        const document = randomDocument(prng(seed));
        const before = await t.eventCount();
        const name = `fuzz-doc-${i++}`;
        const query = managed
          ? `mutation ($n: String!, $d: String!) { r: createPolicy(policyName: $n, policyDocument: $d) { __typename ... on IamError { code message } } }`
          : `mutation ($n: String!, $d: String!) { r: putUserPolicy(userName: "fuzz-docs", policyName: $n, policyDocument: $d) { __typename ... on IamError { code message } } }`;
        const response = await t.client.post(JSON.stringify({ query, variables: { n: name, d: document } }));
        const body = await response.json();
        const what = `document (seed ${seed}) ${document.slice(0, 300)}`;
        assertWellFormed(response.status, body, what);
        const written = (await t.eventCount()) - before;
        if (body.data?.r?.__typename === "IamError") {
          expect(documentCodes.has(body.data.r.code), `${what}: ${body.data.r.code}`).toBe(true);
          expect(written, what).toBe(0);
          shapes.refused++;
        } else if (body.data?.r) {
          expect(written, what).toBeGreaterThan(0);
          shapes.stored++;
        } else {
          // Refused before execution (a NUL or a lone surrogate in the document): a 400 with a typed error, nothing written.
          expect(response.status, what).toBe(400);
          expect(written, what).toBe(0);
        }
      }),
      { numRuns: 200, seed: SEED },
    );
    // Both outcomes are common: the generator is neither all-valid nor all-garbage.
    expect(shapes.stored, JSON.stringify(shapes)).toBeGreaterThan(20);
    expect(shapes.refused, JSON.stringify(shapes)).toBeGreaterThan(20);
    await assertLogConsistent(t);
  });
});
