/**
 * CIDR values as the API server reads legacy fields (k8s.io/utils/net ParseCIDRSloppy: IPv4 octets may carry leading
 * zeros) and as Go prints addresses (net.IP.String(): dotted IPv4, RFC 5952 IPv6). NetworkPolicy ipBlocks need it.
 */

interface Cidr {
  family: 4 | 6;
  /** The address as written. */
  ip: bigint;
  prefix: number;
  /** The address with the bits beyond the prefix cleared (net.IPNet.IP). */
  network: bigint;
  /** Written in a form netip.ParsePrefix refuses (leading zeros) or an IPv4-mapped IPv6 address. */
  nonStandard: boolean;
}

const bitsOf = (family: 4 | 6): number => (family === 4 ? 32 : 128);

function parseIPv4(text: string): { value: bigint; leadingZero: boolean } | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0n;
  let leadingZero = false;
  for (const part of parts) {
    if (!/^\d+$/.test(part) || Number(part) > 255) return undefined;
    if (part.length > 1 && part.startsWith("0")) leadingZero = true;
    value = (value << 8n) | BigInt(Number(part));
  }
  return { value, leadingZero };
}

function hexGroups(text: string): number[] | undefined {
  if (text === "") return [];
  const groups = text.split(":");
  if (!groups.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  return groups.map((g) => parseInt(g, 16));
}

function parseIPv6(text: string): { value: bigint; mapped: boolean } | undefined {
  let rest = text;
  const tail: number[] = [];
  const lastColon = rest.lastIndexOf(":");
  if (rest.slice(lastColon + 1).includes(".")) {
    const v4 = parseIPv4(rest.slice(lastColon + 1));
    if (!v4 || v4.leadingZero) return undefined;
    tail.push(Number(v4.value >> 16n), Number(v4.value & 0xffffn));
    // "::1.2.3.4" keeps its "::"; "64:ff9b::1:1.2.3.4" loses the separator before the IPv4 part.
    rest = rest.slice(0, lastColon + 1).endsWith("::") ? rest.slice(0, lastColon + 1) : rest.slice(0, lastColon);
  }
  const halves = rest.split("::");
  if (halves.length > 2) return undefined;
  const head = hexGroups(halves[0]!);
  const back = halves.length === 2 ? hexGroups(halves[1]!) : [];
  if (!head || !back) return undefined;
  const given = head.length + back.length + tail.length;
  if (halves.length === 1 ? given !== 8 : given > 7) return undefined;
  const groups = [...head, ...new Array<number>(8 - given).fill(0), ...back, ...tail];
  const value = groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
  return { value, mapped: value >> 32n === 0xffffn };
}

/** ParseCIDRSloppy: undefined when the value is not a CIDR. */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf("/");
  if (slash < 0 || text.indexOf("/", slash + 1) >= 0) return undefined;
  const address = text.slice(0, slash);
  const bits = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bits)) return undefined;
  const prefix = Number(bits);
  const v4 = address.includes(":") ? undefined : parseIPv4(address);
  const v6 = v4 ? undefined : parseIPv6(address);
  const family: 4 | 6 = v4 ? 4 : 6;
  const ip = v4?.value ?? v6?.value;
  if (ip === undefined || prefix > bitsOf(family)) return undefined;
  const shift = BigInt(bitsOf(family) - prefix);
  const network = (ip >> shift) << shift;
  const nonStandard = (v4?.leadingZero ?? false) || (bits.length > 1 && bits.startsWith("0")) || (v6?.mapped ?? false);
  return { family, ip, prefix, network, nonStandard };
}

/** net.IP.String(). */
export function formatIp(family: 4 | 6, value: bigint): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join(".");
  const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn));
  // The longest run of two or more zero groups (the first of equal ones) becomes "::".
  let best = { start: -1, length: 1 };
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length) best = { start: i, length: j - i };
    i = j === i ? i + 1 : j;
  }
  const hex = (list: number[]): string => list.map((g) => g.toString(16)).join(":");
  if (best.start < 0) return hex(groups);
  return `${hex(groups.slice(0, best.start))}::${hex(groups.slice(best.start + best.length))}`;
}

/** net.IPNet.String(): the network address and prefix. */
export function networkString(cidr: Cidr): string {
  return `${formatIp(cidr.family, cidr.network)}/${cidr.prefix}`;
}

/** net.IPNet.Contains(other's network address). */
export function containsNetwork(outer: Cidr, inner: Cidr): boolean {
  if (outer.family !== inner.family) return false;
  const shift = BigInt(bitsOf(outer.family) - outer.prefix);
  return inner.network >> shift === outer.network >> shift;
}

export function addressBits(cidr: Cidr): number {
  return bitsOf(cidr.family);
}
