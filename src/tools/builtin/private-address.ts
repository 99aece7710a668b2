type Range = readonly [bytes: readonly number[], prefixLength: number];

// Not reachable from the public internet, or not meant to be: loopback, private, link-local,
// carrier-grade NAT, unspecified, documentation, benchmarking, multicast and reserved ranges.
const IPV4_RANGES: readonly Range[] = [
  [[0, 0, 0, 0], 8],
  [[10, 0, 0, 0], 8],
  [[100, 64, 0, 0], 10],
  [[127, 0, 0, 0], 8],
  [[169, 254, 0, 0], 16],
  [[172, 16, 0, 0], 12],
  [[192, 0, 0, 0], 24],
  [[192, 0, 2, 0], 24],
  [[192, 88, 99, 0], 24],
  [[192, 168, 0, 0], 16],
  [[198, 18, 0, 0], 15],
  [[198, 51, 100, 0], 24],
  [[203, 0, 113, 0], 24],
  [[224, 0, 0, 0], 4],
  [[240, 0, 0, 0], 4],
];

const IPV6_RANGES: readonly Range[] = [
  [[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 128], // ::
  [[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 128], // ::1
  [[0x01, 0x00, 0, 0, 0, 0, 0, 0], 64], // 100::/64 discard
  [[0x20, 0x01, 0x0d, 0xb8], 32], // 2001:db8::/32 documentation
  [[0x20, 0x01, 0x00, 0x10], 28], // 2001:10::/28 ORCHID
  [[0xfc], 7], // fc00::/7 unique local
  [[0xfe, 0x80], 10], // fe80::/10 link-local
  [[0xfe, 0xc0], 10], // fec0::/10 site-local (deprecated)
  [[0xff], 8], // multicast
];

/**
 * True when an IP address is loopback, private, link-local, carrier-grade NAT, unspecified,
 * multicast, documentation or otherwise reserved — including IPv4 addresses embedded in IPv6
 * (`::ffff:127.0.0.1`, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`, IPv4-compatible `::a.b.c.d`).
 * Anything that is not an IP address counts as private (refuse what cannot be checked).
 */
export function isPrivateAddress(address: string): boolean {
  const plain = address.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  const version = ipVersion(plain);
  if (version === 4) return inRanges(parseIPv4(plain), IPV4_RANGES);
  if (version !== 6) return true;
  const bytes = parseIPv6(plain);
  if (bytes === undefined) return true;
  const embedded = embeddedIPv4(bytes);
  if (embedded) return inRanges(embedded, IPV4_RANGES);
  return inRanges(bytes, IPV6_RANGES);
}

/** 4 or 6 for an IP address (IPv6 without brackets or zone), 0 for anything else. */
export function ipVersion(address: string): 0 | 4 | 6 {
  if (IPV4.test(address)) return address.split(".").every((part) => Number(part) <= 255) ? 4 : 0;
  return address.includes(":") && parseIPv6(address) !== undefined ? 6 : 0;
}

const IPV4 = /^(?:0|[1-9]\d{0,2})(?:\.(?:0|[1-9]\d{0,2})){3}$/;

function embeddedIPv4(bytes: number[]): number[] | undefined {
  const zeros = (from: number, to: number): boolean =>
    bytes.slice(from, to).every((byte) => byte === 0);
  // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible, but not :: and ::1 themselves)
  if (zeros(0, 10) && bytes[10] === 0xff && bytes[11] === 0xff) return bytes.slice(12);
  if (zeros(0, 12) && !zeros(12, 15)) return bytes.slice(12);
  // 64:ff9b::/96 NAT64
  if (
    bytes[0] === 0x00 &&
    bytes[1] === 0x64 &&
    bytes[2] === 0xff &&
    bytes[3] === 0x9b &&
    zeros(4, 12)
  )
    return bytes.slice(12);
  // 2002::/16 6to4: the IPv4 address sits in bytes 2-5
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return bytes.slice(2, 6);
  return undefined;
}

function inRanges(bytes: readonly number[], ranges: readonly Range[]): boolean {
  return ranges.some(([prefix, length]) => matches(bytes, prefix, length));
}

function matches(bytes: readonly number[], prefix: readonly number[], length: number): boolean {
  for (let bit = 0; bit < length; bit += 8) {
    const remaining = Math.min(8, length - bit);
    const mask = (0xff << (8 - remaining)) & 0xff;
    const index = bit / 8;
    if (((bytes[index] ?? 0) & mask) !== ((prefix[index] ?? 0) & mask)) return false;
  }
  return true;
}

function parseIPv4(address: string): number[] {
  return address.split(".").map(Number);
}

function parseIPv6(address: string): number[] | undefined {
  let text = address.toLowerCase();
  let tail: number[] = [];
  const dotted = /:(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    if (ipVersion(dotted[1]!) !== 4) return undefined;
    tail = parseIPv4(dotted[1]!);
    text = `${text.slice(0, dotted.index + 1)}0:0`;
  }
  const [head = "", rest] = text.split("::");
  const headGroups = head === "" ? [] : head.split(":");
  const restGroups = rest === undefined || rest === "" ? [] : rest.split(":");
  const missing = 8 - headGroups.length - restGroups.length;
  if (missing < 0 || (rest === undefined && missing !== 0)) return undefined;
  const groups = [
    ...headGroups,
    ...Array<string>(rest === undefined ? 0 : missing).fill("0"),
    ...restGroups,
  ];
  const bytes: number[] = [];
  for (const group of groups) {
    const value = Number.parseInt(group, 16);
    if (!/^[0-9a-f]{1,4}$/.test(group) || Number.isNaN(value)) return undefined;
    bytes.push(value >> 8, value & 0xff);
  }
  if (tail.length === 4) bytes.splice(12, 4, ...tail);
  return bytes;
}
