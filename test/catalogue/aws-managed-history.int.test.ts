import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { CatalogueVersion } from "../../src/catalogue/aws-managed-artifact.js";
import { importAwsCatalogue } from "../../src/catalogue/import-aws-managed.js";
import { rebuildProjections } from "../../src/projections/rebuild.js";
import { backends } from "../support/databases.js";
import { ok, startTestApp, type TestApp } from "../support/graphql.js";

// AWS's changes are history at AWS's dates (src/history/aws-dated.ts). A small catalogue artifact
// of one AWS policy is imported, alice gets it, bob is created; then an "upgraded package" adds v2
// dated between alice's attachment and bob's creation. The upgrade appends only v2 — after bob in
// the log — yet every point after v2's AWS date sees it and every point before it sees v1.

const account = "123456789012";
const name = "AmazonS3PretendAccess";
const arn = `arn:aws:iam::aws:policy/service-role/${name}`;
const doc = (...actions: string[]) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: actions, Resource: "*" }] });
const alice = `arn:aws:iam::${account}:user/alice`;

function artifact(versions: CatalogueVersion[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "iamgraph-aws-catalogue-"));
  fs.writeFileSync(path.join(dir, "versions.ndjson"), versions.map((v) => JSON.stringify(v)).join("\n") + "\n");
  const manifest = { format: 1, source: "test", policies: 1, versions: versions.length, estimatedDates: 0, sha256: "-", names: [["/service-role/", name]] };
  fs.writeFileSync(path.join(dir, "manifest.json"), JSON.stringify(manifest));
  return dir;
}
const v1: CatalogueVersion = { name, path: "/service-role/", versionId: "v1", effectiveAt: "2020-01-01T00:00:00.000Z", estimated: false, first: true, document: doc("s3:GetObject") };

for (const backend of backends) {
  describe(`AWS-managed versions in history (${backend.name})`, () => {
    let t: TestApp;
    const dirs: string[] = [];
    let attachedAt: { position: number; time: Date };
    let bobAt: { position: number; time: Date };
    let v2At: Date;
    beforeAll(async () => {
      t = await startTestApp(backend);
      dirs.push(artifact([v1]));
      expect(await importAwsCatalogue(t.db.prisma, { dir: dirs[0]! })).toMatchObject({ versions: 1, appended: 1 });
      ok(await t.client.request(`mutation { createUser(userName: "alice") { __typename ... on IamError { code message } } }`), "createUser");
      const a = ok(await t.client.request(`mutation ($p: String!) { attachUserPolicy(userName: "alice", policyArn: $p) { __typename ... on IamError { code message } ... on PositionPayload { position } } }`, { p: arn }), "attachUserPolicy");
      attachedAt = { position: Number(a.position), time: (await t.db.prisma.event.findFirstOrThrow({ where: { position: BigInt(a.position) } })).occurredAt };
      // Distinct milliseconds for the two events, so an AWS date can fall between them.
      await new Promise((r) => setTimeout(r, 20));
      const b = ok(await t.client.request(`mutation { createUser(userName: "bob") { __typename ... on IamError { code message } ... on UserPayload { position } } }`), "createUser");
      bobAt = { position: Number(b.position), time: (await t.db.prisma.event.findFirstOrThrow({ where: { position: BigInt(b.position) } })).occurredAt };
      v2At = new Date((attachedAt.time.getTime() + bobAt.time.getTime()) / 2);
      expect(v2At.getTime()).toBeGreaterThan(attachedAt.time.getTime());
    }, 120_000);
    afterAll(async () => {
      await t?.close();
      for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
    });

    const authorizeAt = async (asOf: object, action: string) =>
      (await t.client.request(`query ($a: String!, $asOf: AsOfInput) { authorize(principalArn: "${alice}", action: $a, resource: "*", asOf: $asOf) { ... on AuthorizationDecision { decision } } }`, { a: action, asOf })).data
        .authorize.decision;

    test("an upgraded package appends only the version the log lacks, by actor aws, at AWS's date", async () => {
      const head = await t.eventCount();
      dirs.push(artifact([v1, { ...v1, versionId: "v2", first: false, effectiveAt: v2At.toISOString(), document: doc("s3:GetObject", "s3:PutObject") }]));
      expect(await importAwsCatalogue(t.db.prisma, { dir: dirs[1]! })).toMatchObject({ versions: 2, appended: 1 });
      const added = await t.db.prisma.event.findMany({ where: { position: { gt: head } }, orderBy: { position: "asc" } });
      expect(added.map((e) => [e.type, (e.data as any).versionId, (e.data as any).effectiveAt, (e.metadata as any).actor])).toEqual([
        ["PolicyVersionCreated", "v2", v2At.toISOString(), "aws"],
        ["PolicyDefaultVersionSet", "v2", v2At.toISOString(), "aws"],
      ]);
      expect(Number(added[0]!.position)).toBeGreaterThan(bobAt.position);
      expect(await importAwsCatalogue(t.db.prisma, { dir: dirs[1]! })).toMatchObject({ appended: 0 });
      expect(await t.eventCount()).toBe(head + 2);
      // Now: the read model and the authorizer have v2.
      expect(await authorizeAt({}, "s3:PutObject")).toBe("allowed");
      const row = await t.db.prisma.policy.findUniqueOrThrow({ where: { arn }, select: { defaultVersionId: true, updatedAt: true } });
      expect(row).toEqual({ defaultVersionId: "v2", updatedAt: v2At });
    });

    test("a point before v2's AWS date sees v1, a point after it sees v2 — though v2 was appended after both", async () => {
      expect(await authorizeAt({ position: attachedAt.position }, "s3:GetObject")).toBe("allowed");
      expect(await authorizeAt({ position: attachedAt.position }, "s3:PutObject")).toBe("implicitDeny");
      expect(await authorizeAt({ timestamp: new Date(v2At.getTime() - 1).toISOString() }, "s3:PutObject")).toBe("implicitDeny");
      expect(await authorizeAt({ timestamp: v2At.toISOString() }, "s3:PutObject")).toBe("allowed");
      expect(await authorizeAt({ position: bobAt.position }, "s3:PutObject")).toBe("allowed");
    });

    test("permissionDiff names AWS's version as the cause; accessTimeline opens at AWS's date", async () => {
      const r = await t.client.request(
        `query ($f: AsOfInput!, $to: AsOfInput!) { permissionDiff(principalArn: "${alice}", from: $f, to: $to, actions: ["s3:PutObject"]) {
          changes { change path beforeVersionId afterVersionId cause { type occurredAt metadata { actor } } } decisions { action before after flipped } } }`,
        { f: { position: attachedAt.position }, to: { position: bobAt.position } },
      );
      const diff = r.data.permissionDiff;
      expect(diff.changes).toHaveLength(1);
      expect(diff.changes[0]).toMatchObject({ change: "changed", beforeVersionId: "v1", afterVersionId: "v2", cause: { type: "PolicyDefaultVersionSet", metadata: { actor: "aws" } } });
      expect(new Date(diff.changes[0].cause.occurredAt).toISOString()).toBe(v2At.toISOString());
      expect(diff.decisions).toEqual([{ action: "s3:PutObject", before: "implicitDeny", after: "allowed", flipped: true }]);

      const tl = await t.client.request(`query { accessTimeline(principalArn: "${alice}", action: "s3:PutObject") { openedBy { type occurredAt } closedBy { type } } }`);
      expect(tl.data.accessTimeline).toHaveLength(1);
      expect(tl.data.accessTimeline[0].closedBy).toBeNull();
      expect(new Date(tl.data.accessTimeline[0].openedBy.occurredAt).toISOString()).toBe(v2At.toISOString());
    });

    test("a rebuild replays the AWS versions into the same read model", async () => {
      const read = () => t.db.prisma.policyVersion.findMany({ where: { policy: { arn } }, orderBy: { versionId: "asc" }, select: { versionId: true, document: true, isDefault: true, createdAt: true } });
      const before = await read();
      await rebuildProjections(t.db);
      expect(await read()).toEqual(before);
      expect(before.map((v) => [v.versionId, v.isDefault, v.createdAt.toISOString()])).toEqual([
        ["v1", false, v1.effectiveAt],
        ["v2", true, v2At.toISOString()],
      ]);
      expect(await t.db.prisma.policy.findUniqueOrThrow({ where: { arn }, select: { isAwsManaged: true, accountId: true } })).toEqual({ isAwsManaged: true, accountId: "aws" });
    });
  });
}

for (const backend of backends) {
  describe(`a store seeded by the builtin catalogue, then run with the full one (${backend.name})`, () => {
    test("the seeded rows give way to the policy's stream; attachments stay; the builtin seed then leaves the stream's rows alone", async () => {
      const t = await startTestApp(backend); // builtin: AdministratorAccess seeded into the read model, no events
      const adminArn = "arn:aws:iam::aws:policy/AdministratorAccess";
      const dir = artifact([]);
      try {
        ok(await t.client.request(`mutation { createUser(userName: "root-ish") { __typename ... on IamError { code message } } }`), "createUser");
        ok(await t.client.request(`mutation ($p: String!) { attachUserPolicy(userName: "root-ish", policyArn: $p) { __typename ... on IamError { code message } } }`, { p: adminArn }), "attachUserPolicy");
        const full: CatalogueVersion = { name: "AdministratorAccess", path: "/", versionId: "v1", effectiveAt: "2015-02-06T18:39:46.000Z", estimated: false, first: true, document: doc("*") };
        fs.writeFileSync(path.join(dir, "versions.ndjson"), JSON.stringify(full) + "\n");
        fs.writeFileSync(path.join(dir, "manifest.json"), JSON.stringify({ format: 1, source: "test", policies: 1, versions: 1, estimatedDates: 0, sha256: "-", names: [["/", "AdministratorAccess"]] }));
        expect(await importAwsCatalogue(t.db.prisma, { dir })).toMatchObject({ appended: 1 });
        const row = await t.db.prisma.policy.findUniqueOrThrow({ where: { arn: adminArn }, include: { versions: true } });
        expect({ createdAt: row.createdAt.toISOString(), description: row.description, versions: row.versions.map((v) => [v.versionId, v.isDefault, v.document]) }).toEqual({
          createdAt: full.effectiveAt,
          description: "Provides full access to AWS services and resources.",
          versions: [["v1", true, doc("*")]],
        });
        const r = await t.client.request(`{ authorize(principalArn: "arn:aws:iam::${account}:user/root-ish", action: "ec2:RunInstances", resource: "*") { ... on AuthorizationDecision { decision } } }`);
        expect(r.data.authorize.decision).toBe("allowed");
        // Back to builtin (a restart with IAMGRAPH_AWS_CATALOGUE=builtin): the stream's rows are kept.
        const { seedAwsManagedPolicies } = await import("../../src/app/seed-aws-managed.js");
        await seedAwsManagedPolicies(t.db.prisma);
        expect((await t.db.prisma.policy.findUniqueOrThrow({ where: { arn: adminArn } })).createdAt.toISOString()).toBe(full.effectiveAt);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
        await t.close();
      }
    });
  });
}
