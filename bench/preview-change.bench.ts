/**
 * previewChange at the issue's size: a customer-managed policy attached to 300 groups whose
 * members are 5,000 users (each in 2 of the groups), and a new default version that swaps what
 * it allows. In one run:
 *   - previewChange (nothing written): planner + projections in a rolled-back transaction, the
 *     affected principals' sets before/after, 10 actions evaluated for each;
 *   - the naive way to learn the same thing: evaluate every user for the 10 actions, apply the
 *     change for real, evaluate everyone again, diff. Its flips must equal the preview's.
 */
import pino from "pino";
import { previewChange } from "../src/app/preview-change.js";
import { loadConfig } from "../src/config/config.js";
import { startIamgraph } from "../src/runtime.js";
import { benchEnv, measure, row, withDatabase, type Bench, type Row } from "./support.js";

const name = "preview-change";
const ACCOUNT = "123456789012";
const users = 5000;
const groups = 300;
const policyArn = `arn:aws:iam::${ACCOUNT}:policy/shared-policy`;
const actions = ["s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:DeleteObject", "ec2:DescribeInstances", "ec2:RunInstances", "sqs:SendMessage", "sqs:ReceiveMessage", "dynamodb:Query", "iam:GetUser"];
const v1 = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["s3:GetObject", "s3:ListBucket", "ec2:Describe*"], Resource: "*" }] };
const v2 = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["s3:PutObject", "s3:ListBucket", "ec2:Describe*"], Resource: "*" }] };

const bench: Bench = {
  name,
  description: `previewChange of a new default version for a policy on ${groups} groups with ${users} members, vs evaluate-apply-evaluate`,
  async run({ backends, scale }) {
    const rows: Row[] = [];
    for (const backend of backends) {
      await withDatabase(backend, async (db) => {
        const app = await startIamgraph(loadConfig({ NODE_ENV: "production", LOG_LEVEL: "silent", IAMGRAPH_ACCOUNT_ID: ACCOUNT, ...benchEnv }), { db, migrate: false, logger: pino({ level: "silent" }) });
        try {
          const req = { actor: "bench" };
          const inBatches = async (n: number, f: (i: number) => Promise<unknown>, label: string) => {
            for (let i = 0; i < n; i += 25) {
              await Promise.all(Array.from({ length: Math.min(25, n - i) }, (_, j) => f(i + j)));
              if (i % 1000 === 0) process.stderr.write(`\r  … ${backend}: ${label} ${i}/${n}   `);
            }
            process.stderr.write(`\r  ✓ ${backend}: ${label} ${n}/${n}        \n`);
          };
          await app.commands.handle({ type: "CreatePolicy", policyName: "shared-policy", path: "/", policyDocument: JSON.stringify(v1), description: "", tags: [] }, req);
          await inBatches(groups, async (g) => {
            await app.commands.handle({ type: "CreateGroup", groupName: `pg-${g}`, path: "/" }, req);
            await app.commands.handle({ type: "AttachPolicy", entityType: "group", entityName: `pg-${g}`, policyArn }, req);
          }, "groups");
          await inBatches(users, async (u) => {
            await app.commands.handle({ type: "CreateUser", userName: `pu-${u}`, path: "/", tags: [] }, req);
            await app.commands.handle({ type: "AddUserToGroup", userName: `pu-${u}`, groupName: `pg-${u % groups}` }, req);
            await app.commands.handle({ type: "AddUserToGroup", userName: `pu-${u}`, groupName: `pg-${(u * 7 + 1) % groups}` }, req);
          }, "users in 2 groups each");

          const command = { type: "CreatePolicyVersion" as const, policyArn, policyDocument: JSON.stringify(v2), setAsDefault: true };
          let flips = 0;
          let considered = 0;
          const head = await db.prisma.event.count();
          const preview = await measure(`${backend} previewChange`, { ops: Math.max(3, Math.round(5 * scale)), maxSeconds: 120, concurrency: 1, warmup: 1, latency: true }, async () => {
            const p = await previewChange(app.commands, command, req, actions);
            flips = p.flips.length;
            considered = p.principalsConsidered;
          });
          if ((await db.prisma.event.count()) !== head) throw new Error("previewChange wrote events");

          // The naive way, once (it changes the state): everyone before, apply, everyone after.
          const arns = (await db.prisma.user.findMany({ select: { arn: true } })).map((u) => u.arn);
          const requests = arns.flatMap((principalArn) => actions.map((action) => ({ principalArn, action, resource: "*" })));
          let naiveFlips = 0;
          const naive = await measure(`${backend} evaluate-apply-evaluate`, { ops: 1, maxSeconds: 600, concurrency: 1, latency: true }, async () => {
            const before = await app.authorizer.authorizeMany(requests);
            await app.commands.handle(command, req);
            const after = await app.authorizer.authorizeMany(requests);
            naiveFlips = after.filter((r, i) => {
              const b = before[i] as { decision: string };
              return (b.decision === "allowed") !== ((r as { decision: string }).decision === "allowed");
            }).length;
          });
          if (naiveFlips !== flips) throw new Error(`preview found ${flips} flips, applying found ${naiveFlips}`);
          rows.push(row(name, backend, `previewChange: policy on ${groups} groups, ${users} members, ${actions.length} actions`, preview, `${considered} principals considered, ${flips} flips (= applying it); nothing written`));
          rows.push(row(name, backend, "evaluate everyone, apply, evaluate everyone (naive, writes)", naive, `${naiveFlips} flips; preview = ${((naive.p50Ms ?? 0) / (preview.p50Ms ?? 1)).toFixed(1)}× faster`));
        } finally {
          await app.close();
        }
      });
    }
    return rows;
  },
};

export default bench;
