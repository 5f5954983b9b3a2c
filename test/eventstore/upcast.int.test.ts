import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { upcastEvent } from "../../events/catalogue.js";
import { readStream } from "../../src/eventstore/read.js";
import { entityAt } from "../../src/history/state-at.js";
import { checkLogFile } from "../../src/eventstore/log-file.js";
import { embedded, type TestDatabase } from "../support/databases.js";

// Schema evolution: an event stored at an old schema version is read as the current shape.
// No real event type has a second version yet, so this suite swaps in a test-local catalogue
// entry: UserTagged at v2 (today's shape, a list of tags) with an upcaster from a flat v1
// (one tag per event). Everything downstream — readStream, folding, history, import — goes
// through the one real `upcastEvent`.

vi.mock("../../events/users.js", async (importOriginal) => {
  const original = await importOriginal<typeof import("../../events/users.js")>();
  const { defineEvent } = await import("../../events/event-definition.js");
  return {
    ...original,
    UserTagged: defineEvent("UserTagged", original.UserTagged.schema, {
      schemaVersion: 2,
      upcasters: { 1: (d) => { const v1 = d as { userId: string; key: string; value: string }; return { userId: v1.userId, tags: [{ key: v1.key, value: v1.value }] }; } },
    }),
  };
});

const fixture = JSON.parse(fs.readFileSync(new URL("./fixtures/user-tagged.v1.json", import.meta.url), "utf8")) as { type: string; schemaVersion: number; data: unknown };
const userId = "AIDAALICE000000000000";
const stream = `user-${userId}`;
const meta = JSON.stringify({ accountId: "123456789012", actor: "admin", requestId: "r", correlationId: "r" });

describe("upcasting old event versions", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await embedded.open();
    const created = { userId, userName: "alice", path: "/", arn: "arn:aws:iam::123456789012:user/alice", tags: [] };
    // Written as an old build would have: raw rows, the v1 JSON exactly as in the fixture.
    await db.sql.exec(
      `INSERT INTO events (stream_id, stream_version, type, schema_version, data, metadata, occurred_at) VALUES
        ('${stream}', 1, 'UserCreated', 1, '${JSON.stringify(created)}', '${meta}', now()),
        ('${stream}', 2, '${fixture.type}', ${fixture.schemaVersion}, '${JSON.stringify(fixture.data)}', '${meta}', now())`,
    );
  });
  afterAll(async () => db?.dispose());

  it("reads a v1 event from the log as the current v2 shape, keeping the stored version", async () => {
    const events = await readStream(db.prisma, stream);
    expect(events[1]).toMatchObject({ type: "UserTagged", schemaVersion: 1, data: { userId, tags: [{ key: "team", value: "red" }] } });
  });

  it("folds upcast events like current ones (point-in-time state sees the tag)", async () => {
    const alice = await entityAt(db.prisma, "user", "name", "alice", 2);
    expect(alice?.state.status === "active" && alice.state.tags).toEqual([{ key: "team", value: "red" }]);
  });

  it("accepts v1 and v2 in an import file, and refuses versions the build does not know", () => {
    const line = (schemaVersion: number, data: unknown) => JSON.stringify({ position: 1, streamId: stream, streamVersion: 1, type: "UserTagged", schemaVersion, data, metadata: JSON.parse(meta), occurredAt: new Date(0).toISOString() });
    const file = (l: string) => `{"format":"iamgraph-events","version":1}\n${l}\n{"end":true,"count":1,"lastPosition":1}\n`;
    expect(checkLogFile(file(line(1, fixture.data))).events[0]!.data).toEqual({ userId, tags: [{ key: "team", value: "red" }] });
    expect(checkLogFile(file(line(2, { userId, tags: [] }))).events[0]!.data).toEqual({ userId, tags: [] });
    expect(() => checkLogFile(file(line(3, {})))).toThrow(/has no schema version 3/);
  });

  it("refuses a newer version than the build knows, and old data the upcaster cannot lift", () => {
    expect(() => upcastEvent("UserTagged", 3, {})).toThrow(/newer than this build knows/);
    expect(() => upcastEvent("UserTagged", 1, { userId })).toThrow();
  });
});
