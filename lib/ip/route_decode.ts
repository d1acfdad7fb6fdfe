/**
 * Decoding routes: the addon's columnar route batches straight into Route objects, with the
 * number -> name tables built once. @internal
 */
import { k, type Decoded } from '../core/binding.js';
import { registerBatches } from '../netlink/expand.js';

/** Route types (`ip route add TYPE …`). */
export type RouteType =
  | 'unicast'
  | 'local'
  | 'broadcast'
  | 'anycast'
  | 'multicast'
  | 'blackhole'
  | 'unreachable'
  | 'prohibit'
  | 'throw'
  | 'nat';
/** Route scopes. */
export type RouteScope = 'global' | 'site' | 'link' | 'host' | 'nowhere';
/** Well-known route protocols (`proto NAME`); others are numbers. */
export type RouteProtocol = 'redirect' | 'kernel' | 'boot' | 'static' | 'ra' | 'dhcp' | 'unspec';
/** A routing table: a number, or `main` (254), `local` (255), `default` (253). */
export type RouteTable = number | 'main' | 'local' | 'default';

/** Route metrics (`ip route … mtu N advmss N …`). */
export interface RouteMetrics {
  mtu?: number;
  advmss?: number;
  hoplimit?: number;
  window?: number;
  rtt?: number;
  rttvar?: number;
  ssthresh?: number;
  cwnd?: number;
  initcwnd?: number;
  initrwnd?: number;
  reordering?: number;
  features?: number;
  rtoMin?: number;
  quickack?: number;
  /** Bit mask of locked metrics (`mtu lock 1400` sets 1 << RTAX_MTU). */
  lock?: number;
  /** Congestion control algorithm (`congctl NAME`). */
  congctl?: string;
}

/** A next hop of a multipath route, as the kernel reports it. */
export interface NextHop {
  gateway?: string;
  /** Index of the outgoing link. */
  index: number;
  weight: number;
  /** onlink, dead, linkdown, … */
  flags: string[];
}

/** A route as the kernel reports it (`ip route show`). */
export interface Route {
  family: 4 | 6;
  /** `'default'` or a prefix like `'10.0.0.0/24'`. */
  destination: string;
  /** The source prefix (`from`, IPv6 source routing), when set. */
  from?: string;
  gateway?: string;
  /** Index of the outgoing link. */
  index?: number;
  /** Index of the incoming link (`ip route get … iif`). */
  iif?: number;
  /** The preferred source address (`src`). */
  source?: string;
  table: number;
  /** The metric (`metric`/`priority`). */
  metric?: number;
  protocol: RouteProtocol | number;
  scope: RouteScope | number;
  type: RouteType | number;
  tos: number;
  /** onlink, linkdown, dead, cloned, … (read-only: routes without flags share one empty list) */
  flags: readonly string[];
  metrics?: RouteMetrics;
  multipath?: NextHop[];
  /** IPv6 router preference: 'low' | 'medium' | 'high'. */
  pref?: 'low' | 'medium' | 'high';
  /** Seconds until the route expires. */
  expires?: number;
  mark?: number;
  uid?: number;
}

export const TYPES: readonly RouteType[] = ['unicast', 'local', 'broadcast', 'anycast', 'multicast', 'blackhole', 'unreachable', 'prohibit', 'throw', 'nat'];
export const TYPE_CONST: Record<RouteType, string> = {
  unicast: 'RTN_UNICAST',
  local: 'RTN_LOCAL',
  broadcast: 'RTN_BROADCAST',
  anycast: 'RTN_ANYCAST',
  multicast: 'RTN_MULTICAST',
  blackhole: 'RTN_BLACKHOLE',
  unreachable: 'RTN_UNREACHABLE',
  prohibit: 'RTN_PROHIBIT',
  throw: 'RTN_THROW',
  nat: 'RTN_NAT',
};
export const SCOPE_VALUES: Record<RouteScope, number> = { global: 0, site: 200, link: 253, host: 254, nowhere: 255 };
export const PROTOCOL_CONST: Record<RouteProtocol, string> = {
  unspec: 'RTPROT_UNSPEC',
  redirect: 'RTPROT_REDIRECT',
  kernel: 'RTPROT_KERNEL',
  boot: 'RTPROT_BOOT',
  static: 'RTPROT_STATIC',
  ra: 'RTPROT_RA',
  dhcp: 'RTPROT_DHCP',
};
export const PREFS = { low: 3, medium: 0, high: 1 } as const;
const NH_FLAGS: [string, string][] = [
  ['RTNH_F_DEAD', 'dead'],
  ['RTNH_F_PERVASIVE', 'pervasive'],
  ['RTNH_F_ONLINK', 'onlink'],
  ['RTNH_F_OFFLOAD', 'offload'],
  ['RTNH_F_LINKDOWN', 'linkdown'],
  ['RTNH_F_UNRESOLVED', 'unresolved'],
];
export const METRIC_KEYS = ['mtu', 'advmss', 'hoplimit', 'window', 'rtt', 'rttvar', 'ssthresh', 'cwnd', 'initcwnd', 'initrwnd', 'reordering', 'features', 'rtoMin', 'quickack', 'lock'] as const;

interface Names {
  protocol: Map<number, RouteProtocol>;
  type: Map<number, RouteType>;
  scope: Map<number, RouteScope>;
  pref: Map<number, 'low' | 'medium' | 'high'>;
  nhFlags: [number, string][];
  cloned: number;
}
let names: Names | undefined;

/** Number -> name tables, built once (decoding thousands of routes must not look them up each time). */
export function namesOf(): Names {
  if (names) return names;
  names = {
    protocol: new Map(Object.entries(PROTOCOL_CONST).map(([n, c]) => [k(c), n as RouteProtocol])),
    type: new Map(Object.entries(TYPE_CONST).map(([n, c]) => [k(c), n as RouteType])),
    scope: new Map(Object.entries(SCOPE_VALUES).map(([n, v]) => [v, n as RouteScope])),
    pref: new Map(Object.entries(PREFS).map(([n, v]) => [v, n as 'low' | 'medium' | 'high'])),
    nhFlags: NH_FLAGS.map(([c, n]) => [k(c), n]),
    cloned: k('RTM_F_CLONED'),
  };
  return names;
}

function nhFlagNames(flags: number): string[] {
  const out: string[] = [];
  if (flags === 0) return out;
  for (const [bit, name] of namesOf().nhFlags) if (flags & bit) out.push(name);
  return out;
}

interface RouteBatch {
  routeBatch: number;
  nums: Float64Array;
  /** Every route's strings, back to back; nums holds where each is. */
  text: string;
  extra: (Decoded | undefined)[];
}

// native/rtnl/codec.h RouteNum.
const RN = 24;

const NO_FLAGS: readonly string[] = Object.freeze([]);

/** Whether a decoded reply element is a route batch. */
export function isRouteBatch(d: Decoded): d is Decoded & RouteBatch {
  return typeof d.routeBatch === 'number';
}

/** Appends the Routes of a batch to out. */
export function routesFromBatch(batch: RouteBatch, out: Decoded[]): void {
  const t = namesOf();
  const { nums: n, text, extra } = batch;
  for (let i = 0; i < batch.routeBatch; i++) {
    const o = i * RN;
    const family = n[o]! as 4 | 6;
    const flags = n[o + 8]!;
    let fl: readonly string[] = NO_FLAGS;
    if (flags !== 0) {
      const names = nhFlagNames(flags);
      if (flags & t.cloned) names.push('cloned');
      fl = names;
    }
    const r: Route = {
      family,
      destination: text.slice(n[o + 16], n[o + 17]),
      table: n[o + 4]!,
      protocol: t.protocol.get(n[o + 5]!) ?? n[o + 5]!,
      scope: t.scope.get(n[o + 6]!) ?? n[o + 6]!,
      type: t.type.get(n[o + 7]!) ?? n[o + 7]!,
      tos: n[o + 3]!,
      flags: fl,
    };
    if (n[o + 18]! >= 0) r.from = text.slice(n[o + 18], n[o + 19]);
    if (n[o + 20]! >= 0) r.gateway = text.slice(n[o + 20], n[o + 21]);
    if (n[o + 9] === n[o + 9]) r.index = n[o + 9]!; // not NaN
    if (n[o + 10] === n[o + 10]) r.iif = n[o + 10]!;
    if (n[o + 22]! >= 0) r.source = text.slice(n[o + 22], n[o + 23]);
    if (n[o + 11] === n[o + 11]) r.metric = n[o + 11]!;
    const x = extra[i];
    if (x) {
      if (x.metrics !== undefined) r.metrics = x.metrics as RouteMetrics;
      if (x.multipath !== undefined)
        r.multipath = (x.multipath as Decoded[]).map((h) => {
          const hop: NextHop = { index: h.oif as number, weight: h.weight as number, flags: nhFlagNames(h.flags as number) };
          if (h.gateway !== undefined) hop.gateway = h.gateway as string;
          return hop;
        });
    }
    if (n[o + 14] === n[o + 14]) r.pref = t.pref.get(n[o + 14]!) ?? 'medium';
    if (n[o + 15] === n[o + 15]) r.expires = n[o + 15]!;
    if (n[o + 12] === n[o + 12]) r.mark = n[o + 12]!;
    if (n[o + 13] === n[o + 13]) r.uid = n[o + 13]!;
    out.push(r as unknown as Decoded);
  }
}

registerBatches({ is: isRouteBatch, expand: (d, out) => { routesFromBatch(d as Decoded & RouteBatch, out); } });
