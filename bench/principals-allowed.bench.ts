/**
 * "Who can do X": WhoCan.principalsAllowed(action, "*") on a large account, against the naive
 * answer (every user evaluated through authorizer.authorizeMany), in the same run, on the same
 * data; both sets are compared.
 *
 * The account is built through app.commands.handle (Promise.all in chunks of 50, so the
 * group-commit writer batches them): 1,500 customer policies (5–20 statements over 2–4 of 10
 * services, some conditioned, some Deny), 300 groups with 1–10 policies each, users in 1–3
 * groups, 2% of users with 1–2 direct policies. Users: 10,000 × BENCH_SCALE asked for, but the
 * account quota (UsersPerAccount, maxUsersPerAccount) caps it at 5,000 — the row notes say so.
 *
 * Cold = fresh CompiledPolicyCache/Authorizer/WhoCan (no index, no compiled principal); warm =
 * the same call again on the same instances. PostgreSQL only unless BENCH_PGLITE=1.
 */
import { performance } from "node:perf_hooks";
import pino from "pino";
import type { Command } from "../src/app/command.js";
import { Authorizer } from "../src/authz/authorizer.js";
import { CompiledPolicyCache } from "../src/authz/compiled-policy-cache.js";
import { WhoCan } from "../src/authz/who-can.js";
import { loadConfig, type Config } from "../src/config/config.js";
import { maxGroupsPerAccount } from "../src/domain/groups/decide.js";
import { maxCustomerPoliciesPerAccount } from "../src/domain/policies/decide.js";
import { maxUsersPerAccount } from "../src/domain/users/decide.js";
import { startIamgraph } from "../src/runtime.js";
import { benchEnv, reports, withDatabase, type Bench, type Row, mulberry32 } from "./support.js";

const name = "principals-allowed";
const ACCOUNT = "123456789012";
const SERVICES = ["s3", "ec2", "dynamodb", "sqs", "sns", "logs", "lambda", "kms", "rds", "ssm"];
/** s3 is in most policies (broad), sqs rarely (narrow). */
const WEIGHTS = [8, 4, 3, 0.05, 1, 3, 2, 1, 1, 1];
const ACTIONS = ["sqs:SendMessage", "s3:GetObject", "ec2:DescribeInstances", "dynamodb:PutItem", "kms:Decrypt"];

function pickService(rng: () => number): string {
  const total = WEIGHTS.reduce((a, b) => a + b, 0);
  let x = rng() * total;
  for (let i = 0; i < SERVICES.length; i++) if ((x -= WEIGHTS[i]!) < 0) return SERVICES[i]!;
  return SERVICES[0]!;
}

const VERBS: Record<string, string[]> = {
  s3: ["GetObject", "PutObject", "ListBucket", "DeleteObject"],
  ec2: ["DescribeInstances", "StartInstances", "StopInstances"],
  dynamodb: ["GetItem", "PutItem", "Query", "Scan"],
  sqs: ["SendMessage", "ReceiveMessage", "DeleteMessage"],
  sns: ["Publish", "Subscribe"],
  logs: ["PutLogEvents", "CreateLogStream", "GetLogEvents"],
  lambda: ["InvokeFunction", "GetFunction"],
  kms: ["Decrypt", "Encrypt", "GenerateDataKey"],
  rds: ["DescribeDBInstances", "CreateDBSnapshot"],
  ssm: ["GetParameter", "PutParameter"],
};

function statement(rng: () => number, svc: string): Record<string, unknown> {
  const verbs = VERBS[svc]!;
  const verb = verbs[Math.floor(rng() * verbs.length)]!;
  const k = rng();
  if (k < 0.3) return { Effect: "Allow", Action: `${svc}:${verb}`, Resource: "*" };
  if (k < 0.45) return { Effect: "Allow", Action: `${svc}:${verb.replace(/[A-Z][a-z]+$/, "")}*`, Resource: "*" };
  if (k < 0.6) return { Effect: "Allow", Action: [`${svc}:${verb}`], Resource: `arn:aws:${svc}:us-east-1:${ACCOUNT}:thing-${Math.floor(rng() * 50)}` };
  if (k < 0.75) return { Effect: "Allow", Action: `${svc}:${verb}`, Resource: "*", Condition: { StringEquals: { "aws:PrincipalTag/team": `team-${Math.floor(rng() * 5)}` } } };
  if (k < 0.85) return { Effect: "Allow", Action: `${svc}:*`, Resource: "*", Condition: { IpAddress: { "aws:SourceIp": "10.0.0.0/8" } } };
  if (k < 0.95) return { Effect: "Deny", Action: `${svc}:${verb}`, Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } };
  return { Effect: "Deny", Action: `${svc}:${verb}`, Resource: "*" };
}

function policyDocument(rng: () => number): string {
  const services = Array.from({ length: 2 + Math.floor(rng() * 3) }, () => pickService(rng));
  const n = 5 + Math.floor(rng() * 16);
  return JSON.stringify({ Version: "2012-10-17", Statement: Array.from({ length: n }, (_, j) => statement(rng, services[j % services.length]!)) });
}

const bench: Bench = {
  name,
  description: "WhoCan.principalsAllowed(action, *) on ~5,000 users / 300 groups / 1,500 policies vs evaluating every user",
  async run({ backends, scale }) {
    const rows: Row[] = [];
    const selected = backends.filter((b) => b === "postgres" || process.env.BENCH_PGLITE === "1");
    if (selected.length === 0) process.stderr.write("  postgres unavailable and BENCH_PGLITE unset: nothing to run\n");
    for (const backend of selected) {
      await withDatabase(backend, async (db) => {
        const config: Config = loadConfig({ NODE_ENV: "production", LOG_LEVEL: "silent", IAMGRAPH_ACCOUNT_ID: ACCOUNT, ...benchEnv });
        const app = await startIamgraph(config, { db, logger: pino({ level: "silent" }), migrate: false });
        try {
          const wantedUsers = Math.round(10_000 * scale);
          const nUsers = Math.min(wantedUsers, maxUsersPerAccount);
          const nGroups = Math.min(Math.round(300 * scale), maxGroupsPerAccount);
          const nPolicies = Math.min(Math.round(1500 * scale), maxCustomerPoliciesPerAccount);
          const rng = mulberry32(7);
          const req = { actor: "bench" };
          const build = async (label: string, commands: Command[]) => {
            const t0 = performance.now();
            let last = t0;
            for (let i = 0; i < commands.length; i += 50) {
              await Promise.all(commands.slice(i, i + 50).map((c) => app.commands.handle(c, req)));
              if (performance.now() - last > 2000) {
                last = performance.now();
                const done = Math.min(i + 50, commands.length);
                process.stderr.write(`    ${backend} ${label}: ${done}/${commands.length} (${((done / (last - t0)) * 1000).toFixed(0)}/s)\n`);
              }
            }
            const s = (performance.now() - t0) / 1000;
            process.stderr.write(`  ✓ ${backend} ${label}: ${commands.length} commands in ${s.toFixed(1)}s (${(commands.length / s).toFixed(0)}/s)\n`);
            return { n: commands.length, s };
          };
          const policyArn = (p: number) => `arn:aws:iam::${ACCOUNT}:policy/pa-policy-${p}`;
          const buildStart = performance.now();
          const steps = [
            await build("CreatePolicy", Array.from({ length: nPolicies }, (_, p) => ({ type: "CreatePolicy", policyName: `pa-policy-${p}`, path: "/", policyDocument: policyDocument(rng), description: "", tags: [] }) as Command)),
            await build("CreateGroup", Array.from({ length: nGroups }, (_, g) => ({ type: "CreateGroup", groupName: `pa-group-${g}`, path: "/" }) as Command)),
          ];
          const attach: Command[] = [];
          for (let g = 0; g < nGroups; g++) {
            const k = 1 + Math.floor(rng() * 10);
            const ps = new Set<number>();
            while (ps.size < k) ps.add(Math.floor(rng() * nPolicies));
            for (const p of ps) attach.push({ type: "AttachPolicy", entityType: "group", entityName: `pa-group-${g}`, policyArn: policyArn(p) });
          }
          steps.push(await build("AttachPolicy (groups)", attach));
          steps.push(
            await build("CreateUser", Array.from({ length: nUsers }, (_, u) => ({ type: "CreateUser", userName: `pa-user-${u}`, path: "/", tags: [{ key: "team", value: `team-${u % 5}` }] }) as Command)),
          );
          const membership: Command[] = [];
          const direct: Command[] = [];
          for (let u = 0; u < nUsers; u++) {
            const k = 1 + Math.floor(rng() * 3);
            const gs = new Set<number>();
            while (gs.size < k) gs.add(Math.floor(rng() * nGroups));
            for (const g of gs) membership.push({ type: "AddUserToGroup", userName: `pa-user-${u}`, groupName: `pa-group-${g}` });
            if (rng() < 0.02) {
              const d = 1 + Math.floor(rng() * 2);
              for (let j = 0; j < d; j++) direct.push({ type: "AttachPolicy", entityType: "user", entityName: `pa-user-${u}`, policyArn: policyArn((u * 31 + j * 7) % nPolicies) });
            }
          }
          steps.push(await build("AddUserToGroup", membership));
          steps.push(await build("AttachPolicy (users)", direct));
          const buildSeconds = (performance.now() - buildStart) / 1000;
          const commandCount = steps.reduce((a, s) => a + s.n, 0);
          const capNote = nUsers < wantedUsers ? `; ${wantedUsers} users asked, capped at ${nUsers} by UsersPerAccount quota` : "";
          rows.push({
            bench: name,
            backend,
            case: "build account through commands.handle (chunks of 50)",
            ops: commandCount,
            seconds: buildSeconds,
            rate: commandCount / buildSeconds,
            note: `${nUsers} users, ${nGroups} groups, ${nPolicies} policies, ${attach.length} group attachments, ${membership.length} memberships, ${direct.length} direct${capNote}`,
          });

          const userArns = (await app.db.prisma.$queryRawUnsafe<{ arn: string }[]>(`SELECT arn FROM users ORDER BY arn`)).map((r) => r.arn);
          const fresh = () => {
            const authorizer = new Authorizer(new CompiledPolicyCache(app.db.prisma));
            return { authorizer, whoCan: new WhoCan(app.db.prisma, authorizer) };
          };
          const time = async <T>(fn: () => Promise<T>): Promise<{ ms: number; result: T }> => {
            const t0 = performance.now();
            const result = await fn();
            return { ms: performance.now() - t0, result };
          };
          const naiveOf = async (authorizer: Authorizer, action: string) => {
            const results = await authorizer.authorizeMany(userArns.map((principalArn) => ({ principalArn, action, resource: "*" })));
            return new Set(userArns.filter((_, i) => { const r = results[i]!; return !(r instanceof Error) && r.decision === "allowed"; }));
          };

          // Naive, cold once (every principal compiled), then warm per action on that instance.
          const naive = fresh();
          const naiveCold = await time(() => naiveOf(naive.authorizer, ACTIONS[0]!));
          process.stderr.write(`  ✓ ${backend} naive cold (${userArns.length} principals loaded+compiled, ${ACTIONS[0]}): ${naiveCold.ms.toFixed(0)} ms\n`);
          const lines: string[] = [];
          let allSame = true;
          for (const action of ACTIONS) {
            const w2 = fresh();
            const cold = await time(() => w2.whoCan.principalsAllowed(action, "*"));
            // Index already built: this is the per-call candidate step (action scan of the index + SQL).
            const candStep = await time(() => w2.whoCan.candidatePrincipals(action));
            const cands = candStep.result;
            const warmRuns: number[] = [];
            let warmSet = new Set<string>();
            for (let k = 0; k < 5; k++) {
              const r = await time(() => w2.whoCan.principalsAllowed(action, "*"));
              warmRuns.push(r.ms);
              warmSet = new Set(r.result.map((p) => p.principalArn));
            }
            const naiveRuns: number[] = [];
            let naiveSet = new Set<string>();
            for (let k = 0; k < 3; k++) {
              const r = await time(() => naiveOf(naive.authorizer, action));
              naiveRuns.push(r.ms);
              naiveSet = r.result;
            }
            const coldSet = new Set(cold.result.map((p) => p.principalArn));
            const same = sameSet(coldSet, naiveSet) && sameSet(warmSet, naiveSet);
            allSame &&= same;
            const warmMs = median(warmRuns);
            const naiveMs = median(naiveRuns);
            const line =
              `${action}: candidates ${cands.length}/${userArns.length}, allowed ${naiveSet.size}; whoCan cold ${cold.ms.toFixed(0)} ms, warm ${warmMs.toFixed(1)} ms (candidate step ${candStep.ms.toFixed(1)} ms); ` +
              `naive warm ${naiveMs.toFixed(1)} ms (${(naiveMs / warmMs).toFixed(1)}× warm whoCan); same set: ${same ? "yes" : "NO"}`;
            process.stderr.write(`  ✓ ${backend} ${line}\n`);
            lines.push(`  ${line}`);
            rows.push({ bench: name, backend, case: `whoCan ${action} cold`, ops: 1, seconds: cold.ms / 1000, rate: 1000 / cold.ms, note: `index build + ${cands.length}/${userArns.length} candidates compiled; allowed ${coldSet.size}` });
            rows.push({ bench: name, backend, case: `whoCan ${action} warm (median of 5)`, ops: 1, seconds: warmMs / 1000, rate: 1000 / warmMs, note: `candidate step (index scan + SQL) ${candStep.ms.toFixed(1)} ms; same set as naive: ${same ? "yes" : "NO"}` });
            rows.push({ bench: name, backend, case: `naive ${action} warm (median of 3)`, ops: 1, seconds: naiveMs / 1000, rate: 1000 / naiveMs, note: `${userArns.length} principals evaluated; ${(naiveMs / warmMs).toFixed(1)}× warm whoCan` });
          }
          rows.push({ bench: name, backend, case: `naive ${ACTIONS[0]} cold`, ops: 1, seconds: naiveCold.ms / 1000, rate: 1000 / naiveCold.ms, note: `all ${userArns.length} principals loaded and compiled` });
          reports.push(
            `principals-allowed (${backend}): ${nUsers} users${capNote}, build ${buildSeconds.toFixed(1)}s for ${commandCount} commands; naive cold ${naiveCold.ms.toFixed(0)} ms\n${lines.join("\n")}\n  all sets equal: ${allSame ? "yes" : "NO"}`,
          );
          if (!allSame) throw new Error("principalsAllowed and the naive answer differ");
        } finally {
          await app.close();
        }
      });
    }
    return rows;
  },
};

export default bench;

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
