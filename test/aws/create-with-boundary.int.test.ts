import {
  CreateAccessKeyCommand, CreatePolicyCommand, CreateRoleCommand, CreateUserCommand, GetRoleCommand, GetUserCommand, IAMServiceException, NoSuchEntityException,
  PutUserPolicyCommand, type IAMClient,
} from "@aws-sdk/client-iam";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startAwsServer, type AwsServer } from "./support.js";

// CreateUser / CreateRole with PermissionsBoundary through the AWS SDK: the boundary is set in the
// same append as the creation, and the call is authorized as iam:CreateUser / iam:CreateRole with
// the iam:PermissionsBoundary condition key — AWS's way to delegate "create, but only bounded".

let s: AwsServer;
let root: IAMClient;
const account = "123456789012";
const fence = `arn:aws:iam::${account}:policy/Fence`;
const trust = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] });

beforeAll(async () => {
  s = await startAwsServer();
  root = s.iam();
  await root.send(new CreatePolicyCommand({ PolicyName: "Fence", PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }] }) }));
}, 60_000);
afterAll(async () => s?.close());

async function eventTypes() {
  const r = await s.live.request(`{ events(first: 1000) { edges { node { type streamId } } } }`);
  return r.data.events.edges.map((e: any) => e.node) as { type: string; streamId: string }[];
}

describe("PermissionsBoundary at creation", () => {
  test("CreateUser and CreateRole return the boundary, GetUser/GetRole and GraphQL show it, and one stream holds both events", async () => {
    const user = await root.send(new CreateUserCommand({ UserName: "bounded", PermissionsBoundary: fence }));
    expect(user.User!.PermissionsBoundary).toEqual({ PermissionsBoundaryType: "PermissionsBoundaryPolicy", PermissionsBoundaryArn: fence });
    expect((await root.send(new GetUserCommand({ UserName: "bounded" }))).User!.PermissionsBoundary).toEqual({ PermissionsBoundaryType: "PermissionsBoundaryPolicy", PermissionsBoundaryArn: fence });
    const role = await root.send(new CreateRoleCommand({ RoleName: "bounded-role", AssumeRolePolicyDocument: trust, PermissionsBoundary: fence }));
    expect(role.Role!.PermissionsBoundary).toEqual({ PermissionsBoundaryType: "PermissionsBoundaryPolicy", PermissionsBoundaryArn: fence });
    expect((await root.send(new GetRoleCommand({ RoleName: "bounded-role" }))).Role!.PermissionsBoundary!.PermissionsBoundaryArn).toBe(fence);
    const graphql = await s.live.request(`{ user(userName: "bounded") { permissionsBoundary { permissionsBoundaryArn } } policy(arn: "${fence}") { permissionsBoundaryUsageCount } }`);
    expect(graphql.data).toEqual({ user: { permissionsBoundary: { permissionsBoundaryArn: fence } }, policy: { permissionsBoundaryUsageCount: 2 } });
    const all = await eventTypes();
    const userCreated = all.findIndex((e) => e.type === "UserCreated");
    expect(all[userCreated + 1]).toEqual({ type: "PermissionsBoundaryPut", streamId: all[userCreated]!.streamId });
  });

  test("a boundary that names no policy refuses the creation: NoSuchEntity, nothing written", async () => {
    const before = (await eventTypes()).length;
    const refused = await root.send(new CreateUserCommand({ UserName: "unbounded", PermissionsBoundary: `arn:aws:iam::${account}:policy/Nope` })).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(NoSuchEntityException);
    expect((refused as Error).message).toBe(`Policy arn:aws:iam::${account}:policy/Nope does not exist or is not attachable.`);
    await expect(root.send(new GetUserCommand({ UserName: "unbounded" }))).rejects.toBeInstanceOf(NoSuchEntityException);
    expect((await eventTypes()).length).toBe(before);
  });

  test("a delegated administrator may create users only with the Fence boundary (iam:PermissionsBoundary on iam:CreateUser)", async () => {
    await root.send(new CreateUserCommand({ UserName: "delegate" }));
    await root.send(new PutUserPolicyCommand({
      UserName: "delegate",
      PolicyName: "create-bounded",
      PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["iam:CreateUser", "iam:CreateRole"], Resource: "*", Condition: { StringEquals: { "iam:PermissionsBoundary": fence } } }] }),
    }));
    const key = (await root.send(new CreateAccessKeyCommand({ UserName: "delegate" }))).AccessKey!;
    const delegate = s.iam({ accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! });
    const made = await delegate.send(new CreateUserCommand({ UserName: "hired", PermissionsBoundary: fence }));
    expect(made.User!.PermissionsBoundary!.PermissionsBoundaryArn).toBe(fence);
    const before = (await eventTypes()).length;
    const denied = await delegate.send(new CreateUserCommand({ UserName: "free" })).catch((e: unknown) => e);
    expect((denied as IAMServiceException).name).toBe("AccessDenied");
    expect((denied as Error).message).toContain(`is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::${account}:user/free`);
    const other = await delegate.send(new CreateRoleCommand({ RoleName: "free-role", AssumeRolePolicyDocument: trust, PermissionsBoundary: "arn:aws:iam::aws:policy/AdministratorAccess" })).catch((e: unknown) => e);
    expect((other as IAMServiceException).name).toBe("AccessDenied");
    expect((await eventTypes()).length).toBe(before);
  });
});
