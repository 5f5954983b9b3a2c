/**
 * simulatePrincipalPolicy over HTTP: the real server (startIamgraph + node:http) in-process on an
 * ephemeral port, 8 concurrent `fetch` clients asking for 5 actions × 1 resource for a user in 3
 * groups × 10 customer-managed policies × 20 statements (some with conditions). In the same run,
 * the same simulation called in-process (`app.authorizer.simulatePrincipalPolicy`, 8 concurrent
 * callers) as the no-HTTP baseline. Client and server share this process (and its cores).
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import pino from "pino";
import { loadConfig } from "../src/config/config.js";
import { startIamgraph } from "../src/runtime.js";
import { benchEnv, measure, row, withDatabase, type Bench, type Row, post, closeServer } from "./support.js";

const name = "simulate-http";
const clients = 8;
const ACCOUNT = "123456789012";
const USER = "sim-user";
const USER_ARN = `arn:aws:iam::${ACCOUNT}:user/${USER}`;
const SERVICES = ["s3", "ec2", "dynamodb", "sqs", "sns", "logs", "lambda", "kms"];
const ACTIONS = ["s3:GetObject", "s3:PutObject", "ec2:DescribeInstances", "dynamodb:Query", "sqs:SendMessage"];
const RESOURCE = "arn:aws:s3:::bucket-3/data/file.txt";

const simulate = `query Sim($arn: String!, $actions: [String!]!, $resources: [String!]) {
  simulatePrincipalPolicy(policySourceArn: $arn, actionNames: $actions, resourceArns: $resources) {
    __typename
    ... on SimulatePolicyResponse { evaluationResults { evalActionName evalDecision reason missingContextValues } }
    ... on IamError { code message }
  }
}`;

function statement(p: number, j: number): Record<string, unknown> {
  const svc = SERVICES[(p + j) % SERVICES.length]!;
  const res = svc === "s3" ? `arn:aws:s3:::bucket-${p % 5}/*` : `arn:aws:${svc}:us-east-1:${ACCOUNT}:*`;
  switch (j % 5) {
    case 0:
      return { Effect: "Allow", Action: [`${svc}:Get*`, `${svc}:List*`], Resource: res };
    case 1:
      return { Effect: "Allow", Action: `${svc}:Describe*`, Resource: "*", Condition: { IpAddress: { "aws:SourceIp": "10.0.0.0/8" } } };
    case 2:
      return { Effect: "Allow", Action: [`${svc}:Put*`, `${svc}:Send*`], Resource: res, Condition: { StringEquals: { "aws:PrincipalTag/team": `team-${p % 3}` } } };
    case 3:
      return { Effect: "Deny", Action: `${svc}:Delete*`, Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } };
    default:
      return { Effect: "Allow", Action: `${svc}:Query`, Resource: "*", Condition: { DateLessThan: { "aws:CurrentTime": "2030-01-01T00:00:00Z" } } };
  }
}

const bench: Bench = {
  name,
  description: `simulatePrincipalPolicy (5 actions, user in 3 groups × 10 policies × 20 statements) over HTTP, ${clients} clients, vs in-process`,
  async run({ backends, scale }) {
    const rows: Row[] = [];
    for (const backend of backends) {
      await withDatabase(backend, async (db) => {
        const config = loadConfig({ NODE_ENV: "production", LOG_LEVEL: "silent", IAMGRAPH_ACCOUNT_ID: ACCOUNT, ...benchEnv });
        const app = await startIamgraph(config, { db, logger: pino({ level: "silent" }), migrate: false });
        const server = createServer(app.yoga);
        server.keepAliveTimeout = 60_000;
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
        try {
          const req = { actor: "bench" };
          await app.commands.handle({ type: "CreateUser", userName: USER, path: "/", tags: [{ key: "team", value: "team-1" }] }, req);
          for (let g = 0; g < 3; g++) {
            await app.commands.handle({ type: "CreateGroup", groupName: `sim-group-${g}`, path: "/" }, req);
            await Promise.all(
              Array.from({ length: 10 }, async (_, m) => {
                const p = g * 10 + m;
                const doc = { Version: "2012-10-17", Statement: Array.from({ length: 20 }, (_, j) => statement(p, j)) };
                await app.commands.handle({ type: "CreatePolicy", policyName: `sim-policy-${p}`, path: "/", policyDocument: JSON.stringify(doc), description: "", tags: [] }, req);
                await app.commands.handle({ type: "AttachPolicy", entityType: "group", entityName: `sim-group-${g}`, policyArn: `arn:aws:iam::${ACCOUNT}:policy/sim-policy-${p}` }, req);
              }),
            );
            await app.commands.handle({ type: "AddUserToGroup", userName: USER, groupName: `sim-group-${g}` }, req);
          }
          process.stderr.write(`  ${backend}: user in 3 groups, 30 policies × 20 statements created\n`);

          const variables = { arn: USER_ARN, actions: ACTIONS, resources: [RESOURCE] };
          let decisions = "";
          const h = await measure(`${backend} simulatePrincipalPolicy HTTP`, { ops: 1e9, maxSeconds: 6 * scale, concurrency: clients, warmup: 20, latency: true }, async () => {
            const data = (await post(url, simulate, variables)) as {
              simulatePrincipalPolicy: { __typename: string; message?: string; evaluationResults?: { evalDecision: string }[] };
            };
            const r = data.simulatePrincipalPolicy;
            if (r.__typename !== "SimulatePolicyResponse" || r.evaluationResults!.length !== ACTIONS.length) throw new Error(`simulate: ${JSON.stringify(r)}`);
            decisions ||= r.evaluationResults!.map((e) => e.evalDecision).join(",");
          });
          const input = { policySourceArn: USER_ARN, actionNames: ACTIONS, resourceArns: [RESOURCE] };
          const i = await measure(`${backend} simulatePrincipalPolicy in-process`, { ops: 1e9, maxSeconds: 6 * scale, concurrency: clients, warmup: 20, latency: true }, async () => {
            const r = await app.authorizer.simulatePrincipalPolicy(input);
            if (r.length !== ACTIONS.length) throw new Error("simulate in-process: wrong result count");
          });
          rows.push(row(name, backend, `simulatePrincipalPolicy HTTP, ${clients} clients`, h, `5 actions × 1 resource; decisions ${decisions}; HTTP = ${((h.rate / i.rate) * 100).toFixed(1)}% of in-process rate (${(i.rate / h.rate).toFixed(0)}× slower)`));
          rows.push(row(name, backend, `authorizer.simulatePrincipalPolicy in-process, ${clients} callers`, i, "no-HTTP baseline (warm compiled-policy cache)"));
        } finally {
          await closeServer(server);
          await app.close();
        }
      });
    }
    return rows;
  },
};

export default bench;

