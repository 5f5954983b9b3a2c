import { afterAll, beforeAll, expect, it } from "vitest";
import { clusterContract, doc } from "../../cluster/cluster-contract.js";
import { createClusterSchema, eventually, startServerProcess, decisionOn, mutateOn as mutate, type ServerProcess } from "../../support/server-process.js";
import { cliEnv, createTopics, readTopic, spawnCli, testKafkaConfig, type CliProcess } from "./kafka-support.js";
import { describeKafka } from "./describe-kafka.js";

// Kafka mode end to end (issue 12): two real `iamgraph serve` processes with KAFKA_BROKERS set
// on one PostgreSQL schema, and one separate `iamgraph relay` process; the same contract as
// postgres mode (test/cluster/cluster-contract.ts). B runs with its log backstop off
// (IAMGRAPH_KAFKA_LOG_BACKSTOP_MS=0): it never reads the log's head by itself, so whatever B
// learns of A's changes came over the events topic (a gap the topic shows is still filled from
// the log — which needs the topic to have shown a later position first).

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
    b = await startServerProcess({ env: { ...env, IAMGRAPH_KAFKA_LOG_BACKSTOP_MS: "0" } });
  }, 120_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop(), relay?.kill("SIGTERM")]);
    await cluster?.drop();
  });

  clusterContract(() => ({ a, b }));

  it("a change on A travels on the events topic, keyed by its stream, before B applies it", async () => {
    await mutate(a, "createUser", { userName: "onTopic" }, "... on UserPayload { position }");
    const put = await mutate(a, "putUserPolicy", { userName: "onTopic", policyName: "r", policyDocument: doc("Allow", "iam:GetUser") });
    await eventually("B allows", async () => ((await decisionOn(b, "arn:aws:iam::123456789012:user/onTopic", "iam:GetUser")) === "allowed" ? true : undefined), 10_000);
    const messages = await readTopic(config.brokers, config.eventsTopic);
    const message = messages.find((m) => m.headers?.position?.toString() === String(put.position));
    expect(message?.headers?.type?.toString()).toBe("InlinePolicyPut");
    const sameStream = messages.filter((m) => m.key?.toString() === message?.key?.toString());
    expect(new Set(sameStream.map((m) => m.partition)).size).toBe(1);
  });
});
