import ipaddr from 'ipaddr.js';

/** An IPv4 network, kept as integers so host arithmetic is exact. */
export interface Ipv4Network {
  readonly cidr: string;
  readonly base: number;
  readonly prefix: number;
  readonly size: number;
}

export function isIpv4(text: string): boolean {
  return ipaddr.IPv4.isValidFourPartDecimal(text);
}

export function ipv4ToInt(text: string): number {
  return ipaddr.IPv4.parse(text)
    .toByteArray()
    .reduce((acc, b) => acc * 256 + b, 0);
}

export function intToIpv4(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

const parsed = new Map<string, Ipv4Network>();

/** Parses "10.0.0.0/24" (memoised: the hub asks for the same few planes on every enrollment); throws when it is not a network address. */
export function parseIpv4Network(cidr: string): Ipv4Network {
  const known = parsed.get(cidr);
  if (known) return known;
  if (!ipaddr.IPv4.isValidCIDR(cidr)) throw new Error(`"${cidr}" is not an IPv4 CIDR`);
  const [addr, prefix] = ipaddr.IPv4.parseCIDR(cidr);
  const size = 2 ** (32 - prefix);
  const value = ipv4ToInt(addr.toString());
  if (value % size !== 0) {
    throw new Error(`"${cidr}" has host bits set (the network is ${intToIpv4(value - (value % size))}/${prefix})`);
  }
  const net = Object.freeze({ cidr, base: value, prefix, size });
  parsed.set(cidr, net);
  return net;
}

/** The network an interface address belongs to: "10.78.0.41/24" is in "10.78.0.0/24". */
export function networkOfAddress(address: string): Ipv4Network {
  const [, prefix] = ipaddr.IPv4.parseCIDR(address);
  return parseIpv4Network(`${ipaddr.IPv4.networkAddressFromCIDR(address).toString()}/${prefix}`);
}

export function networkContains(net: Ipv4Network, ip: string): boolean {
  const v = ipv4ToInt(ip);
  return v >= net.base && v < net.base + net.size;
}

export function networksOverlap(a: Ipv4Network, b: Ipv4Network): boolean {
  return a.base < b.base + b.size && b.base < a.base + a.size;
}

/** Host number of an address inside its network (10.0.0.12 in 10.0.0.0/24 is 12). */
export function hostNumber(net: Ipv4Network, ip: string): number {
  return ipv4ToInt(ip) - net.base;
}

/** Usable hosts exclude the network and broadcast addresses. */
export function isUsableHost(net: Ipv4Network, host: number): boolean {
  return net.prefix >= 31 ? host >= 0 && host < net.size : host >= 1 && host <= net.size - 2;
}

export function hostAddress(net: Ipv4Network, host: number): string {
  return intToIpv4(net.base + host);
}
