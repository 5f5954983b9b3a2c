import { describe, expect, it } from "vitest";
import { effectivePaths, pathKey, policyNameOfArn } from "../../src/domain/permissions/effective-paths.js";

// IAM-REFERENCE "Evaluation" 2: a user's policies are its own, its groups', and its boundary.
describe("effective paths", () => {
  const own = { type: "user" as const, id: "AIDAUSER", attachedArns: ["arn:aws:iam::aws:policy/service-role/Lambda"], inlineNames: ["mine"] };
  const devs = { type: "group" as const, id: "AGPADEVS", attachedArns: ["arn:aws:iam::123456789012:policy/team/Read"], inlineNames: ["dev"] };

  it("gives a user its own policies, each group's through the group, and its boundary", () => {
    const paths = effectivePaths({ ...own, boundaryArn: "arn:aws:iam::123456789012:policy/Fence" }, [devs]);
    expect(paths.map((p) => [p.kind, pathKey(p.sourceKey, p.viaGroupId), p.policyName, `${p.ownerType}:${p.ownerId}`])).toEqual([
      ["managed", "managed:arn:aws:iam::aws:policy/service-role/Lambda|", "Lambda", "user:AIDAUSER"],
      ["inline", "inline:user:AIDAUSER:mine|", "mine", "user:AIDAUSER"],
      ["managed", "managed:arn:aws:iam::123456789012:policy/team/Read|AGPADEVS", "Read", "group:AGPADEVS"],
      ["inline", "inline:group:AGPADEVS:dev|AGPADEVS", "dev", "group:AGPADEVS"],
      ["boundary", "boundary:arn:aws:iam::123456789012:policy/Fence|", "Fence", "user:AIDAUSER"],
    ]);
  });

  it("gives the same managed policy through two groups as two paths, and none without a boundary", () => {
    const ops = { ...devs, id: "AGPAOPS", inlineNames: [] };
    const paths = effectivePaths({ ...own, attachedArns: [], inlineNames: [] }, [devs, ops]).filter((p) => p.kind === "managed");
    expect(paths.map((p) => p.viaGroupId)).toEqual(["AGPADEVS", "AGPAOPS"]);
    expect(new Set(paths.map((p) => p.sourceKey)).size).toBe(1);
  });

  it("reads a policy's name from the end of its ARN, path or not", () => {
    expect(policyNameOfArn("arn:aws:iam::aws:policy/AdministratorAccess")).toBe("AdministratorAccess");
    expect(policyNameOfArn("arn:aws:iam::123456789012:policy/a/b/c.d@e")).toBe("c.d@e");
  });
});
