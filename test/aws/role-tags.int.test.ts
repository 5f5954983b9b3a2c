import {
  CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, GetRoleCommand, IAMServiceException, InvalidInputException, LimitExceededException, ListRoleTagsCommand,
  NoSuchEntityException, PutUserPolicyCommand, TagRoleCommand, UntagRoleCommand, type IAMClient,
} from "@aws-sdk/client-iam";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startAwsServer, type AwsServer } from "./support.js";

// TagRole / UntagRole / ListRoleTags through the real AWS SDK: the same commands, authorization
// (iam:TagRole on the role, aws:RequestTag/* and aws:TagKeys) and events as GraphQL's tagRole/untagRole.

let s: AwsServer;
let root: IAMClient;
const account = "123456789012";
const trust = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] });

beforeAll(async () => {
  s = await startAwsServer();
  root = s.iam();
  await root.send(new CreateRoleCommand({ RoleName: "web", AssumeRolePolicyDocument: trust, Tags: [{ Key: "app", Value: "web" }] }));
}, 60_000);
afterAll(async () => s?.close());

async function roleEvents() {
  const r = await s.live.request(`{ role(roleName: "web") { history { edges { node { type payload metadata { actor requestId } } } } } }`);
  if (!r.data) throw new Error(JSON.stringify(r.errors));
  return r.data.role.history.edges.map((e: any) => e.node);
}

describe("TagRole, UntagRole, ListRoleTags", () => {
  test("tags overwrite keys ignoring case, untag removes them, and GetRole, ListRoleTags and GraphQL agree", async () => {
    const tagged = await root.send(new TagRoleCommand({ RoleName: "web", Tags: [{ Key: "APP", Value: "web2" }, { Key: "env", Value: "prod" }] }));
    let listed = await root.send(new ListRoleTagsCommand({ RoleName: "web" }));
    expect(listed.Tags).toEqual([{ Key: "APP", Value: "web2" }, { Key: "env", Value: "prod" }]);
    expect(listed.IsTruncated).toBe(false);
    expect((await root.send(new GetRoleCommand({ RoleName: "web" }))).Role!.Tags).toEqual(listed.Tags);
    const history = await roleEvents();
    expect(history.map((e: any) => e.type)).toEqual(["RoleCreated", "RoleTagged"]);
    expect(history[1].payload.tags).toEqual([{ key: "APP", value: "web2" }, { key: "env", value: "prod" }]);
    expect(history[1].metadata).toEqual({ actor: `arn:aws:iam::${account}:root`, requestId: tagged.$metadata.requestId });

    await root.send(new UntagRoleCommand({ RoleName: "web", TagKeys: ["app", "not-there"] }));
    listed = await root.send(new ListRoleTagsCommand({ RoleName: "web" }));
    expect(listed.Tags).toEqual([{ Key: "env", Value: "prod" }]);
    const graphql = await s.live.request(`{ role(roleName: "web") { tags { key value } } }`);
    expect(graphql.data.role.tags).toEqual([{ key: "env", value: "prod" }]);
  });

  test("ListRoleTags pages with MaxItems and Marker", async () => {
    await root.send(new TagRoleCommand({ RoleName: "web", Tags: ["a", "b", "c"].map((k) => ({ Key: k, Value: k })) }));
    const first = await root.send(new ListRoleTagsCommand({ RoleName: "web", MaxItems: 3 }));
    expect(first.Tags!.map((t) => t.Key)).toEqual(["a", "b", "c"]);
    expect(first.IsTruncated).toBe(true);
    const rest = await root.send(new ListRoleTagsCommand({ RoleName: "web", MaxItems: 3, Marker: first.Marker }));
    expect(rest).toMatchObject({ Tags: [{ Key: "env", Value: "prod" }], IsTruncated: false });
  });

  test("refusals arrive as AWS's exceptions and write nothing", async () => {
    const before = (await roleEvents()).length;
    const missing = await root.send(new TagRoleCommand({ RoleName: "nope", Tags: [{ Key: "k", Value: "v" }] })).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(NoSuchEntityException);
    expect((missing as Error).message).toBe("The role with name nope cannot be found.");
    await expect(root.send(new ListRoleTagsCommand({ RoleName: "nope" }))).rejects.toBeInstanceOf(NoSuchEntityException);
    const reserved = await root.send(new TagRoleCommand({ RoleName: "web", Tags: [{ Key: "aws:x", Value: "v" }] })).catch((e: unknown) => e);
    expect(reserved).toBeInstanceOf(InvalidInputException);
    const many = Array.from({ length: 47 }, (_, i) => ({ Key: `k${i}`, Value: "v" })); // 4 held + 47 = 51
    const tooMany = await root.send(new TagRoleCommand({ RoleName: "web", Tags: many })).catch((e: unknown) => e);
    expect(tooMany).toBeInstanceOf(LimitExceededException);
    expect((tooMany as Error).message).toBe("Cannot exceed quota for TagsPerRole: 50");
    expect((await roleEvents()).length).toBe(before);
  });

  test("a user may tag only as its policy allows: iam:TagRole on the role, conditioned on aws:TagKeys", async () => {
    await root.send(new CreateUserCommand({ UserName: "tagger" }));
    await root.send(new PutUserPolicyCommand({
      UserName: "tagger",
      PolicyName: "tag-env-only",
      PolicyDocument: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: ["iam:TagRole", "iam:UntagRole"], Resource: `arn:aws:iam::${account}:role/web`, Condition: { "ForAllValues:StringEquals": { "aws:TagKeys": ["env"] } } }],
      }),
    }));
    const key = (await root.send(new CreateAccessKeyCommand({ UserName: "tagger" }))).AccessKey!;
    const tagger = s.iam({ accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! });
    await tagger.send(new TagRoleCommand({ RoleName: "web", Tags: [{ Key: "env", Value: "staging" }] }));
    const denied = await tagger.send(new TagRoleCommand({ RoleName: "web", Tags: [{ Key: "owner", Value: "me" }] })).catch((e: unknown) => e);
    expect((denied as IAMServiceException).name).toBe("AccessDenied");
    expect((denied as Error).message).toContain(`is not authorized to perform: iam:TagRole on resource: arn:aws:iam::${account}:role/web`);
    await expect(tagger.send(new UntagRoleCommand({ RoleName: "web", TagKeys: ["a"] }))).rejects.toMatchObject({ name: "AccessDenied" });
    const tags = (await root.send(new ListRoleTagsCommand({ RoleName: "web" }))).Tags!;
    expect(tags.find((t) => t.Key === "env")).toEqual({ Key: "env", Value: "staging" });
    expect(tags.some((t) => t.Key === "owner")).toBe(false);
  });
});
