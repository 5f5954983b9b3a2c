import { SignatureV4 } from "@smithy/signature-v4";
import { validate, parse } from "graphql";
import { describe, expect, test } from "vitest";
import { guardSchema } from "../../src/api/authorization/guard.js";
import { schema } from "../../src/api/schema.js";
import { awsActions } from "../../src/aws/actions/index.js";
import { readInput } from "../../src/aws/query-input.js";
import { serviceModels } from "../../src/aws/service-model.js";
import { expectedSignature, parseSignedRequest, signingKey } from "../../src/aws/sigv4.js";
import { supportedActions } from "../../src/aws/supported-actions.js";
import { errorXml, responseXml } from "../../src/aws/xml-output.js";
import { AwsError } from "../../src/aws/aws-error.js";
import { Sha256 } from "./signing.js";

describe("the action table", () => {
  const guarded = guardSchema(schema);
  for (const service of ["iam", "sts"] as const) {
    for (const action of supportedActions[service]) {
      test(`${service} ${action}: a handler, a model operation, and a GraphQL document the schema accepts`, () => {
        const handler = awsActions[service][action];
        expect(handler, "handler").toBeDefined();
        expect(serviceModels[service].operations[action], "model operation").toBeDefined();
        expect(validate(guarded, parse(handler!.document)).map((e) => e.message)).toEqual([]);
      });
    }
  }
  test("no handler is unlisted", () => {
    expect(Object.keys(awsActions.iam).sort()).toEqual([...supportedActions.iam].sort());
    expect(Object.keys(awsActions.sts).sort()).toEqual([...supportedActions.sts].sort());
  });
});

describe("reading parameters by the model", () => {
  const iam = serviceModels.iam;
  test("lists as member.N, structures inside them, numbers and booleans typed", () => {
    const params = new URLSearchParams("Action=CreateUser&UserName=bob&Tags.member.1.Key=team&Tags.member.1.Value=red&Tags.member.2.Key=env&Tags.member.2.Value=prod");
    expect(readInput(iam, iam.operations.CreateUser!.input, params)).toEqual({ UserName: "bob", Tags: [{ Key: "team", Value: "red" }, { Key: "env", Value: "prod" }] });
    const list = readInput(iam, iam.operations.ListUsers!.input, new URLSearchParams("MaxItems=25&PathPrefix=/eng/"));
    expect(list).toEqual({ MaxItems: 25, PathPrefix: "/eng/" });
    const v = readInput(iam, iam.operations.CreatePolicyVersion!.input, new URLSearchParams("PolicyArn=a&PolicyDocument=d&SetAsDefault=true"));
    expect(v.SetAsDefault).toBe(true);
  });
  test("a missing required member is AWS's ValidationError", () => {
    expect(() => readInput(iam, iam.operations.CreateUser!.input, new URLSearchParams("Path=/"))).toThrow("1 validation error detected: Value null at 'userName' failed to satisfy constraint: Member must not be null");
    expect(() => readInput(iam, iam.operations.ListUsers!.input, new URLSearchParams("MaxItems=lots"))).toThrow(/Member must be a number/);
  });
});

describe("writing XML by the model", () => {
  test("result wrapper, member lists, ISO timestamps to the second, escaped text, request id", () => {
    const xml = responseXml(serviceModels.iam, "ListUsers", { Users: [{ UserName: "a&b", UserId: "AIDA1", Arn: "arn", Path: "/", CreateDate: "2026-12-02T01:02:03.456Z" }], IsTruncated: false }, "req-1");
    expect(xml).toContain('<ListUsersResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListUsersResult><Users><member><Path>/</Path><UserName>a&amp;b</UserName><UserId>AIDA1</UserId><Arn>arn</Arn><CreateDate>2026-12-02T01:02:03Z</CreateDate></member></Users><IsTruncated>false</IsTruncated></ListUsersResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></ListUsersResponse>');
  });
  test("maps as entry/key/value", () => {
    expect(responseXml(serviceModels.iam, "GetAccountSummary", { SummaryMap: { Users: 2 } }, "r")).toContain("<SummaryMap><entry><key>Users</key><value>2</value></entry></SummaryMap>");
  });
  test("ErrorResponse with Type, Code, Message and RequestId", () => {
    expect(errorXml(serviceModels.iam, new AwsError("NoSuchEntity", "The user with name x cannot be found."), "r")).toContain(
      "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>The user with name x cannot be found.</Message></Error><RequestId>r</RequestId></ErrorResponse>",
    );
    expect(new AwsError("NoSuchEntity", "").status).toBe(404);
    expect(new AwsError("EntityAlreadyExists", "").status).toBe(409);
    expect(new AwsError("AccessDenied", "").status).toBe(403);
  });
});

describe("SigV4", () => {
  // AWS's worked example (IAM User Guide, "Elements of an AWS API request signature"): GET ListUsers, 2015-08-30.
  test("AWS's published example signature", () => {
    const headers = new Headers({ host: "iam.amazonaws.com", "content-type": "application/x-www-form-urlencoded; charset=utf-8", "x-amz-date": "20150830T123600Z",
      authorization: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7" });
    const request = { method: "GET", url: new URL("https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08"), headers, body: new Uint8Array() };
    const parts = parseSignedRequest(request);
    if (parts instanceof Error) throw parts;
    const key = signingKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", parts.scopeDate, parts.region, parts.service);
    expect(expectedSignature(key, parts, request)).toBe(parts.signature);
  });

  test("agrees with the AWS SDK's own signer (header and presigned, a body, a region other than us-east-1)", async () => {
    const signer = new SignatureV4({ credentials: { accessKeyId: "AKIAEXAMPLEEXAMPLE12", secretAccessKey: "secret/with+chars" }, region: "eu-west-3", service: "sts", sha256: Sha256 });
    const body = "Action=GetCallerIdentity&Version=2011-06-15";
    const http = { method: "POST", protocol: "http:", hostname: "127.0.0.1", port: 4100, path: "/", query: {}, headers: { host: "127.0.0.1:4100", "content-type": "application/x-www-form-urlencoded" }, body };
    for (const signed of [await signer.sign(http), await signer.presign(http, { expiresIn: 300 })]) {
      const query = new URLSearchParams(signed.query as Record<string, string>).toString();
      const request = { method: "POST", url: new URL(`http://127.0.0.1:4100/${query ? `?${query}` : ""}`), headers: new Headers(signed.headers), body: new TextEncoder().encode(body) };
      const parts = parseSignedRequest(request);
      if (parts instanceof Error) throw parts;
      expect(parts.region).toBe("eu-west-3");
      expect(expectedSignature(signingKey("secret/with+chars", parts.scopeDate, parts.region, parts.service), parts, request)).toBe(parts.signature);
      // One byte of the body changed: another signature.
      const tampered = { ...request, body: new TextEncoder().encode(body.replace("2011", "2012")) };
      expect(expectedSignature(signingKey("secret/with+chars", parts.scopeDate, parts.region, parts.service), parts, tampered)).not.toBe(parts.signature);
    }
  });
});
