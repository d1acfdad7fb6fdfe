/**
 * What {@link watch} knows of each kind of object it watches (links, addresses, routes,
 * neighbours, rules): its multicast groups, its message types, the dump that lists it, how a
 * decoded message becomes the public object, and the key that identifies one; and, for the state
 * diff of a resync, the content compared and a dump that waits out a storm of changes.
 */
import { k, type Decoded, type NativeNs, type Request } from '../core/binding.js';
import type { ConstantName } from '../core/contract.js';
import type { Address } from '../ip/addresses.js';
import type { Link } from '../link/links.js';
import type { Neighbour } from '../ip/neighbours.js';
import { toNeighbour } from '../ip/neighbours.js';
import type { Route } from '../ip/routes.js';
import { toRule, type Rule } from '../ip/rules.js';
import { decodedAs, dump } from '../netlink/rtnl.js';

export type Kind = 'link' | 'address' | 'route' | 'neighbour' | 'rule';
export type Item = Link | Address | Route | Neighbour | Rule;

export interface KindInfo {
  groups: ConstantName[];
  newType: ConstantName;
  delType: ConstantName;
  dump: () => Request;
  convert: (d: Decoded) => Item | undefined;
  key: (x: Item) => string;
}

export const KINDS: Record<Kind, KindInfo> = {
  link: {
    groups: ['RTNLGRP_LINK'],
    newType: 'RTM_NEWLINK',
    delType: 'RTM_DELLINK',
    dump: () => ({ type: k('RTM_GETLINK'), link: { family: k('AF_UNSPEC'), extMask: k('RTEXT_FILTER_SKIP_STATS') } }),
    convert: (d) => decodedAs<Link>(d),
    key: (x) => String((x as Link).index),
  },
  address: {
    groups: ['RTNLGRP_IPV4_IFADDR', 'RTNLGRP_IPV6_IFADDR'],
    newType: 'RTM_NEWADDR',
    delType: 'RTM_DELADDR',
    dump: () => ({ type: k('RTM_GETADDR'), addr: { family: k('AF_UNSPEC') } }),
    convert: (d) => decodedAs<Address>(d),
    key: (x) => {
      const a = x as Address;
      return `${a.index}|${a.family}|${a.address}/${a.prefixLength}`;
    },
  },
  route: {
    groups: ['RTNLGRP_IPV4_ROUTE', 'RTNLGRP_IPV6_ROUTE'],
    newType: 'RTM_NEWROUTE',
    delType: 'RTM_DELROUTE',
    dump: () => ({ type: k('RTM_GETROUTE'), route: { family: k('AF_UNSPEC') } }),
    convert: (d) => {
      const r = decodedAs<Route>(d);
      return r.flags.includes('cloned') ? undefined : r;
    },
    // The kernel's key (table, prefix, tos, metric), then the next hop: IPv6, and IPv4 with
    // `ip route append`, keep several routes under one key.
    key: (x) => `${routeBase(x as Route)}|${(x as Route).index ?? ''}|${(x as Route).gateway ?? ''}`,
  },
  neighbour: {
    groups: ['RTNLGRP_NEIGH'],
    newType: 'RTM_NEWNEIGH',
    delType: 'RTM_DELNEIGH',
    dump: () => ({ type: k('RTM_GETNEIGH'), neigh: { family: k('AF_UNSPEC') } }),
    convert: (d) => (d.family === 4 || d.family === 6 ? toNeighbour(d) : undefined),
    key: (x) => {
      const n = x as Neighbour;
      return `${n.index}|${n.family}|${n.address}|${n.proxy ? 'p' : ''}`;
    },
  },
  rule: {
    groups: ['RTNLGRP_IPV4_RULE', 'RTNLGRP_IPV6_RULE'],
    newType: 'RTM_NEWRULE',
    delType: 'RTM_DELRULE',
    dump: () => ({ type: k('RTM_GETRULE'), rule: { family: k('AF_UNSPEC') } }),
    convert: (d) => toRule(d),
    key: (x) => JSON.stringify(x),
  },
};

export function routeBase(r: Route): string {
  return `${r.family}|${r.table}|${r.destination}|${r.from ?? ''}|${r.tos}|${r.metric ?? 0}`;
}

/**
 * A dump that waits out a storm: the kernel interrupts dumps while the table changes
 * (NLM_F_DUMP_INTR, EAGAIN after the addon's retries), which is exactly when a resync runs.
 */
export async function dumpSettled(ns: NativeNs, req: Request, operation: string): Promise<Decoded[]> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await dump(ns, req, operation);
    } catch (e) {
      if ((e as { code?: string }).code !== 'EAGAIN' || attempt >= 100) throw e;
      await new Promise((r) => setTimeout(r, Math.min(100, 5 * (attempt + 1))));
    }
  }
}

/** Content compared on resync: link statistics change all the time and are left out. */
export function content(x: Item): string {
  return JSON.stringify(x, (key, value: unknown) => (key === 'stats' ? undefined : value));
}
