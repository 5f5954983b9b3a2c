// IpAddress / NotIpAddress: the policy value is an IPv4 or IPv6 address or CIDR block
// (RFC 4632 / RFC 4291); a bare address is a /32 or /128. An address only matches a block
// of its own family. Hand-written parsing, no dependencies.

import { rememberLast, type ValueCompiler } from "./types.js";

/** An address as bytes: 4 for IPv4, 16 for IPv6. */
export type IpBytes = Uint8Array;

export function parseIpv4(text: string): IpBytes | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  const bytes = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^\d{1,3}$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    bytes[i] = n;
  }
  return bytes;
}

export function parseIpv6(text: string): IpBytes | null {
  if (text.length === 0 || text.includes("%")) return null; // zone ids are not addresses
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const groups = (s: string): string[] => (s === "" ? [] : s.split(":"));
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  const words: number[] = [];
  const all = [...head, ...tail];
  // An embedded IPv4 address may end the text (e.g. ::ffff:192.0.2.1).
  let v4: IpBytes | null = null;
  const last = all[all.length - 1];
  if (last !== undefined && last.includes(".")) {
    v4 = parseIpv4(last);
    if (v4 === null) return null;
    if (tail.length > 0) tail.pop();
    else if (halves.length === 1) head.pop();
    else return null; // `1.2.3.4::`: the IPv4 part must come last

  }
  const parseWords = (list: string[]): number[] | null => {
    const out: number[] = [];
    for (const g of list) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const h = parseWords(head);
  const t = parseWords(tail);
  if (h === null || t === null) return null;
  const wordCount = 8 - (v4 === null ? 0 : 2);
  if (halves.length === 1) {
    if (h.length !== wordCount) return null;
    words.push(...h);
  } else {
    const fill = wordCount - h.length - t.length;
    if (fill < 1) return null; // `::` stands for at least one zero group
    words.push(...h, ...new Array<number>(fill).fill(0), ...t);
  }
  const bytes = new Uint8Array(16);
  for (let i = 0; i < words.length; i++) {
    bytes[2 * i] = words[i]! >> 8;
    bytes[2 * i + 1] = words[i]! & 0xff;
  }
  if (v4 !== null) bytes.set(v4, 12);
  return bytes;
}

export function parseIp(text: string): IpBytes | null {
  const t = text.trim();
  return t.includes(":") ? parseIpv6(t) : parseIpv4(t);
}

export interface Cidr {
  readonly network: IpBytes;
  readonly prefixLength: number;
}

export function parseCidr(text: string): Cidr | null {
  const t = text.trim();
  const slash = t.indexOf("/");
  const network = parseIp(slash < 0 ? t : t.slice(0, slash));
  if (network === null) return null;
  const max = network.length * 8;
  if (slash < 0) return { network, prefixLength: max };
  const len = t.slice(slash + 1);
  if (!/^\d{1,3}$/.test(len) || Number(len) > max) return null;
  return { network, prefixLength: Number(len) };
}

/** Is the address inside the block? Host bits set in the block's address are ignored. */
export function cidrContains(cidr: Cidr, address: IpBytes): boolean {
  if (address.length !== cidr.network.length) return false;
  let bits = cidr.prefixLength;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((address[i]! & mask) !== (cidr.network[i]! & mask)) return false;
  }
  return true;
}

const parseContextIp = rememberLast(parseIp);

export const ipAddress: ValueCompiler = (_pieces, text) => {
  const cidr = parseCidr(text);
  if (cidr === null) return null;
  return (v) => {
    const address = parseContextIp(v);
    return address !== null && cidrContains(cidr, address);
  };
};
