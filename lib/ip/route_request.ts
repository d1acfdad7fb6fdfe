/**
 * Route requests built from what callers give: a {@link RouteSpec} (with its multipath next hops)
 * validated field by field into the addon's RouteRequest with iproute2's defaults, link names left
 * for the caller to look up; and the table, protocol and scope names and numbers the operations
 * and rules.ts accept.
 */
import { k, type RouteRequest } from '../core/binding.js';
import { invalidValue } from '../core/errors.js';
import { checkLinkRef, type LinkRef } from '../link/links.js';
import type { NetnsOption } from '../netns/netns.js';
import {
  METRIC_KEYS, PREFS, PROTOCOL_CONST, SCOPE_VALUES, TYPE_CONST, TYPES,
  type RouteMetrics, type RouteProtocol, type RouteScope, type RouteTable, type RouteType,
} from './route_decode.js';
import * as v from '../core/validate.js';

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

export function protocolNumber(value: unknown, arg: string): number {
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

export const SPEC_KEYS = [
  'netns', 'destination', 'family', 'gateway', 'device', 'source', 'from', 'table', 'metric', 'protocol', 'scope', 'type', 'tos', 'onlink',
  'multipath', 'mtu', 'advmss', 'metrics', 'pref', 'expires',
] as const;

/** A link named in a spec, to be resolved to an index into the request. */
export interface NameLookup {
  ref: LinkRef;
  arg: string;
  set: (index: number) => void;
}

/** Constants of the hot path, read from the addon once. */
let C: Record<'inet' | 'inet6' | 'main' | 'local' | 'unicast' | 'boot' | 'onlink' | 'newRoute' | 'delRoute' | 'createExcl' | 'createReplace', number> | undefined;
export function consts(): NonNullable<typeof C> {
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
 * Validates a spec and builds the request; link names are left in `lookups`. `spec` is the
 * caller's snapshot (v.options with SPEC_KEYS): checked here field by field.
 */
export function routeRequest(spec: RouteSpec, mode: 'add' | 'delete', lookups: NameLookup[]): RouteRequest {
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
      if (h.onlink !== undefined && v.bool(h.onlink, `spec.multipath[${i}].onlink`)) hop.flags = c.onlink;
      if (hop.gateway === undefined && h.device === undefined) throw invalidValue(`spec.multipath[${i}]`, h, 'needs a gateway or a device');
      req.multipath.push(hop);
    }
  }
  if (mode === 'add' && (type ?? 'unicast') === 'unicast' && req.gateway === undefined && spec.device === undefined && mp === undefined)
    throw invalidValue('spec', spec.destination, 'a unicast route needs a gateway, a device or multipath');
  return req;
}
