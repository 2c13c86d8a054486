/**
 * Where simulate may send sample users: the loopback range (127.0.0.0/8, ::1, `localhost`) freely; any other
 * address only with explicit consent. Every address a name resolves to must be loopback, so a name that
 * resolves to one loopback and one remote address is remote.
 */
import { lookup as dnsLookup } from "node:dns/promises";
import { isIP } from "node:net";

/** Resolves a host name to every address (as `dns.promises.lookup(host, { all: true })`). */
export type Lookup = (host: string) => Promise<readonly string[]>;

export const systemLookup: Lookup = async (host) => (await dnsLookup(host, { all: true, verbatim: true })).map((a) => a.address);

/** 127.0.0.0/8, ::1, and the IPv4-mapped form of 127.0.0.0/8 (`::ffff:127.0.0.1`). */
export function isLoopbackAddress(address: string): boolean {
  const a = address.toLowerCase();
  if (isIP(a) === 4) return a.startsWith("127.");
  if (isIP(a) !== 6) return false;
  const mapped = /^(?:::|(?:0{1,4}:){5})ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (mapped) return mapped[1]!.startsWith("127.");
  // Every group zero but the last, which is 1: ::1, 0:0:0:0:0:0:0:1, 0::1.
  const expanded = expandIPv6(a);
  return expanded !== undefined && expanded.slice(0, 7).every((g) => g === 0) && expanded[7] === 1;
}

function expandIPv6(a: string): number[] | undefined {
  const [head, tail, more] = a.split("::");
  if (more !== undefined) return undefined;
  const parse = (s: string | undefined) => (s ? s.split(":").map((g) => parseInt(g, 16)) : []);
  const h = parse(head);
  const t = parse(tail);
  if (tail === undefined) return h.length === 8 ? h : undefined;
  return [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
}

export interface TargetCheck {
  host: string;
  /** Every address the host is (an IP literal) or resolves to. */
  addresses: readonly string[];
  loopback: boolean;
}

export class TargetResolveError extends Error {}

/** Resolves the target URL's host and tells whether every address is loopback. Sends nothing to the target. */
export async function checkTarget(url: string, lookup: Lookup = systemLookup): Promise<TargetCheck> {
  const host = new URL(url).hostname.replace(/^\[(.*)\]$/, "$1");
  if (isIP(host)) return { host, addresses: [host], loopback: isLoopbackAddress(host) };
  let addresses: readonly string[];
  try {
    addresses = await lookup(host);
  } catch (err) {
    throw new TargetResolveError(`cannot resolve the target host ${host}: ${(err as { code?: string }).code ?? (err as Error).message}`);
  }
  if (addresses.length === 0) throw new TargetResolveError(`the target host ${host} resolves to no address`);
  return { host, addresses, loopback: addresses.every(isLoopbackAddress) };
}
