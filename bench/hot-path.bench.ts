/**
 * The decision hot path after a change, in-process on the real runtime (startIamgraph, the
 * effective-policies projection, the event feed): a user at AWS's quota size — in 9 groups × 10
 * customer-managed policies and 10 of its own (the 10th group is the one it joins and leaves), each
 * of 20 statements, 4 inline policies (the 2,048-byte UserPolicySize quota), a boundary — then, repeatedly,
 * one change and the first `authorize` after it (the command itself is not timed; it returns once
 * this instance has applied its events). Same-run references: the same first decision through a
 * fresh cache (a full reload from the projection: what every change cost before incremental
 * compilation, with documents already compiled by text), and a warm decision.
 * Steady state: `evaluate` on that principal's compiled set, timed per call in a synchronous loop.
 */
import { performance } from "node:perf_hooks";
import pino from "pino";
import type { Command } from "../src/app/command.js";
import { CompiledPolicyCache } from "../src/authz/compiled-policy-cache.js";
import { principalContext } from "../src/authz/request-context.js";
import { loadConfig } from "../src/config/config.js";
import { evaluate } from "../src/policy/evaluate.js";
import { buildContext } from "../src/policy/request.js";
import { startIamgraph } from "../src/runtime.js";
import { benchEnv, mulberry32, percentile, reports, withDatabase, type Bench, type Row } from "./support.js";

const name = "hot-path";
const ACCOUNT = "123456789012";
const USER = "quota-user";
const USER_ARN = `arn:aws:iam::${ACCOUNT}:user/${USER}`;
const SERVICES = ["s3", "ec2", "dynamodb", "lambda", "sqs", "sns", "logs", "rds", "secretsmanager", "ssm", "ecr", "iam"];
const policyArn = (p: number) => `arn:aws:iam::${ACCOUNT}:policy/hp-${p}`;

function statement(p: number, j: number, svc: string, rev: number): Record<string, unknown> {
  const res = (path: string) =>
    svc === "s3" ? `arn:aws:s3:::${path}` : svc === "iam" ? `arn:aws:iam::${ACCOUNT}:user/${path}` : `arn:aws:${svc}:us-east-1:${ACCOUNT}:thing/${path}`;
  switch (j % 5) {
    case 0:
      return { Effect: "Allow", Action: [`${svc}:Get${p}`, `${svc}:List${p}`, `${svc}:GetObject`], Resource: res(`p${p}-r${rev}-*`), Condition: { StringEquals: { "aws:PrincipalTag/team": `team-${p % 7}` } } };
    case 1:
      return { Effect: "Allow", Action: `${svc}:Describe*`, Resource: "*", Condition: { IpAddress: { "aws:SourceIp": ["10.0.0.0/8", `192.168.${p}.0/24`] } } };
    case 2:
      return { Effect: "Allow", Action: [`${svc}:Put*`, `${svc}:Create*`], Resource: res("home/${aws:username}/*"), Condition: { DateLessThan: { "aws:CurrentTime": "2030-01-01T00:00:00Z" } } };
    case 3:
      return { Effect: "Deny", Action: `${svc}:Delete*`, Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } };
    default:
      return { Effect: "Allow", Action: [`${svc}:Update${p}`, `${svc}:List*`], Resource: [res(`p${p}/*`), res("home/${aws:username}")], Condition: { StringLike: { "aws:PrincipalTag/team": "team-*" } } };
  }
}
const document = (p: number, rev: number, count = 20) =>
  JSON.stringify({ Version: "2012-10-17", Statement: Array.from({ length: count }, (_, j) => statement(p, j, SERVICES[(p + j) % SERVICES.length]!, rev)) });

function stats(label: string, ms: number[]): { p50: number; p99: number; n: number } {
  const s = { p50: percentile(ms, 0.5), p99: percentile(ms, 0.99), n: ms.length };
  process.stderr.write(`  ✓ ${label}: n=${s.n}, p50 ${s.p50.toFixed(3)} ms, p99 ${s.p99.toFixed(3)} ms\n`);
  return s;
}

const bench: Bench = {
  name,
  description: "first decision after a policy/tag/group change for a quota-size principal (incremental) vs a full reload, and steady-state evaluate",
  async run({ backends, scale }) {
    const rows: Row[] = [];
    const changes = Math.round(40 * scale);
    for (const backend of backends) {
      await withDatabase(backend, async (db) => {
        const config = loadConfig({ NODE_ENV: "production", LOG_LEVEL: "silent", IAMGRAPH_ACCOUNT_ID: ACCOUNT, ...benchEnv });
        const app = await startIamgraph(config, { db, logger: pino({ level: "silent" }), migrate: false });
        const handle = (c: Command) => app.commands.handle(c, { actor: "bench" });
        try {
          await handle({ type: "CreateUser", userName: USER, path: "/", tags: [{ key: "team", value: "team-3" }] });
          for (let g = 0; g < 9; g++) {
            await handle({ type: "CreateGroup", groupName: `hp-group-${g}`, path: "/" });
            for (let m = 0; m < 10; m++) {
              const p = g * 10 + m;
              await handle({ type: "CreatePolicy", policyName: `hp-${p}`, path: "/", policyDocument: document(p, 0), description: "", tags: [] });
              await handle({ type: "AttachPolicy", entityType: "group", entityName: `hp-group-${g}`, policyArn: policyArn(p) });
            }
            await handle({ type: "AddUserToGroup", userName: USER, groupName: `hp-group-${g}` });
          }
          for (let p = 90; p < 100; p++) {
            await handle({ type: "CreatePolicy", policyName: `hp-${p}`, path: "/", policyDocument: document(p, 0), description: "", tags: [] });
            await handle({ type: "AttachPolicy", entityType: "user", entityName: USER, policyArn: policyArn(p) });
          }
          for (let i = 0; i < 4; i++) await handle({ type: "PutInlinePolicy", entityType: "user", entityName: USER, policyName: `inline-${i}`, policyDocument: document(200 + i, 0, 1) });
          await handle({ type: "CreatePolicy", policyName: "hp-boundary", path: "/", policyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: SERVICES.map((s) => `${s}:*`), Resource: "*" }] }), description: "", tags: [] });
          await handle({ type: "PutPermissionsBoundary", entityType: "user", entityName: USER, policyArn: `arn:aws:iam::${ACCOUNT}:policy/hp-boundary` });
          await handle({ type: "CreateGroup", groupName: "hp-extra", path: "/" });
          process.stderr.write(`  ${backend}: ${USER} in 9 groups × 10 managed + 10 managed of its own (× 20 statements), 4 inline, a boundary\n`);

          const request = { principalArn: USER_ARN, action: "s3:GetObject", resource: "arn:aws:s3:::p3-r0-x" };
          const decide = async () => void (await app.authorizer.authorize(request));
          const timeOnce = async (fn: () => Promise<void>) => {
            const t0 = performance.now();
            await fn();
            return performance.now() - t0;
          };
          for (let i = 0; i < 50; i++) await decide();

          const rng = mulberry32(17);
          const versions = new Map<number, number>(); // policy → its current default version number
          const afterPolicy: number[] = [];
          const reload: number[] = [];
          const afterTag: number[] = [];
          const afterJoin: number[] = [];
          for (let i = 0; i < changes; i++) {
            const p = Math.floor(rng() * 100);
            const v = (versions.get(p) ?? 1) + 1;
            await handle({ type: "CreatePolicyVersion", policyArn: policyArn(p), policyDocument: document(p, v), setAsDefault: true });
            versions.set(p, v);
            afterPolicy.push(await timeOnce(decide));
            // Keep under AWS's five versions: the previous default goes.
            await handle({ type: "DeletePolicyVersion", policyArn: policyArn(p), versionId: `v${v - 1}` });
            // The same decision through a cache that must reload the principal from the projection.
            const fresh = new CompiledPolicyCache(db.prisma);
            reload.push(await timeOnce(async () => void (await fresh.get(USER_ARN))));

            await handle({ type: "TagUser", userName: USER, tags: [{ key: "team", value: `team-${i % 7}` }] });
            afterTag.push(await timeOnce(decide));
            await handle(i % 2 === 0 ? { type: "AddUserToGroup", userName: USER, groupName: "hp-extra" } : { type: "RemoveUserFromGroup", userName: USER, groupName: "hp-extra" });
            afterJoin.push(await timeOnce(decide));
          }
          const warm: number[] = [];
          for (let i = 0; i < 2000; i++) warm.push(await timeOnce(decide));

          const policyS = stats(`${backend} first decision after CreatePolicyVersion (incremental)`, afterPolicy);
          const reloadS = stats(`${backend} same decision via full reload (fresh cache)`, reload);
          const tagS = stats(`${backend} first decision after TagUser`, afterTag);
          const joinS = stats(`${backend} first decision after joining/leaving a group`, afterJoin);
          const warmS = stats(`${backend} warm authorize`, warm);

          // Steady state: evaluate alone on the server-built compiled set, per call.
          const entry = (await app.authorizer.compiledPolicies.get(USER_ARN))!;
          const r = mulberry32(7);
          const requests = Array.from({ length: 500 }, () => {
            const svc = SERVICES[Math.floor(r() * SERVICES.length)]!;
            const p = Math.floor(r() * 100);
            const action = `${svc}:${["Get", "List", "Describe", "Put", "Delete", "Update"][Math.floor(r() * 6)]}${r() < 0.3 ? p : "Object"}`;
            const resource = svc === "s3" ? `arn:aws:s3:::${["home/quota-user/a", `p${p}/x`, "other"][Math.floor(r() * 3)]}` : `arn:aws:${svc}:us-east-1:${ACCOUNT}:thing/p${p}/x`;
            const context = buildContext([
              ...principalContext(entry.principal, new Date()),
              { key: "aws:SourceIp", type: "ip", values: [["10.1.2.3", "203.0.113.7"][Math.floor(r() * 2)]!] },
              { key: "aws:SecureTransport", type: "boolean", values: [r() < 0.7 ? "true" : "false"] },
            ]);
            return { action, resource, context };
          });
          for (let i = 0; i < 20_000; i++) evaluate(entry.compiled, requests[i % requests.length]!);
          const evalUs: number[] = [];
          const deadline = performance.now() + 3000 * scale;
          for (let i = 0; performance.now() < deadline; i++) {
            const t0 = performance.now();
            evaluate(entry.compiled, requests[i % requests.length]!);
            evalUs.push((performance.now() - t0) * 1000);
          }
          const ev = { p50: percentile(evalUs, 0.5), p99: percentile(evalUs, 0.99) };
          process.stderr.write(`  ✓ ${backend} evaluate: ${evalUs.length} calls, p50 ${ev.p50.toFixed(1)} µs, p99 ${ev.p99.toFixed(1)} µs\n`);

          const msRow = (c: string, s: { p50: number; p99: number; n: number }, note: string): Row => ({ bench: name, backend, case: c, ops: s.n, seconds: 0, rate: 1000 / s.p50, p50Ms: s.p50, p99Ms: s.p99, note });
          const x = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
          rows.push(
            msRow("first decision after CreatePolicyVersion", policyS, `p99 ${x(policyS.p99, reloadS.p99)} full reload's, ${x(policyS.p99, warmS.p99)} warm (goal p99 < 2 ms)`),
            msRow("full reload of the principal (reference)", reloadS, "fresh cache: the pre-incremental cost of any change"),
            msRow("first decision after TagUser", tagS, `p99 ${x(tagS.p99, reloadS.p99)} full reload's (re-reads the principal only)`),
            msRow("first decision after join/leave group", joinS, `p99 ${x(joinS.p99, reloadS.p99)} full reload's (reload; documents already compiled)`),
            msRow("warm authorize (reference)", warmS, "no database work"),
            { bench: name, backend, case: "evaluate, steady state", ops: evalUs.length, seconds: 3 * scale, rate: evalUs.length / (3 * scale), p50Ms: ev.p50 / 1000, p99Ms: ev.p99 / 1000, note: `p50 ${ev.p50.toFixed(1)} µs, p99 ${ev.p99.toFixed(1)} µs (goal p99 < 20 µs)` },
          );
          reports.push(
            `hot-path (${backend}): first decision after a change, ${changes} changes each — policy version p50 ${policyS.p50.toFixed(2)} / p99 ${policyS.p99.toFixed(2)} ms; ` +
              `full reload p50 ${reloadS.p50.toFixed(2)} / p99 ${reloadS.p99.toFixed(2)} ms; tag p99 ${tagS.p99.toFixed(2)} ms; group p99 ${joinS.p99.toFixed(2)} ms; warm p99 ${warmS.p99.toFixed(3)} ms; evaluate p99 ${ev.p99.toFixed(1)} µs`,
          );
        } finally {
          await app.close();
        }
      });
    }
    return rows;
  },
};

export default bench;
