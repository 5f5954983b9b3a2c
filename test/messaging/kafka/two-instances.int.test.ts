import { afterAll, beforeAll, expect, it } from "vitest";
import { basicAuthorization } from "../../../src/auth/authorization-header.js";
import { subscribeWs } from "../../support/live-server.js";
import { createClusterSchema, eventually, startServerProcess, decisionOn, mutateOn as mutate, type ServerProcess } from "../../support/server-process.js";
import { cliEnv, createTopics, describeKafka, readTopic, spawnCli, testKafkaConfig, type CliProcess } from "./kafka-support.js";

// Kafka mode end to end (issue 12): two real `iamgraph serve` processes with KAFKA_BROKERS set
// on one PostgreSQL schema, and one separate `iamgraph relay` process. B learns of A's changes
// only through its KafkaFeed (the topic, with the log as the backstop for gaps). Every absence is
// proven by waiting for the opposite, within a bound.

const account = "123456789012";
const userArn = (name: string) => `arn:aws:iam::${account}:user/${name}`;
const doc = (effect: "Allow" | "Deny", ...actions: string[]) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: effect, Action: actions, Resource: "*" }] });

describeKafka("kafka mode: two serve processes and a relay", () => {
  const config = testKafkaConfig();
  let cluster: Awaited<ReturnType<typeof createClusterSchema>>;
  let relay: CliProcess;
  let a: ServerProcess;
  let b: ServerProcess;

  beforeAll(async () => {
    cluster = await createClusterSchema();
    await createTopics(config);
    const env = cliEnv(cluster.databaseUrl, config);
    relay = spawnCli(["relay"], env);
    await relay.waitForLine((l) => l.msg === "relay active", 60_000);
    // One after the other so only one seeds the AWS-managed policies.
    a = await startServerProcess({ env });
    b = await startServerProcess({ env });
  }, 120_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop(), relay?.kill("SIGTERM")]);
    await cluster?.drop();
  });


  it("a revoke on A is enforced on B: authorize turns implicitDeny, the user's own request AccessDenied", async () => {
    await mutate(a, "createUser", { userName: "k1" }, "... on UserPayload { position }");
    await mutate(a, "putUserPolicy", { userName: "k1", policyName: "r", policyDocument: doc("Allow", "iam:GetUser") });
    const created = await mutate(a, "createAccessKey", { userName: "k1" }, "... on AccessKeyPayload { accessKey { accessKeyId secretAccessKey } }");
    const k1 = basicAuthorization(created.accessKey.accessKeyId, created.accessKey.secretAccessKey);
    const getSelf = `{ user(userName: "k1") { userName } }`;

    await eventually("B allows k1", async () => ((await decisionOn(b, userArn("k1"), "iam:GetUser")) === "allowed" ? true : undefined));
    expect((await b.request(getSelf, {}, { authorization: k1 })).data).toEqual({ user: { userName: "k1" } });

    const revoked = await mutate(a, "deleteUserPolicy", { userName: "k1", policyName: "r" });
    await eventually("B denies k1 after the revoke on A", async () => ((await decisionOn(b, userArn("k1"), "iam:GetUser")) === "implicitDeny" ? true : undefined), 10_000);
    const own = await b.request(getSelf, {}, { authorization: k1 });
    expect(own.data?.user ?? null).toBeNull();
    expect(own.errors?.[0]?.extensions?.code).toBe("AccessDenied");
    expect(own.extensions?.position).toBeGreaterThanOrEqual(revoked.position);

    // The revoke went through the broker: the relay put it on the events topic, keyed by the user.
    const onTopic = await eventually("the revoke on the events topic", async () => {
      const messages = await readTopic(config.brokers, config.eventsTopic);
      return messages.find((m) => m.headers?.position?.toString() === String(revoked.position));
    });
    expect(onTopic.headers?.type?.toString()).toBe("InlinePolicyDeleted");
  });

  it("a mutation on A reaches a permissionsChanged subscriber on B", async () => {
    const start = (await mutate(a, "createUser", { userName: "k2" }, "... on UserPayload { position }")).position as number;
    const permissions = await subscribeWs(b.wsClient(), `subscription ($arn: String!, $after: Position) { permissionsChanged(principalArn: $arn, after: $after) { position cause { type position } entered { policyName } left { policyName } } }`, {
      arn: userArn("k2"),
      after: start,
    });
    const put = (await mutate(a, "putUserPolicy", { userName: "k2", policyName: "read", policyDocument: doc("Allow", "s3:GetObject") })).position as number;
    const [entered] = await permissions.waitFor(1);
    expect(entered).toEqual({ position: put, cause: { type: "InlinePolicyPut", position: put }, entered: [{ policyName: "read" }], left: [] });
    const removed = (await mutate(a, "deleteUserPolicy", { userName: "k2", policyName: "read" })).position as number;
    expect((await permissions.waitFor(2))[1]).toEqual({ position: removed, cause: { type: "InlinePolicyDeleted", position: removed }, entered: [], left: [{ policyName: "read" }] });
    permissions.stop();
  });
});
