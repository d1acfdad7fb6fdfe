/**
 * Link kinds beyond veth and bridge: VLAN, VXLAN, MACVLAN/MACVTAP, IPVLAN/IPVTAP, VRF, dummy,
 * ifb, and a generic escape hatch. Kind settings are validated against the addon's attribute
 * tables (native/rtnl/kinds.cc), the same tables that encode and decode them.
 */
import * as os from 'node:os';
import { binding, k, type LinkRequest } from '../core/binding.js';
import { invalidType, invalidValue, refusedByState } from '../core/errors.js';
import {
  BRIDGE_KEYS, COMMON_KEYS, bridgeFields, checkLinkRef, commonFields, createLink, describeRef, indexOf, linkKeyOf, readLink, type CreateLinkOptions, type Link, type LinkRef,
} from './links.js';
import { netnsOf, handleFor, resolveNetns, type NetnsOption, type NetnsRef } from '../netns/netns.js';
import { transact } from '../netlink/rtnl.js';
import * as v from '../core/validate.js';

interface FieldSpec {
  key: string;
  enc: 'integer' | 'boolean' | 'enum' | 'ipv4' | 'ipv6' | 'portRange' | 'qosMap' | 'macList' | 'ipv4List' | 'mac' | 'hex64';
  min: number;
  max: number;
  names?: string[];
}

/** Raw IFLA_INFO_DATA: what fits IFLA_LINKINFO's 16-bit length with the kind string around it. */
const MAX_INFO_DATA = 65000;
/**
 * Entries of a list setting: a VLAN QoS map (12 bytes an entry) or a macvlan source MAC list (12
 * bytes an entry) stays well inside IFLA_INFO_DATA's 16-bit length, with room for the rest.
 */
const MAX_QOS_ENTRIES = 1024;
const MAX_MAC_ENTRIES = 4096;

let tables: Record<string, FieldSpec[]> | undefined;
function table(kind: string): FieldSpec[] | undefined {
  tables ??= (binding() as unknown as { kindTables: Record<string, FieldSpec[]> }).kindTables;
  // The addon's object also holds the port tables (under 'ports'): that is not a kind.
  const t = v.lookup(tables, kind);
  return Array.isArray(t) ? t : undefined;
}

/** Whether buf is a sequence of whole netlink attributes, as the kernel reads a nest's payload. */
function wholeAttributes(buf: Buffer): boolean {
  for (let off = 0; off < buf.length; ) {
    if (buf.length - off < 4) return false;
    const len = os.endianness() === 'LE' ? buf.readUInt16LE(off) : buf.readUInt16BE(off); // host order
    if (len < 4 || len > buf.length - off) return false;
    off += (len + 3) & ~3;
  }
  return true;
}

/** Whether some kind's table has this setting. */
function anyKindHas(key: string): boolean {
  if ((BRIDGE_KEYS as readonly string[]).includes(key)) return true;
  tables ??= (binding() as unknown as { kindTables: Record<string, FieldSpec[]> }).kindTables;
  return Object.values(tables).some((t) => Array.isArray(t) && t.some((f) => f.key === key));
}

/** Validates kind settings (kernel names and units) against the addon's table for the kind. */
function checkData(kind: string, data: Record<string, unknown>, arg: string): Record<string, unknown> {
  const fields = table(kind);
  if (!fields) throw invalidValue(arg, data, `cannot carry settings for kind '${kind}' (use infoData for raw attributes)`);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    if (value === undefined) continue;
    const f = fields.find((x) => x.key === key);
    const name = `${arg}.${key}`;
    if (!f) throw invalidValue(name, value, `is not a ${kind} setting`);
    switch (f.enc) {
      case 'integer':
        if (f.max === 0 && f.min === 0) throw invalidValue(name, value, 'is read-only');
        out[key] = v.integer(value, name, f.min, f.max);
        break;
      case 'boolean':
        out[key] = v.bool(value, name);
        break;
      case 'enum':
        if (typeof value !== 'string') throw invalidType(name, 'of type string', value);
        if (!f.names?.includes(value)) throw invalidValue(name, value, `must be one of ${f.names?.join(', ')}`);
        out[key] = value;
        break;
      case 'ipv4':
        out[key] = v.ip(value, name, 4);
        break;
      case 'ipv6':
        out[key] = v.ip(value, name, 6);
        break;
      case 'portRange': {
        if (!Array.isArray(value) || value.length !== 2) throw invalidType(name, 'a [low, high] pair', value);
        const low = v.integer(value[0], `${name}[0]`, 1, 65535);
        const high = v.integer(value[1], `${name}[1]`, 1, 65535);
        if (low > high) throw invalidValue(name, value, 'must have low <= high', true);
        out[key] = [low, high];
        break;
      }
      case 'qosMap':
        out[key] = v.array(value, name, MAX_QOS_ENTRIES, 'an array of [from, to] pairs').map((p: unknown, i) => {
          if (!Array.isArray(p) || p.length !== 2) throw invalidType(`${name}[${i}]`, 'a [from, to] pair', p);
          return [v.integer(p[0], `${name}[${i}][0]`, 0, 2 ** 32 - 1), v.integer(p[1], `${name}[${i}][1]`, 0, 7)];
        });
        break;
      case 'macList':
        out[key] = v.array(value, name, MAX_MAC_ENTRIES, 'an array of MAC addresses').map((m: unknown, i) => v.mac(m, `${name}[${i}]`));
        break;
      case 'ipv4List':
        if (!Array.isArray(value)) throw invalidType(name, 'an array of IPv4 addresses', value);
        if (value.length > 16) throw invalidValue(name, value, 'must hold at most 16 addresses', true);
        out[key] = value.map((m: unknown, i) => v.ip(m, `${name}[${i}]`, 4));
        break;
      case 'mac':
        out[key] = v.mac(value, name);
        break;
      case 'hex64':
        if (typeof value !== 'string') throw invalidType(name, 'of type string', value);
        if (!/^[0-9a-fA-F]{16}$/.test(value)) throw invalidValue(name, value, 'must be 16 hex digits');
        out[key] = value.toLowerCase();
        break;
    }
  }
  return out;
}

function common(o: CreateLinkOptions & Record<string, unknown>, kind: string, extra: readonly string[]): LinkRequest {
  v.knownKeys(o, 'options', [...COMMON_KEYS, ...extra]);
  return { ...commonFields(o, 'options', true), kind };
}

/** Creates the link; `parent` (if any) is resolved to an index in the same namespace. @internal */
async function create(
  o: CreateLinkOptions,
  req: LinkRequest,
  parents: { parent?: LinkRef; device?: LinkRef },
  operation: string,
): Promise<Link> {
  const { ns, release } = resolveNetns(netnsOf(o));
  try {
    if (parents.parent !== undefined) req.parent = await indexOf(ns, parents.parent, 'options.parent');
    if (parents.device !== undefined) {
      const data = (req.data ??= {});
      data.device = await indexOf(ns, parents.device, 'options.device');
    }
    return await createLink(ns, req, o.master, operation);
  } finally {
    release();
  }
}

function pick(o: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) if (o[key] !== undefined) out[key] = o[key];
  return out;
}

/** A dummy link: a blackhole device (`ip link add NAME type dummy`). */
export async function createDummy(options: CreateLinkOptions): Promise<Link> {
  const o = v.object(options, 'options') as CreateLinkOptions & Record<string, unknown>;
  return create(o, common(o, 'dummy', []), {}, `createDummy ${o.name}`);
}

/** An ifb (intermediate functional block) link, for ingress shaping (`ip link add NAME type ifb`). */
export async function createIfb(options: CreateLinkOptions): Promise<Link> {
  const o = v.object(options, 'options') as CreateLinkOptions & Record<string, unknown>;
  return create(o, common(o, 'ifb', []), {}, `createIfb ${o.name}`);
}

/** Options of {@link createVlan}. */
export interface CreateVlanOptions extends CreateLinkOptions {
  /** The link the VLAN rides on. */
  parent: LinkRef;
  /** VLAN id, 0-4094 (0: priority tagging only). */
  id: number;
  /** `802.1Q` (default) or `802.1ad` (QinQ service tag). */
  protocol?: '802.1Q' | '802.1ad';
  reorderHdr?: boolean;
  gvrp?: boolean;
  mvrp?: boolean;
  looseBinding?: boolean;
  bridgeBinding?: boolean;
  /** `ingress-qos-map FROM:TO …`: VLAN priority (0-7) to skb priority. */
  ingressQos?: [number, number][];
  /** `egress-qos-map FROM:TO …`: skb priority to VLAN priority (0-7). */
  egressQos?: [number, number][];
}

const VLAN_KEYS = ['id', 'protocol', 'reorderHdr', 'gvrp', 'mvrp', 'looseBinding', 'bridgeBinding', 'ingressQos', 'egressQos'] as const;

/**
 * Creates a VLAN sub-interface.
 *
 * `ip link add NAME link PARENT type vlan id ID [protocol 802.1Q|802.1ad] [reorder_hdr on|off]
 * [gvrp on|off] [mvrp on|off] [loose_binding on|off] [bridge_binding on|off]
 * [ingress-qos-map F:T …] [egress-qos-map F:T …]`
 */
export async function createVlan(options: CreateVlanOptions): Promise<Link> {
  const o = v.object(options, 'options') as CreateVlanOptions & Record<string, unknown>;
  const req = common(o, 'vlan', ['parent', ...VLAN_KEYS]);
  if (o.id === undefined) throw invalidType('options.id', 'of type number', undefined);
  req.data = checkData('vlan', pick(o, VLAN_KEYS), 'options');
  return create(o, req, { parent: checkLinkRef(o.parent, 'options.parent') }, `createVlan ${req.name}`);
}

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

const VXLAN_KEYS = [
  'vni', 'port', 'srcPortRange', 'ttl', 'ttlInherit', 'tos', 'df', 'flowlabel', 'learning', 'proxy', 'rsc', 'l2miss',
  'l3miss', 'ageing', 'limit', 'udpCsum', 'udp6ZeroCsumTx', 'udp6ZeroCsumRx', 'remcsumTx', 'remcsumRx', 'gbp', 'gpe',
  'external', 'vnifilter',
] as const;

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

/** MACVLAN/MACVTAP modes (`ip link … type macvlan mode MODE`). */
export type MacvlanMode = 'private' | 'vepa' | 'bridge' | 'passthru' | 'source';

/** Options of {@link createMacvlan} / {@link createMacvtap}. */
export interface CreateMacvlanOptions extends CreateLinkOptions {
  parent: LinkRef;
  /** Default `vepa` (the kernel's default). */
  mode?: MacvlanMode;
  /** passthru only: do not put the parent in promiscuous mode. */
  nopromisc?: boolean;
  nodst?: boolean;
  /** source mode: the allowed source MAC addresses. */
  macaddrs?: string[];
  /** Broadcast queue length. */
  bcQueueLen?: number;
}

const MACVLAN_KEYS = ['mode', 'nopromisc', 'nodst', 'macaddrs', 'bcQueueLen'] as const;

function macvlanLike(kind: 'macvlan' | 'macvtap') {
  return async (options: CreateMacvlanOptions): Promise<Link> => {
    const o = v.object(options, 'options') as CreateMacvlanOptions & Record<string, unknown>;
    const req = common(o, kind, ['parent', ...MACVLAN_KEYS]);
    const data = pick(o, MACVLAN_KEYS);
    if (data.macaddrs !== undefined) {
      if (o.mode !== 'source') throw invalidValue('options.macaddrs', o.macaddrs, "applies to mode 'source' only");
      data.macaddrMode = 'set';
    }
    req.data = checkData(kind, data, 'options');
    return create(o, req, { parent: checkLinkRef(o.parent, 'options.parent') }, `create ${kind} ${req.name}`);
  };
}

/**
 * Creates a MACVLAN link on a parent.
 *
 * `ip link add NAME link PARENT type macvlan mode private|vepa|bridge|passthru [nopromisc]|source
 * [nodst] [macaddr set MAC …] [bcqueuelen N]`
 */
export const createMacvlan: (options: CreateMacvlanOptions) => Promise<Link> = macvlanLike('macvlan');

/**
 * Creates a MACVTAP link on a parent (its character device is /dev/tapINDEX).
 *
 * `ip link add NAME link PARENT type macvtap mode …` (same options as macvlan)
 */
export const createMacvtap: (options: CreateMacvlanOptions) => Promise<Link> = macvlanLike('macvtap');

/** Options of {@link createIpvlan} / {@link createIpvtap}. */
export interface CreateIpvlanOptions extends CreateLinkOptions {
  parent: LinkRef;
  /** Default `l3`. */
  mode?: 'l2' | 'l3' | 'l3s';
  /** `bridge` (default), `private` or `vepa`. */
  flag?: 'bridge' | 'private' | 'vepa';
}

function ipvlanLike(kind: 'ipvlan' | 'ipvtap') {
  return async (options: CreateIpvlanOptions): Promise<Link> => {
    const o = v.object(options, 'options') as CreateIpvlanOptions & Record<string, unknown>;
    const req = common(o, kind, ['parent', 'mode', 'flag']);
    const data: Record<string, unknown> = {};
    if (o.mode !== undefined) data.mode = o.mode;
    if (o.flag !== undefined) {
      if (o.flag !== 'bridge' && o.flag !== 'private' && o.flag !== 'vepa')
        throw invalidValue('options.flag', o.flag, "must be 'bridge', 'private' or 'vepa'");
      data.private = o.flag === 'private';
      data.vepa = o.flag === 'vepa';
    }
    req.data = checkData(kind, data, 'options');
    return create(o, req, { parent: checkLinkRef(o.parent, 'options.parent') }, `create ${kind} ${req.name}`);
  };
}

/** Creates an IPVLAN link. `ip link add NAME link PARENT type ipvlan mode l2|l3|l3s [bridge|private|vepa]` */
export const createIpvlan: (options: CreateIpvlanOptions) => Promise<Link> = ipvlanLike('ipvlan');

/** Creates an IPVTAP link. `ip link add NAME link PARENT type ipvtap mode l2|l3|l3s [bridge|private|vepa]` */
export const createIpvtap: (options: CreateIpvlanOptions) => Promise<Link> = ipvlanLike('ipvtap');

/** Options of {@link createVrf}. */
export interface CreateVrfOptions extends CreateLinkOptions {
  /** The routing table the VRF uses. */
  table: number;
}

/**
 * Creates a VRF device; enslave links with `setLink(link, { master: vrf })`.
 *
 * `ip link add NAME type vrf table N`
 */
export async function createVrf(options: CreateVrfOptions): Promise<Link> {
  const o = v.object(options, 'options') as CreateVrfOptions & Record<string, unknown>;
  const req = common(o, 'vrf', ['table']);
  if (o.table === undefined) throw invalidType('options.table', 'of type number', undefined);
  req.data = checkData('vrf', { table: o.table }, 'options');
  return create(o, req, {}, `createVrf ${req.name}`);
}

/** Options of {@link createLinkOfKind}: any kind, with typed settings where netdev has a table. */
export interface CreateAnyLinkOptions extends CreateLinkOptions {
  kind: string;
  parent?: LinkRef;
  /** Kind settings in the kernel's names and units, validated when netdev knows the kind. */
  data?: Record<string, unknown>;
  /** Raw IFLA_INFO_DATA attributes, for kinds or attributes netdev does not know yet. */
  infoData?: Buffer;
}

/**
 * The escape hatch: creates a link of any kind. Known kinds' `data` is validated like the typed
 * functions do; `infoData` passes raw attributes through for everything else.
 *
 * `ip link add NAME [link PARENT] type KIND …`
 */
export async function createLinkOfKind(options: CreateAnyLinkOptions): Promise<Link> {
  const o = v.object(options, 'options') as CreateAnyLinkOptions & Record<string, unknown>;
  const kind = v.linkKind(o.kind, 'options.kind');
  const req = common(o, kind, ['kind', 'parent', 'data', 'infoData']);
  if (o.data !== undefined) req.data = checkData(kind, v.object(o.data, 'options.data'), 'options.data');
  if (o.infoData !== undefined) {
    if (!Buffer.isBuffer(o.infoData)) throw invalidType('options.infoData', 'a Buffer', o.infoData);
    // It travels inside IFLA_LINKINFO, whose length (with the kind's) must fit netlink's u16.
    if (o.infoData.length > MAX_INFO_DATA) throw invalidValue('options.infoData', o.infoData, `must be at most ${MAX_INFO_DATA} bytes`, true);
    if (o.data !== undefined) throw invalidValue('options.infoData', o.infoData, 'conflicts with data');
    if (!wholeAttributes(o.infoData)) throw invalidValue('options.infoData', o.infoData, 'must be whole netlink attributes (struct rtattr: u16 length, u16 type, data, padded to 4 bytes)');
    req.infoData = o.infoData;
  }
  return create(o, req, o.parent !== undefined ? { parent: checkLinkRef(o.parent, 'options.parent') } : {}, `create ${kind} ${req.name}`);
}

function kindOnly(kind: string, label: string) {
  return async (options: CreateLinkOptions): Promise<Link> => {
    const o = v.object(options, 'options') as CreateLinkOptions & Record<string, unknown>;
    return create(o, common(o, kind, []), {}, `${label} ${o.name}`);
  };
}

/** A virtual CAN device. `ip link add NAME type vcan` */
export const createVcan: (options: CreateLinkOptions) => Promise<Link> = kindOnly('vcan', 'createVcan');

/**
 * A WireGuard link. Keys and peers are configured over generic netlink (`wg set`), which netdev
 * does not cover: this creates the link only. `ip link add NAME type wireguard`
 */
export const createWireguard: (options: CreateLinkOptions) => Promise<Link> = kindOnly('wireguard', 'createWireguard');

/**
 * A team link (needs the team module). Ports are enslaved with `setLink(port, { master })`; the
 * runner configuration needs teamd and is not covered. `ip link add NAME type team`
 */
export const createTeam: (options: CreateLinkOptions) => Promise<Link> = kindOnly('team', 'createTeam');

/** A netlink monitor device (captures netlink traffic). `ip link add NAME type nlmon` */
export const createNlmon: (options: CreateLinkOptions) => Promise<Link> = kindOnly('nlmon', 'createNlmon');

/** Bond modes. */
export type BondMode = 'balance-rr' | 'active-backup' | 'balance-xor' | 'broadcast' | '802.3ad' | 'balance-tlb' | 'balance-alb';

/** Options of {@link createBond}; times in milliseconds. Ports join with `setLink(port, { master })`. */
export interface CreateBondOptions extends CreateLinkOptions {
  mode?: BondMode;
  miimon?: number;
  updelay?: number;
  downdelay?: number;
  peerNotifyDelay?: number;
  useCarrier?: boolean;
  arpInterval?: number;
  arpIpTarget?: string[];
  arpValidate?: 'none' | 'active' | 'backup' | 'all' | 'filter' | 'filter_active' | 'filter_backup';
  arpAllTargets?: 'any' | 'all';
  primaryReselect?: 'always' | 'better' | 'failure';
  failOverMac?: 'none' | 'active' | 'follow';
  xmitHashPolicy?: 'layer2' | 'layer3+4' | 'layer2+3' | 'encap2+3' | 'encap3+4' | 'vlan+srcmac';
  resendIgmp?: number;
  numPeerNotif?: number;
  allSlavesActive?: boolean;
  minLinks?: number;
  lpInterval?: number;
  packetsPerSlave?: number;
  lacpRate?: 'slow' | 'fast';
  adSelect?: 'stable' | 'bandwidth' | 'count';
  adActorSysPrio?: number;
  adUserPortKey?: number;
  adActorSystem?: string;
  tlbDynamicLb?: boolean;
  missedMax?: number;
}

const BOND_KEYS = [
  'mode', 'miimon', 'updelay', 'downdelay', 'peerNotifyDelay', 'useCarrier', 'arpInterval', 'arpIpTarget', 'arpValidate',
  'arpAllTargets', 'primaryReselect', 'failOverMac', 'xmitHashPolicy', 'resendIgmp', 'numPeerNotif', 'allSlavesActive',
  'minLinks', 'lpInterval', 'packetsPerSlave', 'lacpRate', 'adSelect', 'adActorSysPrio', 'adUserPortKey', 'adActorSystem',
  'tlbDynamicLb', 'missedMax',
] as const;

/**
 * Creates a bond. Its read-back info has `activeSlave` (an index); each port's `Link.port` has
 * its `state` (active/backup) and `miiStatus`.
 *
 * `ip link add NAME type bond mode M [miimon MS] [updelay MS] [downdelay MS] [arp_interval MS]
 * [arp_ip_target A,B] [arp_validate V] [primary_reselect R] [fail_over_mac F]
 * [xmit_hash_policy P] [min_links N] [lacp_rate slow|fast] [ad_select S] [all_slaves_active 0|1] …`
 */
export async function createBond(options: CreateBondOptions): Promise<Link> {
  const o = v.object(options, 'options') as CreateBondOptions & Record<string, unknown>;
  const req = common(o, 'bond', BOND_KEYS);
  req.data = checkData('bond', pick(o, BOND_KEYS), 'options');
  return create(o, req, {}, `createBond ${req.name}`);
}

const GRE_KEY = 0x2000;
const GRE_CSUM = 0x8000;
const GRE_SEQ = 0x1000;

/** GRE options shared by the IPv4 and IPv6 families. */
interface GreCommon extends CreateLinkOptions {
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

function greData(o: GreCommon & Record<string, unknown>, extra: readonly string[]): Record<string, unknown> {
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

const GRE_COMMON_KEYS = ['kind', 'device', 'key', 'ikey', 'okey', 'csum', 'icsum', 'ocsum', 'seq', 'iseq', 'oseq', 'ttl', 'fwmark', 'external', 'local', 'remote'] as const;

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

const GENEVE_KEYS = ['vni', 'ttl', 'ttlInherit', 'tos', 'df', 'flowlabel', 'port', 'udpCsum', 'udp6ZeroCsumTx', 'udp6ZeroCsumRx', 'external', 'innerProtoInherit'] as const;

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

const IPTUN_KEYS = ['local', 'remote', 'ttl', 'tos', 'pmtudisc', 'proto', 'fwmark', 'external'] as const;

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

/** Options of {@link createMacsec}. Keys and SAs are out of scope (generic netlink). */
export interface CreateMacsecOptions extends CreateLinkOptions {
  parent: LinkRef;
  /** Secure channel identifier as 16 hex digits; or `port` (the SCI is then the MAC + port). */
  sci?: string;
  port?: number;
  cipher?: 'gcm-aes-128' | 'gcm-aes-256' | 'gcm-aes-xpn-128' | 'gcm-aes-xpn-256';
  icvLen?: number;
  encrypt?: boolean;
  protect?: boolean;
  sendSci?: boolean;
  endStation?: boolean;
  scb?: boolean;
  replayProtect?: boolean;
  window?: number;
  validate?: 'disabled' | 'check' | 'strict';
  encodingSa?: number;
}

const MACSEC_KEYS = ['sci', 'port', 'cipher', 'icvLen', 'encrypt', 'protect', 'sendSci', 'endStation', 'scb', 'replayProtect', 'window', 'validate', 'encodingSa'] as const;

/**
 * Creates a MACsec link on a parent (the link; key management is out of scope).
 *
 * `ip link add NAME link PARENT type macsec [sci HEX | port N] [cipher C] [icvlen N] [encrypt on|off]
 * [protect on|off] [send_sci on|off] [end_station on|off] [scb on|off] [replay on window N]
 * [validate disabled|check|strict] [encodingsa N]`
 */
export async function createMacsec(options: CreateMacsecOptions): Promise<Link> {
  const o = v.object(options, 'options') as CreateMacsecOptions & Record<string, unknown>;
  const req = common(o, 'macsec', ['parent', ...MACSEC_KEYS]);
  if (o.sci !== undefined && o.port !== undefined) throw invalidValue('options.port', o.port, 'conflicts with sci');
  if (o.window !== undefined && o.replayProtect !== true) throw invalidValue('options.window', o.window, 'needs replayProtect: true');
  req.data = checkData('macsec', pick(o, MACSEC_KEYS), 'options');
  return create(o, req, { parent: checkLinkRef(o.parent, 'options.parent') }, `createMacsec ${req.name}`);
}

/** Options of {@link createVxcan}: a virtual CAN tunnel, a pair like veth. */
export interface CreateVxcanOptions extends CreateLinkOptions {
  peer?: { name?: string; netns?: NetnsRef };
}

/**
 * Creates a vxcan pair, the peer optionally in another namespace.
 *
 * `ip link add NAME type vxcan peer name PEER [netns NS]`
 */
export async function createVxcan(options: CreateVxcanOptions): Promise<Link> {
  const o = v.object(options, 'options') as CreateVxcanOptions & Record<string, unknown>;
  const req = common(o, 'vxcan', ['peer']);
  const peer = o.peer === undefined ? {} : v.object(o.peer, 'options.peer');
  v.knownKeys(peer, 'options.peer', ['name', 'netns']);
  req.peer = peer.name === undefined ? {} : { name: v.ifname(peer.name, 'options.peer.name') };
  const h = netnsOf(peer) === undefined ? undefined : await handleFor(netnsOf(peer) as NetnsRef);
  try {
    if (h) req.peer.targetNetns = h.handle;
    return await create(o, req, {}, `createVxcan ${req.name}`);
  } finally {
    h?.release();
  }
}

/**
 * Changes kind-specific settings of an existing link (the kernel's changelink), validated against
 * the kind's table. Some settings only make sense afterwards, such as a bond's `activeSlave` or
 * `primary` (an index or name of one of its ports), and the kernel refuses some changes on a live
 * link (a VXLAN's VNI, for instance) with its own extack text. A bridge takes the settings of
 * {@link createBridge} (`stp`, `mcastSnooping`, `vlanFiltering`, `defaultPvid`, timers in seconds, …).
 *
 * `ip link set DEV type KIND SETTING VALUE …` (a bridge: `ip link set BR type bridge mcast_snooping 0
 * vlan_filtering 1 vlan_default_pvid N …`)
 */
export async function setLinkData(link: LinkRef, data: Record<string, unknown>, options: NetnsOption = {}): Promise<void> {
  link = checkLinkRef(link, 'link');
  options = v.options(options, 'options', ['netns']);
  const d = { ...v.object(data, 'data') };
  // A setting no kind has is a typo, refused now; whether this link's kind has it is known once
  // the link is read (and its values are checked against that kind's table then).
  for (const [key, value] of Object.entries(d)) if (value !== undefined && !anyKindHas(key)) throw invalidValue(`data.${key}`, value, 'is not a setting of any link kind');
  const { ns, release } = resolveNetns(netnsOf(options));
  try {
    const op = `setLinkData ${describeRef(link)}`;
    const current = await readLink(ns, linkKeyOf(link), op);
    if (!current.kind) throw refusedByState(os.constants.errno.EOPNOTSUPP, op, 'a link without a kind has no settings to change');
    if (current.kind === 'bridge') {
      // A bridge's settings have their own encoding (timers in centiseconds, the VLAN protocol):
      // the same validation as createBridge, sent as the kernel's changelink of the bridge.
      for (const [key, value] of Object.entries(d))
        if (value !== undefined && !(BRIDGE_KEYS as readonly string[]).includes(key)) throw refusedByState(os.constants.errno.EOPNOTSUPP, op, `a bridge has no setting '${key}'`);
      const bridge = bridgeFields(d, 'data');
      await transact(ns, [{ type: k('RTM_NEWLINK'), link: { index: current.index, kind: 'bridge', bridge } }], op);
      return;
    }
    const fields = table(current.kind);
    if (!fields) throw refusedByState(os.constants.errno.EOPNOTSUPP, op, `netdev has no settings table for kind '${current.kind}'`);
    for (const [key, value] of Object.entries(d))
      if (value !== undefined && !fields.some((f) => f.key === key)) throw refusedByState(os.constants.errno.EOPNOTSUPP, op, `a ${current.kind} link has no setting '${key}'`);
    // Port references (bond activeSlave / primary) may be given by name.
    for (const key of ['activeSlave', 'primary']) {
      const ref = d[key];
      if (current.kind === 'bond' && (typeof ref === 'string' || (typeof ref === 'object' && ref !== null)))
        d[key] = await indexOf(ns, checkLinkRef(ref, `data.${key}`), `data.${key}`);
    }
    const checked = checkData(current.kind, d, 'data');
    await transact(ns, [{ type: k('RTM_NEWLINK'), link: { index: current.index, kind: current.kind, data: checked } }], `setLinkData ${current.name}`);
  } finally {
    release();
  }
}
