/**
 * Routes (IPv4 and IPv6, every route type, multipath, metrics) and `ip route get`.
 */
import { k, type Decoded, type RouteRequest } from './binding.js';
import { invalidType, invalidValue } from './errors.js';
import { checkLinkRef, indexOf, type LinkRef } from './links.js';
import { resolveNetns, type NetnsOption } from './netns.js';
import { dump, transact } from './rtnl.js';
import * as v from './validate.js';

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

/** A next hop of a multipath route, as given. */
export interface NextHopSpec {
  gateway?: string;
  device?: LinkRef;
  /** 1-256; default 1. */
  weight?: number;
  onlink?: boolean;
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
  /** onlink, linkdown, dead, cloned, … */
  flags: string[];
  metrics?: RouteMetrics;
  multipath?: NextHop[];
  /** IPv6 router preference: 'low' | 'medium' | 'high'. */
  pref?: 'low' | 'medium' | 'high';
  /** Seconds until the route expires. */
  expires?: number;
  mark?: number;
  uid?: number;
}

/** What {@link addRoute}, {@link replaceRoute} and {@link deleteRoute} take. */
export interface RouteSpec extends NetnsOption {
  /** `'default'`, a prefix (`'10.0.0.0/24'`) or an address (a host route). */
  destination: string;
  /** Family of a `'default'` route when no gateway tells it: 4 (default) or 6. */
  family?: 4 | 6;
  gateway?: string;
  device?: LinkRef;
  /** The preferred source address (`src ADDRESS`). */
  source?: string;
  /** Source prefix (`from PREFIX`, IPv6 source-specific routing). */
  from?: string;
  /** Default `main`. */
  table?: RouteTable;
  /** `metric N`. */
  metric?: number;
  /** Default `boot` (as `ip route add`). */
  protocol?: RouteProtocol | number;
  /** Default: `link` for a unicast route without gateway, `host` for local/nat, `global` otherwise. */
  scope?: RouteScope | number;
  /** Default `unicast`. */
  type?: RouteType;
  tos?: number;
  /** `onlink`: the gateway is on the link even if no prefix says so. */
  onlink?: boolean;
  /** Several next hops, each with a weight (`nexthop via A dev X weight 2 nexthop …`). */
  multipath?: NextHopSpec[];
  /** Shorthands for metrics.mtu and metrics.advmss. */
  mtu?: number;
  advmss?: number;
  metrics?: RouteMetrics;
  /** IPv6 router preference. */
  pref?: 'low' | 'medium' | 'high';
  /** Seconds until the route expires (IPv6). */
  expires?: number;
}

const TYPES: readonly RouteType[] = ['unicast', 'local', 'broadcast', 'anycast', 'multicast', 'blackhole', 'unreachable', 'prohibit', 'throw', 'nat'];
const TYPE_CONST: Record<RouteType, string> = {
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
const SCOPE_VALUES: Record<RouteScope, number> = { global: 0, site: 200, link: 253, host: 254, nowhere: 255 };
const PROTOCOL_CONST: Record<RouteProtocol, string> = {
  unspec: 'RTPROT_UNSPEC',
  redirect: 'RTPROT_REDIRECT',
  kernel: 'RTPROT_KERNEL',
  boot: 'RTPROT_BOOT',
  static: 'RTPROT_STATIC',
  ra: 'RTPROT_RA',
  dhcp: 'RTPROT_DHCP',
};
const PREFS = { low: 3, medium: 0, high: 1 } as const;
const NH_FLAGS: [string, string][] = [
  ['RTNH_F_DEAD', 'dead'],
  ['RTNH_F_PERVASIVE', 'pervasive'],
  ['RTNH_F_ONLINK', 'onlink'],
  ['RTNH_F_OFFLOAD', 'offload'],
  ['RTNH_F_LINKDOWN', 'linkdown'],
  ['RTNH_F_UNRESOLVED', 'unresolved'],
];
const METRIC_KEYS = ['mtu', 'advmss', 'hoplimit', 'window', 'rtt', 'rttvar', 'ssthresh', 'cwnd', 'initcwnd', 'initrwnd', 'reordering', 'features', 'rtoMin', 'quickack', 'lock'] as const;

/** A table name or number → its number. @internal */
export function tableNumber(value: unknown, arg: string): number {
  if (value === 'main') return k('RT_TABLE_MAIN');
  if (value === 'local') return k('RT_TABLE_LOCAL');
  if (value === 'default') return k('RT_TABLE_DEFAULT');
  if (typeof value === 'number') return v.integer(value, arg, 1, 0xffffffff);
  throw invalidValue(arg, value, "must be a table number (1-4294967295) or 'main', 'local', 'default'");
}

function protocolNumber(value: unknown, arg: string): number {
  if (typeof value === 'number') return v.integer(value, arg, 0, 255);
  if (typeof value === 'string' && value in PROTOCOL_CONST) return k(PROTOCOL_CONST[value as RouteProtocol]);
  throw invalidValue(arg, value, `must be 0-255 or one of ${Object.keys(PROTOCOL_CONST).join(', ')}`);
}

function scopeNumber(value: unknown, arg: string): number {
  if (typeof value === 'number') return v.integer(value, arg, 0, 255);
  if (typeof value === 'string' && value in SCOPE_VALUES) return SCOPE_VALUES[value as RouteScope];
  throw invalidValue(arg, value, `must be 0-255 or one of ${Object.keys(SCOPE_VALUES).join(', ')}`);
}

function nameOf<T extends string>(map: Record<T, string>, value: number): T | number {
  for (const [name, c] of Object.entries(map) as [T, string][]) if (k(c) === value) return name;
  return value;
}

function nhFlagNames(flags: number): string[] {
  return NH_FLAGS.filter(([c]) => flags & k(c)).map(([, n]) => n);
}

/** A decoded route into the public shape. @internal */
export function toRoute(d: Decoded): Route {
  const family = d.family as 4 | 6;
  const dstLen = d.dstLen as number;
  const r: Route = {
    family,
    destination: d.dst === undefined && dstLen === 0 ? 'default' : `${(d.dst as string | undefined) ?? (family === 4 ? '0.0.0.0' : '::')}/${dstLen}`,
    table: d.table as number,
    protocol: nameOf(PROTOCOL_CONST, d.protocol as number),
    scope: (Object.entries(SCOPE_VALUES).find(([, n]) => n === d.scope)?.[0] as RouteScope | undefined) ?? (d.scope as number),
    type: nameOf(TYPE_CONST, d.type as number),
    tos: d.tos as number,
    flags: [...nhFlagNames(d.flags as number), ...((d.flags as number) & k('RTM_F_CLONED') ? ['cloned'] : [])],
  };
  if (d.src !== undefined) r.from = `${d.src as string}/${d.srcLen as number}`;
  if (d.gateway !== undefined) r.gateway = d.gateway as string;
  if (d.oif !== undefined) r.index = d.oif as number;
  if (d.iif !== undefined) r.iif = d.iif as number;
  if (d.prefsrc !== undefined) r.source = d.prefsrc as string;
  if (d.priority !== undefined) r.metric = d.priority as number;
  if (d.metrics !== undefined) r.metrics = d.metrics as RouteMetrics;
  if (d.multipath !== undefined)
    r.multipath = (d.multipath as Decoded[]).map((h) => ({
      ...(h.gateway !== undefined ? { gateway: h.gateway as string } : {}),
      index: h.oif as number,
      weight: h.weight as number,
      flags: nhFlagNames(h.flags as number),
    }));
  if (d.pref !== undefined) r.pref = (Object.entries(PREFS).find(([, n]) => n === d.pref)?.[0] as Route['pref']) ?? 'medium';
  if (d.expires !== undefined) r.expires = d.expires as number;
  if (d.mark !== undefined) r.mark = d.mark as number;
  if (d.uid !== undefined) r.uid = d.uid as number;
  return r;
}

const SPEC_KEYS = [
  'netns', 'destination', 'family', 'gateway', 'device', 'source', 'from', 'table', 'metric', 'protocol', 'scope', 'type', 'tos', 'onlink',
  'multipath', 'mtu', 'advmss', 'metrics', 'pref', 'expires',
] as const;

/** Validates a spec and builds the request (link names resolved). */
async function routeRequest(spec: RouteSpec, mode: 'add' | 'delete', ns: Parameters<typeof indexOf>[0]): Promise<RouteRequest> {
  const o = v.object(spec, 'spec');
  v.knownKeys(o, 'spec', SPEC_KEYS);
  if (spec.family !== undefined && spec.family !== 4 && spec.family !== 6) throw invalidValue('spec.family', spec.family, 'must be 4 or 6');
  let family: 4 | 6 | undefined = spec.family;
  let dst: v.Cidr | undefined;
  if (spec.destination !== 'default') {
    dst = v.cidr(spec.destination, 'spec.destination');
    if (family !== undefined && family !== dst.family) throw invalidValue('spec.family', family, `does not match the destination ${spec.destination}`);
    family = dst.family;
  }
  if (spec.gateway !== undefined) {
    const g = v.ip(spec.gateway, 'spec.gateway', family);
    family ??= g.includes(':') ? 6 : 4;
  }
  const mp = spec.multipath;
  if (mp !== undefined) {
    const list: unknown = mp;
    if (!Array.isArray(list) || list.length === 0) throw invalidValue('spec.multipath', mp, 'must be a non-empty array of next hops');
    if (spec.gateway !== undefined || spec.device !== undefined) throw invalidValue('spec.multipath', mp, 'replaces gateway/device: give those per next hop');
    for (const [i, h] of mp.entries()) {
      v.knownKeys(v.object(h, `spec.multipath[${i}]`), `spec.multipath[${i}]`, ['gateway', 'device', 'weight', 'onlink']);
      if (h.gateway !== undefined) {
        const g = v.ip(h.gateway, `spec.multipath[${i}].gateway`, family);
        family ??= g.includes(':') ? 6 : 4;
      }
    }
  }
  family ??= 4;
  const req: RouteRequest = {
    family: k(family === 4 ? 'AF_INET' : 'AF_INET6'),
    dstLen: dst?.prefixLength ?? 0,
    table: spec.table === undefined ? k('RT_TABLE_MAIN') : tableNumber(spec.table, 'spec.table'),
  };
  if (dst) req.dst = dst.address;
  let type: RouteType | undefined;
  if (spec.type !== undefined) {
    if (!TYPES.includes(spec.type)) throw invalidValue('spec.type', spec.type, `must be one of ${TYPES.join(', ')}`);
    type = spec.type;
    req.type = k(TYPE_CONST[type]);
  }
  if (spec.gateway !== undefined) req.gateway = spec.gateway;
  if (spec.device !== undefined) req.oif = await indexOf(ns, checkLinkRef(spec.device, 'spec.device'), 'spec.device');
  if (spec.source !== undefined) req.prefsrc = v.ip(spec.source, 'spec.source', family);
  if (spec.from !== undefined) {
    const f = v.cidr(spec.from, 'spec.from');
    if (f.family !== family) throw invalidValue('spec.from', spec.from, `must be an IPv${family} prefix`);
    req.src = f.address;
    req.srcLen = f.prefixLength;
  }
  if (spec.metric !== undefined) req.priority = v.integer(spec.metric, 'spec.metric', 0, 0xffffffff);
  if (spec.tos !== undefined) req.tos = v.integer(spec.tos, 'spec.tos', 0, 255);
  if (spec.onlink !== undefined && v.bool(spec.onlink, 'spec.onlink')) req.flags = k('RTNH_F_ONLINK');
  if (spec.protocol !== undefined) req.protocol = protocolNumber(spec.protocol, 'spec.protocol');
  if (spec.scope !== undefined) req.scope = scopeNumber(spec.scope, 'spec.scope');
  if (mode === 'add') {
    req.type ??= k('RTN_UNICAST');
    req.protocol ??= k('RTPROT_BOOT');
    // iproute2's defaults: a unicast route without gateway is on-link; local and nat are host;
    // broadcast, multicast and anycast are link.
    if (req.scope === undefined) {
      const t = type ?? 'unicast';
      if (t === 'local' || t === 'nat') req.scope = SCOPE_VALUES.host;
      else if (t === 'broadcast' || t === 'multicast' || t === 'anycast') req.scope = SCOPE_VALUES.link;
      else if (t === 'unicast' && spec.gateway === undefined && mp === undefined) req.scope = SCOPE_VALUES.link;
      else req.scope = SCOPE_VALUES.global;
    }
    // A local route belongs to the local table unless told otherwise (as `ip route add local …`).
    if (spec.table === undefined && (type === 'local' || type === 'broadcast' || type === 'anycast' || type === 'nat')) req.table = k('RT_TABLE_LOCAL');
  } else req.scope ??= SCOPE_VALUES.nowhere;
  const metrics: Record<string, unknown> = {};
  if (spec.metrics !== undefined) {
    const m = v.object(spec.metrics, 'spec.metrics');
    v.knownKeys(m, 'spec.metrics', [...METRIC_KEYS, 'congctl']);
    for (const key of METRIC_KEYS) if (m[key] !== undefined) metrics[key] = v.integer(m[key], `spec.metrics.${key}`, 0, 0xffffffff);
    if (m.congctl !== undefined) metrics.congctl = v.string(m.congctl, 'spec.metrics.congctl');
  }
  if (spec.mtu !== undefined) metrics.mtu = v.integer(spec.mtu, 'spec.mtu', 68, 0xffffffff);
  if (spec.advmss !== undefined) metrics.advmss = v.integer(spec.advmss, 'spec.advmss', 1, 0xffffffff);
  if (Object.keys(metrics).length > 0) req.metrics = metrics;
  if (spec.pref !== undefined) {
    if (family !== 6) throw invalidValue('spec.pref', spec.pref, 'applies to IPv6 routes only');
    if (!(spec.pref in PREFS)) throw invalidValue('spec.pref', spec.pref, "must be 'low', 'medium' or 'high'");
    req.pref = PREFS[spec.pref];
  }
  if (spec.expires !== undefined) {
    if (family !== 6) throw invalidValue('spec.expires', spec.expires, 'applies to IPv6 routes only');
    req.expires = v.integer(spec.expires, 'spec.expires', 1, 0x7fffffff);
  }
  if (mp !== undefined) {
    req.multipath = [];
    for (const [i, h] of mp.entries()) {
      const hop: NonNullable<RouteRequest['multipath']>[number] = { weight: h.weight === undefined ? 1 : v.integer(h.weight, `spec.multipath[${i}].weight`, 1, 256) };
      if (h.gateway !== undefined) hop.gateway = h.gateway;
      if (h.device !== undefined) hop.oif = await indexOf(ns, checkLinkRef(h.device, `spec.multipath[${i}].device`), `spec.multipath[${i}].device`);
      if (h.onlink !== undefined && v.bool(h.onlink, `spec.multipath[${i}].onlink`)) hop.flags = k('RTNH_F_ONLINK');
      if (hop.gateway === undefined && hop.oif === undefined) throw invalidValue(`spec.multipath[${i}]`, h, 'needs a gateway or a device');
      req.multipath.push(hop);
    }
  }
  if (mode === 'add' && (type ?? 'unicast') === 'unicast' && req.gateway === undefined && req.oif === undefined && mp === undefined)
    throw invalidValue('spec', spec.destination, 'a unicast route needs a gateway, a device or multipath');
  return req;
}

function describe(spec: RouteSpec): string {
  const d: unknown = spec.destination;
  return typeof d === 'string' ? d : 'route';
}

async function modify(spec: RouteSpec, flags: number, operation: string): Promise<void> {
  if (typeof spec !== 'object' || spec === null) throw invalidType('spec', 'a route spec object', spec);
  const { ns, release } = resolveNetns(spec.netns);
  try {
    const req = await routeRequest(spec, operation === 'deleteRoute' ? 'delete' : 'add', ns);
    await transact(ns, [{ type: k(operation === 'deleteRoute' ? 'RTM_DELROUTE' : 'RTM_NEWROUTE'), flags, route: req }], `${operation} ${describe(spec)}`);
  } finally {
    release();
  }
}

/**
 * Adds a route; EEXIST if one with the same key (destination, table, tos, metric) exists.
 *
 * `ip route add [TYPE] DESTINATION [via GATEWAY] [dev DEV] [src ADDR] [from PREFIX] [table T]
 * [metric N] [proto P] [scope S] [onlink] [mtu N] [advmss N] [pref P] [expires S]
 * [nexthop via A dev X weight W …]`
 */
export function addRoute(spec: RouteSpec): Promise<void> {
  return modify(spec, k('NLM_F_CREATE') | k('NLM_F_EXCL'), 'addRoute');
}

/** Adds a route or replaces the one with the same key. `ip route replace …` */
export function replaceRoute(spec: RouteSpec): Promise<void> {
  return modify(spec, k('NLM_F_CREATE') | k('NLM_F_REPLACE'), 'replaceRoute');
}

/**
 * Deletes the first route that matches: the destination and table (default main) always, and
 * every other field given (gateway, device, metric, type, protocol, tos, …). ESRCH if none.
 *
 * `ip route del DESTINATION [via GATEWAY] [dev DEV] [table T] [metric N] …`
 */
export function deleteRoute(spec: RouteSpec): Promise<void> {
  return modify(spec, 0, 'deleteRoute');
}

/** Filters of {@link listRoutes}. */
export interface ListRoutesOptions extends NetnsOption {
  family?: 4 | 6;
  /** A table, or `'all'`. Default `main` (as `ip route show`). */
  table?: RouteTable | 'all';
  /** Only routes through this link. */
  device?: LinkRef;
  protocol?: RouteProtocol | number;
  type?: RouteType;
}

/**
 * Lists routes. The kernel filters by family, table, protocol, type and device (strict dump
 * checking, Linux 4.20+); netdev filters again, so older kernels give the same answer.
 *
 * `ip [-4|-6] route show [table T|all] [dev DEV] [proto P] [type T]`
 */
export async function listRoutes(options: ListRoutesOptions = {}): Promise<Route[]> {
  v.knownKeys(v.object(options, 'options'), 'options', ['netns', 'family', 'table', 'device', 'protocol', 'type']);
  if (options.family !== undefined && options.family !== 4 && options.family !== 6) throw invalidValue('options.family', options.family, 'must be 4 or 6');
  const table = options.table === 'all' ? undefined : tableNumber(options.table ?? 'main', 'options.table');
  const protocol = options.protocol === undefined ? undefined : protocolNumber(options.protocol, 'options.protocol');
  if (options.type !== undefined && !TYPES.includes(options.type)) throw invalidValue('options.type', options.type, `must be one of ${TYPES.join(', ')}`);
  const type = options.type === undefined ? undefined : k(TYPE_CONST[options.type]);
  if (options.device !== undefined) checkLinkRef(options.device, 'options.device');
  const { ns, release } = resolveNetns(options.netns);
  try {
    const filter: RouteRequest = {
      family: options.family === undefined ? k('AF_UNSPEC') : k(options.family === 4 ? 'AF_INET' : 'AF_INET6'),
    };
    if (table !== undefined) filter.table = table;
    if (protocol !== undefined) filter.protocol = protocol;
    if (type !== undefined) filter.type = type;
    if (options.device !== undefined) filter.oif = await indexOf(ns, options.device, 'options.device');
    const all = await dump(ns, { type: k('RTM_GETROUTE'), route: filter }, 'listRoutes');
    return all
      .filter(
        (d) =>
          (table === undefined || d.table === table) &&
          (protocol === undefined || d.protocol === protocol) &&
          (type === undefined || d.type === type) &&
          (filter.oif === undefined || d.oif === filter.oif || (d.multipath as Decoded[] | undefined)?.some((h) => h.oif === filter.oif)) &&
          // IPv6 lists its cache clones only when asked; never here.
          !((d.flags as number) & k('RTM_F_CLONED')),
      )
      .map(toRoute);
  } finally {
    release();
  }
}

/** Options of {@link getRoute}. */
export interface GetRouteOptions extends NetnsOption {
  /** Source address of the packet (`from`). */
  from?: string;
  /** Incoming link (`iif`): the route a forwarded packet would take. */
  iif?: LinkRef;
  /** Outgoing link to force (`oif`). */
  device?: LinkRef;
  mark?: number;
  uid?: number;
  /** Return the FIB entry that matched rather than the resolved route (`fibmatch`). */
  fibMatch?: boolean;
}

/**
 * The kernel's answer to "how would a packet to `destination` be routed": the route, its
 * outgoing link, gateway and preferred source.
 *
 * `ip route get ADDRESS [from ADDR] [iif DEV] [oif DEV] [mark M] [uid U] [fibmatch]`
 */
export async function getRoute(destination: string, options: GetRouteOptions = {}): Promise<Route> {
  const address = v.ip(destination, 'destination');
  const family = address.includes(':') ? 6 : 4;
  v.knownKeys(v.object(options, 'options'), 'options', ['netns', 'from', 'iif', 'device', 'mark', 'uid', 'fibMatch']);
  const req: RouteRequest = { family: k(family === 4 ? 'AF_INET' : 'AF_INET6'), dst: address, dstLen: family === 4 ? 32 : 128 };
  if (options.from !== undefined) {
    req.src = v.ip(options.from, 'options.from', family);
    req.srcLen = family === 4 ? 32 : 128;
  }
  if (options.mark !== undefined) req.mark = v.integer(options.mark, 'options.mark', 0, 0xffffffff);
  if (options.uid !== undefined) req.uid = v.integer(options.uid, 'options.uid', 0, 0xffffffff);
  if (options.fibMatch !== undefined && v.bool(options.fibMatch, 'options.fibMatch')) req.flags = k('RTM_F_FIB_MATCH');
  if (options.iif !== undefined) checkLinkRef(options.iif, 'options.iif');
  if (options.device !== undefined) checkLinkRef(options.device, 'options.device');
  const { ns, release } = resolveNetns(options.netns);
  try {
    if (options.iif !== undefined) req.iif = await indexOf(ns, options.iif, 'options.iif');
    if (options.device !== undefined) req.oif = await indexOf(ns, options.device, 'options.device');
    const [replies] = await transact(ns, [{ type: k('RTM_GETROUTE'), route: req }], `getRoute ${address}`);
    const d = replies?.[0];
    if (!d) throw new Error(`netdev: no route in the kernel's reply to getRoute ${address}`);
    return toRoute(d);
  } finally {
    release();
  }
}
