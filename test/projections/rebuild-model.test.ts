import { describe, expect, it } from "vitest";
import { emptyModel } from "../../src/projections/rebuild-model.js";

// The in-memory interpreter must do what the SQL one does for each row operation; the
// rebuild-equals-incremental tests check that end to end, these pin the corner cases.
describe("in-memory row operations", () => {
  const row = { principal_id: "U", source_key: "managed:a", via_group_id: "G", kind: "managed", since: "t1" };

  it("insert leaves an existing row alone; upsert replaces it", () => {
    const m = emptyModel();
    m.effective_policies.perform({ op: "insert", table: "effective_policies", row });
    m.effective_policies.perform({ op: "insert", table: "effective_policies", row: { ...row, since: "t2" } });
    expect(m.effective_policies.find({ principal_id: "U" })).toEqual([row]);
    m.effective_policies.perform({ op: "upsert", table: "effective_policies", row: { ...row, since: "t3" } });
    expect(m.effective_policies.find({ principal_id: "U" })).toEqual([{ ...row, since: "t3" }]);
  });

  it("update and delete touch exactly the rows matching every column, through a lookup", () => {
    const m = emptyModel();
    for (const [p, via] of [["U", "G"], ["U", ""], ["V", "G"]]) m.effective_policies.perform({ op: "insert", table: "effective_policies", row: { ...row, principal_id: p, via_group_id: via } });
    m.effective_policies.perform({ op: "update", table: "effective_policies", where: { via_group_id: "G", principal_id: "V" }, set: { kind: "x" } });
    m.effective_policies.perform({ op: "delete", table: "effective_policies", where: { principal_id: "U", via_group_id: "" } });
    m.effective_policies.perform({ op: "update", table: "effective_policies", where: { principal_id: "nobody" }, set: { kind: "y" } });
    expect([...m.effective_policies.rows.values()].map((r) => [r.principal_id, r.via_group_id, r.kind]).sort()).toEqual([
      ["U", "G", "managed"],
      ["V", "G", "x"],
    ]);
    expect(m.effective_policies.find({ via_group_id: "G", source_key: "other" })).toEqual([]);
  });

  it("refuses a lookup no table declares, rather than scanning", () => {
    expect(() => emptyModel().effective_policies.find({ kind: "managed" })).toThrow(/no lookup by kind/);
  });
});
