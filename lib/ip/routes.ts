/**
 * Routes (IPv4 and IPv6, every route type, multipath, metrics) and `ip route get`.
 */
import { k, type NativeNs, type PackedRoute, type Request, type RouteRequest } from '../core/binding.js';
import { invalidType, invalidValue, systemError } from '../core/errors.js';
import { checkLinkRef, indexOf, type LinkRef } from '../link/links.js';
import { netnsOf, resolveNetns, type NetnsOption } from '../netns/netns.js';
import {
  METRIC_KEYS, PREFS, PROTOCOL_CONST, SCOPE_VALUES, TYPE_CONST, TYPES, namesOf,
  type NextHop, type Route, type RouteMetrics, type RouteProtocol, type RouteScope, type RouteTable, type RouteType,
} from './route_decode.js';
import { decodedAs, dumpAs, submit, transact, transactEach } from '../netlink/rtnl.js';

export type { NextHop, Route, RouteMetrics, RouteProtocol, RouteScope, RouteTable, RouteType };

/** Next hops of one multipath route (RTA_MULTIPATH, up to 28 bytes each, must fit a u16 length). */
const MAX_NEXTHOPS = 1024;

/** A next hop of a multipath route, as given. */
export interface NextHopSpec {
  gateway?: string;
  device?: LinkRef;
  /** 1-256; default 1. */
  weight?: number;
  onlink?: boolean;
}

import * as v from '../core/validate.js';

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
  const name = v.lookup(PROTOCOL_CONST, value);
  if (name !== undefined) return k(name);
  throw invalidValue(arg, value, `must be 0-255 or one of ${Object.keys(PROTOCOL_CONST).join(', ')}`);
}

function scopeNumber(value: unknown, arg: string): number {
  if (typeof value === 'number') return v.integer(value, arg, 0, 255);
  const scope = v.lookup(SCOPE_VALUES, value);
  if (scope !== undefined) return scope;
  throw invalidValue(arg, value, `must be 0-255 or one of ${Object.keys(SCOPE_VALUES).join(', ')}`);
}

const SPEC_KEYS = [
  'netns', 'destination', 'family', 'gateway', 'device', 'source', 'from', 'table', 'metric', 'protocol', 'scope', 'type', 'tos', 'onlink',
  'multipath', 'mtu', 'advmss', 'metrics', 'pref', 'expires',
] as const;

/** A link named in a spec, to be resolved to an index into the request. */
interface NameLookup {
  ref: LinkRef;
  arg: string;
  set: (index: number) => void;
}

/** Constants of the hot path, read from the addon once. */
let C: Record<'inet' | 'inet6' | 'main' | 'local' | 'unicast' | 'boot' | 'onlink' | 'newRoute' | 'delRoute' | 'createExcl' | 'createReplace', number> | undefined;
function consts(): NonNullable<typeof C> {
  return (C ??= {
    inet: k('AF_INET'),
    inet6: k('AF_INET6'),
    main: k('RT_TABLE_MAIN'),
    local: k('RT_TABLE_LOCAL'),
    unicast: k('RTN_UNICAST'),
    boot: k('RTPROT_BOOT'),
    onlink: k('RTNH_F_ONLINK'),
    newRoute: k('RTM_NEWROUTE'),
    delRoute: k('RTM_DELROUTE'),
    createExcl: k('NLM_F_CREATE') | k('NLM_F_EXCL'),
    createReplace: k('NLM_F_CREATE') | k('NLM_F_REPLACE'),
  });
}

/**
 * The positional form of a route request (core/contract.ts ROUTE_FIELDS, native/rtnl/codec.h
 * NETDEV_ROUTE_FIELDS): the addon reads it by index instead of looking up ~20 property names per
 * route. test/unit/contract.test.mjs proves it encodes the bytes of the object form.
 * @internal
 */
export function packRoute(r: RouteRequest): PackedRoute {
  return [
    r.family, r.dstLen, r.srcLen, r.tos, r.table, r.protocol, r.scope, r.type, r.flags, r.dst, r.src, r.gateway, r.prefsrc, r.oif, r.iif, r.priority,
    r.mark, r.uid, r.pref, r.expires, r.metrics, r.multipath,
  ];
}

/** Validates a spec and builds the request; link names are left in `lookups`. */
/** `spec` is the caller's snapshot (v.options with SPEC_KEYS): checked here field by field. */
function routeRequest(spec: RouteSpec, mode: 'add' | 'delete', lookups: NameLookup[]): RouteRequest {
  const c = consts();
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
    // Each next hop takes up to 28 bytes of RTA_MULTIPATH, whose length is a u16.
    if (list.length > MAX_NEXTHOPS) throw invalidValue('spec.multipath', mp, `must hold at most ${MAX_NEXTHOPS} next hops`, true);
    if (spec.gateway !== undefined || spec.device !== undefined) throw invalidValue('spec.multipath', mp, 'replaces gateway/device: give those per next hop');
    for (const [i, given] of mp.entries()) {
      const h = v.options(given, `spec.multipath[${i}]`, ['gateway', 'device', 'weight', 'onlink']);
      mp[i] = h; // what the request is built from below
      if (h.gateway !== undefined) {
        const g = v.ip(h.gateway, `spec.multipath[${i}].gateway`, family);
        family ??= g.includes(':') ? 6 : 4;
      }
    }
  }
  family ??= 4;
  const req: RouteRequest = {
    family: family === 4 ? c.inet : c.inet6,
    dstLen: dst?.prefixLength ?? 0,
    table: spec.table === undefined ? c.main : tableNumber(spec.table, 'spec.table'),
  };
  if (dst) req.dst = dst.address;
  let type: RouteType | undefined;
  if (spec.type !== undefined) {
    if (!TYPES.includes(spec.type)) throw invalidValue('spec.type', spec.type, `must be one of ${TYPES.join(', ')}`);
    type = spec.type;
    req.type = k(TYPE_CONST[type]);
  }
  if (spec.gateway !== undefined) req.gateway = spec.gateway;
  if (spec.device !== undefined) {
    const ref = checkLinkRef(spec.device, 'spec.device');
    if (typeof ref === 'number') req.oif = ref;
    else lookups.push({ ref, arg: 'spec.device', set: (i) => (req.oif = i) });
  }
  if (spec.source !== undefined) req.prefsrc = v.ip(spec.source, 'spec.source', family);
  if (spec.from !== undefined) {
    const f = v.cidr(spec.from, 'spec.from');
    if (f.family !== family) throw invalidValue('spec.from', spec.from, `must be an IPv${family} prefix`);
    req.src = f.address;
    req.srcLen = f.prefixLength;
  }
  if (spec.metric !== undefined) req.priority = v.integer(spec.metric, 'spec.metric', 0, 0xffffffff);
  if (spec.tos !== undefined) req.tos = v.integer(spec.tos, 'spec.tos', 0, 255);
  if (spec.onlink !== undefined && v.bool(spec.onlink, 'spec.onlink')) req.flags = c.onlink;
  if (spec.protocol !== undefined) req.protocol = protocolNumber(spec.protocol, 'spec.protocol');
  if (spec.scope !== undefined) req.scope = scopeNumber(spec.scope, 'spec.scope');
  if (mode === 'add') {
    req.type ??= c.unicast;
    req.protocol ??= c.boot;
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
    if (spec.table === undefined && (type === 'local' || type === 'broadcast' || type === 'anycast' || type === 'nat')) req.table = c.local;
  } else req.scope ??= SCOPE_VALUES.nowhere;
  if (spec.metrics !== undefined || spec.mtu !== undefined || spec.advmss !== undefined) {
    const metrics: Record<string, unknown> = {};
    if (spec.metrics !== undefined) {
      const m = v.object(spec.metrics, 'spec.metrics');
      v.knownKeys(m, 'spec.metrics', [...METRIC_KEYS, 'congctl']);
      for (const key of METRIC_KEYS) if (m[key] !== undefined) metrics[key] = v.integer(m[key], `spec.metrics.${key}`, 0, 0xffffffff);
      // TCP_CA_NAME_MAX - 1: congestion control names are at most 15 bytes.
      if (m.congctl !== undefined) metrics.congctl = v.string(m.congctl, 'spec.metrics.congctl', 15, 1);
    }
    if (spec.mtu !== undefined) metrics.mtu = v.integer(spec.mtu, 'spec.mtu', 68, 0xffffffff);
    if (spec.advmss !== undefined) metrics.advmss = v.integer(spec.advmss, 'spec.advmss', 1, 0xffffffff);
    if (Object.keys(metrics).length > 0) req.metrics = metrics;
  }
  if (spec.pref !== undefined) {
    if (family !== 6) throw invalidValue('spec.pref', spec.pref, 'applies to IPv6 routes only');
    const pref = v.lookup(PREFS, spec.pref);
    if (pref === undefined) throw invalidValue('spec.pref', spec.pref, "must be 'low', 'medium' or 'high'");
    req.pref = pref;
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
      if (h.device !== undefined) {
        const ref = checkLinkRef(h.device, `spec.multipath[${i}].device`);
        if (typeof ref === 'number') hop.oif = ref;
        else lookups.push({ ref, arg: `spec.multipath[${i}].device`, set: (x) => (hop.oif = x) });
      }
      if (h.onlink !== undefined && v.bool(h.onlink, `spec.multipath[${i}].onlink`)) hop.flags = k('RTNH_F_ONLINK');
      if (hop.gateway === undefined && h.device === undefined) throw invalidValue(`spec.multipath[${i}]`, h, 'needs a gateway or a device');
      req.multipath.push(hop);
    }
  }
  if (mode === 'add' && (type ?? 'unicast') === 'unicast' && req.gateway === undefined && spec.device === undefined && mp === undefined)
    throw invalidValue('spec', spec.destination, 'a unicast route needs a gateway, a device or multipath');
  return req;
}

function describe(spec: RouteSpec): string {
  const d: unknown = spec.destination;
  return typeof d === 'string' ? d : 'route';
}

// Not an async function: an addRoute issued together with thousands of others should cost one
// promise reaction, not an async frame suspended on the shared name lookup and again on the reply.
function modify(spec: RouteSpec, deleting: boolean, flags: number, operation: string): Promise<void> {
  let req: RouteRequest;
  const lookups: NameLookup[] = [];
  let ns: NativeNs;
  let release: () => void;
  try {
    if (typeof spec !== 'object' || spec === null) throw invalidType('spec', 'a route spec object', spec);
    spec = v.options(spec, 'spec', SPEC_KEYS); // one read of each field, for every step below
    req = routeRequest(spec, deleting ? 'delete' : 'add', lookups);
    ({ ns, release } = resolveNetns(netnsOf(spec)));
  } catch (e) {
    return Promise.reject(e);
  }
  const fail = (e: unknown): never => {
    release();
    throw systemError(e, `${operation} ${describe(spec)}`, ns);
  };
  const send = (): Promise<void> =>
    submit(ns, [{ type: deleting ? consts().delRoute : consts().newRoute, flags, route: packRoute(req) }]).then((results) => {
      release();
      const r = results[0];
      if (r instanceof Error) throw systemError(r, `${operation} ${describe(spec)}`, ns);
    }, fail);
  if (lookups.length === 0) return send();
  if (lookups.length === 1) {
    const l = lookups[0]!;
    return indexOf(ns, l.ref, l.arg).then((i) => {
      l.set(i);
      return send();
    }, fail);
  }
  return Promise.all(lookups.map((l) => indexOf(ns, l.ref, l.arg))).then((indexes) => {
    indexes.forEach((i, j) => { lookups[j]!.set(i); });
    return send();
  }, fail);
}

/**
 * Adds a route; EEXIST if one with the same key (destination, table, tos, metric) exists.
 *
 * `ip route add [TYPE] DESTINATION [via GATEWAY] [dev DEV] [src ADDR] [from PREFIX] [table T]
 * [metric N] [proto P] [scope S] [onlink] [mtu N] [advmss N] [pref P] [expires S]
 * [nexthop via A dev X weight W …]`
 */
export function addRoute(spec: RouteSpec): Promise<void> {
  return modify(spec, false, consts().createExcl, 'addRoute');
}

/** Adds a route or replaces the one with the same key. `ip route replace …` */
export function replaceRoute(spec: RouteSpec): Promise<void> {
  return modify(spec, false, consts().createReplace, 'replaceRoute');
}

/**
 * Deletes the first route that matches: the destination and table (default main) always, and
 * every other field given (gateway, device, metric, type, protocol, tos, …). ESRCH if none.
 *
 * `ip route del DESTINATION [via GATEWAY] [dev DEV] [table T] [metric N] …`
 */
export function deleteRoute(spec: RouteSpec): Promise<void> {
  return modify(spec, true, 0, 'deleteRoute');
}

/**
 * Adds many routes in one call (an orchestrator installing a table): every spec is validated
 * first (nothing is sent if one is invalid), link names are looked up once each, and the requests
 * go to the kernel in batches. Resolves with one entry per spec, in order: undefined when added,
 * else the kernel's refusal (a NetdevError); it does not reject for those.
 *
 * `ip -batch FILE` of `route add …` lines
 */
export async function addRoutes(specs: readonly RouteSpec[], options: NetnsOption & { replace?: boolean } = {}): Promise<(Error | undefined)[]> {
  if (!Array.isArray(specs)) throw invalidType('specs', 'an array of route specs', specs);
  const list = v.array(specs, 'specs', 2 ** 20, 'an array of route specs') as RouteSpec[];
  options = v.options(options, 'options', ['netns', 'replace']);
  const replace = options.replace === undefined ? false : v.bool(options.replace, 'options.replace');
  const c = consts();
  const lookups: NameLookup[] = [];
  const reqs = list.map((given, i) => {
    if (typeof given !== 'object' || given === null) throw invalidType(`specs[${i}]`, 'a route spec object', given);
    const spec = v.options(given, `specs[${i}]`, SPEC_KEYS);
    if (netnsOf(spec) !== undefined) throw invalidValue(`specs[${i}].netns`, netnsOf(spec), 'is given once, in options.netns');
    return routeRequest(spec, 'add', lookups);
  });
  const { ns, release } = resolveNetns(netnsOf(options));
  try {
    // Issued together, lookups of the same name share one RTM_GETLINK (indexOf).
    const indexes = await Promise.all(lookups.map((l) => indexOf(ns, l.ref, l.arg)));
    indexes.forEach((i, j) => { lookups[j]!.set(i); });
    // Packed once the lookups have filled in the link indexes (see packRoute).
    const flags = replace ? c.createReplace : c.createExcl;
    const requests: Request[] = reqs.map((r) => ({ type: c.newRoute, flags, route: packRoute(r) }));
    return (await transactEach(ns, requests, 'addRoutes')).map((r) => (r instanceof Error ? r : undefined));
  } finally {
    release();
  }
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
  options = v.options(options, 'options', ['netns', 'family', 'table', 'device', 'protocol', 'type']);
  if (options.family !== undefined && options.family !== 4 && options.family !== 6) throw invalidValue('options.family', options.family, 'must be 4 or 6');
  const table = options.table === 'all' ? undefined : tableNumber(options.table ?? 'main', 'options.table');
  const protocol = options.protocol === undefined ? undefined : protocolNumber(options.protocol, 'options.protocol');
  if (options.type !== undefined && !TYPES.includes(options.type)) throw invalidValue('options.type', options.type, `must be one of ${TYPES.join(', ')}`);
  const type = options.type === undefined ? undefined : k(TYPE_CONST[options.type]);
  if (options.device !== undefined) checkLinkRef(options.device, 'options.device');
  const { ns, release } = resolveNetns(netnsOf(options));
  try {
    const filter: RouteRequest = {
      family: options.family === undefined ? k('AF_UNSPEC') : k(options.family === 4 ? 'AF_INET' : 'AF_INET6'),
    };
    if (table !== undefined) filter.table = table;
    if (protocol !== undefined) filter.protocol = protocol;
    if (type !== undefined) filter.type = type;
    if (options.device !== undefined) filter.oif = await indexOf(ns, options.device, 'options.device');
    const all = await dumpAs<Route>(ns, { type: k('RTM_GETROUTE'), route: filter }, 'listRoutes');
    const t = namesOf();
    const wantProtocol = protocol === undefined ? undefined : (t.protocol.get(protocol) ?? protocol);
    const wantType = type === undefined ? undefined : (t.type.get(type) ?? type);
    const oif = filter.oif;
    const out: Route[] = [];
    for (const r of all) {
      if (table !== undefined && r.table !== table) continue;
      if (wantProtocol !== undefined && r.protocol !== wantProtocol) continue;
      if (wantType !== undefined && r.type !== wantType) continue;
      if (oif !== undefined && r.index !== oif && !r.multipath?.some((h) => h.index === oif)) continue;
      if (r.flags.length > 0 && r.flags.includes('cloned')) continue; // IPv6 cache clones: never listed here
      out.push(r);
    }
    return out;
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
  options = v.options(options, 'options', ['netns', 'from', 'iif', 'device', 'mark', 'uid', 'fibMatch']);
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
  const { ns, release } = resolveNetns(netnsOf(options));
  try {
    if (options.iif !== undefined) req.iif = await indexOf(ns, options.iif, 'options.iif');
    if (options.device !== undefined) req.oif = await indexOf(ns, options.device, 'options.device');
    const [replies] = await transact(ns, [{ type: k('RTM_GETROUTE'), route: req }], `getRoute ${address}`);
    const d = replies?.[0];
    if (!d) throw new Error(`netdev: no route in the kernel's reply to getRoute ${address}`);
    return decodedAs<Route>(d);
  } finally {
    release();
  }
}
