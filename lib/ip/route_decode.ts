/**
 * Decoding routes: the addon's columnar route batches straight into Route objects, with the
 * number -> name tables built once. @internal
 */
import { k, type Decoded } from '../core/binding.js';
import { ROUTE_NUMS, type Checked, type SameSet, type Slots } from '../core/contract.js';
import type { ConstantName } from '../core/contract.js';
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
export const TYPE_CONST: Record<RouteType, ConstantName> = {
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
export const PROTOCOL_CONST: Record<RouteProtocol, ConstantName> = {
  unspec: 'RTPROT_UNSPEC',
  redirect: 'RTPROT_REDIRECT',
  kernel: 'RTPROT_KERNEL',
  boot: 'RTPROT_BOOT',
  static: 'RTPROT_STATIC',
  ra: 'RTPROT_RA',
  dhcp: 'RTPROT_DHCP',
};
export const PREFS = { low: 3, medium: 0, high: 1 } as const;
const NH_FLAGS: [ConstantName, string][] = [
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

/** The named column slots (core/contract.ts; test/unit/contract.test.mjs checks them against the addon). */
// A const enum, its values written into the code by tsc (see link/decode.ts's N), checked
// against ROUTE_NUMS at compile time through RN's type.
const enum R {
  family = 0, dstLen = 1, srcLen = 2, tos = 3, table = 4, protocol = 5, scope = 6, type = 7, flags = 8, oif = 9, iif = 10, priority = 11,
  mark = 12, uid = 13, pref = 14, expires = 15, dstAt = 16, dstEnd = 17, srcAt = 18, srcEnd = 19, gwAt = 20, gwEnd = 21, prefAt = 22,
  prefEnd = 23,
}
const RN: Checked<number, SameSet<{ readonly [K in keyof typeof R]: (typeof R)[K] }, Slots<typeof ROUTE_NUMS>>> = ROUTE_NUMS.length;

const NO_FLAGS: readonly string[] = Object.freeze([]);

/** Whether a decoded reply element is a route batch. */
export function isRouteBatch(d: Decoded): d is Decoded & RouteBatch {
  return typeof d.routeBatch === 'number';
}

/** Appends the Routes of a batch to out. */
export function routesFromBatch(batch: RouteBatch, out: object[]): void {
  const t = namesOf();
  const { nums: n, text, extra } = batch;
  for (let i = 0; i < batch.routeBatch; i++) {
    const o = i * RN;
    const family = n[o + R.family]! as 4 | 6;
    const flags = n[o + R.flags]!;
    let fl: readonly string[] = NO_FLAGS;
    if (flags !== 0) {
      const names = nhFlagNames(flags);
      if (flags & t.cloned) names.push('cloned');
      fl = names;
    }
    const r: Route = {
      family,
      destination: text.slice(n[o + R.dstAt], n[o + R.dstEnd]),
      table: n[o + R.table]!,
      protocol: t.protocol.get(n[o + R.protocol]!) ?? n[o + R.protocol]!,
      scope: t.scope.get(n[o + R.scope]!) ?? n[o + R.scope]!,
      type: t.type.get(n[o + R.type]!) ?? n[o + R.type]!,
      tos: n[o + R.tos]!,
      flags: fl,
    };
    if (n[o + R.srcAt]! >= 0) r.from = text.slice(n[o + R.srcAt], n[o + R.srcEnd]);
    if (n[o + R.gwAt]! >= 0) r.gateway = text.slice(n[o + R.gwAt], n[o + R.gwEnd]);
    if (n[o + R.oif] === n[o + R.oif]) r.index = n[o + R.oif]!; // not NaN
    if (n[o + R.iif] === n[o + R.iif]) r.iif = n[o + R.iif]!;
    if (n[o + R.prefAt]! >= 0) r.source = text.slice(n[o + R.prefAt], n[o + R.prefEnd]);
    if (n[o + R.priority] === n[o + R.priority]) r.metric = n[o + R.priority]!;
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
    if (n[o + R.pref] === n[o + R.pref]) r.pref = t.pref.get(n[o + R.pref]!) ?? 'medium';
    if (n[o + R.expires] === n[o + R.expires]) r.expires = n[o + R.expires]!;
    if (n[o + R.mark] === n[o + R.mark]) r.mark = n[o + R.mark]!;
    if (n[o + R.uid] === n[o + R.uid]) r.uid = n[o + R.uid]!;
    out.push(r);
  }
}

registerBatches({ is: isRouteBatch, expand: (d, out) => { routesFromBatch(d as Decoded & RouteBatch, out); } });
