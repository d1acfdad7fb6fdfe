/**
 * Tunnel link kinds: VXLAN, GRE/GRETAP (IPv4 and IPv6), Geneve, IPIP and SIT.
 */
import { invalidType, invalidValue } from '../../core/errors.js';
import { checkLinkRef, type Link, type LinkRef } from '../links.js';
import { type CreateLinkOptions } from '../create.js';
import { checkData, common, create, pick, settingsOf } from './table.js';
import type { GeneveData, IpipData, VxlanData } from './data.js';
import * as v from '../../core/validate.js';

/** Options of {@link createVxlan}. */
export interface CreateVxlanOptions extends CreateLinkOptions {
  /** VXLAN network identifier, 0-16777215. */
  vni: number;
  /** Unicast remote endpoint (IPv4 or IPv6); or use `multicastGroup`, or FDB entries (head-end replication). */
  remote?: string;
  /** Multicast group (IPv4 or IPv6): `ip … type vxlan group ADDR` (named apart from the device `group`). */
  multicastGroup?: string;
  /** Local endpoint address (IPv4 or IPv6). */
  local?: string;
  /** The underlay device (`dev`). */
  device?: LinkRef;
  /** UDP destination port. Default **4789** (IANA); the kernel's own default, 8472, only if set explicitly. */
  port?: number;
  /** UDP source port range [low, high]. */
  srcPortRange?: [number, number];
  ttl?: number;
  ttlInherit?: boolean;
  tos?: number;
  df?: 'unset' | 'set' | 'inherit';
  flowlabel?: number;
  learning?: boolean;
  proxy?: boolean;
  rsc?: boolean;
  l2miss?: boolean;
  l3miss?: boolean;
  /** FDB entry ageing, seconds. */
  ageing?: number;
  /** Maximum FDB entries (0: unlimited). */
  limit?: number;
  udpCsum?: boolean;
  udp6ZeroCsumTx?: boolean;
  udp6ZeroCsumRx?: boolean;
  remcsumTx?: boolean;
  remcsumRx?: boolean;
  gbp?: boolean;
  gpe?: boolean;
  /** Collect metadata (`external`): endpoints come from the packets' tunnel metadata. */
  external?: boolean;
  /** Per-VNI filtering (with `external`; kernels 6.0+). */
  vnifilter?: boolean;
}

const VXLAN_KEYS = settingsOf<CreateVxlanOptions, VxlanData>()([
  'vni', 'port', 'srcPortRange', 'ttl', 'ttlInherit', 'tos', 'df', 'flowlabel', 'learning', 'proxy', 'rsc', 'l2miss',
  'l3miss', 'ageing', 'limit', 'udpCsum', 'udp6ZeroCsumTx', 'udp6ZeroCsumRx', 'remcsumTx', 'remcsumRx', 'gbp', 'gpe',
  'external', 'vnifilter',
]);

/**
 * Creates a VXLAN link. The destination port defaults to 4789.
 *
 * `ip link add NAME type vxlan id VNI [remote ADDR | group ADDR (multicastGroup)] [local ADDR] [dev DEV]
 * [dstport PORT] [srcport LOW HIGH] [ttl N|inherit] [tos N] [df unset|set|inherit] [flowlabel N]
 * [[no]learning] [[no]proxy] [[no]rsc] [[no]l2miss] [[no]l3miss] [ageing N] [maxaddress N]
 * [[no]udpcsum] [[no]udp6zerocsumtx] [[no]udp6zerocsumrx] [[no]remcsumtx] [[no]remcsumrx] [gbp]
 * [gpe] [external] [vnifilter]`
 */
export async function createVxlan(options: CreateVxlanOptions): Promise<Link> {
  const o = v.object(options, 'options') as CreateVxlanOptions & Record<string, unknown>;
  const req = common(o, 'vxlan', ['remote', 'multicastGroup', 'local', 'device', ...VXLAN_KEYS]);
  if (o.vni === undefined) throw invalidType('options.vni', 'of type number', undefined);
  const data = pick(o, VXLAN_KEYS);
  data.port ??= 4789;
  if (o.remote !== undefined && o.multicastGroup !== undefined)
    throw invalidValue('options.multicastGroup', o.multicastGroup, 'conflicts with remote');
  const endpoint = o.remote ?? o.multicastGroup;
  if (endpoint !== undefined) {
    const ip = v.ip(endpoint, o.remote !== undefined ? 'options.remote' : 'options.multicastGroup');
    const multicast = ip.includes(':') ? ip.toLowerCase().startsWith('ff') : Number(ip.split('.')[0]) >= 224 && Number(ip.split('.')[0]) <= 239;
    if (o.remote !== undefined && multicast) throw invalidValue('options.remote', ip, 'must be unicast (use multicastGroup)');
    if (o.multicastGroup !== undefined && !multicast)
      throw invalidValue('options.multicastGroup', ip, 'must be a multicast address (use remote)');
    data[ip.includes(':') ? 'group6' : 'group'] = ip;
  }
  if (o.local !== undefined) {
    const ip = v.ip(o.local, 'options.local');
    data[ip.includes(':') ? 'local6' : 'local'] = ip;
  }
  if (data.flowlabel !== undefined && data.group6 === undefined && data.local6 === undefined)
    throw invalidValue('options.flowlabel', data.flowlabel, 'applies to IPv6 VXLAN endpoints only');
  req.data = checkData('vxlan', data, 'options');
  return create(o, req, o.device !== undefined ? { device: checkLinkRef(o.device, 'options.device') } : {}, `createVxlan ${req.name}`);
}

const GRE_KEY = 0x2000;
const GRE_CSUM = 0x8000;
const GRE_SEQ = 0x1000;

/** GRE options shared by the IPv4 and IPv6 families. */
export interface GreCommon extends CreateLinkOptions {
  /** The underlay device (`dev`). */
  device?: LinkRef;
  /** Same key both ways (`key N`), or `ikey`/`okey` apart. */
  key?: number;
  ikey?: number;
  okey?: number;
  /** Checksums both ways, or `icsum`/`ocsum` apart. */
  csum?: boolean;
  icsum?: boolean;
  ocsum?: boolean;
  /** Sequence numbers both ways, or `iseq`/`oseq` apart. */
  seq?: boolean;
  iseq?: boolean;
  oseq?: boolean;
  ttl?: number;
  fwmark?: number;
  external?: boolean;
}

/** Options of {@link createGre} (`gre` or `gretap`). */
export interface CreateGreOptions extends GreCommon {
  /** `gre` (layer 3, default) or `gretap` (Ethernet over GRE). */
  kind?: 'gre' | 'gretap';
  local?: string;
  remote?: string;
  tos?: number;
  /** Path MTU discovery (`pmtudisc`, default on). */
  pmtudisc?: boolean;
  ignoreDf?: boolean;
}

/** Options of {@link createIp6Gre} (`ip6gre` or `ip6gretap`). */
export interface CreateIp6GreOptions extends GreCommon {
  kind?: 'ip6gre' | 'ip6gretap';
  local?: string;
  remote?: string;
  encapLimit?: number;
  flowinfo?: number;
}

/** The GRE settings of the common options: keys and checksum/sequence flags as flag words. @internal */
export function greData(o: GreCommon & Record<string, unknown>, extra: readonly string[]): Record<string, unknown> {
  const data = pick(o, ['ttl', 'fwmark', 'external', ...extra]);
  const both = (all: unknown, one: unknown): unknown => (one !== undefined ? one : all);
  const ikey = both(o.key, o.ikey);
  const okey = both(o.key, o.okey);
  let iflags = 0;
  let oflags = 0;
  if (ikey !== undefined) {
    data.ikey = ikey;
    iflags |= GRE_KEY;
  }
  if (okey !== undefined) {
    data.okey = okey;
    oflags |= GRE_KEY;
  }
  const flag = (name: string, value: unknown): boolean => value !== undefined && v.bool(value, `options.${name}`);
  if (flag('icsum', both(o.csum, o.icsum))) iflags |= GRE_CSUM;
  if (flag('ocsum', both(o.csum, o.ocsum))) oflags |= GRE_CSUM;
  if (flag('iseq', both(o.seq, o.iseq))) iflags |= GRE_SEQ;
  if (flag('oseq', both(o.seq, o.oseq))) oflags |= GRE_SEQ;
  if (iflags) data.iflags = iflags;
  if (oflags) data.oflags = oflags;
  return data;
}

export const GRE_COMMON_KEYS = ['kind', 'device', 'key', 'ikey', 'okey', 'csum', 'icsum', 'ocsum', 'seq', 'iseq', 'oseq', 'ttl', 'fwmark', 'external', 'local', 'remote'] as const;

/**
 * Creates a GRE (layer 3) or GRETAP (Ethernet) tunnel over IPv4.
 *
 * `ip link add NAME type gre|gretap [local A] [remote B] [dev DEV] [key|ikey|okey N] [[i|o]csum]
 * [[i|o]seq] [ttl N] [tos N] [nopmtudisc] [ignore-df] [fwmark N] [external]`
 */
export async function createGre(options: CreateGreOptions): Promise<Link> {
  const o = v.object(options, 'options') as CreateGreOptions & Record<string, unknown>;
  const kind = o.kind ?? 'gre';
  if (kind !== 'gre' && kind !== 'gretap') throw invalidValue('options.kind', kind, "must be 'gre' or 'gretap'");
  const req = common(o, kind, [...GRE_COMMON_KEYS, 'tos', 'pmtudisc', 'ignoreDf']);
  const data = greData(o, ['local', 'remote', 'tos', 'pmtudisc', 'ignoreDf']);
  req.data = checkData(kind, data, 'options');
  return create(o, req, o.device !== undefined ? { device: checkLinkRef(o.device, 'options.device') } : {}, `createGre ${req.name}`);
}

/**
 * Creates a GRE or GRETAP tunnel over IPv6.
 *
 * `ip link add NAME type ip6gre|ip6gretap [local A] [remote B] [dev DEV] [key N] [[i|o]csum]
 * [[i|o]seq] [hoplimit N] [encaplimit N] [flowlabel N] [fwmark N] [external]`
 */
export async function createIp6Gre(options: CreateIp6GreOptions): Promise<Link> {
  const o = v.object(options, 'options') as CreateIp6GreOptions & Record<string, unknown>;
  const kind = o.kind ?? 'ip6gre';
  if (kind !== 'ip6gre' && kind !== 'ip6gretap') throw invalidValue('options.kind', kind, "must be 'ip6gre' or 'ip6gretap'");
  const req = common(o, kind, [...GRE_COMMON_KEYS, 'encapLimit', 'flowinfo']);
  req.data = checkData(kind, greData(o, ['local', 'remote', 'encapLimit', 'flowinfo']), 'options');
  return create(o, req, o.device !== undefined ? { device: checkLinkRef(o.device, 'options.device') } : {}, `createIp6Gre ${req.name}`);
}


/** Options of {@link createGeneve}. */
export interface CreateGeneveOptions extends CreateLinkOptions {
  vni: number;
  /** The remote endpoint, IPv4 or IPv6. */
  remote?: string;
  ttl?: number;
  ttlInherit?: boolean;
  tos?: number;
  df?: 'unset' | 'set' | 'inherit';
  flowlabel?: number;
  /** UDP destination port; default 6081 (the kernel's and IANA's). */
  port?: number;
  udpCsum?: boolean;
  udp6ZeroCsumTx?: boolean;
  udp6ZeroCsumRx?: boolean;
  external?: boolean;
  innerProtoInherit?: boolean;
}

const GENEVE_KEYS = settingsOf<CreateGeneveOptions, GeneveData>()(['vni', 'ttl', 'ttlInherit', 'tos', 'df', 'flowlabel', 'port', 'udpCsum', 'udp6ZeroCsumTx', 'udp6ZeroCsumRx', 'external', 'innerProtoInherit']);

/**
 * Creates a Geneve tunnel.
 *
 * `ip link add NAME type geneve id VNI [remote ADDR] [ttl N|inherit] [tos N] [df unset|set|inherit]
 * [flowlabel N] [dstport PORT] [[no]udpcsum] [[no]udp6zerocsumtx] [[no]udp6zerocsumrx] [external]`
 */
export async function createGeneve(options: CreateGeneveOptions): Promise<Link> {
  const o = v.object(options, 'options') as CreateGeneveOptions & Record<string, unknown>;
  const req = common(o, 'geneve', ['remote', ...GENEVE_KEYS]);
  const data = pick(o, GENEVE_KEYS);
  if (o.remote !== undefined) {
    const ip = v.ip(o.remote, 'options.remote');
    data[ip.includes(':') ? 'remote6' : 'remote'] = ip;
  }
  req.data = checkData('geneve', data, 'options');
  return create(o, req, {}, `createGeneve ${req.name}`);
}


/** Options of {@link createIpip} / {@link createSit}. */
export interface CreateIptunOptions extends CreateLinkOptions {
  local?: string;
  remote?: string;
  device?: LinkRef;
  ttl?: number;
  tos?: number;
  pmtudisc?: boolean;
  /** Inner protocol number (`mode`): ipip 4 (default), any 0, mpls 137; sit ipv6 41. */
  proto?: number;
  fwmark?: number;
  external?: boolean;
}

const IPTUN_KEYS = settingsOf<CreateIptunOptions, IpipData>()(['local', 'remote', 'ttl', 'tos', 'pmtudisc', 'proto', 'fwmark', 'external']);

function iptun(kind: 'ipip' | 'sit') {
  return async (options: CreateIptunOptions): Promise<Link> => {
    const o = v.object(options, 'options') as CreateIptunOptions & Record<string, unknown>;
    const req = common(o, kind, ['device', ...IPTUN_KEYS]);
    req.data = checkData(kind, pick(o, IPTUN_KEYS), 'options');
    return create(o, req, o.device !== undefined ? { device: checkLinkRef(o.device, 'options.device') } : {}, `create ${kind} ${req.name}`);
  };
}

/** IPv4-in-IPv4 tunnel. `ip link add NAME type ipip [local A] [remote B] [dev DEV] [ttl N] [tos N] [nopmtudisc] [mode ipip|any|mplsip]` */
export const createIpip: (options: CreateIptunOptions) => Promise<Link> = iptun('ipip');

/** IPv6-in-IPv4 tunnel. `ip link add NAME type sit [local A] [remote B] [dev DEV] [ttl N] [tos N] [nopmtudisc] [mode ip6ip|any]` */
export const createSit: (options: CreateIptunOptions) => Promise<Link> = iptun('sit');
