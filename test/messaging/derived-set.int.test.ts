import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createCommandPipeline, type CommandPipeline } from "../../src/app/command-pipeline.js";
import type { Command } from "../../src/app/command.js";
import { deriveSet, isDerivable, loadSetFacts } from "../../src/messaging/derived-set.js";
import { loadKnownSets, type KnownSet } from "../../src/messaging/known-set.js";
import { backends, type TestDatabase } from "../support/databases.js";
import { prng } from "../support/prng.js";

// The live hub derives a principal's new set from attach/detach events instead of re-reading
// it: the derived set must be the one the projection holds, for any sequence of such events.

const account = "123456789012";
const allow = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] });
const plain = (s: KnownSet) => ({ principalId: s.principalId, groupIds: [...s.groupIds].sort(), paths: [...s.paths].sort(([a], [b]) => a.localeCompare(b)) });

describe.each(backends)("derived sets equal the projection's, on $name", (backend) => {
  let db: TestDatabase;
  let pipeline: CommandPipeline;
  const run = async (command: Command) => [...(await pipeline.handle(command, { actor: `arn:aws:iam::${account}:root` })).events];

  beforeAll(async () => {
    db = await backend.open();
    pipeline = createCommandPipeline({ db, accountId: account, logger: pino({ level: "silent" }) });
  });
  afterAll(async () => {
    await db?.dispose();
  });

  test("random attach/detach sequences on users and groups", async () => {
    const random = prng(17).next;
    const users = ["d0", "d1", "d2", "d3"];
    const groups = ["dg0", "dg1"];
    const arns: string[] = [];
    for (const u of users) await run({ type: "CreateUser", userName: u, path: "/", tags: [] });
    for (const g of groups) await run({ type: "CreateGroup", groupName: g, path: "/" });
    for (const [i, u] of users.entries()) for (const [j, g] of groups.entries()) if ((i + j) % 2 === 0 || i === 3) await run({ type: "AddUserToGroup", userName: u, groupName: g });
    for (let i = 0; i < 4; i++) {
      const events = await run({ type: "CreatePolicy", policyName: `dp${i}`, path: i % 2 ? "/team/" : "/", policyDocument: allow, description: "", tags: [] });
      arns.push((events[0]!.data as { arn: string }).arn);
    }
    const principalArns = users.map((u) => `arn:aws:iam::${account}:user/${u}`);
    const attached = new Set<string>();
    let known = await loadKnownSets(db.prisma, principalArns);
    let changes = 0;
    for (let step = 0; step < 40; step++) {
      const onGroup = random() < 0.5;
      const entityName = onGroup ? groups[Math.floor(random() * groups.length)]! : users[Math.floor(random() * users.length)]!;
      const policyArn = arns[Math.floor(random() * arns.length)]!;
      const key = `${entityName}|${policyArn}`;
      const entityType = onGroup ? "group" : "user";
      const events = attached.has(key)
        ? await run({ type: "DetachPolicy", entityType, entityName, policyArn })
        : await run({ type: "AttachPolicy", entityType, entityName, policyArn });
      if (attached.has(key)) attached.delete(key);
      else attached.add(key);
      expect(isDerivable(events)).toBe(true);
      const facts = await loadSetFacts(db.prisma, events);
      expect(facts.head).toBe(events.at(-1)!.position);
      const reread = await loadKnownSets(db.prisma, principalArns);
      for (const arn of principalArns) {
        const derived = deriveSet(known.get(arn)!, events, facts);
        expect(plain(derived)).toEqual(plain(reread.get(arn)!));
        if (derived !== known.get(arn)) changes++;
      }
      known = reread;
    }
    // The sequence did change sets (through groups and directly), so the comparison meant something.
    expect(changes).toBeGreaterThan(40);
  });
});
