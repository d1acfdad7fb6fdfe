/**
 * Routes (IPv4 and IPv6, every route type, multipath, metrics) and `ip route get`: the
 * operations, sending what route_request.ts builds from a {@link RouteSpec}.
 */
import { k, type NativeNs, type PackedRoute, type Request, type RouteRequest } from '../core/binding.js';
import { invalidType, invalidValue, systemError } from '../core/errors.js';
import { checkLinkRef, indexOf, type LinkRef } from '../link/links.js';
import { netnsOf, resolveNetns, type NetnsOption } from '../netns/netns.js';
import {
  TYPE_CONST, TYPES, namesOf,
  type NextHop, type Route, type RouteMetrics, type RouteProtocol, type RouteScope, type RouteTable, type RouteType,
} from './route_decode.js';
import { SPEC_KEYS, consts, protocolNumber, routeRequest, tableNumber, type NameLookup, type NextHopSpec, type RouteSpec } from './route_request.js';
import { decodedAs, dumpAs, submit, transact, transactEach } from '../netlink/rtnl.js';
import * as v from '../core/validate.js';

export type { NextHop, NextHopSpec, Route, RouteMetrics, RouteProtocol, RouteScope, RouteSpec, RouteTable, RouteType };

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
