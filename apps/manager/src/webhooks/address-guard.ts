import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/** Why a webhook URL may not be called: refused for good, never retried. */
export class RefusedAddressError extends Error {}

/**
 * Addresses a webhook must not reach unless `WM_WEBHOOK_ALLOW_PRIVATE` says so: loopback,
 * private, shared (CGNAT), link-local (cloud metadata at 169.254.169.254), unspecified,
 * multicast and reserved ranges, in IPv4 and IPv6 (IPv4-mapped IPv6 is checked as IPv4).
 */
const BLOCKED = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  BLOCKED.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
] as const) {
  BLOCKED.addSubnet(network, prefix, 'ipv6');
}

/** True when `address` (an IP literal) is in a range webhooks may not reach by default. */
export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return BLOCKED.check(mapped[1]!, 'ipv4');
  const family = isIP(address);
  if (family === 0) return true;
  return BLOCKED.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** Ranges (CIDR) of private addresses a deployment allows (`WM_WEBHOOK_ALLOW_PRIVATE`). */
export function allowedRanges(ranges: readonly string[]): BlockList {
  const allowed = new BlockList();
  for (const range of ranges) {
    const [network, prefix] = range.split('/');
    allowed.addSubnet(network!, Number(prefix), isIP(network!) === 6 ? 'ipv6' : 'ipv4');
  }
  return allowed;
}

function isAllowed(address: string, allowed: BlockList): boolean {
  if (!isPrivateAddress(address)) return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  const plain = mapped ? mapped[1]! : address;
  return allowed.check(plain, isIP(plain) === 6 ? 'ipv6' : 'ipv4');
}

/** The address a call to `url` connects to: resolved once, checked, then pinned for the call. */
export interface ResolvedTarget {
  readonly address: string;
  readonly family: 4 | 6;
}

/**
 * Resolves the URL's host and checks every address it resolves to (one private address among
 * public ones is enough to refuse: the connection could pick it). The caller connects to the
 * returned address, so a DNS answer that changes between the check and the call (rebinding)
 * cannot redirect it. Throws {@link RefusedAddressError}.
 */
export async function resolveTarget(url: URL, allowed: BlockList): Promise<ResolvedTarget> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new RefusedAddressError(`only http and https URLs are called, not ${url.protocol}`);
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const addresses =
    isIP(host) !== 0
      ? [{ address: host, family: isIP(host) }]
      : await lookup(host, { all: true, verbatim: true }).catch((error: Error) => {
          throw new Error(`cannot resolve ${host}: ${error.message}`);
        });
  if (addresses.length === 0) throw new Error(`${host} resolves to no address`);
  const refused = addresses.find((entry) => !isAllowed(entry.address, allowed));
  if (refused) {
    throw new RefusedAddressError(
      `${host} resolves to ${refused.address}, a private, loopback or link-local address (WM_WEBHOOK_ALLOW_PRIVATE does not allow it)`,
    );
  }
  const first = addresses[0]!;
  return { address: first.address, family: first.family === 6 ? 6 : 4 };
}
