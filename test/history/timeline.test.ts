import { describe, expect, it } from "vitest";
import { decideAt } from "../../src/history/decide-at.js";
import { effectiveSetOf } from "../../src/history/effective-set.js";
import { permissionDiff } from "../../src/history/permission-diff.js";
import { accessTimeline, worldAt } from "../../src/history/timeline.js";
import { account, alice, aliceArn, devs, devsArn, doc, ev, log, s3, s3Arn } from "./history-fixtures.js";

// Known histories, folded purely: create, attach, detach, re-attach, group paths, version moves.

const history = log(
  [alice, ev.userCreated()], // 1
  [s3, ev.policyCreated(doc(["s3:GetObject"]))], // 2
  [alice, ev.attach("user"), "bob"], // 3: allowed from here
  [alice, ev.detach("user"), "carol"], // 4: denied again
  [devs, ev.groupCreated()], // 5
  [devs, ev.attach("group"), "dave"], // 6: nothing yet, alice is not in devs
  [alice, ev.joined(), "erin"], // 7: allowed through devs
  [s3, ev.versionCreated("v2", doc(["s3:ListBucket"])), "frank"], // 8: v2 created (CreatePolicyVersion SetAsDefault…)
  [s3, ev.defaultSet("v2", "v1"), "frank"], // 9: …and made default → GetObject gone
  [s3, ev.defaultSet("v1", "v2"), "gina"], // 10: back to v1
  [alice, ev.left(), "hank"], // 11: gone
);

const decisionAt = (position: number, action = "s3:GetObject") => {
  const set = effectiveSetOf(worldAt(history, { position, time: new Date(0) }), alice, account);
  return set ? decideAt(set, { action, resource: "*" }, new Date(0)).decision : "noPrincipal";
};

describe("point in time by per-entity folding", () => {
  it("gives the decision at each position of create, attach, detach, re-attach through a group", () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map((p) => decisionAt(p))).toEqual([
      "noPrincipal",
      "implicitDeny",
      "implicitDeny",
      "allowed",
      "implicitDeny",
      "implicitDeny",
      "implicitDeny",
      "allowed",
      "allowed",
      "implicitDeny",
      "allowed",
      "implicitDeny",
    ]);
    expect(decisionAt(9, "s3:ListBucket")).toBe("allowed");
  });

  it("reports the same provenance shape as the projection-based loader", () => {
    const set = effectiveSetOf(worldAt(history, { position: 7, time: new Date(0) }), alice, account)!;
    expect(set.entries.map((e) => e.source)).toEqual([
      { kind: "managed", policyArn: s3Arn, policyName: "S3Read", versionId: "v1", attachedTo: { type: "group", name: "devs", arn: devsArn }, viaGroup: { name: "devs", arn: devsArn }, role: "identity" },
    ]);
  });
});

describe("accessTimeline", () => {
  it("lists each interval with the events that opened and closed it", () => {
    const intervals = accessTimeline(history, alice, account, { action: "s3:GetObject", resource: "*" });
    expect(intervals.map((i) => [i.openedBy.position, i.openedBy.metadata.actor, i.closedBy?.position, i.closedBy?.type])).toEqual([
      [3, "bob", 4, "ManagedPolicyDetached"],
      [7, "erin", 9, "PolicyDefaultVersionSet"],
      [10, "gina", 11, "UserRemovedFromGroup"],
    ]);
    expect(intervals[0]!.allowedBy[0]!.source.attachedTo).toEqual({ type: "user", name: "alice", arn: aliceArn });
  });

  it("leaves the last interval open while the request is still allowed", () => {
    const intervals = accessTimeline(history.slice(0, 7), alice, account, { action: "s3:GetObject", resource: "*" });
    expect(intervals.at(-1)!.closedBy).toBeUndefined();
  });
});

describe("permissionDiff", () => {
  const range = (from: number, to: number) => ({ from, to, fromTime: new Date(0), toTime: new Date(0) });

  it("attributes an entering group path to the membership event, not to the earlier attachment", () => {
    const diff = permissionDiff(history, alice, account, range(4, 7), ["s3:GetObject"]);
    expect(diff.changes.map((c) => [c.change, c.cause.position, c.cause.type, c.cause.metadata.actor, c.description])).toEqual([
      ["entered", 7, "UserAddedToGroup", "erin", "membership of group devs → attachment of S3Read to group devs"],
    ]);
    expect(diff.decisions).toEqual([{ action: "s3:GetObject", resource: "*", before: "implicitDeny", after: "allowed" }]);
  });

  it("shows a moved default version as a change of the same path, with the statements that entered and left", () => {
    const diff = permissionDiff(history, alice, account, range(7, 9), ["s3:GetObject", "s3:ListBucket"]);
    expect(diff.changes).toHaveLength(1);
    const [change] = diff.changes;
    expect(change!.change).toBe("changed");
    expect([change!.cause.type, change!.cause.position]).toEqual(["PolicyDefaultVersionSet", 9]);
    expect(change!.description).toBe("default version of S3Read moved v1→v2 (membership of group devs → attachment of S3Read to group devs)");
    expect(change!.statementsEntered.map((s) => s.action)).toEqual([["s3:ListBucket"]]);
    expect(change!.statementsLeft.map((s) => s.action)).toEqual([["s3:GetObject"]]);
    expect(diff.decisions.map((d) => [d.action, d.before, d.after])).toEqual([
      ["s3:GetObject", "allowed", "implicitDeny"],
      ["s3:ListBucket", "implicitDeny", "allowed"],
    ]);
  });

  it("reports nothing for a path that changed and changed back, and a left path with its cause", () => {
    expect(permissionDiff(history, alice, account, range(2, 4)).changes).toEqual([]);
    const diff = permissionDiff(history, alice, account, range(7, 11));
    expect(diff.changes.map((c) => [c.change, c.cause.position])).toEqual([["left", 11]]);
  });
});
