/**
 * ARP and NDP neighbour entries (`ip neigh`), including proxy entries.
 */
import { k, type Decoded, type NeighRequest } from '../core/binding.js';
import type { ConstantName } from '../core/contract.js';
import { invalidType, invalidValue } from '../core/errors.js';
import { checkLinkRef, indexOf, type LinkRef } from '../link/links.js';
import { netnsOf, resolveNetns, type NetnsOption } from '../netns/netns.js';
import { countRemoved, dump, transact, transactEach } from '../netlink/rtnl.js';
import * as v from '../core/validate.js';

/** Neighbour states (`nud STATE`). */
export type NeighbourState = 'permanent' | 'noarp' | 'reachable' | 'stale' | 'delay' | 'probe' | 'incomplete' | 'failed' | 'none';

const STATES: Record<NeighbourState, ConstantName> = {
  permanent: 'NUD_PERMANENT',
  noarp: 'NUD_NOARP',
  reachable: 'NUD_REACHABLE',
  stale: 'NUD_STALE',
  delay: 'NUD_DELAY',
  probe: 'NUD_PROBE',
  incomplete: 'NUD_INCOMPLETE',
  failed: 'NUD_FAILED',
  none: 'NUD_NONE',
};

/** A neighbour entry as the kernel reports it (`ip neigh show`). */
export interface Neighbour {
  /** Index of the link. */
  index: number;
  family: 4 | 6;
  /** The neighbour's IP address. */
  address: string;
  /** Its link-layer address (absent while incomplete, and for proxy entries). */
  mac?: string;
  /** States: usually one ('reachable', 'stale', 'permanent', …). */
  state: string[];
  /** Flags: 'router', 'proxy', 'extern_learn', … */
  flags: string[];
  router: boolean;
  proxy: boolean;
}

/** What {@link addNeighbour}, {@link replaceNeighbour} and {@link deleteNeighbour} take. */
export interface NeighbourSpec extends NetnsOption {
  device: LinkRef;
  /** The IP address (IPv4: ARP, IPv6: NDP). */
  address: string;
  /** The link-layer address (needed except for proxy entries and deletion). */
  mac?: string;
  /** Default `permanent` (as `ip neigh add`). */
  state?: NeighbourState;
  /** IPv6: the neighbour is a router. */
  router?: boolean;
  /** A proxy entry (`ip neigh add proxy ADDRESS dev DEV`): answer for that address. */
  proxy?: boolean;
}

function neighRequest(spec: NeighbourSpec, adding: boolean): { req: NeighRequest; device: LinkRef } {
  const device = checkLinkRef(spec.device, 'spec.device');
  const address = v.ip(spec.address, 'spec.address');
  const family = address.includes(':') ? 6 : 4;
  const proxy = spec.proxy === undefined ? false : v.bool(spec.proxy, 'spec.proxy');
  const req: NeighRequest = { family: k(family === 4 ? 'AF_INET' : 'AF_INET6'), dst: address };
  if (spec.mac !== undefined) {
    if (proxy) throw invalidValue('spec.mac', spec.mac, 'does not apply to proxy entries');
    req.mac = v.mac(spec.mac, 'spec.mac');
  }
  if (spec.state !== undefined && v.lookup(STATES, spec.state) === undefined) throw invalidValue('spec.state', spec.state, `must be one of ${Object.keys(STATES).join(', ')}`);
  if (adding) req.state = k(STATES[spec.state ?? 'permanent']);
  let flags = 0;
  if (proxy) flags |= k('NTF_PROXY');
  if (spec.router !== undefined && v.bool(spec.router, 'spec.router')) {
    if (family !== 6) throw invalidValue('spec.router', spec.router, 'applies to IPv6 neighbours only');
    flags |= k('NTF_ROUTER');
  }
  if (flags) req.flags = flags;
  if (adding && !proxy && req.mac === undefined && !['incomplete', 'failed', 'none'].includes(spec.state ?? 'permanent'))
    throw invalidValue('spec.mac', spec.mac, `is needed for a ${spec.state ?? 'permanent'} entry`);
  return { req, device };
}

async function modify(spec: NeighbourSpec, type: ConstantName, flags: number, adding: boolean, operation: string): Promise<void> {
  if (typeof spec !== 'object' || spec === null) throw invalidType('spec', 'a neighbour spec object', spec);
  spec = v.options(spec, 'spec', ['netns', 'device', 'address', 'mac', 'state', 'router', 'proxy']); // read once, for every step
  const { req, device } = neighRequest(spec, adding);
  const { ns, release } = resolveNetns(netnsOf(spec));
  try {
    req.index = await indexOf(ns, device, 'spec.device');
    await transact(ns, [{ type: k(type), flags, neigh: req }], `${operation} ${req.dst ?? ''}`);
  } finally {
    release();
  }
}

/** `ip neigh add ADDRESS lladdr MAC dev DEV [nud STATE] [router]` / `ip neigh add proxy ADDRESS dev DEV` */
export function addNeighbour(spec: NeighbourSpec): Promise<void> {
  return modify(spec, 'RTM_NEWNEIGH', k('NLM_F_CREATE') | k('NLM_F_EXCL'), true, 'addNeighbour');
}

/** `ip neigh replace ADDRESS lladdr MAC dev DEV [nud STATE]`: adds or changes. */
export function replaceNeighbour(spec: NeighbourSpec): Promise<void> {
  return modify(spec, 'RTM_NEWNEIGH', k('NLM_F_CREATE') | k('NLM_F_REPLACE'), true, 'replaceNeighbour');
}

/** `ip neigh del ADDRESS dev DEV` (`proxy` for a proxy entry). */
export function deleteNeighbour(spec: NeighbourSpec): Promise<void> {
  return modify(spec, 'RTM_DELNEIGH', 0, false, 'deleteNeighbour');
}

/** @internal */
export function toNeighbour(d: Decoded): Neighbour {
  const flags = d.flags as string[];
  const n: Neighbour = {
    index: d.index as number,
    family: d.family as 4 | 6,
    address: d.dst as string,
    state: d.state as string[],
    flags,
    router: flags.includes('router'),
    proxy: flags.includes('proxy'),
  };
  if (d.mac !== undefined) n.mac = d.mac as string;
  return n;
}

/** Filters of {@link listNeighbours}. */
export interface ListNeighboursOptions extends NetnsOption {
  device?: LinkRef;
  family?: 4 | 6;
  /** List the proxy entries instead (`ip neigh show proxy`). */
  proxy?: boolean;
}

/** `ip [-4|-6] neigh show [proxy] [dev DEV]` */
export async function listNeighbours(options: ListNeighboursOptions = {}): Promise<Neighbour[]> {
  options = v.options(options, 'options', ['netns', 'device', 'family', 'proxy']);
  if (options.family !== undefined && options.family !== 4 && options.family !== 6) throw invalidValue('options.family', options.family, 'must be 4 or 6');
  if (options.device !== undefined) checkLinkRef(options.device, 'options.device');
  const proxy = options.proxy === undefined ? false : v.bool(options.proxy, 'options.proxy');
  const { ns, release } = resolveNetns(netnsOf(options));
  try {
    const filter: NeighRequest = { family: options.family === undefined ? k('AF_UNSPEC') : k(options.family === 4 ? 'AF_INET' : 'AF_INET6') };
    // Strict dump checking wants the link as an NDA_IFINDEX filter, not in the header.
    let index: number | undefined;
    if (options.device !== undefined) filter.via = index = await indexOf(ns, options.device, 'options.device');
    if (proxy) filter.flags = k('NTF_PROXY');
    const all = await dump(ns, { type: k('RTM_GETNEIGH'), neigh: filter }, 'listNeighbours');
    return all
      .filter((d) => (d.family === 4 || d.family === 6) && (options.family === undefined || d.family === options.family))
      .filter((d) => index === undefined || d.index === index)
      .map(toNeighbour)
      .filter((n) => n.proxy === proxy);
  } finally {
    release();
  }
}

/**
 * Removes neighbour entries; resolves with how many. Like `ip neigh flush`, permanent and noarp
 * entries stay unless `all` is set. Entries that vanished meanwhile are not errors.
 *
 * `ip [-4|-6] neigh flush [dev DEV] [nud all]`
 */
export async function flushNeighbours(options: Omit<ListNeighboursOptions, 'proxy'> & { all?: boolean } = {}): Promise<number> {
  options = v.options(options, 'options', ['netns', 'device', 'family', 'all']);
  const all = options.all === undefined ? false : v.bool(options.all, 'options.all');
  const listOptions: ListNeighboursOptions = { ...(netnsOf(options) !== undefined ? { netns: netnsOf(options) } : {}) };
  if (options.device !== undefined) listOptions.device = options.device;
  if (options.family !== undefined) listOptions.family = options.family;
  const entries = (await listNeighbours(listOptions)).filter((n) => all || !n.state.some((s) => s === 'permanent' || s === 'noarp'));
  if (entries.length === 0) return 0;
  const { ns, release } = resolveNetns(netnsOf(options));
  try {
    const results = await transactEach(
      ns,
      entries.map((n) => ({ type: k('RTM_DELNEIGH'), neigh: { family: k(n.family === 4 ? 'AF_INET' : 'AF_INET6'), index: n.index, dst: n.address } })),
      'flushNeighbours',
    );
    return countRemoved(results, 'ENOENT');
  } finally {
    release();
  }
}
