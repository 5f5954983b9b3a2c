import { describe, expect, it } from "vitest";
import { entityIdOfStream, parseStreamId, streamIdOf, streamKind, userStreamId } from "../../src/domain/shared/stream-ids.js";

describe("stream ids", () => {
  it("round-trips every kind through build and parse", () => {
    for (const kind of ["user", "group", "role", "policy"] as const) {
      expect(parseStreamId(streamIdOf(kind, "AIDA0123456789ABCDEFG"))).toEqual({ kind, id: "AIDA0123456789ABCDEFG" });
    }
  });

  it("keeps everything after the first dash as the id", () => {
    expect(parseStreamId("user-with-dashes")).toEqual({ kind: "user", id: "with-dashes" });
    expect(entityIdOfStream(userStreamId("a-b"))).toBe("a-b");
  });

  it("names no entity for other streams", () => {
    expect(parseStreamId("account-123")).toBeUndefined();
    expect(parseStreamId("user")).toBeUndefined();
    expect(parseStreamId("-user")).toBeUndefined();
    expect(streamKind("users-1")).toBeUndefined();
    expect(entityIdOfStream("nodash")).toBe("nodash");
  });
});
