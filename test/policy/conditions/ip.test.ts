import { describe, expect, it } from "vitest";
import { cidrContains, parseCidr, parseIp, parseIpv6 } from "../../../src/policy/conditions/ip.js";

const hex = (b: Uint8Array | null) => (b === null ? null : Buffer.from(b).toString("hex"));

describe("IP parsing", () => {
  it.each([
    ["::", "00000000000000000000000000000000"],
    ["::1", "00000000000000000000000000000001"],
    ["2001:db8::", "20010db8000000000000000000000000"],
    ["2001:DB8:0:0:8:800:200C:417A", "20010db8000000000008080020 0c417a".replace(" ", "")],
    ["fe80::1:2", "fe800000000000000000000000010002"],
    ["::ffff:192.0.2.1", "00000000000000000000ffffc0000201"],
    ["1:2:3:4:5:6:7:8", "00010002000300040005000600070008"],
  ])("parses IPv6 %s", (text, bytes) => {
    expect(hex(parseIpv6(text))).toBe(bytes);
  });

  it.each(["1:2:3:4:5:6:7:8:9", "1::2::3", "12345::", "g::1", "1:2:3:4:5:6:7", "::1%eth0", "1.2.3.4::", ":", "1:2:3:4:5:6:7::8"])(
    "rejects malformed IPv6 %s",
    (text) => {
      expect(parseIpv6(text)).toBeNull();
    },
  );

  it.each(["256.0.0.1", "1.2.3", "1.2.3.4.5", "a.b.c.d", "1..2.3", ""])("rejects malformed IPv4 %s", (text) => {
    expect(parseIp(text)).toBeNull();
  });

  it("rejects prefix lengths beyond the address size", () => {
    expect(parseCidr("10.0.0.0/33")).toBeNull();
    expect(parseCidr("::/129")).toBeNull();
    expect(parseCidr("::/128")).not.toBeNull();
  });
});

describe("CIDR containment", () => {
  const contains = (cidr: string, ip: string) => cidrContains(parseCidr(cidr)!, parseIp(ip)!);

  it("IPv4 with a prefix that is not a multiple of 8", () => {
    expect(contains("10.0.0.0/12", "10.15.255.255")).toBe(true);
    expect(contains("10.0.0.0/12", "10.16.0.0")).toBe(false);
  });

  it("ignores host bits in the block's address", () => {
    expect(contains("192.0.2.77/24", "192.0.2.1")).toBe(true);
  });

  it("IPv6 /48 and /127", () => {
    expect(contains("2001:db8:abcd::/48", "2001:db8:abcd:ffff::1")).toBe(true);
    expect(contains("2001:db8:abcd::/48", "2001:db8:abce::1")).toBe(false);
    expect(contains("2001:db8::/127", "2001:db8::1")).toBe(true);
    expect(contains("2001:db8::/127", "2001:db8::2")).toBe(false);
  });

  it("/0 holds every address of its family, none of the other", () => {
    expect(contains("0.0.0.0/0", "255.255.255.255")).toBe(true);
    expect(contains("::/0", "ffff::")).toBe(true);
    expect(contains("0.0.0.0/0", "::1")).toBe(false);
    expect(contains("::/0", "127.0.0.1")).toBe(false);
  });
});
