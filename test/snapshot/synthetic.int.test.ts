import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedAwsManagedPolicies } from "../../src/app/seed-aws-managed.js";
import { headPosition } from "../../src/eventstore/read.js";
import { accountAuthorizationDetailsAt } from "../../src/snapshot/export-details.js";
import { postgres, postgresUrl, embedded } from "../support/databases.js";
import { syntheticSeries } from "../fixtures/aws/generate-snapshots.js";
import { comparable, startSnapshotApp, type SnapshotApp } from "./snapshot-app.js";

// The seeded synthetic account (1,000 users, 100 groups, 300 policies, 50 roles) and two days of
// changes: each day imports, appends only that day's changes, and exports back as that day's file.
// On PostgreSQL when there is one (the larger case), else embedded.

describe(`the synthetic account over three days on ${postgresUrl ? "postgres" : "embedded"}`, () => {
  let t: SnapshotApp;
  const series = syntheticSeries(15, 2);
  beforeAll(async () => {
    t = await startSnapshotApp(postgresUrl ? postgres : embedded);
    await seedAwsManagedPolicies(t.db.prisma);
  }, 120_000);
  afterAll(() => t.close());

  it("imports day 0 whole, then each day's differences; the export equals each day's file", { timeout: 600_000 }, async () => {
    const first = await t.importText(JSON.stringify(series[0]!.json), { asOf: series[0]!.asOf, source: "day0.json" });
    expect(first.eventCounts.UserCreated).toBe(1000);
    expect(first.eventCounts.GroupCreated).toBe(100);
    expect(first.eventCounts.PolicyCreated).toBe(300);
    expect(first.eventCounts.RoleCreated).toBe(50);
    for (const [i, day] of series.entries()) {
      if (i > 0) {
        const report = await t.importText(JSON.stringify(day.json), { asOf: day.asOf, source: `day${i}.json` });
        // 10 joiners and 10 leavers a day; a day's changes are a small part of the account's events.
        expect(report.eventCounts.UserCreated).toBe(10);
        expect(report.eventCounts.UserDeleted).toBe(10);
        expect(report.eventCounts.UserUpdated).toBeGreaterThan(0);
        expect(report.eventCounts.PolicyVersionCreated).toBeGreaterThan(0);
        expect(Object.values(report.eventCounts).reduce((a, b) => a + b, 0)).toBeLessThan(first.position / 10);
      }
      expect(comparable(await accountAuthorizationDetailsAt(t.db.prisma, "111122223333", await headPosition(t.db.prisma)))).toEqual(comparable(day.json));
    }
    const again = await t.importText(JSON.stringify(series[2]!.json), { asOf: series[2]!.asOf });
    expect(again.commands).toBe(0);
  });
});
