import {
  AttachUserPolicyCommand, CreateGroupCommand, CreatePolicyCommand, CreateUserCommand, GetAccountAuthorizationDetailsCommand, GetContextKeysForCustomPolicyCommand,
  GetContextKeysForPrincipalPolicyCommand, InvalidInputException, ListAttachedUserPoliciesCommand, ListEntitiesForPolicyCommand, ListPoliciesCommand,
  MalformedPolicyDocumentException, NoSuchEntityException, PutUserPolicyCommand, SimulateCustomPolicyCommand, paginateGetAccountAuthorizationDetails, type IAMClient,
} from "@aws-sdk/client-iam";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { testRootKey } from "../support/root-key.js";
import { awsError, signedFetch } from "./signing.js";
import { startAwsServer, type AwsServer } from "./support.js";

// The IAM actions and parameters completed for issue 13 — context keys, PathPrefix on the
// attached-policy lists, paging of GetAccountAuthorizationDetails and ListEntitiesForPolicy, the
// model's parameters iamgraph refuses by name — and the XML refusals of bodies, through the real
// AWS SDK (and, for the bodies an SDK will not send, SigV4-signed fetch).

let s: AwsServer;
let root: IAMClient;
const account = "123456789012";
const doc = (statement: object) => JSON.stringify({ Version: "2012-10-17", Statement: [statement] });
const arn = (path: string, name: string) => `arn:aws:iam::${account}:policy${path}${name}`;

beforeAll(async () => {
  s = await startAwsServer();
  root = s.iam();
  await root.send(new CreateUserCommand({ UserName: "carol" }));
  await root.send(new CreateGroupCommand({ GroupName: "readers" }));
  await root.send(new CreatePolicyCommand({ PolicyName: "Ops", Path: "/ops/", PolicyDocument: doc({ Effect: "Allow", Action: "ec2:*", Resource: "*", Condition: { StringEquals: { "ec2:Region": "eu-west-1" } } }) }));
  await root.send(new CreatePolicyCommand({ PolicyName: "Home", PolicyDocument: doc({ Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::home/${aws:username}/*" }) }));
  await root.send(new AttachUserPolicyCommand({ UserName: "carol", PolicyArn: arn("/ops/", "Ops") }));
  await root.send(new AttachUserPolicyCommand({ UserName: "carol", PolicyArn: arn("/", "Home") }));
  await root.send(new PutUserPolicyCommand({ UserName: "carol", PolicyName: "mfa", PolicyDocument: doc({ Effect: "Deny", Action: "*", Resource: "*", Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } } }) }));
}, 60_000);
afterAll(async () => s?.close());

describe("GetContextKeysForPrincipalPolicy / GetContextKeysForCustomPolicy", () => {
  test("the keys the principal's policies read, each once, plus those of the given documents", async () => {
    const got = await root.send(new GetContextKeysForPrincipalPolicyCommand({
      PolicySourceArn: `arn:aws:iam::${account}:user/carol`,
      PolicyInputList: [doc({ Effect: "Allow", Action: "s3:*", Resource: "*", Condition: { StringEquals: { "EC2:REGION": "x", "aws:SourceIp": "10.0.0.1" } } })],
    }));
    expect([...got.ContextKeyNames!].sort()).toEqual(["aws:MultiFactorAuthPresent", "aws:SourceIp", "aws:username", "ec2:Region"]);
  });

  test("AWS's documented example answers as AWS documents it", async () => {
    const got = await root.send(new GetContextKeysForCustomPolicyCommand({
      PolicyInputList: [JSON.stringify({ Version: "2012-10-17", Statement: { Effect: "Allow", Action: "dynamodb:*", Resource: "arn:aws:dynamodb:us-west-2:123456789012:table/${aws:username}", Condition: { DateGreaterThan: { "aws:CurrentTime": "2015-08-16T12:00:00Z" } } } })],
    }));
    expect(got.ContextKeyNames).toEqual(["aws:username", "aws:CurrentTime"]);
  });

  test("refusals: an unknown principal, a group (not supported, said so), a malformed document", async () => {
    await expect(root.send(new GetContextKeysForPrincipalPolicyCommand({ PolicySourceArn: `arn:aws:iam::${account}:user/nobody` }))).rejects.toBeInstanceOf(NoSuchEntityException);
    const group = await root.send(new GetContextKeysForPrincipalPolicyCommand({ PolicySourceArn: `arn:aws:iam::${account}:group/readers` })).catch((e: unknown) => e);
    expect(group).toBeInstanceOf(InvalidInputException);
    await expect(root.send(new GetContextKeysForCustomPolicyCommand({ PolicyInputList: ["{nope"] }))).rejects.toBeInstanceOf(MalformedPolicyDocumentException);
  });
});

describe("list parameters: implemented or refused, never ignored", () => {
  test("ListAttachedUserPolicies filters on the policy's path with PathPrefix", async () => {
    const all = await root.send(new ListAttachedUserPoliciesCommand({ UserName: "carol" }));
    expect(all.AttachedPolicies!.map((p) => p.PolicyName).sort()).toEqual(["Home", "Ops"]);
    const ops = await root.send(new ListAttachedUserPoliciesCommand({ UserName: "carol", PathPrefix: "/ops/" }));
    expect(ops.AttachedPolicies).toEqual([{ PolicyName: "Ops", PolicyArn: arn("/ops/", "Ops") }]);
  });

  test("parameters iamgraph does not implement are InvalidInput naming them", async () => {
    const simulated = await root.send(new SimulateCustomPolicyCommand({ PolicyInputList: [doc({ Effect: "Allow", Action: "s3:*", Resource: "*" })], ActionNames: ["s3:GetObject"], CallerArn: `arn:aws:iam::${account}:user/carol` })).catch((e: unknown) => e);
    expect(simulated).toBeInstanceOf(InvalidInputException);
    expect((simulated as Error).message).toBe("iamgraph does not implement the CallerArn parameter of SimulateCustomPolicy.");
    const listed = await root.send(new ListPoliciesCommand({ PolicyUsageFilter: "PermissionsBoundary" })).catch((e: unknown) => e);
    expect((listed as Error).message).toBe("iamgraph does not implement the PolicyUsageFilter parameter of ListPolicies.");
  });

  test("ListEntitiesForPolicy pages with MaxItems and Marker", async () => {
    await root.send(new CreateUserCommand({ UserName: "dave" }));
    await root.send(new AttachUserPolicyCommand({ UserName: "dave", PolicyArn: arn("/", "Home") }));
    const first = await root.send(new ListEntitiesForPolicyCommand({ PolicyArn: arn("/", "Home"), MaxItems: 1 }));
    expect(first.PolicyUsers).toHaveLength(1);
    expect(first.IsTruncated).toBe(true);
    const rest = await root.send(new ListEntitiesForPolicyCommand({ PolicyArn: arn("/", "Home"), MaxItems: 1, Marker: first.Marker }));
    expect(rest.IsTruncated).toBe(false);
    expect([first.PolicyUsers![0]!.UserName, rest.PolicyUsers![0]!.UserName].sort()).toEqual(["carol", "dave"]);
  });

  test("GetAccountAuthorizationDetails pages the four lists as one, and Filter selects them", async () => {
    const whole = await root.send(new GetAccountAuthorizationDetailsCommand({}));
    const total = whole.UserDetailList!.length + whole.GroupDetailList!.length + whole.RoleDetailList!.length + whole.Policies!.length;
    expect(whole.IsTruncated).toBe(false);
    const pages: number[] = [];
    const users: string[] = [];
    for await (const page of paginateGetAccountAuthorizationDetails({ client: root, pageSize: 2 }, {})) {
      pages.push(page.UserDetailList!.length + page.GroupDetailList!.length + page.RoleDetailList!.length + page.Policies!.length);
      users.push(...page.UserDetailList!.map((u) => u.UserName!));
    }
    expect(pages.reduce((a, b) => a + b, 0)).toBe(total);
    expect(pages.slice(0, -1).every((n) => n === 2)).toBe(true);
    expect(users).toEqual(whole.UserDetailList!.map((u) => u.UserName));
    const onlyGroups = await root.send(new GetAccountAuthorizationDetailsCommand({ Filter: ["Group"] }));
    expect(onlyGroups.GroupDetailList!.map((g) => g.GroupName)).toEqual(["readers"]);
    expect(onlyGroups.UserDetailList).toEqual([]);
  });
});

describe("bodies refused before an action runs answer AWS's XML", () => {
  test("a body over the limit: 413 with an ErrorResponse, not GraphQL's JSON", async () => {
    const body = `Action=CreateUser&Version=2010-05-08&UserName=big&Path=${"%2F".repeat(400_000)}`;
    const response = await signedFetch(s.endpoint, testRootKey, { body });
    expect(response.headers.get("content-type")).toBe("text/xml");
    expect(await awsError(response)).toMatchObject({ status: 413, code: "RequestEntityTooLarge" });
  });

  test("a broken percent-escape or a body that is not UTF-8: MalformedQueryString, nothing run", async () => {
    const broken = await signedFetch(s.endpoint, testRootKey, { body: "Action=CreateUser&Version=2010-05-08&UserName=bad%zz" });
    expect(await awsError(broken)).toMatchObject({ status: 404, code: "MalformedQueryString", message: "The query string contains a syntax error." });
    const latin1 = await fetch(s.endpoint, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: Buffer.from([0x41, 0x3d, 0xe9]) });
    expect(await awsError(latin1)).toMatchObject({ status: 404, code: "MalformedQueryString" });
    await expect(root.send(new ListAttachedUserPoliciesCommand({ UserName: "bad" }))).rejects.toBeInstanceOf(NoSuchEntityException);
  });
});
