/**
 * IPv4 and IPv6 addresses on links.
 */
import { k, type AddrRequest } from '../core/binding.js';
import type { ConstantName } from '../core/contract.js';
import { invalidValue } from '../core/errors.js';
import { checkLinkRef, indexOf, type LinkRef } from '../link/links.js';
import { netnsOf, resolveNetns, type NetnsOption } from '../netns/netns.js';
import { countRemoved, dumpAs, transact, transactEach } from '../netlink/rtnl.js';
import * as v from '../core/validate.js';

/** An address as the kernel reports it (`ip addr show`). */
export interface Address {
  /** Index of the link it is on. */
  index: number;
  family: 4 | 6;
  /** The local address. */
  address: string;
  prefixLength: number;
  /** The peer address of a point-to-point address. */
  peer?: string;
  broadcast?: string;
  label?: string;
  scope: 'global' | 'site' | 'link' | 'host' | 'nowhere' | number;
  /** Flags as `ip addr` prints them: permanent, secondary, tentative, nodad, noprefixroute, … */
  flags: string[];
  /** Seconds; Infinity for `forever`. */
  validLifetime?: number;
  preferredLifetime?: number;
}

/** Options of {@link addAddress}. */
export interface AddAddressOptions extends NetnsOption {
  /**
   * IPv4 broadcast: an address, `'+'` (computed from the prefix, like `brd +`) or false for none.
   * Default `'+'` for prefixes up to /30, none otherwise.
   */
  broadcast?: string | false;
  /** `label NAME` (IPv4): must start with the link name, like `eth0:1`. */
  label?: string;
  /** `scope global|site|link|host` or a number. Default: global. */
  scope?: 'global' | 'site' | 'link' | 'host' | number;
  /** `peer ADDRESS` for a point-to-point address. */
  peer?: string;
  /** `valid_lft` in seconds (Infinity: forever). */
  validLifetime?: number;
  /** `preferred_lft` in seconds (Infinity: forever). */
  preferredLifetime?: number;
  /** `nodad` (IPv6): skip duplicate address detection. */
  noDad?: boolean;
  /** `noprefixroute`: do not add the prefix route. */
  noPrefixRoute?: boolean;
  /** Replace an existing identical address instead of failing with EEXIST (`ip addr replace`). */
  replace?: boolean;
}

const SCOPES: Record<string, ConstantName> = { global: 'RT_SCOPE_UNIVERSE', site: 'RT_SCOPE_SITE', link: 'RT_SCOPE_LINK', host: 'RT_SCOPE_HOST' };

function lifetime(value: unknown, arg: string): number {
  if (value === Infinity) return 0xffffffff;
  return v.integer(value, arg, 0, 0xfffffffe);
}

function addrRequest(address: string, options: AddAddressOptions): AddrRequest {
  const c = v.cidr(address);
  const req: AddrRequest = {
    family: k(c.family === 4 ? 'AF_INET' : 'AF_INET6'),
    prefixLength: c.prefixLength,
    local: c.address,
  };
  if (options.peer !== undefined) req.peer = v.ip(options.peer, 'options.peer', c.family);
  if (options.broadcast !== undefined && options.broadcast !== false) {
    if (c.family !== 4) throw invalidValue('options.broadcast', options.broadcast, 'applies to IPv4 addresses only');
    req.broadcast =
      options.broadcast === '+' ? v.ipv4Broadcast(c.address, c.prefixLength) : v.ip(options.broadcast, 'options.broadcast', 4);
  } else if (options.broadcast === undefined && c.family === 4 && c.prefixLength <= 30 && options.peer === undefined) {
    req.broadcast = v.ipv4Broadcast(c.address, c.prefixLength);
  }
  if (options.label !== undefined) {
    // IFNAMSIZ - 1, like a link name.
    const label = v.string(options.label, 'options.label', 15, 1);
    if (c.family !== 4) throw invalidValue('options.label', label, 'applies to IPv4 addresses only');
    req.label = label;
  }
  if (options.scope !== undefined) {
    if (typeof options.scope === 'number') req.scope = v.integer(options.scope, 'options.scope', 0, 255);
    else {
      const scope = v.lookup(SCOPES, options.scope);
      if (scope === undefined) throw invalidValue('options.scope', options.scope, "must be 'global', 'site', 'link', 'host' or 0-255");
      req.scope = k(scope);
    }
  }
  let flags = 0;
  if (options.noDad !== undefined && v.bool(options.noDad, 'options.noDad')) flags |= k('IFA_F_NODAD');
  if (options.noPrefixRoute !== undefined && v.bool(options.noPrefixRoute, 'options.noPrefixRoute'))
    flags |= k('IFA_F_NOPREFIXROUTE');
  if (flags) req.flags = flags;
  if (options.validLifetime !== undefined) req.validLifetime = lifetime(options.validLifetime, 'options.validLifetime');
  if (options.preferredLifetime !== undefined)
    req.preferredLifetime = lifetime(options.preferredLifetime, 'options.preferredLifetime');
  if ((req.validLifetime ?? 0xffffffff) < (req.preferredLifetime ?? 0))
    throw invalidValue('options.preferredLifetime', options.preferredLifetime, 'must not exceed validLifetime', true);
  return req;
}

const ADD_KEYS = [
  'netns', 'broadcast', 'label', 'scope', 'peer', 'validLifetime', 'preferredLifetime', 'noDad', 'noPrefixRoute', 'replace',
] as const;

/**
 * Adds an address to a link. IPv4 addresses get a broadcast address computed from the prefix
 * unless told otherwise, which plain `ip addr add` does not do: the default is
 * `ip addr add CIDR brd + dev DEV` for an IPv4 prefix up to /30, `ip addr add CIDR dev DEV`
 * otherwise (and with `broadcast: false`).
 *
 * `ip addr add CIDR [brd +|ADDR] dev DEV [label L] [scope S] [peer P] [valid_lft N]
 * [preferred_lft N] [nodad] [noprefixroute]` (`ip addr replace …` with `replace: true`)
 */
export async function addAddress(link: LinkRef, address: string, options: AddAddressOptions = {}): Promise<void> {
  link = checkLinkRef(link, 'link');
  options = v.options(options, 'options', ADD_KEYS);
  const req = addrRequest(address, options);
  const replace = options.replace !== undefined && v.bool(options.replace, 'options.replace');
  const { ns, release } = resolveNetns(netnsOf(options));
  try {
    const op = `addAddress ${address}`;
    req.index = await indexOf(ns, link, 'link');
    const flags = k('NLM_F_CREATE') | (replace ? k('NLM_F_REPLACE') : k('NLM_F_EXCL'));
    await transact(ns, [{ type: k('RTM_NEWADDR'), flags, addr: req }], op);
  } finally {
    release();
  }
}

/**
 * Removes an address from a link. Fails with EADDRNOTAVAIL when it is not there.
 *
 * `ip addr del CIDR dev DEV`
 */
export async function deleteAddress(link: LinkRef, address: string, options: NetnsOption = {}): Promise<void> {
  link = checkLinkRef(link, 'link');
  options = v.options(options, 'options', ['netns']);
  const c = v.cidr(address);
  const { ns, release } = resolveNetns(netnsOf(options));
  try {
    const op = `deleteAddress ${address}`;
    const index = await indexOf(ns, link, 'link');
    const req: AddrRequest = { family: k(c.family === 4 ? 'AF_INET' : 'AF_INET6'), prefixLength: c.prefixLength, index, local: c.address };
    await transact(ns, [{ type: k('RTM_DELADDR'), addr: req }], op);
  } finally {
    release();
  }
}

/** Options of {@link listAddresses}. */
export interface ListAddressesOptions extends NetnsOption {
  /** Only addresses on this link (filtered by the kernel). */
  link?: LinkRef;
  /** Only IPv4 (4) or IPv6 (6) addresses. */
  family?: 4 | 6;
}

/**
 * Lists addresses, filtered by the kernel by family and link.
 *
 * `ip addr show [dev DEV]`, `ip -4 addr`, `ip -6 addr`
 */
export async function listAddresses(options: ListAddressesOptions = {}): Promise<Address[]> {
  options = v.options(options, 'options', ['netns', 'link', 'family']);
  if (options.family !== undefined && options.family !== 4 && options.family !== 6)
    throw invalidValue('options.family', options.family, 'must be 4 or 6');
  if (options.link !== undefined) checkLinkRef(options.link, 'options.link');
  const { ns, release } = resolveNetns(netnsOf(options));
  try {
    const filter: AddrRequest = {
      family: options.family === undefined ? k('AF_UNSPEC') : k(options.family === 4 ? 'AF_INET' : 'AF_INET6'),
    };
    if (options.link !== undefined) filter.index = await indexOf(ns, options.link, 'options.link');
    return await dumpAs<Address>(ns, { type: k('RTM_GETADDR'), addr: filter }, 'listAddresses');
  } finally {
    release();
  }
}

/**
 * Removes all addresses (of one family, if given) from a link. Resolves with how many were
 * removed. Addresses the kernel removed by itself meanwhile (secondaries of a removed primary)
 * are not errors.
 *
 * `ip addr flush dev DEV`
 */
export async function flushAddresses(link: LinkRef, options: Omit<ListAddressesOptions, 'link'> = {}): Promise<number> {
  link = checkLinkRef(link, 'link');
  options = v.options(options, 'options', ['netns', 'family']);
  const addrs = await listAddresses({ ...options, link });
  if (addrs.length === 0) return 0;
  const { ns, release } = resolveNetns(netnsOf(options));
  try {
    const results = await transactEach(
      ns,
      addrs.map((a) => ({
        type: k('RTM_DELADDR'),
        addr: { family: k(a.family === 4 ? 'AF_INET' : 'AF_INET6'), prefixLength: a.prefixLength, index: a.index, local: a.address },
      })),
      'flushAddresses',
    );
    return countRemoved(results, 'EADDRNOTAVAIL');
  } finally {
    release();
  }
}
