/**
 * More tunnels: ip6tnl (IPv4/IPv6 over IPv6), ERSPAN over IPv4 and IPv6 (mirrored traffic in
 * GRE), bare UDP and GTP-U.
 */
import type { WriteOf } from '../../core/contract.js';
import { invalidType, invalidValue } from '../../core/errors.js';
import { checkLinkRef, type Link, type LinkRef } from '../links.js';
import { type CreateLinkOptions } from '../create.js';
import { checkData, common, create, pick, settingsOf } from './table.js';
import { greData, type GreCommon } from './tunnels.js';
import type { BareudpData, ErspanData, GtpData, Ip6ErspanData, Ip6tnlData } from './data.js';
import * as v from '../../core/validate.js';

/** Options of {@link createIp6tnl}. */
export interface CreateIp6tnlOptions extends CreateLinkOptions {
  local?: string;
  remote?: string;
  /** The underlay device (`dev`). */
  device?: LinkRef;
  /** Hop limit (`hoplimit`). */
  ttl?: number;
  /** Tunnel encapsulation limit (`encaplimit`). */
  encapLimit?: number;
  /** The flow information word (traffic class and flow label) of the outer header. */
  flowinfo?: number;
  /** IP6_TNL_F_* flags, raw (`encaplimit none` is 0x1, `tclass inherit` 0x2, `flowlabel inherit` 0x4, …). */
  flags?: number;
  /** Inner protocol (`mode`): ip6ip6 41, ipip6 4, any 0 (the kernel's default). */
  proto?: number;
  fwmark?: number;
  external?: boolean;
}

const IP6TNL_KEYS = settingsOf<CreateIp6tnlOptions, Ip6tnlData>()(['local', 'remote', 'ttl', 'encapLimit', 'flowinfo', 'flags', 'proto', 'fwmark', 'external']);

/**
 * Creates an ip6tnl tunnel (IPv6 or IPv4 over IPv6).
 *
 * `ip link add NAME type ip6tnl [local A] [remote B] [dev DEV] [hoplimit N] [encaplimit N]
 * [flowlabel N] [mode ip6ip6|ipip6|any] [fwmark N] [external]`
 */
export async function createIp6tnl(options: CreateIp6tnlOptions): Promise<Link> {
  const o = v.object(options, 'options') as CreateIp6tnlOptions & Record<string, unknown>;
  const req = common(o, 'ip6tnl', ['device', ...IP6TNL_KEYS]);
  req.data = checkData('ip6tnl', pick(o, IP6TNL_KEYS), 'options');
  return create(o, req, o.device !== undefined ? { device: checkLinkRef(o.device, 'options.device') } : {}, `createIp6tnl ${req.name}`);
}

/** ERSPAN options shared by {@link createErspan} and {@link createIp6Erspan}. */
interface ErspanCommon extends CreateLinkOptions {
  local?: string;
  remote?: string;
  device?: LinkRef;
  /** The ERSPAN session id (the GRE key, both ways), 0-1023; required unless `external`. */
  key?: number;
  ttl?: number;
  fwmark?: number;
  /** Collect metadata (`external`): no key, no sequence numbers. */
  external?: boolean;
  /** ERSPAN version: 1 (type II, the kernel's default) or 2 (type III); 0 is no ERSPAN header. */
  erspanVer?: number;
  /** Version 1: the ERSPAN index, 0-1048575. */
  erspanIndex?: number;
  /** Version 2: the mirrored traffic's direction. */
  erspanDir?: 'ingress' | 'egress';
  /** Version 2: the hardware id, 0-63. */
  erspanHwid?: number;
}

/** Options of {@link createErspan}. */
export interface CreateErspanOptions extends ErspanCommon {
  tos?: number;
  pmtudisc?: boolean;
  ignoreDf?: boolean;
}

/** Options of {@link createIp6Erspan}. */
export interface CreateIp6ErspanOptions extends ErspanCommon {
  encapLimit?: number;
  flowinfo?: number;
}

const ERSPAN_KEYS = settingsOf<CreateErspanOptions, ErspanData>()([
  'local', 'remote', 'ttl', 'tos', 'pmtudisc', 'ignoreDf', 'fwmark', 'external', 'erspanVer', 'erspanIndex', 'erspanDir', 'erspanHwid',
]);
const IP6ERSPAN_KEYS = settingsOf<CreateIp6ErspanOptions, Ip6ErspanData>()([
  'local', 'remote', 'ttl', 'encapLimit', 'flowinfo', 'fwmark', 'external', 'erspanVer', 'erspanIndex', 'erspanDir', 'erspanHwid',
]);

function erspanLike<O extends ErspanCommon>(kind: 'erspan' | 'ip6erspan', keys: readonly (keyof O & string)[], label: string) {
  return async (options: O): Promise<Link> => {
    const o = v.object(options, 'options') as O & Record<string, unknown>;
    const req = common(o, kind, ['device', 'key', ...keys]);
    const external = o.external === true;
    if (o.key === undefined && !external) throw invalidType('options.key', 'of type number', undefined);
    if (o.key !== undefined && external) throw invalidValue('options.key', o.key, 'conflicts with external');
    const ver = o.erspanVer ?? 1;
    if (o.erspanIndex !== undefined && ver !== 1) throw invalidValue('options.erspanIndex', o.erspanIndex, 'applies to erspanVer 1 only');
    for (const k of ['erspanDir', 'erspanHwid'] as const)
      if (o[k] !== undefined && ver !== 2) throw invalidValue(`options.${k}`, o[k], 'applies to erspanVer 2 only');
    // The kernel takes ERSPAN in GRE with a key and sequence numbers both ways, and nothing else.
    const gre: GreCommon & Record<string, unknown> = { name: o.name, key: o.key, seq: !external };
    const data = { ...greData(gre, []), ...pick(o, keys) };
    req.data = checkData(kind, data, 'options');
    return create(o, req, o.device !== undefined ? { device: checkLinkRef(o.device, 'options.device') } : {}, `${label} ${req.name}`);
  };
}

/**
 * Creates an ERSPAN tunnel over IPv4 (mirrored traffic, GRE with a session id and sequence numbers).
 *
 * `ip link add NAME type erspan [local A] [remote B] [dev DEV] seq key ID [ttl N] [tos N]
 * [erspan_ver 1 erspan IDX | erspan_ver 2 erspan_dir ingress|egress erspan_hwid N] [external]`
 */
export const createErspan: (options: CreateErspanOptions) => Promise<Link> = erspanLike<CreateErspanOptions>('erspan', ERSPAN_KEYS, 'createErspan');

/**
 * Creates an ERSPAN tunnel over IPv6.
 *
 * `ip link add NAME type ip6erspan [local A] [remote B] [dev DEV] seq key ID [hoplimit N]
 * [encaplimit N] [erspan_ver 1 erspan IDX | erspan_ver 2 erspan_dir ingress|egress erspan_hwid N] [external]`
 */
export const createIp6Erspan: (options: CreateIp6ErspanOptions) => Promise<Link> = erspanLike<CreateIp6ErspanOptions>('ip6erspan', IP6ERSPAN_KEYS, 'createIp6Erspan');

/** Options of {@link createBareudp}. */
export interface CreateBareudpOptions extends CreateLinkOptions {
  /** The UDP destination port (`dstport`). */
  port: number;
  /** The inner protocol (`ethertype`). */
  ethertype: NonNullable<WriteOf<BareudpData>['ethertype']>;
  /** The lowest UDP source port (`srcportmin`). */
  srcPortMin?: number;
  /** With ipv4: also IPv6; with mpls_uc: also multicast MPLS (`multiproto`). */
  multiproto?: boolean;
}

const BAREUDP_KEYS = settingsOf<CreateBareudpOptions, BareudpData>()(['port', 'ethertype', 'srcPortMin', 'multiproto']);

/**
 * Creates a bare UDP tunnel (MPLS or IP straight in UDP).
 *
 * `ip link add NAME type bareudp dstport PORT ethertype ipv4|ipv6|mpls_uc|mpls_mc [srcportmin N] [multiproto]`
 */
export async function createBareudp(options: CreateBareudpOptions): Promise<Link> {
  const o = v.object(options, 'options') as CreateBareudpOptions & Record<string, unknown>;
  const req = common(o, 'bareudp', BAREUDP_KEYS);
  if (o.port === undefined) throw invalidType('options.port', 'of type number', undefined);
  if (o.ethertype === undefined) throw invalidType('options.ethertype', 'of type string', undefined);
  req.data = checkData('bareudp', pick(o, BAREUDP_KEYS), 'options');
  return create(o, req, {}, `createBareudp ${req.name}`);
}

/** Options of {@link createGtp}. */
export interface CreateGtpOptions extends CreateLinkOptions {
  /** `ggsn` (the kernel's default) or `sgsn`. */
  role?: NonNullable<WriteOf<GtpData>['role']>;
  /** Size of the PDP context hash table (`hsize`). */
  pdpHashsize?: number;
  /** GTP restart counter (`restart_count`). */
  restartCount?: number;
  /**
   * Let the kernel open the GTPv0/GTPv1-U UDP sockets (ports 3386 and 2152); the default unless
   * `fd0`/`fd1` are given.
   */
  createSockets?: boolean;
  /** A UDP socket fd of this process for GTPv0 (`fd0`), instead of createSockets. */
  fd0?: number;
  /** A UDP socket fd of this process for GTPv1-U (`fd1`), instead of createSockets. */
  fd1?: number;
  /** The address the sockets the kernel opens bind to, IPv4 or IPv6 (Linux 6.11+). */
  local?: string;
}

const GTP_KEYS = settingsOf<CreateGtpOptions, GtpData>()(['role', 'pdpHashsize', 'restartCount', 'createSockets', 'fd0', 'fd1']);

/**
 * Creates a GTP-U device (the PDP contexts are configured over generic netlink, which netdev does
 * not cover).
 *
 * `ip link add NAME type gtp [role ggsn|sgsn] [hsize N] [restart_count N]`
 */
export async function createGtp(options: CreateGtpOptions): Promise<Link> {
  const o = v.object(options, 'options') as CreateGtpOptions & Record<string, unknown>;
  const req = common(o, 'gtp', ['local', ...GTP_KEYS]);
  const data = pick(o, GTP_KEYS);
  const fds = o.fd0 !== undefined || o.fd1 !== undefined;
  if (fds && o.createSockets === true) throw invalidValue('options.createSockets', o.createSockets, 'conflicts with fd0/fd1');
  if (!fds && o.createSockets === undefined) data.createSockets = true;
  if (o.local !== undefined) {
    const ip = v.ip(o.local, 'options.local');
    data[ip.includes(':') ? 'local6' : 'local'] = ip;
  }
  req.data = checkData('gtp', data, 'options');
  return create(o, req, {}, `createGtp ${req.name}`);
}
