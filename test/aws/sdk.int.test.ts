import {
  AddUserToGroupCommand, AttachGroupPolicyCommand, CreateAccessKeyCommand, CreateGroupCommand, CreateUserCommand, DeleteGroupCommand, DeleteUserCommand,
  GetGroupCommand, GetUserCommand, IAMServiceException, ListAttachedGroupPoliciesCommand, ListUsersCommand, MalformedPolicyDocumentException,
  DeleteConflictException, EntityAlreadyExistsException, NoSuchEntityException, PutUserPolicyCommand, GetUserPolicyCommand, SimulatePrincipalPolicyCommand,
  paginateListUsers, type IAMClient,
} from "@aws-sdk/client-iam";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startAwsServer, type AwsServer } from "./support.js";

// The AWS SDK for JavaScript v3, configured only with an endpoint and keys iamgraph issued,
// against a real server on a real port: every request SigV4-signed by the SDK and verified here.

let s: AwsServer;
let root: IAMClient;
let alice: { accessKeyId: string; secretAccessKey: string };
const account = "123456789012";

beforeAll(async () => {
  s = await startAwsServer();
  root = s.iam();
}, 60_000);
afterAll(async () => s?.close());

async function events(filterType?: string) {
  const r = await s.live.request(`{ events(first: 1000) { edges { node { type payload metadata { actor accessKeyId requestId } } } } }`);
  if (!r.data) throw new Error(JSON.stringify(r.errors));
  const all = r.data.events.edges.map((e: any) => e.node);
  return filterType ? all.filter((e: any) => e.type === filterType) : all;
}

describe("the first-IAM-user walkthrough", () => {
  test("root: group Admins with AdministratorAccess, a tagged user in it, and the user's access key", async () => {
    await root.send(new CreateGroupCommand({ GroupName: "Admins" }));
    await root.send(new AttachGroupPolicyCommand({ GroupName: "Admins", PolicyArn: "arn:aws:iam::aws:policy/AdministratorAccess" }));
    const created = await root.send(new CreateUserCommand({ UserName: "alice", Tags: [{ Key: "team", Value: "platform" }] }));
    expect(created.User).toMatchObject({ UserName: "alice", Path: "/", Arn: `arn:aws:iam::${account}:user/alice`, Tags: [{ Key: "team", Value: "platform" }] });
    expect(created.User!.UserId).toMatch(/^AIDA[A-Z0-9]{17}$/);
    expect(created.User!.CreateDate).toBeInstanceOf(Date);
    await root.send(new AddUserToGroupCommand({ GroupName: "Admins", UserName: "alice" }));
    const key = await root.send(new CreateAccessKeyCommand({ UserName: "alice" }));
    expect(key.AccessKey).toMatchObject({ UserName: "alice", Status: "Active" });
    alice = { accessKeyId: key.AccessKey!.AccessKeyId!, secretAccessKey: key.AccessKey!.SecretAccessKey! };

    const group = await root.send(new GetGroupCommand({ GroupName: "Admins" }));
    expect(group.Users!.map((u) => u.UserName)).toEqual(["alice"]);
    const attached = await root.send(new ListAttachedGroupPoliciesCommand({ GroupName: "Admins" }));
    expect(attached.AttachedPolicies).toEqual([{ PolicyName: "AdministratorAccess", PolicyArn: "arn:aws:iam::aws:policy/AdministratorAccess" }]);
  });

  test("alice signs with her own key: STS knows her, and her administrator calls succeed", async () => {
    const me = await s.sts(alice).send(new GetCallerIdentityCommand({}));
    expect(me).toMatchObject({ Account: account, Arn: `arn:aws:iam::${account}:user/alice` });
    const iam = s.iam(alice);
    const made = await iam.send(new CreateUserCommand({ UserName: "bob" }));
    const [event] = await events("UserCreated").then((all) => all.filter((e: any) => e.payload.userName === "bob"));
    // The same event, with the same metadata, as the GraphQL createUser appends: actor, key and the request id AWS returned.
    expect(event.metadata).toEqual({ actor: `arn:aws:iam::${account}:user/alice`, accessKeyId: alice.accessKeyId, requestId: made.$metadata.requestId });
  });
});

describe("a user's own calls, allowed and denied by its own policies", () => {
  let bobKey: { accessKeyId: string; secretAccessKey: string };
  beforeAll(async () => {
    await root.send(new PutUserPolicyCommand({
      UserName: "bob",
      PolicyName: "self",
      PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["iam:GetUser", "iam:CreateAccessKey"], Resource: `arn:aws:iam::${account}:user/bob` }] }),
    }));
    const key = await root.send(new CreateAccessKeyCommand({ UserName: "bob" }));
    bobKey = { accessKeyId: key.AccessKey!.AccessKeyId!, secretAccessKey: key.AccessKey!.SecretAccessKey! };
  });

  test("allowed: GetUser on himself (without UserName: the caller's own)", async () => {
    const me = await s.iam(bobKey).send(new GetUserCommand({}));
    expect(me.User!.UserName).toBe("bob");
  });

  test("denied: ListUsers and CreateUser arrive as AccessDenied with AWS's message, and nothing is written", async () => {
    const iam = s.iam(bobKey);
    const before = (await events()).length;
    const list = await iam.send(new ListUsersCommand({})).catch((e: unknown) => e);
    expect(list).toBeInstanceOf(IAMServiceException);
    expect((list as IAMServiceException).name).toBe("AccessDenied");
    expect((list as IAMServiceException).$metadata.httpStatusCode).toBe(403);
    expect((list as Error).message).toBe(`User: arn:aws:iam::${account}:user/bob is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::${account}:user/ because no identity-based policy allows the iam:ListUsers action`);
    const create = await iam.send(new CreateUserCommand({ UserName: "mallory" })).catch((e: unknown) => e);
    expect((create as IAMServiceException).name).toBe("AccessDenied");
    expect((create as Error).message).toContain("iam:CreateUser on resource: arn:aws:iam::123456789012:user/mallory");
    expect((await events()).length).toBe(before);
    await expect(root.send(new GetUserCommand({ UserName: "mallory" }))).rejects.toBeInstanceOf(NoSuchEntityException);
  });

  test("SimulatePrincipalPolicy answers what GraphQL's simulatePrincipalPolicy answers", async () => {
    const actions = ["iam:GetUser", "iam:ListUsers", "iam:CreateAccessKey", "s3:GetObject"];
    const resource = `arn:aws:iam::${account}:user/bob`;
    const viaAws = await root.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: resource, ActionNames: actions, ResourceArns: [resource] }));
    const viaGraphql = await s.live.request(
      `query ($a: [String!]!, $r: [String!]) { simulatePrincipalPolicy(policySourceArn: "${resource}", actionNames: $a, resourceArns: $r) { ... on SimulatePolicyResponse { evaluationResults { evalActionName evalResourceName evalDecision } } } }`,
      { a: actions, r: [resource] },
    );
    const fromGraphql = viaGraphql.data.simulatePrincipalPolicy.evaluationResults.map((r: any) => [r.evalActionName, r.evalResourceName, r.evalDecision]);
    expect(viaAws.EvaluationResults!.map((r) => [r.EvalActionName, r.EvalResourceName, r.EvalDecision])).toEqual(fromGraphql);
    expect(fromGraphql.map((r: string[]) => r[2])).toEqual(["allowed", "implicitDeny", "allowed", "implicitDeny"]);
    expect(viaAws.EvaluationResults![0]!.MatchedStatements![0]!.SourcePolicyId).toBeTruthy();
  });
});

describe("AWS's error classes", () => {
  test("NoSuchEntityException, EntityAlreadyExistsException, DeleteConflictException, MalformedPolicyDocumentException", async () => {
    const missing = await root.send(new GetUserCommand({ UserName: "nobody" })).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(NoSuchEntityException);
    expect((missing as Error).message).toBe("The user with name nobody cannot be found.");
    expect((missing as NoSuchEntityException).$metadata.httpStatusCode).toBe(404);
    await expect(root.send(new CreateUserCommand({ UserName: "alice" }))).rejects.toBeInstanceOf(EntityAlreadyExistsException);
    // alice is in Admins and holds a key: AWS refuses to delete her until they are removed.
    await expect(root.send(new DeleteUserCommand({ UserName: "alice" }))).rejects.toBeInstanceOf(DeleteConflictException);
    await expect(root.send(new DeleteGroupCommand({ GroupName: "Admins" }))).rejects.toBeInstanceOf(DeleteConflictException);
    const malformed = await root.send(new PutUserPolicyCommand({ UserName: "bob", PolicyName: "broken", PolicyDocument: "{not json" })).catch((e: unknown) => e);
    expect(malformed).toBeInstanceOf(MalformedPolicyDocumentException);
    expect((malformed as MalformedPolicyDocumentException).$metadata.httpStatusCode).toBe(400);
  });

  test("policy documents come back URL-encoded (the SDK hands them over as sent)", async () => {
    const got = await root.send(new GetUserPolicyCommand({ UserName: "bob", PolicyName: "self" }));
    expect(JSON.parse(decodeURIComponent(got.PolicyDocument!))).toMatchObject({ Version: "2012-10-17" });
    expect(got.PolicyDocument).toMatch(/^%7B/);
  });
});

test("paginateListUsers walks 250 users in pages of MaxItems", async () => {
  const names = Array.from({ length: 250 }, (_, i) => `bulk-${String(i).padStart(3, "0")}`);
  // Seeded through the pipeline in-process (the listing is under test, not the creating).
  await Promise.all(names.map((userName) => s.live.app.commands.handle({ type: "CreateUser", userName, path: "/bulk/", tags: [] }, { actor: `arn:aws:iam::${account}:root` })));
  // A fresh client: the seeding outlasts the server's keep-alive, which closes the root client's idle socket.
  const pages: string[][] = [];
  for await (const page of paginateListUsers({ client: s.iam(), pageSize: 100 }, { PathPrefix: "/bulk/" })) pages.push(page.Users!.map((u) => u.UserName!));
  expect(pages.map((p) => p.length)).toEqual([100, 100, 50]);
  expect(pages.flat().sort()).toEqual(names);
}, 60_000);
