import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { CatalogueVersion } from "../../src/catalogue/aws-managed-artifact.js";
import { importAwsCatalogue } from "../../src/catalogue/import-aws-managed.js";
import { backends } from "../support/databases.js";
import { startLiveServer, subscribeWs, untilSubscribers, type LiveServer } from "../support/live-server.js";

// An AWS update reaches a running server's subscribers like any default-version move: a newer
// package imported into the store (as another instance's restart would) flips alice's decision
// and updates her effective set, the cause being AWS's PolicyDefaultVersionSet by actor aws.

const name = "AmazonS3PretendLiveAccess";
const arn = `arn:aws:iam::aws:policy/${name}`;
const doc = (...actions: string[]) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: actions, Resource: "*" }] });
const v1: CatalogueVersion = { name, path: "/", versionId: "v1", effectiveAt: "2020-01-01T00:00:00.000Z", estimated: false, first: true, document: doc("s3:GetObject") };
const v2: CatalogueVersion = { ...v1, versionId: "v2", first: false, effectiveAt: "2021-01-01T00:00:00.000Z", document: doc("s3:GetObject", "s3:PutObject") };

function artifact(versions: CatalogueVersion[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "iamgraph-aws-live-"));
  fs.writeFileSync(path.join(dir, "versions.ndjson"), versions.map((v) => JSON.stringify(v)).join("\n") + "\n");
  fs.writeFileSync(path.join(dir, "manifest.json"), JSON.stringify({ format: 1, source: "test", policies: 1, versions: versions.length, estimatedDates: 0, sha256: "-", names: [["/", name]] }));
  return dir;
}

const decision = `subscription ($arn: String!) { decisionChanged(principalArn: $arn, action: "s3:PutObject", resource: "*") { before after allowed cause { type actor } } }`;
const permissions = `subscription ($arn: String!) { permissionsChanged(principalArn: $arn) { cause { type actor } updated { policyName versionId } entered { policyName } left { policyName } } }`;

for (const backend of backends) {
  describe(`AWS updates reach subscribers (${backend.name})`, () => {
    let s: LiveServer;
    const dirs = [artifact([v1]), artifact([v1, v2])];
    beforeAll(async () => {
      s = await startLiveServer(backend);
    });
    afterAll(async () => {
      await s?.close();
      for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
    });

    test("the new AWS version flips alice's decision and updates her set; cause: actor aws", async () => {
      await importAwsCatalogue(s.db.prisma, { dir: dirs[0]! });
      const alice = (await s.mutate("createUser", { userName: "alice" }, "UserPayload")).user.arn as string;
      await s.mutate("attachUserPolicy", { userName: "alice", policyArn: arn });
      const client = s.wsClient();
      const before = s.subscriptions();
      const d = await subscribeWs(client, decision, { arn: alice });
      const p = await subscribeWs(client, permissions, { arn: alice });
      await untilSubscribers(s, before + 2);

      expect(await importAwsCatalogue(s.db.prisma, { dir: dirs[1]! })).toMatchObject({ appended: 1 });
      const [flip] = await d.waitFor(1);
      expect(flip).toEqual({ before: "implicitDeny", after: "allowed", allowed: true, cause: { type: "PolicyDefaultVersionSet", actor: "aws" } });
      const [change] = await p.waitFor(1);
      expect(change).toEqual({ cause: { type: "PolicyDefaultVersionSet", actor: "aws" }, updated: [{ policyName: name, versionId: "v2" }], entered: [], left: [] });
      const now = await s.request(`{ authorize(principalArn: "${alice}", action: "s3:PutObject", resource: "*") { ... on AuthorizationDecision { decision } } }`);
      expect(now.data.authorize.decision).toBe("allowed");
    });
  });
}
